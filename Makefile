# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: venv index serve test lint eval clean browser bench postgres test-postgres redis

venv: $(STAMP)

# torch is pinned and installed first: 2.13.0 is the CPU build; an unpinned torch pulls a CUDA one.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[index,dev]'
	touch $(STAMP)

index: $(STAMP)
	$(BIN)/python -m scripts.build_index --if-stale

serve: index
	$(BIN)/uvicorn --factory api.main:app_factory --host $(HOST) --port $(PORT) --no-access-log

lint: $(STAMP)
	$(BIN)/ruff check api index scripts tests
	$(BIN)/ruff format --check api index scripts tests
	$(BIN)/mypy

# Answer quality on the project's held-out sets (and the shared dev set where it sits beside the repo): the first
# guide alone, both guides loaded together, and the second guide alone (docs/answer-quality.md). FIRST and SECOND list
# index/evaluation.py's FIRST_GUIDE_SETS and SECOND_GUIDE_SETS (tests/index/test_evaluation.py checks that they agree).
FIRST := $(foreach s,questions probes long long2 long3 requests multipart history templates followups,--set tests/eval/$(s).jsonl) \
         $(if $(wildcard ../shared/eval/dev.jsonl),--set ../shared/eval/dev.jsonl)
SECOND := $(foreach s,questions long,--set tests/eval/second-guide/$(s).jsonl)
eval: index
	$(BIN)/python -m scripts.eval $(FIRST) $(EVAL_ARGS)
	$(BIN)/python -m scripts.eval --content content --content tests/eval/second-guide/content $(FIRST) $(SECOND) $(EVAL_ARGS)
	$(BIN)/python -m scripts.eval --content tests/eval/second-guide/content $(SECOND) $(EVAL_ARGS)

# The real server on a free loopback port, driven over HTTP; one table (BENCH_ARGS=--quick for a smoke run).
bench: $(STAMP)
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)

# Debian's Chromium for tests/browser (Playwright drives it; `playwright install` is never needed).
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "browser: $(CHROMIUM) is missing and apt-get is not available; install Chromium there to run tests/browser" \
		     "(they skip without it, and fail under CI=true)"; exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
		echo "browser: $(CHROMIUM) is missing; run 'apt-get install chromium' as root to run tests/browser" \
		     "(they skip without it, and fail under CI=true)"; exit 0; fi; \
	echo "browser: installing Debian's chromium for tests/browser"; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Debian's PostgreSQL for tests/api/test_feedback_postgres.py: installed when missing, started, with a throwaway role and
# database; the URL goes to $(PG_URL_FILE) for pytest. It never fails the build: without a server that test skips
# (and fails under CI=true where apt-get exists). A URL already in ADVISOR_TEST_DATABASE_URL is used as it is.
PG_URL_FILE := build/test-database-url
PG_TEST := advisor_test
postgres:
	@mkdir -p build; rm -f $(PG_URL_FILE); \
	if [ -n "$$ADVISOR_TEST_DATABASE_URL" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; AS_PG="runuser -u postgres --"; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; AS_PG="sudo -u postgres"; \
	else echo "postgres: not root and no sudo; the PostgreSQL test will skip"; exit 0; fi; \
	if [ -z "$$(pg_lsclusters -h 2>/dev/null)" ]; then \
		if ! command -v apt-get >/dev/null 2>&1; then echo "postgres: no server and no apt-get; the PostgreSQL test will skip"; exit 0; fi; \
		echo "postgres: installing Debian's postgresql"; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
			|| { echo "postgres: apt-get install postgresql failed; the PostgreSQL test will skip"; exit 0; }; \
	fi; \
	set -- $$(pg_lsclusters -h | head -n 1); \
	$$SUDO pg_ctlcluster "$$1" "$$2" start >/dev/null 2>&1 || true; \
	if ! pg_isready -q -h 127.0.0.1 -p "$$3" -t 30; then echo "postgres: cluster $$1/$$2 did not start; the PostgreSQL test will skip"; exit 0; fi; \
	psql="$$AS_PG psql -p $$3 -v ON_ERROR_STOP=1 -qtA"; \
	{ $$psql -c "SELECT 1 FROM pg_roles WHERE rolname = '$(PG_TEST)'" | grep -q 1 \
		|| $$psql -c "CREATE ROLE $(PG_TEST) LOGIN PASSWORD '$(PG_TEST)'"; } \
	&& { $$psql -c "SELECT 1 FROM pg_database WHERE datname = '$(PG_TEST)'" | grep -q 1 \
		|| $$psql -c "CREATE DATABASE $(PG_TEST) OWNER $(PG_TEST)"; } \
	|| { echo "postgres: could not create the test database; the PostgreSQL test will skip"; exit 0; }; \
	echo "postgresql+psycopg://$(PG_TEST):$(PG_TEST)@127.0.0.1:$$3/$(PG_TEST)" > $(PG_URL_FILE)

PG_ENV = ADVISOR_TEST_DATABASE_URL="$${ADVISOR_TEST_DATABASE_URL:-$$(cat $(PG_URL_FILE) 2>/dev/null)}"

test-postgres: $(STAMP) postgres
	$(PG_ENV) $(BIN)/pytest tests/api/test_feedback_postgres.py

# Debian's redis-server for tests/api/test_ratelimit_redis.py (two replicas sharing one rate limit): installed when
# missing. The test starts its own throwaway server on a unix socket and stops it; without redis-server it
# skips (and fails under CI=true where apt-get exists).
redis:
	@if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then echo "redis: no redis-server and no apt-get; the Redis test will skip"; exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
		echo "redis: not root and no sudo; run 'apt-get install redis-server' as root, or the Redis test will skip"; exit 0; fi; \
	echo "redis: installing Debian's redis-server"; \
	$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
		|| echo "redis: apt-get install redis-server failed; the Redis test will skip"

test: $(STAMP) lint index browser postgres redis
	$(PG_ENV) $(BIN)/pytest

clean:
	rm -rf build test-artifacts

# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: venv index serve test lint eval fit clean browser bench

venv: $(STAMP)

# torch is pinned and installed first: 2.13.0 is the CPU build; an unpinned torch pulls a CUDA one.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: $(STAMP)
	$(BIN)/python scripts/build_index.py --if-stale

serve: index
	$(BIN)/uvicorn --factory api.main:app_factory --host $(HOST) --port $(PORT) --no-access-log

lint: $(STAMP)
	$(BIN)/ruff check api index scripts tests
	$(BIN)/ruff format --check api index scripts tests
	$(BIN)/mypy

# Answer quality on the project's held-out set and, where it is beside the repo, the shared dev set.
EVAL_SETS := --set tests/eval/questions.jsonl $(if $(wildcard ../shared/eval/dev.jsonl),--set ../shared/eval/dev.jsonl)
eval: $(STAMP)
	$(BIN)/python scripts/eval.py $(EVAL_SETS) --show-misses
	$(BIN)/python scripts/eval.py --content tests/eval/second-guide/content --set tests/eval/second-guide/questions.jsonl

# Refit the ranker and the abstention check (index/models.json) on tests/eval/fit.jsonl.
fit: $(STAMP)
	$(BIN)/python scripts/fit_models.py

# The real server on a free loopback port, driven over HTTP; one table (BENCH_ARGS=--quick for a smoke run).
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

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

test: $(STAMP) lint index browser
	$(BIN)/pytest

clean:
	rm -rf build test-artifacts

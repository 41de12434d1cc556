# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: venv index serve test lint eval clean

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
	$(BIN)/uvicorn --factory api.main:app_factory --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check api index scripts tests
	$(BIN)/ruff format --check api index scripts tests
	$(BIN)/mypy

test: $(STAMP) lint index
	$(BIN)/pytest

clean:
	rm -rf build test-artifacts

# Two commands do all the set-up: `make run` serves, `make test` tests. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-external lint format check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) main.py serve

test: install
	$(PY) -m pytest -q

# The same suite against the machine's PostgreSQL 15 (no pgvector); each run uses its own databases.
test-external: install
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest -q -m db

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint test

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

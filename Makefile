# Two commands do all the set-up: `make run` serves, `make test` tests. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install web warm run test test-browser test-external lint format check bench clean screenshots

# The web app (web/): npm ci only when the lock file changes (offline after the first install),
# vite build only when a source changed. Output in web/dist (not committed), served by the app.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) $(wildcard web/*.html) \
	web/vite.config.ts web/tsconfig.json web/package.json
WEB_NODE_STAMP := web/node_modules/.install-stamp
WEB_STAMP := web/dist/.build-stamp
CHROMIUM := $(shell command -v chromium 2>/dev/null)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_NODE_STAMP): web/package-lock.json web/package.json
	@command -v npm >/dev/null || { echo "Node.js (>= 20.19) and npm are needed to build the web app"; exit 1; }
	cd web && npm ci --no-audit --no-fund --prefer-offline
	touch $@

$(WEB_STAMP): $(WEB_NODE_STAMP) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: $(WEB_STAMP)

run: install web
	$(PY) main.py serve

# Convert the model and embed the examples once, before a suite, so that the first test to load
# the engine is not timed for it (minutes on a fresh clone with a float32-only CPU); then cached.
warm: install
	$(PY) main.py triage "warm-up" > /dev/null

test: install web warm
ifeq ($(CHROMIUM),)
	@echo "******************************************************************************"
	@echo "*  BROWSER TESTS NOT RUN: no chromium on PATH.                               *"
	@echo "*  Install it (apt-get install -y chromium) and run make test again, or      *"
	@echo "*  make test-browser. Everything else runs now.                              *"
	@echo "******************************************************************************"
endif
	$(PY) -m pytest -q
ifeq ($(CHROMIUM),)
	@echo "*** REMINDER: the browser tests (tests/browser) were NOT run: no chromium. ***"
endif

test-browser: install web warm
	$(PY) -m pytest -q tests/browser

screenshots: install web
	$(PY) -m tests.browser.screenshots

# The same suite against the machine's PostgreSQL 15 (no pgvector); each run uses its own databases.
test-external: install warm
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest -q -m "db and not browser"

lint: install $(WEB_NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd web && npm run typecheck && npm run lint

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint test

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache web/node_modules web/dist

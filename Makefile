# The two commands of the README: `make run` serves the demo site, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install test-deps lint format clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## run: install, migrate, load the demo town, create demo staff, serve on http://$(HOST):$(PORT)
# uvicorn neither reads X-Forwarded-For (the app does, from TRUSTED_PROXIES only: core/clients.py)
# nor keeps an access log (it would write every client address), as in the Dockerfile and compose.
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true
	$(BIN)/python manage.py demo_setup
	$(BIN)/uvicorn arcachat.asgi:application --host $(HOST) --port $(PORT) --no-proxy-headers --no-access-log

## test-deps: what browser tests need beyond Python packages (Debian's chromium, axe-core)
test-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -f node_modules/axe-core/axe.min.js || npm install --silent --no-audit --no-fund --prefix . axe-core@4 >/dev/null

## test: install what tests need and run the whole suite
test: $(VENV)/.installed test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts node_modules

# Beian Desk: two commands on a fresh machine — `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench serve install install-test translations migrate clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d translations 2>&1 | grep -v "^compiling" || true

migrate: install
	$(FLASK) db upgrade

## make run: venv, install, migrate the SQLite database, load demo data once, serve on 127.0.0.1:5000
run: migrate
	$(FLASK) seed-demo --if-empty
	BEIAN_DEMO_MODE=true $(FLASK) run --host $(HOST) --port $(PORT)

## make test: install test dependencies; lint, format and type checks; the whole suite (SQLite, PostgreSQL where reachable, Chromium)
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## make bench: 100 000 filings in PostgreSQL (BENCH_DATABASE_URL, default the local test database), gunicorn 2 workers, wrk
bench: install-test
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py

## make serve: production serving with gunicorn (set DATABASE_URL and BEIAN_SECRET_KEY first)
WORKERS ?= $(shell python3 -c "import os; print(2 * (os.cpu_count() or 1) + 1)")
serve: migrate
	$(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		--access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s' \
		--forwarded-allow-ips '127.0.0.1' --timeout 60 --graceful-timeout 30 'app:create_app()'

clean:
	rm -rf $(VENV) instance .pytest_cache

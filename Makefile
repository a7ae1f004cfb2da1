# Beian Desk: two commands on a fresh machine — `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast bench bench-load bench-import serve install install-test translations migrate lock clean

# Installs take the locked set (requirements*.lock, made from pyproject.toml by `make lock`) with uv,
# an order of magnitude faster than pip. Only the dependencies are installed: the app runs from this
# checkout (flask, gunicorn and pytest import it from here), it is not a package (pyproject.toml).
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet uv

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(UV) -r requirements.lock
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements-test.lock | $(BIN)/python
	$(UV) -r requirements-test.lock
	touch $(VENV)/.installed $@

## make lock: pin every dependency (runtime, and runtime + test) from pyproject.toml
lock: | $(BIN)/python
	$(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra test pyproject.toml -o requirements-test.lock

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d translations 2>&1 | grep -v "^compiling" || true

migrate: install
	$(FLASK) db upgrade

## make run: venv, install, migrate the SQLite database, load demo data once, serve on 127.0.0.1:5000
## (with the outbox worker beside it, logging to instance/outbox-worker.log, stopped with the server)
run: migrate
	BEIAN_DEMO_MODE=true $(FLASK) seed-demo --if-empty
	BEIAN_DEMO_MODE=true BEIAN_PUBLIC_URL=$${BEIAN_PUBLIC_URL:-http://$(HOST):$(PORT)} sh -c '\
		$(FLASK) outbox work >> instance/outbox-worker.log 2>&1 & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)'

## make test: install test dependencies; lint, format and type checks; the whole suite (SQLite, PostgreSQL where reachable, Chromium), two workers
## sharing the tests one by one, the longest first (docs/testing.md)
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=12

## make test-fast: the suite without the tests marked slow (crawl, crash safety, two hosts, races, slow clients, browser), two workers
test-fast: install-test
	$(BIN)/python -m pytest -n 2 -m "not slow"

## make bench: 100 000 and 1 000 000 filings in PostgreSQL (BENCH_DATABASE_URL, default the local test database), gunicorn 2 workers, wrk
bench: install-test
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py

## make bench-load: journeys under load (Locust, headless) against `make serve`'s gunicorn on PostgreSQL
## (BENCH_DATABASE_URL), then 2 MB uploads per second; docs/performance.md argues the mix
bench-load: install-test
	$(BIN)/python bench/load.py

## make bench-import: the registry import of 10 000 rows through the admin's routes (SQLite; PostgreSQL when BENCH_DATABASE_URL answers)
bench-import: install-test
	$(BIN)/python bench/registry_import.py

## make serve: production serving with gunicorn (set DATABASE_URL and BEIAN_SECRET_KEY first); glibc's
## allocator backs its large blocks (an upload's pixels) with huge pages: GLIBC_TUNABLES is read when a
## process starts, so it is set here, not in gunicorn.conf.py (which says why)
WORKERS ?= $(shell python3 -c "import os; print(2 * (os.cpu_count() or 1) + 1)")
serve: export GLIBC_TUNABLES := $(if $(GLIBC_TUNABLES),$(GLIBC_TUNABLES):)glibc.malloc.hugetlb=1
serve: migrate
	$(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		--access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s' \
		--forwarded-allow-ips '127.0.0.1' --timeout 60 --graceful-timeout 30 'app:create_app()'

clean:
	rm -rf $(VENV) instance .pytest_cache

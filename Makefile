# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The local services `make test-postgres` uses (created and dropped by the test run).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/library
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run serve worker test test-postgres test-hostile test-browser docs-screenshots bench lint lock migrate seed schema clean

# Everything is installed from the locks: the whole tree, each file with its hash, wheels
# only (no package's build code runs here). requirements*.txt hold the top-level pins;
# `make lock` compiles each into the .lock beside it.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The venv module's pip and setuptools are replaced by the locked ones first.
$(VENV)/.bootstrap: requirements-bootstrap.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --only-binary :all: --require-hashes -r requirements-bootstrap.lock
	touch $@

# A stamp per lock: reinstall only when a lock changes.
$(VENV)/.runtime: requirements.lock | $(VENV)/.bootstrap
	$(PY) -m pip install --quiet --only-binary :all: --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(VENV)/.bootstrap
	$(PY) -m pip install --quiet --only-binary :all: --require-hashes -r requirements-dev.lock
	touch $(VENV)/.runtime $@

# After editing a pin in requirements*.txt: recompile the locks (needs PyPI). Packages
# not pinned there keep their locked version; LOCK_ARGS=--upgrade moves them to the
# newest that fit. Each lock is constrained by the one it is installed over, so a
# package has one version everywhere. Hashes cover every file of a release; the
# resolution is for the one platform the project runs on.
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --only-binary :all: \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock: $(VENV)/.dev
	$(LOCK_COMPILE) requirements-bootstrap.txt -o requirements-bootstrap.lock
	$(LOCK_COMPILE) requirements.txt -o requirements.lock
	$(LOCK_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
	$(LOCK_COMPILE) bench/requirements.txt -c requirements-dev.lock -o bench/requirements.lock
	$(PY) .ci/check_locks.py

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input

# The development server, and beside it the worker that delivers mail (with the default
# console backend it prints each mail here). Ctrl-C stops both.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: migrate
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-like: gunicorn, DEBUG off, static files collected and served by whitenoise.
serve: export DJANGO_DEBUG := false
serve: $(VENV)/.runtime
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY first (README: Deploying)." >&2; exit 1; }
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Mail goes out through a worker: run 'make worker' beside this, as its own service (README: Deploying)."
	$(VENV)/bin/gunicorn --config gunicorn.conf.py

# The mail worker in production, beside `make serve`: a service of its own (systemd, a
# container), as many as you like, on any host that shares the database. It takes the
# same environment as `make serve`; SIGTERM lets the mail in hand finish first.
worker: export DJANGO_DEBUG := false
worker: $(VENV)/.runtime
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY first (README: Deploying)." >&2; exit 1; }
	$(PY) manage.py db_worker --no-reload

seed: migrate
	$(PY) manage.py seed_demo

test: $(VENV)/.dev
	$(PY) -m pytest

test-postgres: $(VENV)/.dev
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest

# Real servers: parallel writers, a database outage, schemathesis. A few minutes.
test-hostile: $(VENV)/.dev
	$(PY) -m pytest -m hostile -p no:cacheprovider

# Playwright drives Debian's Chromium (installed here if missing; no browser download).
test-browser: $(VENV)/.dev /usr/bin/chromium
	$(PY) -m pytest -m browser -p no:cacheprovider

# The screenshots README shows, made by the browser tests.
docs-screenshots: $(VENV)/.dev /usr/bin/chromium
	DOCS_SCREENSHOTS=1 $(PY) -m pytest -m browser -p no:cacheprovider

# The benchmark: gunicorn + wrk on loopback, a few minutes. BENCH_ARGS="--authors 1000000
# --dead-token-rows 1000000" for the scale run.
bench: $(VENV)/.bench /usr/bin/wrk
	$(PY) bench/run.py $(BENCH_ARGS)

$(VENV)/.bench: bench/requirements.lock $(VENV)/.dev
	$(PY) -m pip install --quiet --only-binary :all: --require-hashes -r bench/requirements.lock
	touch $@

/usr/bin/wrk:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) .ci/check_locks.py

# docs/openapi.yaml, the committed schema a test compares with the generated one.
schema: $(VENV)/.runtime
	$(PY) manage.py spectacular --format openapi --file docs/openapi.yaml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

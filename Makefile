# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make test` measures coverage and fails under the floor in pyproject.toml; COVERAGE= turns it off.
COVERAGE ?= --cov --cov-report=term
# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs in this process alone.
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast hooks test-browser lint format check translations makemessages bench clean worker beat

# Settings default to production (DEBUG off, refusing development keys and defaults): the
# targets for development switch development on (demo data, eager tasks, mail to var/mail).
run test test-fast test-browser worker beat check bench makemessages: export DEBUG = true

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: $(STAMP)
	$(PY) -m jinseed.i18n_compile

## make run: install, migrate, compile translations, load demo data, serve on http://127.0.0.1:8000
run: translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving the portal on http://$(HOST):$(PORT)/ (demo logins: see README.md)"
	@# The beat schedule's timed work (offers announced, reminders, expiries) runs beside the
	@# server in run_periodic, which stops with it (docs/background-work.md).
	$(PY) manage.py run_periodic & periodic=$$!; trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (browser tests too when Chromium is installed), with coverage
test: translations
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(COVERAGE) $(PYTEST_ARGS)

## make test-fast: local runs on every core, keeping the test database between runs
test-fast: translations
	$(PY) -m pytest -n auto --reuse-db -m "not browser" $(PYTEST_ARGS)

## make hooks: install the pre-commit hooks (ruff, ruff format, django-upgrade, djLint)
hooks: $(STAMP)
	$(VENV)/bin/pre-commit install

## make test-browser: only the Playwright + Chromium journeys
test-browser: translations
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	git ls-files -z '*.py' | grep -zv '/migrations/' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2
	DEBUG=true $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

makemessages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --no-obsolete
	$(PY) -m jinseed.i18n_compile

# One worker for both queues (celery, jobs); see docs/background-work.md for dedicated ones.
worker: $(STAMP)
	$(VENV)/bin/celery -A jinseed worker -Q celery,jobs --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(VENV)/bin/celery -A jinseed beat --loglevel=INFO

bench: $(STAMP)
	$(PY) manage.py bench_queries

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-*

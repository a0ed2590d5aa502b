# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export DJANGO_SETTINGS_MODULE := clinic.settings

.PHONY: run test lint format check bench loadtest faulttest screenshots clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

## run: install, migrate, load the demo clinic, then serve on :8000 with a Celery worker and beat.
run: export DJANGO_DEBUG ?= true
run: $(VENV)/.app-installed
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting the web server on http://127.0.0.1:8000 and the background worker (Ctrl-C stops both)."
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/celery -A clinic worker --beat --pool=solo --without-gossip --without-mingle --without-heartbeat \
		--loglevel=INFO --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:8000

## test: the whole suite, browser tests included.
test: $(VENV)/.dev-installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## check: production settings pass the deployment checklist, and migrations are committed.
check: $(VENV)/.app-installed
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-only-$$(date +%s)-a-long-random-looking-value-xyzzy-0123456789 \
		DJANGO_ALLOWED_HOSTS=clinic.example.org $(PY) manage.py check --deploy --fail-level WARNING
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

## bench: slot search for 10 providers x 30 days (the 30-day sweep, and one provider-day as every booking confirm
## checks it) at 1,000 and 100,000 future-heavy appointments, in a throwaway database next to DATABASE_URL's
## (the targets are for PostgreSQL). BENCH_ARGS=--help for options.
bench: export DJANGO_DEBUG ?= true
bench: $(VENV)/.app-installed
	$(PY) manage.py bench_slots $(BENCH_ARGS)

## loadtest: gunicorn (2 workers) on PostgreSQL and Redis with the demo clinic, driven from 127.0.0.1 by 10
## clients: the picker, a fixed mix, and a 30-way contested booking. It DROPS and recreates the database named by
## LOADTEST_DATABASE_URL (default clinic_loadtest); LOADTEST_REDIS_URL, LOADTEST_PORT (8121), LOADTEST_ARGS.
loadtest: $(VENV)/.app-installed
	$(PY) -m loadtest $(LOADTEST_ARGS)

## screenshots: the README's screenshots (docs/screenshots/*.png), from the demo clinic in a throwaway SQLite
## database under var/screenshots/, served by runserver on 127.0.0.1:$SCREENSHOTS_PORT (8136) and taken with
## Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through the real forms. Not part of `make test`.
screenshots: $(VENV)/.dev-installed
	$(PY) -m tools.screenshots $(SCREENSHOTS_ARGS)

clean:
	rm -rf $(VENV) var staticfiles

## faulttest: bookings and email under real faults (Redis down, mail server refusing, 421, 451, a worker killed
## mid-send) with gunicorn, two Celery workers and beat on PostgreSQL and a private Redis. Not part of `make test`.
## Needs DATABASE_URL=postgres://... (it uses a throwaway database next to it). FAULTTEST_ARGS=--short: 5 minutes.
faulttest: $(VENV)/.dev-installed
	$(PY) -m tools.faulttest $(FAULTTEST_ARGS)

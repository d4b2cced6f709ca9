# Checkpoint: the two commands a newcomer runs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := CHECKPOINT_DEMO=1
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format services venv deps dev-deps demo-data check-deploy clean help vendor stack stack-down stack-status lock

help:
	@echo "make run      - install, migrate, load demo data, serve http://$(HOST):$(PORT) (SQLite, no other service)"
	@echo "make test     - the whole test suite on local PostgreSQL and Redis (starts them if stopped)"
	@echo "make lint     - ruff format --check, ruff check, the import layers (lint-imports), mypy, bandit, pip-audit"
	@echo "make lock     - compile requirements*.in to requirements*.txt with every dependency pinned and hashed"
	@echo "make format   - ruff format and ruff check --fix"
	@echo "make stack    - the production-shaped stack on loopback: nginx, 2 web nodes, 2 workers, beat, Redis, S3, SMTP sink"
	@echo "make stack-down / make stack-status - stop it / show each process and /readyz"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Checkpoint needs Python 3.11 ($(PYTHON) not found). Install it, or run: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python

# requirements*.txt are locks (make lock): every package, transitive ones included, pinned with its
# hashes; pip refuses anything else.
$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $(VENV)/.deps $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Links in the demo's emails (printed to the console) point at the port it serves on.
run: deps
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Checkpoint demo: http://$(HOST):$(PORT)/  (demo logins in README.md, password checkpoint-demo)"
	$(DEMO_ENV) SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

services:
	@scripts/ensure-services.sh

test: dev-deps services
	@scripts/ensure-browser.sh
	scripts/test.sh $(PYTEST_ARGS)

lint: dev-deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	CHECKPOINT_DEMO=1 $(BIN)/mypy
	$(BIN)/bandit -q --severity-level medium -c pyproject.toml -r .
	@scripts/audit-deps.sh

# Re-lock: requirements.in and requirements-dev.in (the packages we choose, pinned) compiled with
# every transitive dependency and its hashes. Run after changing either .in file.
lock: dev-deps
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url -o requirements-dev.txt requirements-dev.in

format: dev-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: deps
	$(BIN)/python manage.py check --deploy

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var .pytest_cache .ruff_cache

vendor:
	scripts/vendor.sh

# --- the Celery worker and beat (docs/reminders.md) ----------------------------------------
# Locally they use the demo's settings with Redis as the broker: start the portal with
# `REDIS_URL=redis://127.0.0.1:6379/0 make run` so that it queues its tasks there. In production
# they run as services beside gunicorn, with the production environment.
CELERY_ENV ?= $(DEMO_ENV) REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}
.PHONY: worker beat
worker: deps services
	$(CELERY_ENV) $(BIN)/celery -A portal worker --loglevel=INFO

beat: deps services
	@mkdir -p var
	$(CELERY_ENV) $(BIN)/celery -A portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

# --- the production-shaped stack on this machine (docs/operations.md) -----------------------------
stack:
	scripts/stack.sh up

stack-down:
	scripts/stack.sh down

stack-status:
	scripts/stack.sh status

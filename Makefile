# Internly — developer entry points. Every target works on a bare machine with no
# environment variables: it creates .venv, installs what the target needs, and uses the
# embedded defaults (SQLite, eager Celery, local-memory cache) unless DATABASE_URL /
# REDIS_URL are set.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYS ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
# Two installs: what running the site needs (`pip install -e .`), and the development
# extras on top (`.[dev]`: pytest, Playwright, moto, ruff, mypy, schemathesis, …), which
# only the quality targets need. A newcomer's `make run` waits for the first alone.
RUN_STAMP  := $(VENV)/.installed-run
DEV_STAMP  := $(VENV)/.installed-dev
MANAGE     := $(PY) manage.py
RUFF       := $(VENV)/bin/ruff
CELERY     := $(VENV)/bin/celery
MYPY       := $(VENV)/bin/mypy
LINT_IMPORTS := $(VENV)/bin/lint-imports

# `make run PORT=8001` when 8000 is taken. The links the demo prints (and the site's
# emails) point at the port served unless SITE_URL is set.
PORT     ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k offers -x"`.
PYTEST_ARGS ?=

# `make bench` always runs on PostgreSQL: DATABASE_URL is used when it points at
# PostgreSQL, otherwise this default.
BENCH_DEFAULT_DATABASE_URL := postgres://postgres@127.0.0.1:5432/internly_bench
BENCH_DATABASE_URL ?= $(if $(filter postgres://% postgresql://%,$(DATABASE_URL)),$(DATABASE_URL),$(BENCH_DEFAULT_DATABASE_URL))

.PHONY: help install run test check typecheck layers fmt bench bench-quick loadtest worker beat clean backup restore

help:
	@echo "make run          migrate, seed demo data, serve on http://127.0.0.1:8000 (PORT=...)"
	@echo "make test         run the test suite (PYTEST_ARGS=... to pass options)"
	@echo "make check        lint, layers, types, missing migrations, deploy checks"
	@echo "make layers       the import layers contract (import-linter)"
	@echo "make typecheck    mypy over the kernel, services, selectors and devtools"
	@echo "make fmt          format and autofix with ruff"
	@echo "make bench        benchmarks on PostgreSQL (BENCH_DATABASE_URL=...)"
	@echo "make bench-quick  a short benchmark run"
	@echo "make loadtest     Locust against gunicorn + PostgreSQL + Redis + Celery (LOADTEST_ARGS=...)"
	@echo "make worker       Celery worker (needs REDIS_URL)"
	@echo "make beat         Celery beat (needs REDIS_URL)"
	@echo "make backup       PostgreSQL dump + stored files + manifest into backups/ (BACKUP_DIR=...)"
	@echo "make restore      BACKUP=backups/internly-... [CONFIRM=1 to replace existing data]"
	@echo "make clean        remove caches and collected static files"

# --- environment --------------------------------------------------------------

$(PY):
	$(PYTHON_SYS) -m venv $(VENV)

# Re-install only when pyproject.toml is newer than the stamp. The development install
# includes the running one, so it marks both done.
$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $(RUN_STAMP) $@

install: $(DEV_STAMP)

# --- running ------------------------------------------------------------------

run: $(RUN_STAMP)
	$(MANAGE) migrate --noinput
	SITE_URL="$(SITE_URL)" $(MANAGE) seed_demo
	SITE_URL="$(SITE_URL)" $(MANAGE) runserver 127.0.0.1:$(PORT)

worker: $(RUN_STAMP)
	$(CELERY) -A marketplace worker -l info -Q default,email,statistics

beat: $(RUN_STAMP)
	$(CELERY) -A marketplace beat -l info

# --- quality ------------------------------------------------------------------

# Browser tests use the system Chromium (/usr/bin/chromium); nothing here downloads
# a browser.
test: $(DEV_STAMP)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

# The deploy check runs with production-like settings and a throwaway random key.
check: $(DEV_STAMP)
	$(RUFF) check .
	$(RUFF) format --check .
	$(MAKE) --no-print-directory layers
	$(MAKE) --no-print-directory typecheck
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=example.com \
	$(MANAGE) check --deploy --fail-level WARNING

# devtools > marketplace > matching > projects > accounts > core (pyproject.toml).
layers: $(DEV_STAMP)
	$(LINT_IMPORTS)

# Files and options in pyproject.toml's [tool.mypy].
typecheck: $(DEV_STAMP)
	$(MYPY)

fmt: $(DEV_STAMP)
	$(RUFF) format .
	$(RUFF) check --fix .

# --- benchmarks (PostgreSQL) --------------------------------------------------

bench: $(RUN_STAMP)
	$(PY) scripts/ensure_pg_database.py "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(MANAGE) bench

bench-quick: $(RUN_STAMP)
	$(PY) scripts/ensure_pg_database.py "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(MANAGE) bench --quick

# Locust against the production shape (gunicorn, DEBUG off, a Celery worker) on the
# bench's scale-10 data: bench/README.md, "Load test". `make loadtest LOADTEST_ARGS=--profile`
# adds a py-spy profile; CI runs `--smoke`. Redis database 10 unless LOADTEST_REDIS_URL.
LOADTEST_REDIS_URL ?= redis://127.0.0.1:6379/10
LOADTEST_ARGS ?=

loadtest: $(DEV_STAMP)
	$(PY) scripts/ensure_pg_database.py "$(BENCH_DATABASE_URL)"
	DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(LOADTEST_REDIS_URL)" $(MANAGE) loadtest $(LOADTEST_ARGS)

# --- backups (PostgreSQL) -----------------------------------------------------

# A new directory backups/internly-<UTC time> (or under BACKUP_DIR): database.dump,
# files.tar and manifest.json. Needs pg_dump of the server's major version.
BACKUP_DIR ?= backups

backup: $(RUN_STAMP)
	$(MANAGE) backup --output "$(BACKUP_DIR)"

# Refuses a database with rows or a storage with files unless CONFIRM=1.
restore: $(RUN_STAMP)
	@if [ -z "$(BACKUP)" ]; then echo "usage: make restore BACKUP=backups/internly-... [CONFIRM=1]" >&2; exit 2; fi
	$(MANAGE) restore "$(BACKUP)" $(if $(filter 1 yes true,$(CONFIRM)),--force)

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache test-results bench/tmp
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

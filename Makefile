# tumorboard: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi:app

.PHONY: run serve test lint format bench scan audit-deps clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --first-start
	$(BIN)/python -m tumorboard.serving --host 127.0.0.1 --port $(PORT)

# Production profile: gunicorn (gunicorn.conf.py: WEB_CONCURRENCY workers,
# JSON logs) on PostgreSQL, with Redis when REDIS_URL is set. The settings
# come from the environment: docs/deploy.md.
serve: $(VENV)/.installed
	@test -n "$$DATABASE_URL" || { echo "make serve: set DATABASE_URL=postgresql://... (docs/deploy.md)" >&2; exit 2; }
	TUMORBOARD_ENV=$${TUMORBOARD_ENV:-production} $(BIN)/flask db upgrade
	TUMORBOARD_ENV=$${TUMORBOARD_ENV:-production} $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; each has its own
# PostgreSQL schema and its own browser server); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Static security scan; the test suite runs the same (tests/test_security_scans.py).
scan: $(VENV)/.installed
	$(BIN)/bandit -c pyproject.toml -r tumorboard -ll

# Known vulnerabilities in the pinned dependencies. Needs PyPI's vulnerability
# data over the internet; --strict makes a dependency that could not be checked
# an error instead of a quiet "No known vulnerabilities found". A release step:
# see docs/security.md.
audit-deps: $(VENV)/.installed
	$(BIN)/pip-audit -r requirements.txt --strict --progress-spinner off

# Load benchmark under gunicorn beside a bare list page (manual, minutes):
# make bench BENCH_ARGS="--cases 100000 --database-url postgresql://..."
bench: $(VENV)/.installed
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

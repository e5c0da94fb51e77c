# Kinerja NTB. `make run` and `make test` need only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000
PART ?= all

.PHONY: chaos replica-drill backup restore backup-drill deps-check audit install run test lint format bench screenshots messages lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock $(BIN)/activate
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Embedded defaults: SQLite in the checkout, no Redis, DEBUG on, plain HTTP.
run: export DEBUG ?= 1
run: install
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) seed_demo
	# The nightly job once, as beat runs it at 01:00 WITA: recompute, then the reward and
	# penalty rules (so the leaders' decision queue has the night's recommendations).
	$(MANAGE) apply_rules --recompute
	$(MANAGE) runserver $(HOST)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# check --deploy runs under production settings as a deployment has them, Redis included:
# without it the check fails (portal.E001, rate limits per process); nothing connects to it.
lint: export DEBUG = 1
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates
	$(BIN)/bandit -q -ll -c pyproject.toml -r agencies performance rewards portal
	$(BIN)/python scripts/check_templates.py
	$(MANAGE) makemigrations --check --dry-run -v0
	DEBUG=0 SECRET_KEY=lint-check-key-$$(date +%s)-0123456789-abcdefghijklmnopqrstuvwxyz \
		ALLOWED_HOSTS=kinerja.ntbprov.go.id REDIS_URL=redis://127.0.0.1:6379/0 \
		$(MANAGE) check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

screenshots: install
	$(PY) scripts/screenshots.py

bench: install
	$(PY) -m bench $(PART)

# Needs GNU gettext (apt-get install gettext). The compiled .mo files are committed, so
# `make run` and `make test` need no gettext; a test checks they match the .po files.
messages: install
	DEBUG=1 $(MANAGE) makemessages -l id -l en --ignore=.venv --ignore=tests --ignore=bench --no-obsolete
	DEBUG=1 $(MANAGE) compilemessages --ignore=.venv

lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Backups: pg_dump's custom format of DATABASE_URL (PostgreSQL) into backups/, and its
# restore (FILE=...) into DATABASE_URL in one transaction. backup-drill proves a dump taken
# during a recompute restores exactly (ops/backup.py).
backup:
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must point at PostgreSQL" >&2; exit 2;; esac
	mkdir -p backups
	pg_dump --format=custom --no-owner --no-privileges \
		--dbname="postgresql://$${DATABASE_URL#*://}" --file=backups/kinerja-$$(date -u +%Y%m%dT%H%M%SZ).dump
	@ls -1t backups/*.dump | head -n 1

restore:
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL must point at PostgreSQL" >&2; exit 2;; esac
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/kinerja-....dump" >&2; exit 2; }
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
		--dbname="postgresql://$${DATABASE_URL#*://}" "$(FILE)"

backup-drill: install
	$(PY) -m ops.backup

# deps-check: the direct dependencies with a newer release, then the vulnerability audit.
# audit: pip-audit --strict of requirements.lock against PyPI's data or OSV; exits 2 saying
# "NOT AUDITED" when neither is reachable from here (scripts/audit.py), never a silent pass.
deps-check: install
	$(BIN)/python scripts/deps_check.py
	$(BIN)/python scripts/audit.py

audit: install
	$(BIN)/python scripts/audit.py

# The fault battery (ops/chaos.py, docs/reliability.md): the nightly job on a PostgreSQL
# cluster, Redis, Celery workers and gunicorn of its own on loopback, killed mid-run;
# TRIALS per scenario. Then the read replica drill (ops/replica.py): a primary and a
# standby cloned with pg_basebackup -R, the public pages from the standby, the primary
# stopped, the standby stopped. Needs PostgreSQL 15's server binaries and redis-server.
TRIALS ?= 5
chaos: install
	$(PY) -m ops.chaos --trials $(TRIALS)
	$(PY) -m ops.replica

replica-drill: install
	$(PY) -m ops.replica

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# unionapp: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint migrations-check deps dev-deps test-tools serve clean messages bench loadtest screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.deps $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.deps node_modules/.installed
dev-deps: $(VENV)/.dev-deps node_modules/.installed

# Tools the tests drive: Debian's Chromium (Playwright's own browser download does not work here),
# LibreOffice to open the exported reports, pdftotext to read what it printed.
TEST_TOOLS := $(CHROMIUM):chromium /usr/bin/libreoffice:libreoffice-calc-nogui /usr/bin/pdftotext:poppler-utils
test-tools:
	@missing=""; for pair in $(TEST_TOOLS); do [ -x "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

run: deps
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_if_empty
	@echo "Serving on http://127.0.0.1:$(PORT)/ (demo accounts above, password doan1931)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: dev-deps
	mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run

test: dev-deps test-tools lint migrations-check
	mkdir -p var
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest

# Speed at province scale against DATABASE_URL (SQLite by default); seeds the province when missing.
bench: deps
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py bench

# 20 users for 60 seconds against gunicorn; PostgreSQL only (the database is created when missing).
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/unionapp_bench
loadtest: deps
	psql "$(dir $(LOADTEST_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(LOADTEST_DATABASE_URL))'" | grep -q 1 || \
	  psql "$(dir $(LOADTEST_DATABASE_URL))postgres" -c "CREATE DATABASE $(notdir $(LOADTEST_DATABASE_URL))"
	DATABASE_URL=$(LOADTEST_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(LOADTEST_DATABASE_URL) $(BIN)/python manage.py loadtest

serve: deps
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/gunicorn unionapp.wsgi --workers $${WORKERS:-4} --bind 127.0.0.1:$(PORT)

# The user guide's screenshots (docs/screenshots/), taken by the browser journeys.
screenshots: dev-deps test-tools
	UNIONAPP_SCREENSHOTS=1 CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/browser -q

# Refresh the English catalogue after changing user-facing strings, translate the new
# entries in locale/en/LC_MESSAGES/django.po, then run this again to compile it.
messages: dev-deps
	$(BIN)/python manage.py makemessages -l en -i ".venv/*" -i "node_modules/*" -i "var/*" -i "tests/*"
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) node_modules var/static

# Durus: `make run` serves the site, `make test` runs every check. Both set up everything
# they need (virtual environment, embedded PostgreSQL, migrations, demo data) on the way.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
CATALOGUES := $(wildcard durus/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: help install translations translations-update database run test lint clean-venv

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(INSTALLED)  ## create the virtual environment and install Durus into it

$(COMPILED): %.mo: %.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)  ## compile the interface translations (durus/translations)

translations-update: install  ## extract the interface strings and merge them into every catalogue
	$(BIN)/pybabel extract -F durus/translations/babel.cfg -k _l -k lazy_gettext \
		--no-location --sort-output -o durus/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-location \
		-i durus/translations/messages.pot -d durus/translations

database: install translations  ## start the database if embedded, apply migrations, load the demo data
	$(FLASK) db upgrade
	$(FLASK) seed demo

run: database  ## serve Durus on http://127.0.0.1:5000/
	@echo "Durus: http://$(HOST):$(PORT)/  (Ctrl+C stops it; the data is kept for the next run)"
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install  ## ruff: lint and formatting; squawk: locking hazards in the migrations' SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python migrations/lint.py

test: database lint  ## lint, then the whole test suite against real PostgreSQL
	$(BIN)/pytest

clean-venv:  ## remove the virtual environment (the data under instance/ stays)
	rm -rf $(VENV)

# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser serve build test lint validate clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt package.json package-lock.json
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error  # KaTeX, copied into the site by the hook
	touch $@

serve: setup
	$(VENV)/bin/mkdocs serve --dirty --livereload  # rebuilds only what changed (readinglist/incremental.py)

build: setup
	$(VENV)/bin/mkdocs build --strict

validate: setup
	$(PY) scripts/validate.py

lint: setup
	$(VENV)/bin/ruff check .

browser:
	@sh scripts/ensure-browser.sh

test: setup browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

clean:
	rm -rf site .pytest_cache .ruff_cache test-artifacts node_modules

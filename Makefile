# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser bibtex serve build test lint validate clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt package.json package-lock.json
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error  # axe-core and Lighthouse, for the browser tests
	touch $@

serve: setup
	$(VENV)/bin/mkdocs serve --livereload

build: setup
	$(VENV)/bin/mkdocs build --strict

validate: setup
	$(PY) scripts/validate.py

lint: setup
	$(VENV)/bin/ruff check .

browser:
	@sh scripts/ensure-browser.sh

bibtex:
	@sh scripts/ensure-bibtex.sh

# Two workers (pytest-xdist), one test file each at a time: a file's module fixtures (a built
# site, a browser) are made once; the session's fixture site once per worker.
test: setup browser bibtex
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 --dist loadfile

clean:
	rm -rf site .pytest_cache .ruff_cache test-artifacts node_modules

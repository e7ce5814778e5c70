# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser bibtex serve build test lint validate lock clean

setup: $(VENV)/.installed

# Every dependency, transitive ones included, comes from a lock file with hashes; then the
# project itself, editable, with the locked build backend (no download at install time).
$(VENV)/.installed: requirements-dev.txt pyproject.toml package.json package-lock.json
	python3 -m venv $(VENV)
	$(PIP) --require-hashes -r requirements-dev.txt
	$(PIP) --no-deps --no-build-isolation -e .
	npm ci --no-audit --no-fund --loglevel=error  # axe-core and Lighthouse, for the browser tests
	touch $@

serve: setup
	$(VENV)/bin/mkdocs serve --dirty --livereload  # rebuilds only what changed (readinglist/incremental.py)

build: setup
	$(VENV)/bin/mkdocs build --strict

validate: setup
	$(PY) scripts/validate.py

# ruff (style and bugs), mypy (types of the package and the hook), deptry (every import
# declared in pyproject.toml, every declared dependency used).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/deptry .

browser:
	@sh scripts/ensure-browser.sh

bibtex:
	@sh scripts/ensure-bibtex.sh

# Two workers (pytest-xdist), one test file each at a time: a file's module fixtures (a built
# site) are made once, the fixture site once per run, Chromium once per worker. Files are
# handed out in the order tests/conftest.py gives them (the longest first, SLOW_FIRST), not
# xdist's default of the files with most tests first. Bytecode is
# cached even where PYTHONDONTWRITEBYTECODE is set: pytest then rewrites the tests' asserts
# once, not in every worker of every run (half of each worker's collection time).
test: lint browser bibtex
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# Re-resolve the lock files after editing dependencies in pyproject.toml (needs the network).
LOCK := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml requirements/build.in
lock: setup
	$(LOCK) --extra site --extra dev -o requirements-dev.txt
	$(LOCK) --extra site -c requirements-dev.txt -o requirements.txt
	$(LOCK) -c requirements-dev.txt -o requirements-fetch.txt

clean:
	rm -rf site .pytest_cache .ruff_cache .mypy_cache test-artifacts node_modules

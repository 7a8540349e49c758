# scaffold: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO   ?=

.PHONY: demo test install install-test lint types unit dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves the sources uncompiled (a wheel install compiles them); compile them
# here, since shells that set PYTHONDONTWRITEBYTECODE never cache them (docs/performance.md).
COMPILE = $(BIN)/python -m compileall -q -x '/templates/' scaffold blueprints stacks

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(COMPILE)

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]" -c constraints-test.txt
	$(COMPILE)

## demo: create a sample project in a temporary folder, validate it, print a blueprint, plan production
demo: install
	@set -e; dir="$${DEMO:-$$(mktemp -d)}/shop"; scaffold="$(CURDIR)/$(BIN)/scaffold"; \
	echo "\$$ scaffold new shop --dir $$dir --no-input"; "$$scaffold" new shop --dir "$$dir" --no-input; \
	cd "$$dir"; \
	echo; echo "\$$ scaffold validate"; "$$scaffold" validate; \
	echo; echo "\$$ scaffold blueprint -e dev"; "$$scaffold" blueprint -e dev; \
	echo; echo "\$$ scaffold plan -e prod"; "$$scaffold" plan -e prod; \
	echo; echo "demo project: $$dir"

## test: lint, types, the release build (sdist + wheel, twine check) and the whole test suite
test: install-test lint types dist unit

lint:
	$(BIN)/ruff check scaffold blueprints stacks tests benchmarks

types:
	$(BIN)/mypy

unit:
	$(BIN)/python -m pytest -q

## dist: build the sdist and wheel into dist/ (offline: the venv's setuptools, no isolation), then check them
dist: install-test
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build

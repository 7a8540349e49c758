# scaffold: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO   ?= $(shell mktemp -d)

.PHONY: demo test install install-test lint types unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

## demo: create a sample project in a temporary folder, validate it, print a blueprint, plan production
demo: install
	$(BIN)/scaffold new shop --dir $(DEMO)/shop --no-input
	cd $(DEMO)/shop && $(CURDIR)/$(BIN)/scaffold validate
	cd $(DEMO)/shop && $(CURDIR)/$(BIN)/scaffold blueprint -e dev
	cd $(DEMO)/shop && $(CURDIR)/$(BIN)/scaffold plan -e prod
	@echo "demo project: $(DEMO)/shop"

## test: lint, types and the whole test suite
test: install-test lint types unit

lint:
	$(BIN)/ruff check scaffold blueprints stacks tests benchmarks

types:
	$(BIN)/mypy

unit:
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

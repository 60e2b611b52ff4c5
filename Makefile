# The two commands of the README:
#   make scan   set up (first time) and scan a real package, writing the JSON result
#   make test   set up (first time) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INPUT ?= tests/data/requests-2.32.3.tar.gz
PIPELINE ?= scan_single_package
OUTPUT ?= scan-result.json
# Test processes (pytest-xdist, one test file each): each scanning one loads the 1.5 GB license index.
TEST_WORKERS ?= 2

.PHONY: setup scan test lint services

$(BIN)/scanapp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/scanapp

setup: $(BIN)/scanapp

scan: setup
	$(BIN)/scanapp run $(PIPELINE) $(INPUT) --format json --output $(OUTPUT)
	@echo "Result written to $(OUTPUT)"

services:
	bash .ci/services.sh

test: setup services
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: setup
	$(BIN)/ruff check scanapp pipelines outputs tests bench docs
	$(BIN)/lint-imports

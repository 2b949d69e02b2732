# Two commands for a fresh Debian/Ubuntu machine with Python 3.11+:
#   make demo   the whole network on embedded defaults
#   make test   the test suite (installs what it needs first)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test lint demo services-up services-down schemas clean

install:
	bash scripts/bootstrap.sh

lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q || [ $$? -eq 5 ]  # 5: no tests collected

demo: install
	$(BIN)/anpr demo

services-up: install
	$(BIN)/anpr services up

services-down: install
	$(BIN)/anpr services down

schemas: install
	$(BIN)/anpr protocol schemas

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Two commands for a fresh Debian/Ubuntu machine with Python 3.11+:
#   make demo   the whole network on embedded defaults
#   make test   the test suite (installs what it needs first)
#   make test-timescale   the central tests on PostgreSQL 17 + TimescaleDB (root; CI runs it)
#   make test-arm64       the edge agent installed and reading on arm64 under qemu (root; CI runs it)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-test test test-timescale test-arm64 devset lint demo services-up services-down schemas clean

# System packages the tests need: Chromium for the console tests, fonts for the plate renderer,
# Tesseract for the benchmarks' baseline.
APT_FONTS := fonts-dejavu-core fonts-dejavu-extra fonts-roboto fonts-bebas-neue fonts-liberation2
APT_TEST := chromium tesseract-ocr $(APT_FONTS)

install:
	bash scripts/bootstrap.sh

install-test:
	APT_EXTRA="$(APT_TEST)" bash scripts/bootstrap.sh

lint: install
	$(BIN)/ruff check .

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q || [ $$? -eq 5 ]  # 5: no tests collected

test-timescale: install-test
	bash scripts/test_timescale.sh

# The UK real-scene dev set (benchmarks/uk_devset.py) in its held-out fonts, then ours beside the
# peer OCR on it: the models' main development figure. Needs ../shared/data.
devset: install-test
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$($(BIN)/python -c "from models.fonts import DEVSET_APT_PACKAGES as p; print(*p)")
	$(BIN)/anpr bench uk-devset --out artifacts/uk-devset
	$(BIN)/anpr bench accuracy --dataset artifacts/uk-devset --out artifacts/uk-devset-accuracy.json

test-arm64: install-test
	bash scripts/test_arm64.sh

demo:
	APT_EXTRA="$(APT_FONTS)" bash scripts/bootstrap.sh
	$(BIN)/anpr demo

services-up: install
	$(BIN)/anpr services up

services-down: install
	$(BIN)/anpr services down

schemas: install
	$(BIN)/anpr protocol schemas

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

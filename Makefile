# Two commands on a fresh machine (Python 3.11 and make): `make demo` and `make test`.
# Each bootstraps the virtual environment from the lock file first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo up test lint tools bench lock clean

$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

## The main job: the whole deposit flow on the embedded local emulation (no AWS account, no Docker).
demo: setup
	$(BIN)/ami demo

## The stack, until Ctrl-C (then `ami mailbox`, `ami instruction next` in another terminal).
up: setup
	$(BIN)/ami local up

## Debian tools some tests use: LibreOffice renders the CCN registre once; Tesseract with its French
## model reads scanned lettres d'offre (tests/unit/test_extraction_ocr.py fails, saying why, without it);
## Chromium runs the plateforme's browser tests (Playwright drives it: its own browser download is not
## reachable). Installed when we are root with apt-get (CI, fresh machines); elsewhere each says what is
## missing.
tools:
	@command -v soffice >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui; } >/dev/null 2>&1; } \
	  || echo "LibreOffice absent : le test de rendu du registre ne sera pas exécuté."
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >/dev/null 2>&1; } \
	  || echo "Chromium absent : les tests de la plateforme dans le navigateur ne seront pas exécutés."
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx fra; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { apt-get update -qq && apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-fra; } >/dev/null 2>&1; } \
	  || echo "Tesseract (fra) absent : installez tesseract-ocr et tesseract-ocr-fra, sinon les tests d'OCR échouent."

## Linters, type checks and every test (unit, integration, e2e, infra).
test: setup lint tools
	$(BIN)/pytest -n 2 --dist loadfile; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

lint: setup
	$(BIN)/ruff check functions infra tests benchmarks
	$(BIN)/mypy functions/ami functions/api functions/intake functions/completeness functions/scoring functions/notify functions/web functions/instruction functions/rgpd infra

bench: setup
	$(BIN)/python benchmarks/run_all.py

## Re-pin the dependencies after a change to pyproject.toml or layers/runtime/requirements.in.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header --quiet -o requirements-dev.lock
	$(BIN)/uv pip compile layers/runtime/requirements.in -c requirements-dev.lock --excludes layers/runtime/excluded.txt \
	  --python-version 3.11 --python-platform aarch64-manylinux2014 --no-header --quiet -o layers/runtime/requirements.txt

clean:
	rm -rf $(VENV) .venv-sam .ami-local .pytest_cache .mypy_cache .ruff_cache

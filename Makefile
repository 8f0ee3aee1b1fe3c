# aiostripe: `make` installs everything into .venv and generates the client.
# The README's two commands: `make demo` and `make test`.

PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    := $(BIN)/python
STAMP     := $(VENV)/.installed
GEN_STAMP := generated/__init__.py
SPEC_SRC  := $(wildcard spec/overlays/*.json) spec/pin.json $(wildcard codegen/*.py codegen/templates/*)

.PHONY: all venv spec generate test typecheck lint demo bench api-diff spec-update wheel clean

all: generate

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

spec: $(STAMP)
	$(PYTHON) -m codegen spec $(if $(STRIPE_SPEC),--spec $(STRIPE_SPEC))

$(GEN_STAMP): $(STAMP) $(SPEC_SRC)
	$(PYTHON) -m codegen generate

generate: $(STAMP)
	$(PYTHON) -m codegen generate $(if $(STRIPE_SPEC),--spec $(STRIPE_SPEC))

test: $(GEN_STAMP)
	$(PYTHON) -m pytest -q

typecheck: $(GEN_STAMP)
	$(BIN)/mypy -p aiostripe

lint: $(STAMP)
	$(BIN)/ruff check src codegen tests

clean:
	rm -rf build dist .pytest_cache .mypy_cache
	find generated -mindepth 1 ! -name README.md ! -name .gitignore -exec rm -rf {} +

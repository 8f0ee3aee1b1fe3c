# aiostripe. `make` installs everything into .venv (Python 3.11+, pip) and generates the client.
# The README's two commands: `make demo` (the main job, on the embedded fake Stripe unless
# STRIPE_API_KEY is set) and `make test`.

PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
PYTHON    := $(BIN)/python
STAMP     := $(VENV)/.installed
GENERATED := generated/ir.json
GEN_DEPS  := pyproject.toml spec/pin.json $(wildcard spec/overlays/*.json) \
             $(wildcard codegen/*.py codegen/templates/*.j2)

.PHONY: all install spec generate test typecheck lint demo bench api-diff spec-update wheel clean

all: $(GENERATED)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Check the spec against spec/pin.json (STRIPE_SPEC=path, else ../shared, else a download).
spec: $(STAMP)
	$(PYTHON) -m codegen spec $(if $(STRIPE_SPEC),--spec $(STRIPE_SPEC))

$(GENERATED): $(STAMP) $(GEN_DEPS)
	$(PYTHON) -m codegen generate $(if $(STRIPE_SPEC),--spec $(STRIPE_SPEC))

generate: $(STAMP)
	$(PYTHON) -m codegen generate $(if $(STRIPE_SPEC),--spec $(STRIPE_SPEC))

typecheck: $(GENERATED)
	$(BIN)/mypy -p aiostripe

lint: $(STAMP)
	$(BIN)/ruff check src codegen tests

# The suite runs on up to 4 cores (pytest-xdist; TEST_JOBS=1 for one process). Each worker starts
# its own servers (stripe-mock, redis-server, the shared fake) once.
TEST_JOBS ?= $(shell $(PY) -c "import os; print(min(4, len(os.sched_getaffinity(0)) \
	if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1))")
test: $(GENERATED) typecheck
	$(PYTHON) -m pytest -q -n $(TEST_JOBS) --dist worksteal

demo: $(GENERATED)
	$(PYTHON) examples/demo.py

# The benchmark suite (not part of `make test`): make bench [BENCH_ARGS=--quick]
BENCH_ARGS ?=
bench: $(GENERATED)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(PYTHON) bench/run.py $(BENCH_ARGS)

# API changelog between two specs: make api-diff OLD=old.yaml NEW=new.json [ARGS="--format json"]
OLD ?= ../shared/stripe-openapi/spec3.json
NEW ?= ../shared/stripe-openapi/spec3.2026-05-27.json
api-diff: $(STAMP)
	$(PYTHON) -m codegen diff $(OLD) $(NEW) $(ARGS)

# Re-pin to a new spec and regenerate: make spec-update STRIPE_SPEC=path/to/spec3.json
# [DOWNLOAD_URL=https://...]. The spec is generated into a temporary directory first: the pin
# and build/spec/'s copy change only if that succeeds.
spec-update: $(STAMP)
	$(PYTHON) -m codegen pin $(STRIPE_SPEC) $(if $(DOWNLOAD_URL),--download-url $(DOWNLOAD_URL))
	$(PYTHON) -m codegen generate

wheel: $(GENERATED)
	$(PYTHON) -m build --wheel

clean:
	rm -rf build dist .pytest_cache .mypy_cache
	find generated -mindepth 1 ! -name README.md ! -name .gitignore -exec rm -rf {} +

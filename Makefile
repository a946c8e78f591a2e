# The two commands of the README. Both create ./.venv on first use and install what they need.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test bench mutate clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# CPU torch first (a bare `torch` requirement would pull a multi-GB CUDA build), then evalcard with its extras.
install: $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[run]'

install-test: $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[run,test]'

# Runs the main job end to end on a local store: no account, no network.
demo: install
	$(BIN)/evalcard demo --store ./demo-store

# Runs the whole test suite (installs what the tests need first).
test: install-test
	$(BIN)/python -m pytest -q -n 2 tests

bench: install-test
	$(BIN)/python bench/extract_quality.py --write-readme
	$(BIN)/python bench/run_overhead.py --write-readme

# Mutation testing of the modules that decide which numbers are written ([tool.mutmut] in pyproject.toml), then the
# per-module report (bench/mutation_report.py; survivors explained in docs/mutation.md).
mutate: install-test
	$(BIN)/pip install -q 'mutmut==3.8.1'
	rm -rf mutants
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 EVALCARD_TEST_MODELS="$(CURDIR)/mutants-models" \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/mutmut run --max-children 2
	$(BIN)/python bench/mutation_report.py --write-readme

clean:
	rm -rf demo-store .pytest_cache build *.egg-info mutants

# make demo / make test work on a fresh machine: they create .venv and install pacm into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# durable-rules ships as an sdist only and builds with gcc; on Python 3.13 its C core needs this define.
export CPPFLAGS := $(shell $(PYTHON) -c 'import sys; print("-DPyEval_CallObject=PyObject_CallObject" if sys.version_info >= (3, 13) else "")')

.PHONY: demo test venv bench clean coverage-doc schema-doc fuzz

$(BIN)/pacm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/pacm

venv: $(BIN)/pacm

demo: venv
	$(BIN)/pacm check examples/wind_farm_india.yaml --as-of 2026-11-01; test $$? -le 1

test: venv
	$(BIN)/python -m pytest

# issue 11: the hostile-input generator with ten times the make-test budget (about 30,000 cases)
fuzz: venv
	PACM_FUZZ_EXAMPLES=29000 $(BIN)/python -m pytest tests/test_hostile_fuzz.py

bench: venv
	$(BIN)/python benchmarks/bench_evaluators.py

coverage-doc: venv
	$(BIN)/pacm coverage --format markdown --out rules/COVERAGE.md

schema-doc: venv
	$(BIN)/pacm schema --out schema/pdd.schema.json

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

# make demo / make test work on a fresh machine: they create .venv and install pacm into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# durable-rules ships as an sdist only and builds with gcc; on Python 3.13 its C core needs this define.
export CPPFLAGS := $(shell $(PYTHON) -c 'import sys; print("-DPyEval_CallObject=PyObject_CallObject" if sys.version_info >= (3, 13) else "")')

.PHONY: demo test venv bench clean coverage-doc schema-doc mutation mutation-rules

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

# Mutation testing (docs/testing.md): rule and parameter mutants in process (~15 s; also inside `make test`),
# then parameter values only code reads (tests/mutation/files.py), then mutmut on the evaluators, quantities
# pipeline, transition eligibility and report writers (long: about an hour on 2 cores).
mutation-rules: venv
	mkdir -p build/mutation
	$(BIN)/python tests/mutation/rules.py --out build/mutation/rules.md

mutation: mutation-rules
	$(BIN)/pip install -q -e '.[test,mutation]'
	$(BIN)/python tests/mutation/files.py --out build/mutation/files.md
	$(BIN)/python tests/mutation/code_mutants.py --out build/mutation/code_mutants.md
	cat build/mutation/rules.md build/mutation/files.md build/mutation/code_mutants.md > build/mutation/REPORT.md
	@echo "survivors report: build/mutation/REPORT.md"

bench: venv
	$(BIN)/python benchmarks/bench_evaluators.py

coverage-doc: venv
	$(BIN)/pacm coverage --format markdown --out rules/COVERAGE.md

schema-doc: venv
	$(BIN)/pacm schema --out schema/pdd.schema.json

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

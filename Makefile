# make demo / make test work on a fresh machine: they create .venv and install pacm into it from
# the lock (requirements/*.txt: exact versions with their hashes), so a fresh clone today and next
# year installs what the suite last passed with. `make test-latest` tries the newest versions instead.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCKED := $(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps
# durable-rules ships as an sdist only and builds with gcc; on Python 3.13 its C core needs this define.
export CPPFLAGS := $(shell $(PYTHON) -c 'import sys; print("-DPyEval_CallObject=PyObject_CallObject" if sys.version_info >= (3, 13) else "")')

.PHONY: demo test test-latest venv lock bench bench-quick bench-check clean coverage-doc schema-doc error-doc serve docs mutation mutation-rules fuzz

# 1. the build tools (pip, setuptools, hatchling) from requirements/build.txt; 2. every dependency,
# test tools included, from requirements/lock.txt, built with those tools (--no-build-isolation: no
# unpinned setuptools fetched behind our back); 3. pacm itself, editable, without touching the rest.
$(STAMP): pyproject.toml requirements/build.txt requirements/lock.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(LOCKED) -r requirements/build.txt
	$(LOCKED) --no-build-isolation -r requirements/lock.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)

demo: venv
	$(BIN)/pacm check examples/wind_farm_india.yaml --as-of 2026-11-01; test $$? -le 1
	@echo
	@echo "pacm is installed in .venv. To type 'pacm' in this shell:  source .venv/bin/activate"
	@echo "(or run it as .venv/bin/pacm). Try:  pacm check examples/landfill_gas_fails_additionality.yaml"

test: venv
	$(BIN)/python -m pytest

# The named job for upstream changes: a fresh .venv-latest with the newest versions pyproject's
# ranges allow, then the whole suite. When it fails and `make test` passes, a dependency changed
# behaviour: .venv-latest/versions.txt against requirements/lock.txt says which.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install -q --disable-pip-version-check --upgrade --upgrade-strategy eager -e '.[test]'
	.venv-latest/bin/python -m pip list --format=freeze --exclude-editable > .venv-latest/versions.txt
	@echo "test-latest: newest versions allowed by pyproject.toml (diff against requirements/lock.txt):"
	@cat .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest -p no:cacheprovider || \
	  { echo "test-latest: FAILED with the newest dependencies (make test uses the lock); see versions above"; exit 1; }

# Refresh the lock (maintainers): newest versions within pyproject's ranges, for Python 3.10-3.13,
# with hashes. Review the diff, run `make clean test`, commit requirements/ with a note.
UV_VERSION := 0.13.9
lock:
	$(PYTHON) -m venv .venv-tools
	.venv-tools/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	.venv-tools/bin/uv pip compile -q --universal --generate-hashes --python-version 3.10 \
	  requirements/build.in -o requirements/build.txt
	.venv-tools/bin/uv pip compile -q --universal --generate-hashes --python-version 3.10 \
	  --all-extras pyproject.toml -o requirements/lock.txt

# the upload page and HTTP API on this machine only (http://127.0.0.1:8000/, API docs at /docs)
serve: venv
	$(BIN)/pacm serve --host 127.0.0.1 --port $${PORT:-8000}

# the documentation site, built strictly into site/
docs: venv
	$(BIN)/mkdocs build --strict --site-dir site

# Mutation testing (docs/testing.md): rule and parameter mutants in process (~15 s; also inside `make test`),
# then parameter values only code reads (tests/mutation/files.py), then mutmut on the code groups (report
# escaping, evaluators, transition eligibility, quantities pipeline; long: over an hour on 2 cores).
mutation-rules: venv
	mkdir -p build/mutation
	$(BIN)/python tests/mutation/rules.py --out build/mutation/rules.md

# make mutation GROUP="escaping rete": mutmut on those code groups only (escaping rete patterns transition
# quantities vector; docs/testing.md), report in build/mutation/code_mutants.md and .json
GROUP ?=
mutation: venv
	mkdir -p build/mutation
ifeq ($(strip $(GROUP)),)
	$(BIN)/python tests/mutation/rules.py --out build/mutation/rules.md
	$(BIN)/python tests/mutation/files.py --out build/mutation/files.md
	$(BIN)/python tests/mutation/code_mutants.py --out build/mutation/code_mutants.md
	cat build/mutation/rules.md build/mutation/files.md build/mutation/code_mutants.md > build/mutation/REPORT.md
else
	$(BIN)/python tests/mutation/code_mutants.py $(GROUP) --out build/mutation/code_mutants.md
	cp build/mutation/code_mutants.md build/mutation/REPORT.md
endif
	@echo "survivors report: build/mutation/REPORT.md (code mutants also as build/mutation/code_mutants.json)"

# issue 11: the hostile-input generator with ten times the make-test budget (about 30,000 cases)
fuzz: venv
	PACM_FUZZ_EXAMPLES=29000 $(BIN)/python -m pytest tests/test_hostile_fuzz.py

bench: venv
	$(BIN)/python benchmarks/bench_all.py

# the same table from fewer PDDs and repeats, without the sweep (about 2 minutes)
bench-quick: venv
	$(BIN)/python benchmarks/bench_all.py --quick

# issue 12 item 2: one cold `pacm check` (medians of 11 processes), Engine.check in process, importtime budget
bench-check: venv
	$(BIN)/python benchmarks/bench_check.py

coverage-doc: venv
	$(BIN)/pacm coverage --format markdown --out rules/COVERAGE.md

error-doc: venv
	$(BIN)/python -m pacm.error_codes > docs/error-codes.md

schema-doc: venv
	$(BIN)/pacm schema --out schema/pdd.schema.json

clean:
	rm -rf $(VENV) .venv-latest .venv-tools build dist *.egg-info src/*.egg-info

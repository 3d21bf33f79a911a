"""Pytest plugin: every YAML case in tests/rule_cases/<area>.yaml is a test item.

A case is a PDD fragment (deep-merged over base_pdd.yaml), a rule id and the status that rule must
give. Each case runs with BOTH evaluators (durable-rules and the pandas masks) and asserts:

* both give the expected status (so a case is also a differential test of the evaluators);
* a failing finding carries a "why not" line and a rendered message (no unfilled placeholder).

A malformed file (unknown case key, unknown rule, bad status, bad date) fails collection with every
problem listed, each with a "did you mean". Run one area with ``pytest tests/rule_cases/sd.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pacm.coverage.cases import BASE_PDD, CaseRunner, load_case_file
from pacm.errors import PacmInputError

HERE = Path(__file__).parent
_RUNNER: CaseRunner | None = None


def runner() -> CaseRunner:
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = CaseRunner(HERE)
    return _RUNNER


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".yaml" and file_path.name != BASE_PDD and file_path.parent == HERE:
        return RuleCaseFile.from_parent(parent, path=file_path)
    return None


class RuleCaseError(Exception):
    """A case gave the wrong status, or a failing finding lacks its 'why not' line."""


class RuleCaseFile(pytest.File):
    def collect(self):
        r = runner()
        cases = load_case_file(self.path, [x.id for x in r.pack.rules])  # PacmInputError -> collection error
        self.cases = cases
        for case in cases:
            yield RuleCaseItem.from_parent(self, name=case.name, case=case)


class RuleCaseItem(pytest.Item):
    def __init__(self, *, case, **kw):
        super().__init__(**kw)
        self.case = case

    def runtest(self):
        c = self.case
        parent = self.parent
        if not getattr(parent, "prepared", False):  # batch the pandas evaluator over the whole file
            parent.prepared = True
            runner().prepare(parent.cases)
        findings = runner().run(c)
        problems = []
        for ev, f in findings.items():
            if f.status != c.expect:
                problems.append(
                    f"{ev}: rule {c.rule} gave {f.status}, expected {c.expect}\n"
                    f"    message: {f.message}\n    actual: {f.actual}"
                    + (f"\n    why not: {f.why_not}" if f.why_not else "")
                )
            if f.status == "fail":
                if not f.why_not:
                    problems.append(f"{ev}: failing finding of {c.rule} has no 'why not' line")
                if "{" in f.message:
                    problems.append(f"{ev}: failing message of {c.rule} has an unfilled placeholder: {f.message}")
        if problems:
            raise RuleCaseError("\n".join(problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (RuleCaseError, PacmInputError)):
            return f"{self.case.where} case '{self.case.name}' (as of {self.case.as_of}):\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.case.line, f"{self.case.rule}: {self.case.name}"

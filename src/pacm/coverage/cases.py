"""YAML rule cases (``tests/rule_cases/<area>.yaml``): load them and run them on both evaluators.

A case is a PDD fragment deep-merged over ``tests/rule_cases/base_pdd.yaml`` plus the status one rule
must give. The pytest collector (``tests/rule_cases/conftest.py``), the coverage test and
``pacm coverage --cases`` (how many passing and failing cases each rule has) all use this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..errors import Collected, PacmInputError, did_you_mean

CASE_KEYS = ("name", "rule", "expect", "pdd", "as_of", "params", "note")
EXPECTS = ("pass", "fail", "not_applicable", "insufficient_data", "validator_judgement")
DEFAULT_AS_OF = dt.date(2026, 11, 1)
BASE_PDD = "base_pdd.yaml"


@dataclass
class Case:
    file: str
    index: int
    name: str
    rule: str
    expect: str
    pdd: dict
    as_of: dt.date
    params: dict
    line: Optional[int] = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else f"{self.file} cases[{self.index}]"


def load_case_file(path: Path, rule_ids) -> list[Case]:
    """Cases of one file; every problem (unknown key, unknown rule, bad status...) is reported at once."""
    from ..safeyaml import expect_mapping, load_file

    src = str(path)
    doc = load_file(path)
    data = expect_mapping(doc, "a mapping with a 'cases' list")
    c = Collected(src)
    for k in data:
        if k != "cases":
            c.add("unknown-key", k, f"unknown key '{k}'", "only 'cases'", hint=did_you_mean(k, ["cases"]))
    items = data.get("cases")
    if not isinstance(items, list) or not items:
        c.add("no-cases", "cases", "'cases' must be a non-empty list")
        c.raise_if_any()
    ids = set(rule_ids)
    out, names = [], set()
    for i, cd in enumerate(items):
        loc = f"cases[{i}]"
        if not isinstance(cd, dict):
            c.add("bad-case", loc, "a case is a mapping", "name, rule, expect, pdd, as_of?, params?")
            continue
        name = cd.get("name")
        loc = f"cases[{i}] ({name})" if name else loc
        for k in cd:
            if k not in CASE_KEYS:
                c.add("unknown-key", f"{loc}.{k}", f"unknown case key '{k}'", hint=did_you_mean(str(k), CASE_KEYS))
        for req in ("name", "rule", "expect", "pdd"):
            if req not in cd:
                c.add("missing-key", loc, f"a case needs '{req}'")
        if name in names:
            c.add("duplicate-case", loc, f"case name '{name}' is used twice in this file")
        names.add(name)
        rule = cd.get("rule")
        if rule is not None and rule not in ids:
            c.add("unknown-rule", f"{loc}.rule", f"no rule '{rule}'", hint=did_you_mean(str(rule), ids))
        exp = cd.get("expect")
        if exp is not None and exp not in EXPECTS:
            c.add("bad-expect", f"{loc}.expect", f"'{exp}' is not a status", " | ".join(EXPECTS), hint=did_you_mean(str(exp), EXPECTS))
        frag = cd.get("pdd")
        if frag is not None and not isinstance(frag, dict):
            c.add("bad-pdd", f"{loc}.pdd", "pdd is a mapping merged over base_pdd.yaml ({} for the base as it is)")
        as_of = cd.get("as_of", DEFAULT_AS_OF)
        if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
            c.add("bad-date", f"{loc}.as_of", f"'{as_of}' is not a date", "YYYY-MM-DD")
            as_of = DEFAULT_AS_OF
        params = cd.get("params") or {}
        if not isinstance(params, dict):
            c.add("bad-params", f"{loc}.params", "params is a mapping of parameter names to values")
            params = {}
        out.append(
            Case(src, i, str(name), str(rule), str(exp), frag if isinstance(frag, dict) else {}, as_of, params,
                 doc.line_of(("cases", i)))
        )
    c.raise_if_any()
    return out


def case_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != BASE_PDD)


def load_all_cases(directory: Path, pack) -> list[Case]:
    ids = [r.id for r in pack.rules]
    out = []
    for p in case_files(directory):
        out.extend(load_case_file(p, ids))
    return out


def deep_merge(base: Any, frag: Any) -> Any:
    """Mappings merge key by key, lists and scalars replace, a ``None`` value deletes the key."""
    if not isinstance(base, dict) or not isinstance(frag, dict):
        return frag
    out = dict(base)
    for k, v in frag.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


class CaseRunner:
    """Runs rule cases with both evaluators; one engine per distinct set of parameter overrides."""

    def __init__(self, cases_dir: Path, rules_dir: Optional[Path] = None):
        from ..rulepack import load_pack
        from ..safeyaml import expect_mapping, load_file

        self.pack = load_pack(rules_dir)
        self.cases_dir = Path(cases_dir)
        self.base = expect_mapping(load_file(self.cases_dir / BASE_PDD), "a PDD mapping")
        self._engines: dict = {}
        self._vector: dict = {}

    def engine(self, case: Case):
        from ..engine import Engine
        from ..params import ParameterSet

        key = tuple(sorted((k, repr(v)) for k, v in case.params.items()))
        eng = self._engines.get(key)
        if eng is None:
            params = ParameterSet(self.pack.params.params)
            for k, v in case.params.items():
                params.override(str(k), v, f"{case.where} params")
            pack = dataclasses.replace(self.pack, params=params, _compiled={})
            eng = self._engines[key] = Engine(pack=pack)
        return eng

    def pdd(self, case: Case):
        from ..pdd.load import pdd_from_data

        return pdd_from_data(deep_merge(self.base, case.pdd), None, f"{case.where} (case '{case.name}', merged over {BASE_PDD})")

    def _in_force(self, case: Case, cp) -> None:
        if case.rule in cp.skipped:
            r = self.pack.get(case.rule)
            raise PacmInputError.single(
                case.where, "rule-not-in-force",
                f"rule '{case.rule}' is not in force on {case.as_of} (in force {r.effective_from or '-'} to {r.effective_until or '-'})",
                loc="as_of",
            )

    def prepare(self, cases: list[Case]) -> None:
        """Evaluate the cases' PDDs with the vector evaluator in batches (one frame per engine and date).

        The pandas evaluator is built for batches: one PDD at a time costs ~0.2 s of per-column overhead,
        a frame of fifty costs about the same. Results are cached for :meth:`run`; a case whose PDD does
        not load is left out and fails on its own when run.
        """
        from ..evaluate.vector import VectorEvaluator
        from ..findings import build_finding

        groups: dict = {}
        for c in cases:
            if id(c) in self._vector:
                continue
            try:
                eng = self.engine(c)
                cp = eng.compiled(c.as_of)
                self._in_force(c, cp)
                flat = eng.facts(self.pdd(c), c.as_of)
            except PacmInputError:
                continue
            groups.setdefault((id(eng), c.as_of), (cp, []))[1].append((c, flat))
        for cp, items in groups.values():
            statuses = VectorEvaluator(cp).evaluate_many([flat for _, flat in items])
            by_id = cp.by_id()
            for (c, flat), st in zip(items, statuses):
                self._vector[id(c)] = build_finding(by_id[c.rule], st[c.rule], flat)

    def run(self, case: Case, evaluators=("rete", "vector")) -> dict:
        """``evaluator -> Finding`` for the case's rule (vector results from :meth:`prepare` when cached)."""
        eng = self.engine(case)
        cp = eng.compiled(case.as_of)
        self._in_force(case, cp)
        model = self.pdd(case)
        out = {}
        for ev in evaluators:
            if ev == "vector" and id(case) in self._vector:
                out[ev] = self._vector[id(case)]
                continue
            res = eng.check(model, case.as_of, evaluator=ev, source=case.where, quantities=False)
            out[ev] = next(f for f in res.findings if f.rule == case.rule)
        return out


def missing_cases(pack, cases: list[Case]) -> dict[str, list[str]]:
    """Automatic rules without a passing or a failing case: ``rule id -> ['pass', 'fail']`` missing."""
    have: dict[str, set] = {}
    for c in cases:
        have.setdefault(c.rule, set()).add(c.expect)
    out = {}
    for r in pack.rules:
        if r.kind != "automatic":
            continue
        lack = [e for e in ("pass", "fail") if e not in have.get(r.id, set())]
        if lack:
            out[r.id] = lack
    return out

"""Mutation testing of the rule pack: would the tests notice a wrong operator or a wrong number?

Two mutators, run in process on the loaded pack (nothing on disk changes):

* **rule conditions**: every comparison of every rule's ``applies_if`` (and ``require`` of automatic
  rules) has its operator flipped (``<=``/``<``, ``>=``/``>``, ``==``/``!=``), and every ``and``/``or``
  (Kleene connectives) is swapped, one at a time;
* **parameter values**: every dated number is nudged one unit up and one down (one in its last written
  decimal place: ``0.50`` -> ``0.49``/``0.51``, ``15`` -> ``14``/``16``), every dated date by one day.

For each mutant the checks that matter for it run against the mutated rules: the YAML rule cases of
the rules it touches (``tests/rule_cases``, statuses from the pandas evaluator, which the boundary
tests prove equal to durable-rules and the exact semantics), and the source limits of those rules
(``tests/boundary_limits.yaml``). A mutant is *killed* when any of them fails. A strictness flip
whose limit falls between values its field can take (``as_of - assessed_on <= 5 * 365.25`` on whole
days) cannot change any status: it is reported as *equivalent*, with that reason, not as a survivor; so is
a mutant listed in ``EQUIVALENT`` below with the argument why it cannot change a status. A parameter
mutant rebuilds the cases' facts with the nudged value, since some facts are derived from parameters
(``Engine.facts``: the reversal-risk reassessment due date).

Parameters no rule reads (the quantities pipeline's rates, transition dates used in code) are listed
as ``not_by_rules``: ``make mutation`` checks them with the quantities and transition tests
(``tests/mutation/files.py``).

Run: ``python tests/mutation/rules.py [--out REPORT.md] [--only rules|params]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import boundary_cases as bc  # noqa: E402
from pacm.expr.ir import And, Cmp, Or, render  # noqa: E402

FLIP = {"<=": "<", "<": "<=", ">=": ">", ">": ">=", "==": "!=", "!=": "=="}


@dataclass
class Mutant:
    mutator: str  # rule-operator | rule-connective | param-up | param-down
    target: str  # rule id or parameter name
    description: str
    rules: list[str]  # rule ids whose checks matter
    apply: Callable[[Any], Any]  # pack -> mutated pack
    equivalent: str | None = None
    refacts: bool = False  # a parameter: the case facts are rebuilt with it (code derives facts from parameters)
    status: str = "pending"  # killed | survived | equivalent | not_by_rules
    killed_by: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ mutants
# Mutants that cannot change any status whatever the PDD, with the reason (target, description) -> why.
# Strictness flips whose limit falls between values a field can take are found by _off_grid; these are the
# others, each argued from the rule and the code that derives its facts.
EQUIVALENT: dict[tuple[str, str], str] = {
    ("removals.reversal_risk_current",
     "applies: params.removals.reversal_risk_reassessment_years > 0  ->  params.removals.reversal_risk_reassessment_years >= 0"):
        "'> 0' and '>= 0' differ only when the parameter is 0; then Engine._reassessment_due returns None (step <= 0), "
        "so the next conjunct, present(context.reversal_risk_reassessment_due_since), is false and the rule is "
        "not_applicable either way",
}


def _walk(node):
    yield node
    for attr in ("items",):
        for i in getattr(node, attr, ()) or ():
            yield from _walk(i)
    if hasattr(node, "item"):
        yield from _walk(node.item)


def _replace_rule(rule_id: str, where: str, new_cond):
    def apply(pack):
        rules = [dataclasses.replace(r, **{where: new_cond}) if r.id == rule_id else r for r in pack.rules]
        return dataclasses.replace(pack, rules=rules, _compiled={})

    return apply


def _off_grid(gen: "Checker", rule, c: Cmp) -> str | None:
    """Why a strictness flip of ``c`` cannot change a status, or None when it may."""
    seen = []
    for cr in gen.compiled_rules(rule.id):
        for _, _, flat in gen.seeds[rule.id]:
            for f in bc.fields_of(c):
                like = flat.get(f)
                if like is None or isinstance(like, (bool, str)):
                    continue
                x = bc.solve(c, f, flat, cr.param_values)
                if x is None:
                    continue
                if bc._on_grid(x, like):
                    return None
                seen.append((f, x))
    if not seen:
        return None
    f, x = seen[0]
    return (f"the limit of {f} falls at {float(x % 1):.2f} of a day (day number {float(x):.2f}), between values the "
            "field can take, so '<=' and '<' agree everywhere")


def rule_mutants(gen: "Checker") -> list[Mutant]:
    out = []
    for r in gen.pack.rules:
        conds = [("applies", r.applies)] + ([("require", r.require)] if r.kind == "automatic" else [])
        for where, cond in conds:
            for node in _walk(cond):
                if isinstance(node, Cmp) and node.op in FLIP:
                    new = Cmp(FLIP[node.op], node.left, node.right)
                    m = Mutant(
                        "rule-operator", r.id, f"{where}: {render(node)}  ->  {render(new)}", [r.id],
                        _replace_rule(r.id, where, bc.replace_node(cond, node, new)),
                    )
                    if {node.op, new.op} in ({"<", "<="}, {">", ">="}):
                        m.equivalent = _off_grid(gen, r, node)
                    m.equivalent = m.equivalent or EQUIVALENT.get((r.id, m.description))
                    out.append(m)
                elif isinstance(node, (And, Or)):
                    new = (Or if isinstance(node, And) else And)(node.items)
                    word = ("and", "or") if isinstance(node, And) else ("or", "and")
                    out.append(
                        Mutant(
                            "rule-connective", r.id, f"{where}: {word[0]} -> {word[1]} in {render(node)[:90]}", [r.id],
                            _replace_rule(r.id, where, bc.replace_node(cond, node, new)),
                        )
                    )
    return out


def _unit(v) -> Any:
    if isinstance(v, dt.date):
        return dt.timedelta(days=1)
    if isinstance(v, Decimal):
        return Decimal(1).scaleb(v.as_tuple().exponent)
    return 1


def _nudged(param, index: int, new_value):
    def apply(pack):
        from pacm.params import ParameterSet

        ps = pack.params
        p = ps.params[param]
        values = list(p.values)
        values[index] = dataclasses.replace(values[index], value=new_value)
        params = dict(ps.params)
        params[param] = dataclasses.replace(p, values=values)
        return dataclasses.replace(pack, params=ParameterSet(params, dict(ps.overrides), dict(ps.override_sources)), _compiled={})

    return apply


def param_mutants(gen: "Checker") -> list[Mutant]:
    out = []
    readers: dict[str, list[str]] = {}
    for r in gen.pack.rules:
        for p in r.params:
            readers.setdefault(p, []).append(r.id)
    for name, p in sorted(gen.pack.params.params.items()):
        for i, dv in enumerate(p.values):
            v = dv.value
            if isinstance(v, bool) or not isinstance(v, (int, Decimal, dt.date)):
                continue
            u = _unit(v)
            for label, nv in (("param-up", v + u), ("param-down", v - u)):
                m = Mutant(label, name, f"{name} from {dv.start}: {v} -> {nv}", readers.get(name, []), _nudged(name, i, nv),
                           refacts=True)
                if not m.rules:
                    m.status = "not_by_rules"
                out.append(m)
    return out


# ------------------------------------------------------------------------ checks
class Checker:
    """Seeds, cases and limits loaded once; each mutant is checked against them in process."""

    def __init__(self):
        from pacm.coverage.cases import DEFAULT_AS_OF

        self.gen = bc.Generator()
        self.pack = self.gen.pack
        self.seeds = self.gen.seeds()
        self.limits = bc.load_limits()
        self.default_as_of = DEFAULT_AS_OF
        # rule case facts, computed once (facts do not depend on rules; a few depend on parameters, e.g.
        # context.reversal_risk_reassessment_due_since: a parameter mutant rebuilds them from the kept PDDs)
        self.case_facts = []
        self.case_pdds = {}
        for case in self.gen.cases:
            try:
                eng = self.gen.runner.engine(case)
                pdd = self.gen.runner.pdd(case)
                flat = eng.facts(pdd, case.as_of)
            except Exception:  # a case whose PDD does not load fails on its own in the suite
                continue
            self.case_facts.append((case, flat))
            self.case_pdds[id(case)] = pdd

    def compiled_rules(self, rule_id: str):
        dates = sorted({c.as_of for c, _ in self.case_facts if c.rule == rule_id} | {self.default_as_of})
        out = []
        for d in dates:
            cr = self.pack.compile(d).by_id().get(rule_id)
            if cr is not None:
                out.append(cr)
        return out

    def failures(self, pack, rule_ids: list[str], refacts: bool = False) -> list[str]:
        """What fails among the checks of ``rule_ids`` when the pack is ``pack`` (``refacts``: rebuild the cases'
        facts with ``pack``'s parameters, as ``pacm check`` would)."""
        from pacm.engine import Engine
        from pacm.evaluate.vector import VectorEvaluator
        from pacm.params import ParameterSet
        from pacm.rulepack import CompiledPack

        wanted = set(rule_ids)
        out = []
        # 1. the rules' YAML cases, batched per (parameter overrides, date)
        groups: dict = {}
        for case, flat in self.case_facts:
            if case.rule in wanted:
                key = (tuple(sorted((k, repr(v)) for k, v in case.params.items())), case.as_of)
                groups.setdefault(key, []).append((case, flat))
        for (ov, as_of), items in groups.items():
            p = pack
            if ov:
                ps = ParameterSet(pack.params.params)
                for k, v in items[0][0].params.items():
                    ps.override(str(k), v, "case")
                p = dataclasses.replace(pack, params=ps, _compiled={})
            cp = p.compile(as_of)
            by_id = cp.by_id()
            rules = [by_id[r] for r in sorted({c.rule for c, _ in items}) if r in by_id]
            missing = {c.rule for c, _ in items} - set(by_id)
            for c, _ in items:
                if c.rule in missing:
                    out.append(f"case '{c.name}': rule {c.rule} no longer in force on {as_of}")
            if not rules:
                continue
            if refacts:
                eng = Engine(pack=p)
                items = [(c, eng.facts(self.case_pdds[id(c)], c.as_of)) for c, _ in items]
            got = VectorEvaluator(CompiledPack(p, as_of, rules, [])).evaluate_many([f for _, f in items])
            for (c, _), g in zip(items, got):
                if c.rule in by_id and g[c.rule] != c.expect:
                    out.append(f"case '{c.name}' ({Path(c.file).name}): {g[c.rule]}, expected {c.expect}")
        # 2. the rules' limits from the sources
        for e in self.limits:
            if e["rule"] in wanted:
                cr = pack.compile(e.get("as_of", bc.DEFAULT_AS_OF)).by_id().get(e["rule"])
                problem = bc.check_limit(e, cr, self.seeds[e["rule"]])
                if problem:
                    out.append(f"limit {e['rule']} {e['field']} {e['limit']}")
        return out


def run(only: str | None = None, budget: float | None = None, log=print) -> dict:
    t0 = time.perf_counter()
    chk = Checker()
    mutants = []
    if only in (None, "rules"):
        mutants += rule_mutants(chk)
    if only in (None, "params"):
        mutants += param_mutants(chk)
    for m in mutants:
        if budget is not None and time.perf_counter() - t0 > budget:
            log(f"mutation: {budget:.0f} s budget spent; {sum(x.status == 'pending' for x in mutants)} mutants left unchecked")
            break
        if m.status == "not_by_rules":
            continue
        if m.equivalent:
            m.status = "equivalent"
            continue
        fails = chk.failures(m.apply(chk.pack), m.rules, refacts=m.refacts)
        m.status = "killed" if fails else "survived"
        m.killed_by = fails[:3]
    return {"mutants": mutants, "seconds": time.perf_counter() - t0}


def summary(mutants: list[Mutant]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for m in mutants:
        s = out.setdefault(m.mutator, {"killed": 0, "survived": 0, "equivalent": 0, "not_by_rules": 0})
        s[m.status] = s.get(m.status, 0) + 1
    return out


def survival_rate(s: dict[str, int]) -> float:
    """Survivors over the mutants that could be killed (equivalent ones and those left to files.py excluded)."""
    n = s["killed"] + s["survived"]
    return s["survived"] / n if n else 0.0


def report(result: dict) -> str:
    ms = result["mutants"]
    lines = ["## Rule and parameter mutations (tests/mutation/rules.py)", "",
             f"{len(ms)} mutants in {result['seconds']:.1f} s.", "",
             "| mutator | mutants | killed | survived | equivalent | left to the file run | survival |", "|---|---|---|---|---|---|---|"]
    for k, s in sorted(summary(ms).items()):
        total = sum(s.values())
        lines.append(f"| {k} | {total} | {s['killed']} | {s['survived']} | {s['equivalent']} | {s['not_by_rules']} | {survival_rate(s):.1%} |")
    surv = [m for m in ms if m.status == "survived"]
    eq = [m for m in ms if m.status == "equivalent"]
    lines += ["", "### Survivors", ""] + ([f"- `{m.target}` {m.mutator}: {m.description}" for m in surv] or ["- none"])
    lines += ["", "### Equivalent (cannot change any status)", ""] + ([f"- `{m.target}` {m.mutator}: {m.description}: {m.equivalent}" for m in eq] or ["- none"])
    nb = [m for m in ms if m.status == "not_by_rules"]
    if nb:
        lines += ["", "### Parameters no rule reads (checked by the file run)", ""] + [f"- {m.description}" for m in nb]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["rules", "params"])
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    res = run(a.only)
    text = report(res)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

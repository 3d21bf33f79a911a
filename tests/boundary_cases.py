"""Boundary cases generated from the rule pack: a case on each limit, one unit inside, one outside.

Why: a rule whose ``<=`` became ``<`` or whose limit moved by one unit gives the same answer
everywhere except on the limit; only a case *on* it notices. Writing those cases by hand for every
rule drifts as rules and parameters change, so they are derived here from each rule's condition and
the parameter values in force:

1. every comparison of a rule (``applies_if`` and ``require``) over a number or date field is an
   *atom*; for each field it reads, the field is the free variable ``x`` and the atom's two sides,
   evaluated exactly (``pacm.expr.reference``, Decimal) with every other field as a *seed* gives it,
   are ``L(x)`` and ``R(x)``;
2. when ``L - R`` is linear in ``x`` its root ``x*`` is the limit; the cases are ``x*`` (when the
   field can hold it: whole days for dates, whole numbers for counts), and one unit below and above
   it (a day; 1 for a whole-number field; the last decimal place of the limit, at least 0.01);
3. seeds are the rule's own YAML cases (``tests/rule_cases``) and the base PDD, turned into facts
   the way ``pacm check`` does; a boundary is kept only where the atom is *decisive*: the rule's
   status below and above the limit differ, so the cases test the limit and not something else.

The expected status of every case is the exact three-valued semantics of the rule
(``pacm.expr.reference``), never either evaluator's output; ``tests/test_boundaries.py`` runs every
case through durable-rules and the pandas evaluator. ``tests/boundary_limits.yaml`` then pins the
limits themselves to the sources (a value and which side of it passes), which is what catches a
wrong number in a rule or a parameter file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pacm.expr.ir import DATE, NUM, Cmp, Field, fields_of, render
from pacm.expr.reference import value
from synthetic import reference_status  # noqa: F401 (tests/test_boundaries.py uses bc.reference_status)

HERE = Path(__file__).parent
CASES = HERE / "rule_cases"


def atoms(cond) -> list[Cmp]:
    """Every comparison in a condition, in order (``In``/``Missing`` are not limits)."""
    out: list[Cmp] = []

    def walk(n):
        if isinstance(n, Cmp):
            if n not in out:
                out.append(n)
            return
        for attr in ("items",):
            for i in getattr(n, attr, ()) or ():
                walk(i)
        if hasattr(n, "item"):
            walk(n.item)

    walk(cond)
    return out


def _num(v) -> Fraction | None:
    if v is None:
        return None
    if isinstance(v, dt.date):
        return Fraction(v.toordinal())
    if isinstance(v, bool):
        return None
    return Fraction(Decimal(v)) if not isinstance(v, Fraction) else v


def _diff(c: Cmp, env: dict, params: dict) -> Fraction | None:
    a, b = value(c.left, env, params), value(c.right, env, params)
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return None
    return a - b


def _as_field_value(x: Fraction, like) -> Any:
    """A value of the field's own kind: a date, an int for a whole-number field, else a Decimal."""
    if isinstance(like, dt.date):
        return dt.date.fromordinal(int(x))
    if isinstance(like, int) and not isinstance(like, bool):
        return int(x)
    return Decimal(x.numerator) / Decimal(x.denominator)


def _unit(x: Fraction, like) -> Fraction:
    if isinstance(like, (dt.date, int)) and not isinstance(like, bool):
        return Fraction(1)
    d = Decimal(x.numerator) / Decimal(x.denominator)
    exp = min(d.normalize().as_tuple().exponent, -2)
    return Fraction(1, 10 ** (-exp))


def _on_grid(x: Fraction, like) -> bool:
    if isinstance(like, (dt.date, int)) and not isinstance(like, bool):
        return x.denominator == 1
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return Fraction(d) == x  # a terminating decimal


def _floor_grid(x: Fraction, like) -> Fraction:
    return Fraction(x.numerator // x.denominator)


@dataclass
class BoundaryCase:
    label: str  # below | on | above
    value: Any
    flat: dict
    expect: str


@dataclass
class Boundary:
    rule: str
    atom: str  # the comparison, as written (parameters shown with their values)
    field: str
    seed: str
    as_of: dt.date
    limit: Fraction  # x*: where the two sides are equal
    limit_value: Any  # x* in the field's kind when the field can hold it, else None
    unit: Fraction
    cases: list[BoundaryCase] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.rule}|{self.field}|{self.seed}"


def solve(c: Cmp, f: str, env: dict, params: dict) -> Fraction | None:
    """The root of L(x) - R(x) when it is linear in the field ``f`` (None otherwise)."""
    x0 = env.get(f)
    if x0 is None or isinstance(x0, bool):
        return None
    base = _num(x0)
    ds = []
    for k in (0, 1, 2):
        e = dict(env)
        e[f] = _as_field_value(base + k, x0) if isinstance(x0, (dt.date, int)) else Decimal(int(base) + k)
        d = _diff(c, e, params)
        if d is None:
            return None
        ds.append(d)
    xs = [(_num(x0) if isinstance(x0, (dt.date, int)) else Fraction(int(base))) + k for k in (0, 1, 2)]
    s1, s2 = ds[1] - ds[0], ds[2] - ds[1]
    if s1 == 0 or s1 != s2:
        return None
    return xs[0] - ds[0] / s1


def boundaries_for(cr, seeds: list[tuple[str, dt.date, dict]], only_field: str | None = None) -> list[Boundary]:
    """The decisive boundaries of one compiled rule over the given seeds (one per atom and field)."""
    out: list[Boundary] = []
    params = cr.param_values
    for c in atoms(cr.rule.applies) + atoms(cr.rule.require):
        for f in fields_of(c):
            if only_field is not None and f != only_field:
                continue
            found = None
            for name, as_of, flat in seeds:
                like = flat.get(f)
                if like is None or isinstance(like, (bool, str)):
                    continue
                x = solve(c, f, flat, params)
                if x is None:
                    continue
                u = _unit(x, like)
                if _on_grid(x, like):
                    pts = [("below", x - u), ("on", x), ("above", x + u)]
                    lv = _as_field_value(x, like)
                else:
                    lo = _floor_grid(x, like)
                    pts = [("below", lo), ("above", lo + 1)]
                    lv = None
                b = Boundary(cr.id, render(c, params), f, name, as_of, x, lv, u)
                for label, v in pts:
                    env = dict(flat)
                    env[f] = _as_field_value(v, like)
                    b.cases.append(BoundaryCase(label, env[f], env, reference_status(cr, env)))
                if len({bc.expect for bc in b.cases}) > 1:  # decisive: the limit changes the status
                    found = b
                    break
            if found is not None:
                out.append(found)
    return out


def field_kind(f: str) -> str | None:
    from pacm.pdd.fields import field_type

    return field_type(f)


def limit_atoms(cr) -> list[tuple[str, str]]:
    """(atom text, field) pairs a boundary is owed for: comparisons over number or date fields."""
    out = []
    for c in atoms(cr.rule.applies) + atoms(cr.rule.require):
        for f in fields_of(c):
            if field_kind(f) in (NUM, DATE):
                out.append((render(c, cr.param_values), f))
    return out


class Generator:
    """Seeds (facts of the rule cases) and boundaries for the whole pack, cached per date."""

    def __init__(self, rules_dir=None):
        from pacm.coverage.cases import CaseRunner, load_all_cases

        self.runner = CaseRunner(CASES, rules_dir)
        self.pack = self.runner.pack
        self.cases = load_all_cases(CASES, self.pack)
        self._seeds: dict[str, list] | None = None

    def seeds(self) -> dict[str, list[tuple[str, dt.date, dict]]]:
        """rule id -> [(case name, as_of, facts)]: the rule's own cases first, then every other case."""
        if self._seeds is not None:
            return self._seeds
        from pacm.errors import PacmInputError

        from pacm.coverage.cases import DEFAULT_AS_OF, Case

        all_seeds: list[tuple[str, str, dt.date, dict]] = []
        base = Case("base_pdd.yaml", 0, "base PDD", "", "pass", {}, DEFAULT_AS_OF, {})
        for case in [base] + [c for c in self.cases if not c.params]:
            try:
                eng = self.runner.engine(case)
                flat = eng.facts(self.runner.pdd(case), case.as_of)
            except PacmInputError:
                continue
            all_seeds.append((case.rule, f"{Path(case.file).name}: {case.name}", case.as_of, flat))
        out: dict[str, list] = {}
        for r in self.pack.rules:
            own = [(n, d, f) for rid, n, d, f in all_seeds if rid == r.id]
            other = [(n, d, f) for rid, n, d, f in all_seeds if rid != r.id]
            out[r.id] = own + other
        self._seeds = out
        return out

    def boundaries(self) -> list[tuple[Any, Boundary]]:
        """(compiled rule, boundary) for every rule in force on any seed's date, one per comparison
        (as written with its parameter values) and field."""
        out, seen = [], set()
        seeds = self.seeds()
        by_date: dict[dt.date, list] = {}
        for rid, ss in seeds.items():
            for s in ss:
                by_date.setdefault(s[1], [])
        compiled = {d: self.pack.compile(d).by_id() for d in by_date}
        for r in self.pack.rules:
            for d, cp in sorted(compiled.items()):
                cr = cp.get(r.id)
                if cr is None:
                    continue
                ss = [s for s in seeds[r.id] if s[1] == d]
                for b in boundaries_for(cr, ss):
                    if (b.rule, b.atom, b.field) not in seen:
                        seen.add((b.rule, b.atom, b.field))
                        out.append((cr, b))
        return out


# ------------------------------------------------------------------ rule variants
_STRICTNESS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}


def replace_node(tree, old, new):
    """``tree`` with every node equal to ``old`` replaced by ``new`` (IR nodes are frozen dataclasses)."""
    import dataclasses

    if tree == old:
        return new
    if not dataclasses.is_dataclass(tree):
        return tree
    changes = {}
    for f in dataclasses.fields(tree):
        v = getattr(tree, f.name)
        if isinstance(v, tuple):
            nv = tuple(replace_node(i, old, new) for i in v)
        elif dataclasses.is_dataclass(v):
            nv = replace_node(v, old, new)
        else:
            continue
        if nv != v:
            changes[f.name] = nv
    return dataclasses.replace(tree, **changes) if changes else tree


def with_rule(cr, rule):
    """A compiled rule for ``rule`` with ``cr``'s parameter values (same date, same overrides)."""
    import dataclasses

    from pacm.expr.patterns import compile_outcomes

    return dataclasses.replace(cr, rule=rule, outcomes=compile_outcomes(rule.applies, rule.require, cr.param_values))


def strictness_variant(cr, atom_text: str):
    """The rule with the named comparison's strictness flipped (``<=`` <-> ``<``), or None.

    The evaluators must decide *any* comparison exactly, not only the one the pack holds today: at
    TOOL24's F = 1 - 32/40 the doubles happen to give the right answer for ``>`` and the wrong one
    for ``>=``.
    """
    import dataclasses

    for k, c in enumerate(atoms(cr.rule.applies) + atoms(cr.rule.require)):
        if render(c, cr.param_values) == atom_text and c.op in _STRICTNESS:
            new = Cmp(_STRICTNESS[c.op], c.left, c.right)
            r = cr.rule
            rule = dataclasses.replace(
                r, id=f"{r.id}~{k}{new.op}", applies=replace_node(r.applies, c, new), require=replace_node(r.require, c, new)
            )
            return with_rule(cr, rule)
    return None


# ------------------------------------------------------------------ limits from the sources
LIMITS = HERE / "boundary_limits.yaml"
DEFAULT_AS_OF = dt.date(2026, 11, 1)
_LIMIT_KEYS = {"rule", "field", "limit", "on", "with", "as_of", "source"}


def load_limits(path: Path = LIMITS) -> list[dict]:
    from pacm.safeyaml import load_file

    entries = load_file(path).data["limits"]
    for e in entries:
        unknown = set(e) - _LIMIT_KEYS
        assert not unknown, f"{path}: unknown key(s) {sorted(unknown)} in {e}"
        assert e.get("on") in ("below", "above", "alone"), f"{path}: 'on' must be below, above or alone in {e}"
        assert e.get("source"), f"{path}: every limit names its source: {e}"
    return entries


def _side_ok(on: str, st: dict) -> bool:
    if "on" not in st:
        return False
    if on == "below":
        return st["on"] == st["below"] != st["above"]
    if on == "above":
        return st["on"] == st["above"] != st["below"]
    return st["on"] != st["below"] and st["on"] != st["above"]


def check_limit(entry: dict, cr, seeds: list[tuple[str, dt.date, dict]]) -> str | None:
    """None when the rule's comparison sits where the source puts it; else what is wrong, in words."""
    if cr is None:
        return f"{entry['rule']}: not in force on {entry.get('as_of', DEFAULT_AS_OF)}"
    as_of = entry.get("as_of", DEFAULT_AS_OF)
    fixed = dict(entry.get("with") or {})
    ss = []
    for name, _, flat in seeds:
        if entry["field"] not in flat and entry["field"] != "context.as_of":
            continue
        f = dict(flat)
        f["context.as_of"] = as_of
        f.update(fixed)
        ss.append((name, as_of, f))
    found = boundaries_for(cr, ss, only_field=entry["field"])
    want = None if entry["limit"] is None else _num(entry["limit"])
    seen = []
    for b in found:
        st = {c.label: c.expect for c in b.cases}
        seen.append(f"limit {b.limit_value if b.limit_value is not None else float(b.limit)} in [{b.atom}], statuses {st}")
        if (want is None or b.limit == want) and _side_ok(entry["on"], st):
            return None
    lim = entry["limit"]
    return (
        f"{entry['rule']}: {entry['field']} should flip at {lim} with the limit itself on the {entry['on']} side "
        f"({entry['source']}); the rule pack gives: {'; '.join(seen) or 'no decisive comparison on that field'}"
    )

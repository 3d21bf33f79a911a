"""Batch evaluation: the same compiled patterns as boolean masks over columns of facts.

One column per fact key (the same keys and :func:`~pacm.expr.patterns.to_fact_value` conversion
the Rete adapter asserts), one row per PDD, built straight from the flat PDDs and only for the keys
the rules read. The rules' patterns are turned once into a *step program*: every distinct
sub-pattern of every rule is one step, computed once per batch as a numpy boolean array (rules
share most of their guards and comparisons), so a batch costs one numpy operation per distinct
sub-pattern, whatever the number of PDDs. A rule's status is ``pass``/``fail``/``not_applicable``
where the matching outcome mask holds and ``insufficient_data`` elsewhere; statuses are kept as
small integer codes (:class:`Statuses`) until someone asks for text.

Semantics, the same as durable-rules' (``tests/test_differential.py``) and the exact reference
(``tests/test_boundaries.py``):

* an absent operand never matches, whatever the operator (``!=`` included): Kleene's unknown is
  "neither the true nor the false pattern";
* numbers compare as float64, as durable-rules compares them; text and true/false compare only
  with their own type (the rule pack is type-checked when it loads; a mixed column falls back to
  comparing element by element with Python's ``==``, as before);
* every comparison with run-time arithmetic is decided exactly (:func:`decide_atoms`): on float64
  with a rigorous error bound where the answer is certain, on rationals
  (:func:`~pacm.expr.patterns.exact_facts`) for the rows near a tie.

``benchmarks/bench_floor.py`` measures this against straight-line generated numpy code, DuckDB and
zen-engine, after checking all of them give the same statuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

import numpy as np

from ..expr.ir import COMPARE
from ..expr.patterns import ZERO, ExactAtom, PAnd, PCmp, PExists, PFalse, POr, PTrue, VArith, VConst, VKey
from ..expr.patterns import exact_facts, exact_number, key, to_fact_value
from ..rulepack import CompiledPack

INSUFFICIENT = "insufficient_data"
NUM, TEXT, BOOL, MIXED = "num", "str", "bool", "mixed"


# ------------------------------------------------------------------------------------ columns
@dataclass
class Column:
    """One fact key over a batch: ``present`` says where a value is; ``values`` holds it.

    ``kind`` ``num``: float64 values, NaN where absent (a NaN value counts as absent, as pandas'
    ``notna`` counted it); ``bool``: a bool array; ``str`` and ``mixed``: an object array, None
    where absent.
    """

    kind: str
    values: np.ndarray
    present: np.ndarray


def _absent(n: int) -> Column:
    return Column(NUM, np.full(n, np.nan), np.zeros(n, dtype=bool))


def _column(vals: list, n: int) -> Column:
    """A column from one value (or None where absent) per row, as the PDDs hold them."""
    arr = np.array(vals, dtype=object)
    present = np.not_equal(arr, None)
    got = arr[present]
    if not len(got):
        return _absent(n)
    types = set(map(type, got))
    if types <= {float, int, Decimal}:
        conv: Any = got.astype(float)  # float() of each, as to_fact_value does
    elif types == {bool}:
        return Column(BOOL, np.asarray(arr == True, dtype=bool), present)  # noqa: E712 - elementwise
    elif types == {str}:
        return Column(TEXT, arr, present)
    elif types == {dt.date}:
        conv = [d.toordinal() for d in got]
    else:
        conv = [to_fact_value(v) for v in got]  # the one conversion; raises on what it cannot assert
        if not all(type(v) is float for v in conv):
            out = np.full(n, None, dtype=object)
            out[present] = conv
            return Column(MIXED, out, present)
    values = np.full(n, np.nan)
    values[present] = np.asarray(conv, dtype=float)
    return Column(NUM, values, ~np.isnan(values))


def fact_columns(flats: list[dict[str, Any]], keys: set[str] | None = None) -> tuple[int, dict[str, Column]]:
    """Columns of fact values from flat PDDs (``path -> value``), for ``keys`` (all when None).

    A value of None counts as absent, like a missing path.
    """
    n = len(flats)
    slots: dict[str, list | None] = {}  # PDD path -> its column's values, or None when no rule reads it
    cols: dict[str, list] = {}
    for i, flat in enumerate(flats):
        for p, v in flat.items():
            col = slots.get(p, slots)
            if col is slots:  # a path not seen before
                k = key(p)
                col = slots[p] = cols[k] = [None] * n if keys is None or k in keys else None
            if col is not None:
                col[i] = v
    return n, {k: _column(vals, n) for k, vals in cols.items() if vals is not None}


def frame_columns(df, keys: set[str]) -> dict[str, Column]:
    """Columns from a facts frame (:func:`facts_frame`), for the keys the rules read."""
    out = {}
    for k in keys:
        if k not in df.columns:
            continue
        s = df[k]
        vals = s.to_numpy(dtype=object, copy=True)
        vals[~s.notna().to_numpy()] = None
        out[k] = _column(vals.tolist(), len(df))
    return out


def facts_frame(flats: Iterable[dict[str, Any]]):
    """A pandas frame of fact values (same conversion as the Rete adapter) from flat PDDs."""
    import pandas as pd

    rows = [{key(p): to_fact_value(v) for p, v in f.items()} for f in flats]
    return pd.DataFrame.from_records(rows)


# ------------------------------------------------------------------------------ exact atoms
_U = 2.0**-52  # twice the unit roundoff: a bound on the relative error of one rounding, with room
_TINY = 1e-290  # absolute slack for subnormal results
_INT = 2.0**52  # integers up to here, and sums, differences and products up to here, are exact doubles


def _integral(x: np.ndarray) -> np.ndarray:
    return (np.abs(x) <= _INT) & (x == np.floor(x))


def _arith_bound(v, cols: dict[str, Column], n: int):
    """Float value, error bound and operand presence of a value node over the batch.

    ``|exact - value| <= bound`` on every row where all operands are present and the bound is
    finite: each fact's exact value is the shortest decimal of its double (within half an ulp;
    exactly the double when it is a whole number, such as a day ordinal), each constant is a Decimal
    (within half an ulp of its double), and each operation adds at most one rounding (none when
    whole numbers stay whole and below 2**52). A divisor whose bound reaches zero gives an infinite
    bound (undecided).
    """
    if isinstance(v, VConst):
        f = float(v.value)
        whole = v.value == int(v.value) and abs(f) <= _INT
        return np.full(n, f), np.full(n, 0.0 if whole else abs(f) * _U + _TINY), np.ones(n, dtype=bool)
    if isinstance(v, VKey):
        if v.key == ZERO:
            return np.zeros(n), np.zeros(n), np.ones(n, dtype=bool)
        c = cols[v.key]
        x = c.values
        return x, np.where(_integral(x), 0.0, np.abs(x) * _U + _TINY), c.present
    a, ea, pa = _arith_bound(v.left, cols, n)
    b, eb, pb = _arith_bound(v.right, cols, n)
    whole = (ea == 0) & (eb == 0)
    if v.op == "+":
        r = a + b
        e = ea + eb
    elif v.op == "-":
        r = a - b
        e = ea + eb
    elif v.op == "*":
        r = a * b
        e = np.abs(a) * eb + np.abs(b) * ea + ea * eb
    else:
        r = a / b
        gap = np.abs(b) - eb
        e = np.where(gap > 0, (ea * np.abs(b) + np.abs(a) * eb) / (np.abs(b) * gap), np.inf)
        whole &= (np.abs(a) <= _INT) & (b != 0) & (r * b == a)  # an exact quotient of whole numbers
    whole &= _integral(r)
    return r, np.where(whole, 0.0, e + np.abs(r) * _U + _TINY), pa & pb


def decide_atoms(atoms: Iterable[tuple[str, ExactAtom]], cols: dict[str, Column], n: int) -> dict[str, Column]:
    """The boolean fact of every exact atom, as columns (absent where an operand is absent or a
    divisor is zero), equal row by row to :func:`~pacm.expr.patterns.exact_facts`.

    Rows where the float difference of the two sides exceeds twice their error bound, or where both
    sides are exact whole numbers, are decided on floats (the sign of the exact difference is then
    certain); the others (near a tie), and any row with a non-number operand, are decided exactly on
    rationals, one at a time.
    """
    out = {}
    for k, atom in atoms:
        keys = atom.keys()
        if not all(c in cols for c in keys):
            out[k] = _absent(n)  # an operand no PDD has: never decided
            continue
        values = np.zeros(n, dtype=bool)
        present = np.zeros(n, dtype=bool)
        if all(cols[c].kind == NUM for c in keys):
            with np.errstate(all="ignore"):
                lv, le, lp = _arith_bound(VKey(atom.key), cols, n)
                rv, re_, rp = _arith_bound(atom.rhs, cols, n)
                rows = lp & rp
                d = lv - rv
                whole = (le == 0) & (re_ == 0) & (np.abs(lv) <= _INT) & (np.abs(rv) <= _INT)  # d is exact
                sure = rows & (whole | (np.abs(d) > 2 * (le + re_)))  # False for NaN/inf differences and bounds
            values[sure] = COMPARE[atom.op](d[sure], 0.0)  # '==' is false wherever the sign is sure
            present[sure] = True
            slow = (rows & ~sure).nonzero()[0]
        else:
            rows = np.ones(n, dtype=bool)
            for c in keys:
                rows &= cols[c].present
            slow = rows.nonzero()[0]
        for i in slow:
            got = exact_facts(((k, atom),), lambda c, i=i: _exact_at(cols[c], i))
            if k in got:
                values[i] = got[k]
                present[i] = True
        out[k] = Column(BOOL, values, present)
    return out


def _exact_at(c: Column, i: int):
    """The exact value of row ``i`` of a column, as the Rete adapter gets it (None for text and true/false)."""
    if c.kind in (TEXT, BOOL) or not c.present[i]:
        return None
    return exact_number(c.values[i])


# --------------------------------------------------------------------------- step program
class _Program:
    """Every distinct sub-pattern of a pack's outcome patterns, once, in evaluation order."""

    def __init__(self, compiled: CompiledPack):
        self.steps: list[tuple] = []
        self._index: dict[Any, int] = {}
        self.names: list[str] = [INSUFFICIENT]
        self.rule_ids: list[str] = []
        self.plan: list[list[tuple[int, int]]] = []  # per rule: (status code, step), in the order applied
        atoms: dict = {}
        for cr in compiled.rules:
            atoms.update(cr.outcomes.exact)
            smap = cr.status_map
            todo = []
            # later outcomes overwrite earlier ones: not_applicable, then fail, then pass
            for outcome, pat in (
                ("not_applicable", cr.outcomes.not_applicable),
                ("fail", cr.outcomes.failed),
                ("pass", cr.outcomes.passed),
            ):
                if isinstance(pat, PFalse):
                    continue
                status = smap.get(outcome, outcome)
                if status not in self.names:
                    self.names.append(status)
                todo.append((self.names.index(status), self._step(pat)))
            self.rule_ids.append(cr.id)
            self.plan.append(todo)
        self.atoms = tuple(sorted(atoms.items()))
        self.keys: set[str] = set()
        for st in self.steps:
            if st[0] in ("exists", "cmp"):
                self.keys.add(st[-2] if st[0] == "exists" else st[2])
                if st[0] == "cmp" and isinstance(st[3], VKey):
                    self.keys.add(st[3].key)
        for _, atom in self.atoms:
            self.keys.update(atom.keys())
        self.keys -= {k for k, _ in self.atoms}

    def _step(self, p) -> int:
        i = self._index.get(p)
        if i is not None:
            return i
        if isinstance(p, PTrue):
            st: tuple = ("true",)
        elif isinstance(p, PFalse):
            st = ("false",)
        elif isinstance(p, PExists):
            st = ("exists", p.key, p.negate)
        elif isinstance(p, PCmp):
            if isinstance(p.rhs, VArith):  # the compiler makes every comparison with arithmetic exact
                raise TypeError(f"arithmetic left in a pattern: {p!r}")
            st = ("cmp", p.op, p.key, p.rhs)
        elif isinstance(p, (PAnd, POr)):
            st = ("and" if isinstance(p, PAnd) else "or", tuple(self._step(x) for x in p.items))
        else:
            raise TypeError(p)
        i = self._index[p] = len(self.steps)
        self.steps.append(st)
        return i

    # ------------------------------------------------------------------------------- run
    def run(self, n: int, cols: dict[str, Column]) -> np.ndarray:
        cols = dict(cols)
        cols.update(decide_atoms(self.atoms, cols, n))  # no step reads _zero: only exact atoms have it
        R: list[np.ndarray] = []
        ones, zeros = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
        with np.errstate(invalid="ignore"):
            for st in self.steps:
                op = st[0]
                if op == "cmp":
                    R.append(_compare(st[1], cols.get(st[2]), st[3], cols, n))
                elif op == "and" or op == "or":
                    items = st[1]
                    m = R[items[0]].copy()
                    if op == "and":
                        for j in items[1:]:
                            m &= R[j]
                    else:
                        for j in items[1:]:
                            m |= R[j]
                    R.append(m)
                elif op == "exists":
                    c = cols.get(st[1])
                    present = zeros if c is None else c.present
                    R.append(~present if st[2] else present)
                else:
                    R.append(ones if op == "true" else zeros)
        S = np.zeros((len(self.rule_ids), n), dtype=np.uint8)
        for j, todo in enumerate(self.plan):
            row = S[j]
            for code, step in todo:
                np.copyto(row, code, where=R[step])
        return S


def _compare(op: str, c: Column | None, rhs, cols: dict[str, Column], n: int) -> np.ndarray:
    """Where ``c op rhs`` holds; never where an operand is absent."""
    if c is None:
        return np.zeros(n, dtype=bool)
    if isinstance(rhs, VKey):
        r = cols.get(rhs.key)
        if r is None:
            return np.zeros(n, dtype=bool)
        if c.kind == NUM and r.kind == NUM:
            return COMPARE[op](c.values, r.values) & c.present & r.present
        both = c.present & r.present
        if c.kind == r.kind and c.kind in (TEXT, BOOL):
            eq = np.asarray(c.values == r.values, dtype=bool)
        else:  # a mixed pair (the type checker lets none through): element by element, as Python compares
            eq = np.zeros(n, dtype=bool)
            idx = both.nonzero()[0]
            eq[idx] = [bool(c.values[i] == r.values[i]) for i in idx]
        return (eq if op == "==" else ~eq) & both
    want = rhs.value
    if isinstance(want, (str, bool)):
        # text and true/false equal only values of their own type; '!=' holds for any other present value
        if isinstance(want, bool):
            eq = (c.values == want) if c.kind == BOOL else None
        else:
            eq = np.asarray(c.values == want, dtype=bool) if c.kind == TEXT else None
        if eq is None:
            if c.kind == MIXED:
                kind = bool if isinstance(want, bool) else str
                eq = np.array([isinstance(x, kind) and bool(x == want) for x in c.values], dtype=bool)
            else:
                eq = np.zeros(n, dtype=bool)
        return (eq if op == "==" else ~eq) & c.present
    if c.kind != NUM:
        raise TypeError(f"numeric comparison on a {c.kind} column ({op} {want!r})")
    return COMPARE[op](c.values, float(want)) & c.present


# ------------------------------------------------------------------------------ evaluator
@dataclass
class Statuses:
    """Statuses of a batch: ``codes[j, i]`` indexes ``names`` for rule ``rule_ids[j]`` and PDD ``i``."""

    rule_ids: list[str]
    names: list[str]
    codes: np.ndarray

    def text(self) -> np.ndarray:
        """Status names, PDDs by rules (object array)."""
        return np.asarray(self.names, dtype=object)[self.codes.T]

    def records(self) -> list[dict[str, str]]:
        ids = self.rule_ids
        return [dict(zip(ids, row)) for row in self.text().tolist()]

    def frame(self, index=None):
        import pandas as pd

        names = np.asarray(self.names, dtype=object)
        return pd.DataFrame({r: names[self.codes[j]] for j, r in enumerate(self.rule_ids)}, index=index)


class VectorEvaluator:
    def __init__(self, compiled: CompiledPack):
        self.compiled = compiled
        # the step program is built once per compiled pack (about 10 ms for the whole pack) and kept
        # on it, checked against its list of rules in case a caller changed the list since
        rules = tuple(map(id, compiled.rules))
        cached = getattr(compiled, "_vector_program", None)
        if cached is None or cached[0] != rules:
            cached = (rules, _Program(compiled))
            try:
                compiled._vector_program = cached  # type: ignore[attr-defined]
            except AttributeError:  # pragma: no cover - a pack object that takes no attributes
                pass
        self.program = cached[1]

    def statuses(self, flats: list[dict[str, Any]]) -> Statuses:
        """Statuses of every rule for a batch of flat PDDs, straight from the facts (no pandas)."""
        n, cols = fact_columns(flats, self.program.keys)
        return self._statuses(n, cols)

    def _statuses(self, n: int, cols: dict[str, Column]) -> Statuses:
        p = self.program
        return Statuses(p.rule_ids, p.names, p.run(n, cols))

    def evaluate_frame(self, df):
        """Statuses: a frame indexed like ``df`` (a :func:`facts_frame`) with one column per rule id."""
        return self._statuses(len(df), frame_columns(df, self.program.keys)).frame(df.index)

    def evaluate_many(self, flats: list[dict[str, Any]]) -> list[dict[str, str]]:
        return self.statuses(flats).records()

"""Batch evaluation: the same compiled patterns as boolean masks over a pandas frame.

One row per PDD, one column per fact key (the same keys and float conversion the Rete adapter
asserts). Each pattern becomes a mask; a rule's status column is ``pass``/``fail``/
``not_applicable`` where the corresponding outcome mask holds and ``insufficient_data``
elsewhere. Comparisons of a field with a field or a constant are made on float64, as durable-rules
makes them; every comparison with arithmetic is first decided exactly (:meth:`VectorEvaluator.with_exact`),
so the results equal durable-rules' (``tests/test_differential.py``) and the exact semantics
(``tests/test_boundaries.py``).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..expr.patterns import PAnd, PCmp, PExists, PFalse, POr, PTrue, VConst, VKey, exact_facts, exact_number, key
from ..rulepack import CompiledPack
from .rete import to_fact_value

_CMP = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def facts_frame(flats: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """A frame of fact values (same conversion as the Rete adapter) from flat PDDs."""
    rows = [{key(p): to_fact_value(v) for p, v in f.items()} for f in flats]
    return pd.DataFrame.from_records(rows)


class VectorEvaluator:
    def __init__(self, compiled: CompiledPack):
        self.compiled = compiled

    def _col(self, df: pd.DataFrame, k: str):
        if k not in df.columns:
            return np.full(len(df), np.nan), np.zeros(len(df), dtype=bool)
        s = df[k]
        present = s.notna().to_numpy()
        return s.to_numpy(), present

    def _value(self, df, v):
        # arithmetic never reaches a pattern: the compiler turns it into an exact atom (expr/patterns.py)
        if isinstance(v, VConst):
            return v.value
        if isinstance(v, VKey):
            arr, present = self._col(df, v.key)
            return np.where(present, arr, np.nan).astype(float) if arr.dtype != object else arr
        raise TypeError(v)

    def mask(self, df: pd.DataFrame, p) -> np.ndarray:
        n = len(df)
        if isinstance(p, PTrue):
            return np.ones(n, dtype=bool)
        if isinstance(p, PFalse):
            return np.zeros(n, dtype=bool)
        if isinstance(p, PExists):
            _, present = self._col(df, p.key)
            return ~present if p.negate else present
        if isinstance(p, PCmp):
            left, present = self._col(df, p.key)
            if isinstance(p.rhs, VKey):
                right, rpresent = self._col(df, p.rhs.key)
                if left.dtype == object or right.dtype == object:  # text or true/false on both sides
                    out = np.zeros(n, dtype=bool)
                    idx = (present & rpresent).nonzero()[0]
                    eq = [bool(left[i] == right[i]) for i in idx]
                    out[idx] = eq if p.op == "==" else [not e for e in eq]
                    return out
            rhs = self._value(df, p.rhs)
            if isinstance(p.rhs, VConst) and isinstance(p.rhs.value, (str, bool)):
                out = np.zeros(n, dtype=bool)
                idx = present.nonzero()[0]
                vals = left[idx]
                want = p.rhs.value
                kind = (bool, np.bool_) if isinstance(want, bool) else (str,)
                eq = [isinstance(x, kind) and bool(x == want) for x in vals]
                out[idx] = eq if p.op == "==" else [not e for e in eq]
                return out
            lf = np.where(present, left, np.nan).astype(float)
            with np.errstate(invalid="ignore"):
                res = _CMP[p.op](lf, np.asarray(rhs, dtype=float))
            # comparisons involving NaN (absent operands) never match, as in durable-rules
            rf = np.asarray(rhs, dtype=float)
            valid = present & ~np.isnan(np.broadcast_to(rf, lf.shape))
            return np.asarray(res, dtype=bool) & valid
        if isinstance(p, PAnd):
            m = np.ones(n, dtype=bool)
            for i in p.items:
                m &= self.mask(df, i)
            return m
        if isinstance(p, POr):
            m = np.zeros(n, dtype=bool)
            for i in p.items:
                m |= self.mask(df, i)
            return m
        raise TypeError(p)

    def with_exact(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` plus the boolean fact of every limit decided exactly (see ``expr/patterns.py``).

        Only rows where all operands of an atom are present are decided, one row at a time on
        rationals; the others stay absent, as in the Rete adapter.
        """
        atoms: dict = {}
        for cr in self.compiled.rules:
            atoms.update(cr.outcomes.exact)
        if not atoms:
            return df
        extra = {}
        for k, atom in sorted(atoms.items()):
            cols = {c: self._col(df, c) for c in atom.keys()}
            rows = np.ones(len(df), dtype=bool)
            for _, present in cols.values():
                rows &= present
            out = np.full(len(df), None, dtype=object)
            for i in rows.nonzero()[0]:
                got = exact_facts(((k, atom),), lambda c, i=i: exact_number(cols[c][0][i]) if c in cols else None)
                if k in got:
                    out[i] = got[k]
            extra[k] = out
        return pd.concat([df, pd.DataFrame(extra, index=df.index)], axis=1)

    def evaluate_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Statuses: a frame indexed like ``df`` with one column per rule id."""
        df = self.with_exact(df)
        cols = {}
        for cr in self.compiled.rules:
            smap = cr.status_map
            status = np.full(len(df), "insufficient_data", dtype=object)
            for outcome, pat in (
                ("not_applicable", cr.outcomes.not_applicable),
                ("fail", cr.outcomes.failed),
                ("pass", cr.outcomes.passed),
            ):
                m = self.mask(df, pat)
                status[m] = smap.get(outcome, outcome)
            cols[cr.id] = status
        return pd.DataFrame(cols, index=df.index)

    def evaluate_many(self, flats: list[dict[str, Any]]) -> list[dict[str, str]]:
        df = facts_frame(flats)
        res = self.evaluate_frame(df)
        return res.to_dict(orient="records")

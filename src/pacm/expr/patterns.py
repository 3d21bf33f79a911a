"""The compiled form both evaluators run: three-valued conditions as match patterns.

A rule has an ``applies_if`` and a ``require`` condition over PDD fields. Fields may be absent,
so each condition is true, false or *unknown*. Kleene's three-valued logic is compiled into two
positive patterns per condition, ``T(c)`` (c is known to hold) and ``F(c)`` (c is known to fail),
each a tree of:

* ``PExists(key)``: the field is present (absent fields are dropped from facts, never null);
* ``PCmp(op, key, rhs)``: a canonical comparison whose left side is *one fact key* and whose right
  side is a constant, another key or arithmetic over them (durable-rules' only form);
* ``PAnd`` / ``POr``; ``PTrue`` / ``PFalse``.

A rule's outcome patterns are then ``pass = T(applies) & T(require)``, ``fail = T(applies) &
F(require)``, ``not_applicable = F(applies)``; when none matches, data was missing:
``insufficient_data``. The Rete adapter turns these patterns into durable-rules JSON, the pandas
evaluator into boolean masks. Because both evaluate *the same canonical arithmetic*, in the
same order, on the same floats, their findings are identical (the differential test checks it).

Canonicalisation: ``L op R`` with a field on the left stays; with a field on the right it is
flipped; otherwise it becomes ``_zero op (R - L)`` against the constant fact key ``_zero`` = 0.
Every number is a float (durable-rules does integer division on integers, and dividing an
integer by zero kills the process with SIGFPE); every divisor gets a ``!= 0`` guard, so a
division by zero makes the condition unknown, never true or false.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .ir import BOOL, NUM, STR, And, Arith, Cmp, Const, Field, In, Missing, Not, Or, Param

ZERO = "_zero"


def key(path: str) -> str:
    """Fact key of a dotted PDD path (durable-rules reads dots as nesting)."""
    return path.replace(".", "__")


# ---------------------------------------------------------------- value nodes
@dataclass(frozen=True)
class VKey:
    key: str


@dataclass(frozen=True)
class VConst:
    value: Any  # float, str or bool


@dataclass(frozen=True)
class VArith:
    op: str
    left: Any
    right: Any


# -------------------------------------------------------------- pattern nodes
@dataclass(frozen=True)
class PTrue:
    pass


@dataclass(frozen=True)
class PFalse:
    pass


@dataclass(frozen=True)
class PExists:
    key: str
    negate: bool = False


@dataclass(frozen=True)
class PCmp:
    op: str
    key: str
    rhs: Any


@dataclass(frozen=True)
class PAnd:
    items: tuple


@dataclass(frozen=True)
class POr:
    items: tuple


P_TRUE, P_FALSE = PTrue(), PFalse()

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def _pand(items) -> Any:
    out = []
    for i in items:
        if isinstance(i, PFalse):
            return P_FALSE
        if isinstance(i, PTrue):
            continue
        if isinstance(i, PAnd):
            out.extend(x for x in i.items if x not in out)
        elif i not in out:
            out.append(i)
    if not out:
        return P_TRUE
    return out[0] if len(out) == 1 else PAnd(tuple(out))


def _por(items) -> Any:
    out = []
    for i in items:
        if isinstance(i, PTrue):
            return P_TRUE
        if isinstance(i, PFalse):
            continue
        if isinstance(i, POr):
            out.extend(x for x in i.items if x not in out)
        elif i not in out:
            out.append(i)
    if not out:
        return P_FALSE
    return out[0] if len(out) == 1 else POr(tuple(out))


def _arith_float(op, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b


def _cmp_const(op, a, b) -> bool:
    return {
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
        "==": a == b,
        "!=": a != b,
    }[op]


class _Binder:
    """Binds parameter values and lowers values to canonical float/str/bool nodes."""

    def __init__(self, params: dict[str, Any]):
        self.params = params

    def const_of(self, value, typ):
        # numbers stay exact Decimals while constants are folded (0.10 + 0.01 * 5 == 0.15 exactly);
        # _floatify turns them into floats once the patterns are built
        if typ in (NUM, "date"):
            if isinstance(value, dt.date):
                return VConst(Decimal(value.toordinal()))
            return VConst(Decimal(value))
        return VConst(value)

    def lower(self, n, fields: list, divisors: list):
        if isinstance(n, Field):
            if n.path not in fields:
                fields.append(n.path)
            return VKey(key(n.path))
        if isinstance(n, Param):
            return self.const_of(self.params[n.name], n.type)
        if isinstance(n, Const):
            return self.const_of(n.value, n.type)
        if isinstance(n, Arith):
            left = self.lower(n.left, fields, divisors)
            right = self.lower(n.right, fields, divisors)
            if n.op == "/":
                divisors.append(right)
            if isinstance(left, VConst) and isinstance(right, VConst):
                if n.op == "/" and right.value == 0:
                    return VArith(n.op, left, right)  # stays; guarded below -> unknown
                return VConst(_arith_exact(n.op, left.value, right.value))
            return VArith(n.op, left, right)
        raise TypeError(f"not a value node: {n!r}")

    def canon_cmp(self, op, lv, rv):
        if isinstance(lv, VConst) and isinstance(rv, VConst):
            return P_TRUE if _cmp_const(op, lv.value, rv.value) else P_FALSE
        if isinstance(lv, VKey):
            return PCmp(op, lv.key, rv)
        if isinstance(rv, VKey):
            return PCmp(_FLIP[op], rv.key, lv)
        return PCmp(op, ZERO, _fold(VArith("-", rv, lv)))

    def guards(self, fields, divisors):
        g = [PExists(key(f)) for f in fields]
        for d in divisors:
            if isinstance(d, VConst):
                if d.value == 0:
                    return None  # never known
                continue
            g.append(self.canon_cmp("!=", d, VConst(0.0)))
        return g

    # T/F for a condition
    def tf(self, c):
        if isinstance(c, Const):
            return (P_TRUE, P_FALSE) if c.value else (P_FALSE, P_TRUE)
        if isinstance(c, Cmp):
            fields, divisors = [], []
            lv = self.lower(c.left, fields, divisors)
            rv = self.lower(c.right, fields, divisors)
            g = self.guards(fields, divisors)
            if g is None:
                return P_FALSE, P_FALSE
            return (
                _pand(g + [self.canon_cmp(c.op, lv, rv)]),
                _pand(g + [self.canon_cmp(_NEG[c.op], lv, rv)]),
            )
        if isinstance(c, In):
            fields, divisors = [], []
            lv = self.lower(c.left, fields, divisors)
            vals = [self.lower(v, fields, divisors) for v in c.values]
            g = self.guards(fields, divisors)
            if g is None:
                return P_FALSE, P_FALSE
            is_in = _por([self.canon_cmp("==", lv, v) for v in vals])
            not_in = _pand([self.canon_cmp("!=", lv, v) for v in vals])
            t, f = (not_in, is_in) if c.negate else (is_in, not_in)
            return _pand(g + [t]), _pand(g + [f])
        if isinstance(c, Missing):
            k = key(c.field.path)
            return PExists(k, negate=True), PExists(k)
        if isinstance(c, Not):
            t, f = self.tf(c.item)
            return f, t
        if isinstance(c, And):
            pairs = [self.tf(i) for i in c.items]
            return _pand([p[0] for p in pairs]), _por([p[1] for p in pairs])
        if isinstance(c, Or):
            pairs = [self.tf(i) for i in c.items]
            return _por([p[0] for p in pairs]), _pand([p[1] for p in pairs])
        raise TypeError(f"not a condition node: {c!r}")


def _arith_exact(op, a, b):
    return _arith_float(op, a, b)  # on Decimals: exact for + - *, 28 significant digits for /


def _fold(v):
    if isinstance(v, VArith):
        left, right = _fold(v.left), _fold(v.right)
        if isinstance(left, VConst) and isinstance(right, VConst) and not (v.op == "/" and right.value == 0):
            return VConst(_arith_exact(v.op, left.value, right.value))
        return VArith(v.op, left, right)
    return v


def _floatify(p):
    """The one conversion of folded Decimal constants into the floats both evaluators compare."""
    if isinstance(p, VConst):
        return VConst(float(p.value)) if isinstance(p.value, Decimal) else p
    if isinstance(p, VArith):
        return VArith(p.op, _floatify(p.left), _floatify(p.right))
    if isinstance(p, PCmp):
        return PCmp(p.op, p.key, _floatify(p.rhs))
    if isinstance(p, PAnd):
        return PAnd(tuple(_floatify(i) for i in p.items))
    if isinstance(p, POr):
        return POr(tuple(_floatify(i) for i in p.items))
    return p


@dataclass(frozen=True)
class Outcomes:
    """The three positive outcome patterns of one rule (see the module docstring)."""

    passed: Any
    failed: Any
    not_applicable: Any


def compile_outcomes(applies, require, params: dict[str, Any]) -> Outcomes:
    b = _Binder(params)
    at, af = b.tf(applies)
    rt, rf = b.tf(require)
    return Outcomes(_floatify(_pand([at, rt])), _floatify(_pand([at, rf])), _floatify(af))


def pattern_keys(p) -> set[str]:
    """Every fact key a pattern reads (for projecting PDDs onto the fields rules need)."""
    out: set[str] = set()

    def v(x):
        if isinstance(x, VKey):
            out.add(x.key)
        elif isinstance(x, VArith):
            v(x.left)
            v(x.right)

    def walk(n):
        if isinstance(n, PExists):
            out.add(n.key)
        elif isinstance(n, PCmp):
            out.add(n.key)
            v(n.rhs)
        elif isinstance(n, (PAnd, POr)):
            for i in n.items:
                walk(i)

    walk(p)
    return out


__all__ = [
    "ZERO",
    "key",
    "compile_outcomes",
    "Outcomes",
    "pattern_keys",
    "PTrue",
    "PFalse",
    "PExists",
    "PCmp",
    "PAnd",
    "POr",
    "VKey",
    "VConst",
    "VArith",
    "STR",
    "BOOL",
    "dt",
]

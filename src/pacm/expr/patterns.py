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

Limits are decided exactly (issue 10, item 10). Doubles compare a field with a field, or with a
constant of at most 15 significant digits, exactly: conversion to double is monotone and keeps such
decimals distinct. Arithmetic done at run time does not: TOOL24's ``1 - 40/50`` is
0.19999999999999996 in doubles, so "F > 0.2" and "F >= 0.2" would agree at F = 0.2. Every comparison
with run-time arithmetic (or a longer constant) therefore becomes an :class:`ExactAtom`, decided on
rationals (:func:`decide_exact`) from the facts before matching; the patterns match its truth as a
boolean fact ``_x_<hash>`` (durable-rules has no functions: derive such facts first, hazard 11).
Both evaluators derive these facts with the same :func:`exact_facts`, from the same fact values.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .ir import BOOL, COMPARE, NEGATE, NUM, STR, And, Arith, Cmp, Const, Field, In, Missing, Not, Or, Param

ZERO = "_zero"


def key(path: str) -> str:
    """Fact key of a dotted PDD path (durable-rules reads dots as nesting)."""
    return path.replace(".", "__")


def to_fact_value(v: Any) -> Any:
    """The one conversion of a PDD value into the fact value both evaluators compare.

    Text and true/false stay as they are; numbers become floats (durable-rules divides integers as
    integers, and an integer division by zero is a SIGFPE: hazard 10); dates become their proleptic
    ordinal, so date differences are day counts.
    """
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, dt.date):
        return float(v.toordinal())
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    raise TypeError(f"cannot assert {type(v).__name__}")


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
            return P_TRUE if COMPARE[op](lv.value, rv.value) else P_FALSE
        if isinstance(lv, VKey):
            return PCmp(op, lv.key, rv)
        if isinstance(rv, VKey):
            return PCmp(_FLIP[op], rv.key, lv)
        # both sides were folded by lower() and are not both constants: R - L stays run-time arithmetic
        return PCmp(op, ZERO, VArith("-", rv, lv))

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
                _pand(g + [self.canon_cmp(NEGATE[c.op], lv, rv)]),
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


def _floatify(p):
    """The one conversion of folded Decimal constants into the floats both evaluators compare."""
    if isinstance(p, VConst):
        return VConst(float(p.value)) if isinstance(p.value, Decimal) else p
    if isinstance(p, PCmp):  # its rhs is a key or a constant: _exactify took every rhs with arithmetic
        return PCmp(p.op, p.key, _floatify(p.rhs))
    if isinstance(p, PAnd):
        return PAnd(tuple(_floatify(i) for i in p.items))
    if isinstance(p, POr):
        return POr(tuple(_floatify(i) for i in p.items))
    return p


# ------------------------------------------------------------ exact comparisons
# Canonical member of each pair of complementary operators: ``a >= b`` is ``not (a < b)``.
_POSITIVE = {"<": ("<", True), ">=": ("<", False), "<=": ("<=", True), ">": ("<=", False), "==": ("==", True), "!=": ("==", False)}
_SHORT = 15  # significant digits a double keeps distinct and in order (DBL_DIG)


def _short(d: Decimal) -> bool:
    """A constant distinct doubles keep exact in comparisons: at most 15 significant digits."""
    return len(d.normalize().as_tuple().digits) <= _SHORT


@dataclass(frozen=True)
class ExactAtom:
    """A comparison decided exactly, on rationals, before matching (issue 10 item 10).

    Its value is the fact ``key`` (:func:`exact_key`): true or false, absent when an operand is.
    ``rhs`` keeps the folded constants as Decimals.
    """

    op: str  # < <= ==
    key: str
    rhs: Any

    def keys(self) -> list[str]:
        out = [self.key]

        def walk(v):
            if isinstance(v, VKey) and v.key not in out:
                out.append(v.key)
            elif isinstance(v, VArith):
                walk(v.left)
                walk(v.right)

        walk(self.rhs)
        return [k for k in out if k != ZERO]


def exact_key(atom: ExactAtom) -> str:
    import hashlib

    return "_x_" + hashlib.sha1(repr(atom).encode()).hexdigest()[:12]


def _needs_exact(p: PCmp) -> bool:
    """Whether comparing the doubles could give another answer than comparing the exact values.

    A field against a field, or against a constant of at most 15 significant digits, is exact on
    doubles: conversion to double is monotone, and distinct decimals of at most 15 significant digits
    stay distinct. Arithmetic evaluated at run time (``1 - n_diff / n_all``) rounds, so it is not.
    """
    if isinstance(p.rhs, VArith):
        return True
    if isinstance(p.rhs, VConst) and isinstance(p.rhs.value, Decimal):
        return not _short(p.rhs.value)
    return False


def _exactify(p, atoms: dict):
    """Replace every comparison that floats could decide wrongly by a match on its exact truth."""
    if isinstance(p, PCmp) and _needs_exact(p):
        op, positive = _POSITIVE[p.op]
        atom = ExactAtom(op, p.key, p.rhs)
        k = exact_key(atom)
        atoms[k] = atom
        return PCmp("==", k, VConst(positive))
    if isinstance(p, PAnd):
        return PAnd(tuple(_exactify(i, atoms) for i in p.items))
    if isinstance(p, POr):
        return POr(tuple(_exactify(i, atoms) for i in p.items))
    return p


def exact_number(v) -> Fraction | None:
    """The exact value a fact stands for: the shortest decimal of its double (the PDD's own decimal
    for any input of up to 15 significant digits); dates are day ordinals."""
    if v is None or isinstance(v, (bool, str)):
        return None
    if isinstance(v, Decimal):
        return Fraction(v)
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, dt.date):
        return Fraction(v.toordinal())
    f = float(v)
    if not math.isfinite(f):
        return None
    return Fraction(repr(f))


def _exact_value(v, get):
    if isinstance(v, VConst):
        return exact_number(v.value)
    if isinstance(v, VKey):  # never _zero: canon_cmp puts it only on the left (decide_exact)
        return get(v.key)
    a, b = _exact_value(v.left, get), _exact_value(v.right, get)
    if a is None or b is None:
        return None
    if v.op == "+":
        return a + b
    if v.op == "-":
        return a - b
    if v.op == "*":
        return a * b
    return None if b == 0 else a / b


def decide_exact(atom: ExactAtom, get) -> bool | None:
    """Truth of an exact atom; ``get(key)`` returns a key's exact value or None when absent."""
    left = Fraction(0) if atom.key == ZERO else get(atom.key)
    right = _exact_value(atom.rhs, get)
    if left is None or right is None:
        return None
    return COMPARE[atom.op](left, right)


@dataclass(frozen=True)
class Outcomes:
    """The three positive outcome patterns of one rule (see the module docstring)."""

    passed: Any
    failed: Any
    not_applicable: Any
    exact: tuple = ()  # (key, ExactAtom) pairs the patterns match on: facts to derive first


def compile_outcomes(applies, require, params: dict[str, Any]) -> Outcomes:
    b = _Binder(params)
    at, af = b.tf(applies)
    rt, rf = b.tf(require)
    atoms: dict = {}
    passed, failed, na = (_floatify(_exactify(p, atoms)) for p in (_pand([at, rt]), _pand([at, rf]), af))
    return Outcomes(passed, failed, na, tuple(sorted(atoms.items())))


def exact_facts(atoms, get) -> dict[str, bool]:
    """The derived facts of exact atoms (absent when an operand is absent or a divisor is zero)."""
    out = {}
    for k, atom in atoms:
        t = decide_exact(atom, get)
        if t is not None:
            out[k] = t
    return out


def pattern_keys(p) -> set[str]:
    """Every fact key a pattern reads (for projecting PDDs onto the fields rules need)."""
    out: set[str] = set()

    def walk(n):
        if isinstance(n, PExists):
            out.add(n.key)
        elif isinstance(n, PCmp):  # rhs a key or a constant: compiled patterns hold no arithmetic (_exactify)
            out.add(n.key)
            if isinstance(n.rhs, VKey):
                out.add(n.rhs.key)
        elif isinstance(n, (PAnd, POr)):
            for i in n.items:
                walk(i)

    walk(p)
    return out


__all__ = [
    "ZERO",
    "key",
    "to_fact_value",
    "compile_outcomes",
    "Outcomes",
    "ExactAtom",
    "exact_facts",
    "exact_number",
    "decide_exact",
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

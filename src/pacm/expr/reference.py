"""A direct three-valued interpreter of the expression tree on exact Python values.

It does not decide findings (the two evaluators do); it explains them: which part of a
requirement failed, with the values involved, and the smallest change that would make it pass
(the "why not" line of a failing finding).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from .ir import COMPARE, NEGATE, And, Arith, Call, Cmp, Const, Field, IfElse, In, Missing, Not, Or, Param, render


def value(n, env: dict, params: dict) -> Any:
    if isinstance(n, Field):
        return env.get(n.path)
    if isinstance(n, Param):
        return params.get(n.name)
    if isinstance(n, Const):
        return n.value
    if isinstance(n, Arith):
        a, b = value(n.left, env, params), value(n.right, env, params)
        if a is None or b is None:
            return None
        if isinstance(a, dt.date) and isinstance(b, dt.date):
            return Decimal((a - b).days)
        if isinstance(a, dt.date):
            return a + dt.timedelta(days=int(b)) if n.op == "+" else a - dt.timedelta(days=int(b))
        if isinstance(b, dt.date):
            return b + dt.timedelta(days=int(a))
        a, b = Decimal(a), Decimal(b)
        try:
            return {"+": a + b, "-": a - b, "*": a * b, "/": (a / b) if b != 0 else None}[n.op]
        except (DivisionByZero, InvalidOperation):
            return None
    if isinstance(n, Call):  # derive layer only
        return _call(n, env, params, value, truth)
    if isinstance(n, IfElse):
        t = truth(n.cond, env, params)
        return None if t is None else value(n.then if t else n.other, env, params)
    raise TypeError(n)


def _call(n, env, params, value, truth):
    global _call
    from .functions import call  # imported on first use: functions imports pacm.dates, rules never call

    _call = call
    return call(n, env, params, value, truth)


def truth(c, env: dict, params: dict) -> bool | None:
    """Kleene truth value: True, False, or None (unknown: a field is missing)."""
    if isinstance(c, Const):
        return None if c.value is None else bool(c.value)
    if isinstance(c, IfElse):
        t = truth(c.cond, env, params)
        return None if t is None else truth(c.then if t else c.other, env, params)
    if isinstance(c, Cmp):
        a, b = value(c.left, env, params), value(c.right, env, params)
        if a is None or b is None:
            return None
        return COMPARE[c.op](a, b)
    if isinstance(c, In):
        a = value(c.left, env, params)
        if a is None:
            return None
        vals = [value(v, env, params) for v in c.values]
        return (a not in vals) if c.negate else (a in vals)
    if isinstance(c, Missing):
        return env.get(c.field.path) is None
    if isinstance(c, Not):
        t = truth(c.item, env, params)
        return None if t is None else not t
    if isinstance(c, And):
        ts = [truth(i, env, params) for i in c.items]
        if any(t is False for t in ts):
            return False
        return None if any(t is None for t in ts) else True
    if isinstance(c, Or):
        ts = [truth(i, env, params) for i in c.items]
        if any(t is True for t in ts):
            return True
        return None if any(t is None for t in ts) else False
    raise TypeError(c)


def _fmt(v) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


_OPWORD = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "equal to", "!=": "different from"}


def push_not(c):
    """Move a negation inward (De Morgan), so explanations speak of plain comparisons."""
    if not isinstance(c, Not):
        return c
    x = c.item
    if isinstance(x, Not):
        return push_not(x.item)
    if isinstance(x, Cmp):
        if x.op == "==" and isinstance(x.right, Const) and x.right.value is True:
            return Cmp("==", x.left, Const(False, x.right.type))
        return Cmp(NEGATE[x.op], x.left, x.right)
    if isinstance(x, And):
        return Or(tuple(push_not(Not(i)) for i in x.items))
    if isinstance(x, Or):
        return And(tuple(push_not(Not(i)) for i in x.items))
    if isinstance(x, In):
        return In(x.left, x.values, not x.negate)
    return c


def why_not(c, env: dict, params: dict) -> list[str]:
    """What would have to change for a false condition to hold (one line per needed change)."""
    c = push_not(c)
    t = truth(c, env, params)
    if t is not False:
        return []
    if isinstance(c, And):
        out = []
        for i in c.items:
            out += why_not(i, env, params)
        return out
    if isinstance(c, Or):
        alts = [" and ".join(why_not(i, env, params)) for i in c.items]
        alts = [a for a in alts if a]
        return ["one of: " + "; or ".join(alts)] if len(alts) > 1 else alts
    if isinstance(c, Not):
        if isinstance(c.item, Missing):
            return [f"provide {c.item.field.path}"]
        return [f"make '{render(c.item, params)}' false"]
    if isinstance(c, Missing):
        return [f"{c.field.path} must be absent"]
    if isinstance(c, Cmp):
        a, b = value(c.left, env, params), value(c.right, env, params)
        left, right = render(c.left, params), render(c.right, params)
        if isinstance(c.left, Field) and not isinstance(c.right, Field):
            return [f"{left} = {_fmt(a)} must be {_OPWORD[c.op]} {_fmt(b)}"]
        if isinstance(c.right, Field) and not isinstance(c.left, Field):
            return [f"{right} = {_fmt(b)} must make {left} {c.op} {right} hold ({_fmt(a)} {c.op} {_fmt(b)} is false)"]
        if isinstance(c.right, (Param, Const)):
            return [f"{left} (= {_fmt(a)}) must be {_OPWORD[c.op]} {right}"]
        return [f"{left} (= {_fmt(a)}) must be {_OPWORD[c.op]} {right} (= {_fmt(b)})"]
    if isinstance(c, In):
        a = value(c.left, env, params)
        vals = ", ".join(_fmt(value(v, env, params)) for v in c.values)
        word = "not be one of" if c.negate else "be one of"
        return [f"{render(c.left, params)} = {_fmt(a)} must {word} [{vals}]"]
    return [f"make '{render(c, params)}' hold"]


def missing_fields(c, env: dict) -> list[str]:
    from .ir import fields_of

    return [f for f in fields_of(c) if env.get(f) is None]

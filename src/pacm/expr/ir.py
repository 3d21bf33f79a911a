"""The typed expression tree that rule conditions and methodology equations parse into.

Types are checked when a rule pack loads, so at run time no comparison can mix a string with a
number, or a boolean with 1 (durable-rules would happily compare ``"10" > 9`` as strings, and treat
``1 == true``: see hazard 10 in ``shared/domain/durable-rules.md``).
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from typing import Any, Union

NUM, DATE, STR, BOOL = "number", "date", "string", "bool"

# The comparison operators of the rule language: what each does (on exact values, floats or numpy
# arrays alike) and its negation. Every interpreter of the tree takes them from here.
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


@dataclass(frozen=True)
class Field:
    """A PDD field, by dotted path (``additionality.investment.benchmark_pct``)."""

    path: str
    type: str


@dataclass(frozen=True)
class Param:
    """A parameter from a dated parameter file (``params.crediting_period.renewable_max_years``)."""

    name: str
    type: str


@dataclass(frozen=True)
class Const:
    value: Any
    type: str


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: "Value"
    right: "Value"
    type: str


@dataclass(frozen=True)
class Cmp:
    op: str  # < <= > >= == !=
    left: "Value"
    right: "Value"


@dataclass(frozen=True)
class In:
    left: "Value"
    values: tuple
    negate: bool = False


@dataclass(frozen=True)
class Missing:
    field: Field


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: "Cond"


@dataclass(frozen=True)
class Call:
    """A whitelisted function of :mod:`pacm.expr.functions` (derive layer only; rules call none)."""

    name: str
    args: tuple
    type: str


@dataclass(frozen=True)
class IfElse:
    """``then if cond else other`` (derive layer only): absent when ``cond`` is unknown."""

    cond: "Cond"
    then: Any
    other: Any
    type: str


Value = Union[Field, Param, Const, Arith, Call, IfElse]
Cond = Union[Cmp, In, Missing, And, Or, Not, Const, IfElse]

TRUE = Const(True, BOOL)
#: ``absent`` in a derive expression: no value (an ``IfElse`` branch).
ABSENT = Const(None, "absent")


def _children(n) -> tuple:
    if isinstance(n, (Arith, Cmp)):
        return (n.left, n.right)
    if isinstance(n, In):
        return (n.left, *n.values)
    if isinstance(n, Missing):
        return (n.field,)
    if isinstance(n, (And, Or)):
        return n.items
    if isinstance(n, Not):
        return (n.item,)
    if isinstance(n, Call):
        return n.args
    if isinstance(n, IfElse):
        return (n.cond, n.then, n.other)
    return ()


def _collect(node, pick) -> list[str]:
    """Names picked from every node of a tree, in first-seen order, each once."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        name = pick(n)
        if name is not None and name not in out:
            out.append(name)
        stack.extend(reversed(_children(n)))
    return out


def fields_of(node) -> list[str]:
    """Dotted paths of every PDD field a tree reads, in first-seen order."""
    return _collect(node, lambda n: n.path if isinstance(n, Field) else None)


def params_of(node) -> list[str]:
    """Names of every parameter a tree reads, in first-seen order."""
    return _collect(node, lambda n: n.name if isinstance(n, Param) else None)


def render(node, values: dict | None = None, leaf=None) -> str:
    """Human text of a tree; with ``values``, parameters are shown with their value. ``leaf(node)``, when
    given, may return the text of a field or constant (e.g. its value, for a trace), or None to keep the
    default: the one renderer of the rule language (conditions, why-not lines, equations in a trace)."""
    values = values or {}
    prec = {"or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6}

    def fmt_const(v):
        if isinstance(v, str):
            return repr(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.date):
            return v.isoformat()
        if v is None:
            return "absent"
        return str(v)

    def r(n, parent=0):
        if leaf is not None and isinstance(n, (Field, Const)):
            t = leaf(n)
            if t is not None:
                return t
        if isinstance(n, Field):
            return n.path
        if isinstance(n, Param):
            if n.name in values:
                return f"{fmt_const(values[n.name])}"
            return f"params.{n.name}"
        if isinstance(n, Const):
            return fmt_const(n.value)
        if isinstance(n, Arith):
            p = prec[n.op]
            s = f"{r(n.left, p)} {n.op} {r(n.right, p + 1)}"
            return f"({s})" if p < parent else s
        if isinstance(n, Cmp):
            if n.op == "==" and isinstance(n.right, Const) and n.right.value is True and n.right.type == BOOL:
                return r(n.left, parent)
            s = f"{r(n.left, 5)} {n.op} {r(n.right, 5)}"
            return f"({s})" if prec["cmp"] < parent else s
        if isinstance(n, In):
            vals = ", ".join(r(v) for v in n.values)
            return f"{r(n.left, 5)} {'not in' if n.negate else 'in'} [{vals}]"
        if isinstance(n, Missing):
            return f"missing({n.field.path})"
        if isinstance(n, Not):
            if isinstance(n.item, Missing):
                return f"present({n.item.field.path})"
            return f"not {r(n.item, prec['not'])}"
        if isinstance(n, (And, Or)):
            word = "and" if isinstance(n, And) else "or"
            p = prec[word]
            s = f" {word} ".join(r(i, p + 1) for i in n.items)
            return f"({s})" if p < parent else s
        if isinstance(n, Call):
            return f"{n.name}({', '.join(r(a) for a in n.args)})"
        if isinstance(n, IfElse):
            s = f"{r(n.then, 1)} if {r(n.cond, 1)} else {r(n.other, 1)}"
            return f"({s})" if parent else s
        return str(n)

    return r(node)

"""Evaluate methodology equations on columns of exact Decimals (plain lists, one value per year).

The equations were parsed (and unit-checked) by :mod:`pacm.quantities.methodology` into the tree
of :mod:`pacm.expr.ir`; here a name is either a scalar (an ex-ante parameter: one Decimal for
every year) or a column (a monitored series, a built-in such as ``year_fraction``, or an earlier
equation, as a :class:`Column`), and ``+ - * /`` apply element by element, so every value stays a
Decimal (no float ever enters). No pandas: ``pacm check`` computes its table without importing it.
"""

from __future__ import annotations

import operator
from decimal import DivisionByZero, InvalidOperation, localcontext

from ..expr.ir import Arith, Const, Field
from .pipeline import PREC, ZERO, fmt  # noqa: F401  (fmt: the exact text of a number, re-exported)


class EvaluationError(ValueError):
    pass


class Column(list):
    """One value per year (a list, so that a scalar and a column can be told apart)."""


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _apply(op: str, a, b):
    f = _OPS[op]
    if op == "/":
        if any(v == ZERO for v in b) if isinstance(b, Column) else b == ZERO:
            raise EvaluationError("division by zero")
    if isinstance(a, Column):
        if isinstance(b, Column):
            return Column(f(x, y) for x, y in zip(a, b))
        return Column(f(x, b) for x in a)
    if isinstance(b, Column):
        return Column(f(a, y) for y in b)
    return f(a, b)


def value(node, env: dict):
    """The value of an expression: a :class:`Column` or a scalar Decimal."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        return env[node.path]
    if isinstance(node, Arith):
        a, b = value(node.left, env), value(node.right, env)
        try:
            return _apply(node.op, a, b)
        except (DivisionByZero, InvalidOperation) as exc:
            raise EvaluationError(f"arithmetic error ({type(exc).__name__})")
    raise EvaluationError(f"cannot evaluate {node!r}")


def as_column(v, n: int) -> Column:
    if isinstance(v, Column):
        return v
    return Column([v] * n)


def evaluate_equations(equations: dict, env: dict, n: int) -> dict[str, Column]:
    """Evaluate equations (already in dependency order) over ``n`` years; one Decimal column per equation."""
    out: dict[str, Column] = {}
    scope = dict(env)
    with localcontext() as ctx:
        ctx.prec = PREC
        for name, eq in equations.items():
            try:
                col = as_column(value(eq.tree, scope), n)
            except EvaluationError as exc:
                raise EvaluationError(f"equation '{name}' ({eq.expr_src}): {exc}")
            out[name] = col
            scope[name] = col
    return out


def substitute(node, values: dict) -> str:
    """The equation with each name replaced by its value (for the trace)."""
    prec = {"+": 5, "-": 5, "*": 6, "/": 6}

    def r(n, parent=0):
        if isinstance(n, Const):
            return fmt(n.value)
        if isinstance(n, Field):
            return fmt(values[n.path])
        if isinstance(n, Arith):
            p = prec[n.op]
            s = f"{r(n.left, p)} {n.op} {r(n.right, p + 1)}"
            return f"({s})" if p < parent else s
        return str(n)

    return r(node)

"""Evaluate methodology equations on pandas columns of exact Decimals.

The equations were parsed (and unit-checked) by :mod:`pacm.quantities.methodology` into the tree
of :mod:`pacm.expr.ir`; here a name is either a scalar (an ex-ante parameter: one Decimal for
every year) or a column (a monitored series, a built-in such as ``year_fraction``, or an earlier
equation), and ``+ - * /`` apply element by element on object-dtype Series, so every value stays a
Decimal (no float ever enters).
"""

from __future__ import annotations

from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

import pandas as pd

from ..expr.ir import Arith, Const, Field
from .pipeline import PREC, ZERO


class EvaluationError(ValueError):
    pass


def _div(a, b):
    if isinstance(b, pd.Series):
        if any(v == ZERO for v in b):
            raise EvaluationError("division by zero")
        return a / b
    if b == ZERO:
        raise EvaluationError("division by zero")
    return a / b


def value(node, env: dict, index) -> pd.Series | Decimal:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        return env[node.path]
    if isinstance(node, Arith):
        a, b = value(node.left, env, index), value(node.right, env, index)
        try:
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            return _div(a, b)
        except (DivisionByZero, InvalidOperation) as exc:
            raise EvaluationError(f"arithmetic error ({type(exc).__name__})")
    raise EvaluationError(f"cannot evaluate {node!r}")


def as_column(v, index) -> pd.Series:
    if isinstance(v, pd.Series):
        return v.astype(object)
    return pd.Series([v] * len(index), index=index, dtype=object)


def evaluate_equations(equations: dict, env: dict, index) -> dict[str, pd.Series]:
    """Evaluate equations (already in dependency order); returns one Decimal column per equation."""
    out: dict[str, pd.Series] = {}
    scope = dict(env)
    with localcontext() as ctx:
        ctx.prec = PREC
        for name, eq in equations.items():
            try:
                col = as_column(value(eq.tree, scope, index), index)
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


def fmt(v) -> str:
    """Exact text of a number: no exponent, no trailing zeros beyond what the value carries."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        s = format(v, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s or "0"
    return str(v)

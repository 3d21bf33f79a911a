"""Evaluate methodology equations on columns of exact Decimals (plain lists, one value per year).

The equations were parsed (and unit-checked) by :mod:`pacm.quantities.methodology` into the tree
of :mod:`pacm.expr.ir`; here a name is either a scalar (an ex-ante parameter: one Decimal for
every year) or a column (a monitored series, a built-in such as ``year_fraction``, or an earlier
equation, as a :class:`Column`). Each year's value is computed by the one exact interpreter of the
rule language, :func:`pacm.expr.reference.value` (the same walker that decides rules exactly and
computes the derived fields), on that year's scalars, so every value stays a Decimal (no float ever
enters), and the trace text comes from the one renderer, :func:`pacm.expr.ir.render`. No pandas:
``pacm check`` computes its table without importing it.
"""

from __future__ import annotations

from decimal import localcontext

from ..expr.ir import Arith, Const, Field, render
from ..expr.reference import value as exact_value
from .pipeline import PREC, ZERO, fmt  # noqa: F401  (fmt: the exact text of a number, re-exported)


class EvaluationError(ValueError):
    pass


class Column(list):
    """One value per year (a list, so that a scalar and a column can be told apart)."""


def _divides_by_zero(node, env: dict) -> bool:
    """Whether a division of ``node`` has a zero divisor in ``env`` (the reason a value is undefined)."""
    if isinstance(node, Arith):
        if node.op == "/" and exact_value(node.right, env, {}) == ZERO:
            return True
        return _divides_by_zero(node.left, env) or _divides_by_zero(node.right, env)
    return False


def value(node, env: dict):
    """The value of an expression: a :class:`Column` when a name it reads is one, else a scalar Decimal."""
    names = set(_names(node))
    for n in sorted(names):
        if n not in env:
            raise EvaluationError(f"cannot evaluate {node!r}: '{n}' has no value")
    cols = {k: env[k] for k in names if isinstance(env[k], Column)}
    if not cols:
        return _scalar(node, env)
    n_years = len(next(iter(cols.values())))
    return Column(_scalar(node, {**env, **{k: c[i] for k, c in cols.items()}}) for i in range(n_years))


def _names(node) -> list[str]:
    if isinstance(node, Field):
        return [node.path]
    if isinstance(node, Arith):
        return _names(node.left) + _names(node.right)
    if isinstance(node, Const):
        return []
    raise EvaluationError(f"cannot evaluate {node!r}")


def _scalar(node, env: dict):
    v = exact_value(node, env, {})
    if v is None:  # the exact interpreter's "undefined": a zero divisor or an invalid operation
        raise EvaluationError("division by zero" if _divides_by_zero(node, env) else "arithmetic error (InvalidOperation)")
    return v


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
    """The equation with each name replaced by its value (for the trace): :func:`pacm.expr.ir.render`
    with numbers written exactly."""
    return render(node, leaf=lambda n: fmt(n.value) if isinstance(n, Const) else fmt(values[n.path]) if isinstance(n, Field) else None)

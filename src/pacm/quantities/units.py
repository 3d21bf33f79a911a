"""Units of methodology parameters and equations, checked when a methodology loads.

A unit is written as a product of symbols with an optional single ``/``: ``tCO2/MWh``,
``tCO2e/tCH4``, ``t/year``, ``TJ/t``, ``MWh``; ``1``, ``fraction`` or an empty string mean
dimensionless. Exponents use ``^`` (``m^2``). ``tCO2`` is the same unit as ``tCO2e`` (a tonne of
CO2 is its own CO2 equivalent). The check is the one a validator does by eye:
``tCO2/MWh x MWh = tCO2``; adding tonnes to megawatt-hours is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..expr.ir import Arith, Const, Field, Param

Unit = tuple  # sorted ((symbol, exponent), ...)
DIMENSIONLESS: Unit = ()
_ALIASES = {"tCO2": "tCO2e", "tonne": "t", "tonnes": "t", "years": "year", "yr": "year", "days": "day"}
_DIMLESS = {"", "1", "fraction", "dimensionless", "-", "ratio", "share"}
_TOKEN = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)(?:\^(-?\d+))?$")


class UnitError(ValueError):
    pass


def parse_unit(text) -> Unit:
    if text is None:
        raise UnitError("no unit declared")
    s = str(text).strip()
    if s in _DIMLESS:
        return DIMENSIONLESS
    if s.count("/") > 1:
        raise UnitError(f"unit {s!r}: use at most one '/'; everything after it is the denominator (t/ha*year)")
    num, _, den = s.partition("/")
    out: dict[str, int] = {}
    for part, sign in ((num, 1), (den, -1)):
        for tok in re.split(r"[*·\s]+", part.strip()):
            if not tok or tok in _DIMLESS:
                continue
            m = _TOKEN.match(tok)
            if not m:
                raise UnitError(f"unit {s!r}: cannot read {tok!r}")
            sym = _ALIASES.get(m.group(1), m.group(1))
            out[sym] = out.get(sym, 0) + sign * int(m.group(2) or 1)
    return tuple(sorted((k, v) for k, v in out.items() if v))


def mul(a: Unit, b: Unit, sign: int = 1) -> Unit:
    out = dict(a)
    for k, v in b:
        out[k] = out.get(k, 0) + sign * v
    return tuple(sorted((k, v) for k, v in out.items() if v))


def show(u: Unit) -> str:
    if not u:
        return "1"
    num = "*".join(k if v == 1 else f"{k}^{v}" for k, v in u if v > 0) or "1"
    den = "*".join(k if v == -1 else f"{k}^{-v}" for k, v in u if v < 0)
    return f"{num}/{den}" if den else num


_ANY = "any"  # the literal 0 fits any unit


def unit_of(node, units: dict[str, Unit], render) -> Unit | str:
    """The unit of an expression tree, or raise UnitError naming the offending sub-expression."""
    if isinstance(node, Const):
        if isinstance(node.value, Decimal) and node.value == 0:
            return _ANY
        return DIMENSIONLESS
    if isinstance(node, (Field, Param)):
        name = node.path if isinstance(node, Field) else node.name
        return units[name]
    if isinstance(node, Arith):
        a = unit_of(node.left, units, render)
        b = unit_of(node.right, units, render)
        if node.op in "+-":
            if a == _ANY:
                return b
            if b == _ANY or a == b:
                return a
            raise UnitError(
                f"'{render(node)}' adds or subtracts {show(a)} ({render(node.left)}) and {show(b)} ({render(node.right)})"
            )
        if a == _ANY or b == _ANY:
            return _ANY
        return mul(a, b, 1 if node.op == "*" else -1)
    raise UnitError(f"unsupported expression {node!r}")


def check(node, units: dict[str, Unit], declared: Unit, render) -> None:
    got = unit_of(node, units, render)
    if got != _ANY and got != declared:
        raise UnitError(f"'{render(node)}' gives {show(got)}, but the equation declares {show(declared)}")

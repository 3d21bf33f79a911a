"""Strict scalar types for the PDD model.

Why not pydantic's lax defaults: a PDD is evidence. ``"12"`` for an IRR, ``true`` for a count, an
integer where a date belongs (pydantic would read it as a Unix timestamp) or a float that lost
its digits are mistakes to report, not to coerce. Numbers are exact :class:`~decimal.Decimal`
(the YAML loader already reads ``0.92237`` as a Decimal).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints


def _number(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a number, found true/false")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("expected a finite number")
        return Decimal(repr(v))
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError("expected a finite number")
        return v
    if isinstance(v, str):
        raise ValueError(f"expected a number, found the text {v!r} (remove the quotes)")
    raise ValueError(f"expected a number, found {type(v).__name__}")


def _integer(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a whole number, found true/false")
    if isinstance(v, Decimal):
        if v != v.to_integral_value():
            raise ValueError(f"expected a whole number, found {v}")
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        raise ValueError(f"expected a whole number, found the text {v!r}")
    return v


def _date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        if v.time() != dt.time(0, 0) or v.tzinfo is not None:
            raise ValueError("expected a date without a time of day")
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            raise ValueError(f"expected a date YYYY-MM-DD, found {v!r}")
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        raise ValueError(f"expected a date YYYY-MM-DD, found the number {v}")
    raise ValueError(f"expected a date YYYY-MM-DD, found {type(v).__name__}")


def _strict_bool(v: Any) -> Any:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, found {v!r}")
    return v


def _strict_str(v: Any) -> Any:
    if not isinstance(v, str):
        raise ValueError(f"expected text, found {type(v).__name__} {v!r}")
    return v


def _fraction(v: Decimal) -> Decimal:
    if not (Decimal(0) <= v <= Decimal(1)):
        raise ValueError(f"expected a fraction between 0 and 1, found {v}")
    return v


def _nonneg(v: Decimal) -> Decimal:
    if v < 0:
        raise ValueError(f"expected a value of 0 or more, found {v}")
    return v


Number = Annotated[Decimal, BeforeValidator(_number)]
NonNegative = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_nonneg)]
Fraction = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_fraction)]
Integer = Annotated[int, BeforeValidator(_integer)]
Count = Annotated[int, BeforeValidator(_integer), Field(ge=0)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Bool = Annotated[bool, BeforeValidator(_strict_bool)]
Text = Annotated[str, BeforeValidator(_strict_str), StringConstraints(min_length=1, max_length=20000)]
ShortText = Annotated[str, BeforeValidator(_strict_str), StringConstraints(min_length=1, max_length=500)]
IsoAlpha3 = Annotated[
    str, BeforeValidator(_strict_str), StringConstraints(pattern=r"^[A-Z]{3}$")
]


def unit(u: str, description: str, **kw) -> Any:
    """A pydantic Field carrying a description and a unit (shown in the JSON Schema and the Excel template)."""
    extra = dict(kw.pop("json_schema_extra", {}) or {})
    extra["unit"] = u
    return Field(description=description, json_schema_extra=extra, **kw)


def doc(description: str, **kw) -> Any:
    return Field(description=description, **kw)

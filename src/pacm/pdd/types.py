"""Strict scalar types for the PDD model.

Why not pydantic's lax defaults: a PDD is evidence. ``"12"`` for an IRR, ``true`` for a count, an
integer where a date belongs (pydantic would read it as a Unix timestamp) or a float that lost
its digits are mistakes to report, not to coerce. Numbers are exact :class:`~decimal.Decimal`
(the YAML loader already reads ``0.92237`` as a Decimal).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .. import limits


def wrong(code: str, found: str, expected: str, hint: str | None = None) -> PydanticCustomError:
    """A validation error with a stable kebab-case code, and 'found' / 'expected' kept apart.

    :mod:`pacm.pdd.load` turns it into ``field.path (line N): found ... (expected ...); hint [code]``.
    The message goes through the context, never the template, so braces in a value are harmless.
    """
    return PydanticCustomError(code, "{found}", {"found": found, "expected": expected, "hint": hint or ""})


def _shown(v: Any) -> str:
    """A user's value in words: 'the text '12.0'', 'true/false', 'the number 5', 'a list'."""
    if isinstance(v, bool):
        return f"the true/false value {str(v).lower()}"
    if isinstance(v, str):
        return f"the text {limits.cut(v)!r}"
    if isinstance(v, dt.datetime):
        return f"the date and time {v.isoformat()}"
    if isinstance(v, dt.date):
        return f"the date {v.isoformat()}"
    if isinstance(v, (int, float, Decimal)):
        return f"the number {v}"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing (null)"
    return type(v).__name__


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text.strip().replace(",", ""))
        return True
    except InvalidOperation:
        return False


def _bounded(v: Any) -> None:
    """Refuse a number outside :mod:`pacm.limits` before any conversion of it (``int()`` of 1e99999999 never ends)."""
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        try:
            limits.check_number(v)
        except limits.OutOfBounds as exc:
            raise wrong(exc.code, f"found {exc.found}", exc.expected)


def _number(v: Any) -> Any:
    if isinstance(v, bool):
        raise wrong("wrong-type", f"found {_shown(v)}", "a number")
    _bounded(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise wrong("not-finite", f"found {v}", "a finite number")
        return Decimal(repr(v))
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise wrong("not-finite", f"found {v}", "a finite number")
        return v
    if isinstance(v, str):
        hint = "remove the quotes" if _looks_numeric(v) and "," not in v else None
        if hint is None and _looks_numeric(v):
            hint = "write the number without quotes or thousands separators"
        raise wrong("wrong-type", f"found {_shown(v)}", "a number", hint)
    raise wrong("wrong-type", f"found {_shown(v)}", "a number")


def _integer(v: Any) -> Any:
    if isinstance(v, bool):
        raise wrong("wrong-type", f"found {_shown(v)}", "a whole number")
    _bounded(v)
    if isinstance(v, Decimal):
        if not v.is_finite() or v != v.to_integral_value():
            raise wrong("wrong-type", f"found {_shown(v)}", "a whole number")
        return int(v)
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        raise wrong("wrong-type", f"found {_shown(v)}", "a whole number")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        hint = "remove the quotes" if v.strip().lstrip("+-").isdigit() else None
        raise wrong("wrong-type", f"found {_shown(v)}", "a whole number", hint)
    raise wrong("wrong-type", f"found {_shown(v)}", "a whole number")


_YEAR_TEXT = re.compile(r"^[0-9]{4}$")


def _year_key(v: Any) -> Any:
    """A calendar year used as a mapping key: ``2026`` in YAML, ``"2026"`` in JSON (whose keys are text).

    Text must be exactly four ASCII digits: ``" 2027"`` or full-width ``"２０２７"`` would otherwise
    become a second key 2027 after conversion (see :func:`canonical_years`).
    """
    if isinstance(v, str):
        if not _YEAR_TEXT.match(v):
            raise wrong("bad-year", f"found the key {limits.cut(v)!r}", "a calendar year written with the digits 0-9, such as 2026")
        v = int(v)
    elif isinstance(v, bool) or not isinstance(v, int):
        raise wrong("wrong-type", f"found the key {limits.cut(repr(v))}", "a calendar year such as 2026")
    try:
        limits.check_year(v)
    except limits.OutOfBounds as exc:
        raise wrong(exc.code, f"found {exc.found}", exc.expected)
    return v


def canonical_years(v: Any) -> Any:
    """A year -> value mapping with one key per year: ``2027`` and ``"2027"`` together are a duplicate."""
    if not isinstance(v, dict):
        return v
    seen: dict[int, Any] = {}
    for k in v:
        try:
            y = _year_key(k)
        except PydanticCustomError:
            continue  # reported by the key's own validation
        if y in seen:
            raise wrong("duplicate-key", f"the year {y} is given twice (as {seen[y]!r} and {k!r})",
                        "each year once", "pacm will not guess which of the two values you meant")
        seen[y] = k
    return v


_ISO_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        if v.time() != dt.time(0, 0) or v.tzinfo is not None:
            raise wrong("bad-date", f"found {_shown(v)}", "a date YYYY-MM-DD without a time of day")
        return _date(v.date())
    if isinstance(v, dt.date):
        try:
            limits.check_date(v)
        except limits.OutOfBounds as exc:
            raise wrong(exc.code, f"found {exc.found}", exc.expected)
        return v
    if isinstance(v, str):
        text = v.strip()
        if _ISO_DATE_SHAPE.match(text):
            try:
                v = dt.date.fromisoformat(text)
            except ValueError as exc:
                raise wrong("impossible-date", f"'{text}' is not a real date ({exc})", "a calendar date YYYY-MM-DD")
            return _date(v)
        raise wrong("bad-date", f"found {_shown(v)}", "a date YYYY-MM-DD")
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        hint = "write it as YYYY-MM-DD" if len(str(v)) == 8 else None
        raise wrong("wrong-type", f"found {_shown(v)}", "a date YYYY-MM-DD", hint)
    raise wrong("wrong-type", f"found {_shown(v)}", "a date YYYY-MM-DD")


def _strict_bool(v: Any) -> Any:
    if not isinstance(v, bool):
        hint = None
        if isinstance(v, str) and v.strip().lower() in ("yes", "no", "y", "n", "on", "off", "true", "false"):
            hint = "write true or false without quotes"
        raise wrong("wrong-type", f"found {_shown(v)}", "true or false", hint)
    return v


def _strict_str(v: Any) -> Any:
    if not isinstance(v, str):
        hint = None
        if isinstance(v, (int, Decimal, dt.date)) and not isinstance(v, bool):
            hint = f"put it in quotes if it is text: '{v}'"
        raise wrong("wrong-type", f"found {_shown(v)}", "text", hint)
    why = limits.text_problem(v)
    if why is not None:
        code, found = why
        raise wrong(code, found, "printable text with at least one visible character")
    return v


_ISO3 = re.compile(r"^[A-Z]{3}$")


def _iso_alpha3(v: Any) -> Any:
    if not isinstance(v, str):
        raise wrong("wrong-type", f"found {_shown(v)}", "an ISO 3166-1 alpha-3 country code such as 'IND'")
    if _ISO3.match(v):
        return v
    hint = None
    try:  # suggest the alpha-3 code of an alpha-2 code or a lower-case code (NO -> NOR)
        from ..hosts import parties

        table = parties()
        up = v.strip().upper()
        if up in table:
            hint = f"did you mean '{up}'?"
        else:
            for p in table.values():
                if p.iso2 == up:
                    hint = f"did you mean '{p.iso3}' ({p.name})?"
                    break
    except Exception:  # pragma: no cover - the hint is a courtesy
        hint = None
    raise wrong("bad-country-code", f"found {_shown(v)}", "an ISO 3166-1 alpha-3 country code: three capital letters such as 'IND'", hint)


def _fraction(v: Decimal) -> Decimal:
    if not (Decimal(0) <= v <= Decimal(1)):
        raise wrong("out-of-range", f"found the number {v}", "a fraction between 0 and 1 (0.10 means 10 %)")
    return v


def _nonneg(v: Decimal) -> Decimal:
    if v < 0:
        raise wrong("out-of-range", f"found the number {v}", "a value of 0 or more")
    return v


class Bounds:
    """Shows a range in the JSON Schema (``minimum`` / ``maximum``), so editors flag a value as it is typed.

    The check itself is the AfterValidator beside it, which raises pacm's ``out-of-range`` error with the
    expected range in words; pydantic's own ``ge``/``le`` would replace that message with its own.
    """

    def __init__(self, lo: Decimal | int | None, hi: Decimal | int | None):
        self.lo, self.hi = lo, hi

    def __get_pydantic_json_schema__(self, core_schema, handler):
        js = handler(core_schema)
        target = js
        alts = js.get("anyOf")
        if isinstance(alts, list):  # a Decimal is number-or-string in pydantic's schema: bound the number
            target = next((a for a in alts if a.get("type") in ("number", "integer")), js)
        for junk in ("ge", "le"):  # pydantic leaves these non-standard keys when a constraint sits beside validators
            target.pop(junk, None)
        for key, v in (("minimum", self.lo), ("maximum", self.hi)):
            if v is not None:
                target[key] = int(v) if v == int(v) else float(v)
        return js


def in_range(lo, hi, expected: str):
    """An AfterValidator and a schema marker for a closed range [lo, hi] (None: unbounded on that side)."""

    def check(v):
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise wrong("out-of-range", f"found the number {v}", expected)
        return v

    return AfterValidator(check), Bounds(lo, hi)


#: Years a PDD's dates and yearly series may name: a crediting year outside 2000-2100 is a typo (2206 for 2026).
YEAR_MIN, YEAR_MAX = 2000, 2100

Number = Annotated[Decimal, BeforeValidator(_number)]
NonNegative = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_nonneg), Bounds(0, None)]
Fraction = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_fraction), Bounds(0, 1)]
#: a percentage of something (a benchmark return): 0 to 100
Percent = Annotated[(Decimal, BeforeValidator(_number), *in_range(Decimal(0), Decimal(100), "a percentage between 0 and 100 (12 means 12 %)"))]
#: a signed percentage (an IRR, a sensitivity variation): -100 to 100; an IRR cannot be below -100 %
SignedPercent = Annotated[(Decimal, BeforeValidator(_number), *in_range(Decimal(-100), Decimal(100), "a percentage between -100 and 100 (9.8 means 9.8 %)"))]
Integer = Annotated[int, BeforeValidator(_integer)]
#: a whole number of at least 1 (a crediting-period length in years, a crediting-period number)
PositiveInteger = Annotated[(int, BeforeValidator(_integer), *in_range(1, None, "a whole number of at least 1"))]
YearKey = Annotated[(int, BeforeValidator(_year_key), *in_range(YEAR_MIN, YEAR_MAX, f"a calendar year between {YEAR_MIN} and {YEAR_MAX}"))]
#: Values by calendar year, one key per year whatever its spelling (``2027`` and ``"2027"``).
YearlyValues = Annotated[dict[YearKey, Number], BeforeValidator(canonical_years)]
Count = Annotated[int, BeforeValidator(_integer), Field(ge=0), Bounds(0, None)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Bool = Annotated[bool, BeforeValidator(_strict_bool)]
Text = Annotated[str, BeforeValidator(_strict_str), StringConstraints(min_length=1, max_length=20000)]
ShortText = Annotated[str, BeforeValidator(_strict_str), StringConstraints(min_length=1, max_length=500)]
IsoAlpha3 = Annotated[
    str, BeforeValidator(_iso_alpha3), StringConstraints(pattern=r"^[A-Z]{3}$")
]


def unit(u: str, description: str, **kw) -> Any:
    """A pydantic Field carrying a description and a unit (shown in the JSON Schema and the Excel template)."""
    extra = dict(kw.pop("json_schema_extra", {}) or {})
    extra["unit"] = u
    return Field(description=description, json_schema_extra=extra, **kw)


def doc(description: str, **kw) -> Any:
    return Field(description=description, **kw)

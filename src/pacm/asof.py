"""The date a check is made on (``--as-of``, ``as_of=``), parsed once for every interface.

Why its own module: the command line, the Python API (:func:`pacm.api.as_date`) and the web
service all take a date from a person as text; one parser gives all three the same rule
(``YYYY-MM-DD`` only, a real calendar date) and the same exit-2 message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from . import limits
from .errors import PacmInputError


def parse_date(value: Optional[str], what: str = "--as-of") -> dt.date:
    """A calendar date written YYYY-MM-DD (the form PDD files use); anything else is exit 2."""
    if value is None:
        return dt.date.today()
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise PacmInputError.single(
            "command line", "bad-date", f"{what} {value!r} is not a date", expected="a date YYYY-MM-DD, e.g. 2026-11-01"
        )
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise PacmInputError.single(
            "command line", "impossible-date", f"{what} {value!r} is not a real date ({exc})", expected="a calendar date YYYY-MM-DD"
        )
    return bounded_date(day, what)


def bounded_date(day: dt.date, what: str = "--as-of") -> dt.date:
    """``day`` when inside pacm's date window (``pacm.limits``): an as-of date of 9999-12-31 made the
    reassessment dates step past the calendar (found by the hostile-input generator, issue 11)."""
    try:
        limits.check_date(day)
    except limits.OutOfBounds as exc:
        raise PacmInputError.single("command line", exc.code, f"{what} {day.isoformat()}: {exc.found}", expected=exc.expected)
    return day

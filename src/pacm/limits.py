"""The bounds every value pacm reads must fit, in one place.

Why: numbers and dates from a user's file reach pydantic, :mod:`decimal` contexts, ``int()``,
``float()``, date arithmetic and the durable-rules C core. Each of those fails in its own way on an
extreme value (``1e400`` is ``inf`` as a float, ``int(Decimal('1e99999999'))`` never finishes, a
16-digit integer cannot be held by durable-rules' fact parser, ``date(9999, 12, 31) + 1 year`` is a
``ValueError``). So every number and date is checked against these bounds *as it is loaded*
(YAML, JSON, Excel cells, CSV cells, ``--param`` values), before any of them sees it, and a value
outside them is an input error (exit 2) naming the file and field.

The bounds are generic (representability), not domain ranges: a fraction in [0, 1] or a
crediting period of at least one year is the PDD model's business (:mod:`pacm.pdd.model`).

* A number has at most :data:`MAX_INT_DIGITS` digits before the decimal point (so its size is
  below 10^15) and at most :data:`MAX_FRACTION_DIGITS` after it (trailing zeros do not count),
  and at most :data:`MAX_SIGNIFICANT_DIGITS` significant digits: such a number converts to a
  binary float and back without change, which is what the Rete evaluator compares.
* A date, and a year used as a key, lie in :data:`YEAR_MIN` .. :data:`YEAR_MAX`: wide enough
  for any CDM or Article 6.4 record (the CDM began in 2001; a crediting period of 3 x 15 years
  started in 2100 still ends before 2200) and for the spreadsheet epoch 1899-12-30 the column
  mapping names, narrow enough that adding a crediting period to a date never leaves Python's
  calendar.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_INT_DIGITS = 15
MAX_FRACTION_DIGITS = 15
MAX_SIGNIFICANT_DIGITS = 15
YEAR_MIN = 1800
YEAR_MAX = 2199
DATE_MIN = dt.date(YEAR_MIN, 1, 1)
DATE_MAX = dt.date(YEAR_MAX, 12, 31)
#: Longest text of a user's value quoted in a message (the rest is cut with '...').
MAX_QUOTED = 60

# -- files: every size limit of an input or an output name, in this one place (README "Bad input")
#: A YAML or JSON file (a PDD, a rule, parameter or methodology file, --params), checked before reading.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Deepest nesting of mappings and lists in a YAML or JSON document.
MAX_DEPTH = 40
#: An ``--out`` file name, in bytes (most file systems stop at 255).
MAX_OUT_NAME = 200
# -- Excel workbooks (the pacm template), checked while the zip is read, before any cell is converted
MAX_XLSX_BYTES = 10 * 1024 * 1024  # the .xlsx file itself
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # all its parts, counted while inflating (not the sizes the zip claims)
MAX_ZIP_MEMBERS = 1000  # parts in the zip (a pacm template has about 20)
MAX_ROWS = 5000  # rows of one sheet
MAX_COLS = 100  # columns read (cells further right are ignored)
MAX_CELLS_PER_ROW = 1000  # cell elements in one row, empty or not
MAX_CELLS = 250_000  # cell elements in the whole workbook

NUMBER_EXPECTED = (
    f"a finite number with at most {MAX_INT_DIGITS} digits before the decimal point, "
    f"{MAX_FRACTION_DIGITS} after it and {MAX_SIGNIFICANT_DIGITS} significant digits"
)
DATE_EXPECTED = f"a date between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"
YEAR_EXPECTED = f"a calendar year from {YEAR_MIN} to {YEAR_MAX}"


class OutOfBounds(ValueError):
    """A value outside pacm's load-time bounds: ``code``, ``found`` and ``expected`` in words."""

    def __init__(self, code: str, found: str, expected: str):
        self.code, self.found, self.expected = code, found, expected
        super().__init__(f"{found} (expected {expected})")


def shown_number(v: Any) -> str:
    """A number as the user wrote it, cut when long (a 5,000-digit number is not echoed whole)."""
    text = format(v, "") if isinstance(v, Decimal) else repr(v) if isinstance(v, float) else str(v)
    if len(text) > 30:
        return f"{text[:12]}...{text[-6:]} ({len(text):,} characters)"
    return text


def number_problem(v: Any) -> str | None:
    """Why the number ``v`` (int, float or Decimal) is outside the bounds, or None when it fits.

    Cheap for any input: it looks at the digits and exponent, never converts a huge value.
    """
    if isinstance(v, bool):
        return None
    if isinstance(v, float):
        if not math.isfinite(v):
            return "is not a finite number"
        v = Decimal(repr(v))
    elif isinstance(v, int):
        # int: its digit count without converting it to text when it is huge
        if v.bit_length() > 64:
            return "has more than 15 digits before the decimal point"
        v = Decimal(v)
    if not isinstance(v, Decimal):
        return None
    if not v.is_finite():
        return "is not a finite number"
    if v.is_zero():
        return None
    sign, digits, exp = v.as_tuple()
    # strip trailing zeros of the coefficient (1.500 has 2 significant digits)
    n = len(digits)
    while n > 1 and digits[n - 1] == 0:
        n -= 1
        exp += 1
    int_digits = n + exp  # digits before the point (<= 0: a pure fraction)
    if int_digits > MAX_INT_DIGITS:
        return f"has {int_digits:,} digits before the decimal point"
    frac_digits = -exp if exp < 0 else 0
    if frac_digits > MAX_FRACTION_DIGITS:
        return f"has {frac_digits:,} digits after the decimal point"
    if n > MAX_SIGNIFICANT_DIGITS:
        return f"has {n:,} significant digits"
    return None


def check_number(v: Any) -> None:
    """Raise :class:`OutOfBounds` when ``v`` is outside the number bounds."""
    why = number_problem(v)
    if why is not None:
        raise OutOfBounds("number-out-of-bounds", f"the number {shown_number(v)} {why}", NUMBER_EXPECTED)


def check_date(d: dt.date) -> None:
    """Raise :class:`OutOfBounds` when ``d`` is outside the date window."""
    day = d.date() if isinstance(d, dt.datetime) else d
    if not (DATE_MIN <= day <= DATE_MAX):
        raise OutOfBounds("date-out-of-bounds", f"the date {d.isoformat()} is outside pacm's window", DATE_EXPECTED)


def check_year(y: int) -> None:
    if not (YEAR_MIN <= y <= YEAR_MAX):
        raise OutOfBounds("year-out-of-bounds", f"the year {shown_number(y)} is outside pacm's window", YEAR_EXPECTED)


def parse_decimal(text: str) -> Decimal | None:
    """``Decimal(text)`` or None; cheap for any text (the exponent is not expanded)."""
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


# ----------------------------------------------------------------------------- text
#: Bidirectional-text controls: they reorder what a reader sees ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters a text field may not hold: C0 and C1 controls but tab and line feed, DEL, lone
#: surrogates (a JSON ``"\ud800"``), bidi controls.
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{BIDI_CONTROLS}]")
#: Characters that show nothing: white space, format characters (zero-width space, BOM, ...).
_INVISIBLE = re.compile("[\\s\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\u3164\uffa0]*")


def text_problem(s: str) -> tuple[str, str] | None:
    """``(code, found)`` when a text holds a forbidden character or nothing visible, else None."""
    bad = _FORBIDDEN.search(s)
    if bad is not None:
        ch = bad.group()
        return "bad-character", f"the text holds the control character U+{ord(ch):04X} at position {bad.start() + 1}"
    if _INVISIBLE.fullmatch(s):
        return "empty-text", "found a text with no visible character" if s else "found an empty text"
    return None


def cut(s: str, n: int = MAX_QUOTED) -> str:
    """``s`` cut to ``n`` characters with '...' (a user's text quoted in a message)."""
    return s if len(s) <= n else s[:n] + "..."

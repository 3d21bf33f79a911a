"""Reading the columns of a registry export into typed values, and recording what is wrong.

Every cell is turned into a Python value of its column's type (``date``, exact ``Decimal``, ``int``,
text) or ``None``. A cell that cannot be read is never a crash: it becomes an ``input.*`` finding
naming the column and the row keeps going with that value missing (so rules needing it report
``insufficient_data``). Cells that are readable but stored wrongly (dates as Excel serial numbers)
are read and reported too, so the defect stays visible.

The same code reads an ``.xlsx`` (typed cells: dates, floats) and a ``.csv`` (all text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import limits

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_NUMERIC = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_FLAG = re.compile(r"^(\d+) (?:LDCs|SIDS) of (\d+) countries$")
_ISO2 = re.compile(r"^[A-Z]{2}$")


@dataclass
class InputFinding:
    """A problem with one cell (or a few cells) of one row; becomes an ``input.*`` finding."""

    row: int
    rule: str
    status: str  # fail | insufficient_data
    severity: str  # error | warning | info
    columns: tuple[str, ...]
    message: str


def is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:  # pandas NaT / NA
        import pandas as pd

        return v is pd.NaT or v is pd.NA
    except ImportError:  # pragma: no cover
        return False


def _fmt_raw(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{v:.1f}"
    return str(v)


def parse_dates(values: list, header: str, serial: dict, out: list[InputFinding]) -> tuple[list, list[bool]]:
    """Dates from real dates, ISO text or Excel serial numbers (number or numeric text).

    Returns the dates and, per row, whether the cell was a serial number (reported once per row by
    the caller, for all such columns together).
    """
    epoch: dt.date = serial["epoch"]
    lo, hi = int(serial["min"]), int(serial["max"])
    res: list = [None] * len(values)
    was_serial = [False] * len(values)
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        if isinstance(v, dt.datetime) or (hasattr(v, "to_pydatetime") and hasattr(v, "date")):
            res[i] = _in_window(v.date(), i, header, out)
            continue
        if isinstance(v, dt.date):
            res[i] = _in_window(v, i, header, out)
            continue
        num = None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            num = float(v)
        elif isinstance(v, str):
            s = v.strip()
            if _ISO.match(s):
                try:
                    res[i] = _in_window(dt.date.fromisoformat(s[:10]), i, header, out)
                    continue
                except ValueError:
                    pass
            elif _NUMERIC.match(s):
                num = float(s)
        if num is not None and math.isfinite(num) and num.is_integer() and lo <= num <= hi:
            res[i] = epoch + dt.timedelta(days=int(num))
            was_serial[i] = True
            continue
        out.append(
            InputFinding(
                i, "input.bad_date", "fail", "warning", (header,),
                f"'{header}' holds {_fmt_raw(v)!r}, which is not a date (ISO date or an Excel serial number "
                f"between {lo} and {hi}); the value is not used.",
            )
        )
    return res, was_serial


def _in_window(d: dt.date, i: int, header: str, out: list[InputFinding]) -> dt.date | None:
    """``d`` when inside :mod:`pacm.limits`' date window; else an ``input.date_out_of_bounds`` finding and
    None (a crediting period ending 9999-12-31 made year arithmetic overflow and aborted the batch)."""
    if limits.DATE_MIN <= d <= limits.DATE_MAX:
        return d
    out.append(InputFinding(i, "input.date_out_of_bounds", "fail", "warning", (header,),
                            f"'{header}' holds {d.isoformat()}, outside pacm's window ({limits.DATE_EXPECTED}); "
                            "the value is not used."))
    return None


def _decimal(v: Any) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v)) if math.isfinite(v) else None
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    if isinstance(v, str) and _NUMERIC.match(v.strip()):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def _shown(v: Any) -> str:
    """A cell's value for a message, cut (a 5,000-digit cell is not echoed whole)."""
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounded(d: Decimal, i: int, header: str, out: list[InputFinding]) -> bool:
    """True when ``d`` is inside :mod:`pacm.limits`; else an ``input.number_out_of_bounds`` finding."""
    why = limits.number_problem(d)
    if why is None:
        return True
    out.append(InputFinding(i, "input.number_out_of_bounds", "fail", "warning", (header,),
                            f"'{header}' holds {limits.shown_number(d)}, which {why}; the value is not used."))
    return False


def parse_numbers(values: list, header: str, out: list[InputFinding]) -> list:
    res: list = [None] * len(values)
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        d = _decimal(v)
        if d is None:
            out.append(InputFinding(i, "input.not_a_number", "fail", "warning", (header,),
                                    f"'{header}' holds {_shown(v)}, which is not a number; the value is not used."))
        elif not _bounded(d, i, header, out):
            continue
        else:
            res[i] = d
    return res


def parse_integers(values: list, header: str, out: list[InputFinding]) -> list:
    res: list = [None] * len(values)
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        d = _decimal(v)
        if d is not None and not _bounded(d, i, header, out):
            continue  # checked before to_integral_value/int(): int(Decimal('1e99999999')) never finishes
        if d is None or d != d.to_integral_value():
            out.append(InputFinding(i, "input.not_a_whole_number", "fail", "warning", (header,),
                                    f"'{header}' holds {_shown(v)}, which is not a whole number; the value is not used."))
        else:
            res[i] = int(d)
    return res


def parse_texts(values: list) -> list:
    res: list = [None] * len(values)
    for i, v in enumerate(values):
        if is_missing(v):
            continue
        s = v if isinstance(v, str) else _fmt_raw(v)
        s = " ".join(s.split())
        res[i] = s or None
    return res


def parse_choices(values: list, header: str, choices: dict, out: list[InputFinding]) -> list:
    texts = parse_texts(values)
    res: list = [None] * len(values)
    for i, s in enumerate(texts):
        if s is None:
            continue
        if s in choices:
            res[i] = choices[s]
        else:
            known = ", ".join(repr(k) for k in choices)
            out.append(InputFinding(i, "input.unknown_value", "fail", "warning", (header,),
                                    f"'{header}' holds {s!r}, which the mapping does not know (one of {known}); "
                                    "the value is not used."))
    return res


def parse_hosts(values: list, header: str, known_iso2: set, out: list[InputFinding]) -> list:
    """``"GH; LR; NG"`` -> ``["GH", "LR", "NG"]``; unknown codes are reported and left out."""
    texts = parse_texts(values)
    res: list = [None] * len(values)
    for i, s in enumerate(texts):
        if s is None:
            continue
        codes = [c.strip().upper() for c in re.split(r"[;,]", s) if c.strip()]
        good = [c for c in codes if _ISO2.match(c) and c in known_iso2]
        bad = [c for c in codes if c not in good]
        if bad:
            out.append(InputFinding(i, "input.unknown_host", "fail", "warning", (header,),
                                    f"'{header}' lists {', '.join(bad)}, not ISO 3166 alpha-2 codes of the UN M49 "
                                    "table; left out."))
        res[i] = good or None
    return res


def parse_flags(values: list, header: str, out: list[InputFinding]) -> list:
    """The export's LDC/SIDS flag: ``"Yes"``/``"No"`` -> True/False, ``"3 LDCs of 4 countries"`` -> (3, 4)."""
    texts = parse_texts(values)
    res: list = [None] * len(values)
    for i, s in enumerate(texts):
        if s is None:
            continue
        if s in ("Yes", "No"):
            res[i] = s == "Yes"
            continue
        m = _FLAG.match(s)
        if m:
            res[i] = (int(m.group(1)), int(m.group(2)))
        else:
            out.append(InputFinding(i, "input.unknown_value", "fail", "info", (header,),
                                    f"'{header}' holds {s!r}; expected Yes, No or 'N LDCs|SIDS of M countries'."))
    return res

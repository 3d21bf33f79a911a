"""The rules of calendar time pacm applies, each in one place.

Anniversaries, period ends and day counts decide findings (a crediting period's length, a notification
delay) and tonnes (the days credited in a calendar year). They were written out in several modules,
each a chance to count a day differently; they live here, and the derive layer of the rule pack
(``rules/derive.yaml``) calls them through the whitelisted functions of :mod:`pacm.expr.functions`.

Conventions (pinned by tests/test_dates.py):

* a year after 29 February is 1 March in a common year (UNFCCC data, case C10: a 7-year period from
  2012-02-29 ends 2019-02-28, the day before 2019-03-01);
* a period of N years starting on day S ends the day before the N-th anniversary of S;
* day counts that name both ends include both (a period from 1 to 31 January has 31 days).

Dates pacm reads lie in :data:`pacm.limits.DATE_MIN` .. :data:`pacm.limits.DATE_MAX`, so a crediting
period added to one stays inside Python's calendar; a result that would leave it (year 0 or 10000)
raises :class:`OutOfCalendar` (a ``ValueError``), never a silent wrap.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Iterator


class OutOfCalendar(ValueError):
    """A date computed from two valid ones falls outside years 1..9999."""


def add_years(start: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` after ``start`` (before it for a negative number); 29 February rolls to
    1 March in a common year."""
    year = start.year + int(years)
    if not (dt.MINYEAR <= year <= dt.MAXYEAR):
        raise OutOfCalendar(f"{start.isoformat()} + {years} years is outside the calendar (years 1 to 9999)")
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def period_end(start: dt.date, years: int) -> dt.date:
    """Last day of a period of ``years`` years starting ``start``: the anniversary minus one day."""
    anniversary = add_years(start, years)
    if anniversary == dt.date.min:
        raise OutOfCalendar(f"a period of {years} years from {start.isoformat()} ends before year 1")
    return anniversary - dt.timedelta(days=1)


def days_between(first: dt.date, last: dt.date) -> int:
    """Days from ``first`` to ``last`` (``last - first``; negative when ``last`` is earlier)."""
    return (last - first).days


def days_inclusive(first: dt.date, last: dt.date) -> int:
    """Days from ``first`` to ``last`` with both ends counted: 1 for a single day, 0 or less when ``last``
    is before ``first``."""
    return (last - first).days + 1


def years_spanned(start: dt.date, end: dt.date) -> int:
    """Fewest whole years N (N >= 0) with ``add_years(start, N) >= end``.

    An end on the N-th anniversary itself (one day past ``period_end(start, N)``, as 1,254 CDM periods of the
    UNFCCC export are recorded) counts as N years, and so does the regular end ``period_end(start, N)``."""
    if end < start:
        raise ValueError(f"the end {end.isoformat()} is before the start {start.isoformat()}")
    n = max(0, end.year - start.year - 1)
    while add_years(start, n) < end:
        n += 1
    return n


def days_in_year(year: int) -> int:
    """366 in a leap year, else 365 (the ``actual_actual`` day-count basis)."""
    return 366 if calendar.isleap(year) else 365


#: the day-count conventions of ``crediting.day_count`` (methodologies/parameters/crediting.yaml)
DAY_COUNTS = ("actual_actual", "actual_365")


def year_basis(year: int, day_count: str) -> int:
    """Days of ``year`` a year fraction is counted against: its own length (``actual_actual``) or 365
    (``actual_365``). The one implementation used by the single check, the reconciliation and the batch."""
    if day_count == "actual_actual":
        return days_in_year(year)
    if day_count == "actual_365":
        return 365
    raise ValueError(f"day count {day_count!r} is not one of {', '.join(DAY_COUNTS)}")


def calendar_year_slices(first: dt.date, last: dt.date) -> Iterator[tuple[int, dt.date, dt.date, int]]:
    """``(year, from, to, days)`` for each calendar year the days ``first`` .. ``last`` (both included)
    touch, ``days`` counted with both ends: how a crediting period splits into monitoring years."""
    for y in range(first.year, last.year + 1):
        lo, hi = max(first, dt.date(y, 1, 1)), min(last, dt.date(y, 12, 31))
        if hi >= lo:
            yield y, lo, hi, days_inclusive(lo, hi)

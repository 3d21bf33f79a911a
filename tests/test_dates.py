"""pacm.dates: the one home of anniversaries, period ends and day counts (issue 15 item 3).

Every expected value is hand arithmetic written beside it, or a figure from the UNFCCC data (real case C10)."""

from __future__ import annotations

import datetime as dt

import pytest

from pacm import limits
from pacm.dates import (
    OutOfCalendar,
    add_years,
    calendar_year_slices,
    days_between,
    days_in_year,
    days_inclusive,
    period_end,
    years_spanned,
)

D = dt.date


@pytest.mark.parametrize("start, years, expected", [
    (D(2021, 1, 1), 10, D(2031, 1, 1)),
    (D(2012, 2, 29), 1, D(2013, 3, 1)),    # 29 February in a common year rolls to 1 March
    (D(2012, 2, 29), 4, D(2016, 2, 29)),   # a leap year keeps it
    (D(2012, 2, 29), -1, D(2011, 3, 1)),   # backwards too
    (D(2012, 2, 28), 1, D(2013, 2, 28)),   # the day before is untouched
    (D(2024, 3, 1), -4, D(2020, 3, 1)),
    (D(2021, 6, 30), 0, D(2021, 6, 30)),
])
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


def test_add_years_at_the_edges_of_the_calendar():
    assert add_years(D(9998, 12, 31), 1) == D(9999, 12, 31)  # one inside
    with pytest.raises(OutOfCalendar):
        add_years(D(9999, 12, 31), 1)  # one outside: year 10000
    assert add_years(D(2, 1, 1), -1) == D(1, 1, 1)
    with pytest.raises(OutOfCalendar):
        add_years(D(1, 1, 1), -1)  # year 0
    assert isinstance(OutOfCalendar("x"), ValueError)


@pytest.mark.parametrize("start, years, expected", [
    (D(2012, 2, 29), 7, D(2019, 2, 28)),   # real case C10: the day before 2019-03-01
    (D(2021, 1, 1), 10, D(2030, 12, 31)),
    (D(2020, 3, 1), 1, D(2021, 2, 28)),
    (D(2019, 3, 1), 1, D(2020, 2, 29)),    # ends on a 29 February
    (D(2021, 5, 10), 0, D(2021, 5, 9)),    # zero years: the day before (never a valid period, still defined)
])
def test_period_end(start, years, expected):
    assert period_end(start, years) == expected


def test_period_end_within_pacm_window():
    # limits: dates pacm reads end in 2199; a 3 x 15-year period from the last start it allows still fits
    assert period_end(D(limits.YEAR_MAX - 44, 1, 1), 45) == D(limits.YEAR_MAX, 12, 31)
    assert period_end(D(9998, 1, 1), 1) == D(9998, 12, 31)
    with pytest.raises(OutOfCalendar):
        period_end(D(9999, 12, 31), 1)


@pytest.mark.parametrize("first, last, inclusive", [
    (D(2024, 1, 1), D(2024, 1, 31), 31),
    (D(2024, 1, 1), D(2024, 1, 1), 1),
    (D(2024, 1, 2), D(2024, 1, 1), 0),
    (D(2024, 2, 28), D(2024, 3, 1), 3),    # 28, 29 Feb, 1 Mar
    (D(2023, 2, 28), D(2023, 3, 1), 2),    # 28 Feb, 1 Mar
    (D(2021, 1, 1), D(2030, 12, 31), 3652),  # 10 x 365 + 2 leap days (2024, 2028)
])
def test_days_inclusive(first, last, inclusive):
    assert days_inclusive(first, last) == inclusive
    assert days_between(first, last) == inclusive - 1


@pytest.mark.parametrize("start, end, n", [
    (D(2012, 2, 29), D(2019, 2, 28), 7),   # the regular end: start + 7 years - 1 day
    (D(2012, 2, 29), D(2019, 3, 1), 7),    # the anniversary itself (1,254 UNFCCC periods) still 7
    (D(2012, 2, 29), D(2019, 3, 2), 8),    # one day more: 8
    (D(2010, 5, 1), D(2010, 5, 1), 0),
    (D(2010, 5, 1), D(2010, 5, 2), 1),
    (D(2001, 1, 1), D(2010, 12, 31), 10),
])
def test_years_spanned(start, end, n):
    assert years_spanned(start, end) == n


def test_years_spanned_refuses_an_end_before_the_start():
    with pytest.raises(ValueError):
        years_spanned(D(2010, 5, 2), D(2010, 5, 1))


def test_days_in_year():
    assert [days_in_year(y) for y in (2023, 2024, 2000, 2100)] == [365, 366, 366, 365]


def test_calendar_year_slices():
    # 15-30 June (16) + Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31 = 200; then 1-10 January
    assert list(calendar_year_slices(D(2021, 6, 15), D(2022, 1, 10))) == [
        (2021, D(2021, 6, 15), D(2021, 12, 31), 200),
        (2022, D(2022, 1, 1), D(2022, 1, 10), 10),
    ]
    assert list(calendar_year_slices(D(2024, 1, 1), D(2024, 12, 31))) == [(2024, D(2024, 1, 1), D(2024, 12, 31), 366)]
    assert list(calendar_year_slices(D(2024, 1, 2), D(2024, 1, 1))) == []


def test_the_model_uses_the_same_rules():
    """The PDD model's crediting-period check and pacm.dates are one implementation."""
    from pacm.pdd import model

    assert model.add_years is add_years and model.period_end is period_end

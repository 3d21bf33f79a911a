"""What the CDM transition batch derives for the eligibility rules, row by row (pacm.transition.rows), with
every expected value worked out by hand beside it (issue 14 item 3: kills the ``transition`` code mutants).

The context is written here, not read from the rule pack, so each number below is visible: the CDM
transition's dates of decision 7/CMA.4 annex I (a crediting period active on 1 January 2021; CDM
methodologies until the earlier of the period's end and 31 December 2025; A6.4ER vintages from 1 January
2021), the CDM maxima (renewable 7 and fixed 10 years; A/R 20 and 30 years: CDM modalities and procedures,
decision 5/CMP.1) and the export mapping's own inference table (7 years -> renewable, 10 -> fixed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pacm.dates import years_spanned
from pacm.transition.rows import Context, _all_or_none, build_row

D = dt.date
HEADERS = {k: k.upper() for k in (
    "cp1_start", "cp1_end", "cp1_annual_er", "cp2_start", "cp2_end", "cp2_annual_er", "cp3_start", "cp3_end",
    "cp3_annual_er", "cp_type", "hosts", "ldc_flag", "sids_flag")}


def ctx(**kw) -> Context:
    base = dict(
        as_of=D(2026, 1, 15), cp_active_on=D(2021, 1, 1), cdm_methodology_deadline=D(2025, 12, 31),
        a64_vintage_from=D(2021, 1, 1),
        max_years={("emission_reduction", "renewable"): 7, ("emission_reduction", "fixed"): 10,
                   ("removal", "renewable"): 20, ("removal", "fixed"): 30},
        headers=HEADERS, to={"title": ["activity.title"], "capacity": ["activity.capacity_mw"]},
        # the investment constant first: the others must still be set after it is passed over
        constants={"additionality.investment.analysis": "benchmark", "activity.methodology.version": "n/a"},
        technology_by_type={"Wind": "wind"}, technology_by_subtype={"Solar PV": "solar"},
        removal_prefixes=("AR-",), renewable_years=(7,), fixed_years=(10,),
        iso2_to_iso3={"IN": "IND", "BT": "BTN", "VU": "VUT", "BR": "BRA", "MW": "MWI", "ZZ": "ZZZ"},
        # (LDC, SIDS) on the as-of date: Bhutan graduated on 2023-12-13; Vanuatu is a SIDS (graduated 2020)
        host_status={"IND": (False, False), "BTN": (False, False), "VUT": (False, True), "BRA": (False, False),
                     "MWI": (True, False), "ZZZ": (None, None)},  # Malawi is an LDC; ZZZ: status unknown
        host_status_snapshot={"IND": (False, False), "BTN": (True, False), "VUT": (False, True), "BRA": (False, False),
                              "MWI": (True, False), "ZZZ": (None, None)},
        snapshot_date=D(2022, 6, 30),
    )
    base.update(kw)
    return Context(**base)


def row(c=None, **v):
    values = {"reference": "9001", "website_status": "registered", "registered_or_rejected": D(2012, 12, 6),
              "hosts": ["IN"], "methodology": "ACM0002", "project_type": "Wind", "cp_type": "fixed",
              "cp1_start": D(2012, 12, 6), "cp1_end": D(2022, 12, 5), "cp1_annual_er": Decimal("96821")}
    values.update(v)
    return build_row(0, values, c or ctx())


def rules_of(r) -> list[str]:
    return [f.rule for f in r.findings]


# ----------------------------------------------------------------------------- whole years of a period
@pytest.mark.parametrize("start, end, years", [
    (D(2012, 12, 6), D(2022, 12, 5), 10),  # start + 10 years - 1 day: 2012-12-06 + 9 y = 2021-12-06 < end
    (D(2012, 12, 6), D(2022, 12, 6), 10),  # on the anniversary itself: still 10 (start + 10 y >= end)
    (D(2012, 12, 6), D(2022, 12, 7), 11),  # a day past: 11
    (D(2000, 6, 1), D(2010, 1, 1), 10),  # 2000-06-01 + 9 y = 2009-06-01 < 2010-01-01 <= 2010-06-01
    (D(2000, 6, 1), D(2009, 6, 1), 9),  # exactly 9 years
    (D(2020, 1, 1), D(2020, 1, 1), 0),  # a one-day period spans no whole year
    (D(2020, 1, 1), D(2020, 1, 2), 1),
])
def test_years_spanned(start, end, years):
    assert years_spanned(start, end) == years


def test_all_or_none():
    assert _all_or_none([True, True]) is True and _all_or_none([False, False]) is False
    assert _all_or_none([True, False]) is None and _all_or_none([]) is None and _all_or_none([True, None]) is None
    assert _all_or_none([False]) is False and _all_or_none([True]) is True


# ----------------------------------------------------------------------------- which crediting period transitions
def test_the_period_active_on_1_january_2021_transitions():
    r = row(cp1_start=D(2007, 1, 1), cp1_end=D(2013, 12, 31), cp2_start=D(2014, 1, 1), cp2_end=D(2020, 12, 31),
            cp3_start=D(2021, 1, 1), cp3_end=D(2027, 12, 31), cp3_annual_er=Decimal("5"), cp_type="renewable")
    n, t = r.nested, r.nested["transition"]
    assert n["crediting_period"] == {"start": D(2021, 1, 1), "length_years": 7, "number": 3}
    assert t["cdm_crediting_period_number"] == 3 and t["cdm_crediting_period_start"] == D(2021, 1, 1)
    assert t["cdm_crediting_period_end"] == D(2027, 12, 31)
    assert t["cdm_methodology_until"] == D(2025, 12, 31)  # min(2027-12-31, 2025-12-31)
    assert r.info["cp_active_on_cutoff"] is True and r.info["transition_crediting_period"] == "CP3 2021-01-01..2027-12-31"
    assert r.info["renewals_left"] == 0  # a renewable period may be renewed twice: 3 - 3
    assert r.info["a64_methodology_from"] == D(2026, 1, 1)  # the day after 2025-12-31
    assert r.info["annual_er_ex_ante"] == Decimal("5")


def test_a_period_ending_on_1_january_2021_transitions_with_its_own_end():
    r = row(cp1_start=D(2011, 1, 2), cp1_end=D(2021, 1, 1))
    assert r.nested["transition"]["cdm_methodology_until"] == D(2021, 1, 1)  # min(2021-01-01, 2025-12-31)
    assert r.info["cp_active_on_cutoff"] is True and r.info["renewals_left"] == 0  # fixed: no renewal


@pytest.mark.parametrize("cps, number", [
    # none active on 2021-01-01: the last that started before it
    (dict(cp1_start=D(2004, 1, 1), cp1_end=D(2010, 12, 31), cp2_start=D(2011, 1, 1), cp2_end=D(2020, 12, 31)), 2),
    # none started before it: the first
    (dict(cp1_start=D(2021, 1, 2), cp1_end=D(2031, 1, 1)), 1),
])
def test_no_period_active_on_1_january_2021(cps, number):
    r = row(**cps)
    assert r.nested["transition"]["cdm_crediting_period_number"] == number
    assert "cdm_methodology_until" not in r.nested["transition"]  # only a period that transitions has the grace
    assert r.info["cp_active_on_cutoff"] is False and r.info["cdm_methodology_until"] is None
    assert r.info["a64_methodology_from"] is None


def test_no_crediting_period_at_all():
    r = row(cp1_start=None, cp1_end=None, cp_type=None)
    assert "crediting_period" not in r.nested and r.info["cp_active_on_cutoff"] is None
    assert r.info["transition_crediting_period"] is None and r.info["current_crediting_period"] is None
    assert r.info["renewals_left"] is None and r.info["annual_er_ex_ante"] is None and rules_of(r) == []


@pytest.mark.parametrize("as_of, label", [
    (D(2026, 1, 15), "none (CP1 ended 2022-12-05)"),
    (D(2022, 12, 5), "CP1 2012-12-06..2022-12-05"),  # the last day is inside
    (D(2012, 12, 6), "CP1 2012-12-06..2022-12-05"),  # the first day is inside
    (D(2012, 12, 5), "none (CP1 starts 2012-12-06)"),
])
def test_current_crediting_period_on_the_as_of_date(as_of, label):
    assert row(ctx(as_of=as_of)).info["current_crediting_period"] == label


def test_renewable_period_renewals_left():
    r = row(cp1_start=D(2014, 1, 1), cp1_end=D(2020, 12, 31), cp2_start=D(2021, 1, 1), cp2_end=D(2027, 12, 31),
            cp_type="renewable")
    assert r.info["renewals_left"] == 1  # second of three periods: 3 - 2


# ----------------------------------------------------------------------------- period checks and inferences
@pytest.mark.parametrize("end, rule", [
    (D(2022, 12, 5), None),  # 10 years exactly: at the fixed maximum
    (D(2022, 12, 6), "input.crediting_period_end_on_anniversary"),  # on the anniversary: still 10 years
    (D(2022, 12, 7), "input.crediting_period_too_long"),  # 11 years > 10
])
def test_fixed_period_at_the_cdm_maximum(end, rule):
    r = row(cp1_end=end)
    assert rules_of(r) == ([rule] if rule else [])
    if rule == "input.crediting_period_too_long":
        f = r.findings[0]
        assert f.columns == ("CP1_START", "CP1_END") and f.status == "fail" and f.severity == "warning"
        # 2012-12-06 .. 2022-12-07 is 3654 days (10 x 365 + 3 leap days 2016, 2020 + 1); it should end by
        # 2022-12-05 (start + 10 years - 1 day), 2 days earlier
        assert f.message == ("Crediting period 1 (2012-12-06..2022-12-07, 3654 days) is longer than the 10-year CDM "
                             "maximum for a fixed period of an activity: it should end by 2022-12-05 (2 days more).")


def test_removal_maxima_and_type():
    r = row(methodology="AR-ACM0003", cp1_start=D(2000, 1, 1), cp1_end=D(2029, 12, 31))  # 30 years, A/R fixed max 30
    assert r.nested["activity"]["type"] == "removal" and rules_of(r) == []
    r = row(methodology="AR-ACM0003", cp1_start=D(2000, 1, 1), cp1_end=D(2030, 12, 31), cp_type="renewable")
    assert rules_of(r) == ["input.crediting_period_too_long"] and "20-year CDM maximum for a renewable period of an A/R" in r.findings[0].message
    assert row(methodology="ACM0002; AR-AM0014").nested["activity"]["type"] == "removal"
    assert row(methodology="ACM0002, AMS-I.D").nested["activity"]["type"] == "emission_reduction"


def test_unknown_type_is_judged_as_fixed():
    r = row(cp_type=None, cp1_start=D(2010, 1, 1), cp1_end=D(2020, 12, 31))  # 11 years: no inference, over 10
    assert rules_of(r) == ["input.crediting_period_too_long"]
    assert "for a fixed (type not given) period" in r.findings[0].message


@pytest.mark.parametrize("end, inferred", [(D(2019, 12, 5), "renewable"), (D(2022, 12, 5), "fixed"), (D(2020, 12, 5), None)])
def test_empty_type_is_inferred_from_the_first_period(end, inferred):
    r = row(cp_type=None, cp1_end=end)  # 7, 10 and 8 years from 2012-12-06
    if inferred:
        assert r.nested["crediting_period"]["type"] == inferred and r.info["cp_type"] == inferred
        assert r.nested["transition"]["cdm_crediting_period_type"] == inferred
        f = r.findings[0]
        assert (f.rule, f.status, f.severity, f.columns) == ("input.inferred_value", "fail", "info", ("CP_TYPE",))
    else:
        assert "type" not in r.nested["crediting_period"] and r.info["cp_type"] is None and rules_of(r) == []


def test_type_is_inferred_only_from_the_first_period():
    r = row(cp_type=None, cp1_start=None, cp1_end=None, cp2_start=D(2012, 12, 6), cp2_end=D(2019, 12, 5))
    assert r.info["cp_type"] is None and "input.inferred_value" not in rules_of(r)


def test_leap_day_start():
    r = row(cp1_start=D(2012, 2, 29), cp1_end=D(2022, 2, 28))  # 29 Feb + 10 years = 1 Mar 2022, minus a day
    assert rules_of(r) == ["input.leap_day_start"] and "end on 2022-02-28; the file agrees." in r.findings[0].message
    r = row(cp1_start=D(2012, 2, 29), cp1_end=D(2022, 2, 27))
    assert "the file differs (file: 2022-02-27)." in r.findings[0].message


def test_incomplete_or_reversed_periods_are_not_used():
    r = row(cp2_start=D(2022, 12, 6), cp2_end=None)
    assert rules_of(r) == ["input.missing_value"] and r.findings[0].columns == ("CP2_END",)
    assert r.findings[0].status == "insufficient_data"
    r = row(cp2_start=None, cp2_end=D(2030, 1, 1))
    assert r.findings[0].columns == ("CP2_START",)
    r = row(cp1_end=None)  # the first period's lone date is not reported (the export leaves it so)
    assert rules_of(r) == [] and "crediting_period" not in r.nested
    r = row(cp1_start=D(2022, 12, 5), cp1_end=D(2012, 12, 6))
    assert rules_of(r) == ["input.crediting_period_end_before_start"] and "crediting_period" not in r.nested


@pytest.mark.parametrize("er, expected", [(Decimal("0"), None), (Decimal("-1"), None), (Decimal("0.5"), Decimal("0.5"))])
def test_annual_er_must_be_positive(er, expected):
    r = row(cp1_annual_er=er)
    assert r.info["annual_er_ex_ante"] == expected
    assert ("input.missing_value" in rules_of(r)) == (expected is None)


def test_missing_annual_er_matters_only_for_a6_4_vintages():
    # a period ending before 2021-01-01 yields no A6.4ERs: no finding; ending on that day: one
    assert rules_of(row(cp1_start=D(2011, 1, 1), cp1_end=D(2020, 12, 31), cp1_annual_er=None)) == []
    r = row(cp1_start=D(2011, 1, 2), cp1_end=D(2021, 1, 1), cp1_annual_er=None)
    assert rules_of(r) == ["input.missing_value"] and r.findings[0].columns == ("CP1_ANNUAL_ER",)


# ----------------------------------------------------------------------------- registration, hosts, mapping
@pytest.mark.parametrize("status, shown", [("registered", True), ("deregistered", True), ("rejected", False), (None, False)])
def test_registration_date_only_for_registered_activities(status, shown):
    r = row(website_status=status)
    assert ("cdm_registration_date" in r.nested["transition"]) == shown
    assert (r.nested.get("dates", {}).get("registration_date") == D(2012, 12, 6)) == shown
    assert "cdm_registration_date" not in row(registered_or_rejected=None).nested["transition"]


def test_host_status():
    r = row(hosts=["VU"])
    assert r.nested["activity"]["host_party"] == "VUT"
    assert r.info["host_ldc"] is False and r.info["host_sids"] is True and r.info["sop_exempt"] is True
    assert r.info["_context"] == {"context.as_of": D(2026, 1, 15), "context.host_known": True,
                                  "context.host_ldc": False, "context.host_sids": True}
    r = row(hosts=["XX"])  # a code the list does not know
    assert r.info["_context"]["context.host_known"] is False and r.info["host_party"] is None
    assert r.info["host_ldc"] is None and "host_party" not in r.nested["activity"]


def test_mixed_hosts_are_decided_per_cpa():
    r = row(hosts=["IN", "VU"], cpas_per_host="IN: 3; VU: 1")
    assert r.info["sop_exempt"] is None and r.info["host"] == "IN; VU"
    f = [x for x in r.findings if x.rule == "input.host_status_per_cpa"][0]
    assert f.columns == ("HOSTS", "LDC_FLAG", "SIDS_FLAG") and f.status == "insufficient_data"
    assert "IND (neither), VUT (SIDS)" in f.message and "(CPAs per host: IN: 3; VU: 1)" in f.message
    assert "input.host_status_per_cpa" not in rules_of(row(hosts=["IN", "BR"]))  # both not exempt: decided


@pytest.mark.parametrize("flag, stale", [(True, False), (False, True), ((1, 1), False), ((0, 1), True)])
def test_stale_ldc_flag(flag, stale):
    # on the export's date (2022-06-30) Bhutan was still an LDC (graduated 2023-12-13)
    r = row(hosts=["BT"], ldc_flag=flag)
    assert ("input.stale_flag" in rules_of(r)) == stale
    if stale:
        assert "gives 1 of 1 (LDC: BTN)" in r.findings[0].message and r.findings[0].columns == ("LDC_FLAG",)


def test_flags_are_not_checked_without_a_snapshot_date():
    assert rules_of(row(ctx(snapshot_date=None), hosts=["BT"], ldc_flag=False)) == []


def test_mapped_values_constants_and_technology():
    r = row(title="Samana", project_subtype="Solar PV")
    assert r.nested["activity"]["title"] == "Samana" and r.nested["activity"]["reference"] == "9001"
    assert r.nested["activity"]["technology"] == "solar" and r.info["technology"] == "solar"  # subtype first
    assert row(project_type="Wind").nested["activity"]["technology"] == "wind"
    assert row(project_type="Tidal").nested["activity"]["technology"] == "other"
    assert "investment" not in r.nested.get("additionality", {})  # only with investment figures
    assert row(irr_without=Decimal("9.8")).nested["additionality"]["investment"]["analysis"] == "benchmark"
    assert r.nested["activity"]["methodology"]["version"] == "n/a"
    assert row(reference=None, unique_id="UID1").key == "UID1" and row(reference=None).key == "row 2"
    assert row(kind=True).info["kind"] == "PoA" and row(kind=False).info["kind"] == "PA" and row().info["kind"] is None


# ----------------------------------------------------------------------------- more edges (mutation survivors)
def test_nested_paths_are_set_from_a_fresh_path():
    import os

    from pacm.transition.rows import _set

    top = f"fresh{os.getpid()}"  # a path this process has not split yet (the split is memoised per path)
    d: dict = {}
    _set(d, f"{top}.a.b", 1)
    _set(d, f"{top}.a.c", 2)
    assert d == {top: {"a": {"b": 1, "c": 2}}}


def test_the_active_period_wins_even_when_the_export_lists_periods_out_of_order():
    # CP1 is the one active on 2021-01-01; CP2 (listed after it) started before and ended before the cut-off
    r = row(cp1_start=D(2021, 1, 1), cp1_end=D(2027, 12, 31), cp2_start=D(2014, 1, 1), cp2_end=D(2020, 12, 31))
    assert r.nested["transition"]["cdm_crediting_period_number"] == 1
    r = row(cp1_start=D(2011, 1, 2), cp1_end=D(2021, 1, 1), cp2_start=D(2015, 1, 1), cp2_end=D(2020, 12, 31))
    assert r.nested["transition"]["cdm_crediting_period_number"] == 1  # ends on the day: active


def test_later_periods_are_read_after_an_unusable_first_one():
    assert row(cp1_start=None, cp1_end=None, cp2_start=D(2014, 1, 1), cp2_end=D(2023, 12, 31)).nested["crediting_period"]["number"] == 2
    r = row(cp1_start=D(2013, 12, 31), cp1_end=D(2013, 1, 1), cp2_start=D(2014, 1, 1), cp2_end=D(2023, 12, 31))
    assert r.nested["crediting_period"]["number"] == 2
    assert r.findings[0].message == "Crediting period 1 ends (2013-01-01) before it starts (2013-12-31); the period is not used."
    assert (r.findings[0].status, r.findings[0].severity, r.findings[0].row) == ("fail", "warning", 0)
    one_day = row(cp1_start=D(2021, 1, 1), cp1_end=D(2021, 1, 1))  # ends the day it starts: a period of 0 whole years
    assert one_day.nested["crediting_period"]["length_years"] == 0 and "input.crediting_period_end_before_start" not in rules_of(one_day)


def test_finding_status_severity_and_message():
    f = row(cp2_start=D(2022, 12, 6), cp2_end=None).findings[0]
    assert (f.status, f.severity) == ("insufficient_data", "warning")
    assert f.message == "Crediting period 2 has only one of its start and end dates; the period is not used."
    f = row(cp1_end=D(2022, 12, 6)).findings[0]
    assert (f.rule, f.status, f.severity) == ("input.crediting_period_end_on_anniversary", "fail", "info")
    # 2012-12-06 + 10 years - 1 day = 2022-12-05
    assert f.message == ("Crediting period 1 ends on 2022-12-06, the 10-year anniversary of its start, one day past "
                         "start + 10 years - 1 day (2022-12-05); counted as 10 years.")
    f = row(cp1_start=D(2012, 2, 29), cp1_end=D(2022, 2, 28)).findings[0]
    assert (f.status, f.severity) == ("fail", "info")
    f = row(cp_type=None).findings[0]  # 10 years: fixed
    assert f.message == ("'CP_TYPE' is empty; read as 'fixed' from the length of the first crediting period "
                         "(2012-12-06..2022-12-05, 10 years).")


@pytest.mark.parametrize("start, end", [(D(2013, 1, 29), D(2023, 1, 28)), (D(2013, 2, 28), D(2023, 2, 27))])
def test_only_29_february_is_a_leap_day_start(start, end):
    assert "input.leap_day_start" not in rules_of(row(cp1_start=start, cp1_end=end))


def test_registration_date_value():
    r = row()
    assert r.nested["transition"]["cdm_registration_date"] == D(2012, 12, 6)
    assert r.nested["dates"]["registration_date"] == D(2012, 12, 6)


def test_mixed_hosts_message_parts():
    f = [x for x in row(hosts=["MW", "IN"]).findings if x.rule == "input.host_status_per_cpa"][0]
    assert f.severity == "info" and "MWI (LDC), IND (neither)" in f.message
    assert "CPAs per host" not in f.message and "hosts only. " in f.message
    assert f.message.endswith("Estimated credits count the share of proceeds in full (conservative).")
    # one host whose status is unknown: undecided, but not a question of CPA hosts
    one = row(hosts=["ZZ"])
    assert one.info["sop_exempt"] is None and "input.host_status_per_cpa" not in rules_of(one)


def test_stale_sids_flag():
    # Vanuatu is a SIDS on the export's date; a flag saying "No" is stale
    r = row(hosts=["VU"], sids_flag=False)
    assert rules_of(r) == ["input.stale_flag"] and r.findings[0].columns == ("SIDS_FLAG",)
    assert "(SIDS: VUT)" in r.findings[0].message
    assert rules_of(row(hosts=["VU"], sids_flag=True)) == []


@pytest.mark.parametrize("methodology, kind", [
    ("ACM0002;AR-AM0014", "removal"),  # no space after the separator
    ("AMS-I.D,AR-AMS0007", "removal"),  # a comma separates too
    ("ACM0002", "emission_reduction"),
])
def test_methodology_separators(methodology, kind):
    assert row(methodology=methodology).nested["activity"]["type"] == kind


@pytest.mark.parametrize("column", ["irr_benchmark", "irr_without", "irr_with"])
def test_any_irr_figure_brings_the_investment_constants(column):
    r = row(**{column: Decimal("10")})
    assert r.nested["additionality"]["investment"]["analysis"] == "benchmark"
    assert r.nested["activity"]["methodology"]["version"] == "n/a"


@pytest.mark.parametrize("hosts, flag, said, gives", [
    (["BT"], False, "No", "1 of 1 (LDC: BTN)"),
    (["IN"], True, "Yes", "0 of 1 (LDC: none)"),
    (["BT", "MW"], (1, 2), "1 of 2 countries", "2 of 2 (LDC: BTN, MWI)"),
])
def test_stale_flag_message(hosts, flag, said, gives):
    f = row(hosts=hosts, ldc_flag=flag).findings[-1]
    assert (f.rule, f.status, f.severity) == ("input.stale_flag", "fail", "info")
    assert f.message == (f"'LDC_FLAG' says {said}, but on 2022-06-30 the UN list (with dated graduations) gives {gives}. "
                         "pacm judges LDC status on the date that matters instead.")


def test_no_flag_is_not_stale():
    assert rules_of(row(hosts=["BT"], ldc_flag=None)) == []


def test_activity_facts_for_the_outputs():
    r = row(title="Samana", unique_id="UID9", kind=True)
    i = r.info
    assert (i["reference"], i["cdm_reference"], i["unique_id"], i["title"]) == ("9001", "9001", "UID9", "Samana")
    assert (i["host"], i["host_party"], i["methodology"], i["activity_type"], i["cdm_status"]) == (
        "IN", "IND", "ACM0002", "emission_reduction", "registered")
    assert i["_tcp"].number == 1 and i["_tcp"].start == D(2012, 12, 6)
    assert row(hosts=[]).info["host"] is None


def test_no_period_and_no_registration():
    r = row(cp1_start=None, cp1_end=None, website_status=None)
    assert "transition" not in r.nested and r.info["cdm_methodology_until"] is None
    assert row(cp1_start=None, cp1_end=None, cp_type="fixed").info["renewals_left"] is None  # no period, nothing left


def test_a_mapped_column_after_an_empty_one_is_still_set():
    r = row(title=None, capacity=Decimal("50.4"))
    assert r.nested["activity"]["capacity_mw"] == Decimal("50.4") and "title" not in r.nested["activity"]


def test_missing_annual_er_finding():
    f = row(cp1_annual_er=None).findings[0]
    assert (f.rule, f.status, f.severity, f.columns) == ("input.missing_value", "insufficient_data", "info", ("CP1_ANNUAL_ER",))
    assert f.message == "No ex-ante annual emission reductions for crediting period 1; credits cannot be estimated."

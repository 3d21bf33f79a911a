"""Properties of the crediting pipeline over generated activity-years (hypothesis).

Kept fast: a bounded number of examples per property (the whole file runs in a few seconds).
"""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacm.quantities.pipeline import credit_years

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

tonnes = st.decimals(min_value=-5000, max_value=2_000_000, places=3, allow_nan=False, allow_infinity=False)
pos_tonnes = st.decimals(min_value=0, max_value=2_000_000, places=3, allow_nan=False, allow_infinity=False)
fraction = st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)
small_rate = st.decimals(min_value=0, max_value=D("0.3"), places=3, allow_nan=False, allow_infinity=False)


@st.composite
def activity_year(draw):
    kind = draw(st.sampled_from(["emission_reduction", "removal"]))
    r = dict(
        activity=draw(st.sampled_from(["a", "b", "c"])),
        year=draw(st.integers(2021, 2060)),
        days=draw(st.integers(1, 366)),
        baseline=draw(pos_tonnes),
        project=draw(tonnes if kind == "removal" else pos_tonnes),
        leakage=draw(tonnes),
        years_since_start=draw(st.integers(0, 45)),
        activity_type=kind,
        buffer_rate=draw(fraction.filter(lambda x: x <= D("0.6"))),
        sop_exempt=draw(st.booleans()),
        authorised_share=draw(fraction),
    )
    if draw(st.booleans()):
        r["bau"] = draw(pos_tonnes)
    return r


@st.composite
def params(draw):
    return {
        "baseline.downward_adjustment_initial_min": draw(small_rate),
        "baseline.downward_adjustment_annual_min": draw(st.decimals(min_value=0, max_value=D("0.05"), places=3)),
        "baseline.downward_adjustment_form": draw(st.sampled_from(["linear", "compound"])),
        "issuance.sop_adaptation_rate": draw(st.decimals(min_value=0, max_value=D("0.1"), places=3)),
        "issuance.omge_rate": draw(st.decimals(min_value=0, max_value=D("0.1"), places=3)),
        "issuance.ldc_sids_sop_exempt": True,
        "crediting.deduction_rounding": draw(st.sampled_from(["participant_floor", "each_up", "each_down", "exact"])),
    }


rows_st = st.lists(activity_year(), min_size=1, max_size=8)


@SETTINGS
@given(rows_st, params())
def test_issuable_never_exceeds_reductions_and_deductions_never_negative(rows, p):
    out = credit_years(pd.DataFrame(rows), p)
    for _, r in out.iterrows():
        assert 0 <= r["issuable"] <= r["reductions"]
        assert r["issuable_authorised"] + r["issuable_mitigation_contribution"] == r["issuable"]
        assert min(r["issuable_authorised"], r["issuable_mitigation_contribution"]) >= 0
        for c in ("buffer", "sop_adaptation", "omge", "leakage", "reversal", "reductions"):
            assert r[c] >= 0, c
        assert r["gross_units"] - r["buffer"] - r["sop_adaptation"] - r["omge"] >= r["issuable"]
        assert r["reductions"] == max(r["net"], 0)


@SETTINGS
@given(rows_st, params(), st.decimals(min_value=0, max_value=D("0.2"), places=3), st.decimals(min_value=0, max_value=D("0.02"), places=3))
def test_larger_downward_adjustment_never_increases_issuance(rows, p, extra_initial, extra_annual):
    # pacm's default rounding (participant_floor); each_up is not monotone, see test_quantities_pipeline
    p = {**p, "crediting.deduction_rounding": "participant_floor"}
    stricter = dict(p)
    stricter["baseline.downward_adjustment_initial_min"] = p["baseline.downward_adjustment_initial_min"] + extra_initial
    stricter["baseline.downward_adjustment_annual_min"] = p["baseline.downward_adjustment_annual_min"] + extra_annual
    a = credit_years(pd.DataFrame(rows), p)
    b = credit_years(pd.DataFrame(rows), stricter)
    for x, y in zip(a["issuable"], b["issuable"]):
        assert y <= x
    for x, y in zip(a["baseline_adjusted"], b["baseline_adjusted"]):
        assert y <= x


@SETTINGS
@given(rows_st, params())
def test_ldc_sids_exemption_only_removes_the_adaptation_share(rows, p):
    df = pd.DataFrame(rows)
    exempt = credit_years(df.assign(sop_exempt=True), p)
    liable = credit_years(df.assign(sop_exempt=False), p)
    assert all(v == 0 for v in exempt["sop_adaptation"])
    same = ["baseline_adjusted", "leakage", "net", "reductions", "gross_units", "buffer"]
    for c in same:
        assert list(exempt[c]) == list(liable[c]), c
    for c in ("buffer", "omge"):  # the other deductions are untouched
        assert list(exempt[c]) == list(liable[c]), c
    for (_, e), (_, l) in zip(exempt.iterrows(), liable.iterrows()):
        if p["crediting.deduction_rounding"] == "exact":
            assert e["issuable"] >= l["issuable"]
        else:  # the whole difference in issuance is the adaptation share
            assert e["issuable"] - l["issuable"] == l["sop_adaptation"]


@SETTINGS
@given(rows_st, params())
def test_identical_run_to_run(rows, p):
    a = credit_years(pd.DataFrame(rows), p)
    b = credit_years(pd.DataFrame(rows), p)
    pd.testing.assert_frame_equal(a, b)
    assert [str(v) for v in a["reductions"]] == [str(v) for v in b["reductions"]]

"""The crediting pipeline's trace, messages and input handling, pinned by hand (issue 14, quantities group).

``tests/test_quantities_pipeline.py`` checks the numbers of the pipeline; this file checks what else it
outputs: the trace steps :func:`credit_columns` records (the report prints them unchanged, so each word is
an output), the text of every :class:`PipelineError` (the field it names), the conversion of inputs
(:func:`dec`: ints, floats, numpy scalars, NaN), the whole-unit deductions at their limits, and the two
wrappers (:func:`credit_rows`, :func:`credit_years`). Every expected number is hand arithmetic written
beside it; every expected text is the formula or the clause the module docstring names. Which wrong line
would fail: a formula or operand swapped in the trace, a clause text lost, an error naming the wrong field,
a NaN taken for a number, a deduction cap or rounding limit moved by one.
"""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest
from test_quantities_pipeline import NO_DA, PARAMS, row

from pacm.quantities.pipeline import (
    PARAM_NAMES,
    REQUIRED,
    PipelineError,
    credit_columns,
    credit_rows,
    credit_years,
    daf,
    dec,
    deductions,
    fmt,
)

DA_CLAUSE = "A6.4 baseline standard (SBM016) downward adjustment: "
RULE_PACK = "rule-pack minimum baseline.downward_adjustment_initial_min / _annual_min"


def columns(rows):
    """Plain columns of row dicts; a key some rows lack is None there (as pacm.quantities.compute fills it)."""
    names = dict.fromkeys(c for r in rows for c in r)
    return {c: [r.get(c) for r in rows] for c in names}


def traced(rows, params=PARAMS):
    steps: list = []
    out = credit_columns(columns(rows), params, steps)
    return out, steps


def step(name, value, equation, substituted, rule=None, unit="tCO2e", year=2027):
    e = {"step": "crediting", "year": year, "name": name, "value": value, "unit": unit,
         "equation": equation, "substituted": substituted}
    if rule:
        e["bounded_by"] = rule
    return e


# ----------------------------------------------------------------------------- the trace, step by step
def test_trace_of_an_emission_reduction_year():
    # baseline 1,000, project 100, leakage 10, n = 1, BAU 950, the PDD's own adjustment 0.05 + 0.005 x 1 = 0.055
    # (laxer than the rule pack's 0.10 + 0.01 x 1 = 0.11), authorised share 0.5:
    #   adjusted 1,000 x 0.89 = 890 (below BAU 950); net 890 - 100 - 10 = 780; gross 780
    #   issuable floor(780 x 0.93 = 725.4) = 725; OMGE ceil(0.02 x 780 = 15.6) = 16;
    #   buffer ceil(0.02 x 780) - 16 = 0; SOP 780 - 725 - 16 - 0 = 39
    #   authorised floor(725 x 0.5 = 362.5) = 362; contribution 363; CA 362 + floor(55 x 0.5 = 27.5) = 389
    r = row(baseline=D(1000), project=D(100), leakage=D(10), years_since_start=1, bau=D(950), da_initial=D("0.05"),
            da_increment=D("0.005"), da_form="linear", authorised_share=D("0.5"))
    out, steps = traced([r])
    assert steps == [[
        step("daf", "0.11", "initial + increment x n (linear)", "0.1 + 0.01 x 1",
             DA_CLAUSE + RULE_PACK + " (at least as strict as the PDD's own)", "fraction"),
        step("baseline_adjusted", "890", "min(baseline x (1 - DAF), BAU)", "min(1000 x (1 - 0.11), 950)",
             "downward-adjusted baseline (below BAU)"),
        step("net", "780", "baseline_adjusted - project - leakage", "890 - 100 - 10"),
        step("reductions", "780", "max(net, 0)", "max(780, 0)"),
        step("gross_units", "780", "floor(reductions)", "floor(780)", "A6.4ERs are whole tonnes, rounded down", "A6.4ER"),
        step("issuable", "725", "floor(gross_units x (1 - buffer_rate - sop_rate - omge_rate))",
             "floor(780 x (1 - 0 - 0.05 - 0.02))",
             "whole A6.4ERs, rounded down (crediting.deduction_rounding = participant_floor)", "A6.4ER"),
        step("omge", "16", "ceil(omge_rate x gross_units)", "ceil(0.02 x 780)",
             "issuance.omge_rate (RMP chapter VII), 'at least' the rate", "A6.4ER"),
        step("buffer", "0", "ceil((buffer_rate + omge_rate) x gross_units) - omge", "ceil((0 + 0.02) x 780) - 16",
             "emission reductions: no buffer", "A6.4ER"),
        step("sop_adaptation", "39", "gross_units - issuable - omge - buffer", "780 - 725 - 16 - 0",
             "issuance.sop_adaptation_rate (RMP chapter VII)", "A6.4ER"),
        step("issuable_authorised", "362", "floor(issuable x authorised_share)", "floor(725 x 0.5)",
             "PDD authorization", "A6.4ER"),
        step("issuable_mitigation_contribution", "363", "issuable - issuable_authorised", "725 - 362", None, "A6.4ER"),
    ]]
    assert (out["daf_source"], out["baseline_bound"], out["leakage_source"]) == (["rule_pack"], ["downward_adjustment"],
                                                                               ["computed"])
    assert (out["issuable_authorised"], out["issuable_mitigation_contribution"], out["corresponding_adjustment"]) == (
        [362], [363], [389])


def test_trace_of_the_pdd_adjustment_and_bau():
    # (a) the PDD's 0.10 + 0.02 x 2 = 0.14 (no form given: linear) is stricter than the rule pack's 0.12;
    #     1,000 x 0.86 = 860 > BAU 800 -> 800 ('choose the lower number')
    # (b) the PDD's compound 1 - (1 - 0.1)(1 - 0.1)^1 = 0.19 > 0.11 (linear would be 0.2); 1,000 x 0.81 = 810;
    #     BAU 810 equals it: the adjusted baseline stays the bound (BAU binds only when lower)
    # (c) only an initial adjustment in the PDD (no increment): the rule pack's, and no "at least as strict" note
    a = row(baseline=D(1000), years_since_start=2, bau=D(800), da_initial=D("0.10"), da_increment=D("0.02"), da_form=None)
    b = row(baseline=D(1000), years_since_start=1, bau=D(810), da_initial=D("0.1"), da_increment=D("0.1"),
            da_form="compound")
    c = row(baseline=D(1000), years_since_start=1, bau=None, da_initial=D("0.5"), da_increment=None, da_form=None)
    out, steps = traced([a, b, c])
    pdd = DA_CLAUSE + "PDD baseline.downward_adjustment (stricter than the rule-pack minimum)"
    assert steps[0][:2] == [
        step("daf", "0.14", "initial + increment x n (linear)", "0.1 + 0.02 x 2", pdd, "fraction"),
        step("baseline_adjusted", "800", "min(baseline x (1 - DAF), BAU)", "min(1000 x (1 - 0.14), 800)",
             "BAU: 'choose the lower number' (baseline standard step 5, domain brief quick ref #4)"),
    ]
    assert steps[1][:2] == [
        step("daf", "0.19", "1 - (1 - initial) x (1 - increment)^n (compound)", "1 - (1 - 0.1) x (1 - 0.1)^1", pdd,
             "fraction"),
        step("baseline_adjusted", "810", "min(baseline x (1 - DAF), BAU)", "min(1000 x (1 - 0.19), 810)",
             "downward-adjusted baseline (below BAU)"),
    ]
    assert steps[2][:2] == [
        step("daf", "0.11", "initial + increment x n (linear)", "0.1 + 0.01 x 1", DA_CLAUSE + RULE_PACK, "fraction"),
        step("baseline_adjusted", "890", "baseline x (1 - DAF)", "1000 x (1 - 0.11)"),
    ]
    assert out["daf"] == [D("0.14"), D("0.19"), D("0.11")]
    assert out["daf_source"] == ["pdd", "pdd", "rule_pack"]
    assert out["baseline_bound"] == ["bau", "downward_adjustment", "downward_adjustment"]


def test_trace_of_the_rule_pack_compound_form():
    # rule pack compound: 1 - (1 - 0.10)(1 - 0.01)^2 = 0.11791; 1,000 x 0.88209 = 882.09
    _, steps = traced([row(baseline=D(1000), years_since_start=2)],
                      {**PARAMS, "baseline.downward_adjustment_form": "compound"})
    assert steps[0][0] == step("daf", "0.11791", "1 - (1 - initial) x (1 - increment)^n (compound)",
                               "1 - (1 - 0.1) x (1 - 0.01)^2", DA_CLAUSE + RULE_PACK, "fraction")


def test_trace_when_no_adjustment_applies():
    # removal: DAF 0, the baseline stands (bound 'baseline'); an ER baseline the methodology does not adjust: same
    rem = row(activity_type="removal", baseline=D(200), project=D(1000))
    er = row(baseline=D(1000), da_applies=False)
    out, steps = traced([rem, er])
    assert steps[0][:2] == [
        step("daf", "0", "not applied", "removal activity (lowering the baseline would raise net removals)", None,
             "fraction"),
        step("baseline_adjusted", "200", "baseline x (1 - DAF)", "200 x (1 - 0)"),
    ]
    assert steps[1][0] == step("daf", "0", "not applied",
                               "the methodology applies no downward adjustment to this baseline approach", None,
                               "fraction")
    assert out["daf_source"] == ["not_applied", "not_applied"]
    assert out["baseline_bound"] == ["baseline", "baseline"]
    assert out["baseline_adjusted"] == [D(200), D(1000)]


def test_trace_of_leakage_discount_and_clipping():
    # removal: pre-leakage removals 1,000 - 200 = 800; discount 0.1 x 800 = 80; net 1,000 - 200 - 80 = 720
    # ER: computed leakage -50 is clipped to 0; net 900 - 100 - 0 = 800
    rem = row(activity_type="removal", baseline=D(200), project=D(1000), leakage=D(5), leakage_discount=D("0.1"))
    er = row(baseline=D(1000), project=D(100), leakage=D(-50), leakage_discount=None)
    out, steps = traced([rem, er])
    assert steps[0][2:4] == [
        step("leakage", "80", "leakage.discount x max(0, pre-leakage reductions)", "0.1 x max(0, ...)",
             "PDD leakage.discount"),
        step("net", "720", "project - baseline_adjusted - leakage", "1000 - 200 - 80"),
    ]
    assert steps[1][2:4] == [
        step("leakage", "0", "max(0, computed leakage)", "max(0, -50)",
             "leakage is never negative (no credit for 'positive leakage', leakage standard [M])"),
        step("net", "800", "baseline_adjusted - project - leakage", "900 - 100 - 0"),
    ]
    assert out["leakage"] == [D(80), D(0)] and out["leakage_source"] == ["discount", "computed_clipped"]
    assert out["net"] == [D(720), D(800)]


def test_trace_notes_at_the_limits_of_a_reversal():
    # removal, net -0.5: a reversal of 0.5 (above 0, below one tonne) is still traced as a reversal;
    # ER, net exactly 0: nothing negative to note; ER, net 0.5: credited 0 whole units, not negative either
    rev = row(activity_type="removal", project=D("-0.5"))
    zero = row(baseline=D(1000), project=D(900))  # 900 - 900 - 0 = 0
    half = row(baseline=D(1000), project=D("899.5"))  # 900 - 899.5 = 0.5
    _, steps = traced([rev, zero, half])
    assert steps[0][3:5] == [
        step("reductions", "0", "max(net, 0)", "max(-0.5, 0)",
             "a negative net change is a reversal, reported and never credited negative (removals standard)"),
        step("reversal", "0.5", "max(-net, 0)", "max(0.5, 0)",
             "A6.4-STAN-METH-002: reversal; compensated from the buffer pool (unavoidable) or by the participants "
             "(avoidable)"),
    ]
    assert steps[1][3] == step("reductions", "0", "max(net, 0)", "max(0, 0)")
    assert steps[2][3] == step("reductions", "0.5", "max(net, 0)", "max(0.5, 0)")


def test_trace_of_a_reversal_and_of_a_negative_reduction():
    # removal: net -500 - 0 - 0 = -500: reductions 0, reversal 500; ER: 900 - 1,000 - 0 = -100: not credited
    rem = row(activity_type="removal", project=D(-500), buffer_rate=D("0.2"))
    er = row(baseline=D(1000), project=D(1000))
    out, steps = traced([rem, er])
    assert steps[0][2:6] == [
        step("net", "-500", "project - baseline_adjusted - leakage", "-500 - 0 - 0"),
        step("reductions", "0", "max(net, 0)", "max(-500, 0)",
             "a negative net change is a reversal, reported and never credited negative (removals standard)"),
        step("reversal", "500", "max(-net, 0)", "max(500, 0)",
             "A6.4-STAN-METH-002: reversal; compensated from the buffer pool (unavoidable) or by the participants "
             "(avoidable)"),
        step("gross_units", "0", "floor(reductions)", "floor(0)", "A6.4ERs are whole tonnes, rounded down", "A6.4ER"),
    ]
    assert steps[1][3] == step("reductions", "0", "max(net, 0)", "max(-100, 0)",
                               "negative net reductions are not credited")
    assert [s["name"] for s in steps[1]].count("reversal") == 0
    assert out["reversal"] == [D(500), D(0)]


def test_trace_of_a_removal_buffer_and_the_exemption():
    # net removals 1,000; buffer 0.2, SOP exempt (LDC), OMGE 0.02: issuable floor(1,000 x 0.78) = 780;
    # OMGE ceil(20) = 20; buffer ceil(0.22 x 1,000) - 20 = 200; SOP 1,000 - 780 - 20 - 200 = 0
    named = row(activity_type="removal", project=D(1000), buffer_rate=D("0.2"), sop_exempt=True,
                buffer_rate_source="AR-TOOL14 rating 'medium'")
    plain = {**named, "buffer_rate_source": None, "year": 2028}
    out, steps = traced([named, plain])
    exempt = "issuance.ldc_sids_sop_exempt: host is an LDC or SIDS on the issuance date"
    by = {s["name"]: s for s in steps[0]}
    assert by["buffer"] == step("buffer", "200", "ceil((buffer_rate + omge_rate) x gross_units) - omge",
                                "ceil((0.2 + 0.02) x 1000) - 20", "AR-TOOL14 rating 'medium' (reversal-risk rating)",
                                "A6.4ER")
    assert by["sop_adaptation"] == step("sop_adaptation", "0", "gross_units - issuable - omge - buffer",
                                        "1000 - 780 - 20 - 200", exempt, "A6.4ER")
    assert by["issuable"]["substituted"] == "floor(1000 x (1 - 0.2 - 0 - 0.02))"
    assert {s["name"]: s for s in steps[1]}["buffer"]["bounded_by"] == "buffer_rate (reversal-risk rating)"
    assert {s["year"] for s in steps[1]} == {2028}
    assert (out["buffer"], out["omge"], out["sop_adaptation"], out["issuable"]) == ([200] * 2, [20] * 2, [0] * 2,
                                                                                 [780] * 2)


def test_trace_of_each_rounding_mode():
    # each_up, 101 t, ER: buffer 0; SOP ceil(0.05 x 101 = 5.05) = 6; OMGE ceil(2.02) = 3; issuable 101 - 9 = 92
    conv = "; crediting.deduction_rounding = each_up"
    _, steps = traced([row(baseline=D(101))], {**NO_DA, "crediting.deduction_rounding": "each_up"})
    assert steps[0][5:] == [
        step("buffer", "0", "ceil(rate x gross_units)", "ceil(0 x 101)", "emission reductions: no buffer" + conv,
             "A6.4ER"),
        step("sop_adaptation", "6", "ceil(rate x gross_units)", "ceil(0.05 x 101)",
             "issuance.sop_adaptation_rate (RMP chapter VII)" + conv, "A6.4ER"),
        step("omge", "3", "ceil(rate x gross_units)", "ceil(0.02 x 101)",
             "issuance.omge_rate (RMP chapter VII), 'at least' the rate" + conv, "A6.4ER"),
        step("issuable", "92", "floor(gross_units - buffer - sop_adaptation - omge)", "floor(101 - 0 - 6 - 3)",
             "whole A6.4ERs, rounded down", "A6.4ER"),
        step("issuable_authorised", "0", "floor(issuable x authorised_share)", "floor(92 x 0)", "PDD authorization",
             "A6.4ER"),
        step("issuable_mitigation_contribution", "92", "issuable - issuable_authorised", "92 - 0", None, "A6.4ER"),
    ]
    # exact: 101 - 5.05 - 2.02 = 93.93 -> 93; a rate of 0 deducts the whole number 0 (not Decimal 0 x 101)
    out, steps = traced([row(baseline=D(101))], {**NO_DA, "crediting.deduction_rounding": "exact"})
    assert [s["substituted"] for s in steps[0][5:9]] == ["(0 x 101)", "(0.05 x 101)", "(0.02 x 101)",
                                                          "floor(101 - 0 - 5.05 - 2.02)"]
    assert out["issuable"] == [93] and out["sop_adaptation"] == [D("5.05")]
    assert type(out["buffer"][0]) is int


# ----------------------------------------------------------------------------- deductions at their limits
@pytest.mark.parametrize("gross, rates, expected", [
    # buffer 0.2, SOP 0.05, OMGE 0.02 on 1,000: issuable floor(730) = 730; OMGE 20; buffer ceil(220) - 20 = 200;
    # SOP 1,000 - 730 - 20 - 200 = 50
    (1000, ("0.2", "0.05", "0.02"), (200, 50, 20, 730)),
    # rates above 1 (an override): issuable max(floor(100 x -0.12), 0) = 0; OMGE 2; buffer ceil(52) - 2 = 50;
    # SOP 100 - 0 - 2 - 50 = 48
    (100, ("0.5", "0.6", "0.02"), (50, 48, 2, 0)),
    # a buffer rate of 1: buffer ceil(102) - 2 = 100, capped at 100 - 2 = 98; SOP 100 - 0 - 2 - 98 = 0
    (100, ("1", "0.05", "0.02"), (98, 0, 2, 0)),
    # OMGE capped at the gross: ceil(1.5 x 2) = 3 -> 2; nothing else is left
    (2, ("0", "0", "1.5"), (0, 0, 2, 0)),
    # a negative rate (a bad override) never issues more than is left: issuable floor(100 x 1.03) = 103 would leave
    # SOP 100 - 103 - 2 - 0 = -5; SOP 0 and issuable 100 - 2 - 0 = 98
    (100, ("-0.1", "0.05", "0.02"), (0, 0, 2, 98)),
    # a negative SOP rate with a buffer: issuable floor(100 x 1.08) = 108; OMGE 2; buffer ceil(12) - 2 = 10;
    # SOP 100 - 108 - 2 - 10 = -20 -> SOP 0, issuable 100 - 2 - 10 = 88
    (100, ("0.1", "-0.2", "0.02"), (10, 0, 2, 88)),
])
def test_participant_floor_deductions_at_their_caps(gross, rates, expected):
    assert deductions(gross, tuple(D(r) for r in rates), "participant_floor") == expected


def test_each_mode_caps_what_is_left():
    # each_down on 10 with OMGE 0.5, buffer 0.7, SOP 0.05: OMGE floor(5) = 5; buffer floor(7) = 7 capped at 5;
    # SOP floor(0.5) = 0; issuable 0
    assert deductions(10, (D("0.7"), D("0.05"), D("0.5")), "each_down") == (5, 0, 5, 0)
    with pytest.raises(PipelineError) as e:
        deductions(10, (D(0), D(0), D(0)), "banker")
    assert str(e.value) == ("crediting.deduction_rounding 'banker' is not one of participant_floor, each_up, "
                            "each_down, exact")


def test_daf_form_message():
    with pytest.raises(PipelineError) as e:
        daf(D("0.1"), D("0.01"), 1, "geometric")
    assert str(e.value) == "downward adjustment form 'geometric' is not 'linear' or 'compound'"


# ----------------------------------------------------------------------------- errors name the field
@pytest.mark.parametrize("column", ["baseline", "project", "leakage", "bau", "da_initial", "da_increment",
                                    "leakage_discount", "buffer_rate", "authorised_share"])
def test_a_value_that_is_not_a_number_names_its_column(column):
    with pytest.raises(PipelineError) as e:
        credit_columns(columns([row(**{column: "abc"})]), PARAMS)
    assert str(e.value) == f"{column}: 'abc' is not a number"


@pytest.mark.parametrize("name", ["baseline.downward_adjustment_initial_min", "baseline.downward_adjustment_annual_min",
                                  "issuance.sop_adaptation_rate", "issuance.omge_rate"])
def test_a_parameter_that_is_not_a_number_names_it(name):
    with pytest.raises(PipelineError) as e:
        credit_columns(columns([row()]), {**PARAMS, name: "x1"})
    assert str(e.value) == f"{name.split('.')[1]}: 'x1' is not a number"


@pytest.mark.parametrize("column", ["baseline", "project", "leakage"])
def test_a_missing_tonne_names_its_column(column):
    with pytest.raises(PipelineError) as e:
        credit_columns(columns([row(), row(**{column: None})]), PARAMS)
    assert str(e.value) == f"column '{column}' has missing values (drop years with insufficient data first)"


def test_missing_columns_unequal_columns_and_missing_parameters():
    cols = columns([row()])
    del cols["leakage"], cols["days"]
    needed = ", ".join(REQUIRED)
    assert needed.startswith("activity, year, days, baseline")
    for call in (lambda: credit_columns(cols, PARAMS), lambda: credit_years(pd.DataFrame(cols), PARAMS)):
        with pytest.raises(PipelineError) as e:
            call()
        assert str(e.value) == f"rows lack column(s) days, leakage (needed: {needed})"
    with pytest.raises(PipelineError) as e:
        credit_columns({**columns([row()]), "baseline": [D(1), D(2)]}, PARAMS)
    assert str(e.value) == "column 'baseline' has 2 values, 'year' has 1"
    with pytest.raises(PipelineError) as e:
        credit_columns(columns([row()]), {k: v for k, v in PARAMS.items() if k != "issuance.omge_rate"})
    # the file is named for the part before the dot; every name has one dot (equivalent.yaml relies on it)
    assert all(n.count(".") == 1 for n in PARAM_NAMES)
    assert str(e.value) == ("parameter 'issuance.omge_rate' is missing: it is read from the rule pack's parameter file "
                            "issuance.yaml (rules/parameters/, or methodologies/parameters/ for crediting.*); resolve "
                            "pacm.quantities.pipeline.PARAM_NAMES with pacm.quantities.pipeline.resolve_params")


def test_no_buffer_on_emission_reductions_and_no_share_is_none_authorised():
    # an ER row with a buffer rate (a removal's column filled in): no buffer on ERs; 1,000 x 0.9 = 900,
    # issuable floor(900 x 0.93 = 837) = 837; authorised share missing: 0 authorised, all 837 contribution
    out = credit_columns(columns([row(baseline=D(1000), buffer_rate=D("0.2"), authorised_share=None)]), PARAMS)
    assert (out["buffer"], out["issuable"]) == ([0], [837])
    assert (out["issuable_authorised"], out["issuable_mitigation_contribution"]) == ([0], [837])


def test_exemption_applies_when_the_pack_does_not_define_it():
    # seed 001 (CMA6): absent issuance.ldc_sids_sop_exempt means the exemption applies: SOP 0 on an LDC host;
    # 1,000 x 0.9 = 900, OMGE ceil(18) = 18, issuable floor(900 x 0.98) = 882
    p = {k: v for k, v in PARAMS.items() if k != "issuance.ldc_sids_sop_exempt"}
    out = credit_columns(columns([row(baseline=D(1000), sop_exempt=True)]), p)
    assert (out["sop_adaptation"], out["omge"], out["issuable"]) == ([0], [18], [882])


# ----------------------------------------------------------------------------- inputs: dec and NaN
class _Scalar:
    """A numpy-like scalar whose ``item()`` gives ``value`` (or raises, or gives another scalar)."""

    def __init__(self, value):
        self.value = value

    def item(self):
        if self.value == "raise":
            raise ValueError("no item")
        if self.value == "again":
            return _Scalar("again")
        return self.value

    def __repr__(self):
        return f"S({self.value})"


class _MyDecimal(D):
    pass


def test_dec_converts_exactly_and_refuses_clearly():
    assert dec(7) == D(7) and dec(D("2.50")) == D("2.50") and dec("1.25") == D("1.25")
    assert dec(0.1) == D("0.1")  # through repr, not the binary expansion
    assert dec(np.float64(0.25)) == D("0.25") and dec(np.int64(3)) == D(3)
    assert dec(_MyDecimal("4")) == D(4)
    assert dec(None) is None and dec(D("NaN")) is None and dec(float("nan")) is None
    assert dec(_MyDecimal("NaN")) is None
    cases = [(True, "w: expected a number, found True"), ("abc", "w: 'abc' is not a number"),
             ([1], "w: [1] is not a number"), (_Scalar("raise"), "w: S(raise) is not a number"),
             (_Scalar("again"), "w: S(again) is not a number"), (_Scalar("abc"), "w: 'abc' is not a number")]
    for value, message in cases:
        with pytest.raises(PipelineError) as e:
            dec(value, "w")
        assert str(e.value) == message
    with pytest.raises(PipelineError) as e:
        dec("x")
    assert str(e.value) == "value: 'x' is not a number"
    # an infinity would reach floor() (OverflowError, a traceback): refused, naming the field
    for value, shown in ((D("-Infinity"), "Decimal('-Infinity')"), (_MyDecimal("Infinity"), "Decimal('Infinity')"),
                         (float("inf"), "inf"), ("Infinity", "'Infinity'"), (np.float64("-inf"), "np.float64(-inf)")):
        with pytest.raises(PipelineError) as e:
            dec(value, "baseline")
        assert str(e.value) == f"baseline: {shown} is not a finite number"
    assert dec(D("1E+30")) == D("1E+30")  # large is finite


def test_float_nan_in_an_optional_column_is_missing():
    # plain columns (pacm check): a float NaN BAU is no BAU; a float BAU 850.0 is 850 (1,000 x 0.9 = 900 > 850)
    out = credit_columns(columns([row(baseline=D(1000), bau=float("nan")), row(baseline=D(1000), bau=850.0)]), PARAMS)
    assert out["baseline_adjusted"] == [D("900.00"), D("850.0")]
    assert out["baseline_bound"] == ["downward_adjustment", "bau"]
    # a float share 0.5 is a share (1,000 x 0.9 = 900, issuable 837, authorised floor(418.5) = 418); NaN is none
    out = credit_columns(columns([row(baseline=D(1000), authorised_share=0.5),
                                  row(baseline=D(1000), authorised_share=float("nan"))]), PARAMS)
    assert out["issuable_authorised"] == [418, 0]
    with pytest.raises(PipelineError) as e:  # before: OverflowError from floor(Infinity)
        credit_columns(columns([row(baseline=float("inf"))]), PARAMS)
    assert str(e.value) == "baseline: inf is not a finite number"


def test_fmt_texts():
    assert (fmt(True), fmt(False), fmt(12), fmt(D("0.10")), fmt(D("890.00")), fmt(D("-0.50")), fmt(D("1E+3")),
            fmt(D("0E-5")), fmt("x")) == ("true", "false", "12", "0.1", "890", "-0.5", "1000", "0", "x")


# ----------------------------------------------------------------------------- the two wrappers
def test_credit_rows_takes_dicts_with_the_same_keys():
    assert credit_rows([], PARAMS) == []
    # 1,000 x 0.9 = 900 -> issuable floor(900 x 0.93 = 837) = 837; 2,000 x 0.9 = 1,800 -> floor(1,674) = 1,674
    a = row(baseline=D(1000))
    b = dict(reversed(list(row(baseline=D(2000), year=2028).items())))  # same keys, another order
    steps: list = []
    out = credit_rows([a, b], PARAMS, steps)
    assert [r["issuable"] for r in out] == [837, 1674] and [r["year"] for r in out] == [2027, 2028]
    assert [s[0]["year"] for s in steps] == [2027, 2028]
    with pytest.raises(PipelineError) as e:
        credit_rows([a, {**a, "bau": D(1)}, a], PARAMS)
    assert str(e.value) == "rows have different keys: ['bau']"
    assert [r["issuable"] for r in credit_rows([a], PARAMS)] == [837]


def test_credit_years_keeps_the_index_and_object_columns():
    # index 10, 11 (a filtered batch frame); a pandas NA in an optional column is no value (no BAU, not exempt):
    # 1,000 x 0.9 = 900 bound by BAU 850; 1,000 x 0.9 = 900 with no BAU
    frame = pd.DataFrame([row(baseline=D(1000), bau=D(850)), row(baseline=D(1000), bau=pd.NA, year=2028)],
                         index=[10, 11])
    out = credit_years(frame, PARAMS)
    assert list(out.index) == [10, 11]
    assert list(out["baseline_adjusted"]) == [D(850), D("900.00")]
    assert list(out["issuable"]) == [790, 837]  # floor(850 x 0.93 = 790.5), floor(900 x 0.93 = 837)
    assert out["issuable"].dtype == object and type(out.loc[10, "issuable"]) is int

"""The shared crediting pipeline (pacm.quantities.pipeline.credit_years), hand-checked.

Every expected figure names where it comes from: a real case of shared/domain/real-cases.md, the
domain brief, or arithmetic shown in the comment.
"""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from pacm.quantities.pipeline import PARAM_NAMES, PipelineError, credit_years, daf

# Rule-pack values on 2026-11-01 (rules/parameters/baseline.yaml, issuance.yaml) and pacm's conventions
PARAMS = {
    "baseline.downward_adjustment_initial_min": D("0.10"),
    "baseline.downward_adjustment_annual_min": D("0.01"),
    "baseline.downward_adjustment_form": "linear",
    "issuance.sop_adaptation_rate": D("0.05"),
    "issuance.omge_rate": D("0.02"),
    "issuance.ldc_sids_sop_exempt": True,
    "crediting.deduction_rounding": "participant_floor",
    "crediting.day_count": "actual_actual",
}
NO_DA = {**PARAMS, "baseline.downward_adjustment_initial_min": D(0), "baseline.downward_adjustment_annual_min": D(0)}


def row(**kw):
    base = dict(activity="a", year=2027, days=365, baseline=D(0), project=D(0), leakage=D(0), years_since_start=0,
                activity_type="emission_reduction", buffer_rate=D(0), sop_exempt=False, authorised_share=D(0))
    base.update(kw)
    return base


def run(rows, params=PARAMS):
    return credit_years(pd.DataFrame(rows), params)


def test_c01_cdm_share_of_proceeds_rounding():
    # Real case C01 (Vaayu wind, CDM 4930, MR cover): 111,949 ERs less the 2 % CDM SOP = 109,710 issued
    # [stated]. 111,949 x 0.02 = 2,238.98 -> the deduction is rounded UP to 2,239 (pacm's default).
    p = {**NO_DA, "issuance.sop_adaptation_rate": D("0.02"), "issuance.omge_rate": D(0)}
    out = run([row(baseline=D(111949))], p).iloc[0]
    assert out["sop_adaptation"] == 2239
    assert out["issuable"] == 109710


def test_c01_with_pacm_levies():
    # Real case C01 [derived]: 111,949 x 0.93 = 104,112.57 with 5 % SOP + 2 % OMGE on the gross issuance.
    # pacm: SOP ceil(5,597.45) = 5,598; OMGE ceil(2,238.98) = 2,239; 111,949 - 5,598 - 2,239 = 104,112.
    out = run([row(baseline=D(111949))], NO_DA).iloc[0]
    assert (out["sop_adaptation"], out["omge"], out["issuable"]) == (5598, 2239, 104112)


def test_other_roundings_are_parameters():
    # each_down: SOP floor(5,597.45) = 5,597; OMGE floor(2,238.98) = 2,238 -> 104,114
    out = run([row(baseline=D(111949))], {**NO_DA, "crediting.deduction_rounding": "each_down"}).iloc[0]
    assert (out["sop_adaptation"], out["omge"], out["issuable"]) == (5597, 2238, 104114)
    # exact: deductions keep their fractions; issuable = floor(111,949 - 5,597.45 - 2,238.98) = 104,112
    out = run([row(baseline=D(111949))], {**NO_DA, "crediting.deduction_rounding": "exact"}).iloc[0]
    assert out["sop_adaptation"] == D("5597.45") and out["issuable"] == 104112
    with pytest.raises(PipelineError, match="deduction_rounding"):
        run([row()], {**NO_DA, "crediting.deduction_rounding": "banker"})


def test_why_participant_floor_is_the_default():
    # Rounding every deduction up on its own issues one unit LESS for one tonne MORE:
    # 100 t: 100 - ceil(5) - ceil(2) = 93; 101 t: 101 - ceil(5.05) - ceil(2.02) = 101 - 6 - 3 = 92.
    each_up = {**NO_DA, "crediting.deduction_rounding": "each_up"}
    out = run([row(baseline=D(100)), row(baseline=D(101))], each_up)
    assert list(out["issuable"]) == [93, 92]
    # participant_floor: floor(100 x 0.93) = 93, floor(101 x 0.93) = floor(93.93) = 93; OMGE ceil(2.02) = 3,
    # SOP 101 - 93 - 3 = 5.
    out = run([row(baseline=D(100)), row(baseline=D(101))], NO_DA)
    assert list(out["issuable"]) == [93, 93]
    assert list(out["omge"]) == [2, 3] and list(out["sop_adaptation"]) == [5, 5]


def test_downward_adjustment_grows_and_continues_at_renewal():
    # Domain brief §1.2: DAF_y = DAF_0 + r x (y - y_start), linear [M]; 0.10 + 0.01 x n.
    rows = [row(year=2026 + n, years_since_start=n, baseline=D(1000)) for n in (0, 1, 5, 7)]
    out = run(rows)
    assert list(out["daf"]) == [D("0.10"), D("0.11"), D("0.15"), D("0.17")]  # n = 7: second crediting period
    assert list(out["baseline_adjusted"]) == [D("900.00"), D("890.00"), D("850.00"), D("830.00")]


def test_compound_form():
    # 1 - (1 - 0.10) x (1 - 0.01)^2 = 1 - 0.9 x 0.9801 = 0.11791
    assert daf(D("0.10"), D("0.01"), 2, "compound") == D("0.11791")
    out = run([row(baseline=D(1000), years_since_start=2)], {**PARAMS, "baseline.downward_adjustment_form": "compound"})
    assert out.iloc[0]["baseline_adjusted"] == D("882.09000")


def test_pdd_adjustment_used_only_when_stricter():
    # PDD 0.10 + 0.02 x 1 = 0.12 > rule pack 0.11 -> 0.12; PDD 0.05 + 0.005 x 1 = 0.055 < 0.11 -> 0.11
    strict = row(baseline=D(1000), years_since_start=1, da_initial=D("0.10"), da_increment=D("0.02"), da_form="linear")
    lax = row(baseline=D(1000), years_since_start=1, da_initial=D("0.05"), da_increment=D("0.005"), da_form="linear")
    out = run([strict, lax])
    assert list(out["daf"]) == [D("0.12"), D("0.11")]
    assert list(out["daf_source"]) == ["pdd", "rule_pack"]


def test_choose_the_lower_number():
    # Brief quick reference #4: crediting baseline = lower of the adjusted baseline and BAU.
    out = run([row(baseline=D(1000), bau=D(850)), row(baseline=D(1000), bau=D(950))])
    assert list(out["baseline_adjusted"]) == [D(850), D("900.00")]
    assert list(out["baseline_bound"]) == ["bau", "downward_adjustment"]


def test_leakage_discount_and_negative_leakage():
    # discount 0.05 x (900 - 100) = 40 replaces the computed leakage (7); negative leakage is clipped to 0
    out = run([row(baseline=D(1000), project=D(100), leakage=D(7), leakage_discount=D("0.05")),
               row(baseline=D(1000), project=D(100), leakage=D(-50))])
    assert out.iloc[0]["leakage"] == D("40.0000") and out.iloc[0]["reductions"] == D("760.0000")
    assert out.iloc[1]["leakage"] == 0 and out.iloc[1]["leakage_source"] == "computed_clipped"


def test_removals_buffer_exemption_and_reversal():
    # Net removals 10,000 - 0 - 150 = 9,850; buffer 'medium' 0.20 -> 1,970; host LDC -> SOP 0;
    # OMGE ceil(197) = 197; issuable 9,850 - 1,970 - 197 = 7,683. No downward adjustment on removals.
    ok = row(activity_type="removal", project=D(10000), leakage=D(150), buffer_rate=D("0.20"), sop_exempt=True)
    # Net change -500: a reversal of 500, never credited negative.
    bad = row(activity_type="removal", project=D(-500), buffer_rate=D("0.20"), sop_exempt=True, year=2028)
    out = run([ok, bad])
    a, b = out.iloc[0], out.iloc[1]
    assert (a["daf"], a["buffer"], a["sop_adaptation"], a["omge"], a["issuable"]) == (0, 1970, 0, 197, 7683)
    # participant_floor check: floor(9,850 x (1 - 0.20 - 0 - 0.02)) = floor(7,683) = 7,683;
    # buffer = ceil(0.22 x 9,850 = 2,167) - 197 = 1,970
    assert (b["reductions"], b["reversal"], b["issuable"]) == (0, 500, 0)


def test_authorised_split():
    # 10,000 x (1 - 0.10) = 9,000; SOP 450, OMGE 180 -> 8,370; authorised floor(8,370 x 0.6) = 5,022
    out = run([row(baseline=D(10000), authorised_share=D("0.6"))]).iloc[0]
    assert (out["issuable"], out["issuable_authorised"], out["issuable_mitigation_contribution"]) == (8370, 5022, 3348)


def test_exemption_switched_off_by_parameter():
    out = run([row(baseline=D(10000), sop_exempt=True)], {**PARAMS, "issuance.ldc_sids_sop_exempt": False}).iloc[0]
    assert out["sop_adaptation"] == 450


def test_floats_enter_through_their_repr_and_outputs_are_exact():
    out = run([row(baseline=0.1 + 0.2, project=0.0)], NO_DA).iloc[0]  # repr 0.30000000000000004, no binary tail
    assert out["reductions"] == D("0.30000000000000004")
    out = run([row(baseline="90379.17")]).iloc[0]
    assert isinstance(out["baseline_adjusted"], D) and out["baseline_adjusted"] == D("81341.2530")


def test_input_rows_untouched_and_errors_are_clear():
    rows = pd.DataFrame([row(baseline=D(10))])
    before = rows.copy()
    credit_years(rows, PARAMS)
    pd.testing.assert_frame_equal(rows, before)
    with pytest.raises(PipelineError, match="lack column"):
        credit_years(rows.drop(columns=["leakage"]), PARAMS)
    with pytest.raises(PipelineError, match="issuance.omge_rate"):
        credit_years(rows, {k: v for k, v in PARAMS.items() if k != "issuance.omge_rate"})
    with pytest.raises(PipelineError, match="activity_type"):
        credit_years(pd.DataFrame([row(activity_type="avoidance")]), PARAMS)
    assert "crediting.deduction_rounding" in PARAM_NAMES


def test_conventions_come_from_their_parameter_file_only():
    # issue 15 item 3: the conventions are read from methodologies/parameters/crediting.yaml through the
    # ParameterSet, with no second copy in src/: a missing one is an error naming it and its file
    import datetime as dt

    from pacm.quantities.pipeline import CONVENTION_PARAMS, resolve_params
    from pacm.rulepack import load_pack

    got = resolve_params(load_pack().params, dt.date(2026, 11, 1))
    # crediting.yaml, values in force from 2021-01-01: deduction_rounding participant_floor, day_count actual_actual
    assert (got["crediting.deduction_rounding"], got["crediting.day_count"]) == ("participant_floor", "actual_actual")
    assert set(CONVENTION_PARAMS) == {"crediting.deduction_rounding", "crediting.day_count"}
    name = "crediting.deduction_rounding"  # the one the pipeline reads (the day count is the caller's)
    with pytest.raises(PipelineError, match=rf"parameter '{name}' is missing: .*crediting\.yaml"):
        credit_years(pd.DataFrame([row(baseline=D(10))]), {k: v for k, v in PARAMS.items() if k != name})
    import dataclasses

    ps = load_pack().params  # a pack without the conventions file's entry (a copy: the loaded pack is shared)
    ps = dataclasses.replace(ps, params={k: v for k, v in ps.params.items() if k != "crediting.day_count"})
    with pytest.raises(PipelineError, match="crediting.day_count"):
        resolve_params(ps, dt.date(2026, 11, 1))



def test_check_without_a_convention_says_why_there_is_no_table():
    # pacm check on a pack that lacks crediting.deduction_rounding: no table, a note naming the parameter and
    # its file (before issue 15 item 3 the value silently came from a copy in src/)
    import dataclasses
    import datetime as dt
    from pathlib import Path

    from pacm.engine import Engine
    from pacm.pdd.load import load_pdd
    from pacm.rulepack import load_pack

    pack = load_pack()
    ps = dataclasses.replace(pack.params, params={k: v for k, v in pack.params.params.items()
                                                  if k != "crediting.deduction_rounding"})
    engine = Engine(dataclasses.replace(pack, params=ps, _compiled={}))
    wind = Path(__file__).resolve().parents[1] / "examples" / "wind_farm_india.yaml"
    q = engine.check(load_pdd(wind), dt.date(2026, 11, 1)).quantities
    assert q.rows is None
    assert any("crediting.deduction_rounding" in n and "crediting.yaml" in n and "no crediting table" in n
               for n in q.notes), q.notes

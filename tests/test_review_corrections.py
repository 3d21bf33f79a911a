"""Corrections from review 2026-11 that change credited quantities (issue 10 item 6), by hand arithmetic.

ACM0002 (domain brief §9.2 [S]): PE_HP = EF_Res x TEG for 4 < PD <= 10 W/m2 with EF_Res = 0.09 tCO2e/MWh, 0 above
10 W/m2; PE_GP (geothermal non-condensable gases) is a project emission. Base: the new-activity wind fixture,
2027 full year, EG 104,970 MWh.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.pdd.load import pdd_from_data
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
WIND = load_file(ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml").data
COOK = load_file(ROOT / "examples" / "cookstoves_malawi.yaml").data
ENGINE = Engine()


def q2027(tech, **activity):
    data = copy.deepcopy(WIND)
    data["activity"]["technology"] = tech
    data["activity"].update(activity)
    res = ENGINE.check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1))
    return res, res.quantities.to_json()


@pytest.mark.parametrize("pd,project", [
    (None, "9447.3"),        # no PD stated: the conservative 0.09 x 104,970 = 9,447.3
    (D("10"), "9447.3"),     # 4 < PD <= 10: 0.09 x 104,970
    (D("10.1"), "0"),        # PD > 10: no reservoir emissions
])
def test_reservoir_emissions_by_power_density(pd, project):
    _, q = q2027("hydro_reservoir", **({} if pd is None else {"power_density_w_m2": pd}))
    assert next(y for y in q["years"] if y["year"] == 2027)["project"] == project


def test_geothermal_needs_its_non_condensable_gas_emissions():
    res, q = q2027("geothermal")
    assert q["years"] == [] and any("PE_GP" in n for n in q["notes"])
    data = copy.deepcopy(WIND)
    data["activity"]["technology"] = "geothermal"
    data["quantification"]["inputs"]["PE_GP"] = D("3650")  # t/yr: 3,650 x 365/365 in 2027
    q = ENGINE.check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1)).quantities.to_json()
    assert next(y for y in q["years"] if y["year"] == 2027)["project"] == "3650"


def test_fnrb_has_no_cdm_default_any_more():
    data = copy.deepcopy(COOK)
    del data["quantification"]["inputs"]["fNRB"]
    q = ENGINE.check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1)).quantities.to_json()
    assert q["years"] == [] and any("fNRB" in n for n in q["notes"])


def test_ldc_exemption_scope_for_transitioned_activities_is_a_named_parameter():
    # cookstoves (transitioned, Malawi LDC) 2022: gross 6,797. Exempt: SOP 0. Other reading (Myanmar PoA, 7 %
    # deducted): floor(6,797 x 0.93) = 6,321 issuable, OMGE 136, SOP 6,797 - 6,321 - 136 = 340
    res = ENGINE.check(pdd_from_data(copy.deepcopy(COOK), None, "<t>"), dt.date(2026, 11, 1))
    q = res.quantities.to_json()
    assert next(y for y in q["years"] if y["year"] == 2022)["sop_adaptation"] == "0"
    assert any(n.startswith("assumption: issuance.ldc_sids_exemption_covers_transitioned = true") for n in q["notes"])
    eng = Engine()
    eng.pack.params.override("issuance.ldc_sids_exemption_covers_transitioned", "false", "test")
    q = eng.check(pdd_from_data(copy.deepcopy(COOK), None, "<t>"), dt.date(2026, 11, 1)).quantities.to_json()
    y = next(y for y in q["years"] if y["year"] == 2022)
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("340", "136", 6321)


def test_corresponding_adjustment_covers_the_authorised_share_of_sop_and_omge_units():
    # seed 001 (CMA6, authorisation): the corresponding adjustment also applies to the units taken for adaptation
    # and OMGE. Cookstoves 2022: 60 % authorised; issuable 6,661 -> authorised floor(3,996.6) = 3,996; SOP 0
    # (Malawi LDC), OMGE 136 -> floor(0.6 x 136 = 81.6) = 81; 3,996 + 81 = 4,077
    q = ENGINE.check(pdd_from_data(copy.deepcopy(COOK), None, "<t>"), dt.date(2026, 11, 1)).quantities.to_json()
    y = next(y for y in q["years"] if y["year"] == 2022)
    assert (y["issuable_authorised"], y["corresponding_adjustment"]) == (3996, 4077)
    # landfill 2026, all authorised: gross 46,629 = issuable 43,364 + OMGE ceil(932.58) = 933 + SOP 2,332
    lfg = load_file(ROOT / "examples" / "landfill_gas_fails_additionality.yaml").data
    q = ENGINE.check(pdd_from_data(lfg, None, "<t>"), dt.date(2026, 11, 1)).quantities.to_json()
    y = next(y for y in q["years"] if y["year"] == 2026)
    assert y["corresponding_adjustment"] == 43364 + 933 + 2332 == 46629

"""Golden crediting tables for the four methodologies, and hand-checked figures with their sources.

The full quantities JSON of each example PDD is stored in ``tests/golden/quantities/<name>.json`` and
compared exactly, so any changed number shows in review. Re-record on purpose only::

    PACM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_quantities_golden.py

The hand-checked tests below recompute chosen figures from their sources, independently of the
golden files (a golden file records what pacm does; these say it is right).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.pdd.load import pdd_from_data
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "quantities"
AS_OF = dt.date(2026, 11, 1)
EXAMPLES = ["wind_farm_india", "landfill_gas_fails_additionality", "cookstoves_malawi", "reforestation_removal"]


@pytest.fixture(scope="module")
def engine():
    return Engine()


def example(name: str) -> dict:
    return load_file(ROOT / "examples" / f"{name}.yaml").data


def new_activity(name: str) -> dict:
    """The examples as they were before issue 10 made three of them transitioned CDM activities: new A6.4
    activities with crediting periods from 2026, kept in tests/fixtures/pdd/ for the hand-checked arithmetic
    below (a CDM methodology fails activity_cycle.methodology_approved for a new activity, but the crediting
    arithmetic these tests check does not depend on that verdict)."""
    return load_file(ROOT / "tests" / "fixtures" / "pdd" / f"{name}.yaml").data


def quantities(engine, data: dict, source: str = "<test>") -> dict:
    result = engine.check(pdd_from_data(data, None, source), AS_OF, source=source)
    assert result.quantities is not None, result.notes
    return json.loads(json.dumps(result.quantities.to_json()))


def year(q: dict, y: int) -> dict:
    return next(r for r in q["years"] if r["year"] == y)


def traced(q: dict, y: int, name: str) -> dict:
    return next(t for t in q["trace"] if t.get("year") == y and t["name"] == name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_example(engine, name):
    got = quantities(engine, example(name), f"examples/{name}.yaml")
    path = GOLDEN / f"{name}.json"
    if os.environ.get("PACM_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: record it with PACM_UPDATE_GOLDEN=1"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["years"] == want["years"]
    assert got["totals"] == want["totals"]
    assert got["notes"] == want["notes"]
    assert got["trace"] == want["trace"]
    assert got == want


# ----------------------------------------------------------------------------- grid renewable
def test_cdm_8442_ex_ante_anchor():
    # Real case C04 / issue anchor: CDM 8442 (Tata Power Samana, 50.4 MW wind):
    # 104,970 MWh/yr x 0.92237 tCO2/MWh = 96,821 tCO2/yr ex-ante (UNFCCC-2022 ref 8442; energymonitor.ai).
    # The CDM figure has no A6.4 downward adjustment and no levies: both set to 0 here.
    eng = Engine()
    for name in ("baseline.downward_adjustment_initial_min", "baseline.downward_adjustment_annual_min",
                 "issuance.sop_adaptation_rate", "issuance.omge_rate"):
        eng.pack.params.override(name, "0", "test")
    data = new_activity("wind_new_acm0002")
    data["baseline"].pop("downward_adjustment")
    data["baseline"].pop("bau_emissions")
    # with OM = BM the combined margin is 0.92237 whatever the weights (C04 gives only the CM)
    data["quantification"]["inputs"] = {"EF_grid_OM": D("0.92237"), "EF_grid_BM": D("0.92237")}
    q = quantities(eng, data)
    y = year(q, 2027)  # a full calendar year of the crediting period
    assert traced(q, 2027, "EF_grid_CM")["value"] == "0.92237"
    assert y["baseline"] == "96821.1789"  # 104,970 x 0.92237
    assert y["issuable"] == 96821  # whole tonnes, rounded down: 96,821 as in the CDM PDD


@pytest.mark.parametrize("technology,cp_number,cm", [
    ("wind", 1, "0.861"),               # C07: CEA v20 CM for wind/solar 0.861 = 0.75 x 0.964 + 0.25 x 0.552
    ("solar_pv", 2, "0.861"),           # TOOL07: wind/solar 0.75/0.25 in every crediting period
    ("hydro_run_of_river", 1, "0.758"),  # C07: CM for other technologies 0.758 = 0.5 x 0.964 + 0.5 x 0.552
    ("hydro_run_of_river", 2, "0.655"),  # TOOL07 later CPs 0.25/0.75: 0.25 x 0.964 + 0.75 x 0.552 = 0.241 + 0.414
])
def test_c07_combined_margin_weights(engine, technology, cp_number, cm):
    data = new_activity("wind_new_acm0002")  # inputs EF_grid_OM 0.964, EF_grid_BM 0.552 (C07, derived)
    data["activity"]["technology"] = technology
    data["crediting_period"]["number"] = cp_number
    q = quantities(engine, data)
    assert traced(q, 2027, "EF_grid_CM")["value"] == cm


def test_wind_new_activity_year_2027_by_hand(engine):
    # tests/fixtures/pdd/wind_new_acm0002.yaml (the README's worked example, before issue 10), 2027:
    q = quantities(engine, new_activity("wind_new_acm0002"))
    y = year(q, 2027)
    assert y["days"] == 365
    assert y["baseline"] == "90379.17"             # 104,970 MWh x 0.861 tCO2/MWh
    # DAF = 0.10 + 0.01 x 1 = 0.11 (rules/parameters/baseline.yaml minima; the PDD asks the same);
    # BAU cap 96,821 x 365/365 = 96,821 is not binding
    assert y["baseline_adjusted"] == "80437.4613"  # 90,379.17 x 0.89
    assert y["reductions"] == "80437.4613"         # project 0, leakage 0 (ACM0002)
    # gross 80,437; issuable floor(80,437 x 0.93) = floor(74,806.41) = 74,806; OMGE ceil(1,608.74) = 1,609;
    # SOP 80,437 - 74,806 - 1,609 = 4,022 (= ceil(4,021.85)); India is neither LDC nor SIDS
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("4022", "1609", 74806)
    assert y["issuable_mitigation_contribution"] == 74806  # authorization.status: mitigation_contribution
    # 2026: 1 Jul to 31 Dec = 184 days; 2028 is a leap year (366 days); 2031: 1 Jan to 30 Jun = 181 days
    assert [r["days"] for r in q["years"]] == [184, 365, 366, 365, 365, 181]


# ----------------------------------------------------------------------------- landfill gas
def test_landfill_2026_by_hand(engine):
    q = quantities(engine, example("landfill_gas_fails_additionality"))
    y = year(q, 2026)
    # F_CH4_flared = 1,800 t x 0.5 (TOOL06 open-flare default [C]) = 900; F_CH4_PJ = 900 + 1,200 = 2,100 t
    assert traced(q, 2026, "F_CH4_PJ")["value"] == "2100"
    # BE_CH4 = (1 - 0.1) x (2,100 - 100 x 365/365) x 28 = 50,400; BE_EC = 16,000 MWh x 0.09 = 1,440
    assert traced(q, 2026, "BE_CH4")["value"] == "50400"
    assert y["baseline"] == "51840"
    assert y["baseline_adjusted"] == "46656"  # x (1 - 0.10); BAU 60,000 not binding
    assert y["project"] == "27"               # 300 MWh x 0.09
    assert y["reductions"] == "46629"
    # floor(46,629 x 0.93) = floor(43,364.97) = 43,364; all authorised (authorised_share 1)
    assert (y["issuable"], y["issuable_authorised"]) == (43364, 43364)


# ----------------------------------------------------------------------------- cookstoves
def test_cookstoves_2027_by_hand(engine):
    q = quantities(engine, new_activity("cookstoves_new_ams_ii_g"))
    y = year(q, 2027)
    # B_savings = 2.4 x (1 - 0.10 / 0.30) = 1.6 t/stove/yr
    assert D(traced(q, 2027, "B_savings")["value"]) == D("1.6")
    # BE = 15,000 x 1.6 x 1 x 0.3 x 0.0156 x 63.7 = 7,154.784 tCO2 (AMS-II.G, brief §9.3 defaults)
    assert y["baseline"] == "7154.784"
    # PDD adjustment 0.10 + 0.02 x 1 = 0.12 is stricter than the rule pack's 0.11
    assert y["baseline_adjusted"] == "6296.20992"
    assert y["leakage"] == "357.7392"          # 0.05 x 7,154.784
    # gross 5,938; Malawi is an LDC: no SOP; OMGE ceil(118.76) = 119; issuable floor(5,938 x 0.98) = 5,819
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("0", "119", 5819)
    # authorised floor(5,819 x 0.6) = floor(3,491.4) = 3,491; mitigation contribution 2,328
    assert (y["issuable_authorised"], y["issuable_mitigation_contribution"]) == (3491, 2328)


# ----------------------------------------------------------------------------- A/R removals
def test_reforestation_by_hand(engine):
    q = quantities(engine, new_activity("reforestation_new_ar_acm0003"))
    y = year(q, 2027)
    # delta_C_P = 4,200 + 0.5 x 1,200 ha x 1 = 4,800; project = 4,800 - 40 = 4,760; leakage 150
    assert (y["project"], y["leakage"], y["reductions"]) == ("4760", "150", "4610")
    assert y["baseline_adjusted"] == "0"  # no downward adjustment of a removals baseline
    # buffer 'medium' 0.20 (rules/parameters/removals.yaml [M]); Uganda LDC: no SOP; OMGE ceil(92.2) = 93;
    # issuable floor(4,610 x 0.78) = floor(3,595.8) = 3,595; buffer ceil(0.22 x 4,610 = 1,014.2) - 93 = 922
    assert (y["buffer"], y["sop_adaptation"], y["omge"], y["issuable"]) == ("922", "0", "93", 3595)
    # 2032: -3,000 + 600 - 40 - 150 = -2,590: a reversal, reported, never credited negative
    r = year(q, 2032)
    assert (r["reductions"], r["reversal"], r["issuable"]) == ("0", "2590", 0)
    assert any("reversal of 2590" in n for n in q["notes"])


# ----------------------------------------------------------------------------- transitioned examples (issue 10)
# A transitioned CDM activity is credited in A6.4ERs from transition.a64_vintage_from (2021-01-01; decision
# 2/CMP.16: no CDM issuance for reductions after 2020) to the last day it applies its CDM methodology, without the
# A6.4 downward adjustment (domain brief §7 [S]: every A6.4 requirement except the methodology).
def test_transitioned_wind_cdm_8442_by_hand(engine):
    q = quantities(engine, example("wind_farm_india"))
    # CDM 8442 fixed CP 2012-12-06..2022-12-05 (UNFCCC export): 2021 = 365 days, 2022 = 1 Jan..5 Dec = 334 + 5 = 339
    assert [(r["year"], r["days"]) for r in q["years"]] == [(2021, 365), (2022, 339)]
    y = year(q, 2021)
    # 104,970 MWh x 0.861 (C07 CM for wind: 0.75 x 0.964 + 0.25 x 0.552) = 90,379.17; no downward adjustment
    assert (y["baseline"], y["baseline_adjusted"], y["reductions"]) == ("90379.17", "90379.17", "90379.17")
    # gross 90,379; issuable floor(90,379 x 0.93) = floor(84,052.47) = 84,052; OMGE ceil(1,807.58) = 1,808;
    # SOP 90,379 - 84,052 - 1,808 = 4,519 (India: neither LDC nor SIDS)
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("4519", "1808", 84052)
    y = year(q, 2022)
    # 97,493 MWh x 0.861 = 83,941.473; floor(83,941 x 0.93) = floor(78,065.13) = 78,065; OMGE ceil(1,678.82) = 1,679
    assert y["baseline"] == "83941.473"
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("4197", "1679", 78065)
    assert q["totals"]["issuable"] == 84052 + 78065


def test_transitioned_cookstoves_2022_by_hand(engine):
    q = quantities(engine, example("cookstoves_malawi"))
    assert [r["year"] for r in q["years"]] == [2021, 2022, 2023, 2024, 2025]  # to the grace deadline 2025-12-31
    y = year(q, 2022)
    # BE = 15,000 x 1.6 x 1 x 0.3 x 0.0156 x 63.7 = 7,154.784 (as test_cookstoves_2027_by_hand), no adjustment
    assert (y["baseline"], y["baseline_adjusted"], y["leakage"]) == ("7154.784", "7154.784", "357.7392")
    # reductions 6,797.0448: gross 6,797; Malawi LDC: SOP 0; OMGE ceil(135.94) = 136; floor(6,797 x 0.98) = 6,661
    assert (y["sop_adaptation"], y["omge"], y["issuable"]) == ("0", "136", 6661)
    # authorised floor(6,661 x 0.6) = floor(3,996.6) = 3,996; mitigation contribution 2,665
    assert (y["issuable_authorised"], y["issuable_mitigation_contribution"]) == (3996, 2665)


def test_transitioned_reforestation_by_hand(engine):
    q = quantities(engine, example("reforestation_removal"))
    assert [r["year"] for r in q["years"]] == [2021, 2022, 2023, 2024, 2025]
    y = year(q, 2022)
    # 11,000 + 0.5 x 1,200 = 11,600; - 40 = 11,560; leakage 150; reductions 11,410
    assert (y["project"], y["leakage"], y["reductions"]) == ("11560", "150", "11410")
    # buffer 'medium' 0.20; OMGE ceil(228.2) = 229; buffer ceil(0.22 x 11,410 = 2,510.2) - 229 = 2,282;
    # issuable floor(11,410 x 0.78) = floor(8,899.8) = 8,899; Uganda LDC: SOP 0
    assert (y["buffer"], y["sop_adaptation"], y["omge"], y["issuable"]) == ("2282", "0", "229", 8899)
    r = year(q, 2024)  # -3,000 + 600 - 40 - 150 = -2,590: a reversal
    assert (r["reductions"], r["reversal"], r["issuable"]) == ("0", "2590", 0)

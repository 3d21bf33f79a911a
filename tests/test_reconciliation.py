"""Reconciliation of stated and computed quantities, and no rule comparing a value with itself (issue 10 item 3).

Expected figures by hand from the methodology equations (not from pacm's output): landfill 2026 baseline
BE_CH4 + BE_EC = (1 - 0.1) x (2,100 - 100) x 28 + 16,000 x 0.09 = 50,400 + 1,440 = 51,840 t (review 2026-11:
"60,000 stated vs 51,840 computed, no finding"). Tolerance 5 % (crediting.reconciliation_tolerance):
5 % of 51,840 = 2,592, so 54,432 is on the limit and 54,433 one tonne outside.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.expr.parser import parse_condition
from pacm.pdd.load import pdd_from_data
from pacm.rulepack import _names, load_pack, self_comparisons
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
LFG = load_file(ROOT / "examples" / "landfill_gas_fails_additionality.yaml").data
WIND = load_file(ROOT / "examples" / "wind_farm_india.yaml").data


def recon(data, engine=None, field="baseline.baseline_emissions"):
    res = (engine or Engine()).check(pdd_from_data(copy.deepcopy(data), None, "<t>"), dt.date(2026, 11, 1))
    return next(f for f in res.findings if f.rule == "quantities.reconciliation" and f.fields == [field])


def with_baseline(value):
    data = copy.deepcopy(LFG)
    data["baseline"]["baseline_emissions"] = D(value)
    return data


def test_landfill_stated_baseline_mismatch_is_a_finding_with_both_numbers():
    f = recon(LFG)
    assert f.status == "fail"
    assert "60000" in f.message and "51840.00" in f.message and "15.7 %" in f.message
    assert "methodologies/a64_amm_001/methodology.yaml" in f.message


def test_review_case_30000_stated_60000_computed():
    assert recon(with_baseline("30000")).status == "fail"


@pytest.mark.parametrize("stated,status", [("54432", "pass"), ("54433", "fail"), ("49248", "pass"), ("49247", "fail")])
def test_tolerance_limit_one_inside_one_outside(stated, status):
    # 51,840 +/- 2,592: 54,432 and 49,248 on the limit
    assert recon(with_baseline(stated)).status == status


def test_tolerance_is_a_dated_parameter():
    eng = Engine()
    eng.pack.params.override("crediting.reconciliation_tolerance", "0.2", "test")
    assert recon(LFG, eng).status == "pass"  # 15.7 % <= 20 %


def test_ex_ante_total_reconciled():
    # wind 2021-2022: 90,379.17 + 83,941.473 = 174,320.643 t
    assert recon(WIND, field="quantification.ex_ante_total_reductions").status == "pass"
    data = copy.deepcopy(WIND)
    data["quantification"]["ex_ante_total_reductions"] = D("193553")  # 174,320.643 x 1.05 = 183,036.7: above
    assert recon(data, field="quantification.ex_ante_total_reductions").status == "fail"


def test_stated_crediting_baseline_reconciled_with_adjusted():
    data = copy.deepcopy(LFG)
    data["baseline"]["crediting_baseline_emissions"] = D("46656")  # 51,840 x 0.90
    assert recon(data, field="baseline.crediting_baseline_emissions").status == "pass"
    data["baseline"]["crediting_baseline_emissions"] = D("54000")  # the landfill PDD's 60,000 x 0.9
    assert recon(data, field="baseline.crediting_baseline_emissions").status == "fail"


# ------------------------------------------------------------------------------------------ self-comparison
@pytest.fixture(scope="module")
def names():
    return _names(load_pack().params)


@pytest.mark.parametrize("src", [
    "baseline.bau_emissions <= baseline.bau_emissions",
    "crediting_period.length_years * 2 > crediting_period.length_years * 2",
    # the review's case: crediting_baseline_first_year falls back to lower_of_adjusted_and_bau
    "baseline.crediting_baseline_first_year <= baseline.lower_of_adjusted_and_bau",
])
def test_self_comparison_is_caught(names, src):
    assert self_comparisons(parse_condition(src, names))


def test_a_real_comparison_is_not_flagged(names):
    assert not self_comparisons(parse_condition("baseline.crediting_baseline_emissions <= baseline.lower_of_adjusted_and_bau", names))


def test_no_rule_in_the_pack_compares_a_value_with_itself():
    pack = load_pack()
    assert [r.id for r in pack.rules if self_comparisons(r.require)] == []

"""Meanings that used to be written in several places and now have one home (issue 15).

- "Choose the lower number" (SBM016 step 5): the derive layer's first-year field and the crediting pipeline's
  every year call :func:`pacm.tonnes.lower_of_adjusted_and_bau`; the cases below sit on the tie, one tonne
  inside and one outside, in both places.
- Citations: :func:`pacm.citation.cite` writes every reference (findings, the crediting trace, ``pacm explain``);
  :func:`pacm.citation.parse_reference` checks every ``reference:`` of the pack.
- What a value is, in messages: :func:`pacm.safeyaml.describe_kind` (PDD problems and parameters alike).
"""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest

from pacm.citation import METHODOLOGY_REF_KEYS, REF_KEYS, cite, parse_reference
from pacm.errors import Collected
from pacm.pdd.fields import flatten
from pacm.pdd.load import pdd_from_data
from pacm.quantities.pipeline import credit_years
from pacm.safeyaml import describe_kind, load_file
from pacm.tonnes import lower_of_adjusted_and_bau

ROOT = Path(__file__).resolve().parents[1]
WIND = load_file(ROOT / "examples" / "wind_farm_india.yaml").data
NO_DA = {
    "baseline.downward_adjustment_initial_min": D(0), "baseline.downward_adjustment_annual_min": D(0),
    "baseline.downward_adjustment_form": "linear", "issuance.sop_adaptation_rate": D("0.05"),
    "issuance.omge_rate": D("0.02"), "issuance.ldc_sids_sop_exempt": True,
    "crediting.deduction_rounding": "participant_floor", "crediting.day_count": "actual_actual",
}

# adjusted baseline 900 (1000 x (1 - 0.10)); BAU one tonne below, equal, one tonne above
CASES = [(D(899), D(899), "bau"), (D(900), D(900), "downward_adjustment"), (D(901), D(900), "downward_adjustment")]


@pytest.mark.parametrize("bau,lower,_", CASES)
def test_lower_of_adjusted_and_bau_on_the_tie_and_either_side(bau, lower, _):
    assert lower_of_adjusted_and_bau(D(900), bau) == lower


@pytest.mark.parametrize("bau,lower,bound", CASES)
def test_the_pipeline_credits_the_same_lower_number(bau, lower, bound):
    # one year, DAF 0.10 stated for the year (da_initial), no rule-pack minimum
    row = dict(activity="a", year=2027, days=365, baseline=D(1000), project=D(0), leakage=D(0), years_since_start=0,
               activity_type="emission_reduction", buffer_rate=D(0), sop_exempt=False, authorised_share=D(0),
               bau=bau, da_initial=D("0.10"), da_increment=D(0), da_form="linear", da_applies=True)
    out = credit_years(pd.DataFrame([row]), NO_DA)
    assert out["baseline_adjusted"][0] == lower
    assert out["baseline_bound"][0] == bound  # on the tie the adjusted baseline binds, not BAU


@pytest.mark.parametrize("bau,lower,_", CASES)
def test_the_derive_layer_gives_the_same_lower_number(bau, lower, _):
    data = copy.deepcopy(WIND)
    data["baseline"].update({"baseline_emissions": D(1000), "bau_emissions": bau,
                             "downward_adjustment": {"initial": D("0.10"), "annual_increment": D("0.01")}})
    data["baseline"].pop("crediting_baseline_emissions", None)
    flat = flatten(pdd_from_data(data, None, "<t>"))
    assert flat["baseline.lower_of_adjusted_and_bau"] == lower
    assert flat["baseline.crediting_baseline_first_year"] == lower


def test_the_derive_layer_calls_the_shared_function():
    derive = (ROOT / "rules" / "derive.yaml").read_text(encoding="utf-8")
    assert "value: lower_of_adjusted_and_bau(baseline.adjusted_emissions, baseline.bau_emissions)" in derive


@pytest.mark.parametrize("ref,text", [
    ({"document": "Decision 3/CMA.3, annex (RMP)", "paragraph": "33"}, "Decision 3/CMA.3, annex (RMP), para 33"),
    ({"document": "CDM", "symbol": "ACM0002", "version": "22.0"}, "CDM, ACM0002, v22.0"),
    ({"document": "CDM", "symbol": "TOOL01", "version": "v07.0.0", "paragraph": "Step 0"}, "CDM, TOOL01, v07.0.0, Step 0"),
    ({"document": "RMP", "paragraph": "chapter VII (para 67 [M])"}, "RMP, chapter VII (para 67 [M])"),
    ({"document": "ACM0001", "equation": "5", "url": "https://x", "note": "n"}, "ACM0001, equation 5"),
    ({}, ""), (None, ""),
])
def test_cite_writes_one_format(ref, text):
    assert cite(ref) == text


def test_parse_reference_checks_keys_and_document():
    c = Collected("f.yaml")
    assert parse_reference(c, "p", {"document": "RMP", "paragraph": 31}) == {"document": "RMP", "paragraph": "31"}
    assert not c.problems
    assert parse_reference(c, "p", {"paragraph": "31"}) == {}
    assert parse_reference(c, "q", "RMP") == {}
    parse_reference(c, "r", {"document": "RMP", "paragrph": "31"})
    parse_reference(c, "s", {"document": "ACM0001", "equation": "5"})  # only methodologies cite an equation
    assert not parse_reference(Collected("m"), "t", {"document": "ACM0001", "equation": "5"}, METHODOLOGY_REF_KEYS) == {}
    got = [(p.code, p.loc, p.message, p.hint) for p in c.problems]
    assert got[0][:3] == ("bad-reference", "p", "reference must be a mapping with at least 'document'")
    assert got[1][:2] == ("bad-reference", "q")
    assert got[2][:3] == ("unknown-key", "r.paragrph", "unknown key 'paragrph'") and "paragraph" in got[2][3]
    assert got[3][:3] == ("unknown-key", "s.equation", "unknown key 'equation'")
    assert len(got) == 4
    assert "equation" in METHODOLOGY_REF_KEYS and "equation" not in REF_KEYS


@pytest.mark.parametrize("value,text", [
    (None, "nothing (null)"), (True, "the true/false value true"), ([1], "a list"), ({"a": 1}, "a mapping"),
    ("x" * 70, "the text '" + "x" * 60 + "'"), (D("1.5"), "the number 1.5"), (7, "the number 7"),
])
def test_describe_kind_one_wording(value, text):
    assert describe_kind(value) == text


def test_on_the_tie_the_adjusted_baseline_is_the_one_returned():
    # equal numbers written differently: a finding message shows the value returned, so the tie must return the
    # adjusted baseline ("900.00" = 1000 x (1 - 0.10)), not BAU ("900"), as the docstring and the pipeline say
    got = lower_of_adjusted_and_bau(D("900.00"), D("900"))
    assert str(got) == "900.00"

"""Findings name what the user can change (issue 10 item 9)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.errors import PacmInputError
from pacm.pdd.load import pdd_from_data
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
WIND = load_file(ROOT / "examples" / "wind_farm_india.yaml").data


def test_did_you_mean_offers_only_settable_inputs():
    # EF_OM is closer to the fixed default w_OM than to EF_grid_OM by edit distance; w_OM cannot be set in a PDD
    data = copy.deepcopy(WIND)
    data["quantification"]["inputs"]["EF_OM"] = data["quantification"]["inputs"].pop("EF_grid_OM")
    with pytest.raises(PacmInputError) as exc:
        Engine().check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1))
    text = str(exc.value)
    assert "EF_grid_OM" in text and "w_OM" not in text


def test_missing_derived_field_names_its_inputs():
    data = copy.deepcopy(WIND)
    for k in ("cdm_crediting_period_end", "cdm_crediting_period_number"):
        data["transition"].pop(k)
    res = Engine().check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1), quantities=False)
    f = next(f for f in res.findings if f.rule == "crediting_period.start_not_before_2021")
    assert f.status == "insufficient_data"
    assert "derived from" in f.message
    assert f.why_not == "provide transition.cdm_crediting_period_end, transition.cdm_crediting_period_number"


def test_failing_derived_field_names_its_inputs():
    data = copy.deepcopy(WIND)
    data["additionality"]["common_practice"] = {"n_all": 40, "n_diff": 20}  # F = 0.5, 20 similar: common practice
    res = Engine().check(pdd_from_data(data, None, "<t>"), dt.date(2026, 11, 1), quantities=False)
    f = next(f for f in res.findings if f.rule == "additionality.common_practice")
    assert f.status == "fail"
    assert "additionality.common_practice.n_similar is derived from additionality.common_practice.n_all, " \
           "additionality.common_practice.n_diff" in f.why_not


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_as_of_lists_rules_not_in_force_in_every_format(capsys, fmt):
    # on 2025-05-15 the baseline standard (SBM016, in force 2025-05-16) is not yet in force
    main(["check", str(ROOT / "examples" / "landfill_gas_fails_additionality.yaml"), "--as-of", "2025-05-15", "-f", fmt])
    out = capsys.readouterr().out
    assert "baseline.downward_adjustment_initial" in out
    assert "rules evaluated" in out or '"rules_evaluated"' in out
    assert "not in force" in out.lower() or '"rules_not_in_force"' in out

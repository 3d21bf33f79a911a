"""Methodology files: load checks (units, names, kinds), PDD input checks, applicability rules, CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.errors import PacmInputError, RulePackError
from pacm.pdd.load import pdd_from_data
from pacm.quantities.methodology import load_library, load_methodology
from pacm.quantities.units import UnitError, mul, parse_unit
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 1)

GOOD = """
id: {id}
version: "1.0"
title: Test methodology
activity_type: emission_reduction
serves: [TEST-001]
references: [{{document: "test"}}]
parameters:
  EG:
    description: generation
    unit: MWh
    kind: monitored
    source: pdd
    reference: {{document: "test"}}
    confidence: unconfirmed
  EF:
    description: factor
    unit: tCO2/MWh
    kind: ex_ante
    source: pdd_or_default
    reference: {{document: "test"}}
    confidence: unconfirmed
    values:
      2021-01-01: {{value: 0.5}}
equations:
  baseline: {{expr: "{baseline}", unit: tCO2e}}
  project: {{expr: "0", unit: tCO2e}}
  leakage: {{expr: "0", unit: tCO2e}}
"""


def write(tmp_path: Path, baseline: str = "EG * EF", mid: str = "test_m", extra: str = "") -> Path:
    d = tmp_path / mid
    d.mkdir(parents=True, exist_ok=True)
    p = d / "methodology.yaml"
    p.write_text(GOOD.format(id=mid, baseline=baseline) + extra, encoding="utf-8")
    return p


def test_all_bundled_methodologies_load():
    lib = load_library(ROOT / "methodologies")
    assert set(lib.methodologies) == {"acm0002", "a64_amm_001", "ams_ii_g", "ar_acm0003"}
    assert lib.for_pdd("AMS-I.D").id == "acm0002" and lib.for_pdd("acm0002").id == "acm0002"
    assert lib.for_pdd("ACM0001").id == "a64_amm_001"


def test_units_algebra():
    assert mul(parse_unit("tCO2/MWh"), parse_unit("MWh")) == parse_unit("tCO2e")  # tCO2 is its own CO2e
    assert mul(parse_unit("t/stove*year"), parse_unit("stove")) == parse_unit("t/year")
    assert parse_unit("fraction") == parse_unit("1") == ()
    with pytest.raises(UnitError):
        parse_unit("t/ha/year")


def test_good_file_loads(tmp_path):
    m = load_methodology(write(tmp_path))
    assert list(m.equations) == ["baseline", "project", "leakage"]


def test_unit_mismatch_is_a_load_error_naming_file_and_equation(tmp_path):
    p = write(tmp_path, baseline="EG + EF")
    with pytest.raises(RulePackError) as exc:
        load_methodology(p)
    text = exc.value.render()
    assert str(p) in text and "equations.baseline" in text and "MWh" in text and "unit-mismatch" in text
    p = write(tmp_path, baseline="EG * EF * EF")  # tCO2^2/MWh, not tCO2e
    with pytest.raises(RulePackError, match="declares tCO2e"):
        load_methodology(p)


def test_unknown_names_cycles_and_keys(tmp_path):
    with pytest.raises(RulePackError, match="did you mean 'EF'"):
        load_methodology(write(tmp_path, baseline="EG * EFF"))
    with pytest.raises(RulePackError, match="cycle"):
        load_methodology(write(tmp_path, baseline="EG * EF + a", extra="  a: {expr: baseline, unit: tCO2e}\n"))
    with pytest.raises(RulePackError, match="not allowed"):
        load_methodology(write(tmp_path, baseline="__import__('os')"))
    p = write(tmp_path)
    p.write_text(p.read_text().replace("kind: monitored", "kind: monitord"))
    with pytest.raises(RulePackError, match="monitord"):
        load_methodology(p)


# ----------------------------------------------------------------------------- PDD inputs
@pytest.fixture(scope="module")
def engine():
    return Engine()


def wind() -> dict:
    # the new-activity wind PDD (tests/fixtures/pdd; before issue 10 this was the example): crediting 2026-2031
    return load_file(ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml").data


def check(engine, data):
    return engine.check(pdd_from_data(data, None, "t.yaml"), AS_OF, source="t.yaml")


def test_unknown_input_is_bad_input_with_did_you_mean(engine):
    data = wind()
    data["quantification"]["inputs"]["EF_grid_OMM"] = data["quantification"]["inputs"].pop("EF_grid_OM")
    with pytest.raises(PacmInputError) as exc:
        check(engine, data)
    assert exc.value.code == "unknown-input"
    assert "quantification.inputs.EF_grid_OMM" in exc.value.render()
    assert "did you mean 'EF_grid_OM'" in exc.value.render()


def test_ex_ante_parameter_given_yearly_is_bad_input(engine):
    # real case C17: fNRB must be fixed ex-ante, not monitored annually (same rule for any ex-ante input)
    data = wind()
    data["quantification"]["yearly"]["EF_grid_BM"] = {2027: 0.5}
    with pytest.raises(PacmInputError, match="ex-ante"):
        check(engine, data)
    data = wind()
    data["quantification"]["inputs"]["w_OM"] = 0.5  # fixed by the methodology (TOOL07)
    with pytest.raises(PacmInputError, match="fixed by methodology"):
        check(engine, data)


def test_missing_inputs_are_notes_not_crashes(engine):
    data = wind()
    del data["quantification"]["inputs"]["EF_grid_BM"]
    r = check(engine, data)
    q = r.quantities.to_json()
    assert q["years"] == [] and any("insufficient_data" in n and "EF_grid_BM" in n for n in q["notes"])
    assert "no crediting table" in r.quantities.render_text()
    data = wind()
    del data["quantification"]["yearly"]["EG_facility"][2029]
    q = check(engine, data).quantities.to_json()
    assert [y["year"] for y in q["years"]] == [2026, 2027, 2028, 2030, 2031]
    assert any("2029" in n and "EG_facility" in n for n in q["notes"])


def test_unknown_methodology_goes_to_result_notes(engine):
    data = wind()
    data["activity"]["methodology"] = {"id": "AMS-III.Z", "version": "1.0"}
    data.pop("quantification")
    r = check(engine, data)
    assert r.quantities is None
    assert any("no methodology definition serves 'AMS-III.Z'" in n for n in r.notes)


# ----------------------------------------------------------------------------- applicability rules
def status(result, rule):
    return next(f.status for f in result.findings if f.rule == rule)


def test_applicability_rules(engine):
    assert status(check(engine, wind()), "methodology.acm0002.renewable_technology") == "pass"
    data = wind()
    data["activity"]["technology"] = "landfill_gas"
    assert status(check(engine, data), "methodology.acm0002.renewable_technology") == "fail"
    assert status(check(engine, data), "methodology.a64_amm_001.landfill_gas_technology") == "not_applicable"
    data = wind()
    data["activity"]["methodology"]["id"] = "AMS-I.D"
    assert status(check(engine, data), "methodology.acm0002.small_scale_capacity") == "fail"  # 50.4 MW > 15
    data["activity"]["capacity_mw"] = 14.85  # real case C06: 66 x 225 kW = 14.85 MW <= 15 MW
    assert status(check(engine, data), "methodology.acm0002.small_scale_capacity") == "pass"
    lf = load_file(ROOT / "examples" / "landfill_gas_fails_additionality.yaml").data
    assert status(check(engine, lf), "methodology.a64_amm_001.landfill_gas_technology") == "pass"
    lf["activity"]["technology"] = "wind"
    assert status(check(engine, lf), "methodology.a64_amm_001.landfill_gas_technology") == "fail"
    ck = load_file(ROOT / "examples" / "cookstoves_malawi.yaml").data
    assert status(check(engine, ck), "methodology.ams_ii_g.cookstove_technology") == "pass"
    ck["activity"]["technology"] = "energy_efficiency"
    assert status(check(engine, ck), "methodology.ams_ii_g.cookstove_technology") == "fail"
    ar = load_file(ROOT / "examples" / "reforestation_removal.yaml").data
    assert status(check(engine, ar), "methodology.ar_acm0003.ar_removal_activity") == "pass"
    ar["activity"]["technology"] = "other"
    assert status(check(engine, ar), "methodology.ar_acm0003.ar_removal_activity") == "fail"


# ----------------------------------------------------------------------------- CLI
def test_cli_trace_and_json(capsys):
    code = main(["check", str(ROOT / "examples" / "wind_farm_india.yaml"), "--as-of", "2026-11-01", "--trace"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "Credited quantities" in out and "EF_grid_CM = w_OM * EF_grid_OM + w_BM * EF_grid_BM" in out
    assert "= 0.75 * 0.964 + 0.25 * 0.552" in out
    main(["check", str(ROOT / "examples" / "wind_farm_india.yaml"), "--as-of", "2026-11-01", "--format", "json"])
    q = json.loads(capsys.readouterr().out)["quantities"]
    # issuance: the verdict on the 'issuable' figures (issue 10 item 5)
    assert set(q) == {"methodology", "years", "totals", "trace", "notes", "issuance"}
    keys = {"year", "days", "baseline", "baseline_adjusted", "project", "leakage", "reductions", "buffer",
            "sop_adaptation", "omge", "issuable", "issuable_authorised", "issuable_mitigation_contribution"}
    assert all(keys <= set(y) for y in q["years"]) and keys - {"year"} <= set(q["totals"])
    assert all(isinstance(y["issuable"], int) and isinstance(y["baseline"], str) for y in q["years"])


def test_cli_bad_input_exit_2(tmp_path, capsys):
    data = (ROOT / "examples" / "wind_farm_india.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(data.replace("EF_grid_BM: 0.552", "EF_grid_BMM: 0.552"), encoding="utf-8")
    code = main(["check", str(bad), "--as-of", "2026-11-01"])
    err = capsys.readouterr().err
    assert code == 2
    assert "EF_grid_BMM" in err and "did you mean 'EF_grid_BM'" in err and "Traceback" not in err


def test_cli_module_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, pacm.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_as_of_before_the_baseline_standard_gives_a_note_not_an_error(engine):
    # rules/parameters/baseline.yaml: the downward-adjustment minima are in force from 2025-05-16 (SBM016)
    r = engine.check(pdd_from_data(wind(), None, "t.yaml"), dt.date(2024, 1, 1), source="t.yaml")
    q = r.quantities.to_json()
    assert q["years"] == [] and "baseline.downward_adjustment_initial_min" in q["notes"][0]


def test_two_files_serving_one_pdd_id_is_a_load_error(tmp_path):
    write(tmp_path, mid="first_m")
    write(tmp_path, mid="second_m")
    with pytest.raises(RulePackError, match="already served by methodology 'first_m'"):
        load_library(tmp_path)


@pytest.mark.parametrize("value,ok", [("0", True), ("-0.01", False), ("-1", False)])
def test_a_default_lies_in_the_parameters_range(tmp_path, value, ok):
    # EF (tCO2/MWh, not signed): a PDD may give 0 or more, so may the methodology's own default; the minimum is 0, so
    # 0 loads and one hundredth below does not (a negative leakage default, AR-TOOL15 LK_y -1, was clipped to 0
    # per year and went unnoticed)
    p = write(tmp_path)
    p.write_text(p.read_text().replace("2021-01-01: {value: 0.5}", f"2021-01-01: {{value: {value}}}"))
    if ok:
        assert load_methodology(p).params["EF"].cases[0].values[0].value == D(value)
    else:
        with pytest.raises(RulePackError) as exc:
            load_methodology(p)
        assert "bad-value" in exc.value.render() and f"default {value} is outside the parameter's range" in exc.value.render()

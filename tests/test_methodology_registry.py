"""The methodology registry and the verdicts built on it (issue 10 items 1 and 2).

Expected statuses come from the sources, not from pacm: a new Article 6.4 activity must apply an approved
mechanism methodology in force (domain brief §9bis [S]); a CDM methodology may be applied only by a transitioned
activity "until December 31, 2025, or the end of the current crediting period, whichever comes first" (§7 [S]);
A6.4-AMM-001 v01.0 entered into force on adoption, 30 Oct 2025, and "remains valid for five years" (§9.1 [S]):
five years from 2025-10-30 end on 2030-10-29. RMP para 31 maxima apply to crediting periods that start under
Article 6.4; a CDM A/R period may last 20 years (EB32 annex 38 para 10, review 2026-11).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.pdd.load import pdd_from_data
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
RULE = "activity_cycle.methodology_approved"


@pytest.fixture(scope="module")
def engine():
    return Engine()


def ex(name: str) -> dict:
    return copy.deepcopy(load_file(ROOT / "examples" / f"{name}.yaml").data)


def status(engine, data: dict, rule: str, on: dt.date = dt.date(2026, 11, 1)) -> tuple[str, str]:
    res = engine.check(pdd_from_data(data, None, "<test>"), on, quantities=False)
    f = next(f for f in res.findings if f.rule == rule)
    return f.status, f.message


def new_activity_with(data: dict, mid: str, version: str) -> dict:
    data.pop("transition", None)
    data["activity"]["methodology"] = {"id": mid, "version": version}
    return data


# ------------------------------------------------------------------------------------------- item 1
@pytest.mark.parametrize("mid,version", [("ACM0002", "22.0"), ("AMS-II.G", "13.0"), ("AR-ACM0003", "02.0"), ("ACM0001", "19.0")])
def test_new_activity_with_cdm_methodology_fails(engine, mid, version):
    data = new_activity_with(ex("wind_farm_india"), mid, version)
    data["crediting_period"].update({"start": dt.date(2026, 7, 1), "length_years": 5, "type": "renewable"})
    st, msg = status(engine, data, RULE)
    assert st == "fail"
    assert "'cdm'" in msg and "'new'" in msg


def test_new_activity_with_amm_001_passes_only_while_in_force(engine):
    data = ex("landfill_gas_fails_additionality")  # A6.4-AMM-001 v01.0, a new activity
    # approved (in force) 2025-10-30; valid five years: last day 2030-10-29 (hand arithmetic, see module doc)
    assert status(engine, data, RULE, dt.date(2025, 10, 29))[0] == "fail"
    assert status(engine, data, RULE, dt.date(2025, 10, 30))[0] == "pass"
    assert status(engine, data, RULE, dt.date(2030, 10, 29))[0] == "pass"
    assert status(engine, data, RULE, dt.date(2030, 10, 30))[0] == "fail"


def test_transitioned_cdm_methodology_within_grace_passes_and_after_fails(engine):
    data = ex("cookstoves_malawi")  # CDM period 2020-03-01..2027-02-28: grace ends 2025-12-31 (earlier of the two)
    data["transition"]["cdm_methodology_applied_until"] = dt.date(2025, 12, 31)
    assert status(engine, data, RULE)[0] == "pass"
    data["transition"]["cdm_methodology_applied_until"] = dt.date(2026, 1, 1)
    st, msg = status(engine, data, RULE)
    assert st == "fail" and "2025-12-31" in msg
    # without an applied-until date the CDM crediting period's end (2027-02-28) is the last day: past the grace
    del data["transition"]["cdm_methodology_applied_until"]
    assert status(engine, data, RULE)[0] == "fail"


def test_grace_deadline_is_the_dated_parameter(engine):
    eng = Engine()
    eng.pack.params.override("transition.cdm_methodology_deadline", "2026-06-30", "test")
    data = ex("cookstoves_malawi")
    data["transition"]["cdm_methodology_applied_until"] = dt.date(2026, 6, 30)
    assert status(eng, data, RULE)[0] == "pass"


def test_unknown_version_is_insufficient_data_naming_the_registry(engine):
    data = new_activity_with(ex("landfill_gas_fails_additionality"), "A6.4-AMM-001", "02.0")
    st, msg = status(engine, data, RULE)
    assert st == "insufficient_data"
    assert "methodologies/registry.yaml" in msg and "A6.4-AMM-001 v02.0" in msg
    data = new_activity_with(ex("landfill_gas_fails_additionality"), "A6.4-AMM-999", "01.0")
    assert status(engine, data, RULE)[0] == "insufficient_data"


USER_REGISTRY = """\
registry: my-registry
updated: 2027-02-01
methodologies:
  - id: A6.4-AMM-002
    title: A methodology approved after this pack was released (test)
    kind: mechanism
    versions:
      - version: "01.0"
        approved: 2027-01-15
        valid_until: 2032-01-14
        activities: [new]
        reference: {document: "test registry entry"}
        confidence: unconfirmed
"""


def test_user_registry_adds_a_methodology(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(USER_REGISTRY, encoding="utf-8")
    eng = Engine()
    data = new_activity_with(ex("landfill_gas_fails_additionality"), "A6.4-AMM-002", "01.0")
    assert status(eng, data, RULE, dt.date(2027, 2, 1))[0] == "insufficient_data"
    eng.use_registry(f)
    st, msg = status(eng, data, RULE, dt.date(2027, 2, 1))
    assert st == "pass" and str(f) in msg
    assert status(eng, data, RULE, dt.date(2027, 1, 14))[0] == "fail"  # not yet approved


def test_bad_user_registry_is_exit_2_naming_file_and_entry(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(USER_REGISTRY.replace("kind: mechanism", "kind: mechanisms").replace("approved:", "aproved:"), encoding="utf-8")
    code = main(["check", str(ROOT / "examples" / "wind_farm_india.yaml"), "--as-of", "2026-11-01",
                 "--methodologies", str(f)])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.yaml" in err and "mechanisms" in err and "Traceback" not in err
    f.write_text(USER_REGISTRY.replace("kind: mechanism", "kind: cdm"), encoding="utf-8")
    assert main(["methodologies", "--methodologies", str(f)]) == 2
    err = capsys.readouterr().err
    assert "valid_until" in err and "transition.cdm_methodology_deadline" in err


def test_methodologies_command_lists_inputs_units_defaults(capsys):
    assert main(["methodologies"]) == 0
    out = capsys.readouterr().out
    assert "A6.4-AMM-001 v01.0" in out and "approved 2025-10-30, valid until 2030-10-29" in out
    # methodologies/a64_amm_001/methodology.yaml: eta_flare, fraction, default 0.5 (TOOL06 open flare [C])
    line = next(l for l in out.splitlines() if l.strip().startswith("eta_flare"))
    assert "fraction" in line and "default 0.5" in line
    assert "ACM0002 v22.0  [cdm" in out


# ------------------------------------------------------------------------------------------- item 2
def test_transitioned_2012_cdm_start_is_not_judged_by_rmp_para_31(engine):
    data = ex("wind_farm_india")  # CDM 8442: fixed CP 2012-12-06..2022-12-05
    assert status(engine, data, "crediting_period.start_not_before_2021")[0] == "not_applicable"
    assert status(engine, data, "transition.cdm_cp_length_fixed")[0] == "pass"  # 10 years <= 10 (3/CMP.1 para 49(b))


def test_transitioned_20_year_ar_period_is_not_judged_by_the_15_year_maximum(engine):
    data = ex("reforestation_removal")  # CDM A/R CP 2008-01-01..2027-12-31, renewable
    assert status(engine, data, "crediting_period.max_length_removal")[0] == "not_applicable"
    assert status(engine, data, "transition.cdm_cp_length_ar_renewable")[0] == "pass"  # 20 <= 20
    # an end on the 20th anniversary itself still counts as 20 years (Transition.cdm_crediting_period_years, the
    # UNFCCC export convention); one day later is 21
    data["transition"]["cdm_crediting_period_end"] = dt.date(2028, 1, 2)
    data["crediting_period"]["length_years"] = 21
    assert status(engine, data, "transition.cdm_cp_length_ar_renewable")[0] == "fail"


def test_renewal_under_a64_after_the_cdm_period_is_judged_by_rmp_para_31(engine):
    data = ex("reforestation_removal")
    # a crediting period that starts the day after the CDM period ended is a renewal under Article 6.4
    data["crediting_period"].update({"start": dt.date(2028, 1, 1), "length_years": 16, "number": 2})
    assert status(engine, data, "crediting_period.max_length_removal")[0] == "fail"   # 16 > 15 (RMP 31(b))
    data["crediting_period"]["length_years"] = 15
    assert status(engine, data, "crediting_period.max_length_removal")[0] == "pass"
    # the CDM methodology cannot serve a renewal
    assert status(engine, data, RULE)[0] == "fail"


def test_a_transition_record_without_cdm_period_dates_cannot_be_told_apart(engine):
    data = ex("wind_farm_india")
    for k in ("cdm_crediting_period_end", "cdm_crediting_period_number"):
        data["transition"].pop(k)
    assert status(engine, data, "crediting_period.start_not_before_2021")[0] == "insufficient_data"


@pytest.mark.parametrize("name", ["wind_farm_india", "cookstoves_malawi", "reforestation_removal"])
def test_transitioned_examples_pass_and_landfill_fails(engine, name):
    res = engine.check(pdd_from_data(ex(name), None, name), dt.date(2026, 11, 1), quantities=False)
    assert res.exit_code == 0, [(f.rule, f.message) for f in res.failed]
    assert next(f for f in res.findings if f.rule == RULE).status == "pass"


def test_landfill_example_still_fails_on_additionality(engine):
    res = engine.check(pdd_from_data(ex("landfill_gas_fails_additionality"), None, "lfg"), dt.date(2026, 11, 1), quantities=False)
    assert {f.rule for f in res.failed} >= {"additionality.common_practice", "additionality.investment_benchmark"}
    assert next(f for f in res.findings if f.rule == RULE).status == "pass"

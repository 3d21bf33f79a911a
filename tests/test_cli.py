"""The CLI end to end on the bundled examples: exit codes, the JSON contract, dated parameters, overrides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
WIND = str(ROOT / "examples" / "wind_farm_india.yaml")
LFG = str(ROOT / "examples" / "landfill_gas_fails_additionality.yaml")
AR = str(ROOT / "examples" / "reforestation_removal.yaml")


def run_json(capsys, *args):
    code = main(["check", *args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_passing_example_exit_0(capsys):
    code, doc = run_json(capsys, WIND, "--as-of", "2026-11-01")
    assert code == 0
    assert set(doc) >= {"pdd", "engine", "findings", "quantities"}
    assert doc["engine"]["rule_pack_sha256"] and len(doc["engine"]["rule_pack_sha256"]) == 64
    for f in doc["findings"]:
        assert set(f) >= {"rule", "status", "reference", "fields", "actual", "expected", "message"}
        assert f["status"] in ("pass", "fail", "not_applicable", "insufficient_data", "validator_judgement")
    # CDM 8442 was registered on 2012-12-06, before 2013-01-01: transition.pre2021_cers_first_ndc fails, but it
    # is severity 'info' (a limit on the use of its CERs, not a defect of the PDD) and does not set the exit code
    fails = [(f["rule"], f["severity"]) for f in doc["findings"] if f["status"] == "fail"]
    assert fails == [("transition.pre2021_cers_first_ndc", "info")]


def test_failing_example_exit_1_and_says_why(capsys):
    code, doc = run_json(capsys, LFG, "--as-of", "2026-11-01")
    assert code == 1
    fails = {f["rule"]: f for f in doc["findings"] if f["status"] == "fail"}
    bench = fails["additionality.investment_benchmark"]
    assert bench["actual"] == {
        "additionality.investment.analysis": "benchmark",
        "additionality.investment.irr_without_credits_pct": 14.2,
        "additionality.investment.benchmark_pct": 11.0,
    }
    assert "14.2 % must be below the 11.0 % benchmark" in bench["message"]
    assert bench["why_not"]
    assert "additionality.common_practice" in fails


def test_removal_example_runs(capsys):
    code, doc = run_json(capsys, AR, "--as-of", "2026-11-01")
    assert code in (0, 1)
    rules = {f["rule"]: f["status"] for f in doc["findings"]}
    # a transitioned A/R activity: its 20-year CDM period is judged by the transition rules, not RMP 31(b)
    assert rules["crediting_period.max_length_removal"] == "not_applicable"
    assert rules["transition.cdm_cp_length_ar_renewable"] == "pass"
    assert rules["crediting_period.max_length_renewable"] == "not_applicable"


def test_evaluators_agree_on_examples(capsys):
    for ex in (WIND, LFG, AR):
        _, a = run_json(capsys, ex, "--as-of", "2026-11-01", "--evaluator", "rete")
        _, b = run_json(capsys, ex, "--as-of", "2026-11-01", "--evaluator", "vector")
        assert a["findings"] == b["findings"]


def test_param_override_changes_result_and_is_reported(capsys):
    # CDM 8442's fixed CDM period spans 10 years: 9 as the CDM maximum makes transition.cdm_cp_length_fixed fail
    code, doc = run_json(capsys, WIND, "--as-of", "2026-11-01", "--param", "transition.cdm_fixed_max_years=9")
    assert code == 1
    assert doc["engine"]["parameter_overrides"] == {"transition.cdm_fixed_max_years": "9"}
    f = next(f for f in doc["findings"] if f["rule"] == "transition.cdm_cp_length_fixed")
    assert f["status"] == "fail" and f["confidence"] == "override"


def test_params_file_override(tmp_path, capsys):
    p = tmp_path / "overrides.yaml"
    p.write_text("additionality.common_practice_f_threshold: 0.05\nadditionality.common_practice_similar_threshold: 2\n")
    code, doc = run_json(capsys, WIND, "--as-of", "2026-11-01", "--params", str(p))
    f = next(f for f in doc["findings"] if f["rule"] == "additionality.common_practice")
    assert f["status"] == "fail"  # F = 0.1 > 0.05 and 4 similar > 2
    assert code == 1


def test_as_of_selects_rules_in_force(capsys):
    # the prior-consideration rule for new starts is in force from 2024-01-01 only
    _, doc = run_json(capsys, WIND, "--as-of", "2023-06-01", "--no-quantities")
    assert "additionality.prior_consideration_new" not in {f["rule"] for f in doc["findings"]}
    _, doc = run_json(capsys, WIND, "--as-of", "2026-11-01")
    assert "additionality.prior_consideration_new" in {f["rule"] for f in doc["findings"]}


def test_out_file_written_atomically(tmp_path, capsys):
    out = tmp_path / "report.md"
    code = main(["check", WIND, "--as-of", "2026-11-01", "--format", "markdown", "--out", str(out)])
    assert code == 0
    text = out.read_text()
    assert text.startswith("# ") and "additionality.investment_benchmark" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_rules_explain_schema(capsys):
    assert main(["rules", "--clause", "31"]) == 0
    out = capsys.readouterr().out
    assert "crediting_period.max_length_renewable" in out and "additionality" not in out
    assert main(["explain", "additionality.common_practice", "--as-of", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "TOOL24" in out and "params.additionality.common_practice_f_threshold = 0.2" in out
    assert main(["explain", "additionality.comon_practice"]) == 2
    assert "did you mean 'additionality.common_practice'" in capsys.readouterr().err
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["activity"]


def test_no_traceback_for_usage_errors():
    exe = Path(sys.executable).parent / "pacm"
    if not exe.exists():
        pytest.skip("console script not installed")
    for args in (["check"], ["check", WIND, "--format", "pdf"], ["nonsense"], ["check", WIND, "--as-of", "01/02/2026"]):
        p = subprocess.run([str(exe), *args], capture_output=True, text=True)
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr

"""Issuance only for a PDD that passes (issue 10 item 5; review 2026-11 item 5: the landfill example failed
additionality and still showed 217,097 'issuable'). In every format the number stays, the claim goes."""

from __future__ import annotations

import json
from pathlib import Path

from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
LFG = str(ROOT / "examples" / "landfill_gas_fails_additionality.yaml")
WIND = str(ROOT / "examples" / "wind_farm_india.yaml")


def run(capsys, path, fmt):
    code = main(["check", path, "--as-of", "2026-11-01", "--format", fmt])
    return code, capsys.readouterr().out


def test_failing_pdd_quantities_are_would_be_issuable_in_every_format(capsys):
    code, out = run(capsys, LFG, "json")
    q = json.loads(out)["quantities"]
    assert code == 1
    assert q["issuance"]["status"] == "would_be_issuable_once_failures_resolved"
    assert "additionality.investment_benchmark" in q["issuance"]["failing_rules"]
    assert q["totals"]["issuable"] > 0  # the number stays visible
    for fmt in ("text", "markdown", "html"):
        _, out = run(capsys, LFG, fmt)
        assert "would be issuable once the failures are resolved" in out, fmt
        assert "NOT ISSUABLE AS IT STANDS" in out, fmt


def test_passing_pdd_has_no_such_statement(capsys):
    code, out = run(capsys, WIND, "json")
    assert code == 0 and json.loads(out)["quantities"]["issuance"]["status"] == "issuable"
    for fmt in ("text", "markdown", "html"):
        _, out = run(capsys, WIND, fmt)
        assert "NOT ISSUABLE" not in out, fmt

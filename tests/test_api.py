"""``pacm.check``: the notebook API returns the CLI's result as tables and renderings."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

import pacm
from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
WIND = ROOT / "examples" / "wind_farm_india.yaml"
#: the new-activity ACM0002 variant of the wind example (before issue 10 re-worked the example into a
#: transitioned CDM activity); its 2026 row is worked by hand in docs/quantities.md
WIND_NEW = ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml"


def test_json_is_the_cli_json(capsys):
    r = pacm.check(WIND, as_of="2026-11-01")
    main(["check", str(WIND), "--as-of", "2026-11-01", "--format", "json"])
    assert json.loads(r.to_json()) == json.loads(capsys.readouterr().out)


def test_findings_frame_has_one_row_per_finding():
    r = pacm.check(WIND, as_of="2026-11-01")
    df = r.findings
    assert list(df.rule) == [f.rule for f in r.result.findings]
    assert df.status.value_counts().to_dict() == {k: v for k, v in r.summary.items() if v}


def test_quantities_are_exact_and_whole_units():
    q = pacm.check(WIND_NEW, as_of="2026-11-01").quantities
    # the hand-worked 2026 row (docs/quantities.md): 52,485 MWh x 0.861 = 45,189.585 t; x 0.90 = 40,670.6265 t
    assert q.loc[2026, "baseline"] == Decimal("45189.585")
    assert q.loc[2026, "baseline_adjusted"] == Decimal("40670.6265")
    assert q.loc[2026, "issuable"] == 37823 and q["issuable"].dtype.kind == "i"
    none = pacm.check(WIND, as_of="2026-11-01", quantities=False)
    assert len(none.quantities) == 0 and none.issuable is None


def test_xlsx_has_summary_findings_quantities():
    from openpyxl import load_workbook

    r = pacm.check(WIND, as_of="2026-11-01")
    wb = load_workbook(io.BytesIO(r.to_xlsx()))
    assert wb.sheetnames == ["summary", "findings", "quantities"]
    assert wb["findings"].max_row == len(r.result.findings) + 1
    summary = {row[0]: row[1] for row in wb["summary"].iter_rows(values_only=True)}
    assert summary["verdict"] == r.verdict and summary["issuable A6.4ERs"] == r.issuable


def test_text_in_the_pdd_is_never_a_formula_in_xlsx():
    import yaml
    from openpyxl import load_workbook

    data = yaml.safe_load(WIND.read_text())
    data["activity"]["title"] = "=HYPERLINK(\"http://x\",\"y\")"
    wb = load_workbook(io.BytesIO(pacm.check(data, as_of="2026-11-01").to_xlsx()))
    cell = wb["summary"]["B1"]
    assert cell.value == data["activity"]["title"] and cell.data_type == "s"


@pytest.mark.parametrize("bad, code", [(42, "bad-argument"), ({"activity": {"titel": "x"}}, "unknown-key"),
                                       ("no/such/file.yaml", "file-not-found")])
def test_bad_input_raises_the_cli_error(bad, code):
    with pytest.raises(pacm.PacmInputError) as e:
        pacm.check(bad, as_of="2026-11-01")
    assert e.value.code == code


def test_bad_date_and_evaluator():
    with pytest.raises(pacm.PacmInputError) as e:
        pacm.check(WIND, as_of="1 Nov 2026")
    assert e.value.code == "bad-date"
    with pytest.raises(pacm.PacmInputError):
        pacm.check(WIND, as_of="2026-11-01", evaluator="fast")

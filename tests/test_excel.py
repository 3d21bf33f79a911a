"""Excel round trip: the template comes from the model; a filled workbook checks exactly like the YAML."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pacm.cli import main
from pacm.engine import Engine
from pacm.errors import PacmInputError
from pacm.pdd.excel_layout import INSTRUCTIONS, LISTS, layout
from pacm.pdd.excel_read import read_pdd_workbook
from pacm.pdd.excel_template import workbook_bytes
from pacm.pdd.fields import registry
from pacm.pdd.load import load_pdd
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
WIND = ROOT / "examples" / "wind_farm_india.yaml"
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _filled(tmp_path: Path, example: Path) -> Path:
    out = tmp_path / f"{example.stem}.xlsx"
    out.write_bytes(workbook_bytes(load_file(example).data))
    return out


def _cell_of(wb, key: str, col: str = "B"):
    for ws in wb.worksheets:
        if ws.title in (INSTRUCTIONS, LISTS):
            continue
        for row in ws.iter_rows(min_col=1, max_col=1):
            if row[0].value == key:
                return ws, ws[f"{col}{row[0].row}"]
    raise KeyError(key)


def _edit(tmp_path, example, edit) -> Path:
    src = _filled(tmp_path, example)
    wb = load_workbook(src)
    edit(wb)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def _problems(path) -> list:
    with pytest.raises(PacmInputError) as ei:
        read_pdd_workbook(path)
    return ei.value.problems


def _comparable(result) -> dict:
    d = result.to_json()
    d["pdd"].pop("source")
    return d


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_gives_identical_findings_and_quantities(engine, tmp_path, example):
    xlsx = _filled(tmp_path, example)
    from_yaml = load_pdd(example)
    from_xlsx = load_pdd(xlsx)  # the same entry point pacm check uses
    assert from_xlsx.model_dump() == from_yaml.model_dump()
    a = engine.check(from_yaml, AS_OF, source="x")
    b = engine.check(from_xlsx, AS_OF, source="x")
    assert json.dumps(_comparable(b), sort_keys=True, default=str) == json.dumps(_comparable(a), sort_keys=True, default=str)
    assert [f.status for f in b.findings] == [f.status for f in a.findings]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_cli_check_xlsx_matches_yaml(tmp_path, capsys, example):
    xlsx = tmp_path / "pdd.xlsx"
    assert main(["template", "--xlsx", str(xlsx), "--from", str(example)]) == 0
    capsys.readouterr()
    code_x = main(["check", str(xlsx), "--as-of", "2026-11-01", "--format", "json"])
    out_x = json.loads(capsys.readouterr().out)
    code_y = main(["check", str(example), "--as-of", "2026-11-01", "--format", "json"])
    out_y = json.loads(capsys.readouterr().out)
    for d in (out_x, out_y):
        d["pdd"].pop("source")
    assert code_x == code_y and out_x == out_y


def test_template_is_generated_from_the_model():
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    keys = set()
    for ws in wb.worksheets:
        if ws.title in (INSTRUCTIONS, LISTS):
            continue
        keys |= {row[0].value for row in ws.iter_rows(min_col=1, max_col=1) if isinstance(row[0].value, str)}
    model_fields = {p for p, info in registry().items() if not info["derived"]}
    assert model_fields <= keys, sorted(model_fields - keys)
    # one sheet per section, plus instructions first and the hidden lists last
    assert wb.sheetnames == [INSTRUCTIONS] + [s.name for s in layout()] + [LISTS]
    assert wb[LISTS].sheet_state == "hidden"
    # every enumeration has a drop-down holding exactly its choices
    lists = wb[LISTS]
    choice_sets = {tuple(c.value for c in col if c.value is not None) for col in lists.iter_cols()}
    for path, info in registry().items():
        if info["choices"] and not info["derived"]:
            assert tuple(info["choices"]) in choice_sets, path
            ws, cell = _cell_of(wb, path)
            dvs = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
            assert dvs and dvs[0].type == "list" and dvs[0].formula1.startswith(f"'{LISTS}'!"), path
    # the instructions list every field with its description and unit
    ins = {row[0]: row for row in wb[INSTRUCTIONS].iter_rows(values_only=True) if row and row[0]}
    assert ins["activity.capacity_mw"][3] == "MW" and "capacity" in ins["activity.capacity_mw"][5].lower()
    assert "quantification.yearly" in ins


def test_a_blank_template_filled_by_hand_is_read(tmp_path):
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    values = {
        "activity.title": "Hand-filled", "activity.host_party": "KEN", "activity.type": "emission_reduction",
        "activity.technology": "solar_pv", "activity.methodology.id": "ACM0002", "activity.methodology.version": "22.0",
        "activity.capacity_mw": 12.5, "activity.is_poa": "FALSE",  # text TRUE/FALSE from the drop-down
        "crediting_period.type": "renewable", "crediting_period.start": dt.datetime(2026, 1, 1),
        "crediting_period.length_years": 5,
    }
    for key, v in values.items():
        _cell_of(wb, key)[1].value = v
    ws = wb["quantification"]
    year_row = next(r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "year")
    ws.cell(row=year_row, column=2, value="EG_facility")
    ws.cell(row=year_row + 1, column=1, value=2026)
    ws.cell(row=year_row + 1, column=2, value=1000.25)
    out = tmp_path / "hand.xlsx"
    wb.save(out)
    pdd = read_pdd_workbook(out)
    assert pdd.activity.capacity_mw == pytest.approx(12.5) and str(pdd.activity.capacity_mw) == "12.5"
    assert pdd.activity.is_poa is False
    assert pdd.crediting_period.start == dt.date(2026, 1, 1)
    assert str(pdd.quantification.yearly["EG_facility"][2026]) == "1000.25"


def test_unknown_key_names_sheet_cell_and_suggests(tmp_path):
    def edit(wb):
        ws, cell = _cell_of(wb, "activity.title", "A")
        cell.value = "activity.titel"
    (p,) = _problems(_edit(tmp_path, WIND, edit))
    assert p.code == "unknown-key"
    assert p.loc.startswith("sheet 'activity' cell A") and "activity.titel" in p.message
    assert p.hint == "did you mean 'activity.title'?"


def test_bad_choice_and_bad_number_name_the_cell(tmp_path):
    def edit(wb):
        _cell_of(wb, "activity.type")[1].value = "reduction"
        _cell_of(wb, "activity.capacity_mw")[1].value = "fifty"
    probs = _problems(_edit(tmp_path, WIND, edit))
    by = {p.code: p for p in probs}
    assert set(by) == {"bad-choice", "wrong-type"}
    wb = load_workbook(_filled(tmp_path, WIND))
    type_cell = _cell_of(wb, "activity.type")[1].coordinate
    cap_cell = _cell_of(wb, "activity.capacity_mw")[1].coordinate
    assert by["bad-choice"].loc == f"sheet 'activity' cell {type_cell} (activity.type)"
    assert "emission_reduction" in by["bad-choice"].expected
    assert by["wrong-type"].loc == f"sheet 'activity' cell {cap_cell} (activity.capacity_mw)"
    assert "fifty" in by["wrong-type"].message


def test_missing_required_value_points_at_its_cell(tmp_path):
    def edit(wb):
        _cell_of(wb, "activity.host_party")[1].value = None
    (p,) = _problems(_edit(tmp_path, WIND, edit))
    assert p.code == "missing-key" and p.loc.startswith("sheet 'activity' cell B") and p.loc.endswith("(activity.host_party)")


def test_table_errors_name_row_and_column(tmp_path):
    def edit(wb):
        ws = wb["additionality"]
        head = next(r for r in ws.iter_rows() if r[0].value == "parameter")
        head[2].value = "irr"
        ws.cell(row=head[0].row + 1, column=2).value = "ten"
    probs = _problems(_edit(tmp_path, WIND, edit))
    assert len(probs) == 1  # the reader stops at the structural error (the unknown column)
    p = probs[0]
    assert p.code == "unknown-key" and p.hint == "did you mean 'irr_pct'?" and "sheet 'additionality' cell C" in p.loc


def test_bad_table_value_names_its_cell(tmp_path):
    def edit(wb):
        ws = wb["additionality"]
        head = next(r for r in ws.iter_rows() if r[0].value == "parameter")
        ws.cell(row=head[0].row + 2, column=2).value = "ten"
    (p,) = _problems(_edit(tmp_path, WIND, edit))
    assert p.loc.startswith("sheet 'additionality' cell B") and p.loc.endswith("(additionality.investment.sensitivity[1].variation_pct)")


def test_formulas_and_unknown_sheets_are_refused(tmp_path):
    def edit(wb):
        _cell_of(wb, "activity.capacity_mw")[1].value = "=25*2"
        wb.create_sheet("activty")
    probs = _problems(_edit(tmp_path, WIND, edit))
    codes = {p.code: p for p in probs}
    assert "formula-not-allowed" in codes and codes["formula-not-allowed"].loc.startswith("sheet 'activity' cell B")
    assert codes["unknown-sheet"].hint == "did you mean 'activity'?"


def test_not_a_workbook_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "pdd.xlsx"
    bad.write_text("activity: {}\n")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not an Excel workbook" in err and "not-a-workbook" in err and "Traceback" not in err


def test_template_command(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", "--xlsx", str(out)]) == 0
    assert load_workbook(out).sheetnames[0] == INSTRUCTIONS
    # a bad --from PDD: exit 2 and no file written
    bad = tmp_path / "bad.yaml"
    bad.write_text("activity: {titel: x}\n")
    out2 = tmp_path / "t2.xlsx"
    assert main(["template", "--xlsx", str(out2), "--from", str(bad)]) == 2
    assert not out2.exists()
    assert "did you mean 'title'" in capsys.readouterr().err
    assert main(["template", "--xlsx", str(tmp_path / "t.csv")]) == 2

"""Hostile workbooks (issue 11, the Excel paragraph): each reproducer answered as an input error.

Every workbook is generated here (openpyxl, or zipfile rewriting one XML part of a filled template):
no binary fixtures. The contract: ``PacmInputError`` (exit 2) naming the sheet and cell where there
is one, before openpyxl builds a sheet; never a dependency's exception name in the message.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pacm.pdd import excel_read as excel
from pacm.cli import main
from pacm.errors import PacmInputError
from pacm.pdd.excel_read import read_pdd_data, read_pdd_workbook
from pacm.pdd.excel_template import workbook_bytes
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
WIND = ROOT / "examples" / "wind_farm_india.yaml"
LEAKS = ("KeyError", "BadZipFile", "CalamineError", "EmptyDataError", "ExpatError", "ParseError",
         "ValueError", "MemoryError", "InvalidOperation", "Traceback", "zipfile", "openpyxl")


def _filled(tmp_path: Path, edit=None) -> Path:
    """The wind example as a workbook; ``edit(wb)`` changes it with openpyxl."""
    out = tmp_path / "wind.xlsx"
    out.write_bytes(workbook_bytes(load_file(WIND).data))
    if edit is not None:
        wb = load_workbook(out)
        edit(wb)
        wb.save(out)
    return out


def _cell(wb, key: str):
    ws = wb["activity"]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return ws[f"B{row[0].row}"]
    raise AssertionError(key)


def _rewrite(path: Path, sheet: str, change) -> Path:
    """Rewrite the XML part of ``sheet`` in place: ``change(xml_text) -> xml_text``."""
    with zipfile.ZipFile(path) as z:
        part = {title: p for p, title in excel._sheet_titles(z).items()}[sheet]
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[part] = change(parts[part].decode()).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def _minimal(path: Path, sheet_xml: str | bytes, extra: dict | None = None) -> Path:
    """A zip with just the parts ``_check_zip`` looks for, and one worksheet."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(rows: int, cells_per_row: int) -> str:
    row = "<c/>" * cells_per_row
    return f"<worksheet {_NS}><sheetData>" + f"<row>{row}</row>" * rows + "</sheetData></worksheet>"


def _refused(path: Path) -> PacmInputError:
    with pytest.raises(PacmInputError) as ei:
        read_pdd_workbook(path)
    text = str(ei.value) + " ".join(f"{p.loc} {p.message} {p.expected}" for p in ei.value.problems)
    for name in LEAKS:
        assert name not in text, (name, text)
    return ei.value


def _row_of(wb, key: str) -> int:
    return _cell(wb, key).row


# --------------------------------------------------------------------------- cell values
@pytest.mark.parametrize("error", ["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NULL!", "#NUM!"])
def test_excel_error_cell_is_not_a_title(tmp_path, error):
    """Issue 11: 'an Excel #REF! cell is accepted as a title'."""
    rows = {}

    def edit(wb):
        c = _cell(wb, "activity.title")
        c.value = error  # openpyxl stores a known error code as an error cell (t="e")
        assert c.data_type == "e"
        rows["r"] = c.row
    exc = _refused(_filled(tmp_path, edit))
    (p,) = [p for p in exc.problems if p.code == "cell-error"]
    assert p.loc == f"sheet 'activity' cell B{rows['r']}"
    assert error in p.message


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "Infinity", "1e999", "-1E400", "12abc"])
def test_non_finite_number_cell_names_sheet_and_cell(tmp_path, text):
    """Issue 11: 'a numeric NaN cell' (openpyxl raised ValueError on it: an internal error)."""
    rows = {}

    def edit(wb):
        c = _cell(wb, "activity.capacity_mw")
        c.value = 123456.5  # a marker replaced in the XML below
        rows["r"] = c.row
    path = _rewrite(_filled(tmp_path, edit), "activity", lambda x: x.replace("<v>123456.5</v>", f"<v>{text}</v>"))
    exc = _refused(path)
    assert [(p.code, p.loc) for p in exc.problems] == [("not-finite", f"sheet 'activity' cell B{rows['r']}")]


def test_1e308_with_a_fixed_decimal_format_is_an_input_error(tmp_path):
    """Issue 11: 'a cell 1e308 with format 0.0' (quantize to 0.0 needs 310 digits: decimal.InvalidOperation)."""
    rows = {}

    def edit(wb):
        c = _cell(wb, "activity.capacity_mw")
        c.value, c.number_format = 1e308, "0.0"
        rows["r"] = c.row
    exc = _refused(_filled(tmp_path, edit))
    (p,) = [p for p in exc.problems if p.code == "number-out-of-bounds"]
    assert p.loc == f"sheet 'activity' cell B{rows['r']}"


@pytest.mark.parametrize("value, refused", [
    (10**15, False),  # MAX_ABS_NUMBER itself: inside
    (10**15 + 1, True),  # one unit outside (exact in a double: 2**53 > 10**15 + 1)
    (-(10**15), False),
    (-(10**15) - 1, True),
])
def test_number_magnitude_limit(tmp_path, value, refused):
    assert excel.MAX_ABS_NUMBER == Decimal(10**15)

    def edit(wb):
        c = _cell(wb, "activity.capacity_mw")
        c.value = value
    _data, rd = read_pdd_data(_filled(tmp_path, edit))
    codes = [p.code for p in rd.problems]
    assert ("number-out-of-bounds" in codes) is refused


def test_1e15_with_thirty_decimals_keeps_its_scale(tmp_path):
    """The largest number allowed, shown with the most decimals the reader honours, converts exactly
    (28-digit default context would raise): 10**15 with 30 zeros is 10**15 at scale 30."""
    def edit(wb):
        c = _cell(wb, "activity.capacity_mw")
        c.value, c.number_format = 10**15, "0." + "0" * 30
    data, rd = read_pdd_data(_filled(tmp_path, edit))
    assert rd.problems == []
    got = data["activity"]["capacity_mw"]
    assert got == Decimal(10**15) and got.as_tuple().exponent == -30


# --------------------------------------------------------------------------- XML
BOMB = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("doctype", [BOMB, XXE], ids=["entity-bomb", "xxe"])
def test_doctype_in_a_sheet_is_a_clean_input_error(tmp_path, capsys, doctype):
    """Issue 11: 'an entity bomb or XXE in a sheet's DOCTYPE (stopped by expat but reported as an internal error)'."""
    def add(xml: str) -> str:
        if not xml.startswith("<?xml"):  # openpyxl writes no XML declaration: the DOCTYPE leads
            return doctype + xml
        head, sep, rest = xml.partition("?>")
        return head + sep + doctype + rest
    path = _rewrite(_filled(tmp_path), "activity", add)
    exc = _refused(path)
    assert exc.problems[0].code == "not-a-workbook" and "DOCTYPE" in exc.problems[0].message
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "DOCTYPE" in err and "root:" not in err and not any(n in err for n in LEAKS)


def test_doctype_in_any_part_is_refused(tmp_path):
    path = _minimal(tmp_path / "m.xlsx", _sheet(1, 1), {"xl/sharedStrings.xml": XXE + "<sst/>"})
    with pytest.raises(PacmInputError, match="DOCTYPE"):
        excel._check_zip(path, "m.xlsx")


# --------------------------------------------------------------------------- sizes
def test_one_row_of_four_million_cells_refused_without_memory_error(tmp_path):
    """Issue 11: 'a 242 KB file holding one row of 4,000,000 cells (84 MB unzipped: 1.9 GB and MemoryError)'.
    The sheet is replaced by one row of 4,000,000 numeric cells; refused after MAX_CELLS_PER_ROW + 1 of them."""
    row = '<c r="A1" t="n"><v>1</v></c>' * 4_000_000
    path = _rewrite(_filled(tmp_path), "activity",
                    lambda x: re.sub(r"<sheetData>.*</sheetData>", lambda _m: f"<sheetData><row r=\"1\">{row}</row></sheetData>", x, flags=re.S))
    assert path.stat().st_size < 1_000_000  # it is a small file
    exc = _refused(path)
    assert exc.problems[0].code == "too-many-cells" and f"more than {excel.MAX_CELLS_PER_ROW} cells" in exc.problems[0].message


@pytest.mark.parametrize("cells, refused", [(excel.MAX_CELLS_PER_ROW, False), (excel.MAX_CELLS_PER_ROW + 1, True)])
def test_cells_per_row_limit(tmp_path, cells, refused):
    path = _minimal(tmp_path / "m.xlsx", _sheet(1, cells))
    if refused:
        with pytest.raises(PacmInputError, match="too-many-cells|more than"):
            excel._check_zip(path, "m.xlsx")
    else:
        excel._check_zip(path, "m.xlsx")


@pytest.mark.parametrize("extra, refused", [(0, False), (1, True)])
def test_cells_per_workbook_limit(tmp_path, extra, refused):
    rows = excel.MAX_CELLS // excel.MAX_CELLS_PER_ROW
    assert rows * excel.MAX_CELLS_PER_ROW == excel.MAX_CELLS  # so the sheet below holds exactly MAX_CELLS
    path = _minimal(tmp_path / "m.xlsx", _sheet(rows, excel.MAX_CELLS_PER_ROW),
                    {"xl/worksheets/sheet2.xml": _sheet(1, extra)})
    if refused:
        with pytest.raises(PacmInputError) as ei:
            excel._check_zip(path, "m.xlsx")
        assert ei.value.problems[0].code == "too-many-cells"
    else:
        excel._check_zip(path, "m.xlsx")


@pytest.mark.parametrize("rows, refused", [(excel.MAX_ROWS, False), (excel.MAX_ROWS + 1, True)])
def test_rows_limit(tmp_path, rows, refused):
    path = _minimal(tmp_path / "m.xlsx", _sheet(rows, 1))
    if refused:
        with pytest.raises(PacmInputError) as ei:
            excel._check_zip(path, "m.xlsx")
        assert ei.value.problems[0].code == "too-many-rows"
    else:
        excel._check_zip(path, "m.xlsx")


def test_row_number_past_the_limit_is_refused(tmp_path):
    """One row element, numbered past MAX_ROWS (openpyxl would yield MAX_ROWS empty rows first)."""
    xml = f'<worksheet {_NS}><sheetData><row r="{excel.MAX_ROWS + 1}"><c/></row></sheetData></worksheet>'
    with pytest.raises(PacmInputError, match="rows"):
        excel._check_zip(_minimal(tmp_path / "m.xlsx", xml), "m.xlsx")


@pytest.mark.parametrize("over, refused", [(0, False), (1, True)])
def test_unzipped_size_limit_counts_inflated_bytes(tmp_path, over, refused):
    base = _minimal(tmp_path / "base.xlsx", _sheet(1, 1))
    with zipfile.ZipFile(base) as z:
        used = sum(i.file_size for i in z.infolist())
    path = _minimal(tmp_path / "m.xlsx", _sheet(1, 1), {"xl/media/pad.bin": b"\0" * (excel.MAX_UNZIPPED_BYTES - used + over)})
    assert path.stat().st_size < excel.MAX_FILE_BYTES
    if refused:
        with pytest.raises(PacmInputError) as ei:
            excel._check_zip(path, "m.xlsx")
        assert ei.value.problems[0].code == "file-too-large"
    else:
        excel._check_zip(path, "m.xlsx")


@pytest.mark.parametrize("members, refused", [(excel.MAX_ZIP_MEMBERS, False), (excel.MAX_ZIP_MEMBERS + 1, True)])
def test_zip_members_limit(tmp_path, members, refused):
    extra = {f"xl/media/p{i}.bin": b"" for i in range(members - 3)}  # _minimal writes 3 parts
    path = _minimal(tmp_path / "m.xlsx", _sheet(1, 1), extra)
    if refused:
        with pytest.raises(PacmInputError) as ei:
            excel._check_zip(path, "m.xlsx")
        assert ei.value.problems[0].code == "file-too-large"
    else:
        excel._check_zip(path, "m.xlsx")


@pytest.mark.parametrize("size, code", [(excel.MAX_FILE_BYTES, "not-a-workbook"), (excel.MAX_FILE_BYTES + 1, "file-too-large")])
def test_file_size_limit(tmp_path, size, code):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(size)
    with pytest.raises(PacmInputError) as ei:
        excel._check_zip(path, "big.xlsx")
    assert ei.value.problems[0].code == code


# --------------------------------------------------------------------------- damaged files
def _without(path: Path, part: str) -> Path:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist() if i.filename != part}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("damage", ["no-content-types", "no-workbook-part", "truncated", "malformed-sheet", "no-sheet-part"])
def test_damaged_workbook_never_names_a_dependency_exception(tmp_path, capsys, damage):
    """Issue 11: 'Exception names leak into messages (KeyError ... [Content_Types].xml, BadZipFile ...)'."""
    path = _filled(tmp_path)
    if damage == "no-content-types":
        _without(path, "[Content_Types].xml")
    elif damage == "no-workbook-part":
        _without(path, "xl/workbook.xml")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-200])
    elif damage == "malformed-sheet":
        _rewrite(path, "activity", lambda x: x.replace("</sheetData>", "<row></sheetData>"))
    else:
        with zipfile.ZipFile(path) as z:
            part = {t: p for p, t in excel._sheet_titles(z).items()}["activity"]
        _without(path, part)
    exc = _refused(path)
    # openpyxl skips a sheet whose part is gone: the PDD then lacks that sheet's fields
    expected = "missing-key" if damage == "no-sheet-part" else "not-a-workbook"
    assert exc.problems[0].code == expected
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and not any(n in err for n in LEAKS), err

"""Write the PDD workbook template (``pacm template --xlsx FILE``), empty or filled from a PDD.

The sheets come from :func:`pacm.pdd.excel_layout.layout` (the model, walked), so the template and
the reader (:mod:`pacm.pdd.excel_read`) cannot disagree about where a field lives. Numbers are written
exactly, dates as dates, text as text (never a formula). openpyxl is imported inside the function.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from .excel_layout import HEADER, INSTRUCTIONS, LISTS, Scalar, layout
from .structure import _unwrap

BLANK_ROWS = 5  # empty table rows offered in a blank template
YEARLY_BLANK_COLS = 6


def _get(data: Any, path: str) -> Any:
    cur = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _put(ws, row: int, col: int, value: Any, spec: Scalar | None = None):
    """Write one value cell: exact numbers, real dates, text kept as text (never a formula)."""
    cell = ws.cell(row=row, column=col)
    core = _unwrap(spec.core) if spec is not None else None
    if core is dt.date or isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    elif core is str or (spec is not None and spec.choices):
        cell.number_format = "@"
    if value is None:
        return cell
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        if isinstance(exp, int) and exp < 0:
            # show the decimals the PDD gives (12.0 stays 12.0); the reader takes this scale back
            cell.number_format = "0." + "0" * min(-exp, 30)
        elif value == value.to_integral_value():
            value = int(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def build_workbook(data: dict | None = None):
    """The PDD workbook (an openpyxl Workbook); ``data`` (a PDD as loaded from YAML) fills it in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    data = data or {}
    bold, italic = Font(bold=True), Font(italic=True, color="555555")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    key_fill = PatternFill("solid", fgColor="F2F2F2")
    value_fill = PatternFill("solid", fgColor="FFF9DB")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    ins = wb.active
    ins.title = INSTRUCTIONS
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    list_cols: dict[tuple, str] = {}

    def choice_validation(ws, choices: list, cells: str):
        key = tuple(choices)
        if key not in list_cols:
            c = len(list_cols) + 1
            for i, v in enumerate(choices, start=1):
                lists.cell(row=i, column=c, value=str(v)).data_type = "s"
            letter = get_column_letter(c)
            list_cols[key] = f"{quote_sheetname(LISTS)}!${letter}$1:${letter}${len(choices)}"
        dv = DataValidation(type="list", formula1=list_cols[key], allow_blank=True, showErrorMessage=True,
                            errorTitle="Not an allowed value", error="Choose one of the listed values.")
        ws.add_data_validation(dv)
        dv.add(cells)

    def bool_validation(ws, cells: str):
        dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True, showErrorMessage=True,
                            errorTitle="TRUE or FALSE", error="Enter TRUE or FALSE.")
        ws.add_data_validation(dv)
        dv.add(cells)

    def validate(ws, spec: Scalar, cells: str):
        if spec.choices:
            choice_validation(ws, spec.choices, cells)
        elif _unwrap(spec.core) is bool:
            bool_validation(ws, cells)

    def header(ws, row: int, names: list[str]):
        for c, n in enumerate(names, start=1):
            cell = ws.cell(row=row, column=c, value=n)
            cell.data_type = "s"
            cell.font = bold
            cell.fill = head_fill

    # ------------------------------------------------------------------ instructions
    ins["A1"] = "pacm PDD workbook"
    ins["A1"].font = Font(bold=True, size=14)
    lines = [
        "Fill the yellow cells of each section sheet (column B, and the rows of the tables below the key/value block).",
        "Column A holds the PDD field names: do not change them (they are the same keys as in a YAML PDD). Leave a value empty when the PDD does not give it.",
        "Dates: real Excel dates or text YYYY-MM-DD. Booleans: TRUE or FALSE. Numbers: number cells (not text); Excel keeps about 15 significant digits.",
        "Tables: one row per item, under the header row; leave unused rows empty. The yearly series: one row per calendar year, one column per parameter (write the parameter name in the header).",
        "Drop-down lists give the allowed values. Formulas are refused: enter the values.",
        "Check the filled workbook with: pacm check FILE.xlsx (errors name the sheet, the cell and the field).",
        "References: each field's description below cites the clause of the standard or the form it comes from.",
    ]
    for i, line in enumerate(lines, start=2):
        ins.cell(row=i, column=1, value=line).font = italic
    start = len(lines) + 3
    header(ins, start, ["field", "sheet", "expected", "unit", "required", "description"])
    r = start + 1
    for sh in layout():
        rows = [(s.path, s.expected, s.unit, s.required, s.description) for s in sh.scalars]
        for t in sh.tables:
            rows.append((t.path, f"table ({t.kind})", t.unit, False, t.description))
            if t.kind == "rows":
                rows += [(c.path, c.expected, c.unit, c.required, c.description) for c in t.columns]
        for path, exp, u, req, desc in rows:
            for c, v in enumerate((path, sh.name, exp, u or "", "required" if req else "", desc), start=1):
                ins.cell(row=r, column=c, value=v).data_type = "s"
            r += 1
    for letter, width in zip("ABCDEF", (52, 18, 40, 14, 10, 100)):
        ins.column_dimensions[letter].width = width
    ins.freeze_panes = ins.cell(row=start + 1, column=1)

    # ------------------------------------------------------------------ section sheets
    for sh in layout():
        ws = wb.create_sheet(sh.name)
        ws["A1"] = sh.name
        ws["A1"].font = Font(bold=True, size=13)
        ws["B1"] = sh.description
        ws["B1"].font = italic
        header(ws, 3, list(HEADER))
        r = 4
        for s in sh.scalars:
            ws.cell(row=r, column=1, value=s.path).fill = key_fill
            cell = _put(ws, r, 2, _get(data, s.path), s)
            cell.fill = value_fill
            validate(ws, s, cell.coordinate)
            for c, v in enumerate((s.unit or "", s.expected, "required" if s.required else "", s.description), start=3):
                x = ws.cell(row=r, column=c, value=v)
                x.data_type = "s"
                x.alignment = wrap
            r += 1
        for t in sh.tables:
            r += 1
            mark = ws.cell(row=r, column=1, value=t.path)
            mark.font = bold
            note = ws.cell(row=r, column=2, value=f"table: {t.description}" + (f" [{t.unit}]" if t.unit else ""))
            note.font = italic
            r += 1
            value = _get(data, t.path)
            if t.kind == "rows":
                header(ws, r, [c.name for c in t.columns])
                items = value if isinstance(value, list) else []
                first = r + 1
                for i in range(max(len(items), 0) + BLANK_ROWS):
                    item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
                    for c, col in enumerate(t.columns, start=1):
                        _put(ws, r + 1 + i, c, item.get(col.name), col).fill = value_fill
                last = r + len(items) + BLANK_ROWS
                for c, col in enumerate(t.columns, start=1):
                    letter = get_column_letter(c)
                    validate(ws, col, f"{letter}{first}:{letter}{last}")
                r = last + 1
            elif t.kind == "values":
                header(ws, r, ["value"])
                items = value if isinstance(value, list) else []
                for i in range(len(items) + BLANK_ROWS):
                    _put(ws, r + 1 + i, 1, items[i] if i < len(items) else None, t.columns[0]).fill = value_fill
                validate(ws, t.columns[0], f"A{r + 1}:A{r + len(items) + BLANK_ROWS}")
                r += len(items) + BLANK_ROWS + 1
            elif t.kind == "mapping":
                header(ws, r, ["name", "value"])
                items = list(value.items()) if isinstance(value, dict) else []
                for i in range(len(items) + BLANK_ROWS):
                    k, v = items[i] if i < len(items) else (None, None)
                    _put(ws, r + 1 + i, 1, k).fill = value_fill
                    ws.cell(row=r + 1 + i, column=1).number_format = "@"
                    _put(ws, r + 1 + i, 2, v).fill = value_fill
                r += len(items) + BLANK_ROWS + 1
            else:  # yearly: wide table, year then one column per parameter
                series = value if isinstance(value, dict) else {}
                names = list(series)
                header(ws, r, ["year"] + names + [None] * YEARLY_BLANK_COLS)
                years = sorted({y for s in series.values() if isinstance(s, dict) for y in s})
                for i in range(len(years) + BLANK_ROWS * 2):
                    y = years[i] if i < len(years) else None
                    _put(ws, r + 1 + i, 1, y).fill = value_fill
                    for c, n in enumerate(names, start=2):
                        _put(ws, r + 1 + i, c, series[n].get(y) if y is not None else None, t.columns[0]).fill = value_fill
                    for c in range(len(names) + 2, len(names) + 2 + YEARLY_BLANK_COLS):
                        ws.cell(row=r + 1 + i, column=c).fill = value_fill
                r += len(years) + BLANK_ROWS * 2 + 1
        for letter, width in zip("ABCDEF", (46, 34, 14, 30, 10, 90)):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "B4"
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    return wb


def workbook_bytes(data: dict | None = None) -> bytes:
    buf = io.BytesIO()
    build_workbook(data).save(buf)
    return buf.getvalue()


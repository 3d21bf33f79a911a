"""Read a filled PDD workbook (``pacm check FILE.xlsx``) into the validated model.

The reader is as strict as the YAML loader: unknown keys and columns are errors with a "did you
mean", every error names the sheet, the cell and the field path, formulas are refused (enter the
value), and the whole file is rejected (``PacmInputError``, exit 2) with every problem listed.
Booleans may be Excel TRUE/FALSE cells or the text TRUE/FALSE chosen from a drop-down. The layout
it reads is :func:`pacm.pdd.excel_layout.layout`, the one the template writer uses.

openpyxl is imported inside the functions, never at module import (``pacm check`` on YAML stays fast).
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import PacmInputError, Problem, did_you_mean
from .excel_layout import HEADER, INSTRUCTIONS, LISTS, Scalar, Table, _index, layout
from .structure import _unwrap
from .model import PDD
from .problems import problems_from_validation

# Limits of the workbook reader (issue 11 item 5), all checked on the zip and its XML *before* openpyxl
# builds a sheet: a 242 KB file can hold one row of 4,000,000 cells (84 MB of XML, 1.9 GB in openpyxl).
# the workbook's bounds are defined in pacm.limits (one place for every limit, listed in the README)
from ..limits import (  # noqa: E402
    MAX_CELLS, MAX_CELLS_PER_ROW, MAX_COLS, MAX_ROWS, MAX_UNZIPPED_BYTES, MAX_XLSX_BYTES as MAX_FILE_BYTES, MAX_ZIP_MEMBERS,
)
MAX_ABS_NUMBER = Decimal("1e15")  # a number cell's magnitude: Excel keeps 15 significant digits


@dataclass
class _Reader:
    source: str
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # field path -> "sheet 'x' cell B7"
    data: dict = field(default_factory=dict)

    def where(self, sheet: str, coord: str, path: str | None = None) -> str:
        return f"sheet '{sheet}' cell {coord}" + (f" ({path})" if path else "")

    def add(self, code, sheet, coord, path, message, expected=None, hint=None):
        self.problems.append(Problem(code, self.where(sheet, coord, path), message, expected, hint))


def _set(data: dict, path: list, value: Any) -> None:
    cur = data
    for part in path[:-1]:
        cur = cur.setdefault(part, {})
    cur[path[-1]] = value


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


_FIXED = re.compile(r"^0\.(0{1,30})$")


def _bad_cell(v: Any, data_type: str | None) -> tuple[str, str, str] | None:
    """Why a cell's value can never be a PDD value (code, message, expected), or None.

    An Excel error (``#REF!``, ``#DIV/0!``, ``#N/A``...) is not text; NaN and infinities are not
    numbers a PDD states; a number past ``MAX_ABS_NUMBER`` is beyond what a double holds exactly
    (and 1e308 shown as ``0.0`` would need 309 digits of Decimal)."""
    if data_type == "e":
        return "cell-error", f"the cell holds the Excel error {str(v)[:20]}", "a value (fix what the formula or reference points to)"
    if isinstance(v, float) and not math.isfinite(v):
        return "not-finite", "the cell holds a number that is not finite (NaN or infinity)", "a finite number"
    if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(Decimal(v)) > MAX_ABS_NUMBER:
        return "number-out-of-bounds", "the cell's number is too large", f"a number of magnitude at most {MAX_ABS_NUMBER:.0e}"
    return None



def _convert(v: Any, spec: Scalar | None, number_format: str | None = None) -> Any:
    """An Excel cell value as the YAML loader would give it (Decimal for non-integers).

    A number shown with a fixed number of decimals (format ``0.00``) keeps that scale when it
    only adds zeros (12 shown as 12.0 is read as 12.0, as YAML reads ``12.0``); it never rounds.
    """
    core = _unwrap(spec.core) if spec is not None else None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not math.isfinite(v):
            return v
        if core is int:
            return int(v) if isinstance(v, int) or v.is_integer() else Decimal(repr(v))
        d = Decimal(v) if isinstance(v, int) else Decimal(repr(v))
        m = _FIXED.match(number_format or "")
        if m and core in (Decimal, None) and -d.as_tuple().exponent <= len(m.group(1)):
            # |d| <= MAX_ABS_NUMBER (16 digits) and at most 30 decimals: 60 digits always suffice
            d = d.quantize(Decimal(1).scaleb(-len(m.group(1))), context=Context(prec=60))
        elif isinstance(v, int):
            return v
        return d
    if isinstance(v, str) and spec is not None and _unwrap(spec.core) is bool and v.strip().upper() in ("TRUE", "FALSE"):
        return v.strip().upper() == "TRUE"
    return v


def _check_zip(path: Path, source: str) -> None:
    """Refuse a file that is not a bounded, DTD-free workbook before openpyxl reads any of it.

    Every part is inflated in chunks and counted (a zip's declared sizes can lie); every worksheet
    is scanned with expat for its rows and cells, stopping at the first element past a limit; a
    DOCTYPE anywhere (entity bombs, XXE: no xlsx written by Excel or pacm has one) is refused.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PacmInputError.single(source, "file-unreadable", f"cannot read the file: {exc.strerror or exc}")
    if size > MAX_FILE_BYTES:
        raise PacmInputError.single(source, "file-too-large", f"the workbook is {size} bytes", expected=f"at most {MAX_FILE_BYTES} bytes")
    not_a_workbook = PacmInputError.single(
        source, "not-a-workbook", "the file is not an Excel workbook (.xlsx)",
        expected="a workbook written by 'pacm template --xlsx' and filled in")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise PacmInputError.single(source, "file-too-large", f"the workbook holds {len(infos)} parts", expected=f"at most {MAX_ZIP_MEMBERS}")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise not_a_workbook
            total, cells, bad = 0, [0], []
            for info in infos:
                scan = _SheetScan(source, info.filename, cells) if info.filename.endswith((".xml", ".rels")) else None
                with z.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise PacmInputError.single(source, "file-too-large", f"the workbook unpacks to more than {MAX_UNZIPPED_BYTES} bytes", expected=f"at most {MAX_UNZIPPED_BYTES} bytes")
                        if scan is not None:
                            scan.feed(chunk)
                if scan is not None:
                    scan.feed(b"", final=True)
                    if scan.bad_numbers:
                        bad.append((info.filename, scan.bad_numbers))
            if bad:
                titles = _sheet_titles(z)
                raise PacmInputError(source, [
                    Problem("not-finite", f"sheet '{titles.get(part, part)}' cell {ref}",
                            "the cell holds a number that is not finite (NaN, infinity or not a number)", "a finite number")
                    for part, refs in bad for ref in refs])
    except PacmInputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError, RuntimeError):
        # a damaged archive, an unsupported compression or an encrypted part: never the library's words
        raise not_a_workbook from None


def _sheet_titles(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet title (read after every part passed the DOCTYPE and size checks)."""
    import posixpath
    import xml.etree.ElementTree as ET

    try:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sh in wb.iter():
        if sh.tag.endswith("}sheet"):
            rid = next((v for k, v in sh.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[part] = sh.get("name", part)
    return out


class _SheetScan:
    """Count the rows and cells of an XML part as it is inflated (expat, no tree built).

    Every XML part is scanned (a workbook's relationships may put a sheet anywhere); only
    SpreadsheetML ``row`` and ``c`` elements count."""

    def __init__(self, source: str, part: str, cells: list[int]):
        import xml.parsers.expat

        self.source, self.part, self.cells = source, part, cells
        self.rows = 0
        self.in_row = 0
        self.p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.p.StartElementHandler = self._start
        self.p.EndElementHandler = self._end
        self.p.CharacterDataHandler = self._text
        self.cell_ref, self.cell_type, self.value = "", "n", None
        self.bad_numbers: list[str] = []  # refs of numeric cells whose value is no finite number
        self.p.StartDoctypeDeclHandler = self._doctype
        self.p.EntityDeclHandler = self._doctype
        self._error = xml.parsers.expat.ExpatError

    def _refuse(self, code: str, message: str, expected: str):
        raise PacmInputError.single(self.source, code, f"part '{self.part}': {message}", expected=expected)

    def _doctype(self, *args):
        self._refuse("not-a-workbook", "the XML declares a DOCTYPE (entities are never expanded)",
                     "a workbook written by Excel or 'pacm template --xlsx'")

    def _start(self, name: str, attrs):
        ns, _, local = name.rpartition(" ")
        if not ns.endswith("spreadsheetml/main") and not ns.endswith("spreadsheetml/2006/main"):
            return
        if local == "row":
            self.rows += 1
            self.in_row = 0
            r = attrs.get("r", "")
            if self.rows > MAX_ROWS or (r.isdigit() and int(r) > MAX_ROWS):
                self._refuse("too-many-rows", f"more than {MAX_ROWS} rows", f"at most {MAX_ROWS} rows")
        elif local == "v":
            self.value = [] if self.cell_type == "n" else None
        elif local == "c":
            self.cell_ref, self.cell_type = attrs.get("r", "?")[:12], attrs.get("t", "n")
            self.in_row += 1
            self.cells[0] += 1
            if self.in_row > MAX_CELLS_PER_ROW:
                self._refuse("too-many-cells", f"row {self.rows} holds more than {MAX_CELLS_PER_ROW} cells",
                             f"at most {MAX_CELLS_PER_ROW} cells in a row (pacm reads the first {MAX_COLS} columns)")
            if self.cells[0] > MAX_CELLS:
                self._refuse("too-many-cells", f"the workbook holds more than {MAX_CELLS} cells", f"at most {MAX_CELLS} cells")

    def _text(self, data: str) -> None:
        if self.value is not None and sum(map(len, self.value)) < 400:  # no number is longer: more is bad anyway
            self.value.append(data[:400])

    def _end(self, name: str) -> None:
        if self.value is None or not name.endswith(" v"):
            return
        text, self.value = "".join(self.value).strip(), None
        if not text:  # a formula's missing cached value: the reader refuses the formula itself
            return
        try:  # what openpyxl does with a number cell: float when it has '.' or 'e', else int
            ok = math.isfinite(float(text)) if any(ch in text for ch in ".eE") else (int(text) or True)
        except ValueError:
            ok = False
        if not ok and len(self.bad_numbers) < 20:
            self.bad_numbers.append(self.cell_ref)

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.p.Parse(chunk, final)
        except self._error as exc:
            self._refuse("not-a-workbook", f"the XML is malformed (line {exc.lineno})",
                         "a workbook written by Excel or 'pacm template --xlsx'")


def read_pdd_data(path: str | Path) -> tuple[dict, _Reader]:
    """The workbook's values as a PDD mapping (not yet validated), and where each came from."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    p = Path(path)
    source = str(path)
    _check_zip(p, source)
    try:
        wb = load_workbook(p, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise PacmInputError.single(source, "not-a-workbook", "cannot open the workbook: a part of it is damaged or missing",
                                    expected="a workbook written by Excel or 'pacm template --xlsx'") from None
    rd = _Reader(source)
    scalars, tables = _index()
    sheet_names = [s.name for s in layout()]
    seen: dict[str, str] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title
            if name in (INSTRUCTIONS, LISTS):
                continue
            if name not in sheet_names:
                rd.add("unknown-sheet", name, "A1", None, f"unknown sheet '{name}'", None,
                       did_you_mean(name, sheet_names) or "the sheets are: " + ", ".join(sheet_names))
                continue
            try:
                _read_sheet(rd, ws, name, scalars, tables, seen, get_column_letter)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
                # openpyxl meeting a cell it cannot decode (the zip scan catches the known ones first)
                rd.add("bad-cell", name, "A1", None, "the sheet holds a cell that cannot be read",
                       "values typed in Excel or written by 'pacm template --xlsx'")
    finally:
        wb.close()
    return rd.data, rd


def _read_sheet(rd: _Reader, ws, sheet: str, scalars, tables, seen, col_letter) -> None:
    started = False
    table: Table | None = None
    head: list[tuple[int, str]] | None = None  # (column index, name) of the current table's header
    item_no = 0
    for r_i, row in enumerate(ws.iter_rows(max_col=MAX_COLS), start=1):
        if r_i > MAX_ROWS:
            rd.add("too-many-rows", sheet, f"A{r_i}", None, f"more than {MAX_ROWS} rows")
            return
        vals, fmts = [], []
        for c_i, cell in enumerate(row, start=1):
            fmts.append(getattr(cell, "number_format", None))
            v = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or (isinstance(v, str) and v.startswith("=") and getattr(cell, "data_type", None) == "f"):
                rd.add("formula-not-allowed", sheet, f"{col_letter(c_i)}{r_i}", None, "the cell holds a formula", "a value (formulas are not evaluated)")
                v = None
            else:
                bad = _bad_cell(v, getattr(cell, "data_type", None))
                if bad:
                    rd.add(bad[0], sheet, f"{col_letter(c_i)}{r_i}", None, bad[1], bad[2])
                    v = None
            vals.append(v)
        while vals and _blank(vals[-1]):
            vals.pop()
        fmts = fmts[: len(vals)]
        if not vals:
            continue
        first = vals[0]
        key = first.strip() if isinstance(first, str) else first
        if not started:
            if key == HEADER[0]:
                started = True
            continue
        if isinstance(key, str) and key in tables:
            if key in seen:
                rd.add("duplicate-key", sheet, f"A{r_i}", key, f"'{key}' appears twice (also at {seen[key]})")
            seen[key] = f"sheet '{sheet}' cell A{r_i}"
            table, head, item_no = tables[key], None, 0
            rd.cells[key] = seen[key]
            continue
        if table is None:
            _read_scalar(rd, sheet, r_i, key, vals, fmts, scalars, tables, seen)
            continue
        if head is None:
            head = [(c, str(v).strip()) for c, v in enumerate(vals) if not _blank(v)]
            _check_header(rd, sheet, r_i, table, head, col_letter)
            continue
        _read_item(rd, sheet, r_i, table, head, vals, fmts, item_no, col_letter)
        item_no += 1
    if not started:
        rd.add("no-header", sheet, "A3", None, "the header row ('field', 'value', ...) is missing",
               "the layout written by 'pacm template --xlsx'")


def _read_scalar(rd, sheet, r_i, key, vals, fmts, scalars, tables, seen) -> None:
    coord = f"B{r_i}"
    if not isinstance(key, str) or key not in scalars:
        if _blank(key):
            if any(not _blank(v) for v in vals[1:]):
                rd.add("missing-key", sheet, f"A{r_i}", None, "a value without a field name in column A")
            return
        hint = did_you_mean(str(key), list(scalars) + list(tables))
        rd.add("unknown-key", sheet, f"A{r_i}", None, f"unknown key '{key}'", None if hint else "a field name of this template", hint)
        return
    if key in seen:
        rd.add("duplicate-key", sheet, f"A{r_i}", key, f"'{key}' appears twice (also at {seen[key]})")
        return
    seen[key] = f"sheet '{sheet}' cell A{r_i}"
    rd.cells[key] = rd.where(sheet, coord)
    value = vals[1] if len(vals) > 1 else None
    if _blank(value):
        return
    _set(rd.data, key.split("."), _convert(value, scalars[key], fmts[1]))


def _check_header(rd, sheet, r_i, table: Table, head, col_letter) -> None:
    if table.kind == "rows":
        valid = [c.name for c in table.columns]
    elif table.kind == "values":
        valid = ["value"]
    elif table.kind == "mapping":
        valid = ["name", "value"]
    else:
        valid = None
    names = [n for _, n in head]
    for c, n in head:
        if valid is not None and n not in valid:
            hint = did_you_mean(n, valid)
            rd.add("unknown-key", sheet, f"{col_letter(c + 1)}{r_i}", f"{table.path}", f"unknown column '{n}'",
                   None if hint else "one of: " + ", ".join(valid), hint)
        if names.count(n) > 1:
            rd.add("duplicate-key", sheet, f"{col_letter(c + 1)}{r_i}", table.path, f"column '{n}' appears twice")
    if table.kind == "yearly" and (not head or head[0] != (0, "year")):
        rd.add("bad-header", sheet, f"A{r_i}", table.path, "the first column of the yearly table must be 'year'", "year, then one column per parameter")
    if table.kind == "mapping" and names and names[0] != "name":
        rd.add("bad-header", sheet, f"A{r_i}", table.path, "the table's columns must be 'name' and 'value'")


def _read_item(rd: _Reader, sheet, r_i, table: Table, head, vals, fmts, item_no, col_letter) -> None:
    cell = lambda c: vals[c] if c < len(vals) else None  # noqa: E731
    fmt = lambda c: fmts[c] if c < len(fmts) else None  # noqa: E731
    path = table.path
    parts = path.split(".")
    if table.kind == "rows":
        cols = {c.name: c for c in table.columns}
        item = {}
        for c, n in head:
            if n in cols and not _blank(cell(c)):
                item[n] = _convert(cell(c), cols[n], fmt(c))
                rd.cells[f"{path}.{item_no}.{n}"] = rd.where(sheet, f"{col_letter(c + 1)}{r_i}")
        rd.cells[f"{path}.{item_no}"] = rd.where(sheet, f"A{r_i}")
        _append(rd.data, parts, item)
    elif table.kind == "values":
        v = cell(0)
        if _blank(v):
            rd.add("missing-value", sheet, f"A{r_i}", path, "a row of the table has no value in column 'value'")
            return
        rd.cells[f"{path}.{item_no}"] = rd.where(sheet, f"A{r_i}")
        _append(rd.data, parts, _convert(v, table.columns[0], fmt(0)))
    elif table.kind == "mapping":
        k, v = cell(0), cell(1)
        if _blank(k):
            rd.add("missing-key", sheet, f"A{r_i}", path, "a value without a name in column 'name'")
            return
        k = str(k).strip()
        target = _ensure(rd.data, parts)
        if k in target:
            rd.add("duplicate-key", sheet, f"A{r_i}", f"{path}.{k}", f"'{k}' appears twice")
            return
        if _blank(v):
            rd.add("missing-value", sheet, f"B{r_i}", f"{path}.{k}", f"'{k}' has no value")
            return
        target[k] = _convert(v, None, fmt(1))
        rd.cells[f"{path}.{k}"] = rd.where(sheet, f"B{r_i}")
    else:  # yearly
        year = cell(0)
        if _blank(year):
            if any(not _blank(cell(c)) for c, _ in head[1:]):
                rd.add("missing-value", sheet, f"A{r_i}", path, "values without a year in column 'year'")
            return
        year = _convert(year, Scalar(path, "year", int, "", None, True))
        target = _ensure(rd.data, parts)
        for c, n in head[1:]:
            v = cell(c)
            if _blank(v):
                continue
            series = target.setdefault(n, {})
            if year in series:
                rd.add("duplicate-key", sheet, f"A{r_i}", f"{path}.{n}", f"year {year} appears twice")
                continue
            series[year] = _convert(v, table.columns[0], fmt(c))
            rd.cells[f"{path}.{n}.{year}"] = rd.where(sheet, f"{col_letter(c + 1)}{r_i}")


def _ensure(data: dict, parts: list) -> dict:
    cur = data
    for p in parts:
        cur = cur.setdefault(p, {})
    return cur


def _append(data: dict, parts: list, value: Any) -> None:
    parent = _ensure(data, parts[:-1])
    parent.setdefault(parts[-1], []).append(value)


def _relocate(rd: _Reader, problems: list[Problem]) -> list[Problem]:
    """Replace each problem's dotted path by the sheet and cell it came from (path kept in brackets)."""
    out = []
    for p in problems:
        path = p.loc
        parts = re.sub(r"\[(\d+)\]", r".\1", path).split(".") if path else []
        where = None
        for n in range(len(parts), 0, -1):
            where = rd.cells.get(".".join(parts[:n]))
            if where:
                break
        if where is None and parts:
            sheet = parts[0] if parts[0] in {s.name for s in layout()} else layout()[0].name
            where = f"sheet '{sheet}'"
        out.append(Problem(p.code, f"{where} ({path})" if where else path, p.message, p.expected, p.hint))
    return out


def read_pdd_workbook(path: str | Path) -> PDD:
    """Read and validate a filled workbook; raises PacmInputError (exit 2) listing every problem."""

    data, rd = read_pdd_data(path)
    if rd.problems:
        raise PacmInputError(rd.source, rd.problems)
    try:
        return PDD.model_validate(data)
    except ValidationError as exc:
        raise PacmInputError(rd.source, _relocate(rd, problems_from_validation(exc, None, data)))


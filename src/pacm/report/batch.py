"""Batch outputs: the same table as CSV, Parquet and XLSX, with the same columns in each.

Why one function for every batch command (transition, and any later one): analysts open these
files side by side, so the three formats must agree cell for cell. The normalisation rules are

* ``Decimal`` values (exact tonnes, factors) become their exact decimal text (``"1234.5"``), in
  every format: no format gets a float that lost digits and another the exact value. Integers
  and booleans stay numbers/booleans.
* dates and datetimes become ISO text (``2026-07-01``), in every format.
* missing values (``None``, ``NaN``, ``NaT``) are empty (CSV), null (Parquet), empty cell (XLSX).
* anything else in an ``object`` column becomes ``str(value)``.

Files are written whole or not at all: every file goes to a temporary name in ``out_dir``
first and is renamed into place only when all of them were written; on any failure the
temporary files are removed and no ``<name>.<ext>`` is left half-written.

XLSX is written with xlsxwriter in constant-memory mode (streams rows, so large batches stay cheap),
and every text cell is stored as text, never as a formula, even when it starts with ``=``.
:class:`TableWriter` writes one table chunk by chunk, the same cells with the column types fixed up front.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..outsafe import csv_cell

if TYPE_CHECKING:  # pandas is imported lazily (pacm check must start fast)
    import pandas

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_576
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,100}$")


_PRESENT = (str, bytes, Decimal, dt.date, int)  # never missing (bool is an int; a Timestamp is a date)


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, _PRESENT):  # the common cells first: this runs once per cell of every table
        return isinstance(v, dt.datetime) and v != v  # pandas' NaT is a datetime, the one not equal to itself
    if isinstance(v, float):
        return math.isnan(v)
    try:
        import pandas as pd

        return v is pd.NaT or (not isinstance(v, (str, bytes, Decimal, dt.date)) and bool(pd.isna(v)))
    except (TypeError, ValueError):
        return False


def _text(v: Any) -> Any:
    """One cell of an object column, normalised (None stays None).

    A text starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``
    (:func:`pacm.outsafe.csv_cell`), in all three formats alike, so a title such as
    ``=HYPERLINK(...)`` from the export is never run as a formula by a spreadsheet.
    """
    if _is_missing(v):
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "isoformat"):  # pandas Timestamp
        return v.isoformat()
    return csv_cell(v) if isinstance(v, str) else str(v)  # user text: no spreadsheet formula (OWASP)


def normalise(df: "pandas.DataFrame", types: Mapping[str, str] | None = None) -> "pandas.DataFrame":
    """The table as all three formats will hold it (see the module docstring).

    ``types`` (column -> ``string``, ``Int64``, ``boolean``, ``int64``, ``float64`` or ``bool``) fixes
    a column's type instead of inferring it from the values: a table written in chunks must have the
    same column types in every chunk, whatever values a chunk happens to hold.
    """
    import pandas as pd
    from pandas.api import types as pt

    types = types or {}
    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        s = df[col].reset_index(drop=True)
        name = str(col)
        fixed = types.get(name)
        if fixed is not None:
            out[name] = _as_type(s, fixed)
        elif pt.is_bool_dtype(s) or pt.is_integer_dtype(s) or pt.is_float_dtype(s):
            out[name] = s
        elif pt.is_datetime64_any_dtype(s):
            if all(t is pd.NaT or t.time() == dt.time(0) for t in s):
                out[name] = pd.array([None if t is pd.NaT else t.date().isoformat() for t in s], dtype="string")
            else:
                out[name] = pd.array([None if t is pd.NaT else t.isoformat() for t in s], dtype="string")
        else:
            vals = list(s)
            present = [v for v in vals if not _is_missing(v)]
            if present and all(isinstance(v, bool) for v in present):
                out[name] = pd.array([None if _is_missing(v) else v for v in vals], dtype="boolean")
            elif present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
                out[name] = pd.array([None if _is_missing(v) else v for v in vals], dtype="Int64")
            else:
                out[name] = pd.array([_text(v) for v in vals], dtype="string")
    if len(set(out.columns)) != len(out.columns):
        raise ValueError(f"duplicate column names: {list(out.columns)}")
    return out


def _as_type(s, kind: str):
    """One column converted to a fixed type (:func:`normalise`)."""
    import pandas as pd

    if kind == "string":
        return pd.array([_text(v) for v in s.tolist()], dtype="string")
    if kind in ("Int64", "boolean"):
        return pd.array([None if _is_missing(v) else v for v in s.tolist()], dtype=kind)
    if kind in ("int64", "float64", "bool"):
        return s.astype(kind)
    raise ValueError(f"unknown column type {kind!r}")


def _write_csv(df, path: str) -> None:
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _write_parquet(df, path: str) -> None:
    df.to_parquet(path, engine="pyarrow", index=False)


def _cell_value(v: Any) -> Any:
    if _is_missing(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar -> python
        v = v.item()
    return v


def _write_xlsx(df, path: str, sheet: str) -> None:
    """XLSX with xlsxwriter in constant-memory mode (rows streamed; about 5x faster than openpyxl).

    Text is always written as text (never a formula, URL or number), numbers and booleans typed.
    """
    if len(df) + 1 > XLSX_MAX_ROWS:
        raise ValueError(f"table {sheet!r} has {len(df)} rows; an XLSX sheet holds at most {XLSX_MAX_ROWS - 1} (write csv/parquet)")
    wb = _xlsx_workbook(path)
    try:
        ws = wb.add_worksheet(sheet[:31])
        bold = wb.add_format({"bold": True})
        for j, c in enumerate(df.columns):
            ws.write_string(0, j, str(c), bold)
        ws.freeze_panes(1, 0)
        _xlsx_rows(ws, df, 1)
    finally:
        wb.close()


def _xlsx_workbook(path: str):
    import xlsxwriter

    return xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )


def _xlsx_rows(ws, df, first: int) -> None:
    """The rows of ``df`` from sheet row ``first`` on: text as text, numbers and booleans typed."""
    for i, row in enumerate(df.itertuples(index=False, name=None), start=first):
        for j, v in enumerate(row):
            v = _cell_value(v)
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v))


_WRITERS = {"csv": _write_csv, "parquet": _write_parquet}


def write_tables(
    out_dir: str | os.PathLike,
    tables: Mapping[str, "pandas.DataFrame"],
    formats: Iterable[str] = FORMATS,
) -> list[Path]:
    """Write each table as ``<out_dir>/<name>.<fmt>`` for every format; return the paths written.

    All or nothing: on any error no target file is created or replaced and the temporary files
    are removed. ``out_dir`` is created if missing. Names must be plain file names.
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"formats must be a non-empty selection of {FORMATS}, got {formats!r}")
    for name in tables:
        if not isinstance(name, str) or not _SAFE_NAME.match(name):
            raise ValueError(f"table name {name!r} is not a plain file name (letters, digits, _ . -)")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[str, Path]] = []
    try:
        for name, df in tables.items():
            norm = normalise(df)
            for fmt in formats:
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=f".{fmt}.tmp", dir=folder)
                os.close(fd)
                pending.append((tmp, folder / f"{name}.{fmt}"))
                if fmt == "xlsx":
                    _write_xlsx(norm, tmp, name)
                else:
                    _WRITERS[fmt](norm, tmp)
        written = []
        for tmp, target in pending:
            os.replace(tmp, target)
            written.append(target)
        return written
    except BaseException:
        for tmp, _ in pending:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


class TableWriter:
    """One table written chunk by chunk (:meth:`write`) in every format, the column types fixed up front
    (``types``, also the column order): CSV appended, Parquet one row group per chunk
    (``pyarrow.parquet.ParquetWriter``), XLSX streamed by xlsxwriter in constant-memory mode. Only one
    chunk is held at a time. Written to temporary names in ``out_dir``; :meth:`close` renames them into
    place (a table with no chunk gets its header), :meth:`abort` removes them.
    """

    def __init__(self, out_dir: str | os.PathLike, name: str, types: Mapping[str, str], formats: Iterable[str] = FORMATS):
        formats = tuple(formats)
        if not formats or any(f not in FORMATS for f in formats):
            raise ValueError(f"formats must be a non-empty selection of {FORMATS}, got {formats!r}")
        if not isinstance(name, str) or not _SAFE_NAME.match(name):
            raise ValueError(f"table name {name!r} is not a plain file name (letters, digits, _ . -)")
        self.folder, self.name, self.types, self.formats = Path(out_dir), name, dict(types), formats
        self.rows = 0
        self._tmp: dict[str, str] = {}
        self._parquet = None
        self._wb = self._ws = None
        self._started = False

    def _start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for fmt in self.formats:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.name}.", suffix=f".{fmt}.tmp", dir=self.folder)
            os.close(fd)
            self._tmp[fmt] = tmp
        if "xlsx" in self._tmp:
            self._wb = _xlsx_workbook(self._tmp["xlsx"])
            self._ws = self._wb.add_worksheet(self.name[:31])
            bold = self._wb.add_format({"bold": True})
            for j, c in enumerate(self.types):
                self._ws.write_string(0, j, str(c), bold)
            self._ws.freeze_panes(1, 0)
        self._started = True

    def write(self, df: "pandas.DataFrame") -> None:
        """Append the rows of ``df`` (its columns those of ``types``)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if list(map(str, df.columns)) != list(self.types):
            raise ValueError(f"table {self.name!r}: columns {list(df.columns)} are not {list(self.types)}")
        first = not self._started
        if first:
            self._start()
        if "xlsx" in self._tmp and self.rows + len(df) + 1 > XLSX_MAX_ROWS:
            raise ValueError(f"table {self.name!r} has more than {XLSX_MAX_ROWS - 1} rows; an XLSX sheet holds at most "
                             f"{XLSX_MAX_ROWS - 1} (write csv/parquet)")
        norm = normalise(df, self.types)
        if "csv" in self._tmp:
            norm.to_csv(self._tmp["csv"], index=False, encoding="utf-8", lineterminator="\n", mode="w" if first else "a",
                        header=first)
        if "parquet" in self._tmp:
            tbl = pa.Table.from_pandas(norm, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp["parquet"], tbl.schema)
            if len(norm) or first:
                self._parquet.write_table(tbl.cast(self._parquet.schema))
        if self._ws is not None:
            _xlsx_rows(self._ws, norm, self.rows + 1)
        self.rows += len(df)

    def close(self) -> list[Path]:
        """Finish every file and rename it into place; return the paths."""
        import pandas as pd

        if not self._started:
            self.write(pd.DataFrame({c: [] for c in self.types}))
        self._close_writers()
        out = []
        for fmt, tmp in self._tmp.items():
            target = self.folder / f"{self.name}.{fmt}"
            os.replace(tmp, target)
            out.append(target)
        self._tmp = {}
        return out

    def _close_writers(self) -> None:
        w, self._parquet = self._parquet, None
        wb, self._wb, self._ws = self._wb, None, None
        try:
            if w is not None:
                w.close()
        finally:
            if wb is not None:
                wb.close()

    def abort(self) -> None:
        """Remove the temporary files (after a failure)."""
        try:
            self._close_writers()
        except Exception:
            pass
        for tmp in self._tmp.values():
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self._tmp = {}


def read_table(path: str | os.PathLike) -> "pandas.DataFrame":
    """Read back a file written by :func:`write_tables` (any of the three formats), as text-typed
    columns where the writer wrote text; for tests and for tools that merge batch outputs."""
    import pandas as pd

    p = str(path)
    if p.endswith(".csv"):
        return pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    if p.endswith(".parquet"):
        return pd.read_parquet(p)
    if p.endswith(".xlsx"):
        # dtype=object: keep the cells as stored (text stays text; pandas would otherwise parse
        # numeric-looking text such as exact decimals into floats)
        return pd.read_excel(p, engine="openpyxl", dtype=object)
    raise ValueError(f"unknown table format: {p}")

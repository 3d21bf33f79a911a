"""Reading a registry export (xlsx or csv) fast, and typing its mapped columns.

``.xlsx`` is read with pandas' ``calamine`` engine (a Rust reader, several times faster than
openpyxl on the 13,160 x 66 UNFCCC sheet); ``.csv`` with pandas' C parser, every cell as text
(the column parsers in :mod:`pacm.transition.columns` type them, the same way for both formats).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PacmInputError
from ..hosts import parties
from . import columns as C
from .mapping import Mapping, check_headers

EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass
class Table:
    """The typed columns of an export: logical name -> one value per row."""

    source: str
    n: int
    values: dict[str, list]
    findings: list[C.InputFinding]
    read_seconds: float
    parse_seconds: float


#: Rows per chunk when a CSV export is read and typed chunk by chunk (bounded memory for the raw cells).
CHUNK_ROWS = 5000


def read_frames(path: str | Path, mapping: Mapping, chunk_rows: int | None = CHUNK_ROWS):
    """The raw sheet as DataFrames of at most ``chunk_rows`` rows (CSV; ``None``: one frame), with the
    seconds each took. An ``.xlsx`` comes as one frame (calamine reads a sheet whole). Bad files are
    input errors (exit 2), also when the defect is found in a later chunk."""
    import pandas as pd

    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise PacmInputError.single(src, "file-not-found", "file not found")
    suffix = p.suffix.lower()
    if suffix not in EXCEL and suffix not in (".csv", ".txt"):
        raise PacmInputError.single(src, "bad-format", f"cannot read '{suffix}' files", expected=".xlsx or .csv")
    t0 = time.perf_counter()
    try:
        if suffix in EXCEL:
            frames = iter([pd.read_excel(p, sheet_name=mapping.sheet, engine="calamine")])
        else:
            frames = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8",
                                 chunksize=chunk_rows)
            if chunk_rows is None:
                frames = iter([frames])
        first = True
        for df in frames:
            seconds = time.perf_counter() - t0
            df.columns = [str(c).strip() for c in df.columns]
            if first:
                check_headers(mapping, list(df.columns), src)
                first = False
            yield df, seconds
            t0 = time.perf_counter()
    except PacmInputError:
        raise
    except UnicodeDecodeError as exc:
        raise PacmInputError.single(src, "not-utf8", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except Exception as exc:  # a corrupt or mislabelled file: say so, no traceback
        raise PacmInputError.single(src, "file-unreadable", f"cannot read the file as {suffix[1:]}: {exc}")  # no dependency exception name (issue 11)


def read_frame(path: str | Path, mapping: Mapping):
    """The raw sheet as one DataFrame, and the seconds it took."""
    return next(read_frames(path, mapping, None))


def _cells(s) -> list[Any]:
    """A column as Python values (datetime columns as dates, missing as None)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        return [None if pd.isna(x) else x.date() for x in s.tolist()]
    return [None if (x is None or (isinstance(x, float) and x != x) or x is pd.NaT or x is pd.NA) else x for x in s.tolist()]


def type_columns(df, mapping: Mapping, source: str) -> tuple[dict[str, list], list[C.InputFinding]]:
    """Typed values for every mapped column, and the input findings of the cells."""
    out: dict[str, list] = {}
    found: list[C.InputFinding] = []
    serial_cols: list[tuple[str, list, list]] = []
    iso2 = {p.iso2 for p in parties().values() if p.iso2}
    defects = mapping.defects
    for name, col in mapping.columns.items():
        raw = _cells(df[col.header])
        if col.type == "date":
            vals, was_serial = C.parse_dates(raw, col.header, defects["excel_serial"], found)
            serial_cols.append((col.header, raw, was_serial))
        elif col.type == "number":
            vals = C.parse_numbers(raw, col.header, found)
        elif col.type == "integer":
            vals = C.parse_integers(raw, col.header, found)
        elif col.type == "choice":
            vals = C.parse_choices(raw, col.header, col.choices, found)
        elif col.type == "hosts":
            vals = C.parse_hosts(raw, col.header, iso2, found)
        elif col.type == "flag":
            vals = C.parse_flags(raw, col.header, found)
        else:
            vals = C.parse_texts(raw)
        for check in col.checks:
            _check(check, vals, col.header, defects, found)
        if col.required:
            for i, v in enumerate(vals):
                if v is None and C.is_missing(raw[i]):
                    found.append(C.InputFinding(i, "input.missing_value", "insufficient_data", "warning", (col.header,),
                                                f"'{col.header}' is empty."))
        out[name] = vals
    # one finding per row for all the date columns stored as Excel serial numbers
    n = len(df)
    for i in range(n):
        hits = [(hdr, raw[i], vals_serial[i]) for hdr, raw, vals_serial in serial_cols if vals_serial[i]]
        if hits:
            ex_hdr, ex_raw, _ = hits[0]
            ex_date = out[next(k for k, c in mapping.columns.items() if c.header == ex_hdr)][i]
            found.append(C.InputFinding(
                i, "input.date_serial_number", "fail", "info", tuple(h for h, _, _ in hits),
                f"{len(hits)} date column(s) hold Excel serial numbers instead of dates (e.g. '{ex_hdr}' = "
                f"{C._fmt_raw(ex_raw)} = {ex_date}); read with the 1900 date system.",
            ))
    return out, found


def _check(check: str, vals: list, header: str, defects: dict, found: list) -> None:
    if check == "negative_capacity":
        off = defects["negative_capacity"]["artefact_offset"]
        for i, v in enumerate(vals):
            if v is not None and v < 0:
                found.append(C.InputFinding(
                    i, "input.negative_capacity", "fail", "warning", (header,),
                    f"'{header}' is {v} MW; a capacity cannot be negative. This is the export's R date-conversion "
                    f"artefact (cell = capacity - {off}), so the capacity is probably {v + off} MW; not used.",
                ))
                vals[i] = None
    elif check in ("irr_range", "benchmark_range"):
        rng = defects[check]
        lo, hi = rng.get("min"), rng.get("max")
        lo_ex = rng.get("min_exclusive")
        for i, v in enumerate(vals):
            if v is None:
                continue
            bad = (lo is not None and v < lo) or (hi is not None and v > hi) or (lo_ex is not None and v <= lo_ex)
            if bad:
                bounds = f"{lo if lo is not None else '>' + str(lo_ex)}..{hi} %"
                hint = f" (a shifted decimal? {v / 10} %)" if abs(v) > (hi or 0) else ""
                found.append(C.InputFinding(
                    i, "input.implausible_value", "fail", "warning", (header,),
                    f"'{header}' is {v} %, outside the plausible range {bounds}{hint}; not used.",
                ))
                vals[i] = None


def typed_chunks(path: str | Path, mapping: Mapping, chunk_rows: int | None = CHUNK_ROWS):
    """(offset, typed values, input findings, read seconds, typing seconds) per ``chunk_rows`` rows,
    so the raw cells of only one chunk are held at once (an ``.xlsx``, read whole, is typed in slices).
    Typing is per row, so the result does not depend on the chunk size (tests/test_transition_chunks.py);
    findings carry the row number in the whole file."""
    n = 0
    for df, seconds in read_frames(path, mapping, chunk_rows):
        step = chunk_rows or len(df) or 1
        for a in range(0, max(len(df), 1), step):
            t0 = time.perf_counter()
            part = df.iloc[a:a + step] if (a or len(df) > step) else df
            vals, found = type_columns(part, mapping, str(path))
            for f in found:
                f.row += n
            k = len(part)
            n += k
            yield n - k, vals, found, seconds, time.perf_counter() - t0
            seconds = 0.0
            del part, vals, found
        del df


def read_table(path: str | Path, mapping: Mapping, chunk_rows: int | None = CHUNK_ROWS) -> Table:
    """Every mapped column typed, reading and typing ``chunk_rows`` rows at a time (:func:`typed_chunks`)."""
    values: dict[str, list] = {}
    findings: list[C.InputFinding] = []
    n, read_s, parse_s = 0, 0.0, 0.0
    for _off, vals, found, r_s, p_s in typed_chunks(path, mapping, chunk_rows):
        read_s += r_s
        parse_s += p_s
        for k, v in vals.items():
            values.setdefault(k, []).extend(v)
        findings.extend(found)
        n += len(next(iter(vals.values()))) if vals else 0
    if not values:
        values = {k: [] for k in mapping.columns}
    return Table(str(path), n, values, findings, read_s, parse_s)

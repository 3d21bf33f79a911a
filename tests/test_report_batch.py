"""Batch outputs: CSV, Parquet and XLSX hold the same columns and the same values; writes are atomic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from pacm.report import batch
from pacm.report.batch import read_table, write_tables


def _table():
    return pd.DataFrame(
        {
            "cdm_reference": [8442, 1234, 99],
            "title": ["Samana wind", "=HYPERLINK(\"x\")", None],
            "tonnes": [Decimal("104970.123456789012345"), Decimal("0.1"), None],
            "start": [dt.date(2026, 7, 1), None, dt.date(2012, 2, 29)],
            "eligible": [True, False, True],
            "ratio": [0.5, float("nan"), 1.25],
        }
    )


def test_same_columns_and_values_in_every_format(tmp_path):
    paths = write_tables(tmp_path, {"transition": _table()})
    assert sorted(p.name for p in paths) == ["transition.csv", "transition.parquet", "transition.xlsx"]
    frames = {p.suffix: read_table(p) for p in paths}
    cols = list(_table().columns)
    for suffix, df in frames.items():
        assert list(df.columns) == cols, suffix
    pq, csv, xl = frames[".parquet"], frames[".csv"], frames[".xlsx"]
    # Decimals: exact text everywhere, no float rounding
    assert pq["tonnes"].tolist()[:2] == ["104970.123456789012345", "0.1"]
    assert csv["tonnes"].tolist()[:2] == ["104970.123456789012345", "0.1"]
    assert xl["tonnes"].tolist()[:2] == ["104970.123456789012345", "0.1"]
    assert pd.isna(pq["tonnes"][2]) and pd.isna(csv["tonnes"][2]) and pd.isna(xl["tonnes"][2])
    # dates: ISO text everywhere
    for df in (pq, csv, xl):
        assert df["start"][0] == "2026-07-01" and df["start"][2] == "2012-02-29" and pd.isna(df["start"][1])
    # integers and booleans stay numbers / booleans where the format has types
    assert pq["cdm_reference"].tolist() == [8442, 1234, 99]
    assert xl["cdm_reference"].tolist() == [8442, 1234, 99]
    assert pq["eligible"].tolist() == [True, False, True]
    assert xl["eligible"].tolist() == [True, False, True]
    assert csv["eligible"].tolist() == ["True", "False", "True"]
    assert pq["ratio"][0] == 0.5 and pd.isna(pq["ratio"][1])


def test_xlsx_text_is_never_a_formula(tmp_path):
    write_tables(tmp_path, {"t": _table()}, formats=("xlsx",))
    ws = load_workbook(tmp_path / "t.xlsx").active
    cell = ws["B3"]
    assert cell.value == '\'=HYPERLINK("x")'  # text, with the OWASP ' prefix (issue 11: docs/bad-input.md)
    assert cell.data_type == "s"
    assert ws.title == "t"
    assert [c.value for c in ws[1]] == list(_table().columns)


def test_format_selection(tmp_path):
    write_tables(tmp_path, {"a": _table()}, formats=("csv",))
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_no_partial_files_on_failure(tmp_path, monkeypatch):
    (tmp_path / "old.csv").write_text("kept\n")

    def boom(df, path, sheet):
        with open(path, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(batch, "_write_xlsx", boom)
    with pytest.raises(OSError, match="disk full"):
        write_tables(tmp_path, {"old": _table(), "new": _table()})
    # nothing written, nothing replaced, no temporary left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]
    assert (tmp_path / "old.csv").read_text() == "kept\n"


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".hidden"])
def test_rejects_unsafe_names(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        write_tables(tmp_path, {name: _table()})


def test_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="formats"):
        write_tables(tmp_path, {"a": _table()}, formats=("json",))


def test_creates_output_folder_and_handles_empty_table(tmp_path):
    out = tmp_path / "deep" / "er"
    write_tables(out, {"empty": pd.DataFrame({"x": pd.Series([], dtype=object), "n": pd.Series([], dtype="int64")})})
    for ext in ("csv", "parquet", "xlsx"):
        df = read_table(out / f"empty.{ext}")
        assert list(df.columns) == ["x", "n"] and len(df) == 0

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


# -- TableWriter: one table written chunk by chunk (pacm transition, issue 11 item 6)

TYPES = {"cdm_reference": "float64", "title": "string", "tonnes": "string", "start": "string", "eligible": "bool",
         "ratio": "float64"}


def _chunks(df, size):
    return [df.iloc[a:a + size] for a in range(0, len(df), size)]


def test_table_writer_chunks_hold_what_the_whole_table_holds(tmp_path):
    df = pd.concat([_table()] * 3, ignore_index=True)
    df["cdm_reference"] = df["cdm_reference"].astype("float64")
    write_tables(tmp_path / "whole", {"t": df})
    w = batch.TableWriter(tmp_path / "parts", "t", TYPES)
    for part in _chunks(df, 2):  # 9 rows: 2+2+2+2+1
        w.write(part)
    w.close()
    for ext in ("csv", "parquet", "xlsx"):
        pd.testing.assert_frame_equal(read_table(tmp_path / "parts" / f"t.{ext}"), read_table(tmp_path / "whole" / f"t.{ext}"))
    assert (tmp_path / "parts" / "t.csv").read_bytes() == (tmp_path / "whole" / "t.csv").read_bytes()
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "parts" / "t.parquet").metadata.num_row_groups == 5  # one per chunk
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == ["t.csv", "t.parquet", "t.xlsx"]


def test_table_writer_types_are_fixed_for_every_chunk(tmp_path):
    # the first chunk of a text column holds only integers, the second only a boolean: still text
    # (inferred per chunk they would be Int64 and boolean, and the Parquet schemas would clash)
    w = batch.TableWriter(tmp_path, "t", {"ref": "string", "n": "Int64"})
    w.write(pd.DataFrame({"ref": [1, 2], "n": [None, None]}))
    w.write(pd.DataFrame({"ref": [True, "PoA-7"], "n": [3, None]}))
    w.close()
    p = read_table(tmp_path / "t.parquet")
    assert str(p["ref"].dtype) == "string" and list(p["ref"]) == ["1", "2", "True", "PoA-7"]
    assert str(p["n"].dtype) == "Int64" and p["n"].tolist()[2] == 3 and p["n"].isna().tolist() == [True, True, False, True]
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in ws["A"]] == ["ref", "1", "2", "True", "PoA-7"]  # text cells, not numbers
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == "ref,n\n1,\n2,\nTrue,3\nPoA-7,\n"


def test_table_writer_without_chunks_writes_the_header(tmp_path):
    batch.TableWriter(tmp_path, "empty", {"x": "string", "n": "int64"}).close()
    for ext in ("csv", "parquet", "xlsx"):
        df = read_table(tmp_path / f"empty.{ext}")
        assert list(df.columns) == ["x", "n"] and len(df) == 0


def test_table_writer_abort_leaves_nothing_and_columns_are_checked(tmp_path):
    w = batch.TableWriter(tmp_path, "t", {"x": "Int64"})
    w.write(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match=r"columns \['y'\] are not \['x'\]"):
        w.write(pd.DataFrame({"y": [1]}))
    w.abort()
    assert list(tmp_path.iterdir()) == []


def test_table_writer_xlsx_sheet_limit_over_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "XLSX_MAX_ROWS", 4)  # a header and three rows fit; a fourth row does not
    w = batch.TableWriter(tmp_path, "ok", {"x": "int64"}, formats=("xlsx",))
    w.write(pd.DataFrame({"x": [1, 2]}))
    w.write(pd.DataFrame({"x": [3]}))
    w.close()
    assert [c.value for c in load_workbook(tmp_path / "ok.xlsx").active["A"]] == ["x", 1, 2, 3]
    w = batch.TableWriter(tmp_path, "over", {"x": "int64"}, formats=("xlsx",))
    w.write(pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(ValueError, match=r"table 'over' has more than 3 rows; an XLSX sheet holds at most 3 "):
        w.write(pd.DataFrame({"x": [3, 4]}))
    w.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx"]


def test_fixed_types_hold_for_a_chunk_of_missing_values():
    # A chunk can hold only missing values in a column: its type must still be the fixed one, or the Parquet row
    # group of that chunk would carry a null column where the others carry text, integers or booleans.
    df = pd.DataFrame({"t": [None, None], "i": [None, pd.NaT], "b": [pd.NaT, float("nan")]}, dtype=object)
    out = batch.normalise(df, types={"t": "string", "i": "Int64", "b": "boolean"})
    assert [str(out[c].dtype) for c in "tib"] == ["string", "Int64", "boolean"]
    assert out.isna().all().all()  # NaT and NaN are missing values, whatever the type (pd.array refuses a raw NaT)
    assert batch._text(pd.NaT) is None and batch._text(dt.datetime(2021, 1, 1)) == "2021-01-01T00:00:00"  # not 'NaT'
    mixed = batch.normalise(pd.DataFrame({"b": [True, None], "t": ["=1+1", None]}), types={"b": "boolean", "t": "string"})
    assert mixed["b"].tolist() == [True, pd.NA] and mixed["t"].tolist() == ["'=1+1", pd.NA]  # OWASP: a leading '


def test_an_unknown_fixed_type_is_named():
    with pytest.raises(ValueError, match="unknown column type 'text'"):
        batch.normalise(pd.DataFrame({"a": [1]}), types={"a": "text"})

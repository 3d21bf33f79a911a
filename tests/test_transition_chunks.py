"""Issue 11 item 6 / issue 12 item 3: `pacm transition` reads, types and evaluates in chunks, and the
outputs do not depend on the chunk size.

The 25-row extract (real rows with the export's defects: serial-number dates, negative capacities,
shifted IRRs, overlong periods, a leap-day start) plus three hostile rows is run with chunks of
3 rows (read and evaluation) and as one chunk; every output file must be the same byte for byte.
Left out of the comparison because they are not results: the marker file and the XLSX's
``docProps/core.xml`` (they hold the time they were written; the XLSX is compared member by
member) and the "Timings" line of ``summary.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.transition.mapping import load_mapping
from pacm.transition.outputs import MARKER, write_outputs
from pacm.transition.read import read_table
from pacm.transition.run import run

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    rows = list(csv.reader(EXTRACT.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    extra = []
    for col, val in (("End of first crediting period", "9999-12-31"), ("CDM project reference number", "9" * 5000),
                     ("Start of first crediting period", "not a date")):
        r = list(body[0])
        r[header.index(col)] = val
        extra.append(r)
    p = tmp_path_factory.mktemp("chunks") / "export.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body[:10], *extra, *body[10:]])
    return p


def _outputs(export: Path, out: Path, chunk: int | None) -> dict[str, bytes]:
    engine, mapping = Engine(), load_mapping()
    table = read_table(export, mapping, chunk_rows=chunk)
    res = run(export, dt.date(2026, 1, 15), engine, mapping, table=table, chunk_size=chunk or table.n)
    write_outputs(res, out, formats=("csv", "parquet", "xlsx"))
    files = {}
    for p in sorted(out.iterdir()):
        if p.name == MARKER:
            continue
        data = p.read_bytes()
        if p.name == "summary.md":
            data = b"\n".join(x for x in data.split(b"\n") if not x.startswith(b"- Timings: "))
        elif p.suffix == ".xlsx":  # a zip: its members' bytes, less the creation time of docProps/core.xml
            import zipfile

            with zipfile.ZipFile(p) as z:
                data = b"".join(n.encode() + z.read(n) for n in sorted(z.namelist()) if n != "docProps/core.xml")
        files[p.name] = data
    return files


def test_chunked_outputs_are_byte_identical(export, tmp_path):
    one = _outputs(export, tmp_path / "one", None)
    small = _outputs(export, tmp_path / "small", 3)
    assert sorted(one) == sorted(small)
    assert {"activities.csv", "findings.csv", "activities.parquet", "summary.md"} <= set(one)
    for name in one:
        assert one[name] == small[name], f"{name} differs between chunks of 3 rows and one chunk"
    # the rows of later chunks keep their row numbers in the whole file (header = row 1)
    acts = list(csv.DictReader((tmp_path / "small" / "activities.csv").open(encoding="utf-8")))
    assert [a["row"] for a in acts] == [str(i + 2) for i in range(28)]
    found = list(csv.DictReader((tmp_path / "small" / "findings.csv").open(encoding="utf-8")))
    assert [f["row"] for f in found if f["rule"] == "input.date_out_of_bounds"] == ["12"]
    assert [f["row"] for f in found if f["rule"] == "input.bad_date"] == ["14"]


def test_read_table_typing_does_not_depend_on_chunks(export):
    mapping = load_mapping()
    a, b = read_table(export, mapping, chunk_rows=None), read_table(export, mapping, chunk_rows=4)
    assert a.n == b.n == 28
    assert a.values == b.values
    key = lambda f: (f.row, f.rule, f.columns, f.message)  # noqa: E731
    assert sorted(map(key, a.findings)) == sorted(map(key, b.findings))

"""The plain-rows crediting pipeline and its DataFrame wrapper give the same numbers (issue 12 item 2).

``pacm check`` computes its table with :func:`pacm.quantities.pipeline.credit_columns` on plain lists
and never imports pandas; the batch run (``pacm transition``, ``pacm sweep``) calls
:func:`pacm.quantities.pipeline.credit_years` on a DataFrame. Both must give every column, every
row, to the tonne (exact Decimal or int equality, same type). Which wrong line would fail here: a
wrapper that converts a column (a float, a NaN kept as a value, a lost ``bau``), or a second copy of
a crediting rule in either form.

Inputs: (1) generated PDDs: the seven PDDs with a quantification (``examples/``,
``tests/fixtures/pdd/``), each varied by hypothesis (monitored series scaled, downward adjustment,
leakage discount, authorisation share, LDC host) and checked with drawn crediting parameters; the
rows ``Engine.check`` hands the pipeline are captured and run through both forms; (2) the generated
activity-years of ``tests/test_quantities_properties.py`` with every optional column.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_quantities_properties import activity_year, params

from pacm.engine import Engine
from pacm.pdd.load import pdd_from_data
from pacm.quantities import compute as compute_mod
from pacm.quantities.pipeline import OUTPUT, credit_columns, credit_rows, credit_years
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 1)
PDDS = sorted(p for p in [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "tests" / "fixtures" / "pdd").glob("*.yaml")]
              if "quantification" in load_file(p).data)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])
rate = st.decimals(min_value=0, max_value=D("0.2"), places=3)


def assert_same(plain: dict[str, list], frame: pd.DataFrame) -> None:
    """Every column of the plain result equals the frame's, value and type, row by row."""
    assert list(frame.columns) == list(plain) or set(frame.columns) == set(plain)
    for c in plain:
        got = frame[c].tolist()
        assert len(got) == len(plain[c]), c
        for i, (a, b) in enumerate(zip(plain[c], got)):
            assert a == b and type(a) is type(b), (c, i, a, b)


@st.composite
def varied_pdd(draw):
    path = draw(st.sampled_from(PDDS))
    data = load_file(path).data
    q = data["quantification"]
    factor = draw(st.decimals(min_value=0, max_value=3, places=2))
    for name, series in q.get("yearly", {}).items():
        q["yearly"][name] = {y: D(str(v)) * factor for y, v in series.items()}
    b = data["baseline"]
    if data["activity"]["type"] == "emission_reduction" and draw(st.booleans()):
        b["downward_adjustment"] = {"initial": draw(rate), "annual_increment": draw(rate) / 4,
                                    "form": draw(st.sampled_from(["linear", "compound"]))}
    if draw(st.booleans()):
        data.setdefault("leakage", {"assessed": True})["discount"] = draw(rate)
    if draw(st.booleans()):
        data["authorization"] = {"status": "authorised", "activity_approved_by_host": True,
                                 "authorised_share": draw(st.decimals(min_value=0, max_value=1, places=2))}
    if draw(st.booleans()):
        data["activity"]["host_party"] = draw(st.sampled_from(["MW", "IN", "FJ", "BR"]))  # LDC, no, SIDS, no
    over = {
        "crediting.deduction_rounding": draw(st.sampled_from(["participant_floor", "each_up", "each_down", "exact"])),
        "issuance.sop_adaptation_rate": draw(rate),
        "issuance.omge_rate": draw(rate),
    }
    return path.name, data, over


@pytest.fixture(scope="module")
def engine():
    return Engine()


@SETTINGS
@given(varied_pdd())
def test_generated_pdds_plain_rows_equal_dataframe(engine, monkeypatch, case):
    name, data, over = case
    seen = []

    def spy(cols, pp, steps=None):  # the drawn crediting parameters in place of the pack's
        pp = {**pp, **over}
        out = credit_columns(cols, pp, steps)
        seen.append((cols, pp, out))
        return out

    monkeypatch.setattr(compute_mod, "credit_columns", spy)
    try:
        result = engine.check(pdd_from_data(data, None, name), AS_OF, source=name)
    except Exception as exc:  # a varied PDD the methodology refuses is bad input: not this test's subject
        from pacm.errors import PacmInputError

        assert isinstance(exc, PacmInputError), exc
        event("refused as bad input")
        return
    if not seen:
        assert result.quantities is None or not result.quantities.rows
        event("no crediting table")
        return
    event(f"table of {len(seen[0][2]['year'])} years")
    cols, pp, plain = seen[0]
    frame = credit_years(pd.DataFrame(cols), pp)
    assert_same(plain, frame)
    # and the table the report shows is the plain result, its DataFrame the same numbers
    q = result.quantities
    assert [r["issuable"] for r in q.rows] == plain["issuable"]
    assert_same({c: [r[c] for r in q.rows] for c in q.rows[0]}, q.frame)


@st.composite
def full_row(draw):
    r = draw(activity_year())
    if draw(st.booleans()):
        r.update(da_initial=draw(rate), da_increment=draw(rate) / 4, da_form=draw(st.sampled_from(["linear", "compound"])))
    if draw(st.booleans()):
        r["leakage_discount"] = draw(rate)
    if draw(st.booleans()):
        r["da_applies"] = draw(st.booleans())
    return r


@SETTINGS
@given(st.lists(full_row(), min_size=1, max_size=8), params())
def test_generated_rows_plain_equal_dataframe(rows, p):
    # rows with different optional columns: the frame fills the gaps with NaN, the plain form with None
    frame = credit_years(pd.DataFrame(rows), p)
    cols = {c: [r.get(c) for r in rows] for c in frame.columns if any(c in r for r in rows)}
    plain = credit_columns(cols, p)
    computed = ("leakage",) + OUTPUT  # the input columns pass through (a gap is NaN in a frame, None here)
    assert_same({c: plain[c] for c in computed}, frame[list(computed)])
    if all(set(r) == set(rows[0]) for r in rows):
        as_rows = credit_rows(rows, p)
        for c in OUTPUT:
            assert [r[c] for r in as_rows] == plain[c]


def test_a_check_imports_no_pandas():
    # the import budget of benchmarks/bench_check.py: one check with its crediting table, reported as
    # text and JSON, imports neither pandas nor numpy nor jinja2; Markdown (a jinja2 template) no pandas
    code = (
        "import sys, datetime as dt\n"
        "from pacm.engine import Engine\n"
        "from pacm.pdd.load import load_pdd\n"
        "from pacm.report.render import render\n"
        f"r = Engine().check(load_pdd({str(ROOT / 'examples' / 'cookstoves_malawi.yaml')!r}), dt.date(2026, 11, 1))\n"
        "assert r.quantities.rows\n"
        "mods = lambda: sorted(m for m in ('pandas', 'numpy', 'jinja2') if m in sys.modules)\n"
        "render(r, 'text', trace=True); render(r, 'json')\n"
        "print(mods())\n"
        "render(r, 'markdown', trace=True)\n"
        "print(mods())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "['jinja2']"], out.stdout + out.stderr

"""HTML and Markdown reports: content, escaping, self-containment, parity between the two."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.pdd.load import load_pdd
from pacm.report.html import render_html
from pacm.report.markdown import md_cell, render_markdown

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
WIND = ROOT / "examples" / "wind_farm_india.yaml"
LFG = ROOT / "examples" / "landfill_gas_fails_additionality.yaml"
AS_OF = dt.date(2026, 11, 1)
SAMPLE_Q = json.loads((Path(__file__).with_name("report_data") / "quantities_sample.json").read_text())


class _Q:
    """Quantities in the JSON-contract shape (renderer tests do not depend on the quantities engine)."""

    def __init__(self, data):
        self._data = data

    def to_json(self):
        return copy.deepcopy(self._data)


@pytest.fixture(scope="module")
def engine():
    return Engine()


def _check(engine, path, quantities=None, pdd=None):
    r = engine.check(pdd or load_pdd(path), AS_OF, source=str(path), quantities=False)
    if quantities is not None:
        r.quantities = _Q(quantities)
    return r


def _h2(html: str) -> list[str]:
    return [re.sub(r"\s*\(\d+\)$", "", re.sub(r"<[^>]+>", "", h).strip()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def _md_h2(md: str) -> list[str]:
    return [re.sub(r"\s*\(\d+\)$", "", line[3:].strip()) for line in md.splitlines() if line.startswith("## ")]


def test_html_has_every_section_finding_and_chart(engine):
    r = _check(engine, LFG, SAMPLE_Q)
    html = render_html(r)
    assert _h2(html) == [
        "Activity", "Automatic checks", "Validator checklist", "Values not confirmed against the official text",
        "Not applicable", "Credited quantities",
    ]
    for f in r.findings:
        assert f'data-rule="{f.rule}"' in html or f.status == "not_applicable"
        assert f.rule in html
    fails = [f for f in r.findings if f.status == "fail"]
    assert fails and html.count('<tr class="finding fail"') == len(fails)
    assert html.count("Why not:") == sum(1 for f in r.findings if f.why_not and f.status != "not_applicable")
    # grouped by area, one table per area with a heading
    areas = sorted({f.area for f in r.findings if f.kind == "automatic" and f.status != "not_applicable"})
    assert re.findall(r'<table class="findings" data-area="([^"]+)"', html) == areas
    # clause text and citations
    from markupsafe import escape

    assert all(str(escape(f.clause)) in html and str(escape(f.reference)) in html for f in r.findings if f.status != "not_applicable")
    # charts are inline SVG images; the quantities table has one row per year and exact totals
    assert html.count('src="data:image/svg+xml;base64,') == 2
    assert html.count("<tr><th scope=\"row\">20") == len(SAMPLE_Q["years"])
    assert "422\u202f868.875" in html and "393\u202f265" in html


def test_html_is_self_contained(engine):
    html = render_html(_check(engine, WIND, SAMPLE_Q))
    assert "Content-Security-Policy" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@import" not in html and "url(" not in html
    assert "<script" not in html.lower()


def test_html_without_quantities_shows_a_note(engine):
    html = render_html(_check(engine, WIND))
    assert 'id="no-quantities"' in html
    assert "data:image" not in html and "quantities-table" not in html


def test_html_escapes_pdd_text(engine):
    pdd = load_pdd(WIND)
    pdd.activity.title = '<script>alert("x")</script> & <b>bold</b>'
    q = copy.deepcopy(SAMPLE_Q)
    q["notes"] = ["<img src=x onerror=alert(1)>"]
    html = render_html(_check(engine, WIND, q, pdd=pdd))
    assert "<script>alert" not in html and "<b>bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    md = render_markdown(_check(engine, WIND, q, pdd=pdd))
    # Word-friendly: backslash escapes, not HTML entities (issue 13); still no live HTML
    assert "<script>" not in md and "\\<img src=x" in md and md.count("<img") == md.count("\\<img") and "&lt;" not in md


def test_overrides_and_unconfirmed_are_listed(engine):
    e = Engine()
    e.pack.params.override("crediting_period.er_renewable_max_years", "7", "--param crediting_period.er_renewable_max_years")
    r = e.check(load_pdd(WIND), AS_OF, quantities=False)
    html, md = render_html(r), render_markdown(r)
    assert '<ul id="overrides">' in html and "crediting_period.er_renewable_max_years = 7" in html
    assert "crediting_period.er_renewable_max_years = 7" in md
    for f in r.unconfirmed():
        assert f"<code>{f.rule}</code> (" in html
        assert f"`{f.rule}` (" in md


def test_html_is_deterministic(engine):
    r = _check(engine, WIND, SAMPLE_Q)
    assert render_html(r) == render_html(r)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_markdown_has_the_same_content_as_html(engine, path):
    r = _check(engine, path, SAMPLE_Q)
    html, md = render_html(r), render_markdown(r)
    assert _md_h2(md) == _h2(html)
    for f in r.findings:
        assert f"`{f.rule}`" in md and f"<code>{f.rule}</code>" in html or f'>{f.rule}</code>' in html
        if f.status == "validator_judgement":
            assert md_cell(f.confirm) in md
            assert all(f"`{e}`" in md for e in f.evidence)
        elif f.status != "not_applicable":
            assert md_cell(f.message) in md
            if f.why_not:
                assert md_cell(f.why_not) in md
    for row in SAMPLE_Q["years"]:
        assert f"| {row['year']} |" in md
    assert "393\u202f265" in md


def test_markdown_table_cells_stay_in_their_column():
    assert md_cell("a | b\n c") == "a \\| b c"
    assert md_cell("<b>") == "\\<b\\>"  # backslash escapes paste into Word; entities showed as "&lt;" (issue 13)


def test_markdown_trace_only_on_request(engine):
    r = _check(engine, WIND, SAMPLE_Q)
    assert "How each quantity was computed" not in render_markdown(r)
    assert SAMPLE_Q["trace"][0] in render_markdown(r, trace=True)


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_cli_writes_report_file(tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    code = main(["check", str(LFG), "--as-of", "2026-11-01", "--format", fmt, "--out", str(out), "--no-quantities"])
    assert code == 1  # the landfill example fails additionality
    text = out.read_text(encoding="utf-8")
    assert "additionality.investment_benchmark" in text
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_cli_html_to_missing_folder_is_exit_2(tmp_path, capsys):
    code = main(["check", str(WIND), "--as-of", "2026-11-01", "--format", "html", "--out", str(tmp_path / "no" / "r.html")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err

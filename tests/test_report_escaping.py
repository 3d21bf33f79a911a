"""Hostile text through every report format, and the escapers' exact rules (issue 14 items 3 and 4).

Each expected value is written by hand from the rule it checks: OWASP "CSV Injection" (a leading ``'``
before ``= + - @ tab CR``), CommonMark section 2.4 (a backslash before ASCII punctuation shows the
character itself), HTML escaping of ``< > & "``, and the terminal rule of :mod:`pacm.outsafe` (C0, DEL,
C1, bidi and separators shown as ``\\xNN``/``\\uNNNN``, a line break as ``\\n``). These tests were
written to kill the code mutants of the ``escaping`` group (``make mutation GROUP=escaping``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.outsafe import MAX_TERM, csv_cell, md_text, term_text
from pacm.pdd.load import load_pdd
from pacm.report.markdown import md_code, quoted
from pacm.report.render import render
from pacm.report.text import render_summary
from test_report_html import SAMPLE_Q, _Q  # the quantities JSON sample and its stand-in result object

ROOT = Path(__file__).resolve().parents[1]
WIND = ROOT / "examples" / "wind_farm_india.yaml"
AS_OF = dt.date(2026, 11, 1)
#: One text carrying every hazard: a spreadsheet formula, live HTML, a javascript: link, an image,
#: table pipe, emphasis, a code span, an entity, ESC sequences (clear screen), CR, a bidi override
#: and a line break.
HOSTILE = ('=HYPERLINK("http://evil")<img src=x onerror=alert(1)>[a](javascript:alert(1))![i](http://x/i.png)'
           '|*b*`c`~d~&amp;\x1b[2J\r\u202eX\nY')
#: Characters that must never reach a terminal or a Markdown file raw.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_result():
    """The wind example with hostile text in the PDD's free-text fields that reach a report, in a note
    and in a quantities note (the model is edited after validation: the writers must not rely on it)."""
    pdd = load_pdd(WIND)
    pdd.activity.title = "T:" + HOSTILE
    pdd.activity.reference = "R:" + HOSTILE
    r = Engine().check(pdd, AS_OF, source="dir/a`<img src=y>`.yaml", quantities=False)
    r.notes.append("M:" + HOSTILE)
    q = copy.deepcopy(SAMPLE_Q)
    q["notes"] = ["N:" + HOSTILE]
    r.quantities = _Q(q)  # the JSON-contract shape the HTML and Markdown views read
    return r


@pytest.fixture(scope="module")
def hostile_text_result(hostile_result):
    r = copy.copy(hostile_result)
    r.quantities = None  # the terminal report renders quantities from the engine's own object
    return r


# ----------------------------------------------------------------------------- the escapers, exactly
def test_term_text_escapes_each_unsafe_range_at_its_edges():
    # C0 from U+0000 to U+001F, DEL U+007F and C1 to U+009F are shown; U+0020, U+007E and U+00A0 are text
    assert term_text("\x00\x1f \x7e\x7f\x9f\xa0") == "\\x00\\x1f ~\\x7f\\x9f\xa0"
    assert term_text("a\nb\tc\rd") == "a\\nb\\tc\\x0dd"  # line feed and tab by name, CR by number
    # above U+00FF: four hex digits (Arabic letter mark, LRM/RLM, separators, bidi embeddings and isolates)
    assert term_text("\u061c\u200e\u2028\u202a\u202e\u2066\u2069") == "\\u061c\\u200e\\u2028\\u202a\\u202e\\u2066\\u2069"
    assert term_text("\u0100\u202f\u2065") == "\u0100\u202f\u2065"  # their neighbours are text


def test_term_text_cuts_at_the_limit_and_says_how_much():
    assert MAX_TERM == 300
    assert term_text("x" * 300) == "x" * 300  # on the limit: whole
    assert term_text("x" * 301) == "x" * 300 + "... (1 more characters)"  # one over: 301 - 300 = 1
    assert term_text("y" * 1301) == "y" * 300 + "... (1,001 more characters)"  # 1301 - 300, with a separator
    assert term_text("\x1b" * 100) == "\\x1b" * 75 + "... (100 more characters)"  # cut after escaping: 400 - 300
    assert term_text("z" * 500, None) == "z" * 500
    assert term_text("z" * 12, 10) == "z" * 10 + "... (2 more characters)"


def test_markdown_text_backslash_escapes_every_markup_character():
    # CommonMark 2.4: a backslash before ASCII punctuation shows the character itself
    assert md_text("\\`*[]|~<>&") == "\\\\\\`\\*\\[\\]\\|\\~\\<\\>\\&"
    assert md_text("snake_case (x) #1 !") == "snake_case (x) #1 !"  # left alone: not inline markup here
    assert md_text("a\n\n b\r\nc\td") == "a b c d"  # line breaks and tabs fold to one space
    assert md_text("e\x1bf") == "e\\\\x1bf"  # the escape's own backslash is escaped too
    assert md_text("w" * 400) == "w" * 400  # a Markdown cell is never cut (the terminal limit does not apply)


def test_markdown_code_span_text():
    assert md_code("a`b\n  c") == "a'b\\n c"  # a backquote would end the span; the break shown as \n, spaces folded
    assert md_code("<b>|*") == "<b>|*"  # inside a code span nothing else is markup
    assert md_code("\x1b") == "\\x1b"
    assert md_code("v" * 400) == "v" * 400


def test_clause_is_quoted_once():
    assert quoted("shall be additional") == '"shall be additional"'
    assert quoted('the "host Party" decides') == 'the "host Party" decides'
    assert quoted("\u201cshall\u201d") == "\u201cshall\u201d"
    assert quoted("a|b") == '"a\\|b"'
    assert quoted(None) == '"None"'


def test_csv_cell_rule():
    for bad in ("=1", "+1", "-1", "@A1", "\t1", "\r1"):
        assert csv_cell(bad) == "'" + bad
    assert csv_cell(" =1") == " =1" and csv_cell("1=1") == "1=1"
    assert csv_cell(5) == 5 and csv_cell(None) is None  # not text: left to the writer


def test_batch_cells():
    import numpy as np
    import pandas as pd

    from pacm.report.batch import _cell_value, _text

    # Decimals in fixed notation, never an exponent: Decimal("1E+3") is one thousand
    assert _text(Decimal("1E+3")) == "1000" and _text(Decimal("0.10")) == "0.10"
    assert _text(Decimal("Infinity")) == "Infinity"  # format spec "f", not "F" ("INFINITY")
    assert _text(pd.Timedelta(days=1)) == "P1DT0H0M0S"  # anything with isoformat() is ISO 8601 text
    assert _text(dt.datetime(2021, 1, 1, 6, 30)) == "2021-01-01T06:30:00"
    assert _text(5) == "5" and _text(Decimal("2")) == "2"
    assert _text("=1+1") == "'=1+1" and _text("-x") == "'-x"
    assert _text(None) is None and _text(float("nan")) is None
    # numpy scalars become Python numbers (xlsxwriter writes int/float as numbers, anything else as text)
    assert type(_cell_value(np.int64(3))) is int and _cell_value(np.int64(3)) == 3
    assert type(_cell_value(np.float64(0.5))) is float
    assert _cell_value("item") == "item" and _cell_value(None) is None


def test_data_uri_is_base64_of_the_utf8_svg():
    from pacm.report.html import _data_uri

    # "<svg/>" = 3C 73 76 | 67 2F 3E -> 001111 000111 001101 110110 | 011001 110010 111100 111110 = P H N 2 | Z y 8 +
    assert _data_uri("<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"
    assert _data_uri(None) is None


# ----------------------------------------------------------------------------- every format, hostile text
def _no_live_markdown(text: str) -> None:
    text = text.replace("`dir/a'<img src=y>'.yaml`", "")  # the file name, inert in its code span (test below)
    for raw in ("<img", "<script", "](javascript", "![i]("):
        assert raw not in text.replace("\\<", "").replace("\\]", "").replace("\\[", ""), raw
    outside_code = re.sub(r"(?<!\\)`[^`\n]*`", "", text)  # code spans (the rule's expression) are literal
    assert not re.search(r"(?<!\\)[<>]", outside_code)


@pytest.mark.parametrize("summary", [False, True])
def test_text_report_shows_hostile_text_inert(hostile_text_result, summary):
    out = render(hostile_text_result, "text", summary=summary)
    assert not RAW_CONTROL.search(out)
    assert "T:" + term_text(HOSTILE, None) in out  # the title on its own line, escapes visible
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x0d" in out
    if not summary:
        assert "R:" + term_text(HOSTILE, None)[:60] in out
        assert "note: M:=HYPERLINK(" in out  # a note is wrapped to the width, each line escaped


@pytest.mark.parametrize("summary", [False, True])
def test_markdown_report_shows_hostile_text_inert(hostile_result, summary):
    out = render(hostile_result, "markdown", summary=summary)
    assert not RAW_CONTROL.search(out)
    assert ("# " if summary else "# pacm check: ") + md_text("T:" + HOSTILE) + "\n" in out
    assert md_text("R:" + HOSTILE) in out
    _no_live_markdown(out)
    if not summary:
        assert md_text("N:" + HOSTILE) in out and md_text("M:" + HOSTILE) in out


def test_markdown_report_source_path_stays_in_its_code_span(hostile_result):
    """The PDD's file name sits in a code span: a backquote in it would end the span and the rest would be
    live Markdown, so it goes through md_code (backquote -> ')."""
    out = render(hostile_result, "markdown")
    assert "`dir/a'<img src=y>'.yaml`" in out


@pytest.mark.parametrize("summary", [False, True])
def test_html_report_shows_hostile_text_inert(hostile_result, summary):
    out = render(hostile_result, "html", summary=summary)
    assert "<img src=x" not in out and "<img src=y" not in out
    assert 'href="javascript' not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "Content-Security-Policy" in out


@pytest.mark.parametrize("summary", [False, True])
def test_json_report_carries_the_text_exactly(hostile_result, summary):
    data = json.loads(render(hostile_result, "json", summary=summary))
    assert data["pdd"]["title"] == "T:" + HOSTILE  # JSON is data: exact, escaped by the JSON syntax only
    if summary:
        assert set(data) >= {"verdict", "failing", "issuable"}
    else:
        assert "N:" + HOSTILE in data["quantities"]["notes"]


def test_batch_files_neutralise_formulas_in_every_format(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from pacm.report.batch import read_table, write_tables

    df = pd.DataFrame({"title": [HOSTILE, "-1+2", "plain"], "n": [1, 2, 3]})
    paths = write_tables(tmp_path, {"t": df})
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"title,n\n") and b"\r\n" not in raw.replace(b"\x1b[2J\r", b"")  # no index column, LF rows
    assert raw.decode("utf-8").count("\u202e") == 1  # UTF-8 text, as given (a CSV is data, not a terminal)
    for p in paths:
        t = read_table(p)
        if p.suffix != ".xlsx":  # XLSX stores control characters as _xHHHH_ (OOXML ST_Xstring)
            assert t["title"].tolist() == ["'" + HOSTILE, "'-1+2", "plain"], p.suffix
        assert t["title"][0].startswith("'=HYPERLINK(") and t["title"].tolist()[1:] == ["'-1+2", "plain"], p.suffix
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws["A2"].data_type == "s" and ws["A3"].value == "'-1+2" and ws["B2"].value == 1 and ws["B2"].data_type == "n"


# ----------------------------------------------------------------------------- the report writers' options
def test_html_report_honours_trace_lang_show_and_charts(hostile_result):
    from pacm.report.html import render_html

    full = render_html(hostile_result)
    assert SAMPLE_Q["trace"][0].split()[0] in full and 'id="trace"' in full  # trace on by default
    assert 'id="trace"' not in render_html(hostile_result, trace=False)
    assert '<html lang="ja">' in render_html(hostile_result, lang="ja")
    for cid, title in (("chart-emissions", "Baseline, downward-adjusted baseline and project emissions per year"),
                       ("chart-issuance", "Issuable A6.4ERs and deductions per year")):
        assert f'<figure id="{cid}">' in full and f"<figcaption>{title}</figcaption>" in full
    rules_failing = [f.rule for f in hostile_result.findings if f.status == "fail"]
    rules_passing = [f.rule for f in hostile_result.findings if f.status == "pass"]
    only_fail = render_html(hostile_result, show=["fail"])
    assert rules_passing and all(f">{r}</code>" not in only_fail for r in rules_passing)
    assert all(f">{r}</code>" in only_fail for r in rules_failing)


def test_markdown_report_layout(hostile_result):
    from pacm.report.markdown import render_markdown

    md = render_markdown(hostile_result)
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert "\n\n\n" not in md  # runs of blank lines collapse to one
    assert "\n\n## " in md  # a blank line before each section is kept
    assert not any(line != line.rstrip() for line in md.splitlines())  # no trailing spaces
    assert "\n  - " in md  # nested list items keep their indentation (validator checklist)
    # a filtered report leaves empty sections: their blank lines still collapse to one
    filtered = render_markdown(hostile_result, show=["fail"])
    assert "\n\n\n" not in filtered and "\n\n## " in filtered
    assert "\n# " not in md.replace("\n# pacm", "") and md.startswith("# pacm check: ")
    passing = [f.rule for f in hostile_result.findings if f.status == "pass"]
    only_fail = render_markdown(hostile_result, show=["fail"])
    assert passing and all(f"`{r}`:" not in only_fail for r in passing)
    ja = render_markdown(hostile_result, lang="ja")
    assert ja != md and "## Automatic checks" not in ja


def test_summary_screen_exactly():
    """``--summary`` from a hand-made summary: every line as the layout defines it (text and Markdown)."""
    data = {
        "pdd": {"source": "p.yaml", "title": "Wind <b>|", "reference": None, "host_party": "IND", "type": "emission_reduction",
                "methodology": "ACM0002 v22.0"},
        "as_of": "2026-11-01", "verdict": "fails 1 requirement",
        "summary": {"fail": 1, "insufficient_data": 1, "validator_judgement": 0, "pass": 2, "not_applicable": 0},
        "issuable": 1234567,
        "failing": [{"rule": "r.one", "title": "One", "message": "Value 0.123456789 *is*\n  wrong"}],
        "informative": [{"rule": "r.info", "title": "Info", "message": "For information"}],
        "insufficient_data": [{"rule": "r.ins", "title": "Ins", "message": "Missing x"}],
    }
    text = render_summary(data)
    assert text == (
        "Wind <b>|\n\n"
        "- | IND | ACM0002 v22.0 | as of 2026-11-01\n\n"
        "Verdict: fails 1 requirement\n"
        "would be issuable once the failures are resolved: 1,234,567\n"
        "findings: 1 fail, 1 insufficient data, 0 validator judgement, 2 pass, 0 not applicable\n\n"
        "Failing (1)\n"
        "- r.one: Value 0.1235 *is* wrong\n\n"  # display_numbers: four decimals; line breaks folded
        "Failing, for information only (not counted against the PDD) (1)\n"
        "- r.info: For information\n\n"
        "Cannot be decided from the PDD (1)\n"
        "- r.ins: Missing x\n"
    )
    md = render_summary(data, markdown=True)
    assert md == (
        "# Wind \\<b\\>\\|\n\n"
        "- | IND | ACM0002 v22.0 | as of 2026-11-01\n\n"
        "**Verdict: fails 1 requirement**\n"
        "would be issuable once the failures are resolved: 1,234,567\n"
        "findings: 1 fail, 1 insufficient data, 0 validator judgement, 2 pass, 0 not applicable\n\n"
        "## Failing (1)\n"
        "- r.one: Value 0.1235 \\*is\\* wrong\n\n"
        "## Failing, for information only (not counted against the PDD) (1)\n"
        "- r.info: For information\n\n"
        "## Cannot be decided from the PDD (1)\n"
        "- r.ins: Missing x\n"
    )
    long = dict(data, failing=[{"rule": "r.long", "title": "L", "message": "word " * 40}], informative=[],
                insufficient_data=[], issuable=None)
    wrapped = render_summary(long, width=50).splitlines()
    assert "would be issuable once the failures are resolved: -" in wrapped  # no figure: "-"
    body = wrapped[wrapped.index("Failing (1)") + 1:]
    assert all(len(line) <= 50 for line in body) and body[0].startswith("- r.long: word") and body[1].startswith("  word")


def test_xlsx_sheet_limits_and_header(tmp_path, monkeypatch):
    import pandas as pd
    from openpyxl import load_workbook

    from pacm.report import batch

    # Excel's limits ("Excel specifications and limits"): 1,048,576 rows a sheet, 31 characters a sheet name
    assert batch.XLSX_MAX_ROWS == 1_048_576
    monkeypatch.setattr(batch, "XLSX_MAX_ROWS", 3)  # a header and two rows fit in three; three rows do not
    name = "a" * 40
    batch.write_tables(tmp_path, {name: pd.DataFrame({"x": [1, 2]})}, formats=("xlsx",))
    ws = load_workbook(tmp_path / f"{name}.xlsx").active
    assert ws.title == "a" * 31
    assert ws["A1"].value == "x" and ws["A1"].font.b and not ws["A2"].font.b  # the header in bold, frozen
    assert ws.freeze_panes == "A2"
    with pytest.raises(ValueError, match=r"table 'b' has 3 rows; an XLSX sheet holds at most 2 "):
        batch.write_tables(tmp_path, {"b": pd.DataFrame({"x": [1, 2, 3]})}, formats=("xlsx",))


@pytest.fixture(scope="module")
def quantified():
    """The wind example with its credited quantities (the terminal report prints their trace)."""
    return Engine().check(load_pdd(WIND), AS_OF)


def test_render_routes_every_option(hostile_result, quantified):
    passing = [f.rule for f in hostile_result.findings if f.status == "pass"]
    assert passing
    for fmt in ("text", "markdown", "html", "json"):
        r = quantified if fmt == "text" else hostile_result
        full, only_fail = render(r, fmt), render(r, fmt, show=["fail"])
        assert any(p in full for p in passing) and not any(f"{p}:" in only_fail or f'"{p}"' in only_fail or f"`{p}`" in only_fail
                                                           or f">{p}</code>" in only_fail for p in passing), fmt
        assert render(r, fmt, lang="ja") != full, fmt
    js = render(hostile_result, "json")
    assert js.startswith('{\n  "') and js.endswith("}\n") and "\u202e" in js  # indent 2, UTF-8 kept
    summary = render(hostile_result, "json", summary=True)
    assert summary.startswith('{\n  "') and summary.endswith("}\n") and "\u202e" in summary
    assert json.loads(render(hostile_result, "json", lang="ja", summary=True))["verdict"] != json.loads(summary)["verdict"]
    assert render(hostile_result, "markdown", summary=True, lang="ja") != render(hostile_result, "markdown", summary=True)
    page = render(hostile_result, "html", summary=True)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">")
    assert "<title>T:=HYPERLINK(&quot;http://evil&quot;)&lt;img" in page and "<pre>T:=HYPERLINK(" in page
    assert "Verdict" in page and page.endswith("</pre></body></html>\n")
    md = render(hostile_result, "markdown")
    assert "How each quantity was computed" not in md and "How each quantity was computed" in render(hostile_result, "markdown", trace=True)
    text, traced = render(quantified, "text"), render(quantified, "text", trace=True)
    assert len(traced) > len(text) and "\x1b[" not in text and "\x1b[" in render(quantified, "text", color=True)


def test_summary_screen_in_japanese_and_its_edges():
    """Headings, labels and counts in ``lang`` (src/pacm/i18n/ja.yaml); wrapping at the default width of 110
    on the terminal only; a title longer than the terminal limit kept whole; no trailing space."""
    data = {
        "pdd": {"source": "p.yaml", "title": "  " + "T" * 400, "reference": "R", "host_party": "IND",
                "type": "emission_reduction", "methodology": "ACM0002 v22.0"},
        "as_of": "2026-11-01", "verdict": "v", "summary": {"insufficient_data": 1}, "issuable": None,
        # "- r.x: " is 7 characters, the word 102, then " z": 111 in all, one over the width of 110
        "failing": [{"rule": "r.x", "title": "X", "message": "w" * 102 + " z"}],
        "informative": [{"rule": "r.i", "title": "I", "message": "i"}],
        "insufficient_data": [{"rule": "r.n", "title": "N", "message": "n"}],
    }
    ja = render_summary(data, lang="ja")
    for en in ("as of", "Verdict", "findings", "Failing", "Cannot be decided", "would be issuable", "insufficient data"):
        assert en not in ja, en
    for jp in ("評価日", "判定: v", "判定結果: 1 データ不足", "不適合 (1)", "不適合（情報提供のみ。PDDの判定には数えない） (1)",
               "PDDから判断できない (1)", "不適合が解消されれば発行可能となるA6.4ER: -"):
        assert jp in ja, jp
    en = render_summary(data)
    assert en.startswith("  " + "T" * 400 + "\n")  # whole (no terminal cut at 300), leading spaces kept
    assert "- r.x: " + "w" * 102 + "\n  z\n" in en  # wrapped at 110 columns
    md = render_summary(data, markdown=True)
    assert "- r.x: " + "w" * 102 + " z\n" in md  # Markdown is never wrapped (a list item is one line)
    empty = render_summary(dict(data, summary={}, failing=[], informative=[], insufficient_data=[]))
    assert empty.endswith("findings:\n")  # "findings: " with nothing after it: the trailing space dropped


def test_terminal_report_keeps_a_long_title_whole():
    pdd = load_pdd(WIND)
    pdd.activity.title = "L" * 400 + "\x1b"
    out = render(Engine().check(pdd, AS_OF, quantities=False), "text")
    assert "L" * 400 + "\\x1b\n" in out  # the report's own lines are not cut at the 300 of a message


def test_summary_in_japanese_carries_the_japanese_findings():
    r = Engine().check(load_pdd(ROOT / "examples" / "landfill_gas_fails_additionality.yaml"), AS_OF, quantities=False)
    ja_json = json.loads(render(r, "json", lang="ja"))  # the JSON contract, in Japanese
    failing = [f["message"] for f in ja_json["findings"] if f["status"] == "fail" and f.get("severity") != "info"]
    assert failing
    for fmt in ("text", "markdown"):
        summary = render(r, fmt, summary=True, lang="ja")
        assert "判定" in summary and "Verdict" not in summary, fmt
        assert " ".join(failing[0].split())[:20] in summary.replace("\\", ""), fmt

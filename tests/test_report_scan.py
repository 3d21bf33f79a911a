"""Reports people can scan (issue 13): --show, --summary, one-line passes, rounded why-not numbers,
the HTML opening with verdict, issuable units and a table of contents, Word-friendly Markdown.

Expected figures by hand: the landfill example's PDD has n_all 25, n_diff 12 (F = 1 - 12/25 = 0.52),
IRR 14.2 % against 11.0 %; with n_all 15 and n_diff 11, F = 1 - 11/15 = 4/15 = 0.26666..., shown
rounded to 0.2667.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.report.view import display_numbers

ROOT = Path(__file__).resolve().parents[1]
LFG = ROOT / "examples" / "landfill_gas_fails_additionality.yaml"
WIND = ROOT / "examples" / "wind_farm_india.yaml"
AS_OF = "2026-11-01"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize("text, shown", [
    ("(= 0.2666666666666666666666666667)", "(= 0.2667)"),
    ("48808.39452054794520547945205", "48808.3945"),
    ("-1.00000000001 and 2.5 and 0.12345", "-1 and 2.5 and 0.1234"),  # past four decimals: rounded half-even
    ("0.12355", "0.1236"),
    ("0.1234", "0.1234"),  # four decimals: left as written
    ("rule v22.0 on 2026-11-01, 1.2.3.4567890", "rule v22.0 on 2026-11-01, 1.2.3.4567890"),  # not numbers
])
def test_display_numbers(text, shown):
    assert display_numbers(text) == shown


def test_why_not_is_rounded_in_text_html_markdown_but_exact_in_json(capsys, tmp_path):
    pdd = tmp_path / "lfg_15.yaml"
    pdd.write_text(LFG.read_text(encoding="utf-8").replace("n_all: 25, n_diff: 12", "n_all: 15, n_diff: 11"), encoding="utf-8")
    _, out, _ = run(capsys, "check", str(pdd), "--as-of", AS_OF, "--format", "json")
    f = next(x for x in json.loads(out)["findings"] if x["rule"] == "additionality.common_practice")
    assert f["status"] == "fail" and "0.26666666" in f["why_not"]  # JSON keeps every digit
    for fmt in ("text", "html", "markdown"):
        _, out, _ = run(capsys, "check", str(pdd), "--as-of", AS_OF, "--format", fmt)
        assert "(= 0.2667)" in out and "0.26666" not in out, fmt


def test_show_filters_findings_but_keeps_counts(capsys):
    code, out, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--format", "json", "--show", "fail,insufficient_data")
    doc = json.loads(out)
    assert code == 1 and {f["status"] for f in doc["findings"]} == {"fail"}
    assert len(doc["findings"]) == doc["summary"]["fail"] == 5 and doc["summary"]["pass"] > 0
    assert doc["shown"] == ["fail", "insufficient_data"]
    _, text, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--show", "fail")
    assert "PASS " not in text and text.count("\nFAIL ") == 5 and "Validator checklist" not in text
    _, html, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--format", "html", "--show", "fail")
    assert html.count('<tr class="finding') == 5 and 'id="shown"' in html


@pytest.mark.parametrize("bad, msg", [("failed", "did you mean 'fail'"), ("", "--show is empty"), ("pass,FAIL", "did you mean 'fail'")])
def test_show_refuses_unknown_status(capsys, bad, msg):
    code, out, err = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--show", bad)
    assert code == 2 and out == "" and msg in err and err.startswith("pacm: error: ") and err.count("\n") == 1


def test_summary_is_one_screen(capsys):
    code, out, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--summary")
    lines = out.splitlines()
    assert code == 1 and len(lines) <= 25
    # 5 failing checks: common practice, investment benchmark, sensitivity, prior consideration (the example's
    # design), and quantities.reconciliation (issue 10: stated 60,000 t vs 51,840 t computed, 15.7 % > 5 %)
    assert "Verdict: fails 5 requirements" in out
    assert "additionality.investment_benchmark: IRR without credits 14.2 % must be below the 11.0 %" in out
    code, out, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--summary", "--format", "json")
    doc = json.loads(out)
    assert doc["summary"]["fail"] == 5 and {f["rule"] for f in doc["failing"]} >= {
        "additionality.investment_benchmark", "additionality.common_practice"}


def test_text_passes_take_one_line_each(capsys):
    _, out, _ = run(capsys, "check", str(WIND), "--as-of", AS_OF)
    doc_code, js, _ = run(capsys, "check", str(WIND), "--as-of", AS_OF, "--format", "json")
    passes = [f for f in json.loads(js)["findings"] if f["status"] == "pass" and f["kind"] == "automatic"]
    lines = out.splitlines()
    # quantities.reconciliation gives one finding per compared quantity (issue 10): one line each
    for rule in {f["rule"] for f in passes}:
        at = [k for k, line in enumerate(lines) if line.startswith("PASS ") and f" {rule}: " in line]
        assert len(at) == sum(f["rule"] == rule for f in passes), rule
        assert not any(lines[i + 1].startswith(" " * 20) for i in at)  # nothing folded under it
    assert "Verdict: no failing finding" in out


def test_html_opens_with_verdict_units_and_contents(capsys):
    _, html, _ = run(capsys, "check", str(WIND), "--as-of", AS_OF, "--format", "html")
    head = html[: html.index("<main>")]
    assert 'id="verdict"' in head and 'id="issuable"' in head and 'id="toc"' in head
    # CDM 8442 transitioned: 84,052 (2021) + 78,065 (2022) = 162,117 (hand arithmetic in
    # tests/test_quantities_golden.py::test_transitioned_wind_cdm_8442_by_hand)
    assert re.search(r'id="issuable">[^<]*<strong>162\u202f117</strong>', head)
    toc = re.findall(r'<a href="#([^"]+)"', head)
    for target in toc:
        assert f'id="{target}"' in html
    assert html.count('<details class="section"') >= 6


def test_markdown_pastes_into_word(capsys):
    _, md, _ = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--format", "markdown")
    assert "<br>" not in md and "&lt;" not in md and "&gt;" not in md and "&#" not in md
    assert '*""' not in md and '""*' not in md  # a clause already in quotes is not quoted again
    assert "**Verdict: fails 5 requirements**" in md


def test_summary_as_html_is_an_escaped_page(capsys, tmp_path):
    pdd = tmp_path / "x.yaml"
    pdd.write_text(LFG.read_text(encoding="utf-8").replace(
        "title: Metro landfill gas capture, flaring and 4 MW power (illustrative)", "title: <b>Metro</b>", 1), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(pdd), "--as-of", AS_OF, "--summary", "--format", "html")
    assert code == 1 and out.startswith("<!DOCTYPE html>") and "&lt;b&gt;Metro&lt;/b&gt;" in out and "<b>" not in out
    assert "Verdict: fails 5 requirements" in out


def test_summary_as_markdown_escapes_pdd_text(capsys, tmp_path):
    pdd = tmp_path / "x.yaml"
    pdd.write_text(LFG.read_text(encoding="utf-8").replace(
        "title: Metro landfill gas capture, flaring and 4 MW power (illustrative)", "title: <img src=x onerror=alert(1)>", 1),
        encoding="utf-8")
    _, out, _ = run(capsys, "check", str(pdd), "--as-of", AS_OF, "--summary", "--format", "markdown")
    assert out.startswith("# \\<img src=x onerror=alert(1)\\>") and out.count("<img") == out.count("\\<img")

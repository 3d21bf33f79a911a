"""``pacm diff``: findings whose status changed and quantities that changed, by how much.

Hand arithmetic for the two-version case (wind example, docs/python-api.md's worked 2026 row):
2026 generation 52,485 -> 52,585 MWh (+100) at EF_grid_CM 0.861 t/MWh: baseline +86.1 t; after the
0.10 downward adjustment +77.49 t (40,670.6265 -> 40,748.1165, still under the BAU cap 48,808.39);
gross units floor(40,748.1165) = 40,748; issuable floor(40,748 x 0.93) = floor(37,895.64) = 37,895,
i.e. +72 on 37,823. IRR without credits 9.8 % -> 12.5 % against the 12.0 % benchmark: the
investment_benchmark rule goes pass -> fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
# the new-activity ACM0002 wind PDD (the example before issue 10 made it a transitioned CDM activity):
# its 2026 row and IRR are the values the hand-checked diff below changes
WIND = ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml"
AS_OF = "2026-11-01"


@pytest.fixture
def v2(tmp_path):
    text = WIND.read_text(encoding="utf-8")
    assert text.count("      2026: 52485") == 1 and text.count("irr_without_credits_pct: 9.8") == 1
    text = text.replace("      2026: 52485", "      2026: 52585").replace("irr_without_credits_pct: 9.8", "irr_without_credits_pct: 12.5")
    p = tmp_path / "wind_v2.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def run(capsys, *args):
    code = main(["diff", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_two_versions_status_and_quantities(capsys, v2):
    code, out, _ = run(capsys, str(WIND), str(v2), "--as-of", AS_OF, "--format", "json")
    d = json.loads(out)
    assert code == 1 and not d["identical"]
    changed = {c["rule"]: (c["a"], c["b"]) for c in d["status_changed"]}
    assert changed["additionality.investment_benchmark"] == ("pass", "fail")
    years = {(y["year"], y["column"]): y for y in d["quantities"]["years"]}
    assert years[(2026, "baseline")]["change"] == "86.1"
    assert years[(2026, "baseline_adjusted")]["change"] == "77.49"
    assert (years[(2026, "issuable")]["a"], years[(2026, "issuable")]["b"], years[(2026, "issuable")]["change"]) == ("37823", "37895", "72")
    assert not any(y["year"] != 2026 for y in d["quantities"]["years"])  # only 2026 generation changed
    totals = {t["column"]: t for t in d["quantities"]["totals"]}
    assert totals["issuable"]["change"] == "72"
    # the fixture already fails methodology_approved and reconciliation (issue 10); v2 adds the IRR failure
    assert d["b"]["summary"]["fail"] == d["a"]["summary"]["fail"] + 1


def test_text_and_html(capsys, v2):
    code, out, _ = run(capsys, str(WIND), str(v2), "--as-of", AS_OF)
    assert code == 1 and "additionality.investment_benchmark: pass -> fail" in out
    assert "2026 issuable" in out and "change 72" in out
    code, html, _ = run(capsys, str(WIND), str(v2), "--as-of", AS_OF, "--format", "html")
    assert html.startswith("<!DOCTYPE html>") and 'data-rule="additionality.investment_benchmark"' in html
    assert "<script" not in html


def test_same_pdd_same_date_is_identical(capsys):
    code, out, _ = run(capsys, str(WIND), str(WIND), "--as-of", AS_OF)
    assert code == 0 and "No difference" in out


def test_one_pdd_two_dates(capsys):
    # rules with an 'effective: from' after 2024-01-01 (e.g. the SD tool's) apply only on the later date
    code, out, _ = run(capsys, str(WIND), "--as-of", "2024-01-01", "--as-of", AS_OF, "--format", "json")
    d = json.loads(out)
    assert code == 1 and d["a"]["as_of"] == "2024-01-01" and d["b"]["as_of"] == AS_OF
    assert d["only_in_b"] or d["status_changed"]


def test_two_rule_packs(capsys, tmp_path):
    import shutil

    pack = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack)
    shutil.copytree(ROOT / "methodologies", tmp_path / "methodologies")
    # pack B: the same pack without the IRR benchmark rule
    rules_file = pack / "additionality.yaml"
    src = rules_file.read_text(encoding="utf-8")
    start = src.index("  - id: additionality.investment_benchmark")
    end = src.index("  - id:", start + 10)
    rules_file.write_text(src[:start] + src[end:], encoding="utf-8")
    code, out, _ = run(capsys, str(WIND), "--rules", str(ROOT / "rules"), "--rules", str(pack), "--as-of", AS_OF, "--format", "json")
    d = json.loads(out)
    assert code == 1 and [x["rule"] for x in d["only_in_a"]] == ["additionality.investment_benchmark"]
    assert d["a"]["rule_pack_sha256"] != d["b"]["rule_pack_sha256"]


@pytest.mark.parametrize("args, msg", [
    ([str(WIND)], "nothing to compare"),
    ([str(WIND), "--as-of", "2026-01-01", "--as-of", "2026-02-01", "--as-of", "2026-03-01"], "more than twice"),
    ([str(WIND), str(WIND), "--format", "pdf"], "--format 'pdf' is not allowed"),
    ([str(WIND), "nope.yaml", "--as-of", AS_OF], "nope.yaml: no such file"),
])
def test_usage_errors(capsys, args, msg):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and msg in err and err.startswith("pacm: error: ")

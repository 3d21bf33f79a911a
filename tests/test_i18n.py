"""Japanese (``--lang ja``): every rule has a Japanese title and message, every interface text used
by a report or the web page has a Japanese entry, and every report format and the page come out in
Japanese. Terms are those of the Japanese government's Article 6 briefings (the seed documents)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.i18n import STATUS_EN, missing_translations, page_text, placeholders, rules_catalog, ui_catalog
from pacm.rulepack import load_pack

ROOT = Path(__file__).resolve().parents[1]
LFG = ROOT / "examples" / "landfill_gas_fails_additionality.yaml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AS_OF = "2026-11-01"
SEEDS = ROOT.parent / "shared" / "domain" / "seeds"


def test_every_rule_has_a_japanese_title_and_message():
    problems = missing_translations(load_pack(None), rules_catalog("ja"))
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_missing_or_broken_entry():
    pack = load_pack(None)
    catalog = {k: dict(v) for k, v in rules_catalog("ja").items()}
    auto = next(r for r in pack.rules if r.kind == "automatic" and "{" in r.message)
    judge = next(r for r in pack.rules if r.kind == "validator_judgement")
    del catalog[judge.id]["confirm"]
    catalog[auto.id]["message"] = "プレースホルダーなし"
    catalog["no.such.rule"] = {"title": "x"}
    got = missing_translations(pack, catalog)
    assert f"{judge.id}: no confirm" in got and any(g.startswith(f"{auto.id}: message placeholders") for g in got)
    assert "no.such.rule: not a rule of the pack" in got


def _interface_texts() -> set[str]:
    """Every English text the reports, the CLI and the page pass through the catalog."""
    ids: set[str] = set()
    for p in (ROOT / "src" / "pacm" / "report" / "templates").glob("*.j2"):
        s = p.read_text(encoding="utf-8")
        ids |= set(re.findall(r'v\.t\("((?:[^"\\]|\\.)*)"', s)) | set(re.findall(r"v\.t\('((?:[^'\\]|\\.)*)'", s))
    for p in (ROOT / "src" / "pacm").rglob("*.py"):
        s = p.read_text(encoding="utf-8")
        ids |= set(re.findall(r"""\bt\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*lang""", s))
        ids |= set(re.findall(r"""\bt\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*lang""", s))
    ids = {i.replace("\\'", "'") for i in ids}
    # texts passed as variables
    from pacm.report import view

    ids |= set(STATUS_EN.values()) | {h for _, h in view.YEAR_COLUMNS} | {"reversal"}
    ids |= {"Failing", "Cannot be decided from the PDD"}
    import html

    ids |= {html.unescape(v) for k, v in page_text("en").items() if k != "LANG"}
    ids |= {"Baseline, downward-adjusted baseline and project emissions per year", "Issuable A6.4ERs and deductions per year"}
    ids |= {view.area_title(r.area) for r in load_pack(None).rules if not r.area.startswith("methodology.")}
    return ids


def test_every_interface_text_has_a_japanese_entry():
    catalog = ui_catalog("ja")
    texts = _interface_texts()
    assert len(texts) > 80  # the extraction found the templates' and the code's texts
    missing = sorted(x for x in texts if x not in catalog)
    assert missing == []
    bad = [k for k, v in catalog.items() if placeholders(k) != placeholders(v)]
    assert bad == []


def test_activity_labels_and_page_texts_are_translated():
    import datetime as dt

    from pacm.engine import Engine
    from pacm.pdd.load import load_pdd
    from pacm.report.view import _activity_facts

    catalog = ui_catalog("ja")
    for ex in EXAMPLES:
        labels = [label for label, _ in _activity_facts(Engine().check(load_pdd(ex), dt.date(2026, 11, 1), quantities=False))]
        assert [x for x in labels if x not in catalog] == []
    en, ja = page_text("en"), page_text("ja")
    assert all(en[k] != ja[k] for k in en if k != "LANG") and ja["LANG"] == "ja"


def run(capsys, *args):
    code = main(list(args))
    return code, capsys.readouterr().out


def test_every_format_in_japanese(capsys):
    ja_title = rules_catalog("ja")["additionality.investment_benchmark"]["title"]
    # the failure message filled with the PDD's figures (IRR 14.2 % against 11.0 %)
    ja_message = "クレジットなしのIRR 14.2 % はベンチマーク 11.0 % を下回る必要がある。"
    code, text = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--lang", "ja")
    assert code == 1 and "判定: 要件 5 件を満たしていない" in text and ja_message in text and "自動チェック" in text
    _, js = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--lang", "ja", "--format", "json")
    doc = json.loads(js)
    f = next(x for x in doc["findings"] if x["rule"] == "additionality.investment_benchmark")
    assert doc["lang"] == "ja" and f["title"] == ja_title and f["message"].startswith(ja_message)
    assert f["status"] == "fail" and f["rule"] == "additionality.investment_benchmark"  # ids and codes stay
    _, html = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--lang", "ja", "--format", "html")
    assert '<html lang="ja">' in html and ja_title in html and ja_message in html
    for english in ("Automatic checks", "Validator checklist", "Credited quantities", "Verdict"):
        assert english not in html
    _, md = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--lang", "ja", "--format", "markdown")
    assert "## 自動チェック" in md and ja_message in md and "**判定: 要件 5 件を満たしていない**" in md
    _, summary = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--lang", "ja", "--summary")
    assert "不適合 (5)" in summary


def test_english_output_is_unchanged_by_the_catalog(capsys):
    _, a = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--format", "json")
    _, b = run(capsys, "check", str(LFG), "--as-of", AS_OF, "--format", "json", "--lang", "en")
    assert a == b and "lang" not in json.loads(a)


def test_unknown_language_is_a_usage_error(capsys):
    assert main(["check", str(LFG), "--lang", "jap"]) == 2
    err = capsys.readouterr().err
    assert "--lang 'jap' is not available" in err and "did you mean 'ja'?" in err


TERMS = ["6条4項", "監督機関", "方法論", "追加性", "事前検討", "ベースライン", "下方修正", "リーケージ", "反転",
         "クレジット期間", "ホスト国", "承認", "相当調整", "緩和貢献", "適応SOP", "OMGE", "指定運営機関", "妥当性確認",
         "プロジェクト設計書", "モニタリング"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed documents are not beside the repository ({SEEDS})")
def test_terms_are_those_of_the_seed_documents():
    seeds = "".join(p.read_text(encoding="utf-8", errors="replace") for p in SEEDS.glob("*.txt"))
    ours = Path(ROOT / "rules" / "i18n" / "ja.yaml").read_text(encoding="utf-8") + (
        ROOT / "src" / "pacm" / "i18n" / "ja.yaml").read_text(encoding="utf-8")
    for term in TERMS:
        assert term in seeds, f"{term} is not a term of the seed documents"
        assert term in ours, f"{term} is not used in the catalogs"
    # words the seeds do not use for these notions are not used either
    for avoided in ("有効化審査", "逆転", "下方調整"):
        assert avoided not in seeds and avoided not in ours

"""Issue 11: one regression test per root cause of the outside hostile-input run.

Each case is the wind example (or a one-row transition CSV) with one thing changed, run through
``pacm.cli.main`` with an ``--out`` that must not appear. Contract: exit 2, one message on stderr
starting ``pacm: error:`` that carries the stable code and names the field, no traceback, no
dependency exception name, no raw control character, and fast (each case runs under a timeout of
the whole test, see ``_run``). The limits themselves come from ``pacm.limits`` (documented in
docs/bad-input.md); the "one unit inside" cases use the limit values written out by hand.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
# The reproducers of issue 11 change lines of the wind PDD as it was then: a new ACM0002 activity
# (issue 10 made the example a transitioned CDM activity and kept this one as a fixture).
WIND = (ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml").read_text(encoding="utf-8")
AS_OF = "2026-11-01"
#: Names of exceptions of Python or of a dependency that must never reach a user.
LEAKS = re.compile(
    r"Traceback|internal error|Overflow|ValueError|KeyError|TypeError|BadZipFile|CalamineError|EmptyDataError|"
    r"MemoryError|RecursionError|decimal\.|durable|error code: 20"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _variant(tmp_path: Path, old: str, new: str, name: str = "pdd.yaml") -> Path:
    assert old in WIND, old
    p = tmp_path / name
    p.write_text(WIND.replace(old, new, 1), encoding="utf-8")
    return p


def _run(capsys, argv, out: Path | None = None, timeout: float = 30.0):
    """Run ``pacm`` in-process in a thread: a hang is a failure, not a stuck suite."""
    box: dict = {}

    def go():
        box["rc"] = main(argv)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"pacm {' '.join(map(str, argv))[:200]} did not finish in {timeout} s"
    cap = capsys.readouterr()
    assert not LEAKS.search(cap.err), cap.err
    assert not CONTROL.search(cap.err), repr(cap.err)
    return box["rc"], cap.out, cap.err


def refused(capsys, tmp_path, pdd: Path, code: str, *fragments: str, extra=()):
    out = tmp_path / "report.json"
    rc, stdout, err = _run(capsys, ["check", str(pdd), "--as-of", AS_OF, "--out", str(out), *extra])
    assert rc == 2, err
    lines = err.rstrip("\n").split("\n")
    assert lines[0].startswith("pacm: error: "), err
    assert f"[{code}]" in err, err
    for f in fragments:
        assert f in err, (f, err)
    assert not out.exists(), "a refused input left an --out file"
    return err


def accepted(capsys, tmp_path, pdd: Path):
    out = tmp_path / "report.json"
    rc, _, err = _run(capsys, ["check", str(pdd), "--as-of", AS_OF, "--format", "json", "--out", str(out)])
    assert rc in (0, 1), err
    assert out.exists()
    return json.loads(out.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    "old, new, where, why",
    [
        ("capacity_mw: 50.4", "capacity_mw: 9999999999999999", "activity.capacity_mw", "16 digits before the decimal point"),
        ("capacity_mw: 50.4", "capacity_mw: 1000000000000000", "activity.capacity_mw", "16 digits before the decimal point"),
        ("capacity_mw: 50.4", "capacity_mw: 1e400", "activity.capacity_mw", "401 digits before the decimal point"),
        ("n_all: 40", "n_all: 1e400", "additionality.common_practice.n_all", "401 digits"),
        ("length_years: 5", "length_years: 1e400", "crediting_period.length_years", "401 digits"),
        ("n_all: 40", "n_all: 1e99999999", "additionality.common_practice.n_all", "100,000,000 digits"),
        ("EF_grid_OM: 0.964", "EF_grid_OM: 1e999999999", "quantification.inputs.EF_grid_OM", "digits before"),
        ("      2027: 104970", "      2027: 1e999999999", "quantification.yearly.EG_facility.2027", "digits before"),
        ("irr_without_credits_pct: 9.8", "irr_without_credits_pct: 1e-999999999",
         "additionality.investment.irr_without_credits_pct", "999,999,999 digits after the decimal point"),
        ("irr_without_credits_pct: 9.8", "irr_without_credits_pct: 0.0000000000000001",
         "additionality.investment.irr_without_credits_pct", "16 digits after the decimal point"),
        ("capacity_mw: 50.4", "capacity_mw: 50.4000000000000001", "activity.capacity_mw", "digits after"),
        ("capacity_mw: 50.4", "capacity_mw: 1234567890.1234567", "activity.capacity_mw", "17 significant digits"),
    ],
)
def test_number_outside_bounds_is_refused(capsys, tmp_path, old, new, where, why):
    refused(capsys, tmp_path, _variant(tmp_path, old, new), "number-out-of-bounds", where, why)


def test_number_outside_bounds_in_json(capsys, tmp_path):
    import yaml

    data = yaml.safe_load(WIND)
    data["activity"]["capacity_mw"] = "PLACEHOLDER"
    p = tmp_path / "pdd.json"
    p.write_text(json.dumps(data, default=str).replace('"PLACEHOLDER"', "1e400"))
    refused(capsys, tmp_path, p, "number-out-of-bounds", "activity.capacity_mw", "401 digits")


def test_sixteen_digit_integer_in_json(capsys, tmp_path):
    import yaml

    data = yaml.safe_load(WIND)
    data["additionality"]["common_practice"]["n_all"] = 9999999999999999
    p = tmp_path / "pdd.json"
    p.write_text(json.dumps(data, default=str))
    refused(capsys, tmp_path, p, "number-out-of-bounds", "additionality.common_practice.n_all", "16 digits")


@pytest.mark.parametrize("value", ["999999999999999", "0.000000000000001", "123456789.123456", "0.00001"])
def test_number_one_unit_inside_bounds_is_read(capsys, tmp_path, value):
    # 15 digits before the point, 15 after, 15 significant: the limits themselves; 0.00001 is
    # written 1e-05 by Python's json, which durable-rules could not read (hazard 13)
    rep = accepted(capsys, tmp_path, _variant(tmp_path, "capacity_mw: 50.4", f"capacity_mw: {value}"))
    assert rep["findings"]


def test_param_override_outside_bounds(capsys, tmp_path):
    refused(capsys, tmp_path, _variant(tmp_path, "x", "x"), "number-out-of-bounds",
            "crediting_period.er_renewable_max_years",
            extra=["--param", "crediting_period.er_renewable_max_years=1e400"])


# ----------------------------------------------------------------------------- dates and years
def test_date_outside_window(capsys, tmp_path):
    refused(capsys, tmp_path, _variant(tmp_path, "start: 2026-07-01", "start: 9999-12-01"),
            "date-out-of-bounds", "crediting_period.start", "2199-12-31")


def test_date_before_window(capsys, tmp_path):
    refused(capsys, tmp_path, _variant(tmp_path, "start_date: 2025-03-01", "start_date: 1799-12-31"),
            "date-out-of-bounds", "dates.start_date", "1800-01-01")


def test_date_first_day_of_window_is_read(capsys, tmp_path):
    accepted(capsys, tmp_path, _variant(tmp_path, "start_date: 2025-03-01", "start_date: 1800-01-01"))


def test_crediting_period_ending_outside_window(capsys, tmp_path):
    # 2026-07-01 + 10000 years: the end would be in the year 12026
    refused(capsys, tmp_path, _variant(tmp_path, "length_years: 5", "length_years: 10000"),
            "date-out-of-bounds", "crediting_period.length_years", "2199-12-31")


def test_crediting_period_ending_on_last_day_of_window(capsys, tmp_path):
    # 2026-07-01 + 173 years - 1 day = 2199-06-30: inside; + 174 years - 1 day = 2200-06-30: outside
    rep = accepted(capsys, tmp_path, _variant(tmp_path, "length_years: 5", "length_years: 173"))
    assert rep["findings"]
    other = tmp_path / "outside"
    other.mkdir()
    refused(capsys, other, _variant(other, "length_years: 5", "length_years: 174"), "date-out-of-bounds")


@pytest.mark.parametrize("key, code", [
    ('"2027"', "duplicate-key"),
    ('"２０２７"', "bad-year"),
    ('" 2027"', "bad-year"),
    ("02027", "leading-zero"),
    ("12027", "year-out-of-bounds"),
])
def test_year_keys(capsys, tmp_path, key, code):
    refused(capsys, tmp_path, _variant(tmp_path, "      2028: 104970", f"      {key}: 1"), code,
            "quantification.yearly.EG_facility")


def test_duplicate_year_in_json(capsys, tmp_path):
    import yaml

    data = yaml.safe_load(WIND)
    text = json.dumps(data, default=str).replace('"2028": 104970', '"2027 ": 5')
    p = tmp_path / "pdd.json"
    p.write_text(text)
    refused(capsys, tmp_path, p, "bad-year", "quantification.yearly.EG_facility")


@pytest.mark.parametrize("number", ["407", "999999999999999"])
def test_crediting_period_number_puts_the_first_period_outside_window(capsys, tmp_path, number):
    # Found by the hostile-input generator at 3,000 cases (leaf crediting_period.number = 407 / 999999999999999):
    # the first period's start, start - (number - 1) x length_years, is where the reversal-risk reassessment dates
    # count from; 2026-07-01 - 406 x 5 years is in the year -4 (ValueError, or OverflowError, in add_years).
    refused(capsys, tmp_path, _variant(tmp_path, "number: 1", f"number: {number}"),
            "date-out-of-bounds", "crediting_period.number", "first day of the first crediting period", "1800-01-01")


def test_crediting_period_number_one_unit_inside_and_outside_window(capsys, tmp_path):
    # 2026-07-01 - 45 x 5 years = 1801-07-01 (period 46): inside; - 46 x 5 years = 1796-07-01 (period 47): outside
    accepted(capsys, tmp_path, _variant(tmp_path, "number: 1", "number: 46"))
    other = tmp_path / "outside"
    other.mkdir()
    refused(capsys, other, _variant(other, "number: 1", "number: 47"), "date-out-of-bounds", "crediting_period.number")


@pytest.mark.parametrize("day, ok", [("9999-12-31", False), ("2200-01-01", False), ("2199-12-31", True),
                                     ("1800-01-01", True), ("1799-12-31", False)])
def test_as_of_date_inside_window(capsys, tmp_path, day, ok):
    # Found by the hostile-input generator (options, `--as-of 9999-12-31`): the reversal-risk reassessment dates
    # stepped past the calendar ("year 10003 is out of range", exit 3). The window is pacm.limits' 1800..2199.
    pdd = _variant(tmp_path, "number: 1", "number: 1")
    if ok:
        rc, _, err = _run(capsys, ["check", str(pdd), "--as-of", day, "--format", "json", "--out", str(tmp_path / "r.json")])
        assert rc in (0, 1), err
    else:
        refused(capsys, tmp_path, pdd, "date-out-of-bounds", f"--as-of {day}", "2199-12-31", extra=["--as-of", day])


def test_as_of_date_object_inside_window_in_the_api():
    import datetime as dt

    from pacm import api
    from pacm.errors import PacmInputError

    with pytest.raises(PacmInputError) as e:
        api.check(ROOT / "tests" / "fixtures" / "pdd" / "wind_new_acm0002.yaml", dt.date(9999, 12, 31))
    assert "[date-out-of-bounds]" in e.value.render() and "as_of 9999-12-31" in e.value.render()


# ----------------------------------------------------------------------------- YAML 1.2 integers
def test_leading_zero_is_not_octal(capsys, tmp_path):
    refused(capsys, tmp_path, _variant(tmp_path, "capacity_mw: 50.4", "capacity_mw: 0100"), "leading-zero",
            "activity.capacity_mw", "0100")


def test_zero_itself_is_read(capsys, tmp_path):
    accepted(capsys, tmp_path, _variant(tmp_path, "n_diff: 36", "n_diff: 0"))


# ----------------------------------------------------------------------------- text
@pytest.mark.parametrize("title, code", [
    ('"   "', "empty-text"),
    ('"\\u200b\\u200b"', "empty-text"),
    ('"\\u200b \\ufeff"', "empty-text"),
    ('"\\e[2J\\e[31mFAKE: all checks passed\\e[0m"', "bad-character"),
    ('"a\\0b"', "bad-character"),
    ('"a\\x85b"', "bad-character"),
    ('"a\\u202eb"', "bad-character"),
    ('"a\\u2066b"', "bad-character"),
    ('"a\\rb"', "bad-character"),
])
def test_hostile_titles(capsys, tmp_path, title, code):
    err = refused(capsys, tmp_path, _variant(tmp_path, "title: Samana", f"title: {title} #"), code, "activity.title")
    assert "FAKE" not in err or "\x1b" not in err


def test_lone_surrogate_in_json(capsys, tmp_path):
    import yaml

    data = yaml.safe_load(WIND)
    data["activity"]["title"] = "PLACEHOLDER"
    p = tmp_path / "pdd.json"
    p.write_text(json.dumps(data, default=str).replace("PLACEHOLDER", "\\ud800"))
    refused(capsys, tmp_path, p, "bad-character", "activity.title")


@pytest.mark.parametrize("key", ["\u001b[2Jx", "a\npacm: error: forged", "b\u202e", "k" * 5000])
def test_unknown_key_is_quoted_and_cut_on_stderr(capsys, tmp_path, key):
    import yaml

    data = yaml.safe_load(WIND)
    data["activity"][key] = 1
    p = tmp_path / "pdd.json"
    p.write_text(json.dumps(data, default=str))
    err = refused(capsys, tmp_path, p, "unknown-key", "activity.")
    assert err.count("\n") == 1 and err.startswith("pacm: error: ")  # one line: nothing forged
    assert len(err) < 1500


# ----------------------------------------------------------------------------- command line
def test_rules_format_outside_choices(capsys):
    rc, out, err = _run(capsys, ["rules", "--format", "xml"])
    assert rc == 2 and "[bad-usage]" in err and "xml" in err


# ----------------------------------------------------------------------------- files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_pdd_is_refused_without_blocking(capsys, tmp_path):
    f = tmp_path / "pdd.yaml"
    os.mkfifo(f)
    refused(capsys, tmp_path, f, "not-a-regular-file", str(f))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_rule_file_is_refused_without_blocking(capsys, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    os.mkfifo(rules / "zz_fifo.yaml")
    refused(capsys, tmp_path, _variant(tmp_path, "x", "x"), "not-a-regular-file", "zz_fifo.yaml",
            extra=["--rules", str(rules)])


def test_symlink_to_device_in_rule_folder(capsys, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    os.symlink("/dev/zero", rules / "zz_zero.yaml")
    refused(capsys, tmp_path, _variant(tmp_path, "x", "x"), "not-a-regular-file", "zz_zero.yaml",
            extra=["--rules", str(rules)])


def test_out_onto_the_input_is_refused(capsys, tmp_path):
    p = _variant(tmp_path, "x", "x")
    before = p.read_bytes()
    rc, _, err = _run(capsys, ["check", str(p), "--as-of", AS_OF, "--out", str(p)])
    assert rc == 2 and "[out-is-input]" in err, err
    assert p.read_bytes() == before


def test_out_onto_a_device_is_refused(capsys, tmp_path):
    rc, _, err = _run(capsys, ["check", str(_variant(tmp_path, "x", "x")), "--as-of", AS_OF, "--out", "/dev/null"])
    assert rc == 2 and "[not-a-regular-file]" in err, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_out_with_a_long_name(capsys, tmp_path):
    out = tmp_path / ("r" * 300 + ".json")
    rc, _, err = _run(capsys, ["check", str(_variant(tmp_path, "x", "x")), "--as-of", AS_OF, "--out", str(out)])
    assert rc == 2 and "[cannot-write]" in err, err
    assert "File name too long" in err or "too long" in err
    assert not any(p.name.startswith(".r") for p in tmp_path.iterdir()), "a temporary file was left"


def test_out_keeps_the_umask(capsys, tmp_path):
    out = tmp_path / "report.json"
    old = os.umask(0o022)
    try:
        rc, _, _ = _run(capsys, ["check", str(_variant(tmp_path, "x", "x")), "--as-of", AS_OF, "--out", str(out)])
    finally:
        os.umask(old)
    assert rc in (0, 1)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # 0o666 & ~0o022


# ----------------------------------------------------------------------------- output safety
def test_csv_formula_cells_are_neutralised():
    from pacm.outsafe import csv_cell

    # OWASP CSV injection: prefix ' to cells starting with = + - @ tab or CR
    for bad in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]:
        assert csv_cell(bad) == "'" + bad
    for fine in ["Samana wind", "ACM0002", "", "1.5", " =x"]:
        assert csv_cell(fine) == fine


def test_markdown_escapes_html_images_and_links():
    from pacm.outsafe import md_text

    s = md_text('<img src=x onerror=alert(1)> ![i](http://x/a.png) [c](javascript:alert(1)) | *b* `c`')
    assert not re.search(r"(?<!\\)[<>]", s) and "&lt;" not in s  # every < and > backslash-escaped, no entity
    assert "![" not in s and not re.search(r"(?<!\\)\]\(", s)
    assert "\\|" in s and "\\*" in s and "\\`" in s


def test_terminal_text_neutralises_control_characters():
    from pacm.outsafe import term_text

    s = term_text("\x1b[2J\x1b[31mFAKE\x1b[0m\nline\u202e\x85\ud800")
    assert not CONTROL.search(s)
    assert "\n" not in s and "\\x1b" in s and "\\u202e" in s


def test_transition_outputs_neutralise_user_text(tmp_path, capsys):
    import csv as _csv

    src = ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv"
    rows = list(_csv.reader(src.open(encoding="utf-8")))
    header, row = rows[0], list(rows[1])
    ti = header.index("Registration project title")
    row[ti] = '=HYPERLINK("http://evil","<img src=x>[a](javascript:alert(1))")'
    p = tmp_path / "one.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        _csv.writer(fh).writerows([header, row])
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--as-of", "2026-01-15", "--out", str(out), "--formats", "csv"])
    assert rc in (0, 1), err
    text = (out / "activities.csv").read_text(encoding="utf-8")
    assert '\'=HYPERLINK' in text and ',=HYPERLINK' not in text and '"=HYPERLINK' not in text
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "<img" not in summary and not re.search(r"(?<!\\)\]\(javascript", summary)


# ----------------------------------------------------------------------------- batch never aborts
def _one_row_csv(tmp_path, **changes) -> Path:
    import csv as _csv

    src = ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv"
    rows = list(_csv.reader(src.open(encoding="utf-8")))
    header, row = rows[0], list(rows[1])
    for col, val in changes.items():
        row[header.index(col)] = val
    p = tmp_path / "one.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        _csv.writer(fh).writerows([header, row])
    return p


ER_CP1 = "Amount Of Reductions (PDD ex-ante) per year in CP1 (PoA based on the sum of curr"


@pytest.mark.parametrize("col, val, rule, fragment", [
    # hung: int(Decimal) of it never finishes
    ("CDM project reference number", "1e99999999", "input.number_out_of_bounds", "100,000,000 digits before"),
    ("CDM project reference number", "9" * 5000, "input.number_out_of_bounds", "5,000 digits before"),
    # aborted the batch with "year 10000 is out of range"
    ("End of first crediting period", "9999-12-31", "input.date_out_of_bounds",
     "holds 9999-12-31, outside pacm's window (a date between 1800-01-01 and 2199-12-31)"),
    ("End of first crediting period", "2200-01-01", "input.date_out_of_bounds", "holds 2200-01-01, outside"),
    # the ex-ante ER of 1e19 had 20 digits: the crediting table overflowed
    (ER_CP1, "1e19", "input.number_out_of_bounds", "holds 1E+19, which has 20 digits before the decimal point"),
    (ER_CP1, "1000000000000000", "input.number_out_of_bounds", "16 digits before"),
])
def test_transition_bad_row_is_a_finding(capsys, tmp_path, col, val, rule, fragment):
    p = _one_row_csv(tmp_path, **{col: val})
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--as-of", "2026-01-15", "--out", str(out), "--formats", "csv"])
    assert rc in (0, 1), err
    import csv as _csv

    found = [r for r in _csv.DictReader((out / "findings.csv").open(encoding="utf-8")) if r["rule"] == rule]
    assert found and fragment in found[0]["message"] and col in found[0]["fields"], found


@pytest.mark.parametrize("col, val", [("End of first crediting period", "2199-12-31"), (ER_CP1, "999999999999999")])
def test_transition_value_one_unit_inside_bounds_is_read(capsys, tmp_path, col, val):
    p = _one_row_csv(tmp_path, **{col: val})
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--as-of", "2026-01-15", "--out", str(out), "--formats", "csv"])
    assert rc in (0, 1), err
    text = (out / "findings.csv").read_text(encoding="utf-8")
    assert "out_of_bounds" not in text


def test_transition_two_headers_differing_by_a_trailing_space(capsys, tmp_path):
    import csv as _csv

    src = ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv"
    rows = list(_csv.reader(src.open(encoding="utf-8")))
    header, row = rows[0] + ["Registration project title "], rows[1] + ["another title"]
    p = tmp_path / "two.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        _csv.writer(fh).writerows([header, row])
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--as-of", "2026-01-15", "--out", str(out), "--formats", "csv"])
    assert rc == 2, err  # was an internal error ('DataFrame' object has no attribute 'tolist')
    assert "[duplicate-column]" in err and "columns 3, 67 are both named 'Registration project title'" in err, err
    assert not out.exists()


def test_transition_mapping_choices_list(capsys, tmp_path):
    mp = (ROOT / "rules" / "mappings" / "unfccc_cdm_2022.yaml").read_text(encoding="utf-8")
    assert "choices: {PA: false, PoA: true}" in mp
    m = tmp_path / "mapping.yaml"
    m.write_text(mp.replace("choices: {PA: false, PoA: true}", "choices: [PA, PoA]"), encoding="utf-8")
    p = _one_row_csv(tmp_path)
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--mapping", str(m), "--as-of", "2026-01-15", "--out", str(out)])
    assert rc == 2, err  # was an internal error (dict() of a list)
    assert "[bad-choices]" in err and ".choices" in err and "found a list, not a mapping" in err, err
    assert not out.exists()


@pytest.mark.parametrize("name, data", [("empty.csv", b""), ("fake.xlsx", b"PK\x03\x04 not a zip"), ("text.xlsx", b"a,b\n1,2\n")])
def test_transition_unreadable_export_names_no_dependency_exception(capsys, tmp_path, name, data):
    # the transition reader said "EmptyDataError: ..." / "CalamineError: ..." / "BadZipFile: ..."; _run checks LEAKS
    p = tmp_path / name
    p.write_bytes(data)
    out = tmp_path / "out"
    rc, _, err = _run(capsys, ["transition", str(p), "--as-of", "2026-01-15", "--out", str(out)])
    assert rc == 2 and "[file-unreadable]" in err and f"cannot read the file as {name.split('.')[1]}" in err, err
    assert not out.exists() and [x.name for x in tmp_path.iterdir()] == [name]

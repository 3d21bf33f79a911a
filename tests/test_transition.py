"""`pacm transition` on extracts of the real UNFCCC export (tests/fixtures/unfccc_SOURCE.md).

Covers the mapping (every mapped value lands where the mapping says), every defect class of the
export (each must be a finding naming its column, never a crash), the transition-specific derived
values, the as-of dependence of dated parameters, the credit estimate of real case C04 computed by
hand, identical results for csv/xlsx and for 1 or 2 worker processes, and atomic outputs.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path

import pandas as pd
import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.errors import PacmInputError
from pacm.transition import outputs as out_mod
from pacm.transition.mapping import DEFAULT, load_mapping
from pacm.transition.outputs import write_outputs
from pacm.transition.read import read_table
from pacm.transition.run import run

FIX = Path(__file__).parent / "fixtures"
CSV = FIX / "unfccc_cdm_extract.csv"
XLSX = FIX / "unfccc_cdm_extract.xlsx"
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "unfccc_cdm_activities_2022-01.xlsx"
AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


@pytest.fixture(scope="module")
def res(engine, mapping):
    return run(CSV, AS_OF, engine, mapping, all_findings=True)


def act(res, ref):
    a = res.activities
    rows = a[a["reference"] == str(ref)]
    assert len(rows) == 1, f"no single activity {ref}"
    return rows.iloc[0]


def findings(res, ref, rule=None):
    f = res.findings
    f = f[f["reference"] == str(ref)]
    return f if rule is None else f[f["rule"] == rule]


def status(res, ref, rule):
    f = findings(res, ref, rule)
    assert len(f) == 1, f"{rule} for {ref}: {len(f)} findings"
    return f.iloc[0]["status"]


# ------------------------------------------------------------------------------ mapping
def test_every_row_is_reported(res):
    assert len(res.activities) == 25
    assert res.activities["row"].tolist() == sorted(res.activities["row"].tolist())


def test_mapping_values_land_in_the_pdd_fields(res):
    a = act(res, 8442)  # case C04: Tata Power Samana
    assert a["title"].startswith("Tata Power")
    assert (a["host"], a["host_party"], a["kind"], a["methodology"]) == ("IN", "IND", "PA", "ACM0002")
    assert (a["technology"], a["activity_type"], a["cdm_status"], a["cp_type"]) == ("wind", "emission_reduction", "registered", "fixed")
    assert a["transition_crediting_period"] == "CP1 2012-12-06..2022-12-05"
    assert a["annual_er_ex_ante"] == Decimal("96821")
    # additionality.investment figures go to the rule pack's investment rules
    assert status(res, 8442, "additionality.investment_benchmark") in ("pass", "fail")


def test_third_crediting_period_is_the_one_that_transitions(res):
    a = act(res, 3)  # HFC-23 Ulsan, renewed twice
    assert a["transition_crediting_period"] == "CP3 2017-01-01..2023-12-31"
    assert a["renewals_left"] == 0
    assert a["transition_eligible"] == True  # noqa: E712


def test_unknown_mapping_key_is_an_error_with_a_hint(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace("not_evaluated:", "not_evaluatd:", 1)
    p = tmp_path / "m.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PacmInputError) as e:
        load_mapping(p)
    assert "not_evaluatd" in str(e.value) and "did you mean 'not_evaluated'" in str(e.value)


def test_mapping_target_must_be_a_pdd_field(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace("to: [activity.title]", "to: [activity.titel]", 1)
    p = tmp_path / "m.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PacmInputError, match="activity.titel"):
        load_mapping(p)


def test_missing_column_names_the_header(tmp_path, engine, mapping):
    df = pd.read_csv(CSV, dtype=str).drop(columns=["Type of crediting period"])
    p = tmp_path / "x.csv"
    df.to_csv(p, index=False)
    with pytest.raises(PacmInputError) as e:
        run(p, AS_OF, engine, mapping)
    assert "Type of crediting period" in str(e.value) and e.value.code == "missing-column"


def test_csv_and_xlsx_give_the_same_results(engine, mapping, res):
    other = run(XLSX, AS_OF, engine, mapping, all_findings=True)
    pd.testing.assert_frame_equal(res.activities, other.activities)
    pd.testing.assert_frame_equal(res.findings, other.findings)


def test_two_worker_processes_give_the_same_results(engine, mapping, res):
    other = run(CSV, AS_OF, engine, mapping, workers=2, chunk_size=4, all_findings=True)
    pd.testing.assert_frame_equal(res.activities, other.activities)
    pd.testing.assert_frame_equal(res.findings, other.findings)


# ------------------------------------------------------------------------------ defects
def test_negative_capacity_is_a_finding_with_the_true_value(res):
    f = findings(res, "Z2MCIYUFQSVZ40ZSW85IIVEOHVUPMY", "input.negative_capacity")  # C06 duplicate of 992
    assert len(f) == 1
    assert f.iloc[0]["fields"] == "Installed capacity (MW elec/thermal)"
    assert "-21900.15" in f.iloc[0]["message"] and "probably 14.85 MW" in f.iloc[0]["message"]


def test_serial_number_dates_are_read_and_reported(res, mapping):
    f = findings(res, 3, "input.date_serial_number")
    assert len(f) == 1
    assert "Registered or rejected" in f.iloc[0]["fields"]
    assert "38236.0 = 2004-09-06" in f.iloc[0]["message"]  # 1900 date system, as Excel shows it
    t = read_table(CSV, mapping)
    i = t.values["reference"].index(3)
    assert t.values["registered_or_rejected"][i] == dt.date(2005, 3, 24)


@pytest.mark.parametrize("ref,days,limit", [(5116, 2629, 7), (5475, 2558, 7), (6113, 4017, 10)])
def test_overlong_crediting_periods(res, ref, days, limit):
    f = findings(res, ref, "input.crediting_period_too_long")
    assert len(f) == 1 and f"{days} days" in f.iloc[0]["message"] and f"{limit}-year" in f.iloc[0]["message"]
    assert "Start of first crediting period" in f.iloc[0]["fields"]
    rule = "transition.cdm_cp_length_renewable" if limit == 7 else "transition.cdm_cp_length_fixed"
    assert status(res, ref, rule) == "fail"


@pytest.mark.parametrize("ref,column,value", [
    (2817, "Estimated IRR excluding CERs", "70.4"),  # shifted decimal: 10.44 with CERs
    (3768, "Estimated IRR benchmark", "80.0"),
    (10207, "Estimated IRR excluding CERs", "-88.0"),
])
def test_implausible_irr_figures_are_not_used(res, ref, column, value):
    f = findings(res, ref, "input.implausible_value")
    assert len(f) == 1 and f.iloc[0]["fields"] == column and value in f.iloc[0]["message"]
    # the dropped figure makes the benchmark comparison undecidable rather than wrong
    assert status(res, ref, "additionality.investment_benchmark") == "insufficient_data"


def test_empty_row_is_reported_not_evaluated(res):
    a = act(res, 10121)
    assert a["valid_pdd"] == False and pd.isna(a["transition_eligible"])  # noqa: E712
    rules = set(findings(res, 10121)["rule"])
    assert {"input.invalid_pdd", "input.missing_value"} <= rules
    inv = findings(res, 10121, "input.invalid_pdd").iloc[0]
    assert "activity.title" in inv["fields"] and inv["severity"] == "error"


def test_leap_day_start_pins_the_convention(res):
    f = findings(res, "76GA3M12W8UTADVZ6T5BDSDN4UNGAV", "input.leap_day_start")  # case C10
    assert len(f) == 1
    assert "2019-02-28" in f.iloc[0]["message"] and "the file agrees" in f.iloc[0]["message"]


def test_empty_crediting_period_type_is_inferred_or_reported(res):
    inferred = findings(res, "K7UNX00HV0JGS3ZWKOYLI5FD22D09R", "input.inferred_value")
    assert len(inferred) == 1 and "'fixed'" in inferred.iloc[0]["message"]
    a = act(res, "QKU59D096SK3IV4UAKTTW3CQYDT75H")  # 6 years: neither 7 nor 10, no type -> not a valid PDD
    assert a["valid_pdd"] == False  # noqa: E712
    assert "crediting_period.type" in findings(res, a["reference"], "input.invalid_pdd").iloc[0]["message"]


# ------------------------------------------------------------------------------ hosts (C14)
def test_vanuatu_flag_is_stale_but_it_stays_exempt_as_sids(res):
    f = findings(res, 9974, "input.stale_flag")
    assert len(f) == 1 and f.iloc[0]["fields"] == "LDC country"
    a = act(res, 9974)
    assert a["host_ldc"] == False and a["host_sids"] == True and a["sop_exempt"] == True  # noqa: E712


def test_bhutan_is_an_ldc_until_its_graduation(engine, mapping):
    before = run(CSV, dt.date(2023, 6, 1), engine, mapping)
    after = run(CSV, dt.date(2024, 6, 1), engine, mapping)
    assert act(before, 62)["host_ldc"] == True  # noqa: E712
    assert act(after, 62)["host_ldc"] == False  # noqa: E712


def test_multi_country_poa_is_decided_per_cpa_host(res):
    a = act(res, 5342)  # GH; LR; NG: only Liberia is an LDC
    assert pd.isna(a["sop_exempt"]) and pd.isna(a["host_ldc"])
    f = findings(res, 5342, "input.host_status_per_cpa")
    assert len(f) == 1 and f.iloc[0]["status"] == "insufficient_data"
    assert "LBR (LDC)" in f.iloc[0]["message"] and "GHA (neither)" in f.iloc[0]["message"]


# ------------------------------------------------------------------------------ transition rules
def test_eligibility_on_what_the_file_shows(res):
    assert act(res, 8442)["transition_eligible"] == True  # noqa: E712  C04
    a = act(res, 992)  # C06: CP ended 2014-03-24
    assert a["transition_eligible"] == False and a["eligibility_failed"] == "cp_active_2021"  # noqa: E712
    assert act(res, 2600)["eligibility_failed"] == "registered"  # deregistered
    assert act(res, 10531)["transition_eligible"] == True  # noqa: E712  provisional
    # request and host approval are not in the file: listed once, not per row
    assert "transition.eligibility_request_deadline" in res.not_checkable
    assert "transition.eligibility_host_approval" in res.not_checkable
    assert findings(res, 8442, "transition.eligibility_host_approval").empty


def test_cdm_methodology_until_is_the_earlier_of_cp_end_and_2025(res):
    assert act(res, 8442)["cdm_methodology_until"] == dt.date(2022, 12, 5)
    a = act(res, 122)  # CP3 2020..2026
    assert a["cdm_methodology_until"] == dt.date(2025, 12, 31)
    assert a["a64_methodology_from"] == dt.date(2026, 1, 1)
    assert pd.isna(act(res, 992)["cdm_methodology_until"])  # no grace for a CP that ended before 2021


def test_as_of_date_changes_dated_deadlines(engine, mapping):
    early = run(CSV, dt.date(2025, 6, 1), engine, mapping, all_findings=True)
    mid = run(CSV, dt.date(2026, 1, 15), engine, mapping, all_findings=True)
    late = run(CSV, dt.date(2026, 7, 15), engine, mapping, all_findings=True)
    rule = "transition.host_approval_window_open"
    assert "2025-12-31" in findings(early, 8442, rule).iloc[0]["message"]  # 7/CMA.4
    assert findings(mid, 8442, rule).iloc[0]["status"] == "pass"
    assert "2026-06-30" in findings(mid, 8442, rule).iloc[0]["message"]  # CMA.7
    assert findings(late, 8442, rule).iloc[0]["status"] == "fail"
    # and the CDM methodology: usable for CDM 122 in 2025, not from 2026
    assert status(early, 122, "transition.cdm_methodology_usable") == "pass"
    assert status(mid, 122, "transition.cdm_methodology_usable") == "fail"


# ------------------------------------------------------------------------------ credits (C04 by hand)
def _issuable(annual: int, days: int, diy: int) -> int:
    """The pack's 'participant_floor' convention: issuable = floor(gross x (1 - SOP - OMGE))."""
    with localcontext() as c:
        c.prec = 34
        gross = int((Decimal(annual) * days / diy).to_integral_value(rounding=ROUND_FLOOR))
        return int((gross * (1 - Decimal("0.05") - Decimal("0.02"))).to_integral_value(rounding=ROUND_FLOOR))


def test_estimated_credits_of_case_c04(res, engine):
    # 96,821 t/yr ex ante; 2021 whole year, 2022 up to 2022-12-05 (339 days); CDM methodology throughout
    # (no downward adjustment); India is no LDC/SIDS: 5 % SOP and 2 % OMGE
    assert engine.pack.params.value("crediting.deduction_rounding", AS_OF) == "participant_floor"
    assert engine.pack.params.value("crediting.day_count", AS_OF) == "actual_actual"
    expected = _issuable(96821, 365, 365) + _issuable(96821, 339, 365)
    assert expected == 90043 + 83629
    assert act(res, 8442)["estimated_issuable"] == expected
    y = res.years[res.years["activity"] == "8442"]
    assert y["year"].tolist() == [2021, 2022] and y["days"].tolist() == [365, 339]
    assert not y["da_applies"].any()


def test_years_after_the_grace_period_are_adjusted_downwards(res, engine):
    y = res.years[res.years["activity"] == "122"].set_index("year")  # CP3 2020-01-01..2026-12-31
    assert not y.loc[2025, "da_applies"] and y.loc[2026, "da_applies"]
    d0 = engine.pack.params.value("baseline.downward_adjustment_initial_min", AS_OF)
    assert y.loc[2026, "daf"] == d0  # first A6.4-methodology year = adjustment year 0
    assert y.loc[2026, "issuable"] < y.loc[2025, "issuable"]


def test_sids_host_is_exempt_from_the_share_of_proceeds(res):
    y = res.years[res.years["activity"] == "9974"]
    assert len(y) and all(int(v) == 0 for v in y["sop_adaptation"])


# ------------------------------------------------------------------------------ outputs
def test_default_findings_leave_out_passes_but_count_them(engine, mapping, res):
    lean = run(CSV, AS_OF, engine, mapping)
    assert "pass" not in set(lean.findings["status"])
    pd.testing.assert_frame_equal(lean.activities, res.activities)  # counts include the passes
    assert lean.rule_counts == res.rule_counts
    # 18 registered + 1 provisional among the 23 valid rows (deregistered 2600 and 3 unregistered fail)
    assert lean.rule_counts["transition.eligibility_registered"] == {"pass": 19, "fail": 4, "insufficient_data": 0, "validator_judgement": 0, "not_applicable": 0}


def test_outputs_are_complete(res, tmp_path):
    out = tmp_path / "out"
    write_outputs(res, out)
    names = {p.name for p in out.iterdir()}
    for n in ("activities", "findings"):
        assert {f"{n}.csv", f"{n}.parquet", f"{n}.xlsx"} <= names
    assert {"summary.md", "issuable_by_year.png"} <= names
    a = pd.read_csv(out / "activities.csv")
    assert len(a) == 25 and {"reference", "title", "host", "methodology", "transition_eligible", "cdm_methodology_until",
                              "current_crediting_period", "estimated_issuable", "n_fail", "n_insufficient_data"} <= set(a.columns)
    f = pd.read_parquet(out / "findings.parquet")
    assert list(f.columns) == ["row", "reference", "rule", "status", "severity", "fields", "message"]
    s = (out / "summary.md").read_text(encoding="utf-8")
    assert "## By host country" in s and "## By methodology" in s and "## By rule" in s
    assert "transition.eligibility_request_deadline" in s  # says what the file cannot show
    assert (out / "issuable_by_year.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a second run replaces a previous output
    write_outputs(res, out, formats=("csv",))
    assert not (out / "findings.parquet").exists()


def test_failed_write_leaves_nothing(res, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(out_mod, "chart_png", boom)
    with pytest.raises(RuntimeError):
        write_outputs(res, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_foreign_non_empty_folder(res, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(PacmInputError, match="folder-not-empty"):
        write_outputs(res, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_cli_end_to_end(tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["transition", str(CSV), "--as-of", "2026-01-15", "--out", str(out), "--formats", "csv,parquet"])
    assert code == 0
    text = capsys.readouterr().out
    assert "25 activities as of 2026-01-15" in text
    assert (out / "activities.csv").is_file() and (out / "summary.md").is_file()


@pytest.mark.parametrize("args,needle", [
    (["--workers", "0"], "--workers"),
    (["--formats", "csv,pdf"], "--formats"),
    (["--as-of", "2026-13-01"], "--as-of"),
])
def test_cli_bad_usage_exit_2(tmp_path, capsys, args, needle):
    code = main(["transition", str(CSV), "--out", str(tmp_path / "o")] + args)
    assert code == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_missing_file_exit_2(tmp_path, capsys):
    assert main(["transition", str(tmp_path / "nope.xlsx"), "--out", str(tmp_path / "o")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_transition_command_does_not_import_pandas_at_start():
    import subprocess
    import sys

    code = "import sys, pacm.cli.transition; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False False"


# ------------------------------------------------------------------------------ the real file, if present
@pytest.mark.skipif(not REAL.is_file(), reason="shared/data not present")
def test_real_file_defect_counts(mapping):
    t = read_table(REAL, mapping)
    assert t.n == 13160
    rules = pd.Series([f.rule for f in t.findings]).value_counts()
    assert rules["input.negative_capacity"] == 4260  # shared/data/README.md
    assert rules["input.date_serial_number"] > 8000


def test_type_inference_reads_the_cdm_maxima_from_their_parameter(mapping):
    """The inferred type of an empty CDM crediting-period type comes from the CDM maxima parameters (one home
    for 7 and 10, issue 15): the 10-year period of K7UNX... is 'fixed' with the maximum at 10 (above), and is
    no longer inferred once the fixed maximum is overridden to 11 years (one unit outside)."""
    eng = Engine()
    eng.pack.params.override("transition.cdm_fixed_max_years", "11", "test")
    res11 = run(CSV, AS_OF, eng, mapping, all_findings=True)
    assert findings(res11, "K7UNX00HV0JGS3ZWKOYLI5FD22D09R", "input.inferred_value").empty


def test_a_mapping_naming_an_unknown_parameter_is_an_input_error(engine, tmp_path):
    from pacm.errors import PacmInputError
    from pacm.paths import mappings_dir

    text = (mappings_dir() / "unfccc_cdm_2022.yaml").read_text(encoding="utf-8")
    assert "fixed_years: [transition.cdm_fixed_max_years]" in text
    p = tmp_path / "m.yaml"
    p.write_text(text.replace("fixed_years: [transition.cdm_fixed_max_years]", "fixed_years: [transition.cdm_fixd_max_years]"),
                 encoding="utf-8")
    with pytest.raises(PacmInputError) as info:
        run(CSV, AS_OF, engine, load_mapping(p))
    pr = info.value.problems[0]
    assert pr.code == "unknown-parameter" and "cdm_fixd_max_years" in pr.message
    assert "transition.cdm_fixed_max_years" in (pr.hint or "")

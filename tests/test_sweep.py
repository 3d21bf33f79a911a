"""`pacm sweep` (issue 12): scenarios of parameter overrides over the CDM export extract.

The extract is tests/fixtures/unfccc_cdm_extract.csv (25 real rows, see unfccc_SOURCE.md).
Expected figures are hand arithmetic from a row of that file, written beside each assertion;
the comparison with ``pacm transition`` is a consistency check between the two commands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pacm.cli import main
from pacm.engine import Engine
from pacm.sweep.outputs import MARKER, write_sweep
from pacm.sweep.run import execute, prepare
from pacm.sweep.scenarios import Scenario, load_scenarios
from pacm.transition.run import run

FIX = Path(__file__).parent / "fixtures"
EXTRACT = FIX / "unfccc_cdm_extract.csv"
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def base():
    return prepare(str(EXTRACT), AS_OF, Engine())


def _scenarios(tmp_path, text: str):
    p = tmp_path / "sc.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _sweep(base, scs, **kw):
    return list(execute(base, scs, **kw))


def _year(res, activity: str, year: int):
    y = res.years
    (i,) = y.index[(y["activity"] == activity) & (y["year"] == year)]
    return y.loc[i]


# ------------------------------------------------------------------------- hand-computed figures
def test_sop_share_changes_one_activity_year_as_computed_by_hand(base):
    # CDM reference 3 (HFC decomposition, Ulsan): "Estimated annual emission reductions" 422,912 t in the
    # extract; 2021 is a whole year of its transitioning crediting period and a CDM-methodology year
    # (no downward adjustment), so gross = 422,912 A6.4ERs.
    base_r, sop10 = _sweep(base, [Scenario("base"), Scenario("sop10", {"issuance.sop_adaptation_rate": __import__("decimal").Decimal("0.10")})])
    b = _year(base_r, "3", 2021)
    assert b["gross_units"] == 422_912
    # base (SOP 5 %, OMGE 2 %): issuable = floor(422,912 x 0.93) = floor(393,308.16) = 393,308
    assert b["issuable"] == 393_308
    # OMGE = ceil(0.02 x 422,912) = ceil(8,458.24) = 8,459; SOP = 422,912 - 393,308 - 8,459 = 21,145
    assert (b["omge"], b["sop_adaptation"]) == (8_459, 21_145)
    s = _year(sop10, "3", 2021)
    # SOP 10 %: issuable = floor(422,912 x 0.88) = floor(372,162.56) = 372,162;
    # OMGE unchanged 8,459; SOP = 422,912 - 372,162 - 8,459 = 42,291
    assert (s["issuable"], s["omge"], s["sop_adaptation"]) == (372_162, 8_459, 42_291)
    assert s["deductions"] == 42_291 + 8_459


# ------------------------------------------------------------------- consistency with transition
def test_base_scenario_equals_pacm_transition(base):
    res = run(str(EXTRACT), AS_OF, Engine())
    (b,) = _sweep(base, [Scenario("base")])
    t = res.years
    assert len(b.years) == len(t)
    assert b.summary["issuable"] == int(sum(int(v) for v in t["issuable"]))
    assert b.summary["sop_adaptation"] == int(sum(int(v) for v in t["sop_adaptation"]))
    per_act = t.groupby("activity")["issuable"].apply(lambda s: sum(int(v) for v in s)).to_dict()
    got = b.years.groupby("activity")["issuable"].sum().to_dict()
    assert got == per_act
    assert b.summary["eligible"] == int((res.activities["transition_eligible"] == True).sum())  # noqa: E712
    counts = res.activities.set_index("reference")[["n_pass", "n_fail"]]
    a = b.activities.set_index("activity")
    assert (a["n_pass"] == counts["n_pass"]).all() and (a["n_fail"] == counts["n_fail"]).all()


def test_eligibility_parameter_reruns_the_evaluation(base):
    # moving the cut-off from 2021-01-01 to 2022-01-01 drops activities whose transitioning crediting period
    # ended in 2021: CDM reference 69 is credited only for 2021 in the base case (see the year table)
    b, late = _sweep(base, [Scenario("base"), Scenario("late", {"transition.cp_active_on": dt.date(2022, 1, 1)})])
    assert late.summary["rerun"] and not b.summary["rerun"]
    assert set(b.years.loc[b.years["activity"] == "69", "year"]) == {2021}
    assert "69" not in set(late.years["activity"])
    assert late.summary["eligible"] < b.summary["eligible"]


def test_a_failing_scenario_is_reported_and_the_sweep_goes_on(base):
    res = _sweep(base, [Scenario("bad", {"crediting.deduction_rounding": "nearest"}), Scenario("base")])
    assert "nearest" in res[0].summary["error"] and res[0].summary["issuable"] == 0
    assert res[1].summary["error"] is None and res[1].summary["issuable"] > 0


# ---------------------------------------------------------------------------------- backends
def test_local_cluster_gives_identical_results(base):
    distributed = pytest.importorskip("distributed")
    scs = [Scenario("base"), Scenario("sop10", {"issuance.sop_adaptation_rate": __import__("decimal").Decimal("0.1")}),
           Scenario("late", {"transition.cp_active_on": dt.date(2022, 1, 1)})]
    local = _sweep(base, scs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster:
        remote = _sweep(base, scs, scheduler=cluster.scheduler_address)
    assert [r.name for r in remote] == ["base", "sop10", "late"]
    for a, b in zip(local, remote):
        pd.testing.assert_frame_equal(a.years, b.years)
        pd.testing.assert_frame_equal(a.activities, b.activities)
        assert a.summary == b.summary


# ---------------------------------------------------------------------------------- the command
def test_cli_writes_parquet_summary_and_chart(tmp_path):
    sc = _scenarios(tmp_path, "scenarios:\n  base: {}\n  sop10: {issuance.sop_adaptation_rate: 0.10}\n")
    out = tmp_path / "out"
    code = main(["sweep", str(EXTRACT), "--scenarios", str(sc), "--as-of", "2026-11-01", "--out", str(out), "--workers", "1"])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"years.parquet", "activities.parquet", "summary.csv", "summary.md", "issuable_by_scenario.png", MARKER} <= names
    y = pd.read_parquet(out / "years.parquet")
    assert list(y["scenario"].unique()) == ["base", "sop10"]
    row = y[(y["scenario"] == "sop10") & (y["activity"] == "3") & (y["year"] == 2021)]
    assert row["issuable"].tolist() == [372_162]  # floor(422,912 x 0.88), as above
    s = pd.read_csv(out / "summary.csv")
    assert s["issuable"].iloc[0] - s["issuable"].iloc[1] == (y[y.scenario == "base"]["issuable"].sum()
                                                             - y[y.scenario == "sop10"]["issuable"].sum())
    assert "sop10" in (out / "summary.md").read_text()
    # a second run replaces the previous sweep
    assert main(["sweep", str(EXTRACT), "--scenarios", str(sc), "--as-of", "2026-11-01", "--out", str(out), "--workers", "1"]) == 0


def test_unknown_parameter_is_exit_2_with_did_you_mean(tmp_path, capsys):
    sc = _scenarios(tmp_path, "scenarios:\n  base: {}\n  x: {issuance.sop_adaptation_rat: 0.1}\n")
    out = tmp_path / "out"
    code = main(["sweep", str(EXTRACT), "--scenarios", str(sc), "--as-of", "2026-11-01", "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "issuance.sop_adaptation_rat" in err and "did you mean 'issuance.sop_adaptation_rate'" in err
    assert str(sc) in err and not out.exists()


@pytest.mark.parametrize("text, needle", [
    ("scenario:\n  base: {}\n", "did you mean 'scenarios'"),
    ("scenarios: {}\n", "non-empty"),
    ("scenarios:\n  x: {issuance.sop_adaptation_rate: '0.1'}\n", "remove the quotes"),
    ("scenarios:\n  '=HYPERLINK(1)': {}\n", "not a plain name"),
    ("scenarios:\n  x: [1]\n", "not a mapping"),
])
def test_bad_scenarios_files(tmp_path, text, needle):
    from pacm.errors import PacmInputError

    with pytest.raises(PacmInputError) as exc:
        load_scenarios(str(_scenarios(tmp_path, text)), Engine().pack.params)
    assert needle in exc.value.render()


def test_out_folder_that_is_not_a_sweep_is_refused(tmp_path, base):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    from pacm.errors import PacmInputError

    with pytest.raises(PacmInputError):
        write_sweep(iter(_sweep(base, [Scenario("base")])), out, "t")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# ------------------------------------------------------------------------------ a folder of PDDs
def test_folder_of_pdds_base_equals_pacm_check_and_a_bad_file_does_not_stop_it(tmp_path):
    import shutil

    from pacm.pdd.load import load_pdd
    from pacm.quantities.pipeline import floor_int

    src = Path(__file__).parents[1] / "examples" / "wind_farm_india.yaml"
    folder = tmp_path / "pdds"
    folder.mkdir()
    shutil.copy(src, folder / "wind.yaml")
    (folder / "broken.yaml").write_text("activity: [\n")
    from decimal import Decimal

    from pacm.sweep.run import prepare_folder

    base = prepare_folder(str(folder), AS_OF, Engine())
    b, s10 = _sweep(base, [Scenario("base"), Scenario("sop10", {"issuance.sop_adaptation_rate": Decimal("0.10")})])
    a = b.activities.set_index("activity")
    assert not a.loc["broken.yaml", "valid_pdd"] and a.loc["wind.yaml", "valid_pdd"]
    assert any(n.startswith("broken.yaml") for n in b.notes)
    r = Engine().check(load_pdd(src), AS_OF, evaluator="vector")
    want = [int(v) for v in r.quantities.table["issuable"]]
    assert b.years["issuable"].tolist() == want and want  # the base case is `pacm check`'s table
    assert a.loc["wind.yaml", "n_fail"] == r.counts()["fail"]
    # India is not an LDC/SIDS and a wind farm is not a removal: issuable = floor(gross x (1 - 0.10 - 0.02))
    for g, i in zip(s10.years["gross_units"], s10.years["issuable"]):
        assert i == floor_int(Decimal(int(g)) * Decimal("0.88"))


def test_control_characters_of_a_value_never_reach_the_outputs(base, tmp_path):
    sc = Scenario("esc", {"crediting.deduction_rounding": "near\x1b[31mest"})
    (r,) = _sweep(base, [sc])
    assert "\x1b" not in r.summary["overrides"] and "\\x1b" in r.summary["overrides"]
    assert r.summary["error"] and "\x1b" not in r.summary["error"]
    files, _ = write_sweep(iter([r]), tmp_path / "o", "t")
    for f in files:
        if f.suffix in (".md", ".csv"):
            assert "\x1b" not in f.read_text()


@pytest.mark.parametrize("count, ok", [(10_000, True), (10_001, False)])
def test_scenario_count_limit(tmp_path, count, ok):
    from pacm.errors import PacmInputError

    text = "scenarios:\n" + "".join(f"  s{i}: {{}}\n" for i in range(count))
    p = _scenarios(tmp_path, text)
    if ok:
        assert len(load_scenarios(str(p), Engine().pack.params)) == count
    else:
        with pytest.raises(PacmInputError, match="at most 10,000"):
            load_scenarios(str(p), Engine().pack.params)


@pytest.mark.parametrize("length, ok", [(64, True), (65, False)])
def test_scenario_name_length_limit(tmp_path, length, ok):
    from pacm.errors import PacmInputError

    p = _scenarios(tmp_path, f"scenarios:\n  {'a' * length}: {{}}\n")
    if ok:
        assert load_scenarios(str(p), Engine().pack.params)[0].name == "a" * length
    else:
        with pytest.raises(PacmInputError, match="not a plain name"):
            load_scenarios(str(p), Engine().pack.params)


@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "65"], ["--workers", "1", "--scheduler", "tcp://127.0.0.1:1"]])
def test_bad_worker_options_are_exit_2(tmp_path, capsys, args):
    sc = _scenarios(tmp_path, "scenarios:\n  base: {}\n")
    out = tmp_path / "out"
    assert main(["sweep", str(EXTRACT), "--scenarios", str(sc), "--out", str(out), *args]) == 2
    assert "--workers" in capsys.readouterr().err and not out.exists()


def test_cli_against_a_local_cluster_equals_in_process(tmp_path):
    distributed = pytest.importorskip("distributed")
    sc = _scenarios(tmp_path, "scenarios:\n  base: {}\n  da2: {baseline.downward_adjustment_annual_min: 0.02}\n")
    argv = ["sweep", str(EXTRACT), "--scenarios", str(sc), "--as-of", "2026-11-01", "--out"]
    assert main(argv + [str(tmp_path / "a"), "--workers", "1"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster:
        assert main(argv + [str(tmp_path / "b"), "--scheduler", cluster.scheduler_address]) == 0
    for t in ("years", "activities"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / f"{t}.parquet"), pd.read_parquet(tmp_path / "b" / f"{t}.parquet"))
    assert (tmp_path / "a" / "summary.csv").read_text() == (tmp_path / "b" / "summary.csv").read_text()

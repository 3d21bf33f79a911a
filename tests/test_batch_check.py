"""``pacm check`` over several PDDs or a folder (issue 13): one row per PDD, one per finding, in
CSV/Parquet/XLSX; a bad file is a row with the CLI's error code and message, and the run goes on.
Expected verdicts: the landfill example fails (IRR 14.2 % > 11.0 % benchmark); the other three do not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.report.batch import read_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
AS_OF = "2026-11-01"


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "pdds"
    d.mkdir()
    for p in EXAMPLES:
        shutil.copy(p, d / p.name)
    (d / "b_broken.yaml").write_text("activity: [\n", encoding="utf-8")
    (d / "c_typo.yaml").write_text(EXAMPLES[0].read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    (d / ".hidden.yaml").write_text("x", encoding="utf-8")  # skipped
    (d / "notes.txt").write_text("x", encoding="utf-8")  # skipped
    return d


def test_folder_batch_never_stops_and_names_every_bad_file(folder, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    code = main(["check", str(folder), "--as-of", AS_OF, "--out", str(out), "--formats", "csv,parquet,xlsx"])
    cap = capsys.readouterr()
    assert code == 2  # some file was unreadable; everything readable was still checked
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{x}" for t in ("pdds", "findings") for x in ("csv", "parquet", "xlsx"))
    pdds = read_table(out / "pdds.csv")
    assert len(pdds) == len(EXAMPLES) + 2
    bad = pdds[pdds.status == "error"].set_index(pdds[pdds.status == "error"].file.map(lambda f: Path(f).name))
    assert set(bad.index) == {"b_broken.yaml", "c_typo.yaml"}
    assert bad.loc["b_broken.yaml", "error_code"] == "yaml-syntax" and bad.loc["c_typo.yaml", "error_code"] == "unknown-key"
    # the message is the one `pacm check FILE` prints for that file alone
    for name in ("b_broken.yaml", "c_typo.yaml"):
        assert main(["check", str(folder / name), "--as-of", AS_OF]) == 2
        assert capsys.readouterr().err == f"pacm: error: {bad.loc[name, 'error']}\n"
        assert f"pacm: error: {bad.loc[name, 'error']}\n" in cap.err
    ok = pdds[pdds.status == "checked"].copy()
    ok["name"] = ok.file.map(lambda f: Path(f).stem)
    fails = dict(zip(ok.name, ok["fail"].astype(int)))
    assert fails["landfill_gas_fails_additionality"] > 0
    # wind (CDM 8442, registered 2012-12-06) has one failing finding of severity 'info' (its pre-2021 CERs
    # cannot count towards a first NDC): counted as a fail, not against the PDD (exit code 0)
    assert all(n == (1 if k == "wind_farm_india" else 0) for k, n in fails.items() if k != "landfill_gas_fails_additionality")
    # one row per finding, and the counts agree with the per-PDD rows and with the single-file JSON
    findings = read_table(out / "findings.parquet")
    for _, row in ok.iterrows():
        mine = findings[findings.file == row.file]
        assert (mine.status == "fail").sum() == int(row["fail"])
        assert main(["check", row.file, "--as-of", AS_OF, "--format", "json"]) in (0, 1)
        single = json.loads(capsys.readouterr().out)
        assert list(mine.rule) == [f["rule"] for f in single["findings"]]
        assert int(row["issuable"]) == int(single["quantities"]["totals"]["issuable"])
    xlsx = read_table(out / "pdds.xlsx")
    assert list(xlsx.file) == list(pdds.file)
    assert "6 files" in cap.out and "1 failing, 2 unreadable" in cap.out


def test_several_files_and_a_missing_one(tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["check", str(EXAMPLES[0]), str(tmp_path / "missing.yaml"), "--as-of", AS_OF, "--out", str(out)])
    pdds = read_table(out / "pdds.csv")
    assert code == 2 and list(pdds.status) == ["checked", "error"] and pdds.error_code[1] == "file-not-found"


def test_exit_code_1_when_a_pdd_fails_and_none_is_bad(tmp_path, capsys):
    out = tmp_path / "o"
    lfg = ROOT / "examples" / "landfill_gas_fails_additionality.yaml"
    assert main(["check", str(EXAMPLES[0]), str(lfg), "--as-of", AS_OF, "--out", str(out)]) == 1
    assert main(["check", str(EXAMPLES[0]), str(EXAMPLES[-1]), "--as-of", AS_OF, "--out", str(out)]) == 0


@pytest.mark.parametrize("args, msg", [
    ([], "needs --out FOLDER"),
    (["--out", "{tmp}/o", "--formats", "csv,pdf"], "--formats 'csv,pdf'"),
    (["--out", "{file}"], "is a file"),
])
def test_batch_usage_errors(tmp_path, capsys, args, msg):
    f = tmp_path / "afile"
    f.write_text("x")
    args = [a.replace("{tmp}", str(tmp_path)).replace("{file}", str(f)) for a in args]
    code = main(["check", str(EXAMPLES[0]), str(EXAMPLES[1]), "--as-of", AS_OF, *args])
    err = capsys.readouterr().err
    assert code == 2 and msg in err and err.count("\n") == 1


def test_empty_folder_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["check", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "no PDD file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()

"""Issue 11: SIGINT/SIGTERM during `pacm transition` and `pacm sweep` leave no temporary folder.

A real ``python -m pacm`` process on a generated export (the 25-row extract repeated with distinct
reference numbers, large enough to run for several seconds) is signalled once its temporary
folder ``.out.pacm-tmp-*`` exists beside ``--out``. Expected: exit 128 + signal (130, 143), one
line on stderr naming the signal, no ``--out`` and nothing else left in the parent folder.
"""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv"


def _big_export(path: Path, copies: int) -> Path:
    rows = list(csv.reader(EXTRACT.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    ref = header.index("CDM project reference number")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        n = 0
        for _ in range(copies):
            for r in body:
                r = list(r)
                n += 1
                r[ref] = str(100000 + n)
                w.writerow(r)
    return path


def _signal_when_tmp_exists(argv, work: Path, sig: int, timeout: float = 120.0):
    proc = subprocess.Popen([sys.executable, "-m", "pacm", *argv], cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    t0 = time.monotonic()
    try:
        while not list(work.glob(".out.pacm-tmp-*")):
            assert proc.poll() is None, ("finished before its temporary folder was seen", proc.communicate())
            assert time.monotonic() - t0 < timeout, "no temporary folder appeared"
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return _big_export(tmp_path_factory.mktemp("export") / "big.csv", 400)  # 10,000 rows


@pytest.mark.parametrize("sig, code, name", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")])
def test_transition_signal_leaves_no_temporary_folder(tmp_path, export, sig, code, name):
    rc, err = _signal_when_tmp_exists(["transition", str(export), "--as-of", "2026-01-15", "--out", "out",
                                       "--formats", "csv"], tmp_path, sig)
    assert rc == code, err
    assert err.count("\n") == 1 and err.startswith(f"pacm: interrupted by {name}: `pacm transition` stopped"), err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a temporary folder or a partial --out was left"


def test_transition_signal_keeps_the_previous_output(tmp_path, export):
    prev = tmp_path / "out"
    prev.mkdir()
    (prev / ".pacm-transition").write_text("previous\n", encoding="utf-8")
    (prev / "summary.md").write_text("previous run\n", encoding="utf-8")
    rc, err = _signal_when_tmp_exists(["transition", str(export), "--as-of", "2026-01-15", "--out", "out",
                                       "--formats", "csv"], tmp_path, signal.SIGTERM)
    assert rc == 143, err
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert (prev / "summary.md").read_text(encoding="utf-8") == "previous run\n"


def test_sweep_signal_leaves_no_temporary_folder(tmp_path, export):
    small = _big_export(tmp_path.parent / f"{tmp_path.name}-sweep.csv", 40)  # 1,000 rows, many scenarios
    sc = tmp_path.parent / f"{tmp_path.name}-scenarios.yaml"
    sc.write_text("scenarios:\n" + "".join(f"  s{i}: {{issuance.sop_adaptation_rate: 0.{i:02d}}}\n" for i in range(1, 60)),
                  encoding="utf-8")
    rc, err = _signal_when_tmp_exists(["sweep", str(small), "--scenarios", str(sc), "--as-of", "2026-11-01",
                                       "--out", "out", "--workers", "1"], tmp_path, signal.SIGTERM)
    assert rc == 143, err
    assert err.startswith("pacm: interrupted by SIGTERM: `pacm sweep` stopped") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []

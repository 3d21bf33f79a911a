"""Benchmark of `pacm transition` as a user runs it: wall time and peak memory of the CLI process.

* ``--rows 13160`` (or no ``--rows``): the real UNFCCC export (``/work/shared/data``, xlsx).
* ``--rows N`` otherwise: an export of N rows drawn from the real one's distributions: whole rows
  sampled with replacement (seeded), so the joint distribution of dates, methodologies, hosts,
  crediting periods and the file's known defects is the real one; each row gets a distinct
  reference number and identifier. Written once as CSV under ``benchmarks/.cache/``.

Each run is ``python -m pacm transition FILE --as-of DATE --out TMP --formats csv,parquet`` in a
fresh subprocess; wall time is measured around it and peak resident memory is the child's own
``ru_maxrss`` (``os.wait4``), worker processes included only with ``--workers`` > 1 (they are
waited for by the child). Other processes on a shared machine change the figures: the load
average is printed with them.

Run: ``.venv/bin/python benchmarks/bench_transition.py [--rows N] [--json] [--repeat K]``.
``--json`` prints one JSON object per run, e.g. ``{"rows": 100000, "wall_s": 17.2, "peak_mb": 512.0, ...}``
(``make bench`` reads it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "unfccc_cdm_activities_2022-01.xlsx"
REAL_ROWS = 13160
CACHE = ROOT / "benchmarks" / ".cache"
DEFAULT = REAL  # the name bench_all.py imports


def generated_export(rows: int, seed: int = 11, source: Path = REAL) -> Path:
    """An export of ``rows`` rows sampled (whole rows, with replacement) from the real one, as CSV."""
    path = CACHE / f"cdm_export_{rows}_{seed}.csv"
    if path.is_file():
        return path
    import pandas as pd

    df = pd.read_excel(source, engine="calamine", dtype=object)
    header = [str(c).strip() for c in df.columns]
    ref = header.index("CDM project reference number")
    uid = header.index("Unique project identifier (traceable with Google)")
    real = df.where(df.notna(), None).values.tolist()
    rng = random.Random(seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            r = ["" if v is None else (v.date().isoformat() if hasattr(v, "date") and hasattr(v, "hour") else v)
                 for v in rng.choice(real)]
            r[ref] = str(900000 + i)
            r[uid] = f"BENCH{i:07d}"
            w.writerow(r)
    os.replace(tmp, path)
    return path


def run_once(path: Path, rows: int, as_of: str, workers: int, formats: str) -> dict:
    with tempfile.TemporaryDirectory() as d:
        argv = [sys.executable, "-m", "pacm", "transition", str(path), "--as-of", as_of, "--out", str(Path(d) / "out"),
                "--formats", formats, "--workers", str(workers)]
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"pacm transition exit {proc.returncode}: {err.decode('utf-8', 'replace')[-2000:]}")
    return {"rows": rows, "wall_s": round(wall, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "input": path.name, "workers": workers,
            "load_avg_1m": round(os.getloadavg()[0], 2)}


# In-process breakdown (read, typing, evaluation, peak RSS without writing), as bench_all.py used it
# before `--rows N --json`; kept so that both versions of bench_all run.
CHILD = r"""
import datetime as dt, json, resource, sys, tempfile, time
from pathlib import Path
from pacm.engine import Engine
from pacm.transition.mapping import load_mapping
from pacm.transition.read import read_table
from pacm.transition.run import run
from pacm.transition.outputs import write_outputs
path, as_of, workers, formats = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
engine, mapping = Engine(), load_mapping()
t0 = time.perf_counter(); table = read_table(path, mapping); t1 = time.perf_counter()
res = run(path, as_of, engine, mapping, workers=workers, table=table); t2 = time.perf_counter()
w = None
if formats:
    with tempfile.TemporaryDirectory() as d:
        t3 = time.perf_counter(); write_outputs(res, Path(d) / "out", formats=tuple(formats.split(","))); w = time.perf_counter() - t3
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"read_s": table.read_seconds, "type_columns_s": table.parse_seconds, "after_read_s": t2 - t1,
                  "evaluate_s": res.timings["evaluate_s"], "tables_s": res.timings["tables_s"], "write_s": w,
                  "rows": len(res.activities), "findings": len(res.findings),
                  "eligible": int((res.activities["transition_eligible"] == True).sum()),
                  "peak_rss_mb": me, "peak_rss_workers_mb": kids}))
"""


def child(path: str, as_of: str, workers: int, formats: str) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, path, as_of, str(workers), formats],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=REAL_ROWS, help="rows of the export (13160: the real file)")
    ap.add_argument("--json", action="store_true", help="one JSON object per run")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--as-of", default="2026-01-15")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--file", type=Path, default=None, help="an export to time instead (rows counted by the caller)")
    a = ap.parse_args()
    path = a.file or (REAL if a.rows == REAL_ROWS else generated_export(a.rows))
    for _ in range(a.repeat):
        r = run_once(path, a.rows, a.as_of, a.workers, a.formats)
        if a.json:
            print(json.dumps(r), flush=True)
        else:
            print(f"pacm transition, {r['rows']:,} rows ({r['input']}, --workers {r['workers']}): {r['wall_s']:.2f} s wall, "
                  f"{r['cpu_s']:.2f} s CPU, peak RSS {r['peak_mb']:.0f} MB (load average {r['load_avg_1m']})", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark of `pacm transition` on the whole UNFCCC export (issue 5).

Reports, for the 13,160-row file:
* the read time (calamine) and, for comparison, openpyxl's, separately from everything else;
* typing the columns (defect checks), then the evaluation (row building, PDD validation, flat facts,
  vectorised rules, findings, credits, tables) for 1 and 2 worker processes, median of ``--repeat``;
* writing the outputs (CSV + Parquet, and XLSX) atomically;
* peak resident memory of the parent process and of the worker processes (``getrusage``).

Each configuration runs in a fresh subprocess so peak memory is its own. The machine's load average
is printed too: other processes on a 2-core machine change the numbers a lot.

Run: ``.venv/bin/python benchmarks/bench_transition.py [FILE] [--repeat N] [--as-of YYYY-MM-DD]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "unfccc_cdm_activities_2022-01.xlsx"

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
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--as-of", default="2026-01-15")
    a = ap.parse_args()
    print(f"file: {a.file}; as of {a.as_of}; {os.cpu_count()} CPUs; load average {os.getloadavg()}")

    import pandas as pd

    t = time.perf_counter()
    pd.read_excel(a.file, engine="openpyxl")
    print(f"read with openpyxl (for comparison): {time.perf_counter() - t:.2f} s")

    for workers in (1, 2):
        runs = [child(a.file, a.as_of, workers, "") for _ in range(a.repeat)]
        med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
        print(f"workers={workers}: read {med('read_s'):.2f} s (calamine) | typing columns {med('type_columns_s'):.2f} s | "
              f"after read+typing (rows, validation, evaluation, credits, tables) {med('after_read_s'):.2f} s "
              f"[evaluation {med('evaluate_s'):.2f} s] | peak RSS parent {med('peak_rss_mb'):.0f} MB, "
              f"workers {med('peak_rss_workers_mb'):.0f} MB | {runs[0]['rows']} rows, {runs[0]['findings']} findings, "
              f"{runs[0]['eligible']} eligible  (median of {a.repeat})")
    for fmts in ("csv,parquet", "csv,parquet,xlsx"):
        r = child(a.file, a.as_of, 2, fmts)
        print(f"write {fmts}: {r['write_s']:.2f} s (peak RSS {r['peak_rss_mb']:.0f} MB)")
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()

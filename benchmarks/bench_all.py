"""``make bench``: every row of issue 12's table from one run, pacm's figure beside its target and
the floor/peer ratios. Each row comes from the benchmark script that owns it (run in turn here):

* cold ``pacm check`` and ``Engine.check`` in process, durable-rules: ``bench_evaluators.py``;
* vector evaluator vs the numpy floor, DuckDB and zen-engine: ``bench_floor.py`` (4,000 PDDs);
* ``pacm transition`` on the 13,160-row export (one process, peak RSS): ``bench_transition.py``'s child;
* scenario sweep, 100 scenarios x 13,160 activities, local and 2-worker LocalCluster: ``bench_sweep.py``;
* the crediting pipeline alone: ``bench_quantities.py``.

The machine these run on may be shared: the load average is printed at the start and the end;
read the figures with it. Rows whose data or case is missing say so instead of a figure.

Run: ``.venv/bin/python benchmarks/bench_all.py [--quick]`` (``--quick``: fewer PDDs and repeats).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from contextlib import redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _quiet(fn, *a, **kw):
    buf = io.StringIO()
    with redirect_stdout(buf):
        out = fn(*a, **kw)
    sys.stdout.write("".join("    " + line + "\n" for line in buf.getvalue().splitlines()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    import bench_evaluators
    import bench_floor
    import bench_quantities
    import bench_sweep
    import bench_transition

    load0 = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    rows = []
    print("== bench_evaluators")
    ev = _quiet(bench_evaluators.main, 2000 if a.quick else 10_000)
    print("== bench_floor")
    fl = _quiet(bench_floor.main, 4000, 3 if a.quick else 5)
    print("== bench_quantities")
    _quiet(bench_quantities.main, ["--activities", "2000" if a.quick else "10000", "--repeat", "1" if a.quick else "3"])
    print("== bench_transition (13,160 rows, one process)")
    data = bench_transition.DEFAULT
    tr = _quiet(bench_transition.child, str(data), "2026-01-15", 1, "") if data.exists() else None
    print("== bench_sweep")
    sw = _quiet(bench_sweep.main, data, 20 if a.quick else 100) if data.exists() else {}

    def fmt(v, f):
        return "n/a" if v is None else f.format(v)

    bare = ev.get("bare_python_s")
    rows = [
        ("cold `pacm check`, findings only", fmt(ev.get("cold_s_f"), "{:.3f} s"), "<= 0.25 s", ""),
        ("cold `pacm check`, with crediting table", fmt(ev.get("cold_s_q"), "{:.3f} s"), "<= 0.30 s",
         f"{ev['cold_s_q'] / bare:.0f}x a bare `python -c pass` ({bare:.3f} s)" if bare else ""),
        ("`Engine.check` in process, with crediting table", fmt(ev.get("check_ms_q"), "{:.1f} ms"), "<= 3 ms", ""),
        ("pandas vector evaluator, 137 rules, 4,000 PDDs, incl. frame", fmt(fl.get("pacm_pdd_s"), "{:,.0f} PDD/s"),
         "within 2x of the floor",
         f"floor {fl['floor_pdd_s']:,.0f} PDD/s (pacm takes {fl['ratio']:.1f}x its time)"
         + (f"; DuckDB {fl['duckdb_pdd_s']:,.0f} PDD/s" if "duckdb_pdd_s" in fl else "")
         + (f"; zen-engine {fl['zen_pdd_s']:,.0f} PDD/s" if "zen_pdd_s" in fl else "")),
        ("durable-rules, one PDD per call", fmt(ev.get("rete_pdd_s"), "{:,.0f} PDD/s"), "(keep correct)", ""),
        ("`pacm transition`, 13,160 rows, one core, wall",
         "n/a (export not found)" if tr is None else f"{tr['read_s'] + tr['type_columns_s'] + tr['after_read_s']:.1f} s, "
         f"{tr['peak_rss_mb']:.0f} MB peak", "<= 3 s, <= 300 MB", "without writing outputs"),
        ("transition, 100,000 rows", "not measured here", "<= 20 s, <= 600 MB", "issue 12 item 3 (another branch)"),
        ("sweep, 100 scenarios x 13,160 activities, in process",
         fmt(sw.get("in process (--workers 1)"), "{:,.0f} activity-years/s"), "", ""),
        ("sweep, 100 scenarios x 13,160 activities, 2-worker LocalCluster",
         fmt(sw.get("2-worker LocalCluster"), "{:,.0f} activity-years/s"), "", ""),
    ]
    load1 = os.getloadavg()
    print(f"\nload average at the end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} (figures are noisy on a shared machine)\n")
    print("| what | pacm, this run | target | floor / peer |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()

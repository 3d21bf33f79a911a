"""``make bench``: every row of issue 12's table from one run, pacm's figure beside its target and
the floor/peer ratios. Each row comes from the benchmark script that owns it (run in turn here):

* cold ``pacm check`` (findings only: ``--no-quantities``; with the crediting table), ``Engine.check``
  in process and durable-rules one PDD per call: ``bench_evaluators.py`` (cold runs are whole
  subprocesses of ``pacm check examples/wind_farm_india.yaml --as-of 2026-11-01``, medians);
* vector evaluator vs the numpy floor, DuckDB and zen-engine, 4,000 PDDs: ``bench_floor.py`` (statuses
  checked equal first; zen-engine, ~200 PDD/s, is timed on the first 1,000 PDDs);
* ``pacm transition`` on 13,160 and 100,000 rows, wall and peak memory:
  ``bench_transition.py --rows N --json`` in a subprocess (one JSON object on its last line);
* scenario sweep, activity-years/s in process and on a 2-worker LocalCluster: ``bench_sweep.py``
  (not in the issue's table; 20 scenarios unless ``--sweep-scenarios N``; skipped with ``--quick``).

The machine these run on may be shared: the load average is printed at the start and the end;
read the figures with it. Rows whose data or script is missing say so instead of a figure.

Run: ``.venv/bin/python benchmarks/bench_all.py [--quick] [--sweep-scenarios N]`` (``make bench``,
``make bench-quick``; ``--quick``: fewer PDDs and repeats, no sweep).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _quiet(fn, *a, **kw):
    """Run a benchmark's ``main``, its printout indented under ours."""
    buf = io.StringIO()
    with redirect_stdout(buf):
        out = fn(*a, **kw)
    sys.stdout.write("".join("    " + line + "\n" for line in buf.getvalue().splitlines()))
    return out


def transition(rows: int, timeout: float = 900) -> tuple[dict | None, str]:
    """``bench_transition.py --rows N --json`` in a subprocess: its figures, or why there are none."""
    cmd = [sys.executable, str(HERE / "bench_transition.py"), "--rows", str(rows), "--json"]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return None, f"n/a (bench_transition.py did not finish in {timeout:.0f} s)"
    lines = [x for x in r.stdout.splitlines() if x.strip()]
    try:
        fig = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        fig = None
    if r.returncode == 0 and isinstance(fig, dict) and {"wall_s", "peak_mb"} <= fig.keys():
        print(f"    {lines[-1]}  ({time.perf_counter() - t0:.1f} s with start-up)")
        return fig, ""
    if "unrecognized arguments" in r.stderr or "--json" in r.stderr:
        return None, "n/a (bench_transition.py --json missing)"
    last = (r.stderr.strip().splitlines() or ["no JSON object printed"])[-1][:120]
    return None, f"n/a (bench_transition.py: {last})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer PDDs and repeats, no sweep (about 2 minutes)")
    ap.add_argument("--sweep-scenarios", type=int, default=20,
                    help="scenarios in the sweep rows (the issue's benchmark is 100: about 4 more minutes)")
    a = ap.parse_args()
    import bench_evaluators
    import bench_floor
    import bench_sweep

    t_start = time.perf_counter()
    load0 = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    print("== bench_evaluators (cold pacm check, Engine.check, durable-rules)")
    ev = _quiet(bench_evaluators.main, 1000 if a.quick else 4000)
    print("== bench_floor (vector evaluator, floor, DuckDB, zen-engine; 4,000 PDDs)")
    fl = _quiet(bench_floor.main, 4000, 3 if a.quick else 5, zen_n=1000)
    tr = {}
    for rows in (13_160, 100_000):
        print(f"== bench_transition --rows {rows} --json")
        tr[rows] = transition(rows)
    sw: dict = {}
    if not a.quick:
        print(f"== bench_sweep ({a.sweep_scenarios} scenarios x 13,160 activities)")
        data = bench_sweep.DEFAULT
        sw = _quiet(bench_sweep.main, data, a.sweep_scenarios) if data.exists() else {}

    def fmt(v, f):
        return "n/a" if v is None else f.format(v)

    def trans(rows):
        fig, why = tr[rows]
        return why if fig is None else f"{fig['wall_s']:.1f} s, {fig['peak_mb']:.0f} MB peak"

    bare = ev.get("bare_python_s")
    pacm = fl.get("pacm_pdd_s")
    peers = []
    if "floor_pdd_s" in fl:
        peers.append(f"floor (generated numpy) {fl['floor_pdd_s']:,.0f} PDD/s: pacm takes {fl['ratio']:.2f}x its time")
    for k, name in (("duckdb_pdd_s", "DuckDB SQL CASE, 1 thread"), ("zen_pdd_s", "zen-engine evaluate_batch")):
        if k in fl:
            r = fl[k] / pacm
            peers.append(f"{name} {fl[k]:,.0f} PDD/s: pacm takes {r:.2f}x its time" if r >= 0.1
                         else f"{name} {fl[k]:,.0f} PDD/s: pacm is {1 / r:.0f}x faster")
    rows = [
        ("cold `pacm check` of the wind example, findings only", fmt(ev.get("cold_s_f"), "{:.3f} s"), "<= 0.25 s",
         f"{ev['cold_s_f'] / bare:.0f}x a bare `python -c pass` ({bare:.3f} s)" if bare and "cold_s_f" in ev else ""),
        ("cold `pacm check`, with the crediting table", fmt(ev.get("cold_s_q"), "{:.3f} s"), "<= 0.30 s",
         f"{ev['cold_s_q'] / bare:.0f}x a bare `python -c pass`" if bare and "cold_s_q" in ev else ""),
        ("`Engine.check` in process, with crediting table", fmt(ev.get("check_ms_q"), "{:.1f} ms"), "<= 3 ms", ""),
        (f"vector evaluator, {fl.get('rules', 147)} rules, 4,000 PDDs, incl. building the fact columns",
         fmt(pacm, "{:,.0f} PDD/s"), "within 2x of the floor", "; ".join(peers)),
        ("durable-rules, one PDD per call", fmt(ev.get("rete_pdd_s"), "{:,.0f} PDD/s"), "(single-PDD path; keep correct)", ""),
        ("`pacm transition` on the 13,160-row export, one core, wall", trans(13_160), "<= 3 s, <= 300 MB", ""),
        ("transition, 100,000 rows", trans(100_000), "<= 20 s, <= 600 MB", ""),
    ]
    if sw:
        rows += [
            (f"sweep, {a.sweep_scenarios} scenarios x 13,160 activities, in process",
             fmt(sw.get("in process (--workers 1)"), "{:,.0f} activity-years/s"), "", "not in issue 12's table"),
            (f"sweep, {a.sweep_scenarios} scenarios x 13,160 activities, 2-worker LocalCluster",
             fmt(sw.get("2-worker LocalCluster"), "{:,.0f} activity-years/s"), "", "not in issue 12's table"),
        ]
    load1 = os.getloadavg()
    print(f"\nload average at the end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} on {os.cpu_count()} CPUs "
          f"(figures are noisy on a shared machine); whole run {time.perf_counter() - t_start:.0f} s\n")
    print("| what | pacm, this run | target | floor / peers |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()

"""Benchmark of ``pacm sweep`` (issue 12, item 4): 100 scenarios x the 13,160-row UNFCCC export.

The scenarios are a grid a ministry might ask for: share of proceeds 2-11 % (10 values) x annual
downward-adjustment rate 0-4.5 % (10 values), all crediting-only, so the base evaluation of the
export is done once and each scenario re-runs the crediting pipeline over the eligible
activity-years. Reports the base evaluation time, then activity-years per second of the scenario
phase in this process (``--workers 1``) and on a 2-worker ``dask.distributed.LocalCluster``, and
checks that both backends give the same totals. The machine's load average is printed: other
processes on a shared 2-core machine change these figures a lot.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [FILE] [--scenarios N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "unfccc_cdm_activities_2022-01.xlsx"
AS_OF = dt.date(2026, 11, 1)


def grid(n: int):
    from pacm.sweep.scenarios import Scenario

    out = []
    for i in range(n):
        sop = Decimal("0.02") + Decimal("0.01") * (i % 10)
        da = Decimal("0.005") * ((i // 10) % 10)
        out.append(Scenario(f"sop{sop}_da{da}", {"issuance.sop_adaptation_rate": sop,
                                                 "baseline.downward_adjustment_annual_min": da}))
    return out


def main(path: Path, n: int = 100) -> dict:
    from pacm.engine import Engine
    from pacm.sweep.run import execute, prepare

    if not path.exists():
        print(f"sweep benchmark: {path} not found; skipped")
        return {}
    print(f"load average {os.getloadavg()[0]:.2f} (shared machine: figures are noisy)")
    t0 = time.perf_counter()
    base = prepare(str(path), AS_OF, Engine())
    t_base = time.perf_counter() - t0
    print(f"base evaluation of {len(base.activities):,} activities ({len(base.credit_inputs):,} eligible activity-years): {t_base:.1f} s")
    scs = grid(n)
    fig = {"base_s": t_base}
    totals = {}
    for label, kw in (("in process (--workers 1)", {"workers": 1}), ("2-worker LocalCluster", {"workers": 2})):
        t0 = time.perf_counter()
        ay = 0
        tot = []
        for r in execute(base, scs, **kw):
            ay += r.summary["activity_years"]
            tot.append(r.summary["issuable"])
        dt_ = time.perf_counter() - t0
        totals[label] = tot
        fig[label] = ay / dt_
        print(f"{n} scenarios x {len(base.activities):,} activities, {label}: {dt_:.1f} s, {ay:,} activity-years "
              f"= {ay / dt_:,.0f} activity-years/s (cluster start-up included)")
    a, b = totals.values()
    assert a == b, "the two backends gave different totals"
    print("both backends: identical total issuable per scenario")
    return fig


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--scenarios", type=int, default=100)
    a = ap.parse_args()
    main(a.file, a.scenarios)

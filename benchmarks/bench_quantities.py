"""Benchmark: activity-years per second of the shared crediting pipeline (credit_years).

Generates 10,000 activities (seeded, reproducible): two in three emission-reduction activities with
5 to 15 crediting years, one in three removal activities with 15 to 45, partial first and last
years, a BAU column for half of them, PDD downward adjustments for a third, LDC/SIDS hosts for a
fifth; tonnes are exact Decimals. Times ``credit_years`` alone (the row building is timed apart)
and prints the figure.

    .venv/bin/python benchmarks/bench_quantities.py [--activities 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pandas as pd  # noqa: E402

from pacm.quantities.pipeline import credit_years, resolve_params  # noqa: E402
from pacm.rulepack import load_pack  # noqa: E402


def generate(n: int, seed: int = 64) -> pd.DataFrame:
    rnd = random.Random(seed)
    rows = []
    for a in range(n):
        removal = rnd.random() < 1 / 3
        years = rnd.randint(15, 45) if removal else rnd.randint(5, 15)
        first = rnd.randint(2021, 2030)
        start_days = rnd.randint(1, 365)
        base = Decimal(rnd.randint(1_000, 500_000)) + Decimal(rnd.randint(0, 999)) / 1000
        has_bau = rnd.random() < 0.5
        da = rnd.random() < 1 / 3
        exempt = rnd.random() < 0.2
        share = Decimal(rnd.choice([0, 0, 1, "0.5", "0.6"]))
        for k in range(years + 1):
            days = start_days if k == 0 else (365 - start_days + 1 if k == years else 365)
            frac = Decimal(days) / 365
            r = {
                "activity": f"A{a:05d}",
                "year": first + k,
                "days": days,
                "baseline": Decimal(rnd.randint(0, 2000)) if removal else base * frac,
                "project": base * frac if removal else Decimal(rnd.randint(0, 5000)),
                "leakage": Decimal(rnd.randint(0, 300)),
                "years_since_start": k,
                "activity_type": "removal" if removal else "emission_reduction",
                "buffer_rate": Decimal(rnd.choice(["0.10", "0.20", "0.30"])) if removal else Decimal(0),
                "sop_exempt": exempt,
                "authorised_share": share,
                "bau": base * frac * Decimal("0.95") if has_bau else None,
                "da_initial": Decimal("0.12") if da else None,
                "da_increment": Decimal("0.015") if da else None,
                "da_form": "linear" if da else None,
            }
            rows.append(r)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--activities", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    params = resolve_params(load_pack().params, dt.date(2026, 11, 1))
    t0 = time.perf_counter()
    rows = generate(args.activities)
    t_gen = time.perf_counter() - t0
    n = len(rows)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = credit_years(rows, params)
        times.append(time.perf_counter() - t0)
    best = min(times)
    issued = sum(int(v) for v in out["issuable"])
    print(f"python {platform.python_version()}, pandas {pd.__version__}, {platform.machine()}")
    print(f"{args.activities:,} activities, {n:,} activity-years (rows generated in {t_gen:.2f} s)")
    print(f"credit_years: best of {args.repeat}: {best:.3f} s -> {n / best:,.0f} activity-years per second "
          f"(all runs: {', '.join(f'{t:.3f}' for t in times)} s)")
    print(f"check: {issued:,} A6.4ERs issuable in total; {int((out['reversal'] > 0).sum()):,} reversal years")
    return 0


if __name__ == "__main__":
    sys.exit(main())

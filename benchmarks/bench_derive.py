"""Benchmark of the flat facts of one PDD (issue 15 item 1: the derive layer's cost).

``pacm.pdd.fields.flatten`` runs once per PDD (per row of a CDM-transition batch): it dumps the model,
computes the derived fields of ``rules/derive.yaml`` with the exact reference interpreter, and orders the
facts as the field registry. Reports microseconds per call (CPU time of this process, median of N rounds of 2,000 calls) for a
transition-like PDD (activity, crediting period, CDM record) and the wind example, plus the share spent
in the derive layer alone. Compare with an older checkout by running it there (``PYTHONPATH=OLD/src``).

Run: ``.venv/bin/python benchmarks/bench_derive.py [N]`` (N default 5). The machine is shared: medians.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rounds(fn, n: int, calls: int = 2000) -> float:
    out = []
    for _ in range(n):
        t = time.process_time()
        for _ in range(calls):
            fn()
        out.append((time.process_time() - t) / calls * 1e6)
    return statistics.median(out)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from pacm.pdd.fields import flatten
    from pacm.pdd.load import load_pdd
    from pacm.pdd.model import PDD

    small = PDD.model_validate({
        "activity": {"title": "t", "host_party": "IND", "type": "emission_reduction", "technology": "wind",
                     "methodology": {"id": "ACM0002", "version": "1"}},
        "crediting_period": {"type": "renewable", "start": dt.date(2012, 2, 29), "length_years": 7, "number": 2},
        "transition": {"cdm_reference": 1, "cdm_crediting_period_start": dt.date(2012, 2, 29),
                       "cdm_crediting_period_end": dt.date(2019, 2, 28), "cdm_crediting_period_number": 2},
    })
    wind = load_pdd(str(ROOT / "examples" / "wind_farm_india.yaml"))
    print(f"load average {os.getloadavg()}")
    for name, pdd in (("transition-like PDD", small), ("wind example", wind)):
        flatten(pdd)
        total = _rounds(lambda: flatten(pdd), n)
        line = f"{name}: flatten {total:.0f} us"
        try:
            from pacm.pdd.derive import default_layer
        except ImportError:  # a checkout before the derive layer
            print(line)
            continue
        layer = default_layer()
        derive = _rounds(lambda: layer.facts_of(pdd), n)
        print(f"{line} (of which model dump + derive layer {derive:.0f} us)")


if __name__ == "__main__":
    main()

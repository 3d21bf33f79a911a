"""Load on ``pacm serve``: N concurrent uploads of the example PDDs to a real server on 127.0.0.1.

    .venv/bin/python benchmarks/bench_serve.py [N] [WORKERS]

Prints the wall time for all N answers and the latency percentiles; every answer is checked to be
a 200 with findings (the full correctness check against the CLI is tests/test_serve_load.py).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from serve_helpers import running_server  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


async def fire(base: str, n: int) -> tuple[float, list[float]]:
    lat: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=httpx.Limits(max_connections=n)) as client:
        async def one(i: int):
            p = EXAMPLES[i % len(EXAMPLES)]
            t = time.perf_counter()
            r = await client.post("/api/check", files={"pdd": (p.name, p.read_bytes())}, data={"as_of": "2026-11-01"})
            lat.append(time.perf_counter() - t)
            assert r.status_code == 200 and r.json()["findings"], r.text[:300]

        await one(0)  # warm the workers (first check per process loads the rule pack)
        lat.clear()
        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - t0, lat


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with running_server(workers=workers) as base:
        for run in range(3):
            wall, lat = asyncio.run(fire(base, n))
            q = statistics.quantiles(lat, n=20)
            print(f"run {run + 1}: {n} concurrent uploads, {workers} workers: all answered in {wall:.2f} s "
                  f"({n / wall:.1f}/s); latency median {statistics.median(lat):.2f} s, p95 {q[18]:.2f} s, max {max(lat):.2f} s")


if __name__ == "__main__":
    main()

"""Benchmark of loading the rule pack (issue 11 item 7: is a cache worth its risk?).

Reports, each as the median of N fresh processes (the machine is shared: medians, not means):
* ``load_pack()`` wall time in a fresh interpreter, split into parsing the YAML files and
  checking/compiling them (``compile`` for one date);
* the whole-process time of ``pacm check --no-quantities`` on the wind example.

Run: ``.venv/bin/python benchmarks/bench_pack_load.py [N]`` (N default 7).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_IN_PROCESS = r"""
import time, datetime as dt
t0 = time.perf_counter()
from pacm import rulepack
from pacm.safeyaml import load_file
t1 = time.perf_counter()
root = rulepack.default_root()
files = rulepack._pack_files(root)
t2 = time.perf_counter()
pack = rulepack.load_pack(root)  # cold: first thing this process parses
t3 = time.perf_counter()
pack.compile(dt.date(2026, 11, 1))
t4 = time.perf_counter()
for f in files:
    load_file(f)
t5 = time.perf_counter()
print(t1 - t0, t5 - t4, t3 - t2, t4 - t3)
"""


def _median(xs):
    return statistics.median(xs)


def main(n: int = 7) -> None:
    env = dict(os.environ)
    imports, parse, load, compile_ = [], [], [], []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", _IN_PROCESS], env=env, capture_output=True, text=True, check=True).stdout
        a, b, c, d = map(float, out.split())
        imports.append(a)
        parse.append(b)
        load.append(c)
        compile_.append(d)
    print(f"pack files parsed again (YAML only, warm): median {_median(parse):.3f} s over {n} runs")
    print(f"load_pack cold (hash + parse + check):  median {_median(load):.3f} s")
    print(f"compile for one date:               median {_median(compile_):.3f} s")
    pacm = Path(sys.executable).with_name("pacm")
    example = ROOT / "examples" / "wind_farm_india.yaml"
    if not example.exists():
        example = sorted((ROOT / "examples").glob("*.yaml"))[0]
    walls = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([str(pacm), "check", str(example), "--no-quantities"], env=env, capture_output=True)
        walls.append(time.perf_counter() - t0)
    print(f"pacm check --no-quantities {example.name}: median {_median(walls):.3f} s "
          f"(min {min(walls):.3f}, max {max(walls):.3f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

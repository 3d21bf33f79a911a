"""Benchmark of the two evaluators and of the CLI (issue 2).

Reports, on 10,000 synthetic PDDs (``tests/synthetic.py: random_pdd_data``) and the real rule pack:
* PDDs per second for durable-rules (one PDD per call, the single-PDD path) and for the
  vector evaluator (all at once), statuses only, after the facts are built;
* in-process time per PDD for ``Engine.check`` (validation + facts + Rete + findings), findings only
  and with the crediting table;
* cold wall time of ``pacm check`` on the bundled example in a fresh process (median of 5),
  with and without the crediting table.

Run: ``.venv/bin/python benchmarks/bench_evaluators.py [N]``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 1)


def main(n: int = 10_000) -> dict:
    """Print the figures; return them (benchmarks/bench_all.py tabulates them)."""
    fig: dict = {}
    from pacm.engine import Engine
    from pacm.evaluate.rete import ReteEvaluator
    from pacm.evaluate.vector import VectorEvaluator
    from pacm.pdd.load import load_pdd
    from pacm.pdd.model import PDD
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the generator lives with the tests
    from synthetic import random_pdd_data

    engine = Engine()
    cp = engine.compiled(AS_OF)
    print(f"rule pack {engine.pack.version}: {len(cp.rules)} rules in force on {AS_OF}")

    t0 = time.perf_counter()
    pdds = [PDD.model_validate(random_pdd_data(s)) for s in range(n)]
    t1 = time.perf_counter()
    flats = [engine.facts(p, AS_OF) for p in pdds]
    t2 = time.perf_counter()
    print(f"{n} PDDs: validate {t1 - t0:.2f} s, flatten {t2 - t1:.2f} s")

    rete = ReteEvaluator(cp)
    t0 = time.perf_counter()
    for i, f in enumerate(flats):
        rete.evaluate(f, str(i))
    t_rete = time.perf_counter() - t0
    print(f"durable-rules (Rete), one PDD per call: {t_rete:.2f} s = {n / t_rete:,.0f} PDD/s")
    fig["rete_pdd_s"] = n / t_rete

    vec = VectorEvaluator(cp)
    t0 = time.perf_counter()
    vec.statuses(flats)
    t_vec = time.perf_counter() - t0
    print(f"vector evaluator, all at once (fact columns included): {t_vec:.2f} s = {n / t_vec:,.0f} PDD/s")

    example = ROOT / "examples" / "wind_farm_india.yaml"
    pdd = load_pdd(example)
    for quantities in (False, True):
        engine.check(pdd, AS_OF, quantities=quantities)  # warm
        reps = 200
        t0 = time.perf_counter()
        for _ in range(reps):
            engine.check(pdd, AS_OF, quantities=quantities)
        per = (time.perf_counter() - t0) / reps
        label = "with crediting table" if quantities else "findings only"
        print(f"Engine.check in process ({label}): {per * 1000:.2f} ms per PDD")
        fig[f"check_ms_{'q' if quantities else 'f'}"] = per * 1000

    pacm = ROOT / ".venv" / "bin" / "pacm"
    cmd = [str(pacm) if pacm.exists() else "pacm", "check", str(example), "--as-of", AS_OF.isoformat()]
    # A new process each time, as a user or a CI script runs it. Python's bytecode cache is allowed
    # (a sandbox may set PYTHONDONTWRITEBYTECODE, which would recompile every module on every run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)  # warm-up
    for extra, label in ((["--no-quantities"], "findings only"), ([], "with crediting table")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run(cmd + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            times.append(time.perf_counter() - t0)
        print(f"cold `pacm check` ({label}): median {statistics.median(times):.3f} s (min {min(times):.3f} s)")
        fig[f"cold_s_{'q' if not extra else 'f'}"] = statistics.median(times)
    # a bare interpreter, same way: the floor of any cold command
    bare = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=False)
        bare.append(time.perf_counter() - t0)
    fig["bare_python_s"] = statistics.median(bare)
    print(f"cold `python -c pass`: median {fig['bare_python_s']:.3f} s")
    return fig


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

"""pacm's vector evaluator against a floor and two peers, in the same run (issue 12, item 1).

On ``N`` synthetic PDDs (``tests/synthetic.py: random_pdd_data``, default 4,000) and the rules of the
pack in force on 2026-11-01, each timed from the flat facts (``Engine.facts``) to a status per rule
and PDD, *including building its input from the facts*, median of ``--repeat`` interleaved runs:

* **pacm**: ``VectorEvaluator.statuses`` (fact columns built straight from the flat PDDs, the exact
  atoms decided, then one numpy step per distinct sub-pattern, statuses as ``uint8`` codes);
* **floor**: the same compiled patterns (``CompiledRule.outcomes``: Kleene logic already split into
  a known-true and a known-false pattern per condition) generated once into one straight-line
  numpy function, each distinct sub-pattern computed once, statuses as ``uint8`` codes. Its input is
  pacm's own: the same fact columns (``fact_columns``) and exact atoms (``decide_atoms``), timed
  with it (the "shared column build" figure); what the two differ in is evaluating the patterns.
  Code generation is not timed (a compiler does it once per pack);
* **DuckDB**: the same patterns as one ``SELECT CASE WHEN pass THEN .. WHEN fail THEN .. WHEN
  not_applicable THEN .. ELSE 'insufficient_data' END`` per rule over the same columns (a pandas
  frame DuckDB scans zero-copy, its build counted in DuckDB's time);
* **GoRules zen-engine**: one JDM decision (input -> one expression node with a ZEN expression
  per rule giving its status code -> output), every operand checked non-null first (ZEN raises on
  comparing null), ``ZenEngine.evaluate_batch`` over one context per PDD (built from the same flat
  facts and exact atoms, counted in its time). Its own thread pool may use both cores.

The exact atoms (comparisons with run-time arithmetic, decided on rationals: ``expr/patterns.py``)
are given to every contender as facts: neither SQL doubles nor ZEN numbers decide them exactly.
Before any figure is printed, every contender's statuses are compared with pacm's on every PDD and
rule: a mismatch stops the benchmark (a comparison of wrong answers is worthless).

Run: ``.venv/bin/python benchmarks/bench_floor.py [N] [--repeat R] [--profile] [--zen-n M]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

AS_OF = dt.date(2026, 11, 1)
STATUSES = ("insufficient_data", "not_applicable", "fail", "pass", "validator_judgement")
CODE = {s: i for i, s in enumerate(STATUSES)}
_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}


# ----------------------------------------------------------------------------------- the floor
class FloorCompiler:
    """Straight-line numpy code from the compiled patterns, with every sub-pattern computed once."""

    def __init__(self, compiled, columns: dict[str, str]):
        self.compiled = compiled
        self.kind = columns  # fact key -> 'num' | 'str' | 'bool' (from the frame's values)
        self.lines: list[str] = []
        self.memo: dict = {}
        self.cols: set[str] = set()

    def _var(self, node, expr: str) -> str:
        v = self.memo.get(node)
        if v is None:
            v = self.memo[node] = f"m{len(self.memo)}"
            self.lines.append(f"    {v} = {expr}")
        return v

    def _col(self, k: str) -> str:
        self.cols.add(k)
        return f"C[{k!r}]"

    def _present(self, k: str) -> str:
        self.cols.add(k)
        return f"P[{k!r}]"

    def value(self, v) -> str:
        from pacm.expr.patterns import ZERO, VArith, VConst, VKey

        if isinstance(v, VConst):
            return repr(float(v.value)) if not isinstance(v.value, (str, bool)) else repr(v.value)
        if isinstance(v, VKey):
            return "0.0" if v.key == ZERO else self._col(v.key)
        if isinstance(v, VArith):
            return f"({self.value(v.left)} {v.op} {self.value(v.right)})"
        raise TypeError(v)

    def pattern(self, p) -> str:
        from pacm.expr.patterns import ZERO, PAnd, PCmp, PExists, PFalse, POr, PTrue, VConst, VKey

        if isinstance(p, PTrue):
            return "TRUE"
        if isinstance(p, PFalse):
            return "FALSE"
        if p in self.memo:
            return self.memo[p]
        if isinstance(p, PExists):
            if p.key == ZERO:
                return "FALSE" if p.negate else "TRUE"
            pr = self._present(p.key)
            return self._var(p, f"~{pr}" if p.negate else pr)
        if isinstance(p, PCmp):
            left = "ZEROS" if p.key == ZERO else self._col(p.key)
            kind = "num" if p.key == ZERO else self.kind.get(p.key, "num")
            if p.key != ZERO and p.key not in self.kind:  # a key no PDD has: never matches
                return "FALSE"
            if isinstance(p.rhs, VConst) and isinstance(p.rhs.value, (str, bool)):
                want = p.rhs.value
                if (kind == "bool") != isinstance(want, bool) or kind == "num":
                    return self._var(p, "FALSE" if p.op == "==" else f"{self._present(p.key)}")
                eq = f"({left} == {want!r})"
                return self._var(p, f"({eq} & {self._present(p.key)})" if p.op == "==" else f"(~{eq} & {self._present(p.key)})")
            if isinstance(p.rhs, VKey) and (kind != "num" or self.kind.get(p.rhs.key, "num") != "num"):
                if p.rhs.key not in self.kind:
                    return "FALSE"
                both = f"({self._present(p.key)} & {self._present(p.rhs.key)})"
                eq = f"({left} == {self._col(p.rhs.key)})"
                return self._var(p, f"({eq} & {both})" if p.op == "==" else f"(~{eq} & {both})")
            rhs = self.value(p.rhs)
            if p.op == "!=":  # NaN != x is true in IEEE: absent operands must not match
                return self._var(p, f"(({left} != {rhs}) & ~np.isnan({left}) & ~np.isnan({rhs}))")
            return self._var(p, f"({left} {_OPS[p.op]} {rhs})")  # NaN (absent) compares false
        if isinstance(p, PAnd):
            parts = [self.pattern(i) for i in p.items]
            if "FALSE" in parts:
                return "FALSE"
            parts = [x for x in parts if x != "TRUE"] or ["TRUE"]
            return self._var(p, " & ".join(parts))
        if isinstance(p, POr):
            parts = [self.pattern(i) for i in p.items]
            if "TRUE" in parts:
                return "TRUE"
            parts = [x for x in parts if x != "FALSE"] or ["FALSE"]
            return self._var(p, " | ".join(parts))
        raise TypeError(p)

    def build(self):
        out = []
        for j, cr in enumerate(self.compiled.rules):
            smap = cr.status_map
            self.lines.append(f"    s = S[{j}]")
            for outcome, pat in (("not_applicable", cr.outcomes.not_applicable), ("fail", cr.outcomes.failed),
                                 ("pass", cr.outcomes.passed)):
                m = self.pattern(pat)
                code = CODE[smap.get(outcome, outcome)]
                if m == "TRUE":
                    self.lines.append(f"    s[:] = {code}")
                elif m != "FALSE":
                    self.lines.append(f"    s[{m}] = {code}")
            out.append(cr.id)
        src = ["def floor(C, P, n):",
               "    TRUE = np.ones(n, dtype=bool); FALSE = np.zeros(n, dtype=bool); ZEROS = np.zeros(n)",
               f"    S = np.zeros(({len(out)}, n), dtype=np.uint8)",
               "    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):",
               *("    " + x for x in self.lines), "    return S"]
        ns = {"np": np}
        exec(compile("\n".join(src), "<floor>", "exec"), ns)  # our own generated code, from our own pack
        return ns["floor"], out, len(self.lines)


def floor_inputs(cols: dict, keys, n: int) -> tuple[dict, dict]:
    """The arrays the generated code reads: values (float64 with NaN where absent, or bool/object
    arrays) and presence masks, per fact key (all absent for a key no PDD has)."""
    C, P = {}, {}
    for k in keys:
        c = cols.get(k)
        C[k] = np.full(n, np.nan) if c is None else c.values
        P[k] = np.zeros(n, dtype=bool) if c is None else c.present
    return C, P


# ------------------------------------------------------------------------------------- DuckDB
def sql_value(v) -> str:
    from pacm.expr.patterns import ZERO, VArith, VConst, VKey

    if isinstance(v, VConst):
        if isinstance(v.value, bool):
            return "TRUE" if v.value else "FALSE"
        if isinstance(v.value, str):
            return "'" + v.value.replace("'", "''") + "'"
        return f"CAST({float(v.value)!r} AS DOUBLE)"
    if isinstance(v, VKey):
        return "CAST(0 AS DOUBLE)" if v.key == ZERO else f'"{v.key}"'
    if isinstance(v, VArith):
        return f"({sql_value(v.left)} {v.op} {sql_value(v.right)})"
    raise TypeError(v)


def sql_pattern(p, kinds) -> str:
    from pacm.expr.patterns import ZERO, PAnd, PCmp, PExists, PFalse, POr, PTrue, VConst, VKey

    if isinstance(p, PTrue):
        return "TRUE"
    if isinstance(p, PFalse):
        return "FALSE"
    if isinstance(p, PExists):
        if p.key == ZERO:
            return "FALSE" if p.negate else "TRUE"
        if p.key not in kinds:
            return "TRUE" if p.negate else "FALSE"
        return f'"{p.key}" IS {"" if p.negate else "NOT "}NULL'
    if isinstance(p, PCmp):
        if p.key != ZERO and p.key not in kinds:
            return "FALSE"
        if isinstance(p.rhs, VKey) and p.rhs.key != ZERO and p.rhs.key not in kinds:
            return "FALSE"
        kind = "num" if p.key == ZERO else kinds[p.key]
        if isinstance(p.rhs, VConst) and isinstance(p.rhs.value, (str, bool)):
            if (kind == "bool") != isinstance(p.rhs.value, bool) or kind == "num":  # type mismatch: never equal
                return "FALSE" if p.op == "==" else f'"{p.key}" IS NOT NULL'
        op = {"==": "=", "!=": "<>"}.get(p.op, p.op)
        left = "CAST(0 AS DOUBLE)" if p.key == ZERO else f'"{p.key}"'
        # NULL (absent) makes the comparison NULL, which no WHEN takes: the Kleene 'unknown'
        return f"COALESCE({left} {op} {sql_value(p.rhs)}, FALSE)"
    if isinstance(p, PAnd):
        return "(" + " AND ".join(sql_pattern(i, kinds) for i in p.items) + ")"
    if isinstance(p, POr):
        return "(" + " OR ".join(sql_pattern(i, kinds) for i in p.items) + ")"
    raise TypeError(p)


def duckdb_query(compiled, kinds) -> str:
    cols = []
    for cr in compiled.rules:
        smap = cr.status_map
        o = cr.outcomes
        cols.append(
            f"CASE WHEN {sql_pattern(o.passed, kinds)} THEN {CODE[smap.get('pass', 'pass')]} "
            f"WHEN {sql_pattern(o.failed, kinds)} THEN {CODE[smap.get('fail', 'fail')]} "
            f"WHEN {sql_pattern(o.not_applicable, kinds)} THEN {CODE['not_applicable']} ELSE 0 END::UTINYINT AS c{len(cols)}")
    return "SELECT " + ",\n".join(cols) + " FROM facts"


def duckdb_table(cols: dict, n: int):
    """A pandas frame DuckDB scans zero-copy: float64 (NaN read as NULL), nullable booleans, text."""
    import pandas as pd

    data = {}
    for k, c in cols.items():
        if c.kind == "bool":
            data[k] = pd.arrays.BooleanArray(c.values, ~c.present)
        else:
            data[k] = c.values
    return pd.DataFrame(data, index=pd.RangeIndex(n))


def duckdb_run(con, table, query):
    con.register("facts", table)
    res = con.execute(query).fetchnumpy()
    con.unregister("facts")
    return np.vstack([np.asarray(res[f"c{j}"], dtype=np.uint8) for j in range(len(res))])


# ---------------------------------------------------------------------------------- zen-engine
def _zen_value(v, guards: list) -> str:
    import json

    from pacm.expr.patterns import ZERO, VArith, VConst, VKey

    if isinstance(v, VConst):
        if isinstance(v.value, bool):
            return "true" if v.value else "false"
        if isinstance(v.value, str):
            return json.dumps(v.value)
        return repr(float(v.value))
    if isinstance(v, VKey):
        if v.key == ZERO:
            return "0"
        guards.append(f"{v.key} != null")
        return v.key
    if isinstance(v, VArith):
        left, right = _zen_value(v.left, guards), _zen_value(v.right, guards)
        if v.op == "/":  # ZEN does not give NaN: the compiler's '!= 0' guard may come later in the AND
            guards.append(f"{right} != 0")
        return f"({left} {v.op} {right})"
    raise TypeError(v)


def zen_pattern(p, kinds) -> str:
    """A pattern as a ZEN expression; every operand checked non-null first (ZEN's 'and' short-circuits,
    and comparing null raises)."""
    from pacm.expr.patterns import ZERO, PAnd, PCmp, PExists, PFalse, POr, PTrue, VConst, VKey

    if isinstance(p, PTrue):
        return "true"
    if isinstance(p, PFalse):
        return "false"
    if isinstance(p, PExists):
        if p.key == ZERO:
            return "false" if p.negate else "true"
        if p.key not in kinds:
            return "true" if p.negate else "false"
        return f"{p.key} {'==' if p.negate else '!='} null"
    if isinstance(p, PCmp):
        if p.key != ZERO and p.key not in kinds:
            return "false"
        if isinstance(p.rhs, VKey) and p.rhs.key != ZERO and p.rhs.key not in kinds:
            return "false"
        kind = "num" if p.key == ZERO else kinds[p.key]
        if isinstance(p.rhs, VConst) and isinstance(p.rhs.value, (str, bool)):
            if (kind == "bool") != isinstance(p.rhs.value, bool) or kind == "num":
                return "false" if p.op == "==" else f"{p.key} != null"
        guards: list[str] = []
        left = "0" if p.key == ZERO else p.key
        if p.key != ZERO:
            guards.append(f"{p.key} != null")
        rhs = _zen_value(p.rhs, guards)
        guards = list(dict.fromkeys(guards))
        return "(" + " and ".join(guards + [f"{left} {p.op} {rhs}"]) + ")"
    if isinstance(p, PAnd):
        return "(" + " and ".join(zen_pattern(i, kinds) for i in p.items) + ")"
    if isinstance(p, POr):
        return "(" + " or ".join(zen_pattern(i, kinds) for i in p.items) + ")"
    raise TypeError(p)


def zen_decision(compiled, kinds) -> str:
    import json

    exprs = []
    for j, cr in enumerate(compiled.rules):
        smap, o = cr.status_map, cr.outcomes
        value = (f"{zen_pattern(o.passed, kinds)} ? {CODE[smap.get('pass', 'pass')]} : "
                 f"({zen_pattern(o.failed, kinds)} ? {CODE[smap.get('fail', 'fail')]} : "
                 f"({zen_pattern(o.not_applicable, kinds)} ? {CODE['not_applicable']} : 0))")
        exprs.append({"id": f"e{j}", "key": f"c{j}", "value": value})
    pos = {"x": 0, "y": 0}
    return json.dumps({
        "nodes": [{"id": "in", "type": "inputNode", "name": "in", "position": pos},
                  {"id": "ex", "type": "expressionNode", "name": "rules", "position": pos, "content": {"expressions": exprs}},
                  {"id": "out", "type": "outputNode", "name": "out", "position": pos}],
        "edges": [{"id": "a", "sourceId": "in", "targetId": "ex", "type": "edge"},
                  {"id": "b", "sourceId": "ex", "targetId": "out", "type": "edge"}]})


def zen_run(engine, flats, atoms, n_rules):
    """One context per PDD from the flat facts (the same conversion), plus the exact atoms' facts."""
    from pacm.expr.patterns import key, to_fact_value

    reqs = [{"key": "pack", "context": {key(p): to_fact_value(v) for p, v in f.items()}} for f in flats]
    for k, c in atoms.items():
        for i in c.present.nonzero()[0]:
            reqs[i]["context"][k] = bool(c.values[i])
    out = engine.evaluate_batch(reqs)
    S = np.zeros((n_rules, len(flats)), dtype=np.uint8)
    for i, r in enumerate(out):
        if not r.get("success"):
            raise RuntimeError(f"zen-engine failed on PDD {i}: {str(r)[:300]}")
        res = r["data"]["result"]
        for j in range(n_rules):
            S[j, i] = int(res[f"c{j}"])
    return S


# -------------------------------------------------------------------------------------- main
def interleaved(fns: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """name -> (median, min) seconds; the contenders take turns, so a burst of load elsewhere on
    the machine hits all of them rather than one."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def main(n: int = 4000, repeat: int = 5, profile: bool = False, zen_n: int | None = None) -> dict:
    """Print the figures; return them (``bench_all.py`` tabulates them). ``zen_n``: time zen-engine
    (about 200 PDD/s here) on the first ``zen_n`` PDDs only; PDD/s stays comparable."""
    from pacm.engine import Engine
    from pacm.evaluate.vector import VectorEvaluator, decide_atoms, fact_columns
    from pacm.pdd.model import PDD
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the generator lives with the tests
    from synthetic import random_pdd_data

    engine = Engine()
    cp = engine.compiled(AS_OF)
    flats = [engine.facts(PDD.model_validate(random_pdd_data(s)), AS_OF) for s in range(n)]
    print(f"{len(cp.rules)} rules in force on {AS_OF}, {n:,} synthetic PDDs; load average {os.getloadavg()[0]:.2f} "
          "(shared machine: other processes change these figures)")
    vec = VectorEvaluator(cp)
    prog = vec.program
    to_code = np.array([CODE[s] for s in prog.names], dtype=np.uint8)

    def pacm_run():
        return vec.statuses(flats).codes

    def columns():  # the input every contender starts from: fact columns and the exact atoms' facts
        m, cols = fact_columns(flats, prog.keys)
        cols.update(decide_atoms(prog.atoms, cols, m))
        return m, cols

    _, cols0 = columns()
    kinds = {k: c.kind for k, c in cols0.items()}
    assert "mixed" not in kinds.values(), "a column of mixed types: the floor does not handle it"
    fc = FloorCompiler(cp, kinds)
    floor_fn, rule_ids, n_lines = fc.build()
    keys = sorted(fc.cols)

    def floor_run():
        m, cols = columns()
        C, P = floor_inputs(cols, keys, m)
        return floor_fn(C, P, m)

    # -- correctness first: every status of every PDD, each contender against pacm
    ref_codes = to_code[pacm_run()]
    got = floor_run()
    bad = np.argwhere(got != ref_codes)
    assert not len(bad), f"floor differs from pacm on {len(bad)} statuses, e.g. rule {rule_ids[bad[0][0]]} PDD {bad[0][1]}"
    print(f"floor: {n_lines} generated lines; statuses equal pacm's on all {ref_codes.size:,} (rule, PDD) pairs")
    figures = {"rules": len(cp.rules)}
    try:
        import duckdb
    except ImportError:
        duckdb = None
        print("DuckDB: not installed (pip install 'pacm[bench]'); peer skipped")
    if duckdb is not None:
        con = duckdb.connect()
        con.execute("SET threads TO 1")  # one core, like pacm and the floor
        query = duckdb_query(cp, kinds)

        def duck_run():
            m, cols = columns()
            return duckdb_run(con, duckdb_table(cols, m), query)

        got = duck_run()
        bad = np.argwhere(got != ref_codes)
        assert not len(bad), f"DuckDB differs from pacm on {len(bad)} statuses, e.g. rule {rule_ids[bad[0][0]]} PDD {bad[0][1]}"
        print(f"DuckDB {duckdb.__version__}: statuses equal pacm's on all {ref_codes.size:,} pairs")

    try:
        import zen
    except ImportError:
        zen = None
        print("GoRules zen-engine: not installed (pip install 'pacm[bench]'); peer skipped")
    if zen is not None:
        jdm = zen_decision(cp, kinds)
        zen_engine = zen.ZenEngine({"loader": lambda k: jdm})

        zn = min(n, zen_n or n)
        zflats = flats[:zn]

        def zen_go():
            m, cols = fact_columns(zflats, {c for _, a in prog.atoms for c in a.keys()})
            return zen_run(zen_engine, zflats, decide_atoms(prog.atoms, cols, m), len(rule_ids))

        got = zen_go()
        bad = np.argwhere(got != ref_codes[:, :zn])
        assert not len(bad), f"zen-engine differs from pacm on {len(bad)} statuses, e.g. rule {rule_ids[bad[0][0]]} PDD {bad[0][1]}"
        print(f"GoRules zen-engine: statuses equal pacm's on all {got.size:,} pairs ({zn:,} PDDs)")
    fns = {"frame": columns, "pacm": pacm_run, "floor": floor_run}
    if duckdb is not None:
        fns["duckdb"] = duck_run
    if zen is not None:
        fns["zen"] = zen_go
    T = interleaved(fns, repeat)
    t_frame, t_pacm, t_floor = T["frame"][0], T["pacm"][0], T["floor"][0]
    figures.update(frame_s=t_frame, pacm_pdd_s=n / t_pacm, floor_pdd_s=n / t_floor)
    print(f"medians of {repeat} interleaved runs (min in brackets):")
    print(f"fact columns and exact atoms alone: {t_frame:.3f} s ({T['frame'][1]:.3f})")
    print(f"pacm vector evaluator (incl. columns): {t_pacm:.3f} s = {n / t_pacm:,.0f} PDD/s ({n / T['pacm'][1]:,.0f})")
    print(f"floor, generated numpy (incl. columns): {t_floor:.3f} s = {n / t_floor:,.0f} PDD/s ({n / T['floor'][1]:,.0f}) "
          f"-> pacm takes {t_pacm / t_floor:.2f}x the floor's time ({T['pacm'][1] / T['floor'][1]:.2f}x on the minima)")
    print(f"  after the shared column build (minima): pacm {T['pacm'][1] - T['frame'][1]:.3f} s, "
          f"floor {T['floor'][1] - T['frame'][1]:.3f} s")
    if duckdb is not None:
        t_duck = T["duckdb"][0]
        figures["duckdb_pdd_s"] = n / t_duck
        print(f"DuckDB SQL CASE, 1 thread (incl. columns): {t_duck:.3f} s = {n / t_duck:,.0f} PDD/s ({n / T['duckdb'][1]:,.0f}) "
              f"-> pacm takes {t_pacm / t_duck:.2f}x DuckDB's time")
    if zen is not None:
        t_zen = T["zen"][0]
        figures["zen_pdd_s"] = zn / t_zen
        print(f"GoRules zen-engine evaluate_batch on {zn:,} PDDs (incl. building its contexts): {t_zen:.3f} s = "
              f"{zn / t_zen:,.0f} PDD/s ({zn / T['zen'][1]:,.0f}) -> pacm takes {(t_pacm / n) / (t_zen / zn):.3f}x "
              "zen-engine's time per PDD")
    if profile:
        import cProfile
        import pstats

        pr = cProfile.Profile()
        pr.enable()
        pacm_run()
        pr.disable()
        print("\nwhere pacm's time goes (cProfile, one run, top 15 by internal time):")
        pstats.Stats(pr).sort_stats("tottime").print_stats(15)
    figures["ratio"] = t_pacm / t_floor
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--zen-n", type=int, default=None, help="time zen-engine on the first N PDDs only (slow)")
    a = ap.parse_args()
    main(a.n, a.repeat, a.profile, a.zen_n)

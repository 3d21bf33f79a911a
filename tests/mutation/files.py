"""Parameter values no rule reads, nudged in their files: would the quantity and transition tests notice?

``tests/mutation/rules.py`` checks the parameters rules read, in process. The others feed code: the
methodologies' dated defaults (``methodologies/*/methodology.yaml``, e.g. ACM0002's reservoir factor
0.09 t/MWh), the methodology parameter files, and the issuance rates and transition dates of
``rules/parameters`` that the quantities pipeline and the transition batch read. Each dated value is
nudged one unit up and down in its YAML text (last written decimal place; one day for a date) in a
scratch copy of the tracked files, and the tests that read it run there (``pytest -x``); the worktree
is never touched. Run: ``python tests/mutation/files.py [--out FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from code_mutants import WORK, _copy_tree  # noqa: E402

QUANTITY_TESTS = ["tests/test_quantities_golden.py", "tests/test_quantities_sources.py", "tests/test_quantities_pipeline.py",
                  "tests/test_quantities_methodology.py",
                  # the reservoir factor by power density and the reconciliation tolerance, each on its limit
                  "tests/test_review_corrections.py", "tests/test_reconciliation.py"]
TRANSITION_TESTS = ["tests/test_transition.py", "tests/test_date_windows.py"]
VALUE = re.compile(r"(?P<head>\b\d{4}-\d{2}-\d{2}:\s*\{\s*value:\s*)(?P<value>[^,}\s]+)")


def _nudges(text: str):
    try:
        d = dt.date.fromisoformat(text)
        return [str(d + dt.timedelta(days=1)), str(d - dt.timedelta(days=1))]
    except ValueError:
        pass
    try:
        v = Decimal(text)
    except Exception:
        return []  # text values (choices) are not numbers to nudge
    u = Decimal(1).scaleb(v.as_tuple().exponent)
    return [str(v + u), str(v - u)]


def _rule_params() -> set[str]:
    from pacm.rulepack import load_pack

    out = set()
    for r in load_pack().rules:
        out |= set(r.params)
    return out


def mutants():
    """(file, line number, old text, new text, tests) for every value no rule reads."""
    read_by_rules = _rule_params()
    files = sorted(ROOT.glob("methodologies/**/*.yaml")) + sorted(ROOT.glob("rules/parameters/*.yaml"))
    for f in files:
        rel = f.relative_to(ROOT).as_posix()
        area = f.stem
        name = None
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):\s*$", line)
            if m:
                name = m.group(1)
            v = VALUE.search(line)
            if not v:
                continue
            if "/parameters/" in f"/{rel}" and f"{area}.{name}" in read_by_rules:
                continue  # in process, by rules.py
            tests = QUANTITY_TESTS + (TRANSITION_TESTS if area == "transition" else [])
            for new in _nudges(v.group("value")):
                yield rel, i, line, line[: v.start("value")] + new + line[v.end("value"):], tests


def run(log=print) -> dict:
    d = WORK / "files"
    _copy_tree(d)
    env = dict(os.environ, PYTHONPATH=str(d / "src"), PACM_CACHE_DIR=str(d / ".cache"))
    results = []
    t0 = time.perf_counter()
    for rel, i, old, new, tests in mutants():
        path = d / rel
        original = path.read_text(encoding="utf-8")
        lines = original.splitlines(keepends=True)
        lines[i] = new + ("\n" if lines[i].endswith("\n") else "")
        path.write_text("".join(lines), encoding="utf-8")
        try:
            p = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                               cwd=d, env=env, capture_output=True, text=True)
        finally:
            path.write_text(original, encoding="utf-8")
        status = "killed" if p.returncode != 0 else "survived"
        failed = [x for x in p.stdout.splitlines() if x.startswith("FAILED")][:1]
        results.append({"file": rel, "line": i + 1, "from": old.strip(), "to": new.strip(), "status": status, "by": failed})
        log(f"{status:8s} {rel}:{i + 1}: {new.strip()}")
    return {"mutants": results, "seconds": time.perf_counter() - t0}


def report(res: dict) -> str:
    ms = res["mutants"]
    k = sum(m["status"] == "killed" for m in ms)
    s = sum(m["status"] == "survived" for m in ms)
    lines = ["## Parameter values read by code (tests/mutation/files.py)", "",
             f"{len(ms)} mutants in {res['seconds'] / 60:.1f} min: {k} killed, {s} survived "
             f"({(s / len(ms) if ms else 0):.1%} survival).", "", "### Survivors", ""]
    lines += [f"- {m['file']}:{m['line']}: `{m['from']}` -> `{m['to']}`" for m in ms if m["status"] == "survived"] or ["- none"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--list", action="store_true", help="only list the mutants")
    a = ap.parse_args(argv)
    if a.list:
        for rel, i, old, new, _ in mutants():
            print(f"{rel}:{i + 1}: {old.strip()}  ->  {new.strip()}")
        return 0
    text = report(run())
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

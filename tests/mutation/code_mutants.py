"""Code mutation testing of the modules whose mistakes change a verdict or a number (issue 14 item 3).

Runs mutmut (3.x) on four groups of ``src/pacm``, each with the tests that concern it:

* ``vector``, ``rete``, ``patterns``: the two evaluators and the compiled patterns they share (exact limits);
* ``quantities``: the crediting pipeline;
* ``transition``: the batch's eligibility and crediting-period selection;
* ``escaping``: the report writers (HTML, Markdown, text, batch CSV).

mutmut copies the tree into ``mutants/`` and runs pytest there, so the run happens in a scratch copy
of the tracked files (``$PACM_MUTATION_DIR``, default ``/tmp/pacm-mutation``): the worktree is never
touched. Each group writes its survival rate and its surviving mutants (with their diff) to the
report. Run: ``python tests/mutation/code_mutants.py [GROUP ...] [--out FILE] [--children N]``.
Needs the ``mutation`` extra (``pip install -e '.[mutation]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("PACM_MUTATION_DIR", "/tmp/pacm-mutation"))

FAST_EVALUATOR_TESTS = ["tests/test_boundaries.py", "tests/rule_cases/edges.yaml", "tests/test_boundary_limits.py"]
GROUPS: dict[str, dict] = {
    # per mutant, mutmut runs the selected tests that reach the mutated function: keep them fast (~5 s)
    "vector": {"mutate": ["src/pacm/evaluate/vector.py"], "tests": FAST_EVALUATOR_TESTS},
    "rete": {"mutate": ["src/pacm/evaluate/rete.py"], "tests": FAST_EVALUATOR_TESTS},
    "patterns": {"mutate": ["src/pacm/expr/patterns.py"], "tests": FAST_EVALUATOR_TESTS + ["tests/test_expr.py"]},
    "quantities": {
        "mutate": ["src/pacm/quantities/pipeline.py"],
        "tests": ["tests/test_quantities_pipeline.py", "tests/test_quantities_golden.py", "tests/test_quantities_methodology.py"],
    },
    "transition": {
        "mutate": ["src/pacm/transition/run.py", "src/pacm/transition/rows.py"],
        "tests": ["tests/test_date_windows.py", "tests/test_transition.py"],
    },
    "escaping": {
        "mutate": ["src/pacm/report/html.py", "src/pacm/report/markdown.py", "src/pacm/report/text.py", "src/pacm/report/batch.py"],
        "tests": ["tests/test_report_html.py", "tests/test_report_batch.py", "tests/test_cli.py"],
    },
}


def _copy_tree(dest: Path) -> None:
    """The tracked files of the worktree, as they are on disk (uncommitted edits included)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())


def _setup_cfg(group: dict) -> str:
    lines = ["[mutmut]", "source_paths=src/pacm", "only_mutate=" + "\n    ".join(group["mutate"]),
             "pytest_add_cli_args_test_selection=" + "\n    ".join(group["tests"])]
    return "\n".join(lines) + "\n"


def run_group(name: str, children: int, log=print) -> dict:
    group = GROUPS[name]
    d = WORK / name
    _copy_tree(d)
    (d / "setup.cfg").write_text(_setup_cfg(group), encoding="utf-8")
    mutmut = Path(sys.executable).parent / "mutmut"
    env = dict(os.environ)  # mutmut puts mutants/src first on sys.path itself
    t0 = time.perf_counter()
    log(f"mutmut: {name}: {', '.join(group['mutate'])}")
    with open(d / "mutmut.log", "w", encoding="utf-8") as fh:
        subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=d, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    res = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=d, env=env, capture_output=True, text=True)
    status: dict[str, str] = {}
    for line in res.stdout.splitlines():
        if ":" in line:
            k, v = line.strip().rsplit(":", 1)
            status[k.strip()] = v.strip()
    survivors = sorted(k for k, v in status.items() if v == "survived")
    diffs = {}
    for k in survivors:
        show = subprocess.run([str(mutmut), "show", k], cwd=d, env=env, capture_output=True, text=True).stdout
        diffs[k] = "\n".join(x for x in show.splitlines() if x[:1] in "+-" and x[:3] not in ("+++", "---"))
    counts: dict[str, int] = {}
    for v in status.values():
        counts[v] = counts.get(v, 0) + 1
    return {"group": name, "files": group["mutate"], "tests": group["tests"], "counts": counts,
            "survivors": survivors, "diffs": diffs, "seconds": seconds}


def rate(counts: dict[str, int]) -> float:
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    survived = counts.get("survived", 0)
    return survived / (killed + survived) if killed + survived else 0.0


def report(results: list[dict]) -> str:
    lines = ["## Code mutations (mutmut, tests/mutation/code_mutants.py)", "",
             "| group | files | mutants | killed | survived | other | survival | minutes |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        c = r["counts"]
        other = sum(v for k, v in c.items() if k not in ("killed", "survived"))
        lines.append(f"| {r['group']} | {', '.join(Path(f).name for f in r['files'])} | {sum(c.values())} | {c.get('killed', 0)} "
                     f"| {c.get('survived', 0)} | {other} | {rate(c):.1%} | {r['seconds'] / 60:.1f} |")
    for r in results:
        lines += ["", f"### Survivors: {r['group']}", "", f"Tests run per mutant: `{' '.join(r['tests'])}`", ""]
        for k in r["survivors"]:
            lines.append(f"- `{k}`")
            lines += [f"      {x}" for x in r["diffs"].get(k, "").splitlines()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*", default=list(GROUPS))
    ap.add_argument("--out", type=Path, help="write the report here (Markdown); the raw results go beside it as JSON")
    ap.add_argument("--children", type=int, default=2)
    a = ap.parse_args(argv)
    unknown = [g for g in a.groups if g not in GROUPS]
    if unknown:
        sys.stderr.write(f"unknown group(s) {unknown}; expected some of {list(GROUPS)}\n")
        return 2
    results = [run_group(g, a.children) for g in a.groups]
    text = report(results)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
        a.out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

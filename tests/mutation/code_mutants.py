"""Code mutation testing of the modules whose mistakes change a verdict, a number or an escape (issue 14 item 3).

Runs mutmut (3.x) per *group* of ``src/pacm``, each with a short selection of the tests that concern it
(seconds per mutant, one process: the machine is shared):

* ``escaping``: :mod:`pacm.outsafe` and the escaping in the report writers (HTML, Markdown, text, batch CSV/XLSX);
* ``rete``, ``patterns``: the durable-rules evaluator and the compiled patterns both evaluators share;
* ``transition``: the facts the batch's eligibility rules read (the crediting period that transitions, its
  CDM-methodology grace, registration, host LDC/SIDS: :mod:`pacm.transition.rows`);
* ``quantities``, ``vector``: the crediting pipeline and the pandas evaluator (run last: being rewritten
  for speed as this is written; re-run them on the merged code with ``make mutation GROUP="quantities vector"``).

mutmut copies the tree into ``mutants/`` and runs pytest there, so each group runs in a scratch copy of
the tracked files (``$PACM_MUTATION_DIR/<group>``, default ``/tmp/pacm-mutation``): the worktree is never
touched. A group mutates whole files but counts only the mutants of the functions it names (``functions``,
mutmut's mangled names, fnmatch patterns); only those are run.

Every surviving mutant gets a *stable key*, independent of mutmut's numbering (which moves whenever a
line is added above): ``module.function: <old code> -> <new code>``. ``tests/mutation/equivalent.yaml``
lists, by that key, the survivors that cannot change any result (``equivalent:`` with the reason) and the
survivors of earlier runs that a new test kills (``killed:`` with the test). The report gives each
survivor's diff with its reason, or marks it UNEXPLAINED; and the survival rate per group and per
mutator (the kind of change: string, number, operator, argument, ...).

Run: ``python tests/mutation/code_mutants.py [GROUP ...] [--out build/mutation/code_mutants.md]``
(``make mutation GROUP=escaping``); ``--resume`` continues a stopped run, ``--survivors`` re-runs only the
last run's survivors (after adding tests), ``--collect-only`` reports the last run again (after editing
equivalent.yaml). mutmut 3.8 is in the locked dependencies (``make venv``); elsewhere the ``mutation`` extra.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tokenize
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("PACM_MUTATION_DIR", "/tmp/pacm-mutation"))
EXPLAINED = Path(__file__).with_name("equivalent.yaml")
#: Beside ``src/`` and ``tests/`` (mutmut copies those), what the tests read from the checkout.
ALSO_COPY = ["rules", "methodologies", "examples", "schema", "docs", "mkdocs.yml", "benchmarks"]
#: Target of issue 14: at most this share of a group's mutants survive.
TARGET = 0.10

FAST_EVALUATOR_TESTS = ["tests/test_boundaries.py", "tests/rule_cases/edges.yaml", "tests/test_boundary_limits.py"]
GROUPS: dict[str, dict] = {
    "escaping": {
        "mutate": ["src/pacm/outsafe.py", "src/pacm/report/markdown.py", "src/pacm/report/html.py",
                   "src/pacm/report/text.py", "src/pacm/report/batch.py", "src/pacm/report/render.py"],
        # the functions that escape or pass user text to an escaper (the rest of these files is layout)
        "functions": ["pacm.outsafe.*", "pacm.report.markdown.*", "pacm.report.html.*",
                      "pacm.report.text.xǁ_Linesǁadd__*", "pacm.report.text.x_render_summary__*",
                      "pacm.report.batch.x__text__*", "pacm.report.batch.x__cell_value__*",
                      "pacm.report.batch.x__write_xlsx__*", "pacm.report.batch.x__write_csv__*",
                      "pacm.report.batch.x__as_type__*", "pacm.report.batch.x__xlsx_rows__*",
                      "pacm.report.render.x_render__*"],
        "tests": ["tests/test_report_escaping.py", "tests/test_report_html.py", "tests/test_report_batch.py",
                  "tests/test_hostile.py::test_csv_formula_cells_are_neutralised",
                  "tests/test_hostile.py::test_markdown_escapes_html_images_and_links",
                  "tests/test_hostile.py::test_terminal_text_neutralises_control_characters"],
    },
    "rete": {"mutate": ["src/pacm/evaluate/rete.py"],
             # test_6 opens thousands of sessions (a minute): the session handling it guards is tested by test_3
             "tests": FAST_EVALUATOR_TESTS + ["tests/test_rete_adapter.py", "tests/test_rete_hazards.py",
                                              "--deselect=tests/test_rete_hazards.py::test_6_thousands_of_sessions"]},
    "patterns": {"mutate": ["src/pacm/expr/patterns.py"],
                 "tests": ["tests/test_patterns_compile.py", "tests/test_expr.py"] + FAST_EVALUATOR_TESTS},
    # the facts the eligibility rules read, derived per row (the rules themselves are YAML: tests/mutation/rules.py);
    # the merge of the rules' statuses into transition_eligible sits inside transition.run.run (see docs/testing.md)
    "transition": {
        "mutate": ["src/pacm/transition/rows.py"],
        "tests": ["tests/test_transition_eligibility.py", "tests/test_date_windows.py"],
    },
    "quantities": {
        "mutate": ["src/pacm/quantities/pipeline.py", "src/pacm/tonnes.py"],
        "tests": ["tests/test_quantities_pipeline.py", "tests/test_quantities_golden.py",
                  "tests/test_quantities_sources.py", "tests/test_quantities_methodology.py",
                  "tests/test_pipeline_hand.py", "tests/test_one_home.py"],
    },
    # test_differential's pack-wide tests (1,000 PDDs with full findings, 32 s; 1,200 random fact sets, 12 s) are
    # left out: every surviving mutant runs the whole selection, and on the shared machine they made the group a
    # two-hour run; the compiler stress pack (every construct of the grammar) stays, against durable-rules and the
    # exact reference, with the exact-atom properties, the boundaries and the column/program tests
    "vector": {"mutate": ["src/pacm/evaluate/vector.py"],
               "tests": ["tests/test_vector_exact.py", "tests/test_vector_columns.py"] + FAST_EVALUATOR_TESTS + [
                   "tests/test_differential.py::test_compiler_stress_pack"]},
}
KILLED = ("killed", "timeout", "segfault", "caught by type check")
NOT_KILLED = ("survived", "no tests", "suspicious")


# ----------------------------------------------------------------------------- running mutmut
def _copy_tree(dest: Path, keep: bool = False) -> None:
    """The tracked files of the worktree, as they are on disk (uncommitted edits included); ``keep``:
    over an earlier copy, keeping mutmut's ``mutants/`` and its results (a run stopped half-way resumes)."""
    if dest.exists() and not keep:
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         check=True, capture_output=True).stdout
    for f in out.split(b"\0"):
        if not f:
            continue
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())


def _setup_cfg(group: dict) -> str:
    def many(xs):
        return "\n    ".join(xs)

    also = [p for p in ALSO_COPY if (ROOT / p).exists()]
    return ("[mutmut]\nsource_paths=src\n"
            f"only_mutate={many(group['mutate'])}\n"
            f"also_copy={many(also)}\n"
            f"pytest_add_cli_args=-p no:cacheprovider\n"
            f"pytest_add_cli_args_test_selection={many(_existing(group['tests']))}\n")


def _existing(tests: list[str]) -> list[str]:
    """The selection without test files not written yet (a group names the tests meant to kill its mutants)."""
    return [t for t in tests if t.startswith("-") or (ROOT / t.split("::")[0]).exists()]


def _results(mutmut: Path, d: Path, group: dict, only: str | None = None):
    """mutant name -> status of the group's mutants in ``d`` (a list of names when ``only`` picks one status)."""
    if not (d / "mutants").exists():
        return [] if only else {}
    res = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=d, capture_output=True, text=True)
    status: dict[str, str] = {}
    for line in res.stdout.splitlines():
        if "__mutmut_" in line and ":" in line:
            k, v = line.strip().rsplit(":", 1)
            if _selected(k.strip(), group):
                status[k.strip()] = v.strip()
    return [k for k, v in status.items() if v == only] if only else status


def _selected(name: str, group: dict) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in group.get("functions", ["*"]))


def run_group(name: str, children: int, log=print, collect_only: bool = False, resume: bool = False,
              survivors: bool = False) -> dict:
    """Run mutmut on one group in its scratch copy (``collect_only``: read the results of the last run there;
    ``resume``: run only the mutants the last run there did not reach, and those of functions changed since;
    ``survivors``: run again only the last run's survivors, with the tests as they are now)."""
    group = GROUPS[name]
    d = WORK / name
    mutmut = Path(sys.executable).parent / "mutmut"
    rc, seconds = 0, 0.0
    if collect_only:
        timing = d / "seconds.txt"
        seconds = float(timing.read_text()) if timing.exists() else 0.0
    else:
        if survivors:
            left = [k for k, v in _results(mutmut, d, group).items() if v in NOT_KILLED]
        _copy_tree(d, keep=resume or survivors)
        (d / "setup.cfg").write_text(_setup_cfg(group), encoding="utf-8")
        before = float((d / "seconds.txt").read_text()) if (resume or survivors) and (d / "seconds.txt").exists() else 0.0
        t0 = time.perf_counter() - before
        log(f"mutmut: {name}: {', '.join(group['mutate'])} (log: {d / 'mutmut.log'})")
        # named mutants are re-run even when they have a result: on resume, name those without one
        names = group.get("functions", []) if not (resume or survivors) else (
            (left if survivors else []) + (_results(mutmut, d, group, only="not checked") if resume else []))
        if names or not (resume or survivors):
            with open(d / "mutmut.log", "a" if resume or survivors else "w", encoding="utf-8") as fh:
                rc = subprocess.run([str(mutmut), "run", "--max-children", str(children), *names],
                                    cwd=d, stdout=fh, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - t0
        (d / "seconds.txt").write_text(f"{seconds:.1f}\n")
    status = _results(mutmut, d, group)
    if rc or not status:
        log(f"mutmut: {name}: exit code {rc}, {len(status)} mutants; see {d / 'mutmut.log'}")
    diffs = _diffs(d / "mutants", group["mutate"])
    mutants = []
    for k in sorted(status, key=_natural):
        old, new = diffs.get(k, ("", ""))
        mutants.append({"name": k, "status": status[k], "old": old, "new": new, "mutator": mutator(old, new)})
    _stable_keys(mutants)
    return {"group": name, "files": group["mutate"], "functions": group.get("functions", ["*"]),
            "tests": group["tests"], "mutants": mutants, "seconds": round(seconds, 1), "exit_code": rc}


def _natural(k: str):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", k)]


def _diffs(mutants_dir: Path, files: list[str]) -> dict[str, tuple[str, str]]:
    """Mutant name -> (removed lines, added lines), read from the mutated copies mutmut leaves in
    ``mutants/`` (each function ``f`` is there as ``x_f__mutmut_orig`` and ``x_f__mutmut_N``); as
    ``mutmut show`` would give them, without a process per mutant."""
    import ast
    from difflib import ndiff

    out: dict[str, tuple[str, str]] = {}
    for f in files:
        path = mutants_dir / f
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        module = ".".join(Path(f).with_suffix("").parts[1:])  # src/pacm/x.py -> pacm.x
        bodies: dict[str, list[str]] = {}
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "__mutmut_" in node.name:
                first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
                body = lines[first:node.end_lineno]
                bodies[node.name] = [x.replace(node.name, "f") for x in body]  # the signature too (defaults)
        for name, body in bodies.items():
            base, _, n = name.rpartition("__mutmut_")
            if n == "orig" or base + "__mutmut_orig" not in bodies:
                continue
            delta = list(ndiff(bodies[base + "__mutmut_orig"], body))
            minus = [x[2:] for x in delta if x.startswith("- ")]
            plus = [x[2:] for x in delta if x.startswith("+ ")]
            out[f"{module}.{name}"] = ("\n".join(minus), "\n".join(plus))
    return out


def function_of(mutant: str) -> str:
    """``pacm.report.text.xǁ_Linesǁadd__mutmut_3`` -> ``pacm.report.text._Lines.add``."""
    base = mutant.rsplit("__mutmut_", 1)[0]
    mod, _, fn = base.rpartition(".")
    fn = fn[2:] if fn.startswith("x_") else fn[1:] if fn.startswith("xǁ") else fn
    return f"{mod}.{fn.strip('ǁ').replace('ǁ', '.')}"


def _squash(code: str) -> str:
    return " ".join(code.split())


def _stable_keys(mutants: list[dict]) -> None:
    """``module.function: old -> new``; the n-th identical change in one function gets `` #n``."""
    seen: dict[str, int] = {}
    for m in mutants:
        key = f"{function_of(m['name'])}: {_squash(m['old'])} -> {_squash(m['new'])}"
        seen[key] = seen.get(key, 0) + 1
        m["key"] = key if seen[key] == 1 else f"{key} #{seen[key]}"


# ----------------------------------------------------------------------------- what kind of change
def _tokens(code: str) -> list[tuple[int, str]]:
    try:
        toks = tokenize.generate_tokens(io.StringIO(code.strip() + "\n").readline)
        return [(t.type, t.string) for t in toks if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                                                                       tokenize.DEDENT, tokenize.ENDMARKER, tokenize.COMMENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [(0, w) for w in code.split()]


_OPS = {"+", "-", "*", "/", "//", "%", "<<", ">>", "&", "|", "^", "**", "+=", "-=", "*=", "/=", "//=", "%=",
        "<", "<=", ">", ">=", "==", "!=", "&=", "|=", "<<=", ">>="}
_STR_METHODS = {"lower", "upper", "lstrip", "rstrip", "find", "rfind", "ljust", "rjust", "index", "rindex",
                "removeprefix", "removesuffix", "partition", "rpartition", "split", "rsplit"}


def mutator(old: str, new: str) -> str:
    """The mutmut operator that made ``new`` from ``old``, read from the changed tokens."""
    a, b = _tokens(old), _tokens(new)
    sm = SequenceMatcher(a=[t[1] for t in a], b=[t[1] for t in b], autojunk=False)
    changes = [(a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal"]
    if not changes:
        return "other"
    removed = [s for ch in changes for _, s in ch[0]]
    added = [s for ch in changes for _, s in ch[1]]
    types = {t for ch in changes for t, _ in ch[0] + ch[1]}
    if added[-2:] in (["and", "False"], ["or", "True"]) or added[-3:] in ([")", "and", "False"], [")", "or", "True"]):
        return "ternary-branch"
    if types == {tokenize.STRING}:
        return "string"
    if types == {tokenize.NUMBER}:
        return "number"
    if set(removed) | set(added) <= {"True", "False"}:
        return "bool-literal"
    if set(removed) | set(added) <= {"and", "or"}:
        return "and/or"
    if set(removed) | set(added) <= {"is", "not", "in"}:
        return "is/in"
    if set(removed) | set(added) <= {"break", "continue", "return"}:
        return "break/continue"
    if set(removed) | set(added) <= _STR_METHODS:
        return "string-method"
    if removed and not added and set(removed) <= {"not", "~"}:
        return "unary-removal"
    if set(removed) | set(added) <= _OPS | {"="}:
        return "compare" if set(removed) | set(added) <= {"<", "<=", ">", ">=", "==", "!="} else "operator"
    if added == ["None"] or added == ['""']:
        return "to-None"
    if removed and not added:
        return "arg-removal"
    if any(s.endswith("XX") for s in added):
        return "dict-keyword"
    return "other"


# ----------------------------------------------------------------------------- explaining survivors
def load_explained(path: Path = EXPLAINED) -> dict[str, dict[str, str]]:
    import yaml

    if not path.exists():
        return {"equivalent": {}, "killed": {}}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"equivalent": data.get("equivalent") or {}, "killed": data.get("killed") or {}}


def summarise(result: dict, explained: dict) -> dict:
    ms = result["mutants"]
    killed = [m for m in ms if m["status"] in KILLED]
    alive = [m for m in ms if m["status"] in NOT_KILLED]
    other = [m for m in ms if m["status"] not in KILLED + NOT_KILLED]
    equivalent = [m for m in alive if m["key"] in explained["equivalent"]]
    unexplained = [m for m in alive if m["key"] not in explained["equivalent"]]
    per: dict[str, dict[str, int]] = {}
    for m in killed + alive:
        c = per.setdefault(m["mutator"], {"mutants": 0, "killed": 0, "survived": 0})
        c["mutants"] += 1
        c["killed" if m in killed else "survived"] += 1
    decided = len(killed) + len(alive)
    return {"group": result["group"], "mutants": len(ms), "killed": len(killed), "survived": len(alive),
            "equivalent": len(equivalent), "unexplained": len(unexplained), "not_run": len(other),
            "survival": round(len(alive) / decided, 6) if decided else 0.0,
            "survival_after_equivalent": round(len(unexplained) / decided, 6) if decided else 0.0,
            "minutes": round(result["seconds"] / 60, 1), "per_mutator": per,
            "killed_by_new_tests": sorted(k for k in explained["killed"] if any(m["key"] == k for m in killed))}


def report(results: list[dict], explained: dict) -> tuple[str, dict]:
    sums = [summarise(r, explained) for r in results]
    lines = ["## Code mutations (mutmut, tests/mutation/code_mutants.py)", "",
             "| group | files | mutants | killed | survived | of which equivalent | unexplained | not run | survival | minutes |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r, s in zip(results, sums):
        files = ", ".join(Path(f).name for f in r["files"])
        flag = "" if s["survival"] <= TARGET else " (over 10 %)"
        lines.append(f"| {s['group']} | {files} | {s['mutants']} | {s['killed']} | {s['survived']} | {s['equivalent']} "
                     f"| {s['unexplained']} | {s['not_run']} | {s['survival']:.1%}{flag} | {s['minutes']} |")
    lines += ["", "### Survival per mutator", "", "| group | mutator | mutants | killed | survived | survival |",
              "|---|---|---|---|---|---|"]
    for s in sums:
        for k, c in sorted(s["per_mutator"].items()):
            lines.append(f"| {s['group']} | {k} | {c['mutants']} | {c['killed']} | {c['survived']} "
                         f"| {c['survived'] / c['mutants']:.1%} |")
    for r, s in zip(results, sums):
        lines += ["", f"### {r['group']}", "", f"Tests run per mutant: `{' '.join(r['tests'])}`"]
        if r["functions"] != ["*"]:
            lines.append(f"Functions: `{' '.join(r['functions'])}`")
        if s["killed_by_new_tests"]:
            lines += ["", "Survivors of an earlier run, now killed:", ""]
            lines += [f"- `{k}`: killed by {explained['killed'][k]}" for k in s["killed_by_new_tests"]]
        alive = [m for m in r["mutants"] if m["status"] in NOT_KILLED]
        if alive:
            lines += ["", "Survivors:", ""]
        for m in alive:
            why = explained["equivalent"].get(m["key"])
            verdict = f"equivalent: {why}" if why else (
                f"UNEXPLAINED (status {m['status']}" + (f"; listed as killed by {explained['killed'][m['key']]}"
                                                         if m["key"] in explained["killed"] else "") + ")")
            lines.append(f"- `{m['key']}` ({m['mutator']}, {m['name']}): {verdict}")
            lines += ["  ```diff"] + [f"  -{x}" for x in m["old"].splitlines()] + [f"  +{x}" for x in m["new"].splitlines()] + ["  ```"]
    return "\n".join(lines) + "\n", {"groups": sums, "results": results}


def _write(out: Path, text: str, data: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*", default=list(GROUPS), help=f"some of {', '.join(GROUPS)} (default: all)")
    ap.add_argument("--out", type=Path, help="write the report here (Markdown); the raw results go beside it as JSON")
    ap.add_argument("--children", type=int, default=1, help="mutmut worker processes (default 1: a shared machine)")
    ap.add_argument("--resume", action="store_true", help="continue the last run of each group where it stopped")
    ap.add_argument("--survivors", action="store_true",
                    help="run the last run's survivors again (after adding tests; the other results stand)")
    ap.add_argument("--collect-only", action="store_true",
                    help="no run: report the last run's results in $PACM_MUTATION_DIR (after editing equivalent.yaml)")
    a = ap.parse_args(argv)
    unknown = [g for g in a.groups if g not in GROUPS]
    if unknown:
        sys.stderr.write(f"unknown group(s) {unknown}; expected some of {list(GROUPS)}\n")
        return 2
    results = []
    for g in a.groups:
        results.append(run_group(g, a.children, log=lambda s: print(s, file=sys.stderr, flush=True),
                                 collect_only=a.collect_only, resume=a.resume, survivors=a.survivors))
        if a.out:  # after each group, so a long run stopped half-way keeps what it measured
            _write(a.out, *report(results, load_explained()))
    text, data = report(results, load_explained())
    if a.out:
        _write(a.out, text, data)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

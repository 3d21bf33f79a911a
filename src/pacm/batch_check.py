"""``pacm check`` over several PDDs or a folder: one summary row per PDD and one row per finding.

Why it never stops: an analyst checking a folder of drafts wants every readable PDD checked and
every unreadable one named with the reason, in one run. A file that cannot be read becomes a row
with ``status = error`` and the CLI's error code and message (the same words ``pacm check FILE``
would print), and the run goes on. Exit code: 2 if any file was unreadable, else 1 if any PDD has
a failing finding, else 0; the tables are written in every case (atomically, via
:func:`pacm.report.batch.write_tables`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Callable, Iterable

from .errors import PacmInputError

SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
PDD_COLUMNS = ("file", "status", "verdict", "exit_code", "fail", "insufficient_data", "validator_judgement", "pass",
               "not_applicable", "issuable", "title", "reference", "host_party", "methodology", "error_code", "error")
FINDING_COLUMNS = ("file", "rule", "status", "severity", "area", "reference", "confidence", "message", "why_not")


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the PDD files inside each folder (recursively, sorted; hidden files and
    Excel lock files skipped). A path that does not exist is kept: it becomes an error row."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                          and not any(part.startswith(".") for part in f.relative_to(p).parts)
                          and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


def check_one(engine, path: Path, day: dt.date, lang: str = "en") -> tuple[dict, list[dict]]:
    """One PDD's summary row and finding rows; an unreadable file gives an error row, never raises."""
    from .api import CheckResult
    from .pdd.load import load_pdd

    name = str(path)
    try:
        r = CheckResult(engine.check(load_pdd(path), day, source=name), lang=lang)
    except PacmInputError as exc:
        return {"file": name, "status": "error", "exit_code": 2, "error_code": exc.code, "error": exc.render()}, []
    except Exception as exc:  # noqa: BLE001 - an internal error on one file must not stop the batch
        return {"file": name, "status": "error", "exit_code": 3, "error_code": "internal-error",
                "error": f"{name}: internal error: {type(exc).__name__}: {exc}"}, []
    data = r.to_dict()
    row = {"file": name, "status": "checked", "verdict": r.verdict, "exit_code": r.exit_code, **data["summary"],
           "issuable": r.issuable, "title": data["pdd"]["title"], "reference": data["pdd"]["reference"],
           "host_party": data["pdd"]["host_party"], "methodology": data["pdd"]["methodology"]}
    findings = [{"file": name, **{k: f.get(k) for k in FINDING_COLUMNS if k != "file"}} for f in data["findings"]]
    return row, findings


def run_batch(engine, paths: list[Path], day: dt.date, lang: str = "en",
              progress: Callable[[int, int, Path], None] | None = None):
    """Check every file; returns the two tables (pandas) and the exit code."""
    import pandas as pd

    files = expand(paths)
    rows, findings = [], []
    for i, f in enumerate(files):
        row, fs = check_one(engine, f, day, lang)
        rows.append(row)
        findings += fs
        if progress:
            progress(i + 1, len(files), f)
    pdds = pd.DataFrame(rows, columns=list(PDD_COLUMNS))
    for col in ("exit_code", "fail", "insufficient_data", "validator_judgement", "pass", "not_applicable", "issuable"):
        pdds[col] = pdds[col].astype("Int64")
    table = pd.DataFrame(findings, columns=list(FINDING_COLUMNS))
    codes = [r["exit_code"] for r in rows]
    code = 2 if any(c >= 2 for c in codes) else (1 if any(c == 1 for c in codes) else 0)
    return pdds, table, code


def batch_command(engine, paths: list[Path], day: dt.date, out: Path | None, formats: str, lang: str) -> int:
    """The CLI's batch mode: progress bar on a terminal, tables in ``out``, a summary line on stdout."""
    from .errors import fail_input
    from .report.batch import FORMATS, write_tables

    if out is None:
        fail_input("checking several PDDs needs --out FOLDER for the summary tables",
                   "--out FOLDER, e.g. --out results/")
    if out.exists() and not out.is_dir():
        fail_input(f"--out {out} is a file", "a folder (created if missing)")
    fmts = tuple(x.strip() for x in formats.split(",") if x.strip())
    bad = [x for x in fmts if x not in FORMATS]
    if bad or not fmts:
        fail_input(f"--formats {formats!r}: each must be one of {', '.join(FORMATS)}")
    if not expand(paths):
        fail_input("no PDD file (.yaml, .yml, .json, .xlsx) in " + ", ".join(str(p) for p in paths))
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), transient=True) as bar:
            task = bar.add_task("", total=None)
            pdds, findings, code = run_batch(engine, paths, day, lang, progress=lambda i, n, f: bar.update(
                task, completed=i, total=n, description=f.name))
    else:
        pdds, findings, code = run_batch(engine, paths, day, lang)
    written = write_tables(out, {"pdds": pdds, "findings": findings}, fmts)
    n = len(pdds)
    errors = int((pdds.status == "error").sum())
    failing = int((pdds.exit_code == 1).sum())
    sys.stdout.write(f"{n} PDD{'s' if n != 1 else ''} as of {day}: {n - errors - failing} without a failing finding, "
                     f"{failing} failing, {errors} unreadable; {len(findings)} findings. "
                     f"Wrote {len(written)} files to {out}\n")
    for _, r in pdds[pdds.status == "error"].iterrows():
        sys.stderr.write(f"pacm: error: {r['error']}\n")
    return code

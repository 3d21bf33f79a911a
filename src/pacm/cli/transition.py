"""``pacm transition``: the batch command. Heavy imports (pandas, matplotlib) happen inside it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    from . import PARAM_OPT, PARAMS_OPT, RULES_OPT, fail_input, load_engine, parse_date
    from ..outfolder import interruptible

    @app.command()
    def transition(
        file: Path = typer.Argument(..., help="UNFCCC CDM export: .xlsx (read with calamine) or .csv."),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate with the rules and parameters in force on this date (default: today)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder (written atomically; replaced only if it holds a previous output)."),
        workers: int = typer.Option(1, "--workers", "-w", help="Processes for validation and evaluation (1 = in-process)."),
        mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column mapping YAML (default: the January 2022 UNFCCC export)."),
        formats: str = typer.Option("csv,parquet", "--formats", help="Table formats, comma-separated: csv, parquet, xlsx (XLSX adds 35-75 s on the full export)."),
        all_findings: bool = typer.Option(False, "--all-findings", help="Also list passing findings in findings.* (they are always counted in activities.*)."),
        rules: Optional[Path] = RULES_OPT,
        param: List[str] = PARAM_OPT,
        params: Optional[Path] = PARAMS_OPT,
    ):
        """Reassess every CDM activity of a UNFCCC export for transition to the A6.4 mechanism."""
        from ..transition.mapping import load_mapping
        from ..transition.outputs import FORMATS

        if workers < 1 or workers > 64:
            fail_input(f"--workers {workers} must be between 1 and 64")
        fmts = tuple(x.strip() for x in formats.split(",") if x.strip())
        bad = [x for x in fmts if x not in FORMATS]
        if bad or not fmts:
            fail_input(f"--formats {formats!r}: each must be one of {', '.join(FORMATS)}")
        day = parse_date(as_of)
        engine = load_engine(rules, param, params)
        mp = load_mapping(mapping)
        with interruptible("pacm transition"):
            written, res, tot = _run_and_write(file, day, engine, mp, workers, all_findings, out, fmts)
        t = res.timings
        sys.stdout.write(
            f"{tot.n:,} activities as of {day}: {tot.eligible['true', 'all']:,} transition-eligible, "
            f"{tot.eligible['false', 'all']:,} not, {tot.eligible['undecided', 'all']:,} undecided; "
            f"{tot.findings:,} findings. Read {t['read_s']:.2f} s, evaluated {t['evaluate_s']:.2f} s.\n"
            f"Wrote {len(written)} files to {out}\n"
        )


def _run_and_write(file: Path, day, engine, mp, workers: int, all_findings: bool, out: Path, fmts):
    """Check ``--out``, then read, evaluate and write chunk by chunk into its temporary folder (a progress
    bar on a terminal); the folder exists from the start, so an interruption at any point removes it."""
    from ..outfolder import output_folder
    from ..transition.outputs import MARKER, write_run
    from ..transition.run import Batch

    with output_folder(out, MARKER, "pacm transition") as tmp:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          transient=True) as bar:
                task = bar.add_task("evaluating", total=None)
                batch = Batch(file, day, engine, mp, workers=workers, all_findings=all_findings,
                              progress=lambda done, n: bar.update(task, completed=done, total=n))
                res, tot = write_run(tmp, batch, fmts)
        else:
            res, tot = write_run(tmp, Batch(file, day, engine, mp, workers=workers, all_findings=all_findings), fmts)
    return sorted(out.iterdir()), res, tot

"""``pacm sweep``: the command. Heavy imports (pandas, dask, matplotlib) happen inside it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    from . import RULES_OPT, fail_input, load_engine, parse_date
    from ..outfolder import interruptible

    @app.command()
    def sweep(
        file: Path = typer.Argument(..., help="UNFCCC CDM export (.xlsx or .csv, as `pacm transition` reads it), or a folder of PDD files."),
        scenarios: Path = typer.Option(..., "--scenarios", "-s", help="YAML: scenarios: {NAME: {PARAMETER: VALUE, ...}, ...}."),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate with the rules and parameters in force on this date (default: today)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder (written atomically; replaced only if it holds a previous sweep)."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler (tcp://HOST:8786)."),
        workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Local worker processes (default: the CPU count; 1 = in this process, no Dask)."),
        mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column mapping YAML (default: the January 2022 UNFCCC export)."),
        rules: Optional[Path] = RULES_OPT,
    ):
        """Run every scenario of parameter overrides over every activity of a CDM export."""
        from ..transition.mapping import load_mapping
        from ..transition.read import read_table
        from ..sweep.outputs import check_out, write_sweep
        from ..sweep.run import connect, execute, prepare, prepare_folder
        from ..sweep.scenarios import load_scenarios

        if scheduler is not None and workers is not None:
            fail_input("--workers and --scheduler exclude each other (the cluster has its own workers)")
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 1 or workers > 64:
            fail_input(f"--workers {workers} must be between 1 and 64")
        day = parse_date(as_of)
        engine = load_engine(rules, [], None)
        scs = load_scenarios(str(scenarios), engine.pack.params)
        check_out(out)
        if scheduler is not None:  # before the long evaluation: an unreachable cluster is said at once
            connect(scheduler).close()
        mp = load_mapping(mapping)
        with interruptible("pacm sweep"):
            title = f"{file.name}, {len(scs)} scenarios, as of {day.isoformat()}"
            if sys.stderr.isatty():
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

                with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                              transient=True) as bar:
                    task = bar.add_task(f"reading and evaluating {file.name}", total=None)
                    base = (prepare_folder(str(file), day, engine) if file.is_dir()
                            else prepare(str(file), day, engine, mp, read_table(file, mp)))
                    bar.update(task, description="scenarios", total=len(scs), completed=0)
                    results = execute(base, scs, workers=workers, scheduler=scheduler,
                                      progress=lambda d, n: bar.update(task, completed=d))
                    written, summary = write_sweep(results, out, title)
            else:
                base = prepare_folder(str(file), day, engine) if file.is_dir() else prepare(str(file), day, engine, mp)
                written, summary = write_sweep(execute(base, scs, workers=workers, scheduler=scheduler), out, title)
        bad = summary["error"].notna().sum()
        sys.stdout.write(
            f"{len(scs)} scenarios x {len(base.activities):,} activities as of {day}: "
            f"{int(summary['activity_years'].sum()):,} activity-years"
            + (f", {bad} scenario(s) failed (see summary.md)" if bad else "") + f".\nWrote {len(written)} files to {out}\n"
        )

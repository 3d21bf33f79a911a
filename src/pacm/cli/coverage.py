"""``pacm coverage``: print or refresh the coverage matrix (built by :mod:`pacm.coverage.matrix`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import PacmInputError


def register(app) -> None:
    """Add ``pacm coverage`` to the CLI (imports only typer here; the work happens in the command)."""
    import typer

    @app.command("coverage")
    def coverage_cmd(
        format: str = typer.Option("text", "--format", "-f", help="text | markdown | json"),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here (atomically) instead of stdout."),
        check: bool = typer.Option(False, "--check", help="With --out: do not write; exit 1 if the file differs (stale)."),
        cases: bool = typer.Option(False, "--cases", help="Add the number of passing/failing YAML cases per rule."),
        rules: Optional[Path] = typer.Option(None, "--rules", help="Rule pack folder (default: the bundled rules/).", show_default=False),
    ):
        """Coverage matrix: for each standard and section, the rule ids, automatic or judgement, and confidence;
        then every requirement of the domain brief with what covers it."""
        import sys

        from ..coverage.matrix import coverage, render
        from . import write_atomic

        if format not in ("text", "markdown", "json"):
            raise PacmInputError.single("command line", "bad-usage", f"--format {format!r} is not one of text, markdown, json")
        if check and out is None:
            raise PacmInputError.single("command line", "bad-usage", "--check needs --out FILE (the file to compare)")
        text = render(coverage(rules, with_cases=cases), format)
        if check:
            current = out.read_text(encoding="utf-8") if out.is_file() else None
            if current != text:
                sys.stderr.write(
                    f"pacm: {out} is stale; regenerate it with: pacm coverage --format {format} --out {out}\n"
                )
                raise typer.Exit(1)
            return
        if out is not None:
            write_atomic(str(out), text)
        else:
            sys.stdout.write(text)

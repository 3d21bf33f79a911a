"""``pacm template --xlsx FILE``: write the PDD workbook to fill in (the format lives in
:mod:`pacm.pdd.excel_template`; this module is only the command)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..errors import PacmInputError


def register(app) -> None:
    import typer

    @app.command("template")
    def template(
        xlsx: Path = typer.Option(..., "--xlsx", help="Write the PDD workbook template here (.xlsx)."),
        from_pdd: Optional[Path] = typer.Option(None, "--from", help="Fill it from this PDD (YAML or JSON)."),
    ):
        """Write a PDD workbook (one sheet per PDD section) to fill in and check with `pacm check FILE.xlsx`."""
        from ..pdd.excel_template import workbook_bytes
        from . import write_atomic

        if not str(xlsx).lower().endswith(".xlsx"):
            raise PacmInputError.single("command line", "bad-usage", f"--xlsx {str(xlsx)!r} must end in .xlsx")
        data = None
        if from_pdd is not None:
            from ..pdd.load import pdd_from_data
            from ..safeyaml import load_file

            doc = load_file(from_pdd)
            pdd_from_data(doc.data, doc, str(from_pdd))  # validate first: never write a workbook from a bad PDD
            data = doc.data
        write_atomic(str(xlsx), workbook_bytes(data))

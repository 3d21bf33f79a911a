"""Read a PDD file (YAML, JSON or a filled pacm Excel workbook) into the validated model.

Errors come out as one :class:`~pacm.errors.PacmInputError` listing every problem with its
dotted field path, its line in the file, what was found and what was expected, and, for an
unknown key, the closest valid key ("did you mean").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import PacmInputError
from ..safeyaml import MAX_BYTES, Document, describe_kind, expect_mapping, load_file
from .model import PDD
from .problems import problems_from_validation


def pdd_from_data(data: Any, doc: Document | None, source: str) -> PDD:
    if doc is not None:
        expect_mapping(doc, "a PDD mapping with 'activity', 'crediting_period', ...")
    elif not isinstance(data, dict):
        raise PacmInputError.single(
            source, "not-a-mapping", f"the document is {describe_kind(data)}", expected="a PDD mapping"
        )
    try:
        return PDD.model_validate(data)
    except ValidationError as exc:
        raise PacmInputError(source, problems_from_validation(exc, doc, data))
    except RecursionError:
        raise PacmInputError.single(source, "too-deep", "nesting too deep", expected="at most a few levels of sections")


def load_pdd(path: str | Path, max_bytes: int = MAX_BYTES) -> PDD:
    """Load and validate a PDD file; raises PacmInputError (exit 2) on any problem."""
    p = str(path)
    if p.lower().endswith((".xlsx", ".xlsm")):
        try:
            from .excel_read import read_pdd_workbook  # lazily: openpyxl is only needed here
        except ModuleNotFoundError as exc:
            raise PacmInputError.single(
                p, "missing-dependency", f"cannot read Excel workbooks in this installation ({exc.name} is missing)",
                expected="a YAML or JSON PDD",
            )

        return read_pdd_workbook(path)
    doc = load_file(path, max_bytes)
    return pdd_from_data(doc.data, doc, p)

"""Read a PDD file (YAML, JSON or a filled pacm Excel workbook) into the validated model.

Errors come out as one :class:`~pacm.errors.PacmInputError` listing every problem with its
dotted field path, its line in the file, what was found and what was expected, and, for an
unknown key, the closest valid key ("did you mean").
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import PacmInputError, Problem, did_you_mean
from ..safeyaml import MAX_BYTES, Document, expect_mapping, load_file
from .fields import _unwrap
from .model import PDD


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class at a location (for listing valid keys)."""
    model: Any = PDD
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        f = model.model_fields.get(part)
        if f is None:
            return None
        tp = _unwrap(f.annotation)
        while typing.get_origin(tp) in (list, dict):
            args = typing.get_args(tp)
            tp = _unwrap(args[-1])
        model = tp
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _describe(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, str):
        return f"the text {v[:60]!r}"
    return f"{v!r}"[:80]


def _real_loc(raw_loc: tuple, data: Any) -> tuple:
    """Keep the parts of a pydantic location that are real keys or indices of the input.

    pydantic inserts union and validator tags (``function-after[...]``, ``decimal``) into
    locations; walking the input data tells them apart from keys, whatever the keys contain.
    """
    out, cur = [], data
    for part in raw_loc:
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and not isinstance(part, int) and "[" not in str(part) and part not in (
            "decimal", "int", "str", "bool", "date", "constrained-str", "float", "lax-or-strict", "json-or-python",
        ):
            out.append(part)  # a missing key: part of the location, though absent from the input
            cur = None
    return tuple(out)


def problems_from_validation(exc: ValidationError, doc: Document | None, data: Any = None) -> list[Problem]:
    out = []
    for e in exc.errors(include_url=False):
        loc = _real_loc(tuple(e["loc"]), data if data is not None else (doc.data if doc else None))
        path = ".".join(str(p) for p in loc)
        line = doc.line_of(loc) if doc else None
        where = f"{path} (line {line})" if line else path
        etype = e["type"]
        msg = e["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if etype == "extra_forbidden":
            parent = _model_at(loc[:-1])
            valid = list(parent.model_fields) if parent else []
            hint = did_you_mean(str(loc[-1]), valid)
            exp = "one of: " + ", ".join(valid) if valid and not hint else None
            out.append(Problem("unknown-key", where, f"unknown key '{loc[-1]}'", exp, hint))
        elif etype == "missing":
            out.append(Problem("missing-field", where, "required field is missing"))
        elif etype == "literal_error":
            out.append(Problem("bad-choice", where, f"{_describe(e.get('input'))} is not allowed", msg.replace("Input should be ", "")))
        elif etype in ("model_type", "model_attributes_type", "dict_type"):
            out.append(Problem("not-a-mapping", where, f"found {_describe(e.get('input'))}", "a mapping of keys to values"))
        elif etype == "list_type":
            out.append(Problem("not-a-list", where, f"found {_describe(e.get('input'))}", "a list"))
        elif etype == "string_pattern_mismatch":
            out.append(Problem("bad-format", where, f"{_describe(e.get('input'))} has the wrong format", msg.replace("String should match pattern ", "pattern ")))
        else:
            code = etype.replace("_", "-")
            out.append(Problem(code if code != "value-error" else "bad-value", where, msg))
    return out


def pdd_from_data(data: Any, doc: Document | None, source: str) -> PDD:
    if doc is not None:
        expect_mapping(doc, "a PDD mapping with 'activity', 'crediting_period', ...")
    elif not isinstance(data, dict):
        raise PacmInputError.single(source, "not-a-mapping", "the document is not a mapping", expected="a PDD mapping")
    try:
        return PDD.model_validate(data)
    except ValidationError as exc:
        raise PacmInputError(source, problems_from_validation(exc, doc, data))
    except RecursionError:
        raise PacmInputError.single(source, "too-deep", "nesting too deep")


def load_pdd(path: str | Path, max_bytes: int = MAX_BYTES) -> PDD:
    """Load and validate a PDD file; raises PacmInputError (exit 2) on any problem."""
    p = str(path)
    if p.lower().endswith((".xlsx", ".xlsm")):
        from ..excel import read_pdd_workbook  # lazily: openpyxl is only needed here

        return read_pdd_workbook(path)
    doc = load_file(path, max_bytes)
    return pdd_from_data(doc.data, doc, p)

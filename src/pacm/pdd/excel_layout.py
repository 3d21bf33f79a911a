"""The PDD as an Excel workbook, laid out from the model: the one layout that the template writer
(:mod:`pacm.pdd.excel_template`, ``pacm template --xlsx FILE``) and the reader
(:mod:`pacm.pdd.excel_read`, ``pacm check FILE.xlsx``) share.

Why a workbook: project developers and validators live in Excel. The workbook is generated
from the pydantic model (``PDD.model_fields``, walked recursively), never from a hand-kept list,
so a field added to the model appears in the template with its description, unit and allowed
values, and the reader accepts exactly what the YAML loader accepts.

Layout (every key is the PDD's own dotted field path, so keys survive a YAML -> Excel -> YAML
round trip unchanged):

* ``instructions``: how to fill the workbook, then every field with its sheet, expected type,
  unit, whether it is required, and its description (which cites the standard's clause);
* one sheet per PDD section (``activity``, ``dates``, ``crediting_period``, ...): a key/value
  block (column A the field path, column B the value, then unit, expected, required, description),
  followed by one table per list field (a row with the list's path in column A, a header row of
  item field names, then one row per item);
* ``quantification``: methodology inputs as a name/value table and the yearly series as a wide
  table (``year`` then one column per parameter);
* ``_lists`` (hidden): the allowed values behind the drop-down lists (data validation).

No openpyxl here: the layout is plain data read off the model.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from .structure import _unwrap
from .model import PDD

INSTRUCTIONS = "instructions"
LISTS = "_lists"
HEADER = ("field", "value", "unit", "expected", "required", "description")


# =========================================================================== the model, walked
@dataclass
class Scalar:
    """A single-valued input: its path, its core type and what the template says about it."""

    path: str
    name: str
    core: Any
    description: str
    unit: str | None
    required: bool
    choices: list | None = None

    @property
    def expected(self) -> str:
        return expected_label(self.core, self.choices)


@dataclass
class Table:
    """A list or mapping field, laid out as a table below the key/value block."""

    path: str
    kind: Literal["rows", "values", "mapping", "yearly"]
    description: str
    unit: str | None
    columns: list[Scalar] = field(default_factory=list)  # rows: the item fields; values/mapping: value type


@dataclass
class Sheet:
    name: str
    description: str
    scalars: list[Scalar] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _literal_choices(tp) -> list | None:
    tp = _unwrap(tp)
    return list(typing.get_args(tp)) if typing.get_origin(tp) is Literal else None


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def expected_label(core, choices=None) -> str:
    if choices:
        return "one of: " + ", ".join(str(c) for c in choices)
    core = _unwrap(core)
    if typing.get_origin(core) in (typing.Union, types.UnionType):
        return " or ".join(expected_label(a) for a in typing.get_args(core))
    return {
        bool: "TRUE/FALSE",
        int: "whole number",
        Decimal: "number",
        float: "number",
        dt.date: "date (YYYY-MM-DD)",
        str: "text",
    }.get(core, "text")


def _unit(info) -> str | None:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return extra.get("unit")


def _scalar(path: str, name: str, info, required: bool) -> Scalar:
    core = _unwrap(info.annotation)
    return Scalar(path, name, core, info.description or "", _unit(info), required and info.is_required(), _literal_choices(core))


@lru_cache(maxsize=1)
def layout() -> tuple[Sheet, ...]:
    """The workbook's sheets, read off the PDD model."""
    sheets: list[Sheet] = []
    top_scalars: list[Scalar] = []

    def walk(model: type[BaseModel], prefix: str, sheet: Sheet, required: bool):
        for name, info in model.model_fields.items():
            path = f"{prefix}.{name}"
            tp = _unwrap(info.annotation)
            origin = typing.get_origin(tp)
            if _is_model(tp):
                walk(tp, path, sheet, required and info.is_required())
            elif origin is list:
                item = _unwrap(typing.get_args(tp)[0])
                if _is_model(item):
                    cols = [_scalar(f"{path}.{n}", n, i, True) for n, i in item.model_fields.items()]
                    sheet.tables.append(Table(path, "rows", info.description or "", _unit(info), cols))
                else:
                    col = Scalar(path, "value", item, "", None, True, _literal_choices(item))
                    sheet.tables.append(Table(path, "values", info.description or "", _unit(info), [col]))
            elif origin is dict:
                val = _unwrap(typing.get_args(tp)[1])
                if typing.get_origin(val) is dict:
                    num = _unwrap(typing.get_args(val)[1])
                    col = Scalar(path, "value", num, "", None, True)
                    sheet.tables.append(Table(path, "yearly", info.description or "", _unit(info), [col]))
                else:
                    col = Scalar(path, "value", val, "", None, True)
                    sheet.tables.append(Table(path, "mapping", info.description or "", _unit(info), [col]))
            else:
                sheet.scalars.append(_scalar(path, name, info, required))

    for name, info in PDD.model_fields.items():
        tp = _unwrap(info.annotation)
        if _is_model(tp):
            sh = Sheet(name, info.description or tp.__doc__ or "")
            walk(tp, name, sh, info.is_required())
            sheets.append(sh)
        else:
            top_scalars.append(_scalar(name, name, info, True))
    # top-level scalars (the format version) lead the first section's key/value block
    sheets[0].scalars[:0] = top_scalars
    return tuple(sheets)


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Scalar], dict[str, Table]]:
    scalars, tables = {}, {}
    for sh in layout():
        for s in sh.scalars:
            scalars[s.path] = s
        for t in sh.tables:
            tables[t.path] = t
    return scalars, tables


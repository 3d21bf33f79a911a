"""The PDD model's structure: its scalar fields, lists, sections and objects, read off the pydantic model.

:mod:`pacm.pdd.fields` is the public face (the field registry and :func:`~pacm.pdd.fields.flatten`); this module
holds what both it and the derive layer (:mod:`pacm.pdd.derive`) need of the model, so neither imports the other
in a circle (the import contract of docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from ..expr.ir import BOOL, DATE, NUM, STR
from .model import PDD

CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "context.as_of": (DATE, "Date the evaluation is made for (--as-of)."),
    "context.host_ldc": (BOOL, "Host Party is a least developed country on the relevant date (derived from the rule pack's host tables, rules/hosts/)."),
    "context.host_sids": (BOOL, "Host Party is a small island developing State (derived from the rule pack's host tables, rules/hosts/)."),
    "context.host_known": (BOOL, "Host Party code is in the UN M49 table (derived)."),
    "context.reversal_risk_reassessment_due_since": (DATE, "Latest 5-year anniversary (removals.reversal_risk_reassessment_years) of the first crediting period's start on or before --as-of; absent in the first period (derived from crediting_period and the parameter)."),
    "context.methodology_registry": (STR, "The methodology registry file(s) in use (methodologies/registry.yaml, plus --methodologies)."),
    "context.methodology_kind": (STR, "Kind of the PDD's methodology in the registry: 'mechanism' (A6.4-AMM) or 'cdm' (absent: not listed)."),
    "context.methodology_activities": (STR, "Uses the registry allows for the methodology version (new, transitioned, renewal)."),
    "context.methodology_allows_use": (BOOL, "The registry allows the methodology version for this PDD's methodology_use."),
    "context.methodology_approved_on": (DATE, "Date the methodology version was approved (registry)."),
    "context.methodology_valid_until": (DATE, "Last day a mechanism methodology version is in force (registry)."),
    "context.methodology_entry_source": (STR, "Registry file that lists the methodology version."),
}

# What to tell the user when a rule cannot be decided because a context fact is absent: the PDD
# cannot supply these, so "provide context.x" would be wrong. Keys are prefixes of context fields.
CONTEXT_MISSING: dict[str, str] = {
    "context.methodology_": (
        "methodology {activity.methodology.id} v{activity.methodology.version} is not in the methodology registry "
        "({context.methodology_registry}); `pacm methodologies` lists the ids and versions it knows; add an entry "
        "with `--methodologies FILE` if the Supervisory Body has approved it"
    ),
}


def _unwrap(tp):
    """Strip Optional/Annotated; return the core type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
            return tp
        return tp


def _scalar_type(tp) -> str | None:
    tp = _unwrap(tp)
    if typing.get_origin(tp) is Literal:
        vals = typing.get_args(tp)
        return STR if all(isinstance(v, str) for v in vals) else None
    if tp is bool:
        return BOOL
    if tp in (int, float, Decimal):
        return NUM
    if tp is dt.date:
        return DATE
    if tp is str:
        return STR
    return None


@dataclass(frozen=True)
class Structure:
    """What a PDD holds, read off the model: its scalar fields (in model order), its lists (with the type of
    their items) and its sections. The derive layer (:mod:`pacm.pdd.derive`) is checked against it."""

    scalars: dict  # path -> {type, description, unit, derived: False, choices}
    lists: dict  # path -> {field: type} for a list of sections, or a type for a list of plain values
    sections: tuple  # dotted paths of every section (nested models), root excluded
    objects: tuple  # "" (the PDD itself) and every section path, in the order the model walks them


def _walk(model: type[BaseModel], prefix: str, visit) -> None:
    """Walk the model in field order; ``visit(kind, path, info)`` for each scalar, list and section, and
    ``visit("end", object_path, None)`` after the fields of each object (the place of its derived fields)."""
    for name, info in model.model_fields.items():
        tp = _unwrap(info.annotation)
        path = f"{prefix}{name}"
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            visit("section", path, info)
            _walk(tp, path + ".", visit)
            continue
        if typing.get_origin(tp) is list:
            visit("list", path, info)
            continue
        visit("scalar", path, info)
    visit("end", prefix[:-1], None)


def _item_of(info) -> dict | str | None:
    (arg,) = typing.get_args(_unwrap(info.annotation)) or (None,)
    core = _unwrap(arg) if arg is not None else None
    if isinstance(core, type) and issubclass(core, BaseModel):
        return {n: t for n, i in core.model_fields.items() if (t := _scalar_type(i.annotation)) is not None}
    return _scalar_type(arg) if arg is not None else None


@lru_cache(maxsize=1)
def structure() -> Structure:
    scalars: dict[str, dict] = {}
    lists: dict[str, Any] = {}
    sections: list[str] = []
    objects: list[str] = []

    def visit(kind, path, info):
        if kind == "section":
            sections.append(path)
        elif kind == "end":
            objects.append(path)
        elif kind == "list":
            item = _item_of(info)
            if item is not None:
                lists[path] = item
        else:
            st = _scalar_type(info.annotation)
            if st is None:
                return  # free-form maps: not rule fields
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            core = _unwrap(info.annotation)
            scalars[path] = {
                "type": st,
                "description": info.description or "",
                "unit": extra.get("unit"),
                "derived": False,
                "choices": list(typing.get_args(core)) if typing.get_origin(core) is Literal else None,
            }

    _walk(PDD, "", visit)
    return Structure(scalars, lists, tuple(sections), tuple(objects))


def registry_with(layer) -> dict[str, dict]:
    """The field registry with the derived fields of ``layer`` (a :class:`pacm.pdd.derive.Layer`)."""
    scalars = structure().scalars
    by_object: dict[str, list] = {}
    for d in layer.fields:
        by_object.setdefault(d.object, []).append(d)
    out: dict[str, dict] = {}

    def visit(kind, path, info):
        if kind == "scalar" and path in scalars:
            out[path] = scalars[path]
        elif kind == "end":
            for d in by_object.get(path, ()):
                out[d.path] = d.registry_entry()

    _walk(PDD, "", visit)
    for path, (t, desc) in CONTEXT_FIELDS.items():
        out[path] = {"type": t, "description": desc, "unit": None, "derived": True, "choices": None}
    return out



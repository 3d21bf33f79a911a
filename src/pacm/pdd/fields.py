"""The flat view of a PDD that rules read: dotted paths with one of four types.

The registry is read off the pydantic model (so a rule naming a field that does not exist is a
load error with a "did you mean"), and :func:`flatten` turns a validated PDD into a dict of
``path -> value`` with absent values *dropped* (never ``None``: durable-rules treats JSON null as
present, hazard 10). Lists and free-form maps are not rule fields; their aggregates are derived
fields on the model (hazard 11).

Besides the PDD, a small ``context`` namespace carries facts about the evaluation itself
(``context.as_of``) and about the host Party on that date (``context.host_ldc`` ...), which the
engine derives from the data tables in ``pacm/data``.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from ..expr.ir import BOOL, DATE, NUM, STR
from .model import PDD

CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "context.as_of": (DATE, "Date the evaluation is made for (--as-of)."),
    "context.host_ldc": (BOOL, "Host Party is a least developed country on the relevant date (derived from pacm/data)."),
    "context.host_sids": (BOOL, "Host Party is a small island developing State (derived from pacm/data)."),
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


@lru_cache(maxsize=1)
def registry() -> dict[str, dict]:
    """``path -> {type, description, unit, derived, choices}`` for every rule-readable field."""
    out: dict[str, dict] = {}

    def walk(model: type[BaseModel], prefix: str):
        for name, info in model.model_fields.items():
            tp = _unwrap(info.annotation)
            path = f"{prefix}{name}"
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                walk(tp, path + ".")
                continue
            st = _scalar_type(info.annotation)
            if st is None:
                continue  # lists and maps: not rule fields
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            choices = None
            core = _unwrap(info.annotation)
            if typing.get_origin(core) is Literal:
                choices = list(typing.get_args(core))
            out[path] = {
                "type": st,
                "description": info.description or "",
                "unit": extra.get("unit"),
                "derived": False,
                "choices": choices,
            }
        for name, cinfo in model.model_computed_fields.items():
            st = _scalar_type(cinfo.return_type)
            if st is None:
                continue
            extra = cinfo.json_schema_extra if isinstance(cinfo.json_schema_extra, dict) else {}
            out[f"{prefix}{name}"] = {
                "type": st,
                "description": cinfo.description or "",
                "unit": None,
                "derived": True,
                "choices": None,
                # fields this derived value may simply be (a fallback): comparing with them proves nothing
                "may_equal": tuple(f"{prefix}{m}" for m in extra.get("may_equal", ())),
                # the PDD inputs it is computed from (what a user can change when it is missing or failing)
                "inputs": tuple(extra.get("inputs", ())),
            }

    walk(PDD, "")
    for path, (t, desc) in CONTEXT_FIELDS.items():
        out[path] = {"type": t, "description": desc, "unit": None, "derived": True, "choices": None}
    return out


def field_type(path: str) -> str | None:
    info = registry().get(path)
    return info["type"] if info else None


def flatten(pdd: PDD, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """``path -> value`` for every present scalar field of a PDD, derived fields included."""
    reg = registry()
    data = pdd.model_dump(mode="python")
    out: dict[str, Any] = {}

    def walk(obj, prefix):
        for k, v in obj.items():
            path = f"{prefix}{k}"
            if isinstance(v, dict) and path not in reg:
                walk(v, path + ".")
            elif v is not None and path in reg:
                out[path] = v

    walk(data, "")
    for k, v in (context or {}).items():
        if v is not None:
            out[k] = v
    return out

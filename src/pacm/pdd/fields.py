"""The flat view of a PDD that rules read: dotted paths with one of four types.

The registry is read off the pydantic model (so a rule naming a field that does not exist is a
load error with a "did you mean"), and :func:`flatten` turns a validated PDD into a dict of
``path -> value`` with absent values *dropped* (never ``None``: durable-rules treats JSON null as
present, hazard 10). Lists and free-form maps are not rule fields; their aggregates are derived
fields on the model (hazard 11).

Besides the PDD, a small ``context`` namespace carries facts about the evaluation itself
(``context.as_of``) and about the host Party on that date (``context.host_ldc`` ...), which the
engine derives from the rule pack's host tables (``rules/hosts/``).
"""

from __future__ import annotations

from typing import Any

from .model import PDD
from .structure import CONTEXT_FIELDS, CONTEXT_MISSING, Structure, registry_with, structure  # noqa: F401  (public names)


def registry() -> dict[str, dict]:
    """``path -> {type, description, unit, derived, choices}`` for every rule-readable field: the model's own
    fields, the derived fields of the bundled rule pack's derive layer (``rules/derive.yaml``, each placed after
    the fields of the object it belongs to) and the ``context`` facts."""
    from .derive import default_layer

    return default_layer().registry


def field_type(path: str) -> str | None:
    info = registry().get(path)
    return info["type"] if info else None


def flatten(pdd: PDD, context: dict[str, Any] | None = None, layer=None) -> dict[str, Any]:
    """``path -> value`` for every present scalar field of a PDD, derived fields included.

    The derived fields are those of ``layer`` (the rule pack's derive layer; by default the bundled
    ``rules/derive.yaml``), computed on the PDD's own fields; absent values are dropped, never ``None``."""
    from .derive import default_layer

    layer = layer if layer is not None else default_layer()
    facts = layer.facts_of(pdd)
    reg = layer.registry
    get = facts.get
    out: dict[str, Any] = {p: v for p in reg if (v := get(p)) is not None}
    for k, v in (context or {}).items():
        if v is not None:
            out[k] = v
    return out

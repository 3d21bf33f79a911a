"""Rules as data: the selection behind ``pacm rules`` and the explanation behind ``pacm explain``,
shared by the CLI and the web service so both list and explain rules the same way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import PacmInputError, did_you_mean


def select_rules(pack, area: str | None = None, clause: str | None = None, as_json: bool = True):
    """Rules of ``pack`` in ``area`` and/or citing ``clause``; an unknown area is bad input (exit 2)."""
    areas = sorted({r.area for r in pack.rules})
    if area and area not in areas:
        raise PacmInputError.single("command line", "unknown-area", f"--area {area!r} is not an area of the rule pack",
                                    expected="one of " + ", ".join(areas), hint=did_you_mean(area, areas))
    sel = [r for r in pack.rules if (not area or r.area == area)]
    if clause:
        needle = clause.lower()
        sel = [r for r in sel if needle == r.reference.get("paragraph", "").lower().split("(")[0] or needle in r.citation().lower()]
    if not as_json:
        return sel
    return [{"id": r.id, "kind": r.kind, "title": r.title, "reference": r.citation(), "confidence": r.confidence,
             "section": r.section, "source": f"{Path(r.source).name}:{r.line}"} for r in sel]


def explain_data(pack, rule_id: str, day: dt.date) -> dict:
    """One rule as data: clause, condition, fields and the parameters in force on ``day``."""
    from .expr.ir import render

    r = pack.get(rule_id)
    if r is None:
        raise PacmInputError.single("command line", "unknown-rule", f"no rule '{rule_id}'",
                                    hint=did_you_mean(rule_id, [x.id for x in pack.rules]))
    out = {
        "id": r.id, "title": r.title, "kind": r.kind, "severity": r.severity, "confidence": r.confidence,
        "area": r.area, "section": r.section, "reference": r.citation(), "reference_detail": dict(r.reference),
        "source": f"{Path(r.source).name}:{r.line}", "clause": " ".join(str(r.clause).split()),
        "effective_from": r.effective_from.isoformat() if r.effective_from else None,
        "effective_until": r.effective_until.isoformat() if r.effective_until else None,
        "applies_if": render(r.applies), "fields": list(r.fields), "as_of": day.isoformat(), "parameters": [],
    }
    if r.kind == "automatic":
        out["require"] = render(r.require)
    else:
        out["confirm"] = " ".join(str(r.confirm).split())
        out["evidence"] = list(r.evidence)
    out["derived"] = [{k: v for k, v in d.items() if k != "path"} for d in derived_fields(pack, r.fields)]
    for name in r.params:
        d = pack.params.describe(name, day)
        out["parameters"].append({k: (v.isoformat() if isinstance(v, dt.date) else (str(v) if k == "value" else v))
                                  for k, v in d.items() if k != "source"})
    return out


def derived_fields(pack, fields) -> list[dict]:
    """The definitions (``rules/derive.yaml``) of the derived fields among ``fields``, and of the derived fields
    those read, so a reader sees how each value the rule compares is computed."""
    layer = getattr(pack, "derive", None)
    if layer is None:
        return []
    from .expr.ir import fields_of

    defs = layer.by_path()
    out: list[dict] = []
    todo = [f for f in fields if f in defs]
    seen: set = set()
    while todo:
        f = todo.pop(0)
        if f in seen:
            continue
        seen.add(f)
        d = defs[f]
        out.append({"field": d.path, "type": d.type, "value": d.value_src, "description": d.description,
                    "reference": dict(d.reference), "source": f"{Path(layer.source).name}:{d.line}",
                    "path": f"{layer.source}:{d.line}"})
        todo += [g for g in fields_of(d.expr) if g in defs and g not in seen]
    return out


def derived_text(pack, fields) -> str:
    """``pacm explain``'s lines for :func:`derived_fields` (empty when the rule reads none)."""
    items = derived_fields(pack, fields)
    if not items:
        return ""
    lines = ["Derived fields (computed before the rules run):"]
    for d in items:
        lines.append(f"  {d['field']} = {d['value']}")
        lines.append(f"      defined in {d['path']}")
        lines.append(f"      {d['description']}")
    return "\n".join(lines) + "\n"

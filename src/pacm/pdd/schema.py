"""JSON Schema of the PDD format, for editors (yaml-language-server) and other tools.

Published as ``schema/pdd.schema.json`` (tests fail when it is stale). Two touches make it match
what pacm accepts and what an editor shows on hover:

* a field's unit (the ``unit`` keyword the model carries) is also appended to its description,
  since editors show descriptions and ignore unknown keywords;
* numbers are numbers: pydantic lets a Decimal be a JSON string, but the PDD loader refuses a
  quoted number, so the plain ``{"type": "string"}`` alternative is dropped beside ``number``.

The fields pacm derives from a PDD (``rules/derive.yaml``) are not keys a PDD may give, so they are not
``properties``; the schema lists them under ``x-pacm-derived`` (a keyword editors and validators ignore)
with their type, description and definition.
"""

from __future__ import annotations

from typing import Any

from .model import PDD


def _tidy(node: Any) -> None:
    if isinstance(node, dict):
        unit = node.get("unit")
        desc = node.get("description")
        if isinstance(unit, str) and isinstance(desc, str) and f"[{unit}]" not in desc:
            node["description"] = f"{desc} [{unit}]"
        alts = node.get("anyOf")
        if isinstance(alts, list) and any(isinstance(a, dict) and a.get("type") == "number" for a in alts) \
                and {"type": "string"} in alts:
            node["anyOf"] = [a for a in alts if a != {"type": "string"}]
        for v in node.values():
            _tidy(v)
    elif isinstance(node, list):
        for v in node:
            _tidy(v)


def pdd_json_schema() -> dict:
    schema = PDD.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("description", "Project design document for an Article 6.4 (PACM) activity, as checked by pacm.")
    _tidy(schema)
    schema["x-pacm-derived"] = derived_schema()
    return schema


_JSON_TYPE = {"integer": {"type": "integer"}, "number": {"type": "number"}, "date": {"type": "string", "format": "date"},
              "bool": {"type": "boolean"}, "string": {"type": "string"}}


def derived_schema() -> dict:
    """``path -> {type, description, x-pacm-value, x-pacm-source}`` for each field of the bundled derive layer."""
    from .derive import default_layer

    layer = default_layer()
    return {d.path: {**_JSON_TYPE[d.type], "description": d.description, "readOnly": True,
                     "x-pacm-value": d.value_src, "x-pacm-source": f"rules/derive.yaml line {d.line}"}
            for d in layer.fields}

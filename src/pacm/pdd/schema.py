"""JSON Schema of the PDD format, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

from .model import PDD


def pdd_json_schema() -> dict:
    schema = PDD.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("description", "Project design document for an Article 6.4 (PACM) activity, as checked by pacm.")
    return schema

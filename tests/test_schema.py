"""The published JSON Schema (schema/pdd.schema.json): fresh, described, and right about the examples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pacm.cli import main
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "schema" / "pdd.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MODELINE = "# yaml-language-server: $schema=../schema/pdd.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def _properties(schema: dict):
    """(where, name, property schema) for every property of the root and of every definition."""
    for name, prop in schema.get("properties", {}).items():
        yield "PDD", name, prop
    for dname, d in schema.get("$defs", {}).items():
        for name, prop in d.get("properties", {}).items():
            yield dname, name, prop


def _allows_number(prop: dict) -> bool:
    alts = prop.get("anyOf", [prop])
    return any(a.get("type") == "number" for a in alts)


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def test_published_schema_is_current(capsys):
    assert main(["schema"]) == 0
    current = capsys.readouterr().out
    assert PUBLISHED.read_text(encoding="utf-8") == current, (
        "schema/pdd.schema.json is stale: run `pacm schema --out schema/pdd.schema.json`"
    )


def test_schema_is_valid_draft_2020_12(schema):
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_field_has_a_description(schema):
    assert schema.get("description")
    missing = [f"{where}.{name}" for where, name, prop in _properties(schema) if not str(prop.get("description", "")).strip()]
    assert missing == [], f"fields without a description (add one in src/pacm/pdd/model.py): {missing}"


def test_every_number_has_a_unit(schema):
    """Numbers carry their unit (shown in the description too); the methodology maps take the
    methodology's own units, so they say so instead."""
    lacking = [
        f"{where}.{name}"
        for where, name, prop in _properties(schema)
        if _allows_number(prop) and not (prop.get("unit") and f"[{prop['unit']}]" in prop["description"])
    ]
    assert lacking == []
    assert "methodology" in schema["$defs"]["Quantification"]["properties"]["inputs"]["description"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_reference_and_satisfy_the_schema(schema, example):
    assert example.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    assert (example.parent / "../schema/pdd.schema.json").resolve() == PUBLISHED.resolve()
    data = _jsonable(load_file(example).data)
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_schema_catches_what_the_loader_refuses(schema):
    """An editor using the schema flags a misspelt key, a quoted number and a bad choice as it is typed."""
    v = Draft202012Validator(schema)
    data = _jsonable(load_file(EXAMPLES[0]).data)
    data["activity"]["titel"] = data["activity"].pop("title")
    data["activity"]["capacity_mw"] = "50.4"
    data["activity"]["type"] = "reduction"
    where = sorted(tuple(e.path) or (e.validator,) for e in v.iter_errors(data))
    messages = " ".join(e.message for e in v.iter_errors(data))
    assert ("activity", "capacity_mw") in where and ("activity", "type") in where
    assert "'titel' was unexpected" in messages and "'title' is a required property" in messages

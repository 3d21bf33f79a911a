"""pydantic's validation errors as pacm :class:`~pacm.errors.Problem` s, for every PDD reader.

The YAML/JSON loader (:mod:`pacm.pdd.load`) and the workbook reader (:mod:`pacm.pdd.excel_read`) both
turn a failed ``PDD.model_validate`` into the same problems: dotted field path, line (or cell), what was
found, what was expected, a stable code, and for an unknown key the closest valid key ("did you mean").
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, did_you_mean
from ..safeyaml import Document, describe_kind, where
from .structure import _unwrap
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


_VALIDATOR_TAGS = (
    "decimal", "int", "str", "bool", "date", "constrained-str", "float", "lax-or-strict", "json-or-python",
)


def _real_loc(raw_loc: tuple, data: Any) -> tuple:
    """Keep the parts of a pydantic location that are real keys or indices of the input.

    pydantic inserts union and validator tags (``function-after[...]``, ``decimal``) and
    ``[key]`` (an error in a mapping key) into locations; walking the input data tells them
    apart from keys, whatever the keys contain.
    """
    out, cur = [], data
    for part in raw_loc:
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and not isinstance(part, int) and "[" not in str(part) and part not in _VALIDATOR_TAGS:
            out.append(part)  # a missing key: part of the location, though absent from the input
            cur = None
    return tuple(out)


def _choices(ctx_expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", ctx_expected or "")


def _required_keys(model: type[BaseModel]) -> list[str]:
    return [n for n, f in model.model_fields.items() if f.is_required()]


def _field_info(loc: tuple):
    parent = _model_at(loc[:-1])
    if parent is None or not loc or isinstance(loc[-1], int):
        return None
    return parent.model_fields.get(str(loc[-1]))


def _expected_of(info) -> str | None:
    """What a field takes, in words, from its annotation (for "required field is missing")."""
    if info is None:
        return None
    tp = _unwrap(info.annotation)
    if typing.get_origin(tp) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    words = {dt.date: "a date YYYY-MM-DD", Decimal: "a number", int: "a whole number", bool: "true or false", str: "text"}
    if typing.get_origin(tp) is list:
        return "a list"
    return words.get(tp)


def _one(e: dict, loc: tuple, where: str) -> Problem:
    """One pydantic error in pacm's words: found / expected / hint and a stable code."""
    etype = e["type"]
    ctx = e.get("ctx") or {}
    inp = e.get("input")
    msg = e["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "found" in ctx and "expected" in ctx:  # raised by pacm.pdd.types (already in pacm's words)
        return Problem(etype, where, ctx["found"], ctx["expected"], ctx.get("hint") or None)
    if etype == "extra_forbidden":
        parent = _model_at(loc[:-1])
        valid = list(parent.model_fields) if parent else []
        hint = did_you_mean(str(loc[-1]), valid)
        exp = "one of: " + ", ".join(valid) if valid and not hint else None
        return Problem("unknown-key", where, f"unknown key '{loc[-1]}'", exp, hint)
    if etype == "missing":
        name = loc[-1] if loc else "?"
        sub = _model_at(loc)
        info = _field_info(loc)
        if sub is not None:
            req = _required_keys(sub)
            exp = f"a '{name}' mapping" + (f" with at least: {', '.join(req)}" if req else "")
            return Problem("missing-key", where, f"required section '{name}' is missing", exp)
        desc = (info.description or "").rstrip(".") if info is not None else ""
        what = f"required field '{name}' is missing" + (f" ({desc[0].lower() + desc[1:]})" if desc else "")
        return Problem("missing-key", where, what, _expected_of(info))
    if etype == "literal_error":
        choices = _choices(ctx.get("expected", ""))
        hint = did_you_mean(str(inp), choices) if isinstance(inp, str) else None
        return Problem("bad-choice", where, f"found {describe_kind(inp)}", "one of " + ", ".join(repr(c) for c in choices) if choices else msg, hint)
    if etype in ("model_type", "model_attributes_type", "dict_type"):
        sub = _model_at(loc)
        keys = ", ".join(list(sub.model_fields)[:6]) + ", ..." if sub is not None and len(sub.model_fields) > 6 else (
            ", ".join(sub.model_fields) if sub is not None else ""
        )
        exp = f"a mapping with keys such as {keys}" if keys else "a mapping of keys to values"
        return Problem("not-a-mapping", where, f"found {describe_kind(inp)}", exp)
    if etype == "list_type":
        return Problem("not-a-list", where, f"found {describe_kind(inp)}", "a list (items on lines starting with '- ', or [a, b])")
    if etype in ("string_too_short", "too_short") and isinstance(inp, str):
        return Problem("empty-text", where, "found an empty text", "some text")
    if etype in ("string_too_long", "too_long") and isinstance(inp, str):
        return Problem(
            "text-too-long", where, f"found a text of {len(inp):,} characters", f"at most {ctx.get('max_length'):,} characters"
        )
    if etype in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}[etype]
        limit = ctx.get(bound)
        exp = {"ge": f"{limit} or more", "le": f"{limit} or less", "gt": f"more than {limit}", "lt": f"less than {limit}"}[bound]
        return Problem("out-of-range", where, f"found {describe_kind(inp)}", exp)
    if etype == "string_pattern_mismatch":
        return Problem("bad-format", where, f"found {describe_kind(inp)}", msg.replace("String should match pattern ", "pattern "))
    # Any other pydantic error type: pacm's own code, never pydantic's type name, so that a new
    # pydantic release cannot change the code a user or a script sees (issue 9).
    return Problem("bad-value", where, msg)


#: At most this many problems are spelt out; the rest are counted (a 2 MB file of typos
#: would otherwise print 100,000 lines and spend a minute finding "did you mean" hints).
MAX_PROBLEMS = 20


def problems_from_validation(exc: ValidationError, doc: Document | None, data: Any = None) -> list[Problem]:
    """pydantic's errors as pacm :class:`Problem` s: dotted path, line, found, expected, code.

    Errors of a union (``quantification.inputs`` takes a number, true/false, text or date) are
    merged into one problem per location; problems are ordered by line, an unknown key before
    the "missing field" it usually explains (a missing field that a misspelt sibling stands for
    is not reported twice). Past :data:`MAX_PROBLEMS`, a last problem counts the rest.
    """
    src_data = data if data is not None else (doc.data if doc else None)
    grouped: dict[tuple, list] = {}
    for e in exc.errors(include_url=False):
        loc = _real_loc(tuple(e["loc"]), src_data)
        grouped.setdefault(loc, []).append(e)
    # a missing field that an unknown sibling key is a typo of ("irr" for "irr_pct") is explained
    unknown_by_parent: dict[tuple, list] = {}
    for loc, errs in grouped.items():
        if loc and any(e["type"] == "extra_forbidden" for e in errs):
            unknown_by_parent.setdefault(loc[:-1], []).append(str(loc[-1]))
    explained = set()
    for loc, errs in grouped.items():
        if loc and all(e["type"] == "missing" for e in errs) and loc[:-1] in unknown_by_parent:
            for key in unknown_by_parent[loc[:-1]][:50]:
                if did_you_mean(key, [str(loc[-1])]):
                    explained.add(loc)
                    break
    order = []
    for n, (loc, errs) in enumerate(grouped.items()):
        if loc in explained:
            continue
        line = doc.line_of(loc) if doc else None
        rank = 0 if any(e["type"] == "extra_forbidden" for e in errs) else 1
        order.append((line if line is not None else 10**9, rank, n, loc, line))
    order.sort(key=lambda t: t[:3])
    out: list[Problem] = []
    for *_, loc, line in order[:MAX_PROBLEMS]:
        errs = grouped[loc]
        here = where(loc, line)
        specific = [e for e in errs if "found" in (e.get("ctx") or {}) and e["type"] != "wrong-type"]
        if len(errs) > 1 and specific:  # a union member that matched the type but not its bounds
            out.append(_one(specific[0], loc, here))
        elif len(errs) > 1 and all("found" in (e.get("ctx") or {}) for e in errs):
            exps: list[str] = []
            for e in errs:
                x = e["ctx"]["expected"]
                if x not in exps:
                    exps.append(x)
            joined = exps[0] if len(exps) == 1 else ", ".join(exps[:-1]) + " or " + exps[-1]
            out.append(Problem("wrong-type", here, errs[0]["ctx"]["found"], joined))
        else:
            out.extend(_one(e, loc, here) for e in errs)
    if len(order) > MAX_PROBLEMS:
        rest = len(order) - MAX_PROBLEMS
        out.append(Problem("more-problems", "", f"... and {rest:,} more problem{'s' if rest > 1 else ''} not shown"))
    return out

"""Dated, referenced parameters: every number a standard sets.

A parameter file (``rules/parameters/<area>.yaml``) maps parameter names to entries in the
OpenFisca style::

    renewable_max_years:
      description: Longest renewable crediting period for emission reductions
      unit: year
      reference: {document: "Decision 3/CMA.3, annex (RMP)", paragraph: "31"}
      confidence: secondary        # confirmed | secondary | unconfirmed (domain brief tags C/S/M)
      values:
        2021-11-13: {value: 5}

The full name is ``<area>.<key>`` (``crediting_period.renewable_max_years``); rules write it as
``params.crediting_period.renewable_max_years``. The value in force on a date is the one with the
latest start on or before that date. Users may override values (``--param``/``--params``); the
report lists every override so a finding is never silently computed on changed numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .citation import parse_reference
from .errors import Collected, PacmInputError, RulePackError, did_you_mean
from .expr.ir import BOOL, DATE, NUM, STR
from .safeyaml import describe_kind, expect_mapping, load_file, loads_yaml

CONFIDENCE = ("confirmed", "secondary", "unconfirmed")
_ENTRY_KEYS = {"description", "unit", "choices", "reference", "confidence", "values", "note"}


def type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, Decimal)):
        return NUM
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return DATE
    if isinstance(value, str):
        return STR
    return None


@dataclass
class DatedValue:
    start: dt.date
    value: Any
    reference: dict | None = None
    confidence: str | None = None


@dataclass
class Parameter:
    name: str
    description: str
    unit: str | None
    reference: dict
    confidence: str
    values: list[DatedValue]
    type: str
    source: str
    #: the closed list of values a ``unit: choice`` parameter takes (its dated values and any override)
    choices: tuple[str, ...] | None = None

    def at(self, on: dt.date) -> DatedValue | None:
        best = None
        for v in self.values:
            if v.start <= on:
                best = v
        return best


@dataclass
class ParameterSet:
    """All parameters of a rule pack, with user overrides on top."""

    params: dict[str, Parameter] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    override_sources: dict[str, str] = field(default_factory=dict)

    def type_of(self, name: str) -> str | None:
        p = self.params.get(name)
        return p.type if p else None

    def names(self):
        return self.params.keys()

    def value(self, name: str, on: dt.date) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        dv = self.params[name].at(on)
        if dv is None:
            raise KeyError(name)
        return dv.value

    def resolve(self, names, on: dt.date) -> dict[str, Any]:
        out = {}
        for n in names:
            try:
                out[n] = self.value(n, on)
            except KeyError:
                first = self.params[n].values[0].start
                raise PacmInputError.single(
                    self.params[n].source,
                    "parameter-not-in-force",
                    f"parameter '{n}' has no value in force on {on} (first value from {first})",
                    loc=n,
                    expected=f"an --as-of date on or after {first}",
                )
        return out

    def confidence(self, name: str, on: dt.date) -> str:
        if name in self.overrides:
            return "override"
        p = self.params[name]
        dv = p.at(on)
        return (dv.confidence if dv and dv.confidence else p.confidence)

    def describe(self, name: str, on: dt.date) -> dict:
        p = self.params[name]
        dv = p.at(on)
        return {
            "name": name,
            "value": self.overrides.get(name, dv.value if dv else None),
            "overridden": name in self.overrides,
            "override_source": self.override_sources.get(name),
            "in_force_from": dv.start.isoformat() if dv else None,
            "unit": p.unit,
            "confidence": self.confidence(name, on),
            "reference": (dv.reference if dv and dv.reference else p.reference),
            "description": p.description,
            "source": p.source,
        }

    # ------------------------------------------------------------ overrides
    def override(self, name: str, raw: Any, source: str, loc: str | None = None) -> None:
        """Override parameter ``name`` with ``raw`` (a YAML scalar as text, or a loaded value).

        ``source`` names where the override came from (the report lists it); ``loc`` is the place
        inside it for error messages (``NAME (line 3)`` in a file; ``""`` when ``source`` says it all).
        """
        where_ = loc if loc is not None else name
        if name not in self.params:
            hint = did_you_mean(name, self.params)
            area = name.split(".")[0]
            near = sorted(n for n in self.params if n.split(".")[0] == area)
            exp = None
            if not hint:
                exp = ("one of: " + ", ".join(near)) if near and len(near) <= 12 else "a name listed by 'pacm explain RULE' (area.name)"
            raise PacmInputError.single(
                source, "unknown-parameter", f"unknown parameter '{name}'", loc=where_, expected=exp, hint=hint
            )
        p = self.params[name]
        value = raw
        example = _show_value(p.values[-1].value)
        if isinstance(raw, str) and p.type != STR:
            if not raw.strip():
                raise PacmInputError.single(
                    source, "parameter-type", f"no value given for '{name}'", loc=where_,
                    expected=f"a {p.type} such as {example}",
                )
            try:
                value = loads_yaml(raw, source).data
            except PacmInputError as exc:  # say where: the command line or the file, and the parameter
                first = exc.problems[0]
                raise PacmInputError.single(
                    source, first.code, f"the value {raw!r} cannot be read: {first.message}", loc=where_,
                    expected=first.expected or f"a {p.type} such as {example}", hint=first.hint,
                )
        if p.type == NUM and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            value = Decimal(value)
        if type_of(value) != p.type:
            raise PacmInputError.single(
                source,
                "parameter-type",
                f"the override of '{name}' is {describe_kind(value)}",
                loc=where_,
                expected=f"a {p.type} such as {example}",
                hint="quote a date or number that is meant as text" if p.type == STR else None,
            )
        problem = domain_problem(p.unit, p.choices, value)
        if problem:
            code, message, expected, hint = problem
            raise PacmInputError.single(source, code, f"the override of '{name}': {message}", loc=where_,
                                        expected=expected, hint=hint)
        self.overrides[name] = value
        self.override_sources[name] = source

    def override_from_file(self, path: str) -> None:
        doc = load_file(path)
        data = expect_mapping(doc, "a mapping of parameter names to values (name: value)")
        for k, v in data.items():
            if isinstance(v, dict):
                raise PacmInputError.single(
                    path, "parameter-type", f"the override of '{k}' is a mapping", loc=doc.where((k,)),
                    expected="one value per parameter: 'area.name: value'",
                )
            known = self.params.get(str(k))
            if known is not None and known.type != STR and isinstance(v, str):  # a file's values are typed
                raise PacmInputError.single(
                    path, "parameter-type", f"the override of '{k}' is the text {v!r}", loc=doc.where((k,)),
                    expected=f"a {known.type} such as {_show_value(known.values[-1].value)}", hint="remove the quotes",
                )
            self.override(str(k), v, f"{path}", loc=doc.where((k,)))


def _show_value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return repr(v)
    return str(v)


def _choices(c: Collected, entry: dict, at) -> tuple[str, ...] | None:
    """``choices:`` of a parameter: required with ``unit: choice`` (a closed list), a list of texts."""
    raw = entry.get("choices")
    if raw is None:
        if entry.get("unit") == "choice":
            c.add("missing-key", at(), "a parameter with 'unit: choice' needs 'choices' (the values it may take)")
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        c.add("bad-parameter", at("choices"), f"choices is {describe_kind(raw)}", "a list of texts, e.g. [linear, compound]")
        return None
    return tuple(raw)


def domain_problem(unit: str | None, choices: tuple[str, ...] | None, value: Any):
    """(code, message, expected, hint) when ``value`` is outside a parameter's domain, else None: a choice
    outside its closed list; a ``fraction`` outside 0..1 (a share of issuance, a rate, a threshold)."""
    if choices is not None and value not in choices:
        return ("bad-choice", f"found {describe_kind(value)}", "one of " + ", ".join(choices),
                did_you_mean(str(value), choices))
    if unit == "fraction" and type_of(value) == NUM and not (0 <= Decimal(value) <= 1):
        return ("out-of-range", f"found {describe_kind(value)}", "a fraction between 0 and 1", None)
    return None


def load_parameter_file(path: Path, area: str, into: dict[str, Parameter]) -> None:
    src = str(path)
    try:
        doc = load_file(path)
        data = expect_mapping(doc, "a mapping of parameter names to entries")
    except RulePackError:
        raise
    except PacmInputError as exc:  # a YAML problem in a parameter file is a rule-pack error
        raise RulePackError(exc.source, exc.problems) from None
    c = Collected(src)
    for key, entry in data.items():
        name = f"{area}.{key}"
        loc = doc.where((key,))

        def at(*sub, _key=key) -> str:
            return doc.where((_key,) + tuple(str(x) for x in sub))

        if not isinstance(entry, dict):
            c.add("bad-parameter", loc, f"parameter '{name}' is {describe_kind(entry)}", "a mapping with description, reference, confidence, values")
            continue
        typos: set = set()  # keys a misspelt key stands for: not reported again as missing
        for k in entry:
            if k not in _ENTRY_KEYS:
                hint = did_you_mean(str(k), _ENTRY_KEYS)
                c.add("unknown-key", at(k), f"unknown key '{k}'", hint=hint)
                typos.update(re.findall(r"'([^']*)'", hint or ""))
        for req in ("description", "reference", "confidence", "values"):
            if req not in entry and req not in typos:
                c.add("missing-key", loc, f"parameter '{name}' needs '{req}'")
        conf = entry.get("confidence")
        if conf is not None and conf not in CONFIDENCE:
            c.add("bad-confidence", at("confidence"), f"'{conf}' is not a confidence level", " | ".join(CONFIDENCE), did_you_mean(str(conf), CONFIDENCE))
        ref = parse_reference(c, at("reference"), entry["reference"]) if "reference" in entry else {}
        values = entry.get("values")
        dvs: list[DatedValue] = []
        types: set = set()
        if "values" not in entry:
            pass  # reported above
        elif not isinstance(values, dict) or not values:
            c.add(
                "bad-values", at("values"), f"values is {describe_kind(values) if values != {} else 'empty'}",
                "a mapping of start dates to {value: ...}, e.g. 2021-11-13: {value: 5}",
            )
        else:
            for d, v in values.items():
                if not isinstance(d, dt.date):
                    c.add(
                        "bad-date", at("values", d), f"'{d}' is not a date",
                        "values keyed by the date each takes effect, e.g. 2021-11-13: {value: 5}",
                    )
                    continue
                if not isinstance(v, dict) or "value" not in v:
                    c.add("bad-value", at("values", d), f"found {describe_kind(v)}", "{value: ..., reference?: ..., confidence?: ...}")
                    continue
                extra = set(v) - {"value", "reference", "confidence", "note"}
                for k in extra:
                    c.add("unknown-key", at("values", d, k), f"unknown key '{k}'", hint=did_you_mean(k, ["value", "reference", "confidence", "note"]))
                t = type_of(v["value"])
                if t is None:
                    c.add("bad-value", at("values", d), f"unsupported value {v['value']!r}", "a number, date, text or true/false")
                    continue
                types.add(t)
                val = Decimal(v["value"]) if t == NUM else v["value"]
                vref = parse_reference(c, at("values", d, "reference"), v["reference"]) if "reference" in v else None
                vconf = v.get("confidence")
                if vconf is not None and vconf not in CONFIDENCE:
                    c.add("bad-confidence", at("values", d, "confidence"), f"'{vconf}' is not a confidence level", " | ".join(CONFIDENCE))
                dvs.append(DatedValue(d, val, vref, vconf))
            if len(types) > 1:
                c.add("mixed-types", at("values"), f"the dated values mix types ({', '.join(sorted(types))})", "the same type on every date")
        choices = _choices(c, entry, at)
        for dv in dvs:  # every dated value in the parameter's own domain
            problem = domain_problem(entry.get("unit"), choices, dv.value)
            if problem:
                c.add(problem[0], at("values", dv.start), problem[1], problem[2], problem[3])
        if name in into:
            c.add("duplicate-parameter", loc, f"parameter '{name}' is defined twice (also in {into[name].source})")
        if dvs and len(types) == 1:
            dvs.sort(key=lambda x: x.start)
            into[name] = Parameter(
                name=name,
                description=str(entry.get("description", "")),
                unit=entry.get("unit"),
                reference=ref,
                confidence=conf or "unconfirmed",
                values=dvs,
                type=types.pop(),
                source=src,
                choices=choices,
            )
    c.raise_if_any(RulePackError)


def load_parameters(directory: Path) -> ParameterSet:
    params: dict[str, Parameter] = {}
    for path in sorted(directory.rglob("*.yaml")):
        rel = path.relative_to(directory).with_suffix("")
        area = ".".join(rel.parts)
        load_parameter_file(path, area, params)
    return ParameterSet(params)

"""Methodology files: ``methodologies/<id>/methodology.yaml``, checked when they load.

A methodology file holds what a validator reads in the methodology PDF, in the order of the
PDF: identity (id, version, title, references, the PDD methodology ids it serves), the baseline
approaches it allows, its parameters (unit, ex-ante or monitored, where the value comes from,
dated default values with reference and confidence), and its equations for baseline, project
and leakage emissions (or, for removals, the stock changes), written in the expression grammar
of :mod:`pacm.expr.parser`. The format is documented in the README, section "Credited quantities".

Loading checks everything (all problems at once, each naming file and key): unknown keys with
"did you mean", unknown names in equations, cycles, and units: an equation whose right-hand side
does not give its declared unit (``tCO2/MWh x MWh`` is ``tCO2``; ``MWh + tCO2`` is nothing) is a
load error naming the file and the equation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Collected, Problem, RulePackError, did_you_mean
from ..expr.ir import NUM, Field, render
from ..expr.parser import ExprError, Names, parse_condition, parse_value
from ..expr.reference import truth
from ..citation import METHODOLOGY_REF_KEYS, parse_reference
from ..params import CONFIDENCE, DatedValue
from ..paths import methodologies_dir
from ..pdd.fields import field_type, registry
from ..safeyaml import expect_mapping, load_file
from . import units as U

_TOP = {
    "id", "version", "title", "activity_type", "serves", "references", "baseline_approaches",
    "downward_adjustment_approaches", "parameters", "equations", "note",
}
_PARAM = {"description", "unit", "kind", "source", "reference", "confidence", "values", "cases", "note", "symbol",
          "signed", "range", "plausible"}
_RANGE = {"min", "max", "note"}
_EQ = {"expr", "unit", "description", "reference", "note", "symbol"}
KINDS = ("ex_ante", "monitored")
SOURCES = ("pdd", "default", "pdd_or_default")
REQUIRED_EQUATIONS = ("baseline", "project", "leakage")
OPTIONAL_EQUATIONS = ("bau",)
APPROACHES = ("best_available_technology", "ambitious_benchmark", "historical_adjusted", "bau_projection")
#: names every equation may use: filled per activity-year by the crediting code
BUILTINS = {
    "year_fraction": ("year", "Share of the calendar year credited (crediting.day_count convention), in years"),
    "days": ("day", "Days credited in the calendar year"),
}


@dataclass
class Case:
    when_src: str | None
    when: Any
    values: list[DatedValue]


@dataclass
class MParam:
    name: str
    description: str
    unit: str
    kind: str
    source: str
    reference: dict
    confidence: str
    cases: list[Case]
    symbol: str | None = None
    #: the values a PDD may give: [range_min, range_max]; outside is bad input (exit 2). Unless the methodology
    #: declares the input ``signed: true`` its minimum is 0; a ``fraction`` is at most 1 (issue 10 item 4).
    range_min: Decimal | None = Decimal(0)
    range_max: Decimal | None = None
    #: legal but suspicious outside [min, max]: a warning finding (``quantities.input_plausible``), never silent
    plausible: dict | None = None

    def limits_text(self) -> str:
        lo = "-inf" if self.range_min is None else str(self.range_min)
        hi = "+inf" if self.range_max is None else str(self.range_max)
        return f"a number in [{lo}, {hi}] {self.unit}"

    def out_of_range(self, v: Decimal) -> bool:
        return (self.range_min is not None and v < self.range_min) or (self.range_max is not None and v > self.range_max)

    def implausible(self, v: Decimal) -> bool:
        p = self.plausible or {}
        return (p.get("min") is not None and v < p["min"]) or (p.get("max") is not None and v > p["max"])

    def default(self, flat: dict, on: dt.date) -> tuple[Any, dict] | None:
        """The methodology's value for this PDD on a date, with where it came from; None if none."""
        for case in self.cases:
            if case.when is not None and truth(case.when, flat, {}) is not True:
                continue
            best = None
            for v in case.values:
                if v.start <= on:
                    best = v
            if best is None:
                return None
            return best.value, {
                "in_force_from": best.start.isoformat(),
                "case": case.when_src,
                "reference": best.reference or self.reference,
                "confidence": best.confidence or self.confidence,
            }
        return None


@dataclass
class Equation:
    name: str
    expr_src: str
    tree: Any
    unit: str
    description: str
    reference: dict
    deps: list[str]
    symbol: str | None = None


@dataclass
class Methodology:
    id: str
    version: str
    title: str
    activity_type: str
    serves: list[str]
    references: list[dict]
    baseline_approaches: list[str]
    da_approaches: list[str]
    params: dict[str, MParam]
    equations: dict[str, Equation]  # in evaluation order
    source: str
    note: str | None = None

    def unit(self, name: str) -> str:
        if name in self.params:
            return self.params[name].unit
        if name in self.equations:
            return self.equations[name].unit
        return BUILTINS[name][0]

    def describe(self) -> dict:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "activity_type": self.activity_type,
            "serves": list(self.serves),
            "references": self.references,
            "source": self.source,
        }


def _ref(c: Collected, loc: str, ref: Any) -> dict:
    return parse_reference(c, loc, ref, METHODOLOGY_REF_KEYS)  # methodology references may also cite an equation


def _dated(c: Collected, loc: str, values: Any) -> list[DatedValue]:
    out: list[DatedValue] = []
    if not isinstance(values, dict) or not values:
        c.add("bad-values", loc, "values must be a non-empty mapping of start dates to {value: ...}")
        return out
    for d, v in values.items():
        if not isinstance(d, dt.date):
            c.add("bad-date", loc, f"'{d}' is not a date", "YYYY-MM-DD keys")
            continue
        if not isinstance(v, dict) or "value" not in v:
            c.add("bad-value", f"{loc}.{d}", "each dated entry is {value: ..., reference?: ...}")
            continue
        for k in set(v) - {"value", "reference", "confidence", "note"}:
            c.add("unknown-key", f"{loc}.{d}.{k}", f"unknown key '{k}'", hint=did_you_mean(k, ["value", "reference", "confidence", "note"]))
        val = v["value"]
        if isinstance(val, bool) or not isinstance(val, (int, Decimal)):
            c.add("bad-value", f"{loc}.{d}", f"value {val!r} is not a number")
            continue
        conf = v.get("confidence")
        if conf is not None and conf not in CONFIDENCE:
            c.add("bad-confidence", f"{loc}.{d}.confidence", f"'{conf}' is not a confidence level", " | ".join(CONFIDENCE))
        vref = _ref(c, f"{loc}.{d}.reference", v["reference"]) if "reference" in v else None
        out.append(DatedValue(d, Decimal(val), vref, conf))
    out.sort(key=lambda x: x.start)
    return out


def _pdd_names() -> Names:
    return Names(field_type, lambda _n: None, lambda: registry().keys(), lambda: ())


def load_methodology(path: Path) -> Methodology:
    """Load and check one ``methodology.yaml`` (raises RulePackError listing every problem)."""
    src = str(path)
    doc = load_file(path)
    data = expect_mapping(doc, "a methodology: id, version, title, parameters, equations")
    c = Collected(src)
    c.unknown_keys(data, _TOP)
    for req in ("id", "version", "title", "activity_type", "serves", "references", "parameters", "equations"):
        if req not in data:
            c.add("missing-key", "", f"a methodology needs '{req}'")
    mid = str(data.get("id", ""))
    if mid != path.parent.name:
        c.add("bad-id", "id", f"id '{mid}' does not match the folder name '{path.parent.name}'")
    atype = data.get("activity_type")
    if atype not in ("emission_reduction", "removal"):
        c.add("bad-activity-type", "activity_type", f"{atype!r} is not an activity type", "emission_reduction | removal")
    serves = data.get("serves") or []
    if not isinstance(serves, list) or not all(isinstance(s, str) for s in serves) or not serves:
        c.add("bad-serves", "serves", "serves must list the PDD methodology ids this file computes, e.g. ['ACM0002']")
        serves = []
    refs = data.get("references") or []
    if not isinstance(refs, list) or not refs:
        c.add("bad-reference", "references", "references must be a non-empty list of {document: ...}")
        refs = []
    refs = [_ref(c, f"references[{i}]", r) for i, r in enumerate(refs)]
    appr = data.get("baseline_approaches") or list(APPROACHES)
    da_appr = data.get("downward_adjustment_approaches", list(APPROACHES))
    for loc, lst in (("baseline_approaches", appr), ("downward_adjustment_approaches", da_appr)):
        if not isinstance(lst, list):
            c.add("bad-approaches", loc, "must be a list of baseline approaches", " | ".join(APPROACHES))
            continue
        for a in lst:
            if a not in APPROACHES:
                c.add("bad-approach", loc, f"'{a}' is not a baseline approach", hint=did_you_mean(str(a), APPROACHES))

    # ---------------------------------------------------------------- parameters
    params: dict[str, MParam] = {}
    units: dict[str, U.Unit] = {n: U.parse_unit(u) for n, (u, _d) in BUILTINS.items()}
    pdata = data.get("parameters") or {}
    if not isinstance(pdata, dict):
        c.add("bad-parameters", "parameters", "parameters must be a mapping of names to entries")
        pdata = {}
    pdd_names = _pdd_names()
    for name, e in pdata.items():
        loc = f"parameters.{name}"
        if name in BUILTINS:
            c.add("reserved-name", loc, f"'{name}' is a built-in name ({BUILTINS[name][1]})")
            continue
        if not isinstance(e, dict):
            c.add("bad-parameter", loc, "a parameter entry must be a mapping")
            continue
        c.unknown_keys(e, _PARAM, loc)
        for req in ("description", "unit", "kind", "source", "reference", "confidence"):
            if req not in e:
                c.add("missing-key", loc, f"parameter needs '{req}'")
        kind, source = e.get("kind"), e.get("source")
        if kind not in KINDS:
            c.add("bad-kind", f"{loc}.kind", f"{kind!r} is not a parameter kind", " | ".join(KINDS))
        if source not in SOURCES:
            c.add("bad-source", f"{loc}.source", f"{source!r} is not a value source", " | ".join(SOURCES))
        conf = e.get("confidence")
        if conf not in CONFIDENCE:
            c.add("bad-confidence", f"{loc}.confidence", f"'{conf}' is not a confidence level", " | ".join(CONFIDENCE))
        try:
            units[name] = U.parse_unit(e.get("unit"))
        except U.UnitError as exc:
            c.add("bad-unit", f"{loc}.unit", str(exc))
            units[name] = U.DIMENSIONLESS
        cases: list[Case] = []
        if "values" in e and "cases" in e:
            c.add("bad-parameter", loc, "give either 'values' or 'cases', not both")
        if "values" in e:
            cases.append(Case(None, None, _dated(c, f"{loc}.values", e["values"])))
        elif "cases" in e:
            if not isinstance(e["cases"], list) or not e["cases"]:
                c.add("bad-cases", f"{loc}.cases", "cases must be a non-empty list of {when, values}")
            else:
                for i, cs in enumerate(e["cases"]):
                    cl = f"{loc}.cases[{i}]"
                    if cs.get("required") is True and isinstance(cs, dict) and "values" not in cs \
                            and not set(cs) - {"when", "required", "note"}:
                        # no default in this case: the PDD must give the value (e.g. geothermal PE_GP)
                        when = parse_condition(cs["when"], pdd_names) if cs.get("when") is not None else None
                        cases.append(Case(cs.get("when"), when, []))
                        continue
                    if not isinstance(cs, dict) or "values" not in cs or set(cs) - {"when", "values", "note"}:
                        c.add("bad-case", cl, "a case is {when: <condition on PDD fields>, values: {...}} "
                              "or {when: ..., required: true} (no default: the PDD gives it)")
                        continue
                    when = None
                    if cs.get("when") is not None:
                        try:
                            when = parse_condition(cs["when"], pdd_names)
                        except ExprError as exc:
                            c.add("bad-condition", f"{cl}.when", str(exc))
                    elif i != len(e["cases"]) - 1:
                        c.add("bad-case", cl, "only the last case may omit 'when' (it is the otherwise case)")
                    cases.append(Case(cs.get("when"), when, _dated(c, f"{cl}.values", cs["values"])))
        if source in ("default", "pdd_or_default") and not cases:
            c.add("missing-key", loc, f"a parameter with source '{source}' needs 'values' or 'cases'")
        if source == "pdd" and cases:
            c.add("bad-parameter", loc, "a parameter with source 'pdd' takes no default values (use pdd_or_default)")
        if kind == "monitored" and source != "pdd":
            c.add("bad-parameter", loc, "a monitored parameter comes from the PDD's yearly data (source: pdd)")
        signed = e.get("signed", False)
        if not isinstance(signed, bool):
            c.add("bad-signed", f"{loc}.signed", f"found {signed!r}", "true or false")
            signed = False
        rmin = None if signed else Decimal(0)
        rmax = Decimal(1) if str(e.get("unit")) == "fraction" else None
        bounds = {}
        for key in ("range", "plausible"):
            rd = e.get(key)
            if rd is None:
                continue
            if not isinstance(rd, dict) or not (set(rd) & {"min", "max"}):
                c.add("bad-range", f"{loc}.{key}", f"{key} must be a mapping with min and/or max", "{min: 0, max: 1}")
                continue
            c.unknown_keys(rd, _RANGE, f"{loc}.{key}")
            for b in ("min", "max"):
                if b in rd and (isinstance(rd[b], bool) or not isinstance(rd[b], (int, Decimal))):
                    c.add("bad-range", f"{loc}.{key}.{b}", f"found {rd[b]!r}", "a number")
            bounds[key] = {b: Decimal(rd[b]) for b in ("min", "max") if isinstance(rd.get(b), (int, Decimal))
                           and not isinstance(rd.get(b), bool)}
            if "note" in rd:
                bounds[key]["note"] = str(rd["note"])
        if "range" in bounds:
            rmin = bounds["range"].get("min", rmin)
            rmax = bounds["range"].get("max", rmax)
            if rmin is not None and rmin < 0 and not signed:
                c.add("bad-range", f"{loc}.range.min", "a negative minimum needs 'signed: true' (issue 10: negative "
                      "inputs only where the methodology declares them signed)")
        for cs in cases:  # a default must lie where a PDD's own value may: a negative leakage default is a typo
            for dv in cs.values:
                v = dv.value
                if isinstance(v, Decimal) and ((rmin is not None and v < rmin) or (rmax is not None and v > rmax)):
                    c.add("bad-value", f"{loc}.values.{dv.start.isoformat()}",
                          f"default {v} is outside the parameter's range", f"between {rmin if rmin is not None else '-inf'}"
                          f" and {rmax if rmax is not None else '+inf'} (or declare 'signed: true' / a 'range')")
        params[name] = MParam(
            range_min=rmin,
            range_max=rmax,
            plausible=bounds.get("plausible"),
            name=name,
            description=str(e.get("description", "")),
            unit=str(e.get("unit")),
            kind=kind if kind in KINDS else "ex_ante",
            source=source if source in SOURCES else "pdd",
            reference=_ref(c, f"{loc}.reference", e.get("reference", {})),
            confidence=conf if conf in CONFIDENCE else "unconfirmed",
            cases=cases,
            symbol=e.get("symbol"),
        )

    # ---------------------------------------------------------------- equations
    edata = data.get("equations") or {}
    if not isinstance(edata, dict):
        c.add("bad-equation", "equations", "equations must be a mapping of names to {expr, unit}")
        edata = {}
    for req in REQUIRED_EQUATIONS:
        if req not in edata:
            c.add("missing-equation", "equations", f"the methodology needs an equation '{req}' (tCO2e)")
    known = set(params) | set(edata) | set(BUILTINS)
    names = Names(lambda n: NUM if n in known else None, lambda _n: None, lambda: sorted(known), lambda: ())
    eqs: dict[str, Equation] = {}
    for name, e in edata.items():
        loc = f"equations.{name}"
        if name in params or name in BUILTINS:
            c.add("duplicate-name", loc, f"'{name}' is already a parameter or built-in name")
            continue
        if not isinstance(e, dict) or "expr" not in e or "unit" not in e:
            c.add("bad-equation", loc, "an equation is {expr: <expression>, unit: <unit>, reference: ...}")
            continue
        c.unknown_keys(e, _EQ, loc)
        try:
            tree = parse_value(e["expr"], names)
        except ExprError as exc:
            c.add("bad-equation", f"{loc}.expr", str(exc))
            continue
        if getattr(tree, "type", NUM) != NUM:
            c.add("bad-equation", f"{loc}.expr", "an equation must give a number")
            continue
        try:
            units[name] = U.parse_unit(e["unit"])
        except U.UnitError as exc:
            c.add("bad-unit", f"{loc}.unit", str(exc))
            continue
        deps = _names_in(tree)
        eqs[name] = Equation(
            name, " ".join(str(e["expr"]).split()), tree, str(e["unit"]), str(e.get("description", "")),
            _ref(c, f"{loc}.reference", e["reference"]) if "reference" in e else {}, deps, e.get("symbol"),
        )
    for req in REQUIRED_EQUATIONS + OPTIONAL_EQUATIONS:
        if req in eqs and units.get(req) != U.parse_unit("tCO2e"):
            c.add("bad-unit", f"equations.{req}.unit", f"'{req}' must be in tCO2e, not {eqs[req].unit}")
    order = _topo(eqs, c)
    for name in order:
        eq = eqs[name]
        try:
            U.check(eq.tree, units, units[name], render)
        except U.UnitError as exc:
            c.add("unit-mismatch", f"equations.{name}", str(exc))
        except KeyError as exc:  # a name whose unit failed to parse
            c.add("unit-mismatch", f"equations.{name}", f"unit of {exc} unknown")
    c.raise_if_any(RulePackError)
    return Methodology(
        id=mid,
        version=str(data["version"]),
        title=str(data["title"]),
        activity_type=atype,
        serves=list(serves),
        references=refs,
        baseline_approaches=list(appr),
        da_approaches=list(da_appr),
        params=params,
        equations={n: eqs[n] for n in order},
        source=src,
        note=data.get("note"),
    )


def _names_in(tree) -> list[str]:
    from ..expr.ir import Arith

    out: list[str] = []

    def walk(n):
        if isinstance(n, Field):
            if n.path not in out:
                out.append(n.path)
        elif isinstance(n, Arith):
            walk(n.left)
            walk(n.right)

    walk(tree)
    return out


def _topo(eqs: dict[str, Equation], c: Collected) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n, stack):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            c.add("equation-cycle", f"equations.{n}", "equations refer to each other in a cycle: " + " -> ".join(stack + [n]))
            return
        state[n] = 1
        for d in eqs[n].deps:
            if d in eqs:
                visit(d, stack + [n])
        state[n] = 2
        order.append(n)

    for n in eqs:
        visit(n, [])
    return order


@dataclass
class Library:
    """Every methodology in a folder, and which PDD methodology id each serves."""

    methodologies: dict[str, Methodology] = field(default_factory=dict)
    by_pdd_id: dict[str, str] = field(default_factory=dict)

    def for_pdd(self, pdd_methodology_id: str) -> Methodology | None:
        mid = self.by_pdd_id.get(pdd_methodology_id.strip().upper())
        return self.methodologies.get(mid) if mid else None


def load_library(folder: Path) -> Library:
    lib = Library()
    for path in sorted(Path(folder).glob("*/methodology.yaml")):
        m = load_methodology(path)
        lib.methodologies[m.id] = m
        for s in m.serves:
            key = s.strip().upper()
            if key in lib.by_pdd_id:
                raise RulePackError(str(path), [Problem(
                    "duplicate-serves", "serves", f"'{s}' is already served by methodology '{lib.by_pdd_id[key]}'")])
            lib.by_pdd_id[key] = m.id
    return lib


@lru_cache(maxsize=8)
def cached_library(folder: str, digest: str) -> Library:
    """A library per folder and content digest (the rule-pack digest covers methodologies/)."""
    return load_library(Path(folder))


def default_folder() -> Path:
    """The bundled ``methodologies/`` folder (in the wheel, or the checkout: see :mod:`pacm.paths`)."""
    return methodologies_dir()

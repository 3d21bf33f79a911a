"""Rule files: loading, checking, and compiling them for an evaluation date.

A rule file (``rules/<area>.yaml``) follows the standard clause by clause: each rule quotes the
clause it encodes, cites it, and states its condition in the expression grammar of
:mod:`pacm.expr.parser`. Loading checks everything a reviewer would: unknown keys (with "did you
mean"), unknown fields or parameters, type errors in conditions, duplicate ids, ids outside the
file's area, missing references. Errors name the file and the rule.

A rule is either ``automatic`` (its ``require`` decides pass/fail) or ``validator_judgement``
(pacm cannot decide; it checks the PDD addresses the point, listed in ``evidence``, and puts the
item on the validator's checklist with what to ``confirm``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Collected, PacmInputError, Problem, RulePackError, did_you_mean
from .expr.ir import TRUE, And, Field, Missing, Not, fields_of, params_of, render
from .expr.parser import ExprError, Names, parse_condition
from .expr.patterns import Outcomes, compile_outcomes
from .citation import cite, parse_reference
from .params import CONFIDENCE, ParameterSet, load_parameters
from .paths import rules_dir
from .pdd.derive import EMPTY as NO_DERIVED, FILE_NAME as DERIVE_FILE, Layer, layer_of
from .pdd.fields import registry
from .safeyaml import expect_mapping, load_file, load_mapping, read_bytes

KINDS = ("automatic", "validator_judgement")
SEVERITIES = ("error", "warning", "info")
STATUSES = ("pass", "fail", "not_applicable", "insufficient_data", "validator_judgement")
_RULE_KEYS = {
    "id", "title", "reference", "clause", "confidence", "kind", "severity", "applies_if", "require",
    "confirm", "evidence", "message", "pass_message", "effective", "section", "note",
}
_FILE_KEYS = {"area", "title", "standard", "rules", "note"}
_CONF_RANK = {"confirmed": 0, "secondary": 1, "unconfirmed": 2, "override": 1}
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass
class Rule:
    id: str
    area: str
    title: str
    reference: dict
    clause: str
    confidence: str
    kind: str
    severity: str
    applies_src: str | None
    require_src: str | None
    applies: Any
    require: Any
    confirm: str | None
    evidence: list[str]
    message: str
    pass_message: str | None
    effective_from: dt.date | None
    effective_until: dt.date | None
    section: str
    source: str
    line: int | None = None

    @functools.cached_property
    def fields(self) -> list[str]:
        out = fields_of(self.applies)
        for f in fields_of(self.require):
            if f not in out:
                out.append(f)
        return out

    @functools.cached_property
    def require_fields(self) -> list[str]:
        return fields_of(self.require)

    @functools.cached_property
    def params(self) -> list[str]:
        out = params_of(self.applies)
        for p in params_of(self.require):
            if p not in out:
                out.append(p)
        return out

    def in_force(self, on: dt.date) -> bool:
        if self.effective_from and on < self.effective_from:
            return False
        if self.effective_until and on > self.effective_until:
            return False
        return True

    def citation(self) -> str:
        return cite(self.reference)


@dataclass
class CompiledRule:
    """A rule bound to the parameter values in force on the evaluation date."""

    rule: Rule
    outcomes: Outcomes
    param_values: dict[str, Any]
    param_confidence: dict[str, str]

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def confidence(self) -> str:
        """The weakest confidence among the clause and the parameters the rule uses."""
        levels = [self.rule.confidence] + list(self.param_confidence.values())
        return max(levels, key=lambda c: _CONF_RANK.get(c, 2))

    @functools.cached_property
    def expected(self) -> str:
        """The requirement (or, for a judgement item, what to confirm) with parameter values filled in."""
        r = self.rule
        return render(r.require, self.param_values) if r.kind == "automatic" else (r.confirm or "")

    @functools.cached_property
    def not_applicable_message(self) -> str:
        return f"Not applicable: {render(self.rule.applies, self.param_values)} does not hold"

    @property
    def status_map(self) -> dict[str, str]:
        if self.rule.kind == "validator_judgement":
            return {"pass": "validator_judgement", "fail": "insufficient_data"}
        return {"pass": "pass", "fail": "fail"}


@dataclass
class CompiledPack:
    pack: "RulePack"
    as_of: dt.date
    rules: list[CompiledRule]
    skipped: list[str]  # rule ids not in force on as_of

    def by_id(self) -> dict[str, CompiledRule]:
        return {r.id: r for r in self.rules}


@dataclass
class RulePack:
    rules: list[Rule]
    params: ParameterSet
    version: str
    digest: str
    root: Path
    areas: dict[str, dict] = field(default_factory=dict)
    _compiled: dict = field(default_factory=dict)
    methodology_registry: Any = None  # pacm.methodology_registry.Registry (methodologies/registry.yaml)
    derive: Layer = NO_DERIVED  # the derive layer (rules/derive.yaml): fields computed before the rules run
    hosts: Any = None  # pacm.hosts.HostTables (rules/hosts/): UN M49 parties and dated LDC graduations

    def get(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def compile(self, as_of: dt.date) -> CompiledPack:
        key = (as_of, tuple(sorted(self.params.overrides.items(), key=lambda kv: kv[0])))
        if key in self._compiled:
            return self._compiled[key]
        compiled, skipped = [], []
        for r in self.rules:
            if not r.in_force(as_of):
                skipped.append(r.id)
                continue
            try:
                values = self.params.resolve(r.params, as_of)
            except PacmInputError:  # a parameter it needs is not yet in force: neither is the rule
                skipped.append(r.id)
                continue
            compiled.append(
                CompiledRule(
                    rule=r,
                    outcomes=compile_outcomes(r.applies, r.require, values),
                    param_values=values,
                    param_confidence={p: self.params.confidence(p, as_of) for p in r.params},
                )
            )
        cp = CompiledPack(self, as_of, compiled, skipped)
        self._compiled[key] = cp
        return cp

    def engine_info(self) -> dict:
        from . import __version__

        return {
            "name": "pacm",
            "version": __version__,
            "rule_pack": self.version,
            "rule_pack_sha256": self.digest,
            "rules": len(self.rules),
            "parameter_overrides": {k: _jsonable(v) for k, v in self.params.overrides.items()},
        }


def _jsonable(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "is_finite"):
        return str(v)
    return v


def default_root() -> Path:
    """The bundled rule pack's ``rules/`` folder (in the wheel, or the checkout: see :mod:`pacm.paths`)."""
    try:
        return rules_dir()
    except FileNotFoundError:  # pragma: no cover - a broken install
        raise RulePackError("rules/", [])


def digest_of(paths: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(base)).encode())
        h.update(b"\0")
        h.update(read_bytes(p))  # regular files only, size-checked, never blocks (a FIFO, /dev/zero)
        h.update(b"\0")
    return h.hexdigest()


def _names(params: ParameterSet, fields: dict | None = None) -> Names:
    """What a rule may name: the fields of ``fields`` (the registry with the pack's derived fields; by default
    the bundled pack's) and the parameters."""
    reg = fields if fields is not None else registry()
    return Names(lambda p: (reg.get(p) or {}).get("type"), params.type_of, lambda: reg.keys(), params.names)


def _parse(c: Collected, loc: str, src: Any, names: Names, what: str):
    """Parse a condition; a bad one is recorded (``loc`` already names the rule and ``what``)."""
    try:
        return parse_condition(src, names)
    except ExprError as exc:
        c.add("bad-condition", loc, str(exc))
        return TRUE
    except RecursionError:
        c.add("bad-condition", loc, "the expression is nested too deeply", "a simpler condition")
        return TRUE


def _rule_of_line(path: Path, line: int | None) -> str | None:
    """The id of the rule a line of a rule file falls in (for YAML errors met before rules exist)."""
    if not line:
        return None
    try:
        head = path.read_text(encoding="utf-8", errors="replace").splitlines()[:line]
    except OSError:
        return None
    for text in reversed(head):
        m = re.match(r"^\s*-?\s*id:\s*['\"]?([A-Za-z0-9_.]+)", text)
        if m:
            return m.group(1)
    return None


def _load_rule_doc(path: Path):
    """``load_file`` for a rule file: a YAML error also names the rule it falls in."""
    try:
        return load_file(path)
    except RulePackError:
        raise
    except PacmInputError as exc:
        probs = []
        for pr in exc.problems:
            m = re.search(r"line (\d+)", pr.loc or "")
            rid = _rule_of_line(path, int(m.group(1))) if m else None
            if rid:
                pr = Problem(pr.code, f"rule {rid}, {pr.loc}", pr.message, pr.expected, pr.hint)
            probs.append(pr)
        raise RulePackError(exc.source, probs) from None


# A message placeholder: {field.path}, {field.path:.1f} or {params.name} (group 1 the name, group 2 the format).
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_.]*)(?::([^{}]*))?\}")


def _check_template(c: Collected, loc: str, text: str, allowed_fields: set, params: ParameterSet, reg: dict):
    for m in PLACEHOLDER.finditer(text or ""):
        name = m.group(1)
        if name.startswith("params."):
            if name[7:] not in params.params:
                c.add("bad-template", loc, f"unknown parameter '{name}' in message", hint=did_you_mean(name[7:], params.params))
        elif name not in reg:
            c.add("bad-template", loc, f"unknown field '{name}' in message", hint=did_you_mean(name, reg))


def load_rule_file(
    path: Path, params: ParameterSet, seen: dict[str, str], expected_area: str | None = None,
    fields: dict | None = None,
) -> tuple[dict, list[Rule]]:
    """``expected_area`` (default: the file name) is e.g. ``methodology.acm0002`` for applicability rules;
    ``fields`` the field registry rules may read (default: with the bundled pack's derived fields)."""
    src = str(path)
    reg = fields if fields is not None else registry()

    def field_type(p: str) -> str | None:
        return (reg.get(p) or {}).get("type")

    doc, data = load_mapping(path, "a mapping with 'area', 'title' and 'rules'", RulePackError, _load_rule_doc)
    c = Collected(src)
    for k in data:
        if k not in _FILE_KEYS:
            c.add("unknown-key", doc.where((k,)), f"unknown key '{k}'", hint=did_you_mean(str(k), _FILE_KEYS))
    area = data.get("area")
    if area != (expected_area or path.stem):
        c.add("bad-area", doc.where(("area",)) or "area", f"area '{area}' does not match the file name '{expected_area or path.stem}'")
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        c.add("no-rules", doc.where(("rules",)) or "rules", "'rules' must be a non-empty list of rules")
        c.raise_if_any(RulePackError)
    names = _names(params, reg)
    out: list[Rule] = []
    for i, rd in enumerate(rules_data):
        rid = rd.get("id") if isinstance(rd, dict) else None
        loc = f"rule {rid}" if rid else f"rules[{i}]"

        def at(key: str | None = None, _i=i, _loc=loc) -> str:
            """``rule ID, key (line N)``: names the rule, the key inside it and its line."""
            parts = ("rules", _i) + (tuple(key.split(".")) if key else ())
            line = doc.line_of(parts)
            text = f"{_loc}, {key}" if key else _loc
            return f"{text} (line {line})" if line else text
        if not isinstance(rd, dict):
            c.add("bad-rule", at(), "a rule must be a mapping")
            continue
        typos: set = set()  # keys a misspelt key stands for: not reported again as missing
        for k in rd:
            if k not in _RULE_KEYS:
                hint = did_you_mean(str(k), _RULE_KEYS)
                c.add("unknown-key", at(str(k)), f"unknown key '{k}'", hint=hint)
                typos.update(re.findall(r"'([^']*)'", hint or ""))
        for req in ("id", "title", "reference", "clause", "confidence", "kind", "section"):
            if req not in rd and req not in typos:
                c.add("missing-key", at(), f"rule needs '{req}'")
        if not isinstance(rid, str) or not _ID.match(rid):
            c.add("bad-id", at(), f"id {rid!r} must be namespaced lower-case, e.g. '{area}.max_length'")
            continue
        if not rid.startswith(f"{area}."):
            c.add("bad-id", at(), f"id '{rid}' must start with the file's area '{area}.'")
        if rid in seen:
            c.add("duplicate-id", at(), f"rule id '{rid}' is already defined in {seen[rid]}")
        else:
            first = doc.line_of(("rules", i))
            seen[rid] = f"{src} (line {first})" if first else src
        ref = parse_reference(c, at("reference"), rd["reference"], key_loc=lambda k: at(f"reference.{k}")) if "reference" in rd else {}
        kind = rd.get("kind", "automatic")
        if kind not in KINDS:
            c.add("bad-kind", at("kind"), f"'{kind}' is not a rule kind", " | ".join(KINDS), did_you_mean(str(kind), KINDS))
            kind = "automatic"  # check the rest as an automatic rule
        sev = rd.get("severity", "error")
        if sev not in SEVERITIES:
            c.add("bad-severity", at("severity"), f"'{sev}' is not a severity", " | ".join(SEVERITIES))
        conf = rd.get("confidence")
        if conf not in CONFIDENCE:
            c.add("bad-confidence", at("confidence"), f"'{conf}' is not a confidence level", " | ".join(CONFIDENCE), did_you_mean(str(conf), CONFIDENCE))
        applies = _parse(c, at("applies_if"), rd.get("applies_if"), names, "applies_if")
        evidence = rd.get("evidence") or []
        if not isinstance(evidence, list):
            c.add("bad-evidence", at("evidence"), "evidence must be a list of PDD fields")
            evidence = []
        for f in evidence:
            if field_type(str(f)) is None:
                c.add("unknown-field", at("evidence"), f"unknown field '{f}'", hint=did_you_mean(str(f), reg))
        if kind == "automatic":
            if "require" not in rd and "require" not in typos:
                c.add("missing-key", at(), "an automatic rule needs 'require'")
            require = _parse(c, at("require"), rd.get("require"), names, "require")
            for why in self_comparisons(require, reg):
                c.add("self-comparison", at("require"), why,
                      hint="compare the value the PDD states with the one pacm derives, not a value with itself")
            if "message" not in rd and "message" not in typos:
                c.add("missing-key", at(), "an automatic rule needs a failure 'message'")
        else:
            if "confirm" not in rd and "confirm" not in typos:
                c.add("missing-key", at(), "a validator_judgement item needs 'confirm' (what the validator must confirm)")
            if not evidence and "require" not in rd:
                c.add("missing-key", at(), "a validator_judgement item needs 'evidence' (the PDD fields that address it)")
            items = [Not(Missing(Field(f, field_type(f)))) for f in evidence if field_type(f)]
            if "require" in rd:
                items.append(_parse(c, at("require"), rd.get("require"), names, "require"))
            require = And(tuple(items)) if len(items) > 1 else (items[0] if items else TRUE)
        eff = rd.get("effective") or {}
        if not isinstance(eff, dict) or set(eff) - {"from", "until"}:
            c.add("bad-effective", at("effective"), "effective takes 'from' and 'until' dates")
            eff = {}
        for k in ("from", "until"):
            if k in eff and eff[k] is not None and not isinstance(eff[k], dt.date):
                c.add("bad-date", at(f"effective.{k}"), f"'{eff[k]}' is not a date", "YYYY-MM-DD")
        message = str(rd.get("message") or rd.get("confirm") or "")
        allowed = set(fields_of(applies)) | set(fields_of(require))
        _check_template(c, at("message"), message, allowed, params, reg)
        _check_template(c, at("pass_message"), rd.get("pass_message") or "", allowed, params, reg)
        out.append(
            Rule(
                id=rid,
                area=area,
                title=str(rd.get("title", "")),
                reference={k: str(v) for k, v in ref.items()},
                clause=" ".join(str(rd.get("clause", "")).split()),
                confidence=conf if conf in CONFIDENCE else "unconfirmed",
                kind=kind,
                severity=sev,
                applies_src=rd.get("applies_if"),
                require_src=rd.get("require"),
                applies=applies,
                require=require,
                confirm=rd.get("confirm"),
                evidence=[str(e) for e in evidence],
                message=message,
                pass_message=rd.get("pass_message"),
                effective_from=eff.get("from") if isinstance(eff.get("from"), dt.date) else None,
                effective_until=eff.get("until") if isinstance(eff.get("until"), dt.date) else None,
                section=str(rd.get("section", "")),
                source=src,
                line=doc.line_of(("rules", i)),
            )
        )
    c.raise_if_any(RulePackError)
    meta = {"area": area, "title": data.get("title", area), "standard": data.get("standard"), "source": src}
    return meta, out


def self_comparisons(cond, fields: dict | None = None) -> list[str]:
    """Comparisons in a condition whose two sides are the same value, so they can never fail (review 2026-11
    item 3: ``baseline.lower_of_adjusted_and_bau`` compared a derived field with the one it falls back to).

    Two sides are the same when they render identically, or when one is a field whose derived value may *be*
    the other field (``may_equal`` of the derived field in ``rules/derive.yaml``, e.g. ``crediting_baseline_first_year``
    falls back to ``lower_of_adjusted_and_bau`` when the PDD states no crediting baseline)."""
    from .expr.ir import Cmp as _Cmp, Or as _Or

    out: list[str] = []
    reg = fields if fields is not None else registry()

    def same(a, b) -> bool:
        if render(a, {}) == render(b, {}):
            return True
        if isinstance(a, Field) and isinstance(b, Field):
            return b.path in (reg.get(a.path, {}).get("may_equal") or ()) or a.path in (reg.get(b.path, {}).get("may_equal") or ())
        return False

    def walk(n):
        if isinstance(n, _Cmp):
            if same(n.left, n.right):
                out.append(f"'{render(n, {})}' compares a value with itself (it can never fail)")
        elif isinstance(n, (And, _Or)):
            for i in n.items:
                walk(i)
        elif isinstance(n, Not):
            walk(n.item)

    walk(cond)
    return out


def _pack_files(root: Path) -> list[Path]:
    """Every file a finding or a tonne depends on: rule, parameter, derive, host-table and column-mapping files
    (``rules/**/*.yaml``, ``rules/**/*.csv``) and the methodologies."""
    files = list(root.rglob("*.yaml")) + list(root.rglob("*.csv"))
    meth = root.parent / "methodologies"
    if meth.is_dir():
        files += list(meth.rglob("*.yaml"))
    return files


# Packs already loaded in this process, by (resolved root, digest of every pack file). Nothing is
# ever written to or read from disk: the pickle cache pacm had until issue 11 ran any code a crafted
# file held, and an edited one changed findings while the report showed the YAML files' SHA-256.
_LOADED: dict[tuple[str, str], RulePack] = {}


def load_pack(root: str | Path | None = None) -> RulePack:
    """Load ``rules/`` (rule files, ``parameters/``, ``pack.yaml``) and check every rule.

    Every call reads and hashes every rule, parameter and methodology file, so the digest the
    report shows is always that of the files evaluated. Within one process a pack already loaded
    from the same folder with the same digest is reused; nothing is cached on disk (issue 11
    item 7, measured in ``benchmarks/bench_pack_load.py``).
    """
    root = Path(root) if root else default_root()
    files = _pack_files(root)
    digest = digest_of(files, root.parent)
    key = (str(root.resolve()), digest)
    if key not in _LOADED:
        if len(_LOADED) >= 8:  # a long test session loads many edited packs: keep memory bounded
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = _load_pack_uncached(root, digest)
    return _fresh(_LOADED[key], root)


def _fresh(pack: RulePack, root: Path) -> RulePack:
    """A pack of its own for each caller: parameter overrides (``--param``, a coverage case's
    ``params``) are the only thing changed after loading, so those and the compiled-rules memo are
    new; the checked rules and parameter values are shared, read-only."""
    import dataclasses

    params = dataclasses.replace(pack.params, overrides={}, override_sources={})
    return dataclasses.replace(pack, rules=list(pack.rules), params=params, root=root,
                               areas=dict(pack.areas), _compiled={})


def _load_pack_uncached(root: Path, digest: str) -> RulePack:
    pack_meta = expect_mapping(load_file(root / "pack.yaml"))
    params = load_parameters(root / "parameters")
    derive = layer_of(root)
    fields = derive.registry
    seen: dict[str, str] = {}
    rules: list[Rule] = []
    areas = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name in ("pack.yaml", DERIVE_FILE):
            continue
        meta, rs = load_rule_file(path, params, seen, fields=fields)
        areas[meta["area"]] = meta
        rules.extend(rs)
    meth = root.parent / "methodologies"
    if meth.is_dir():
        _load_methodology_rules(meth, params, seen, rules, areas, fields)
    from .methodology_registry import Registry, default_path, load_registry

    reg_path = default_path(root)
    registry = load_registry(reg_path) if reg_path.is_file() else Registry()
    from .hosts import tables_of

    return RulePack(rules, params, str(pack_meta.get("version", "0")), digest, root, areas,
                    methodology_registry=registry, derive=derive, hosts=tables_of(root))


def _load_methodology_rules(meth: Path, params: ParameterSet, seen: dict, rules: list, areas: dict,
                            fields: dict | None = None) -> None:
    """Methodology conventions (``methodologies/parameters/*.yaml``, e.g. ``crediting.*``) and the
    applicability rules of each methodology (``methodologies/<id>/applicability.yaml``, area
    ``methodology.<id>``); see :mod:`pacm.quantities.methodology`."""
    from .params import load_parameter_file

    for path in sorted((meth / "parameters").glob("*.yaml")):
        load_parameter_file(path, path.stem, params.params)
    for path in sorted(meth.glob("*/applicability.yaml")):
        meta, rs = load_rule_file(path, params, seen, expected_area=f"methodology.{path.parent.name}", fields=fields)
        areas[meta["area"]] = meta
        rules.extend(rs)


def expected_text(rule: Rule, values: dict) -> str:
    """The requirement as text with the parameter values in force filled in."""
    return render(rule.require, values)

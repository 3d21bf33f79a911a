"""Findings: one per rule per PDD, with everything a validator needs to read it beside the standard.

The evaluators decide only the *status*. Everything else in a finding (fields read, actual
values, the expectation with parameters filled in, the message, the "why not" line) is built
here from the rule and the PDD, the same way whichever evaluator ran, so the two evaluators'
findings are equal whenever their statuses are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from .expr.reference import missing_fields, why_not
from .rulepack import PLACEHOLDER, CompiledRule
_SAFE_SPEC = re.compile(r"^[<>^=]?[+\- ]?,?(\.\d{1,6})?[fd%]?$")


@dataclass
class Finding:
    rule: str
    title: str
    status: str
    kind: str
    severity: str
    area: str
    section: str
    reference: str
    reference_detail: dict
    clause: str
    confidence: str
    fields: list[str]
    actual: dict[str, Any]
    expected: str
    parameters: dict[str, Any]
    message: str
    why_not: str | None = None
    confirm: str | None = None
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d = asdict(self)
        d["actual"] = {k: jsonable(v) for k, v in self.actual.items()}
        d["parameters"] = {k: jsonable(v) for k, v in self.parameters.items()}
        return d


def jsonable(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        # a JSON number when the float is exactly the decimal written, else the exact string
        f = float(v)
        return f if Decimal(repr(f)) == v else str(v)
    return v


def fmt_value(v: Any, spec: str | None = None) -> str:
    if v is None:
        return "(missing)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if spec and _SAFE_SPEC.match(spec) and isinstance(v, (int, Decimal, float)):
        try:
            return format(v, spec)
        except (ValueError, TypeError):
            pass
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def render_template(text: str, env: dict, params: dict) -> str:
    """Fill ``{field.path}``, ``{field.path:.1f}`` and ``{params.name}`` placeholders (no code runs)."""

    def sub(m):
        name, spec = m.group(1), m.group(2)
        if name.startswith("params."):
            return fmt_value(params.get(name[7:]), spec)
        return fmt_value(env.get(name), spec)

    return PLACEHOLDER.sub(sub, text or "")


def meets_message(expected: str, fields, env: dict) -> str:
    """The default message of a passing finding: the requirement, then the values it read. The one
    wording for ``pacm check`` and the transition batch (which renders it per row without a Finding)."""
    shown = ", ".join(f"{f} = {fmt_value(env.get(f))}" for f in fields if env.get(f) is not None)
    return f"Meets: {expected}" + (f" ({shown})" if shown else "")


def build_finding(cr: CompiledRule, status: str, env: dict) -> Finding:
    r = cr.rule
    params = cr.param_values
    fields = r.fields
    actual = {f: env.get(f) for f in fields}
    expected = cr.expected
    why = None
    if status == "fail":
        message = render_template(r.message, env, params)
        lines = why_not(r.require, env, params)
        why = "; ".join(lines) if lines else None
        derived = [f for f in r.require_fields if _inputs_of(f)]
        if why and derived:  # a derived field cannot be set: name the PDD inputs it comes from
            why += "; " + "; ".join(f"{f} is derived from {', '.join(_inputs_of(f))}" for f in derived)
    elif status == "pass":
        if r.pass_message:
            message = render_template(r.pass_message, env, params)
        else:
            message = meets_message(expected, r.require_fields, env)
    elif status == "not_applicable":
        message = cr.not_applicable_message
    elif status == "validator_judgement":
        message = f"Validator to confirm: {' '.join(str(r.confirm).split())}"
        if r.evidence:
            message += f" (PDD addresses it in {', '.join(r.evidence)})"
    else:  # insufficient_data
        missing = missing_fields(r.applies, env) + [f for f in missing_fields(r.require, env) if f not in missing_fields(r.applies, env)]
        from .pdd.fields import CONTEXT_MISSING

        explained = [t for pre, t in CONTEXT_MISSING.items() if any(f.startswith(pre) for f in missing)]
        missing = [f for f in missing if not any(f.startswith(pre) for pre in CONTEXT_MISSING)]
        if explained:
            message = "Cannot decide: " + "; ".join(render_template(t, env, params) for t in explained)
            if missing:
                message += f"; the PDD does not give {', '.join(missing)}"
            why = message[len("Cannot decide: "):]
        elif missing:
            message = f"Cannot decide: the PDD does not give {', '.join(_with_inputs(missing))}"
            why = "provide " + ", ".join(_settable(missing, env))
        else:
            message = "Cannot decide: a value needed is undefined (e.g. a division by zero)"
    return Finding(
        rule=r.id,
        title=r.title,
        status=status,
        kind=r.kind,
        severity=r.severity,
        area=r.area,
        section=r.section,
        reference=r.citation(),
        reference_detail=dict(r.reference),
        clause=r.clause,
        confidence=cr.confidence,
        fields=fields,
        actual=actual,
        expected=expected,
        parameters=dict(params),
        message=message,
        why_not=why,
        confirm=r.confirm if r.kind == "validator_judgement" else None,
        evidence=list(r.evidence),
    )


def _inputs_of(path: str) -> tuple:
    """The PDD inputs a derived field is computed from (``inputs`` of its entry in ``rules/derive.yaml``), else ()."""
    from .pdd.fields import registry

    info = registry().get(path) or {}
    return tuple(info.get("inputs") or ()) if info.get("derived") else ()


def _with_inputs(fields: list[str]) -> list[str]:
    return [f"{f} (derived from {', '.join(_inputs_of(f))})" if _inputs_of(f) else f for f in fields]


def _settable(fields: list[str], env: dict) -> list[str]:
    """What the user can set: a missing derived field is replaced by those of its inputs the PDD does not give."""
    out: list[str] = []
    for f in fields:
        ins = _inputs_of(f)
        todo = [i for i in ins if env.get(i) is None] or list(ins) if ins else [f]
        out += [i for i in todo if i not in out]
    return out


def build_findings(compiled_rules: list[CompiledRule], statuses: dict[str, str], env: dict) -> list[Finding]:
    return [build_finding(cr, statuses[cr.id], env) for cr in compiled_rules]

"""Evaluating a chunk of rows: PDD validation, flat facts, vectorised rule statuses, finding rows.

This is the part of a batch run that is worth spreading over processes (``--workers``): it is
pure Python per row (pydantic validation, message rendering) and needs nothing from other
chunks. A chunk returns plain tuples and dicts, cheap to send back to the parent.

Messages are rendered with the same code as ``pacm check`` (:mod:`pacm.findings`) but only as
often as they differ: a failing or passing message with placeholders per row, an
``insufficient_data`` message once per pattern of missing fields, constant messages once per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from ..expr.ir import fields_of, render
from ..findings import build_finding, meets_message, render_template
from ..pdd.fields import flatten
from ..pdd.model import PDD
from ..rulepack import CompiledPack
from .rows import Context, build_row

ELIGIBILITY_PREFIX = "transition.eligibility_"
STATUSES = ("pass", "fail", "insufficient_data", "validator_judgement", "not_applicable")


@dataclass
class ChunkResult:
    activities: list[dict] = field(default_factory=list)
    findings: list[tuple] = field(default_factory=list)  # (row, reference, rule, status, severity, fields, message)
    eligibility: list[dict] = field(default_factory=list)  # per valid row: rule -> status
    insufficient: dict[str, int] = field(default_factory=dict)  # rule -> rows with insufficient_data
    decided: dict[str, int] = field(default_factory=dict)  # rule -> rows with pass, fail or validator_judgement
    evaluated: int = 0
    present_fields: set = field(default_factory=set)
    # per rule: (rule id, severity, fields, positions among the valid rows, statuses, messages)
    rule_findings: list[tuple] = field(default_factory=list)
    valid_rows: list[int] = field(default_factory=list)  # row index of each valid row, in order
    valid_keys: list[str] = field(default_factory=list)


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors()[:8]:
        loc = ".".join(str(x) for x in e.get("loc", ()))
        parts.append(f"{loc}: {e.get('msg')}")
    more = f" (+{len(exc.errors()) - 8} more)" if len(exc.errors()) > 8 else ""
    return "The row is not a valid PDD: " + "; ".join(parts) + more


def subset(compiled: CompiledPack, excluded: set[str]) -> CompiledPack:
    return replace(compiled, rules=[r for r in compiled.rules if r.id not in excluded])


def evaluate_chunk(values: dict[str, list], offset: int, ctx: Context, compiled: CompiledPack,
                   pass_messages: bool = True) -> ChunkResult:
    """Rows ``offset .. offset + n`` of the export (``values`` holds just those rows). Without
    ``pass_messages`` the passing findings keep their status (they are counted) but no message: a run
    without ``--all-findings`` never writes them, and rendering them was a tenth of the run."""
    from ..evaluate.vector import VectorEvaluator, facts_frame

    n = len(next(iter(values.values()))) if values else 0
    res = ChunkResult()
    rows = []
    for j in range(n):
        v = {k: col[j] for k, col in values.items()}
        row = build_row(offset + j, v, ctx)
        try:
            pdd = PDD.model_validate(row.nested)
        except ValidationError as exc:
            row.findings.append(_invalid(row, exc))
        else:
            row.flat = flatten(pdd, row.info["_context"], compiled.pack.derive)  # the pack's own derive layer
        rows.append(row)

    valid = [r for r in rows if r.flat is not None]
    res.evaluated = len(valid)
    res.valid_rows = [r.index for r in valid]
    res.valid_keys = [r.key for r in valid]
    for r in valid:
        res.present_fields.update(r.flat.keys())

    counts_by_status: dict[str, Any] = {}
    elig_records: list[dict] = []
    if valid:
        df = facts_frame([r.flat for r in valid])
        st = VectorEvaluator(compiled).evaluate_frame(df)
        mat = st.to_numpy(dtype=object)
        for s_ in STATUSES:
            counts_by_status[s_] = (mat == s_).sum(axis=1).tolist()
        for j, cr in enumerate(compiled.rules):
            col = mat[:, j]
            res.insufficient[cr.id] = int((col == "insufficient_data").sum())
            res.decided[cr.id] = int(((col == "pass") | (col == "fail") | (col == "validator_judgement")).sum())
            _findings_for_rule(cr, col, valid, df, res, pass_messages)
        elig = [c for c in st.columns if c.startswith(ELIGIBILITY_PREFIX)]
        elig_records = st[elig].to_dict(orient="records") if elig else [{} for _ in valid]
    k = 0
    for row in rows:
        info = row.info
        ctx_ = info.pop("_context", None)  # noqa: F841 - already in the flat facts
        info["_row"] = row.index
        info["valid_pdd"] = row.flat is not None
        if row.flat is not None:
            info["_counts"] = {s_: counts_by_status[s_][k] for s_ in STATUSES}
            res.eligibility.append(elig_records[k])
            k += 1
        else:
            info["_counts"] = {s_: 0 for s_ in STATUSES}
            res.eligibility.append(None)
        info["n_input"] = len(row.findings)
        res.activities.append(info)
        for f in row.findings:
            res.findings.append((row.index, row.key, f.rule, f.status, f.severity, "; ".join(f.columns), f.message))
    return res


def _invalid(row, exc: ValidationError):
    from .columns import InputFinding

    fields = sorted({".".join(str(x) for x in e.get("loc", ())) for e in exc.errors()})
    return InputFinding(row.index, "input.invalid_pdd", "fail", "error", tuple(fields), _validation_message(exc))


def _findings_for_rule(cr, col, valid: list, df, res: ChunkResult, pass_messages: bool = True) -> None:
    """Findings of one rule over the chunk, as arrays (materialised by the parent for the rules it keeps)."""
    import numpy as np

    from ..expr.patterns import key as fact_key

    r = cr.rule
    params = cr.param_values
    st = col
    keep = np.nonzero(st != "not_applicable")[0]
    if not len(keep):
        return
    msgs = np.empty(len(st), dtype=object)
    const: dict[Any, str] = {}

    def constant(k, status, env):
        m = const.get(k)
        if m is None:
            m = const[k] = " ".join(build_finding(cr, status, env).message.split())
        return m

    for i in np.nonzero(st == "fail")[0]:
        msgs[i] = " ".join(render_template(r.message, valid[i].flat, params).split())
    passed = np.nonzero(st == "pass")[0] if pass_messages else ()
    if len(passed) and r.pass_message:
        for i in passed:
            msgs[i] = " ".join(render_template(r.pass_message, valid[i].flat, params).split())
    elif len(passed):  # the default pass message of pacm.findings: the requirement, then the values read
        expected = " ".join(render(r.require, params).split())
        req_fields = fields_of(r.require)
        for i in passed:
            msgs[i] = meets_message(expected, req_fields, valid[i].flat)
    vj = np.nonzero(st == "validator_judgement")[0]
    if len(vj):
        msgs[vj] = constant("vj", "validator_judgement", valid[vj[0]].flat)
    ins = np.nonzero(st == "insufficient_data")[0]
    if len(ins):
        # one message per pattern of present/missing fields (what the message names)
        code = np.zeros(len(st), dtype=np.int64)
        for b, f in enumerate(r.fields[:60]):
            k = fact_key(f)
            if k in df.columns:
                code |= df[k].notna().to_numpy().astype(np.int64) << b
        for c in np.unique(code[ins]):
            rows = ins[code[ins] == c]
            msgs[rows] = constant(("ins", int(c)), "insufficient_data", valid[rows[0]].flat)
    res.rule_findings.append((cr.id, r.severity, "; ".join(r.fields), keep, st[keep], msgs[keep]))

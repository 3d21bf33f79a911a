"""Markdown report, for pasting into a validation report."""

from __future__ import annotations

from ..engine import Result


def _cell(s: str) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")


def render_markdown(result: Result, trace: bool = False) -> str:
    a = result.pdd.activity
    e = result.engine
    out = [
        f"# pacm check: {a.title}",
        "",
        f"- Reference: {a.reference or '-'}; host Party: {a.host_party}; type: {a.type}",
        f"- Methodology: {a.methodology.id} v{a.methodology.version}",
        f"- Evaluated as of {result.as_of.isoformat()} with pacm {e['version']}, rule pack {e['rule_pack']} "
        f"(sha256 `{e['rule_pack_sha256'][:16]}`)",
        "- Summary: " + ", ".join(f"{n} {s}" for s, n in result.counts().items()),
        "",
        "## Automatic checks",
        "",
        "| status | rule | reference | finding |",
        "|---|---|---|---|",
    ]
    for f in result.findings:
        if f.kind != "automatic" or f.status == "not_applicable":
            continue
        msg = f.message + (f" *Why not:* {f.why_not}" if f.status == "fail" and f.why_not else "")
        out.append(f"| **{f.status}** | `{f.rule}` | {_cell(f.reference)} | {_cell(msg)} |")
    judge = [f for f in result.findings if f.kind == "validator_judgement" and f.status != "not_applicable"]
    if judge:
        out += ["", "## Validator checklist", "", "| status | item | reference | to confirm |", "|---|---|---|---|"]
        for f in judge:
            out.append(f"| {f.status} | `{f.rule}` | {_cell(f.reference)} | {_cell(f.message)} |")
    unconf = result.unconfirmed()
    if unconf:
        out += ["", "## Findings resting on unconfirmed values", ""]
        out += [f"- `{f.rule}`: {f.confidence}" for f in unconf]
    na = [f.rule for f in result.findings if f.status == "not_applicable"]
    if na:
        out += ["", "## Not applicable", "", ", ".join(f"`{r}`" for r in na)]
    if result.quantities is not None:
        out += ["", result.quantities.render_markdown(trace=trace)]
    return "\n".join(out) + "\n"

"""Terminal report (rich): summary, failures first, the validator checklist, unconfirmed values."""

from __future__ import annotations

import io
import textwrap

from rich.console import Console
from rich.text import Text

from ..engine import Result

STYLE = {
    "pass": "green",
    "fail": "bold red",
    "not_applicable": "dim",
    "insufficient_data": "yellow",
    "validator_judgement": "cyan",
}


def render_text(result: Result, trace: bool = False, color: bool = False, width: int = 110) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, width=width, no_color=not color, highlight=False)
    a = result.pdd.activity
    con.print(Text(f"{a.title}", style="bold"))
    con.print(
        f"{a.reference or '-'} | host {a.host_party} | {a.type} | {a.methodology.id} v{a.methodology.version} | "
        f"as of {result.as_of.isoformat()}"
    )
    e = result.engine
    con.print(f"pacm {e['version']} | rule pack {e['rule_pack']} (sha256 {e['rule_pack_sha256'][:12]})")
    counts = result.counts()
    con.print("  ".join(f"[{STYLE[s]}]{s} {n}[/]" for s, n in counts.items()))
    con.print()

    auto = [f for f in result.findings if f.kind == "automatic" and f.status != "not_applicable"]
    judge = [f for f in result.findings if f.kind == "validator_judgement" and f.status != "not_applicable"]
    na = [f for f in result.findings if f.status == "not_applicable"]

    def block(f, body: str):
        con.print(Text.assemble((f"{f.status.upper():<20}", STYLE[f.status]), (f.rule, "bold")))
        for line in textwrap.wrap(f"[{f.reference}]", width - 22):
            con.print(" " * 20 + line, style="dim", soft_wrap=True)
        for line in textwrap.wrap(" ".join(body.split()), width - 22):
            con.print(" " * 20 + line, soft_wrap=True)

    con.print(Text("Automatic checks", style="bold underline"))
    for f in auto:
        block(f, f.message)
        if f.status == "fail" and f.why_not:
            block_line = f"why not: {f.why_not}"
            for line in textwrap.wrap(block_line, width - 22):
                con.print(" " * 20 + line, style="red", soft_wrap=True)
    if judge:
        con.print()
        con.print(Text("Validator checklist (pacm cannot decide these)", style="bold underline"))
        for f in judge:
            block(f, f.message)
    con.print()
    if na:
        con.print(Text(f"Not applicable ({len(na)}): " + ", ".join(f.rule for f in na), style="dim"))

    unconf = result.unconfirmed()
    if unconf:
        con.print()
        con.print(Text("Findings resting on values not confirmed against the official text", style="bold"))
        for f in unconf:
            con.print(f"  {f.rule}: confidence {f.confidence}")
    overrides = result.engine.get("parameter_overrides") or {}
    if overrides:
        con.print(Text("Parameter overrides in effect: " + ", ".join(f"{k}={v}" for k, v in overrides.items()), style="bold yellow"))

    if result.quantities is not None:
        con.print()
        con.print(result.quantities.render_text(trace=trace))
    for n in result.notes:
        con.print(Text(f"note: {n}", style="yellow"))
    return buf.getvalue()

"""Terminal report: summary, failures first, the validator checklist, unconfirmed values.

The report is built as plain lines, each with an optional style. Only when it goes to a colour
terminal is rich imported to paint the styles; piped into a file, a script or CI it is plain text
(and ``pacm check`` starts faster).
"""

from __future__ import annotations

import textwrap

from ..engine import Result
from ..outsafe import term_text

STYLE = {
    "pass": "green",
    "fail": "bold red",
    "not_applicable": "dim",
    "insufficient_data": "yellow",
    "validator_judgement": "cyan",
}
INDENT = 20


class _Lines:
    def __init__(self, width: int):
        self.width = width
        self.lines: list[list[tuple[str, str | None]]] = []  # a line = segments of (text, style)

    def add(self, *segments: tuple[str, str | None] | str) -> None:
        """A line; every segment passes :func:`pacm.outsafe.term_text`, so a title holding ESC
        sequences, CR or a line break cannot clear the screen or forge a line of the report."""
        segs = [s if isinstance(s, tuple) else (s, None) for s in segments]
        self.lines.append([(term_text(t, None), style) for t, style in segs])

    def wrapped(self, text: str, style: str | None = None) -> None:
        for line in textwrap.wrap(" ".join(text.split()), self.width - INDENT - 2) or [""]:
            self.add((" " * INDENT + line, style))

    def blank(self) -> None:
        self.lines.append([])

    def render(self, color: bool) -> str:
        if not color:
            return "".join("".join(t for t, _ in line) + "\n" for line in self.lines)
        import io

        from rich.console import Console
        from rich.text import Text

        buf = io.StringIO()
        con = Console(file=buf, force_terminal=True, width=self.width, highlight=False, soft_wrap=True)
        for line in self.lines:
            con.print(Text.assemble(*[(t, s or "") for t, s in line]))
        return buf.getvalue()


def render_text(result: Result, trace: bool = False, color: bool = False, width: int = 110) -> str:
    out = _Lines(width)
    a = result.pdd.activity
    out.add((a.title, "bold"))
    out.add(
        f"{a.reference or '-'} | host {a.host_party} | {a.type} | {a.methodology.id} v{a.methodology.version} | "
        f"as of {result.as_of.isoformat()}"
    )
    e = result.engine
    out.add(f"pacm {e['version']} | rule pack {e['rule_pack']} (sha256 {e['rule_pack_sha256'][:12]})")
    segs: list[tuple[str, str | None]] = []
    for s, n in result.counts().items():
        segs += [(f"{s} {n}", STYLE[s]), ("  ", None)]
    out.add(*segs[:-1])
    out.blank()

    auto = [f for f in result.findings if f.kind == "automatic" and f.status != "not_applicable"]
    judge = [f for f in result.findings if f.kind == "validator_judgement" and f.status != "not_applicable"]
    na = [f for f in result.findings if f.status == "not_applicable"]

    def block(f, body: str) -> None:
        out.add((f"{f.status.upper():<{INDENT}}", STYLE[f.status]), (f.rule, "bold"))
        out.wrapped(f"[{f.reference}]", "dim")
        out.wrapped(body)

    out.add(("Automatic checks", "bold underline"))
    for f in auto:
        block(f, f.message)
        if f.status == "fail" and f.why_not:
            out.wrapped(f"why not: {f.why_not}", "red")
    if judge:
        out.blank()
        out.add(("Validator checklist (pacm cannot decide these)", "bold underline"))
        for f in judge:
            block(f, f.message)
    out.blank()
    if na:
        for line in textwrap.wrap(f"Not applicable ({len(na)}): " + ", ".join(f.rule for f in na), width):
            out.add((line, "dim"))

    unconf = result.unconfirmed()
    if unconf:
        out.blank()
        out.add(("Findings resting on values not confirmed against the official text", "bold"))
        for f in unconf:
            out.add(f"  {f.rule}: confidence {f.confidence}")
    overrides = result.engine.get("parameter_overrides") or {}
    if overrides:
        out.add(("Parameter overrides in effect: " + ", ".join(f"{k}={v}" for k, v in overrides.items()), "bold yellow"))

    if result.quantities is not None:
        out.blank()
        for line in result.quantities.render_text(trace=trace).splitlines():
            out.add(line)
    for n in result.notes:
        for line in textwrap.wrap(f"note: {n}", width):
            out.add((line, "yellow"))
    return out.render(color)

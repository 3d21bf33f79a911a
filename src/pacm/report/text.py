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


def render_text(result: Result, trace: bool = False, color: bool = False, width: int = 110, lang: str = "en",
                show=None) -> str:
    """The terminal report. Passes take one line each; ``show`` keeps only findings with these statuses."""
    from ..verdict import issuable, verdict
    from ..i18n import issuable_label, localised_findings, status_label, t
    from .view import display_numbers

    out = _Lines(width)
    a = result.pdd.activity
    out.add((a.title, "bold"))
    out.add(
        f"{a.reference or '-'} | {t('host', lang)} {a.host_party} | {a.type} | {a.methodology.label()} | "
        f"{t('as of', lang)} {result.as_of.isoformat()}"
    )
    e = result.engine
    out.add(f"pacm {e['version']} | {t('rule pack', lang)} {e['rule_pack']} (sha256 {e['rule_pack_sha256'][:12]}) | "
            + t("{n} of {m} rules evaluated", lang, n=e.get("rules_evaluated", e["rules"]), m=e["rules"]))
    if e.get("rules_not_in_force"):
        out.wrapped(t("not in force on {day} (left out): {rules}", lang, day=result.as_of.isoformat(),
                      rules=", ".join(e["rules_not_in_force"])))
    segs: list[tuple[str, str | None]] = []
    for s, n in result.counts().items():
        segs += [(f"{s if lang == 'en' else status_label(s, lang)} {n}", STYLE[s]), ("  ", None)]
    out.add(*segs[:-1])
    units_total = issuable(result)
    units = "" if units_total is None else f"; {issuable_label(result.failed, lang)}: {units_total:,}"
    out.add((f"{t('Verdict', lang)}: {verdict(result, lang)}{units}", "bold red" if result.failed else "bold green"))
    if show:
        out.add((t("Showing only: {what}", lang, what=", ".join(show)), "dim"))
    out.blank()

    every = localised_findings(result, lang)
    shown = [f for f in every if not show or f.status in show]
    auto = [f for f in shown if f.kind == "automatic" and f.status != "not_applicable"]
    judge = [f for f in shown if f.kind == "validator_judgement" and f.status != "not_applicable"]
    na = [f for f in shown if f.status == "not_applicable"]

    def label(f) -> str:
        return status_label(f.status, lang).upper()

    def block(f, body: str) -> None:
        out.add((f"{label(f):<{INDENT}}", STYLE[f.status]), (f.rule, "bold"))
        out.wrapped(f"[{f.reference}]", "dim")
        out.wrapped(display_numbers(body))

    if auto:
        out.add((t("Automatic checks", lang), "bold underline"))
    for f in auto:
        if f.status == "pass":  # a pass needs no reading: one line, the rule and its title
            line = f"{f.rule}: {f.title}"
            room = width - INDENT
            out.add((f"{label(f):<{INDENT}}", STYLE[f.status]), (line if len(line) <= room else line[: room - 1] + "…", None))
            continue
        block(f, f.message)
        if f.status == "fail" and f.why_not:
            out.wrapped(f"{t('why not', lang)}: {display_numbers(f.why_not)}", "red")
    if judge:
        out.blank()
        out.add((t("Validator checklist (pacm cannot decide these)", lang), "bold underline"))
        for f in judge:
            block(f, f.message)
    out.blank()
    if na:
        for line in textwrap.wrap(f"{t('Not applicable', lang)} ({len(na)}): " + ", ".join(f.rule for f in na), width):
            out.add((line, "dim"))

    unconf = [f for f in result.unconfirmed() if not show or f.status in show]
    if unconf:
        out.blank()
        out.add((t("Findings resting on values not confirmed against the official text", lang), "bold"))
        for f in unconf:
            out.add(f"  {f.rule}: {t('confidence', lang)} {f.confidence}")
    overrides = result.engine.get("parameter_overrides") or {}
    if overrides:
        out.add((t("Parameter overrides in effect", lang) + ": " + ", ".join(f"{k}={v}" for k, v in overrides.items()), "bold yellow"))

    if result.quantities is not None:
        out.blank()
        for line in result.quantities.render_text(trace=trace).splitlines():
            out.add(line)
    for n in result.notes:
        for line in textwrap.wrap(f"{t('note', lang)}: {n}", width):
            out.add((line, "yellow"))
    return out.render(color)


def render_summary(data: dict, lang: str = "en", markdown: bool = False, width: int = 110) -> str:
    """``--summary``: what a reader needs first, on one screen (from :func:`pacm.report.render.summary_data`)."""
    from ..i18n import issuable_label, status_label, t
    from .view import display_numbers

    if markdown:  # text from the PDD or the rule pack is escaped like in the Markdown report
        from .markdown import md_cell as esc
    else:  # and on a terminal, control characters shown as escapes (a title must not clear the screen)
        def esc(x):
            return term_text(x, None)

    p = {k: (esc(str(v)) if v is not None else None) for k, v in data["pdd"].items()}
    counts = ", ".join(f"{n} {status_label(k, lang)}" for k, n in data["summary"].items())
    units = "-" if data["issuable"] is None else f"{data['issuable']:,}"
    lines = [
        f"{'# ' if markdown else ''}{p['title']}",
        "",
        f"{p['reference'] or '-'} | {p['host_party']} | {p['methodology']} | {t('as of', lang)} {data['as_of']}",
        "",
        f"{'**' if markdown else ''}{t('Verdict', lang)}: {data['verdict']}{'**' if markdown else ''}",
        f"{issuable_label(bool(data['failing']), lang)}: {units}",
        f"{t('findings', lang)}: {counts}",
    ]
    for key, head in (("failing", "Failing"), ("informative", "Failing, for information only (not counted against the PDD)"),
                      ("insufficient_data", "Cannot be decided from the PDD")):
        if data.get(key):
            lines += ["", f"{'## ' if markdown else ''}{t(head, lang)} ({len(data[key])})"]
            for f in data[key]:
                text = esc(" ".join(display_numbers(f["message"]).split()))
                first = f"- {f['rule']}: {text}"
                lines += textwrap.wrap(first, width, subsequent_indent="  ") if not markdown else [first]
    return "\n".join(lines).rstrip() + "\n"

"""The crediting table and its trace, as JSON, text and Markdown.

JSON is exact (tonnes as decimal strings, A6.4ER counts as integers); the text and Markdown
tables show tonnes to two decimals for reading (say so in their footer); the trace shows every
value exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from .pipeline import PREC, fmt

YEAR_COLUMNS = (
    "year", "days", "baseline", "baseline_adjusted", "project", "leakage", "reductions", "buffer",
    "sop_adaptation", "omge", "issuable", "issuable_authorised", "issuable_mitigation_contribution",
)
EXTRA_COLUMNS = ("years_since_start", "daf", "net", "reversal", "gross_units", "corresponding_adjustment")
DEDUCTIONS = ("buffer", "sop_adaptation", "omge")
SUMMED = tuple(c for c in YEAR_COLUMNS if c != "year") + ("net", "reversal", "gross_units", "corresponding_adjustment")
HEAD = {
    "year": "year", "days": "days", "baseline": "baseline", "baseline_adjusted": "baseline adj.",
    "project": "project", "leakage": "leakage", "reductions": "reductions", "buffer": "buffer",
    "sop_adaptation": "SOP adapt.", "omge": "OMGE", "issuable": "issuable", "issuable_authorised": "authorised",
    "issuable_mitigation_contribution": "mitig. contrib.", "reversal": "reversal",
}


def _j(v: Any):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Decimal):
        return fmt(v)
    try:
        return int(v)  # numpy ints
    except (TypeError, ValueError):
        return str(v)


def _show(v: Any) -> str:
    if isinstance(v, Decimal):
        q = v.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        return f"{q:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


class Quantities:
    """The year-by-year table (one dict per year, as :func:`pacm.quantities.pipeline.credit_columns` gives
    it), its trace and notes. :attr:`frame` builds a pandas DataFrame for a caller who asks for one."""

    def __init__(self, methodology: dict, rows: list[dict] | None, trace: list[dict], notes: list[str]):
        self.methodology = methodology
        self.rows = rows  # one dict per credited year, or None when nothing could be computed
        self.trace = trace
        self.notes = notes
        self.issuance: dict | None = None  # set by the engine from the findings (issue 10 item 5)
        self._frame = None
        for e in self.trace:
            e.setdefault("text", entry_text(e))

    @property
    def frame(self):
        """The table as a :class:`pandas.DataFrame` (object columns, exact values), built on first use;
        None when nothing could be computed. The only place this class imports pandas."""
        if self.rows is None:
            return None
        if self._frame is None:
            import pandas as pd

            from .pipeline import OUTPUT

            cols = list(self.rows[0]) if self.rows else []
            # as credit_years gives it: the computed columns exact (object), the input columns as pandas reads them
            self._frame = pd.DataFrame({c: pd.Series([r[c] for r in self.rows],
                                                     dtype=object if c in OUTPUT or c == "leakage" else None)
                                        for c in cols})
        return self._frame

    #: the name this table had when it was always a DataFrame (``pacm sweep``, scripts)
    table = frame

    def column(self, name: str) -> list:
        return [r[name] for r in self.rows or ()]

    # ------------------------------------------------------------------ data
    def years(self) -> list[dict]:
        out = []
        for r in self.rows or ():
            d = {c: _j(r[c]) for c in YEAR_COLUMNS}
            d["year"], d["days"] = int(r["year"]), int(r["days"])
            for c in DEDUCTIONS:  # whole A6.4ERs under the default rounding; strings like every tonne figure
                d[c] = fmt(Decimal(r[c]))
            for c in EXTRA_COLUMNS:
                d[c] = _j(r[c])
            out.append(d)
        return out

    def totals(self) -> dict:
        if self.rows is None:
            return {}
        with localcontext() as ctx:
            ctx.prec = PREC
            return self._totals()

    def _totals(self) -> dict:
        out = {}
        for c in SUMMED:
            vals = self.column(c)
            if all(isinstance(v, int) for v in vals):
                out[c] = sum(int(v) for v in vals)
            else:
                out[c] = sum((Decimal(v) for v in vals), Decimal(0))
        res = {k: _j(v) for k, v in out.items()}
        for c in DEDUCTIONS:
            res[c] = fmt(Decimal(out[c]))
        return res

    def to_json(self) -> dict:
        return {
            "methodology": self.methodology,
            "years": self.years(),
            "totals": self.totals(),
            "trace": self.trace,
            "notes": list(self.notes),
        }

    def set_findings(self, failing_rules: list[str]) -> None:
        """A PDD that fails a check has no issuable units: the numbers stay, the claim goes (review 2026-11 item 5)."""
        if failing_rules:
            self.issuance = {
                "status": "would_be_issuable_once_failures_resolved",
                "failing_rules": list(failing_rules),
                "statement": (f"NOT ISSUABLE AS IT STANDS: the PDD fails {len(failing_rules)} check(s) "
                              f"({', '.join(failing_rules)}); the 'issuable' figures below would be issuable once "
                              "the failures are resolved."),
            }
        else:
            self.issuance = {"status": "issuable", "failing_rules": [],
                             "statement": "No automatic check fails: the 'issuable' figures are issuable subject to "
                                          "the validator's checklist and verification."}

    # ------------------------------------------------------------------ text
    def _columns(self) -> tuple:
        cols = YEAR_COLUMNS
        if any(v > 0 for v in self.column("reversal")):
            i = cols.index("reductions") + 1
            cols = cols[:i] + ("reversal",) + cols[i:]
        if not any(int(v) for v in self.column("issuable_authorised")):
            cols = cols[:-2]
        return cols

    def _rows(self, cols):
        years = self.years()
        tot = self.totals()
        rows = [[_show(self.rows[i][c]) if c not in ("year", "days") else str(y[c]) for c in cols]
                for i, y in enumerate(years)]
        if years:
            rows.append(["total", str(tot["days"])] + [_show(_total(self.column(c))) for c in cols[2:]])
        return rows

    def _footer(self, cols) -> str:
        s = ("Tonnes (tCO2e) shown to 0.01; exact values in the JSON output and the trace. "
             "Buffer, SOP adaptation, OMGE and issuable are whole A6.4ERs.")
        if len(cols) < len(YEAR_COLUMNS):
            s += " No unit is authorised: all issuable A6.4ERs are mitigation-contribution units."
        return s

    def _title(self) -> str:
        m = self.methodology
        return (f"Credited quantities: {m['title']} (pacm methodology {m['id']} v{m['version']}, "
                f"for PDD methodology {m.get('pdd_methodology', '?')})")

    def render_text(self, trace: bool = False) -> str:
        lines = [self._title()]
        if self.issuance and self.issuance["failing_rules"]:
            lines.append(self.issuance["statement"])
        if self.rows:
            cols = self._columns()
            rows = self._rows(cols)
            head = [HEAD[c] for c in cols]
            w = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
            lines.append("  ".join(h.rjust(w[i]) for i, h in enumerate(head)))
            for r in rows:
                lines.append("  ".join(v.rjust(w[i]) for i, v in enumerate(r)))
            lines.append(self._footer(cols))
        else:
            lines.append("no crediting table (see notes)")
        for n in self.notes:
            lines.append(f"note: {n}")
        if trace:
            lines.append("")
            lines.append("Trace")
            lines.extend(self._trace_lines(markdown=False))
        return "\n".join(lines)

    def render_markdown(self, trace: bool = False) -> str:
        out = [f"## {self._title()}", ""]
        if self.issuance and self.issuance["failing_rules"]:
            out += [f"**{self.issuance['statement']}**", ""]
        if self.rows:
            cols = self._columns()
            out.append("| " + " | ".join(HEAD[c] for c in cols) + " |")
            out.append("|" + "---:|" * len(cols))
            for r in self._rows(cols):
                out.append("| " + " | ".join(r) + " |")
            out += ["", self._footer(cols)]
        else:
            out.append("No crediting table (see notes).")
        if self.notes:
            out += [""] + [f"- {n}" for n in self.notes]
        if trace:
            out += ["", "### Trace", ""]
            out.extend(self._trace_lines(markdown=True))
        return "\n".join(out)

    def _trace_lines(self, markdown: bool) -> list[str]:
        """One block per traced number. No square brackets: the terminal report prints through rich."""
        lines = []
        year = object()
        ind = "    " if not markdown else "  "
        for e in self.trace:
            if e.get("year") != year:
                year = e.get("year")
                title = "Parameters" if year is None else f"Year {year}"
                lines.append(f"\n**{title}**\n" if markdown else f"-- {title}")
            unit = f" {e['unit']}" if e.get("unit") else ""
            tick = "`" if markdown else ""
            if e["step"] == "parameter":
                head = f"{tick}{e['name']} = {e['value']}{unit}{tick}"
                notes = [f"from {e['source']}"]
                if e.get("confidence"):
                    notes.append(f"confidence {e['confidence']}")
                if e.get("reference"):
                    notes.append(e["reference"])
                body = []
            elif e["step"] == "period":
                head = f"{tick}days = {e['value']}{tick} ({e['equation']})"
                body = [e["substituted"]]
                notes = []
            else:
                head = f"{tick}{e['name']} = {e['equation']}{tick}"
                body = []
                if e["substituted"] != e["equation"]:
                    body.append(f"= {e['substituted']}")
                body.append(f"= {e['value']}{unit}")
                notes = [x for x in (e.get("bounded_by") and f"bounded by: {e['bounded_by']}",
                                     e.get("source") and f"from {e['source']}", e.get("reference")) if x]
            if markdown:
                lines.append(f"- {head} " + " ".join(body) + (f" ({'; '.join(notes)})" if notes else ""))
            else:
                lines.append(f"  {head}")
                lines += [f"{ind}  {b}" for b in body]
                if notes:
                    lines.append(f"{ind}  ({'; '.join(notes)})")
        return lines


def entry_text(e: dict) -> str:
    """One line per trace entry, for consumers that show the trace as plain lines."""
    unit = f" {e['unit']}" if e.get("unit") else ""
    if e["step"] == "parameter":
        extra = "; ".join(x for x in (e.get("source") and f"from {e['source']}",
                                      e.get("confidence") and f"confidence {e['confidence']}", e.get("reference")) if x)
        return f"{e['name']} = {e['value']}{unit} ({extra})"
    if e["step"] == "period":
        return f"{e['year']}: days = {e['value']} ({e['equation']}); {e['substituted']}"
    mid = f" = {e['substituted']}" if e.get("substituted") and e["substituted"] != e["equation"] else ""
    tail = "; ".join(x for x in (e.get("bounded_by") and f"bounded by: {e['bounded_by']}", e.get("source"), e.get("reference")) if x)
    return f"{e['year']}: {e['name']} = {e['equation']}{mid} = {e['value']}{unit}" + (f" ({tail})" if tail else "")


def _total(col):
    vals = list(col)
    if all(isinstance(v, int) for v in vals):
        return sum(vals)
    return sum((Decimal(v) for v in vals), Decimal(0))

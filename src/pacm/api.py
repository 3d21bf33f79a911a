"""The Python API: ``pacm.check(...)`` for notebooks, scripts and the web service.

    import pacm
    r = pacm.check("examples/wind_farm_india.yaml", as_of="2026-11-01")
    r.verdict                 # 'no failing finding' ...
    r.findings                # pandas DataFrame, one row per rule
    r.quantities              # pandas DataFrame, one row per crediting year (exact Decimal tonnes)
    r.to_json(); r.to_html(); r.to_markdown(); r.to_xlsx()

Why a layer over :class:`pacm.engine.Engine`: the CLI, the web service (``pacm serve``), the batch
mode and ``pacm diff`` all need the same four steps (read the PDD, apply parameter overrides, check
on a date, render), and a notebook user needs them in one call. They live here once; the CLI's
``check`` and ``pacm serve`` answer the same JSON because both call :meth:`CheckResult.to_json`.

Bad input raises :class:`pacm.errors.PacmInputError` (the CLI's exit-2 error, with ``.code`` and
``.problems``), never a traceback from deep inside.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .errors import PacmInputError
from .i18n import issuable_label
from .verdict import issuable as issuable_of, verdict as verdict_text

if TYPE_CHECKING:  # pandas is imported lazily
    import pandas

    from .engine import Engine, Result

#: Columns of :attr:`CheckResult.findings`, in order.
FINDING_COLUMNS = (
    "rule", "status", "kind", "severity", "area", "title", "reference", "confidence", "message", "why_not",
    "expected",
)


def as_date(value: Any, what: str = "as_of") -> dt.date:
    """A date from a ``date``, an ISO string or ``None`` (today); anything else is a PacmInputError."""
    if value is None:
        return dt.date.today()
    from .asof import bounded_date, parse_date

    if isinstance(value, dt.datetime):
        return bounded_date(value.date(), what)
    if isinstance(value, dt.date):
        return bounded_date(value, what)

    return parse_date(str(value), what)


@lru_cache(maxsize=4)
def _base_engine(rules: str | None) -> "Engine":
    from .engine import Engine

    return Engine(rules_dir=rules)


def engine_for(rules: str | Path | None = None, params: Mapping[str, Any] | None = None,
               source: str = "params") -> "Engine":
    """An engine for a rule pack with parameter overrides (one cached engine when there are none).

    Overrides change the pack's parameter table, so an engine with overrides is built fresh and never
    shared: two requests with different overrides cannot see each other's values.
    """
    key = str(rules) if rules is not None else None
    if not params:
        return _base_engine(key)
    from .engine import Engine

    engine = Engine(rules_dir=rules)
    for name, value in params.items():
        engine.pack.params.override(str(name).strip(), value, f"{source}[{name}]", loc="")
    return engine


def load(pdd: Any, source: str | None = None):
    """A validated PDD model from a path, a mapping (already parsed) or a PDD model itself."""
    from .pdd.model import PDD

    if isinstance(pdd, PDD):
        return pdd, source or "<pdd>"
    if isinstance(pdd, Mapping):
        from .pdd.load import pdd_from_data

        name = source or "<mapping>"
        return pdd_from_data(dict(pdd), None, name), name
    if isinstance(pdd, (str, Path)):
        from .pdd.load import load_pdd

        return load_pdd(pdd), source or str(pdd)
    raise PacmInputError.single(
        "pacm.check", "bad-argument", f"cannot check {type(pdd).__name__}",
        expected="a file path, a mapping of PDD sections, or a pacm PDD model",
    )


def check(pdd: Any, as_of: Any = None, params: Mapping[str, Any] | None = None, *,
          rules: str | Path | None = None, evaluator: str = "rete", quantities: bool = True,
          source: str | None = None, lang: str = "en") -> "CheckResult":
    """Check a PDD: ``pdd`` is a path (YAML, JSON, .xlsx), a mapping of PDD sections, or a PDD model.

    ``as_of`` is a date or ``'YYYY-MM-DD'`` (default today); ``params`` overrides parameters by full
    name (``{'crediting_period.er_renewable_max_years': 5}``), listed in every report as overrides.
    """
    day = as_date(as_of)
    if evaluator not in ("rete", "vector"):
        raise PacmInputError.single("pacm.check", "bad-argument", f"evaluator {evaluator!r} is not allowed",
                                    expected="rete or vector")
    model, name = load(pdd, source)
    engine = engine_for(rules, params)
    result = engine.check(model, day, evaluator=evaluator, source=name, quantities=quantities)
    return CheckResult(result, lang=lang)


@dataclass
class CheckResult:
    """A checked PDD: the engine's result with tables and renderings for people and programs."""

    result: "Result"
    lang: str = "en"

    # ------------------------------------------------------------------ plain facts
    @property
    def summary(self) -> dict[str, int]:
        return self.result.counts()

    @property
    def exit_code(self) -> int:
        """What ``pacm check`` would exit with: 1 when a finding fails, else 0."""
        return self.result.exit_code

    @property
    def verdict(self) -> str:
        return verdict_text(self.result, self.lang)

    @property
    def issuable(self) -> int | None:
        """Total issuable A6.4ERs (whole units), or None when no quantities were computed."""
        return issuable_of(self.result)

    # ------------------------------------------------------------------ tables
    @property
    def findings(self) -> "pandas.DataFrame":
        """One row per rule: status, reference, message, why-not (columns :data:`FINDING_COLUMNS`)."""
        import pandas as pd

        rows = self.to_dict()["findings"]
        return pd.DataFrame([{c: r.get(c) for c in FINDING_COLUMNS} for r in rows], columns=list(FINDING_COLUMNS))

    @property
    def quantities(self) -> "pandas.DataFrame":
        """One row per crediting year, indexed by year; tonnes as exact ``Decimal``, A6.4ERs as ``int``.

        Empty (no rows) when no quantities were computed (an unknown methodology or ``quantities=False``).
        """
        import pandas as pd

        q = self.result.quantities
        years = (q.to_json().get("years") or []) if q is not None else []
        rows = [{k: _exact(v) for k, v in y.items()} for y in years]
        df = pd.DataFrame(rows)
        return df.set_index("year") if "year" in df.columns else df

    # ------------------------------------------------------------------ renderings
    def to_dict(self) -> dict:
        """The documented JSON contract (the same as ``pacm check --format json``)."""
        from .i18n import result_json

        return result_json(self.result, self.lang)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def to_html(self, show=None) -> str:
        """The self-contained HTML report; ``show`` lists only findings with these statuses."""
        from .report.render import render

        return render(self.result, "html", lang=self.lang, show=show)

    def to_markdown(self, trace: bool = False, show=None) -> str:
        from .report.render import render

        return render(self.result, "markdown", trace=trace, lang=self.lang, show=show)

    def to_text(self, trace: bool = False, show=None, summary: bool = False) -> str:
        from .report.render import render

        return render(self.result, "text", trace=trace, lang=self.lang, show=show, summary=summary)

    def to_xlsx(self) -> bytes:
        """A workbook with a summary, the findings and the quantities (every text cell stored as text)."""
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        bold = wb.add_format({"bold": True})
        ws = wb.add_worksheet("summary")
        data = self.to_dict()
        rows = [("PDD", data["pdd"]["title"]), ("source", data["pdd"]["source"]), ("as of", data["as_of"]),
                ("verdict", self.verdict), (issuable_label(self.result.failed), self.issuable)]
        rows += [(f"findings: {k}", v) for k, v in data["summary"].items()]
        for i, (k, v) in enumerate(rows):
            ws.write_string(i, 0, k, bold)
            _cell(ws, i, 1, v)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 60)
        _sheet(wb, "findings", self.findings, bold)
        q = self.quantities
        if len(q):
            _sheet(wb, "quantities", q.reset_index(), bold)
        wb.close()
        return buf.getvalue()

    def _repr_html_(self) -> str:  # a notebook shows the verdict, not a wall of text
        import html

        s = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.summary.items())
        units = "" if self.issuable is None else f"; {issuable_label(self.result.failed)}: {self.issuable:,}"
        return (f"<p><b>{html.escape(self.result.pdd.activity.title)}</b> as of {self.result.as_of}: "
                f"{html.escape(self.verdict)}{units}<br><small>{html.escape(s)}</small></p>")

    def __repr__(self) -> str:
        return f"<pacm CheckResult {self.result.source!r} as of {self.result.as_of}: {self.verdict}>"


def _exact(v: Any) -> Any:
    """JSON quantities carry tonnes as exact decimal text; give them back as Decimal."""
    if isinstance(v, str):
        try:
            return Decimal(v)
        except ArithmeticError:
            return v
    return v


def _cell(ws, r: int, c: int, v: Any) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v)
    elif isinstance(v, int):
        ws.write_number(r, c, v)
    else:  # Decimal tonnes stay exact as text; everything else is text, never a formula
        ws.write_string(r, c, format(v, "f") if isinstance(v, Decimal) else str(v))


def _sheet(wb, name: str, df, bold) -> None:
    ws = wb.add_worksheet(name)
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, str(col), bold)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            _cell(ws, i, j, None if v is None or (isinstance(v, float) and v != v) else v)
    ws.freeze_panes(1, 0)

"""Charts of the year-by-year quantities, drawn with matplotlib (Agg, no display needed).

Two charts, both from the quantities JSON contract (``quantities.years``):

* emissions per year: baseline, downward-adjusted baseline and project emissions;
* issuance per year: issuable A6.4ERs stacked with the deductions taken from the reductions
  (share of proceeds for adaptation, OMGE cancellation, buffer).

Each chart is returned as SVG text (vector, crisp when printed; fonts drawn as paths so the file
needs nothing from outside). The output is deterministic (fixed hash salt, no date metadata) so a
report rendered twice is byte-identical. Floats are used only to draw: the tables show the exact
decimals.
"""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

DEDUCTIONS = (("sop_adaptation", "SOP adaptation"), ("omge", "OMGE cancellation"), ("buffer", "Buffer"))
EMISSIONS = (("baseline", "Baseline"), ("baseline_adjusted", "Baseline, adjusted downwards"), ("project", "Project"))
COLORS = {
    "baseline": "#7f8c8d",
    "baseline_adjusted": "#2471a3",
    "project": "#d35400",
    "issuable": "#1e8449",
    "sop_adaptation": "#b7950b",
    "omge": "#8e44ad",
    "buffer": "#a93226",
}


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(Decimal(str(v)))
    except (InvalidOperation, ValueError):
        return None


def _series(years: Sequence[dict], key: str) -> list[float] | None:
    vals = [_num(y.get(key)) for y in years]
    if all(v is None for v in vals):
        return None
    return [v if v is not None else 0.0 for v in vals]


def _svg(fig) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "pacm", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "pacm"}, bbox_inches="tight")
    return buf.getvalue()


def _figure():
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure  # a Figure not tied to pyplot: no global state, thread-safe

    fig = Figure(figsize=(7.2, 3.4), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_formatter(_thousands())
    return fig, ax


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: f"{x:,.0f}")


def emissions_chart(years: Sequence[dict]) -> str | None:
    """Grouped bars: baseline, adjusted baseline, project emissions (tCO2e) per year; None if no data."""
    labels = [str(y.get("year")) for y in years]
    series = [(k, name, _series(years, k)) for k, name in EMISSIONS]
    series = [s for s in series if s[2] is not None]
    if not years or not series:
        return None
    fig, ax = _figure()
    n = len(series)
    width = 0.8 / n
    xs = range(len(labels))
    for i, (key, name, vals) in enumerate(series):
        ax.bar([x + (i - (n - 1) / 2) * width for x in xs], vals, width, label=name, color=COLORS[key])
    ax.set_xticks(list(xs), labels)
    ax.set_ylabel("tCO2e")
    ax.set_title("Baseline and project emissions per year", fontsize=11)
    ax.legend(frameon=False, fontsize=8, ncols=n, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _svg(fig)


def issuance_chart(years: Sequence[dict]) -> str | None:
    """Stacked bars: issuable A6.4ERs and each deduction per year; None if no data."""
    labels = [str(y.get("year")) for y in years]
    issuable = _series(years, "issuable")
    if not years or issuable is None:
        return None
    fig, ax = _figure()
    xs = list(range(len(labels)))
    ax.bar(xs, issuable, 0.6, label="Issuable A6.4ERs", color=COLORS["issuable"])
    bottom = list(issuable)
    for key, name in DEDUCTIONS:
        vals = _series(years, key)
        if vals is None or not any(vals):
            continue
        ax.bar(xs, vals, 0.6, bottom=bottom, label=name, color=COLORS[key])
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(xs, labels)
    ax.set_ylabel("tCO2e")
    ax.set_title("Issuable A6.4ERs and deductions per year", fontsize=11)
    ax.legend(frameon=False, fontsize=8, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _svg(fig)

"""Writing a sweep: Parquet tables, ``summary.csv``/``summary.md`` and a chart, all or nothing.

``years.parquet`` (scenario x activity x year) and ``activities.parquet`` (scenario x activity) are
written row group by row group as scenarios finish, so a sweep of many scenarios never holds every
table in memory. Everything goes into a temporary folder beside ``--out``, renamed into place at
the end through :func:`pacm.outfolder.output_folder`, as ``pacm transition --out`` does: an
interrupted (SIGINT, SIGTERM) or failed sweep leaves the previous output or nothing. An existing
``--out`` is replaced only if it holds a previous sweep (marker ``.pacm-sweep``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..outfolder import check_target, output_folder
from .run import ACTIVITY_COLUMNS, SUMMARY_COLUMNS, YEAR_COLUMNS, ScenarioResult

MARKER = ".pacm-sweep"


def check_out(out: str | Path) -> tuple[Path, Path]:
    """Refuse an ``--out`` that cannot be written or replaced, before any work starts."""
    return check_target(out, MARKER, "pacm sweep")


def write_sweep(results: Iterable[ScenarioResult], out: str | Path, title: str) -> tuple[list[Path], "object"]:
    """Consume ``results`` (in scenario order) and write the sweep into ``out``; return (files, summary)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..report.batch import write_tables

    writers: dict[str, pq.ParquetWriter] = {}
    with output_folder(out, MARKER, "pacm sweep") as tmp:
        try:
            rows, notes = [], {}
            for r in results:
                for x in r.notes:
                    notes.setdefault(x, r.name)
                for name, frame, cols in (("years", r.years, YEAR_COLUMNS), ("activities", r.activities, ACTIVITY_COLUMNS)):
                    if frame is None:
                        continue
                    tbl = pa.Table.from_pandas(frame[list(cols)], preserve_index=False)
                    w = writers.get(name)
                    if w is None:
                        w = writers[name] = pq.ParquetWriter(tmp / f"{name}.parquet", tbl.schema)
                    if len(frame):
                        w.write_table(tbl.cast(w.schema))
                rows.append(r.summary)
        except BaseException:
            for w in writers.values():
                try:
                    w.close()
                except Exception:
                    pass
            raise
        for w in writers.values():
            w.close()
        summary = pd.DataFrame.from_records(rows, columns=list(SUMMARY_COLUMNS))
        write_tables(tmp, {"summary": summary}, formats=("csv",))
        chart = "issuable_by_scenario.png" if chart_png(summary, tmp / "issuable_by_scenario.png") else None
        (tmp / "summary.md").write_text(summary_markdown(summary, title, chart, list(notes)), encoding="utf-8")
    return sorted(Path(out).iterdir()), summary


def summary_markdown(summary, title: str, chart: str | None, notes: list[str] = ()) -> str:
    from ..report.markdown import md_cell

    base = summary[(summary["overrides"] == "(base)") & summary["error"].isna()]
    ref = int(base["issuable"].iloc[0]) if len(base) else None
    L = [f"# Scenario sweep: {md_cell(title)}\n",
         "Issuable A6.4ERs estimated as `pacm transition` estimates them (ex-ante annual reductions of the crediting "
         "period that transitions, from 2021), once per scenario." + (" Change against the base scenario "
                                                                      f"(`{md_cell(base['scenario'].iloc[0])}`)." if ref is not None else "") + "\n",
         "| scenario | overrides | eligible | activity-years | gross | SOP adaptation | OMGE | issuable | change |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in summary.itertuples(index=False):
        if isinstance(r.error, str):
            L.append(f"| {md_cell(r.scenario)} | {md_cell(r.overrides)} | error: {md_cell(r.error)[:200]} | | | | | | |")
            continue
        ch = "" if ref is None else f"{int(r.issuable) - ref:+,}"
        L.append(f"| {md_cell(r.scenario)} | {md_cell(r.overrides)} | {int(r.eligible):,} | {int(r.activity_years):,} | "
                 f"{int(r.gross_units):,} | {int(r.sop_adaptation):,} | {int(r.omge):,} | {int(r.issuable):,} | {ch} |")
    L.append("")
    if chart:
        L.append(f"![Total issuable A6.4ERs by scenario]({chart})\n")
    if notes:
        L.append("## Notes\n")
        L.extend(f"- {md_cell(x)[:500]}" for x in notes[:100])
        if len(notes) > 100:
            L.append(f"- ... and {len(notes) - 100} more")
        L.append("")
    return "\n".join(L) + "\n"


def chart_png(summary, path: Path) -> bool:
    """Horizontal bars: total issuable A6.4ERs per scenario (million), in file order."""
    ok = summary[summary["error"].isna()]
    if not len(ok):
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = min(max(2.5, 0.28 * len(ok) + 1.2), 40)
    fig, ax = plt.subplots(figsize=(8, h), dpi=100)
    ax.barh(list(range(len(ok)))[::-1], ok["issuable"].astype("int64") / 1e6, color="#4C72B0")
    ax.set_yticks(list(range(len(ok)))[::-1], [str(s) for s in ok["scenario"]], fontsize=8)
    ax.set_xlabel("million A6.4ERs")
    ax.set_title("Total estimated issuable A6.4ERs by scenario")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return True

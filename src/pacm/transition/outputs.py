"""Writing a batch run: tables (CSV, Parquet, XLSX), ``summary.md`` and a chart, all or nothing.

All or nothing through :func:`pacm.outfolder.output_folder` (shared with ``pacm sweep``): a failed or
interrupted run (SIGINT, SIGTERM) leaves the previous output or nothing, never half a set; an
existing ``--out`` is replaced only when it holds a previous ``pacm transition`` output (marker
file ``.pacm-transition``).
"""

from __future__ import annotations

from pathlib import Path

from ..outfolder import output_folder
from ..outsafe import md_text
from .evaluate import ELIGIBILITY_PREFIX, STATUSES
from .run import RunResult

MARKER = ".pacm-transition"
FORMATS = ("csv", "parquet", "xlsx")


def _table(rows, header) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(_cell(x) for x in r) + " |")
    return "\n".join(out)


def _cell(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.0f}" if x == x else ""
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    return md_text(x)  # user data (column names, values): no HTML, links or pipes


def summary_markdown(res: RunResult, chart: str | None) -> str:
    import pandas as pd

    a = res.activities
    f = res.findings
    n = len(a)
    el = a["transition_eligible"]
    L: list[str] = []
    w = L.append
    w(f"# CDM transition reassessment as of {res.as_of.isoformat()}\n")
    w(f"- Source: {md_text(Path(res.source).name)} ({n:,} rows), mapping {md_text(res.mapping.name)} ({md_text(res.mapping.title)})")
    src = res.mapping.source
    if src.get("origin"):
        w(f"- Data: {md_text(src.get('origin'))}; copy: {md_text(src.get('copy', ''))}; terms: {md_text(src.get('terms', ''))}")
    info = res.engine_info
    w(f"- pacm {info.get('version')}, rule pack {info.get('rule_pack')} (sha256 {str(info.get('rule_pack_sha256', ''))[:12]}), "
      f"{res.n_rules} rules evaluated")
    if info.get("parameter_overrides"):
        w(f"- **Parameter overrides**: {info['parameter_overrides']}")
    t = res.timings
    w(f"- Timings: read {t.get('read_s', 0):.2f} s, typing columns {t.get('type_columns_s', 0):.2f} s, "
      f"evaluation {t.get('evaluate_s', 0):.2f} s, tables {t.get('tables_s', 0):.2f} s\n")

    w("## Eligibility\n")
    w("`transition_eligible` is **true** when no eligibility condition fails and every condition the export can show "
      "holds; **false** when one fails; **undecided** when a condition the export should show is missing for the row "
      "(or the row is not a valid PDD).\n")
    kinds = a["kind"].fillna("?")
    rows = []
    for label, mask in (("true", el == True), ("false", el == False), ("undecided", el.isna())):  # noqa: E712
        rows.append([label, int(mask.sum()), int((mask & (kinds == "PA")).sum()), int((mask & (kinds == "PoA")).sum())])
    w(_table(rows, ["transition_eligible", "activities", "PA", "PoA"]) + "\n")
    stat = _rule_counts(f, res)
    cp_rule = "transition.eligibility_cp_active_2021"
    if cp_rule in stat:
        c = stat[cp_rule]
        w(f"- Crediting period active on the cut-off date (`{cp_rule}` passes): **{c['pass']:,}** rows "
          f"({c['fail']:,} fail, {c['insufficient_data']:,} undecided).")
    cov = a["cp_active_on_cutoff"]
    w(f"- Rows whose crediting-period dates cover the cut-off date, valid PDDs or not: **{int((cov == True).sum()):,}** "  # noqa: E712
      f"({int(((cov == True) & (kinds == 'PA')).sum()):,} PA, {int(((cov == True) & (kinds == 'PoA')).sum()):,} PoA).")  # noqa: E712
    reg_rule = "transition.eligibility_registered"
    if reg_rule in stat:
        c = stat[reg_rule]
        w(f"- Registered under the CDM or provisional (`{reg_rule}` passes): **{c['pass']:,}** rows ({c['fail']:,} fail).")
    w("")
    w("Conditions the export cannot show (it has no column for them, so they are not evaluated; `transition_eligible` "
      "assumes nothing about them and must be read as 'eligible on what the export shows'):\n")
    nc = [r for r in res.eligibility_rules if r in res.not_checkable]
    for r in nc:
        w(f"- `{r}`")
    if not nc:
        w("- (none)")
    w("")
    failed = a["eligibility_failed"].dropna().str.split("; ").explode().value_counts()
    if len(failed):
        w("Failed eligibility conditions (an activity may fail several):\n")
        w(_table([[ELIGIBILITY_PREFIX + k, int(v)] for k, v in failed.items()], ["condition", "activities"]) + "\n")

    w("## By host country (top 25 by eligible activities)\n")
    g = a.assign(_e=(el == True), _iss=pd.to_numeric(a["estimated_issuable"], errors="coerce")).groupby(  # noqa: E712
        a["host"].fillna("(none)"))
    by_host = pd.DataFrame({"activities": g.size(), "eligible": g["_e"].sum(), "issuable": g["_iss"].sum(min_count=1)})
    by_host = by_host.sort_values(["eligible", "activities"], ascending=False).head(25)
    w(_table([[h, int(r.activities), int(r.eligible), None if pd.isna(r.issuable) else int(r.issuable)]
              for h, r in by_host.iterrows()], ["host", "activities", "eligible", "estimated issuable A6.4ERs"]) + "\n")

    w("## By methodology (top 25 by eligible activities)\n")
    g = a.assign(_e=(el == True), _iss=pd.to_numeric(a["estimated_issuable"], errors="coerce")).groupby(  # noqa: E712
        a["methodology"].fillna("(none)"))
    by_m = pd.DataFrame({"activities": g.size(), "eligible": g["_e"].sum(), "issuable": g["_iss"].sum(min_count=1)})
    by_m = by_m.sort_values(["eligible", "activities"], ascending=False).head(25)
    w(_table([[m, int(r.activities), int(r.eligible), None if pd.isna(r.issuable) else int(r.issuable)]
              for m, r in by_m.iterrows()], ["methodology", "activities", "eligible", "estimated issuable A6.4ERs"]) + "\n")

    w("## By rule\n")
    w(f"Counts over the {int(res.activities['valid_pdd'].sum()):,} rows that are valid PDDs, for the rules the export can "
      "show. `findings.csv` lists their `fail`, `insufficient_data` and `validator_judgement` findings"
      + (" and their `pass` findings" if res.all_findings else " (`pass` ones too with `--all-findings`)")
      + "; the rules the export cannot show are listed further down, once.\n")
    rows = [[rid] + [c[s] for s in STATUSES] for rid, c in stat.items()
            if not rid.startswith("input.") and rid not in res.not_checkable]
    w(_table(rows, ["rule"] + list(STATUSES)) + "\n")

    w("## Data defects found (input findings)\n")
    inp = f[f["rule"].str.startswith("input.")]
    if len(inp):
        g = inp.groupby(["rule", "severity"]).agg(rows=("reference", "size"), columns=("fields", lambda s: "; ".join(sorted(set("; ".join(s).split("; "))))[:160]))
        w(_table([[r, sev, int(x.rows), x.columns] for (r, sev), x in g.iterrows()], ["finding", "severity", "rows", "columns"]) + "\n")
    else:
        w("None.\n")

    w("## Rules the export cannot show\n")
    w("Not evaluated: rules whose requirement reads a field the export holds nothing about (mapping `not_in_file`); "
      "with a count: evaluated, but `insufficient_data` on every row.\n")
    for r, k in sorted(res.not_checkable.items()):
        w(f"- `{r}`" + (f" ({k:,} rows)" if k is not None else ""))
    w("")
    if res.excluded:
        w("## Rules not evaluated\n")
        for r, why in res.excluded.items():
            w(f"- `{r}`: {why}")
        w("")

    w("## Estimated issuable A6.4ERs\n")
    y = res.years
    if y is not None and len(y):
        yy = y.assign(issuable=y["issuable"].astype("int64"), gross=y["gross_units"].astype("int64"))
        tab = yy.groupby("year").agg(activities=("activity", "nunique"), gross=("gross", "sum"),
                                     sop=("sop_adaptation", lambda s: int(sum(int(v) for v in s))),
                                     omge=("omge", lambda s: int(sum(int(v) for v in s))), issuable=("issuable", "sum"))
        w("From the ex-ante annual emission reductions of the crediting period that transitions, for its days from "
          f"{res.as_of.year if False else '2021'} on, for activities with `transition_eligible` true; the CDM "
          "methodology years carry no downward adjustment, the years after `cdm_methodology_until` carry the "
          "rule pack's (first A6.4 year = adjustment year 0); share of proceeds (waived when every host is an LDC/SIDS "
          "on the as-of date) and OMGE through `pacm.quantities.pipeline.credit_years`. Ex-ante figures are the PDD's "
          "estimates, not verified reductions: an upper bound.\n")
        w(_table([[str(int(i)), int(r.activities), int(r.gross), int(r.sop), int(r.omge), int(r.issuable)] for i, r in tab.iterrows()],
                 ["year", "activities", "gross A6.4ERs", "SOP adaptation", "OMGE", "issuable"]) + "\n")
        w(f"Total estimated issuable: **{int(tab['issuable'].sum()):,}** A6.4ERs.\n")
        if chart:
            w(f"![Estimated issuable A6.4ERs by year]({chart})\n")
    else:
        w("No credit estimates.\n")
    if res.notes:
        w("## Notes\n")
        for x in res.notes:
            w(f"- {x}")
        w("")
    return "\n".join(L) + "\n"


def _rule_counts(f, res: RunResult) -> dict[str, dict[str, int]]:
    """rule -> status counts over the valid PDDs for the evaluated rules, and rows per input finding."""
    out = {r: dict(c) for r, c in res.rule_counts.items()}
    if len(f):
        inp = f[f["rule"].str.startswith("input.")]
        for (rule, status), k in inp.groupby(["rule", "status"]).size().items():
            out.setdefault(rule, {s: 0 for s in STATUSES})[status] = int(k)
    return dict(sorted(out.items()))


def chart_png(years, path: Path) -> bool:
    """Bar chart of estimated issuable A6.4ERs by year (CDM-methodology years vs A6.4-methodology years)."""
    if years is None or not len(years):
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = years.assign(iss=years["issuable"].astype("int64"), da=years["da_applies"].astype(bool))
    piv = y.pivot_table(index="year", columns="da", values="iss", aggfunc="sum", fill_value=0)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    bottom = None
    for key, label, color in ((False, "CDM methodology (grace period)", "#4C72B0"), (True, "A6.4 methodology, downward-adjusted", "#DD8452")):
        if key in piv.columns:
            vals = piv[key] / 1e6
            ax.bar(piv.index, vals, bottom=bottom, label=label, color=color)
            bottom = vals if bottom is None else bottom + vals
    ax.set_xlabel("vintage year")
    ax.set_ylabel("million A6.4ERs")
    ax.set_title("Estimated issuable A6.4ERs of transition-eligible CDM activities")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return True


def write_outputs(res: RunResult, out: str | Path, formats=FORMATS) -> list[Path]:
    """Write every output into ``out`` at once (see the module docstring)."""
    with output_folder(out, MARKER, "pacm transition") as tmp:
        write_into(tmp, res, formats)
    return sorted(Path(out).iterdir())


def write_into(folder: Path, res: RunResult, formats=FORMATS) -> None:
    """The tables, the chart and ``summary.md`` of ``res``, into ``folder`` (the temporary one)."""
    from ..report.batch import write_tables

    tables = {"activities": res.activities, "findings": res.findings}
    if res.years is not None and len(res.years):
        keep = ["activity", "year", "days", "da_applies", "years_since_start", "baseline", "daf", "baseline_adjusted",
                "reductions", "gross_units", "sop_adaptation", "omge", "issuable"]
        tables["credits"] = res.years[[c for c in keep if c in res.years.columns]]
    write_tables(folder, tables, formats=formats)
    chart = "issuable_by_year.png" if chart_png(res.years, folder / "issuable_by_year.png") else None
    (folder / "summary.md").write_text(summary_markdown(res, chart), encoding="utf-8")

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


#: the column types of the output tables, fixed for the whole table (it is written chunk by chunk). Those
#: of the real export's tables as inferred from the whole table; ``cdm_reference`` and ``renewals_left``
#: are whole numbers with gaps, which a pandas column holds as floats (``1.0``): kept so as not to change
#: the outputs.
ACTIVITY_TYPES = {
    "row": "int64", "reference": "string", "cdm_reference": "float64", "unique_id": "string", "title": "string",
    "kind": "string", "host": "string", "host_party": "string", "methodology": "string", "technology": "string",
    "activity_type": "string", "cdm_status": "string", "cp_type": "string", "transition_crediting_period": "string",
    "current_crediting_period": "string", "transition_eligible": "boolean", "eligibility_failed": "string",
    "eligibility_undecided": "string", "cdm_methodology_until": "string", "a64_methodology_from": "string",
    "renewals_left": "float64", "host_ldc": "boolean", "host_sids": "boolean", "sop_exempt": "boolean",
    "annual_er_ex_ante": "string", "estimated_issuable": "Int64", "cp_active_on_cutoff": "boolean", "valid_pdd": "bool",
    "n_pass": "int64", "n_fail": "int64", "n_insufficient_data": "int64", "n_validator_judgement": "int64",
    "n_not_applicable": "int64", "n_input": "int64",
}
FINDING_TYPES = {"row": "int64", "reference": "string", "rule": "string", "status": "string", "severity": "string",
                 "fields": "string", "message": "string"}
CREDIT_TYPES = {
    "activity": "string", "year": "int64", "days": "int64", "da_applies": "bool", "years_since_start": "int64",
    "baseline": "string", "daf": "string", "baseline_adjusted": "string", "reductions": "string",
    "gross_units": "Int64", "sop_adaptation": "Int64", "omge": "Int64", "issuable": "Int64",
}


class Totals:
    """What ``summary.md``, the chart and the command's last line need of the tables, as running totals
    (:meth:`add` once per chunk), so that they never need the whole tables."""

    def __init__(self):
        self.n = 0
        self.valid = 0
        self.findings = 0
        self.eligible = {(lab, k): 0 for lab in ("true", "false", "undecided") for k in ("all", "PA", "PoA")}
        self.covered = {"all": 0, "PA": 0, "PoA": 0}
        self.failed: dict[str, int] = {}
        self.by_host: dict[str, list] = {}
        self.by_methodology: dict[str, list] = {}
        self.inputs: dict[tuple[str, str], list] = {}  # (rule, severity) -> [rows, set of columns]
        self.input_status: dict[tuple[str, str], int] = {}  # (rule, status) -> rows
        self.years: dict[int, list[int]] = {}  # year -> activities, gross, sop, omge, issuable
        self.chart: dict[tuple[int, bool], int] = {}  # (year, downward adjustment applies) -> issuable

    def add(self, a, f, y) -> None:
        import pandas as pd

        self.n += len(a)
        self.valid += int(a["valid_pdd"].sum())
        self.findings += len(f)
        el = a["transition_eligible"]
        kinds = a["kind"].fillna("?")
        for label, mask in (("true", el == True), ("false", el == False), ("undecided", el.isna())):  # noqa: E712
            for k in ("all", "PA", "PoA"):
                self.eligible[label, k] += int((mask if k == "all" else (mask & (kinds == k))).sum())
        cov = a["cp_active_on_cutoff"] == True  # noqa: E712
        for k in ("all", "PA", "PoA"):
            self.covered[k] += int((cov if k == "all" else (cov & (kinds == k))).sum())
        for x in a["eligibility_failed"].dropna().str.split("; ").explode():
            self.failed[x] = self.failed.get(x, 0) + 1
        x = pd.DataFrame({"_e": (el == True).astype("int64"),  # noqa: E712
                          "_iss": pd.to_numeric(a["estimated_issuable"], errors="coerce")})
        for col, acc in (("host", self.by_host), ("methodology", self.by_methodology)):
            g = x.groupby(a[col].fillna("(none)").to_numpy(), sort=False)
            for key, k, e, i in zip(g.size().index, g.size().tolist(), g["_e"].sum().tolist(),
                                    g["_iss"].sum(min_count=1).tolist()):
                t = acc.setdefault(key, [0, 0, None])
                t[0] += int(k)
                t[1] += int(e)
                if not pd.isna(i):
                    t[2] = (t[2] or 0) + int(i)
        inp = f[f["rule"].str.startswith("input.")]
        for rule, sev, status, fields in zip(inp["rule"], inp["severity"], inp["status"], inp["fields"]):
            t = self.inputs.setdefault((rule, sev), [0, set()])
            t[0] += 1
            t[1].update(fields.split("; "))
            self.input_status[rule, status] = self.input_status.get((rule, status), 0) + 1
        if y is not None and len(y):
            for year, g in y.groupby("year"):
                t = self.years.setdefault(int(year), [0, 0, 0, 0, 0])
                t[0] += g["_row"].nunique()  # activities: rows, each in one chunk only
                t[1] += sum(int(v) for v in g["gross_units"])
                t[2] += sum(int(v) for v in g["sop_adaptation"])
                t[3] += sum(int(v) for v in g["omge"])
                t[4] += sum(int(v) for v in g["issuable"])
            for year, da, v in zip(y["year"].tolist(), y["da_applies"].tolist(), y["issuable"].tolist()):
                k = (int(year), bool(da))
                self.chart[k] = self.chart.get(k, 0) + int(v)

    def counted(self, res) -> "Totals":
        """These totals of ``res``'s whole tables."""
        self.add(res.activities, res.findings, res.years)
        return self


def _top(acc: dict[str, list]):
    """The 25 keys with most eligible activities (then most activities; ties in key order, as a groupby gives)."""
    import pandas as pd

    d = pd.DataFrame.from_dict(acc, orient="index", columns=["activities", "eligible", "issuable"]).sort_index()
    return d.sort_values(["eligible", "activities"], ascending=False).head(25)


def summary_markdown(res, chart: str | None, tot: Totals | None = None) -> str:
    """``summary.md`` of a run: ``res`` (a :class:`RunResult` or a finished :class:`~pacm.transition.run.Batch`
    result) for what the run knows, ``tot`` for the totals of its tables (counted from ``res``'s tables if not given)."""
    import pandas as pd

    tot = tot or Totals().counted(res)
    n = tot.n
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
    rows = [[label, tot.eligible[label, "all"], tot.eligible[label, "PA"], tot.eligible[label, "PoA"]]
            for label in ("true", "false", "undecided")]
    w(_table(rows, ["transition_eligible", "activities", "PA", "PoA"]) + "\n")
    stat = _rule_counts(tot, res)
    cp_rule = "transition.eligibility_cp_active_2021"
    if cp_rule in stat:
        c = stat[cp_rule]
        w(f"- Crediting period active on the cut-off date (`{cp_rule}` passes): **{c['pass']:,}** rows "
          f"({c['fail']:,} fail, {c['insufficient_data']:,} undecided).")
    cov = tot.covered
    w(f"- Rows whose crediting-period dates cover the cut-off date, valid PDDs or not: **{cov['all']:,}** "
      f"({cov['PA']:,} PA, {cov['PoA']:,} PoA).")
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
    failed = pd.Series(tot.failed, dtype="int64").sort_values(ascending=False) if tot.failed else ()
    if len(failed):
        w("Failed eligibility conditions (an activity may fail several):\n")
        w(_table([[ELIGIBILITY_PREFIX + k, int(v)] for k, v in failed.items()], ["condition", "activities"]) + "\n")

    for title, col, acc in (("By host country", "host", tot.by_host), ("By methodology", "methodology", tot.by_methodology)):
        w(f"## {title} (top 25 by eligible activities)\n")
        top = _top(acc)
        w(_table([[h, int(r.activities), int(r.eligible), None if pd.isna(r.issuable) else int(r.issuable)]
                  for h, r in top.iterrows()], [col, "activities", "eligible", "estimated issuable A6.4ERs"]) + "\n")

    w("## By rule\n")
    w(f"Counts over the {tot.valid:,} rows that are valid PDDs, for the rules the export can "
      "show. `findings.csv` lists their `fail`, `insufficient_data` and `validator_judgement` findings"
      + (" and their `pass` findings" if res.all_findings else " (`pass` ones too with `--all-findings`)")
      + "; the rules the export cannot show are listed further down, once.\n")
    rows = [[rid] + [c[s] for s in STATUSES] for rid, c in stat.items()
            if not rid.startswith("input.") and rid not in res.not_checkable]
    w(_table(rows, ["rule"] + list(STATUSES)) + "\n")

    w("## Data defects found (input findings)\n")
    if tot.inputs:
        w(_table([[r, sev, k, "; ".join(sorted(cols))[:160]] for (r, sev), (k, cols) in sorted(tot.inputs.items())],
                 ["finding", "severity", "rows", "columns"]) + "\n")
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
    if tot.years:
        w("From the ex-ante annual emission reductions of the crediting period that transitions, for its days from "
          "2021 on, for activities with `transition_eligible` true; the CDM "
          "methodology years carry no downward adjustment, the years after `cdm_methodology_until` carry the "
          "rule pack's (first A6.4 year = adjustment year 0); share of proceeds (waived when every host is an LDC/SIDS "
          "on the as-of date) and OMGE through `pacm.quantities.pipeline.credit_years`. Ex-ante figures are the PDD's "
          "estimates, not verified reductions: an upper bound.\n")
        w(_table([[str(y), *v] for y, v in sorted(tot.years.items())],
                 ["year", "activities", "gross A6.4ERs", "SOP adaptation", "OMGE", "issuable"]) + "\n")
        w(f"Total estimated issuable: **{sum(v[4] for v in tot.years.values()):,}** A6.4ERs.\n")
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


def _rule_counts(tot: Totals, res) -> dict[str, dict[str, int]]:
    """rule -> status counts over the valid PDDs for the evaluated rules, and rows per input finding."""
    out = {r: dict(c) for r, c in res.rule_counts.items()}
    for (rule, status), k in tot.input_status.items():
        out.setdefault(rule, {s: 0 for s in STATUSES})[status] = int(k)
    return dict(sorted(out.items()))


def chart_png(tot: Totals, path: Path) -> bool:
    """Bar chart of estimated issuable A6.4ERs by year (CDM-methodology years vs A6.4-methodology years)."""
    if not tot.chart:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    s = pd.Series(tot.chart)
    piv = s.unstack(fill_value=0).sort_index()
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
    """The tables, the chart and ``summary.md`` of ``res`` (whole tables), into ``folder`` (the temporary one)."""
    write_chunks(folder, res, [(res.activities, res.findings, res.years)], formats)


def write_chunks(folder: Path, res, chunks, formats=FORMATS) -> Totals:
    """The tables of ``chunks`` ((activities, findings, years) frames, consumed one at a time), then the
    chart and ``summary.md`` from their running totals and ``res``, which is asked for only once
    ``chunks`` is exhausted (a callable: a :class:`~pacm.transition.run.Batch` knows its
    rules-not-checkable only then)."""
    from ..report.batch import TableWriter

    tot = Totals()
    writers = {"activities": TableWriter(folder, "activities", ACTIVITY_TYPES, formats),
               "findings": TableWriter(folder, "findings", FINDING_TYPES, formats)}
    try:
        for a, f, y in chunks:
            tot.add(a, f, y)
            writers["activities"].write(a)
            writers["findings"].write(f)
            if y is not None and len(y):
                if "credits" not in writers:
                    types = {c: k for c, k in CREDIT_TYPES.items() if c in y.columns}
                    writers["credits"] = TableWriter(folder, "credits", types, formats)
                writers["credits"].write(y[list(writers["credits"].types)])
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    res = res() if callable(res) else res
    chart = "issuable_by_year.png" if chart_png(tot, folder / "issuable_by_year.png") else None
    (folder / "summary.md").write_text(summary_markdown(res, chart, tot), encoding="utf-8")
    return tot


def write_run(folder: Path, batch, formats=FORMATS):
    """Run ``batch`` (a :class:`~pacm.transition.run.Batch`) and write its outputs into ``folder`` chunk by
    chunk (bounded memory). Returns (the run's :class:`RunResult` without tables, its :class:`Totals`)."""
    result = []

    def finished():
        result.append(batch.result(None, None, None))
        return result[0]

    tot = write_chunks(folder, finished, ((c.activities, c.findings, c.years) for c in batch.chunks(folder)), formats)
    return result[0], tot

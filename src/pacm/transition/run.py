"""A whole batch run: read, evaluate (optionally in worker processes), estimate credits, tabulate.

:func:`run` returns a :class:`RunResult` holding the tables and the timings; nothing is written
until :func:`pacm.transition.outputs.write_outputs` writes them all at once (atomically).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..dates import calendar_year_slices, year_basis
from ..hosts import is_ldc, is_sids, parties
from .evaluate import ELIGIBILITY_PREFIX, STATUSES, ChunkResult, evaluate_chunk, subset
from .mapping import Mapping, load_mapping
from .read import Table, read_table
from .rows import Context

TRANSITION_PARAMS = (
    "transition.cp_active_on",
    "transition.cdm_methodology_deadline",
    "transition.a64_vintage_from",
    "transition.cdm_renewable_max_years",
    "transition.cdm_fixed_max_years",
    "transition.cdm_ar_renewable_max_years",
    "transition.cdm_ar_fixed_max_years",
)

# set in the parent before worker processes are forked (so the compiled pack is not pickled)
_SHARED: dict[str, Any] = {}


@dataclass
class RunResult:
    source: str
    as_of: dt.date
    mapping: Mapping
    activities: Any  # pandas.DataFrame
    findings: Any
    years: Any  # per activity-year credits
    not_checkable: dict[str, int | None]  # rule -> rows with insufficient_data (None: not evaluated at all)
    excluded: dict[str, str]
    eligibility_rules: list[str]
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)
    engine_info: dict = field(default_factory=dict)
    n_rules: int = 0
    all_findings: bool = False
    rule_counts: dict = field(default_factory=dict)  # rule -> status -> rows (valid PDDs, evaluated rules)
    credit_inputs: list = field(default_factory=list)  # activity-years before crediting (see credits_for)


def _lengths(engine, derived: dict, key: str, as_of: dt.date) -> tuple[int, ...]:
    """The lengths of ``derived.cp_type_from_length.<key>``: each a parameter name (the CDM maxima in
    ``rules/parameters/transition.yaml``, resolved on the as-of date) or a whole number of years."""
    from ..errors import PacmInputError, did_you_mean

    out = []
    for x in derived.get("cp_type_from_length", {}).get(key, []):
        if isinstance(x, str):
            ps = engine.pack.params
            if x not in ps.params:
                raise PacmInputError.single(
                    f"mapping: derived.cp_type_from_length.{key}", "unknown-parameter", f"no parameter '{x}'",
                    expected="a parameter of the rule pack (e.g. transition.cdm_fixed_max_years) or a number of years",
                    hint=did_you_mean(x, ps.params))
            try:
                x = ps.value(x, as_of)
            except KeyError:
                continue  # not in force on the as-of date: no length to infer from
        out.append(int(x))
    return tuple(out)


def make_context(engine, mapping: Mapping, as_of: dt.date) -> Context:
    p = engine.pack.params.resolve(TRANSITION_PARAMS, as_of)
    d = mapping.derived
    iso2_to_iso3 = {pt.iso2: pt.iso3 for pt in parties().values() if pt.iso2}
    snap = mapping.snapshot_date
    return Context(
        as_of=as_of,
        cp_active_on=p["transition.cp_active_on"],
        cdm_methodology_deadline=p["transition.cdm_methodology_deadline"],
        a64_vintage_from=p["transition.a64_vintage_from"],
        max_years={
            ("emission_reduction", "renewable"): int(p["transition.cdm_renewable_max_years"]),
            ("emission_reduction", "fixed"): int(p["transition.cdm_fixed_max_years"]),
            ("removal", "renewable"): int(p["transition.cdm_ar_renewable_max_years"]),
            ("removal", "fixed"): int(p["transition.cdm_ar_fixed_max_years"]),
        },
        headers={k: c.header for k, c in mapping.columns.items()},
        to={k: list(c.to) for k, c in mapping.columns.items() if c.to},
        constants=dict(mapping.constants),
        technology_by_type=dict(d.get("technology", {}).get("by_type", {})),
        technology_by_subtype=dict(d.get("technology", {}).get("by_subtype", {})),
        removal_prefixes=tuple(d.get("activity_type", {}).get("removal_methodology_prefixes", ["AR-"])),
        renewable_years=_lengths(engine, d, "renewable_years", as_of),
        fixed_years=_lengths(engine, d, "fixed_years", as_of),
        iso2_to_iso3=iso2_to_iso3,
        host_status={c: (is_ldc(c, as_of), is_sids(c, as_of)) for c in parties()},
        host_status_snapshot={c: (is_ldc(c, snap), is_sids(c, snap)) for c in parties()} if snap else {},
        snapshot_date=snap,
    )


def _slice(values: dict[str, list], a: int, b: int) -> dict[str, list]:
    return {k: v[a:b] for k, v in values.items()}


def _work(args) -> ChunkResult:
    values, offset = args
    return evaluate_chunk(values, offset, _SHARED["ctx"], _SHARED["compiled"], _SHARED["pass_messages"])


def run(
    path: str | Path,
    as_of: dt.date,
    engine,
    mapping: Mapping | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    table: Table | None = None,
    chunk_size: int | None = None,
    all_findings: bool = False,
    keep_credit_inputs: bool = False,
) -> RunResult:
    """Evaluate every row of the export at ``path`` on ``as_of``.

    ``findings`` holds every fail, insufficient_data and validator_judgement finding and every input
    finding; passing findings too when ``all_findings`` (they are always counted in ``activities``).
    ``keep_credit_inputs``: keep the activity-years before crediting in ``credit_inputs`` (``pacm sweep``
    re-credits them per scenario; the transition command does not need the copy).
    """
    import pandas as pd

    mapping = mapping or load_mapping()
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    own_table = table is None
    if table is None:
        table = read_table(path, mapping)
    timings["read_s"] = table.read_seconds
    timings["type_columns_s"] = table.parse_seconds

    t0 = time.perf_counter()
    ctx = make_context(engine, mapping, as_of)
    compiled_all = engine.compiled(as_of)
    from ..expr.ir import fields_of

    excluded = {rid: why for rid, why in mapping.not_evaluated.items() if rid in {r.id for r in compiled_all.rules}}
    # rules whose requirement reads a field the export holds nothing about: not evaluated at all
    static_nc = [cr.id for cr in compiled_all.rules
                 if cr.id not in excluded and any(not mapping.in_file(f) for f in fields_of(cr.rule.require))]
    elig_rules = [cr.id for cr in compiled_all.rules if cr.id.startswith(ELIGIBILITY_PREFIX) and cr.id not in excluded]
    compiled = subset(compiled_all, set(excluded) | set(static_nc))
    n = table.n
    workers = max(1, int(workers))
    if chunk_size:
        chunk = max(1, int(chunk_size))
    elif workers > 1:  # a few chunks per worker: balanced, yet few result transfers
        chunk = max(250, -(-n // (workers * 2)))
    else:  # in-process: chunks only pace the progress bar
        chunk = max(500, min(2000, n // 10 or 1))
    bounds = [(a, min(n, a + chunk)) for a in range(0, n, chunk)]
    _SHARED.update(ctx=ctx, compiled=compiled, pass_messages=all_findings)
    results: list[ChunkResult] = []
    done = 0
    if workers > 1 and len(bounds) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in mp.get_all_start_methods() else None
        if method is None:  # pragma: no cover - non-POSIX: evaluate in-process
            workers = 1
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method)) as ex:
                futs = [ex.submit(_work, (_slice(table.values, a, b), a)) for a, b in bounds]
                for (a, b), f in zip(bounds, futs):
                    results.append(f.result())
                    done += b - a
                    if progress:
                        progress(done, n)
    if not results:
        for a, b in bounds:
            results.append(evaluate_chunk(_slice(table.values, a, b), a, ctx, compiled, all_findings))
            done += b - a
            if progress:
                progress(done, n)
    timings["evaluate_s"] = time.perf_counter() - t0
    if own_table:  # nobody else holds the typed cells: free them before the tables are built
        table.values = {}

    # -- merge: rules not checkable from this file, eligibility, tables
    t1 = time.perf_counter()
    evaluated = sum(r.evaluated for r in results)
    present = set().union(*(r.present_fields for r in results)) if results else set()
    insuff = {cr.id: sum(r.insufficient.get(cr.id, 0) for r in results) for cr in compiled.rules}
    decided = {cr.id: sum(r.decided.get(cr.id, 0) for r in results) for cr in compiled.rules}
    # not checkable from this file: the static ones above (None: not evaluated), and rules never decided
    # on any row that read a field no row has (value: rows with insufficient_data)
    not_checkable: dict[str, int | None] = {rid: None for rid in static_nc}
    not_checkable.update({
        cr.id: insuff[cr.id]
        for cr in compiled.rules
        if evaluated and insuff[cr.id] and not decided[cr.id] and any(f not in present for f in cr.rule.fields)
    })
    checkable_elig = [r for r in elig_rules if r not in not_checkable]

    # status counts per row over the rules the export can show (not_applicable = the rest)
    checkable = [cr.id for cr in compiled.rules if cr.id not in not_checkable]
    counts_by_row: dict[int, dict[str, int]] = {}
    rule_counts: dict[str, dict[str, int]] = {cr.id: {s: 0 for s in STATUSES} for cr in compiled.rules if cr.id not in not_checkable}
    for res in results:
        for rid, sev, fields, pos, sts, msgs in res.rule_findings:
            if rid in not_checkable:
                continue
            rc = rule_counts.setdefault(rid, {s: 0 for s in STATUSES})
            for p_, s_ in zip(pos.tolist(), sts.tolist()):
                c_ = counts_by_row.setdefault(res.valid_rows[p_], {s: 0 for s in STATUSES})
                c_[s_] += 1
                rc[s_] += 1
    acts: list[dict] = []
    for c_ in rule_counts.values():
        c_["not_applicable"] = evaluated - sum(v for k_, v in c_.items() if k_ != "not_applicable")
    for res in results:
        for info, el in zip(res.activities, res.eligibility):
            info.pop("_counts", None)
            counts = counts_by_row.get(info["_row"], {s: 0 for s in STATUSES})
            if info["valid_pdd"]:
                counts["not_applicable"] = len(checkable) - sum(v for k_, v in counts.items() if k_ != "not_applicable")
            if el is None:
                eligible, failed, unknown = None, [], []
            else:
                failed = [r for r in elig_rules if el.get(r) == "fail"]
                unknown = [r for r in checkable_elig if el.get(r) == "insufficient_data"]
                eligible = False if failed else (None if unknown else True)
            info["transition_eligible"] = eligible
            info["eligibility_failed"] = "; ".join(r[len(ELIGIBILITY_PREFIX):] for r in failed) or None
            info["eligibility_undecided"] = "; ".join(r[len(ELIGIBILITY_PREFIX):] for r in unknown) or None
            for s in STATUSES:
                info[f"n_{s}"] = counts[s]
            acts.append(info)
    findings = [f for res in results for f in res.findings]
    for res in results:
        for rid, sev, fields, pos, sts, msgs in res.rule_findings:
            if rid in not_checkable:
                continue
            if not all_findings:
                keep = sts != "pass"
                pos, sts, msgs = pos[keep], sts[keep], msgs[keep]
            rows_ = [res.valid_rows[p] for p in pos]
            keys_ = [res.valid_keys[p] for p in pos]
            findings.extend(zip(rows_, keys_, [rid] * len(pos), sts.tolist(), [sev] * len(pos), [fields] * len(pos), msgs.tolist()))
    results.clear()  # the per-chunk arrays are merged: free them before the credits and tables
    # cell-level findings of the column reader, attached to their rows
    by_row = {a["_row"]: a for a in acts}
    for f in table.findings:
        a = by_row.get(f.row)
        if a is None:
            continue
        a["n_input"] += 1
        findings.append((f.row, a["reference"], f.rule, f.status, f.severity, "; ".join(f.columns), f.message))
    findings.sort(key=lambda x: (x[0], not x[2].startswith("input."), x[2]))

    credit_rows, notes = _credit_rows(acts, ctx)
    # a copy for `pacm sweep` only (_credits consumes its rows): 100,000 rows give about 250,000 activity-years
    credit_inputs = [dict(r) for r in credit_rows] if keep_credit_inputs else []
    years = _credits(credit_rows, engine, as_of, notes)
    by_act: dict[int, int] = {}
    if len(years):
        for row_i, iss in zip(years["_row"].tolist(), years["issuable"].tolist()):
            by_act[row_i] = by_act.get(row_i, 0) + int(iss)
    for a in acts:
        a["estimated_issuable"] = by_act.get(a["_row"]) if a["_row"] in by_act else None

    cols = [
        "reference", "cdm_reference", "unique_id", "title", "kind", "host", "host_party", "methodology", "technology",
        "activity_type", "cdm_status", "cp_type", "transition_crediting_period", "current_crediting_period",
        "transition_eligible", "eligibility_failed", "eligibility_undecided", "cdm_methodology_until",
        "a64_methodology_from", "renewals_left", "host_ldc", "host_sids", "sop_exempt", "annual_er_ex_ante",
        "estimated_issuable", "cp_active_on_cutoff", "valid_pdd", "n_pass", "n_fail", "n_insufficient_data", "n_validator_judgement",
        "n_not_applicable", "n_input",
    ]
    activities = pd.DataFrame.from_records([{c: a.get(c) for c in cols} for a in acts], columns=cols)
    activities["estimated_issuable"] = activities["estimated_issuable"].astype("Int64")
    activities.insert(0, "row", [a["_row"] + 2 for a in acts])  # the spreadsheet row (header is row 1)
    fcols = ["row", "reference", "rule", "status", "severity", "fields", "message"]
    fdf = pd.DataFrame.from_records(findings, columns=fcols)
    fdf["row"] = fdf["row"] + 2
    timings["tables_s"] = time.perf_counter() - t1
    timings["total_s"] = time.perf_counter() - t_all
    if excluded:
        notes.append(f"{len(excluded)} rule(s) of the pack are not evaluated on this file (see 'Rules not evaluated').")
    return RunResult(
        source=str(path), as_of=as_of, mapping=mapping, activities=activities, findings=fdf, years=years,
        not_checkable=not_checkable, excluded=excluded, eligibility_rules=elig_rules, timings=timings, notes=notes,
        engine_info=engine.pack.engine_info(), n_rules=len(compiled.rules), all_findings=all_findings,
        rule_counts=rule_counts, credit_inputs=credit_inputs,
    )


def credits_for(credit_inputs: list[dict], engine, as_of: dt.date) -> tuple[Any, list[str]]:
    """The credit step of :func:`run` again, on its ``RunResult.credit_inputs``, with ``engine``'s
    parameters as they are now (``pacm sweep``: scenarios that change only crediting parameters
    reuse one evaluation). Returns (years, notes), ``years`` as in ``RunResult.years``."""
    notes: list[str] = []
    return _credits([dict(r) for r in credit_inputs], engine, as_of, notes), notes


def _credit_rows(acts: list[dict], ctx: Context) -> tuple[list[dict], list[str]]:
    """Activity-years of the A6.4 part (from 2021) of the crediting period that transitions."""
    from decimal import Decimal

    rows: list[dict] = []
    notes: list[str] = []
    skipped_removals = 0
    for a in acts:
        tcp = a.pop("_tcp", None)
        if a.get("transition_eligible") is not True or tcp is None or tcp.annual_er is None:
            continue
        if a["activity_type"] == "removal":
            skipped_removals += 1
            continue
        first = max(tcp.start, ctx.a64_vintage_from)
        until = a.get("cdm_methodology_until")
        for y, lo, hi, days in calendar_year_slices(first, tcp.end):
            da = until is not None and lo > until
            rows.append({
                "_row": a["_row"], "activity": a["reference"], "year": y, "days": days,
                "annual": tcp.annual_er, "project": Decimal(0), "leakage": Decimal(0),
                "years_since_start": (y - until.year - 1) if da else 0, "da_applies": da,
                "activity_type": "emission_reduction", "buffer_rate": Decimal(0),
                "sop_exempt": bool(a.get("sop_exempt")), "authorised_share": Decimal(0),
            })
    if skipped_removals:
        notes.append(
            f"{skipped_removals} eligible A/R (removal) activities have no credit estimate: their reversal-risk "
            "buffer share depends on a risk rating the export does not give."
        )
    return rows, notes


def _credits(rows: list[dict], engine, as_of: dt.date, notes: list[str]):
    """Issuable A6.4ERs per activity-year through the shared crediting pipeline."""
    from decimal import Decimal, localcontext

    import pandas as pd

    try:
        from ..quantities.pipeline import PARAM_NAMES, PREC, credit_years, resolve
    except ImportError:  # pragma: no cover - the quantities package is part of pacm
        notes.append("pacm.quantities.pipeline is not available: no credit estimates.")
        return pd.DataFrame()
    ps = engine.pack.params
    # the one parameter resolution of the single check (pacm.quantities.pipeline.resolve)
    params, missing = resolve(ps, [n for n in PARAM_NAMES if n in ps.params], as_of)
    if not rows:
        return pd.DataFrame(columns=["activity", "year", "issuable", "_row"])
    if any(m.startswith("baseline.downward_adjustment") for m in missing):
        for r in rows:
            r["da_applies"] = False
        params.setdefault("baseline.downward_adjustment_initial_min", Decimal(0))
        params.setdefault("baseline.downward_adjustment_annual_min", Decimal(0))
        params.setdefault("baseline.downward_adjustment_form", "linear")
        notes.append(f"The downward adjustment is not in force on {as_of}: credit estimates do not apply it.")
    blocking = [m for m in missing if not m.startswith("baseline.downward_adjustment")]
    if blocking:
        notes.append(f"Parameters not in force on {as_of} ({', '.join(blocking)}): no credit estimates.")
        return pd.DataFrame(columns=["activity", "year", "issuable", "_row"])
    if "crediting.day_count" not in params:
        notes.append(f"No day-count convention (crediting.day_count) in force on {as_of}: no credit estimates.")
        return pd.DataFrame(columns=["activity", "year", "issuable", "_row"])
    day_count = str(params["crediting.day_count"])
    with localcontext() as c:
        c.prec = PREC
        for r in rows:
            diy = year_basis(r["year"], day_count)  # the single check's day count (pacm.dates)
            r["baseline"] = r.pop("annual") * Decimal(r["days"]) / Decimal(diy)
    df = pd.DataFrame.from_records(rows)
    out = credit_years(df, params)
    return out

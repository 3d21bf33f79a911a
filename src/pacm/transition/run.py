"""A whole batch run: read, evaluate (optionally in worker processes), estimate credits, tabulate.

:class:`Batch` does it chunk by chunk in bounded memory (two passes; see its docstring):
``pacm transition`` writes each chunk's tables as they come (:func:`pacm.transition.outputs.write_run`).
:func:`run` collects them into a :class:`RunResult` holding the whole tables (the API, ``pacm sweep``).
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
from .read import Table
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


#: Rows per evaluation chunk (unless ``chunk_size``): small enough for the progress bar and for the memory
#: of one chunk's results, large enough that per-chunk costs (the vector evaluator's frame) stay small.
CHUNK = 2500

ACTIVITY_COLUMNS = (
    "reference", "cdm_reference", "unique_id", "title", "kind", "host", "host_party", "methodology", "technology",
    "activity_type", "cdm_status", "cp_type", "transition_crediting_period", "current_crediting_period",
    "transition_eligible", "eligibility_failed", "eligibility_undecided", "cdm_methodology_until",
    "a64_methodology_from", "renewals_left", "host_ldc", "host_sids", "sop_exempt", "annual_er_ex_ante",
    "estimated_issuable", "cp_active_on_cutoff", "valid_pdd", "n_pass", "n_fail", "n_insufficient_data", "n_validator_judgement",
    "n_not_applicable", "n_input",
)


@dataclass
class Chunk:
    """The final rows of the output tables for one chunk of the export (rows in file order)."""

    activities: Any  # pandas.DataFrame, columns "row" + ACTIVITY_COLUMNS
    findings: Any  # columns spill.FINDING_COLUMNS, "row" the spreadsheet row
    years: Any  # per activity-year credits (may be empty)
    records: list | None = None  # the rows of ``activities`` as dicts (for :func:`run` only)


def _activity_frame(acts: list[dict]):
    """The activities table of ``acts`` (a pandas column's dtype follows its values: :func:`run` builds it
    from all the rows at once, the writer fixes the types per column)."""
    import pandas as pd

    activities = pd.DataFrame.from_records([{c: a.get(c) for c in ACTIVITY_COLUMNS} for a in acts],
                                           columns=list(ACTIVITY_COLUMNS))
    activities["estimated_issuable"] = activities["estimated_issuable"].astype("Int64")
    activities.insert(0, "row", [a["_row"] + 2 for a in acts])  # the spreadsheet row (header is row 1)
    return activities


class Batch:
    """A batch run in two passes over the export, holding one chunk at a time.

    Pass 1 (:meth:`_evaluate`) reads, types and evaluates the rows chunk by chunk (in worker processes
    with ``workers`` > 1, results taken in order), keeps per rule only the counts that decide whether
    the file can show it, and parks each chunk's results in a :class:`~pacm.transition.spill.Spill`.
    Pass 2 (:meth:`chunks`) reads them back one at a time and gives each chunk's final tables, the
    same rows as when everything was held at once. After :meth:`chunks` is exhausted, ``not_checkable``,
    ``rule_counts``, ``notes`` and ``timings`` describe the whole run.
    """

    def __init__(self, path, as_of: dt.date, engine, mapping: Mapping | None = None, workers: int = 1,
                 progress: Callable[[int, int | None], None] | None = None, table: Table | None = None,
                 chunk_size: int | None = None, all_findings: bool = False, keep_credit_inputs: bool = False):
        from ..expr.ir import fields_of

        self.source = str(path)
        self.path = path
        self.as_of = as_of
        self.engine = engine
        self.mapping = mapping = mapping or load_mapping()
        self.workers = max(1, int(workers))
        self.progress = progress
        self.table = table
        self.chunk = max(1, int(chunk_size)) if chunk_size else CHUNK
        self.all_findings = all_findings
        self.keep_credit_inputs = keep_credit_inputs
        self.credit_inputs: list[dict] = []
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.ctx = make_context(engine, mapping, as_of)
        compiled_all = engine.compiled(as_of)
        ids = {r.id for r in compiled_all.rules}
        self.excluded = {rid: why for rid, why in mapping.not_evaluated.items() if rid in ids}
        # rules whose requirement reads a field the export holds nothing about: not evaluated at all
        self.static_nc = [cr.id for cr in compiled_all.rules
                          if cr.id not in self.excluded and any(not mapping.in_file(f) for f in fields_of(cr.rule.require))]
        self.elig_rules = [cr.id for cr in compiled_all.rules
                           if cr.id.startswith(ELIGIBILITY_PREFIX) and cr.id not in self.excluded]
        self.compiled = subset(compiled_all, set(self.excluded) | set(self.static_nc))
        self.not_checkable: dict[str, int | None] = {}
        self.rule_counts: dict[str, dict[str, int]] = {}
        self.n = 0
        self.keep_records = False  # run(): keep each chunk's rows as dicts, to build one frame of them all

    # -- pass 1
    def _pieces(self):
        """(offset, typed values, cell findings) per evaluation chunk, reading the file chunk by chunk
        unless a :class:`Table` was given."""
        from . import read

        t = self.table
        if t is not None:
            self.timings["read_s"], self.timings["type_columns_s"] = t.read_seconds, t.parse_seconds
            by_chunk: dict[int, list] = {}
            for f in t.findings:
                by_chunk.setdefault(f.row // self.chunk, []).append(f)
            for a in range(0, t.n, self.chunk):
                yield a, _slice(t.values, a, a + self.chunk), by_chunk.get(a // self.chunk, [])
            return
        self.timings["read_s"] = self.timings["type_columns_s"] = 0.0
        for off, values, found, read_s, parse_s in read.typed_chunks(self.path, self.mapping, read.CHUNK_ROWS):
            self.timings["read_s"] += read_s
            self.timings["type_columns_s"] += parse_s
            n = len(next(iter(values.values()))) if values else 0
            for a in range(0, n, self.chunk):
                b = min(n, a + self.chunk)
                yield off + a, _slice(values, a, b), [f for f in found if off + a <= f.row < off + b]

    def _results(self):
        """(ChunkResult, its cell findings) in file order; with workers, a few chunks in flight at once."""
        _SHARED.update(ctx=self.ctx, compiled=self.compiled, pass_messages=self.all_findings)
        if self.workers > 1:
            import multiprocessing as mp

            if "fork" in mp.get_all_start_methods():
                from collections import deque
                from concurrent.futures import ProcessPoolExecutor

                with ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("fork")) as ex:
                    window: deque = deque()
                    for off, values, found in self._pieces():
                        window.append((ex.submit(_work, (values, off)), found))
                        del values
                        if len(window) > 2 * self.workers:
                            f, found_ = window.popleft()
                            yield f.result(), found_
                    while window:
                        f, found_ = window.popleft()
                        yield f.result(), found_
                return
        for off, values, found in self._pieces():  # pragma: no branch - non-POSIX: evaluate in-process
            yield evaluate_chunk(values, off, self.ctx, self.compiled, self.all_findings), found

    def _evaluate(self, spill) -> None:
        import numpy as np

        rules = self.compiled.rules
        rid_index = {cr.id: j for j, cr in enumerate(rules)}
        self.evaluated = 0
        present: set = set()
        insuff = {cr.id: 0 for cr in rules}
        decided = {cr.id: 0 for cr in rules}
        counts = {cr.id: {s: 0 for s in STATUSES} for cr in rules}
        for res, cell_findings in self._results():
            self.evaluated += res.evaluated
            present |= res.present_fields
            for rid, k in res.insufficient.items():
                insuff[rid] += k
            for rid, k in res.decided.items():
                decided[rid] += k
            # rules that may yet turn out not checkable: for them, which rows were insufficient_data
            maybe = {cr.id for cr in rules if not decided[cr.id] and any(f not in present for f in cr.rule.fields)}
            ins_rules: dict[int, list[int]] = {}
            findings = list(res.findings)
            for rid, sev, fields, pos, sts, msgs in res.rule_findings:
                rc = counts[rid]
                for s_ in STATUSES[:4]:  # not_applicable: the rest, once the run is over
                    rc[s_] += int(np.count_nonzero(sts == s_))
                if rid in maybe:
                    j = rid_index[rid]
                    for p_ in pos[sts == "insufficient_data"].tolist():
                        ins_rules.setdefault(res.valid_rows[p_], []).append(j)
                if not self.all_findings:
                    keep = sts != "pass"
                    pos, sts, msgs = pos[keep], sts[keep], msgs[keep]
                rows_ = [res.valid_rows[p] for p in pos]
                keys_ = [res.valid_keys[p] for p in pos]
                findings.extend(zip(rows_, keys_, [rid] * len(pos), sts.tolist(), [sev] * len(pos), [fields] * len(pos), msgs.tolist()))
            # cell-level findings of the column reader, attached to their rows
            by_row = {a["_row"]: a for a in res.activities}
            for f in cell_findings:
                a = by_row.get(f.row)
                if a is None:
                    continue
                a["n_input"] += 1
                findings.append((f.row, a["reference"], f.rule, f.status, f.severity, "; ".join(f.columns), f.message))
            findings.sort(key=lambda x: (x[0], not x[2].startswith("input."), x[2]))
            spill.put({"activities": res.activities, "eligibility": res.eligibility,
                       "ins": [ins_rules.get(a["_row"], []) for a in res.activities]}, findings)
            self.n += len(res.activities)
            if self.progress:
                self.progress(self.n, self.table.n if self.table is not None else None)
        # not checkable from this file: the static ones (None: not evaluated), and rules never decided
        # on any row that read a field no row has (value: rows with insufficient_data)
        nc: dict[str, int | None] = {rid: None for rid in self.static_nc}
        nc.update({
            cr.id: insuff[cr.id]
            for cr in rules
            if self.evaluated and insuff[cr.id] and not decided[cr.id] and any(f not in present for f in cr.rule.fields)
        })
        self.not_checkable = nc
        self.rule_counts = {rid: c for rid, c in counts.items() if rid not in nc}
        for c_ in self.rule_counts.values():
            c_["not_applicable"] = self.evaluated - sum(v for k_, v in c_.items() if k_ != "not_applicable")

    # -- pass 2
    def _finish(self, rec: dict, fdf, notes: dict, removals: list[int]) -> Chunk:
        import pandas as pd

        nc = self.not_checkable
        rules = self.compiled.rules
        nc_index = {j for j, cr in enumerate(rules) if cr.id in nc}
        n_checkable = len(rules) - sum(1 for cr in rules if cr.id in nc)
        elig_rules = self.elig_rules
        checkable_elig = [r for r in elig_rules if r not in nc]
        acts = rec["activities"]
        for info, el, ins in zip(acts, rec["eligibility"], rec["ins"]):
            counts = info.pop("_counts")
            if info["valid_pdd"]:  # status counts over the rules the export can show (not_applicable = the rest)
                counts["insufficient_data"] -= sum(1 for j in ins if j in nc_index)
                counts["not_applicable"] = n_checkable - sum(v for k_, v in counts.items() if k_ != "not_applicable")
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
        if len(fdf) and nc:
            fdf = fdf[~fdf["rule"].isin(list(nc))].reset_index(drop=True)
        fdf["row"] = fdf["row"] + 2

        credit_rows, skipped = _credit_rows(acts, self.ctx)
        removals[0] += skipped
        if self.keep_credit_inputs:  # a copy for `pacm sweep` only (_credits consumes its rows)
            self.credit_inputs.extend(dict(r) for r in credit_rows)
        chunk_notes: list[str] = []
        years = _credits(credit_rows, self.engine, self.as_of, chunk_notes)
        for x in chunk_notes:
            notes.setdefault(x, None)
        by_act: dict[int, int] = {}
        if len(years):
            for row_i, iss in zip(years["_row"].tolist(), years["issuable"].tolist()):
                by_act[row_i] = by_act.get(row_i, 0) + int(iss)
        for a in acts:
            a["estimated_issuable"] = by_act.get(a["_row"]) if a["_row"] in by_act else None
        return Chunk(_activity_frame(acts), fdf, years, acts if self.keep_records else None)

    def chunks(self, folder: Path | None = None):
        """The final tables, chunk by chunk; the spill goes into a temporary folder inside ``folder``
        (the output's temporary folder: an interruption removes it with the rest) or the system's."""
        import shutil
        import tempfile

        from .spill import Spill

        t_all = time.perf_counter()
        d = Path(tempfile.mkdtemp(prefix=".spill.", dir=folder))
        try:
            spill = Spill(d)
            t0 = time.perf_counter()
            try:
                self._evaluate(spill)
            finally:
                spill.close()
            reading = 0.0 if self.table is not None else self.timings["read_s"] + self.timings["type_columns_s"]
            self.timings["evaluate_s"] = time.perf_counter() - t0 - reading
            t1 = time.perf_counter()
            notes: dict[str, None] = {}
            removals = [0]
            for rec, fdf in spill.chunks():
                yield self._finish(rec, fdf, notes, removals)
            self.timings["tables_s"] = time.perf_counter() - t1
        finally:
            shutil.rmtree(d, ignore_errors=True)
        self.notes = []
        if removals[0]:
            self.notes.append(
                f"{removals[0]} eligible A/R (removal) activities have no credit estimate: their reversal-risk "
                "buffer share depends on a risk rating the export does not give.")
        self.notes.extend(notes)
        if self.excluded:
            self.notes.append(f"{len(self.excluded)} rule(s) of the pack are not evaluated on this file (see 'Rules not evaluated').")
        self.timings["total_s"] = time.perf_counter() - t_all

    def result(self, activities, findings, years) -> "RunResult":
        """A :class:`RunResult` of this (finished) batch with the given tables."""
        return RunResult(
            source=self.source, as_of=self.as_of, mapping=self.mapping, activities=activities, findings=findings,
            years=years, not_checkable=self.not_checkable, excluded=self.excluded, eligibility_rules=self.elig_rules,
            timings=self.timings, notes=self.notes, engine_info=self.engine.pack.engine_info(),
            n_rules=len(self.compiled.rules), all_findings=self.all_findings, rule_counts=self.rule_counts,
            credit_inputs=self.credit_inputs)


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
    """Evaluate every row of the export at ``path`` on ``as_of``, the whole tables in memory (the API,
    ``pacm sweep``); ``pacm transition`` writes them chunk by chunk instead (:func:`pacm.transition.outputs.write_run`).

    ``findings`` holds every fail, insufficient_data and validator_judgement finding and every input
    finding; passing findings too when ``all_findings`` (they are always counted in ``activities``).
    ``keep_credit_inputs``: keep the activity-years before crediting in ``credit_inputs`` (``pacm sweep``
    re-credits them per scenario; the transition command does not need the copy).
    """
    import pandas as pd

    b = Batch(path, as_of, engine, mapping, workers, progress, table, chunk_size, all_findings, keep_credit_inputs)
    b.keep_records = True
    acts, finds, years = [], [], []
    for c in b.chunks():
        acts.extend(c.records)
        finds.append(c.findings)
        if len(c.years):
            years.append(c.years)
    from .spill import FINDING_COLUMNS

    activities = _activity_frame(acts)
    findings = pd.concat(finds, ignore_index=True) if finds else pd.DataFrame(columns=list(FINDING_COLUMNS))
    y = pd.concat(years, ignore_index=True) if years else pd.DataFrame(columns=["activity", "year", "issuable", "_row"])
    return b.result(activities, findings, y)


def credits_for(credit_inputs: list[dict], engine, as_of: dt.date) -> tuple[Any, list[str]]:
    """The credit step of :func:`run` again, on its ``RunResult.credit_inputs``, with ``engine``'s
    parameters as they are now (``pacm sweep``: scenarios that change only crediting parameters
    reuse one evaluation). Returns (years, notes), ``years`` as in ``RunResult.years``."""
    notes: list[str] = []
    return _credits([dict(r) for r in credit_inputs], engine, as_of, notes), notes


def _credit_rows(acts: list[dict], ctx: Context) -> tuple[list[dict], int]:
    """Activity-years of the A6.4 part (from 2021) of the crediting period that transitions, and the
    number of eligible removal activities left without an estimate (a note names them)."""
    from decimal import Decimal

    rows: list[dict] = []
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
    return rows, skipped_removals


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

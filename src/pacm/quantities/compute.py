"""From one PDD to its year-by-year crediting table and trace (the ``pacm check`` path).

Steps: find the methodology that serves the PDD's methodology id; check the PDD's
``quantification`` inputs against it (unknown names and wrong kinds are bad input, exit 2; missing
values are ``insufficient_data`` notes); lay out the calendar years of the crediting period with
their days; resolve every parameter (PDD value, or methodology default by date and case);
evaluate the equations on columns of Decimals; hand the rows to the shared
:func:`pacm.quantities.pipeline.credit_columns`, which records the trace of its own decisions as it
computes them; add a trace entry for every other number. No pandas on this path.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, localcontext
from pathlib import Path

from ..citation import cite
from ..errors import Collected, PacmInputError, did_you_mean
from ..hosts import is_ldc, is_sids
from ..dates import DAY_COUNTS, add_years, calendar_year_slices, year_basis
from ..pdd.derive import derived
from ..pdd.model import PDD
from .evaluate import Column, EvaluationError, evaluate_equations, fmt, substitute
from .methodology import Methodology, cached_library, default_folder
from .pipeline import PARAM_NAMES, PREC, credit_columns, resolve, undefined_params
from .report import Quantities


def methodology_folder(engine) -> Path:
    root = getattr(engine.pack, "root", None)
    if root is not None and (Path(root).parent / "methodologies").is_dir():
        return Path(root).parent / "methodologies"
    return default_folder()


def library_for(engine):
    return cached_library(str(methodology_folder(engine)), engine.pack.digest)


def compute_for_result(engine, result, flat: dict | None = None) -> None:
    pdd: PDD = result.pdd
    mref = pdd.activity.methodology
    lib = library_for(engine)
    meth = lib.for_pdd(mref.id)
    if meth is None:
        served = ", ".join(sorted(lib.by_pdd_id)) or "none"
        result.notes.append(
            f"quantities: no methodology definition serves '{mref.id}' (defined: {served}); "
            "no crediting table computed"
        )
        return
    if flat is None:
        flat = engine.facts(pdd, result.as_of)
    result.quantities = compute(pdd, meth, engine.pack.params, result.as_of, flat, source=result.source)
    result.findings.extend(plausibility_findings(pdd, meth))
    from .reconcile import reconciliation_findings

    result.findings.extend(reconciliation_findings(pdd, result.quantities, engine.pack.params, result.as_of,
                                                   _rel(meth.source)))


def plausibility_findings(pdd: PDD, meth: Methodology) -> list:
    """A warning finding for each PDD input that is legal but outside the methodology's ``plausible`` range.

    Why a finding and not a note: a unit slip (an efficiency of 0.03 for 30 %) changes the credits without any
    error; the report must say so beside the verdict, and the PDD does not pass until it is confirmed or fixed
    (issue 10 item 4)."""
    from ..findings import Finding

    out = []
    q = pdd.quantification
    vals: list[tuple[str, str, Decimal]] = [(k, f"quantification.inputs.{k}", Decimal(v)) for k, v in q.inputs.items()
                                            if isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
    for k, series in q.yearly.items():
        vals += [(k, f"quantification.yearly.{k}.{y}", Decimal(v)) for y, v in sorted(series.items())]
    for name, path, v in vals:
        p = meth.params.get(name)
        if p is None or not p.plausible or not p.implausible(v):
            continue
        lo, hi = p.plausible.get("min"), p.plausible.get("max")
        rng = " and ".join(x for x in ((f"at least {lo}" if lo is not None else ""), (f"at most {hi}" if hi is not None else "")) if x)
        why = p.plausible.get("note", "")
        out.append(Finding(
            rule="quantities.input_plausible", title=f"Methodology input {name} is plausible", status="fail",
            kind="automatic", severity="warning", area="quantities", section="§9 Concrete methodologies",
            reference=cite(p.reference) or meth.id, reference_detail=dict(p.reference),
            clause=f"{_rel(meth.source)} parameters.{name}.plausible: {rng} {p.unit}. {why}".strip(),
            confidence=p.confidence, fields=[path], actual={path: v}, expected=f"{path} {rng} ({p.unit})",
            parameters={}, message=f"{path} = {v} {p.unit} is legal but suspicious: expected {rng}. {why}".strip(),
            why_not=f"check the unit of {path} (set it in the PDD) or confirm the value to the validator",
        ))
    return out


# ------------------------------------------------------------------------------- inputs
def check_inputs(pdd: PDD, meth: Methodology, source: str) -> None:
    """Unknown names or values in the wrong place are bad input (exit 2), all reported at once."""
    q = pdd.quantification
    c = Collected(source)
    # "did you mean" offers only what the PDD may set there (not a default the methodology fixes, e.g. w_OM)
    settable_inputs = [n for n, p in meth.params.items() if p.source != "default" and p.kind == "ex_ante"]
    settable_yearly = [n for n, p in meth.params.items() if p.kind == "monitored"]
    for k, v in q.inputs.items():
        loc = f"quantification.inputs.{k}"
        p = meth.params.get(k)
        if p is None:
            c.add("unknown-input", loc, f"'{k}' is not a parameter of methodology {meth.id} ({meth.title})",
                  hint=did_you_mean(k, settable_inputs))
        elif p.kind == "monitored":
            c.add("monitored-input", loc, f"'{k}' is monitored: give it per year under quantification.yearly.{k}")
        elif p.source == "default":
            c.add("fixed-parameter", loc, f"'{k}' is fixed by methodology {meth.id}; it cannot be set in the PDD")
        elif isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            c.add("bad-input", loc, f"'{k}' is {v!r}", expected=f"a number in {p.unit}")
        elif p.out_of_range(Decimal(v)):
            c.add("out-of-range", loc, f"'{k}' is {v}, outside what methodology {meth.id} allows",
                  expected=p.limits_text() + ("" if p.range_min is None else "; negative only where the methodology "
                                                "declares the input signed"))
    for k, series in q.yearly.items():
        loc = f"quantification.yearly.{k}"
        p = meth.params.get(k)
        if p is None:
            c.add("unknown-input", loc, f"'{k}' is not a parameter of methodology {meth.id} ({meth.title})",
                  hint=did_you_mean(k, settable_yearly))
        elif p.kind == "ex_ante":
            c.add("ex-ante-input", loc,
                  f"'{k}' is an ex-ante parameter, fixed at validation: give it once under quantification.inputs.{k}")
        else:
            for year, v in series.items():
                if p.out_of_range(Decimal(v)):
                    c.add("out-of-range", f"{loc}.{year}", f"'{k}' in {year} is {v}, outside what methodology {meth.id} "
                          "allows", expected=p.limits_text() + ("" if p.range_min is None else
                                                                 "; negative only where the methodology declares the input signed"))
    c.raise_if_any(PacmInputError)


# ------------------------------------------------------------------------------- years
def crediting_years(pdd: PDD, day_count: str, window: tuple[dt.date, dt.date] | None = None) -> list[dict]:
    """Calendar years of the crediting period with the days credited in each.

    ``year_fraction`` = days / days in that calendar year (``actual_actual``) or days / 365
    (``actual_365``, the CDM monitoring-report convention of real cases C01/C02).
    ``years_since_start`` counts calendar years from the first year of the *first* crediting
    period (earlier periods assumed of the same length, as ``crediting_period.cumulative_years``).
    """
    cp = pdd.crediting_period
    start, end = cp.start, cp.end
    first_start = add_years(start, -(cp.number - 1) * cp.length_years)
    if window is not None:  # a transitioned CDM period: only the days credited as A6.4ERs
        start, end = max(start, window[0]), min(end, window[1])
    out = []
    if day_count not in DAY_COUNTS:
        raise PacmInputError.single("crediting.day_count", "bad-convention",
                                    f"day count {day_count!r}", expected=" | ".join(DAY_COUNTS))
    for y, a, b, days in calendar_year_slices(start, end):
        diy = year_basis(y, day_count)
        with localcontext() as ctx:
            ctx.prec = PREC
            frac = Decimal(days) / Decimal(diy)
        out.append({"year": y, "days": days, "from": a, "to": b, "days_in_year_basis": diy,
                    "year_fraction": frac, "years_since_start": y - first_start.year})
    return out


def _needed(meth: Methodology, roots) -> list[str]:
    seen: list[str] = []

    def visit(n):
        if n in seen:
            return
        seen.append(n)
        if n in meth.equations:
            for d in meth.equations[n].deps:
                visit(d)

    for r in roots:
        if r in meth.equations:
            visit(r)
    return seen


def _param_entry(name, value, unit, source, **extra) -> dict:
    e = {"step": "parameter", "year": None, "name": name, "value": fmt(value) if not isinstance(value, str) else value,
         "unit": unit, "source": source}
    e.update({k: v for k, v in extra.items() if v is not None})
    return e


# ------------------------------------------------------------------------------- compute
def compute(pdd: PDD, meth: Methodology, param_set, as_of: dt.date, flat: dict, source: str = "<pdd>") -> Quantities:
    check_inputs(pdd, meth, source)
    notes: list[str] = []
    trace: list[dict] = []
    undefined = undefined_params(param_set)
    if undefined:
        notes.append(f"the rule pack defines no parameter {', '.join(undefined)} (rules/parameters/, and "
                     "methodologies/parameters/crediting.yaml beside the rules folder for crediting.*); "
                     "no crediting table computed")
        return Quantities(_describe(meth, pdd), None, trace, notes)
    pp, not_in_force = resolve(param_set, [n for n in PARAM_NAMES if n in param_set.params], as_of)
    if not_in_force:
        notes.append(f"insufficient_data: no value in force on {as_of} for {', '.join(not_in_force)} "
                     "(the standard setting it was not yet adopted); no crediting table computed")
        return Quantities(_describe(meth, pdd), None, trace, notes)
    day_count = str(pp["crediting.day_count"])
    msrc = _rel(meth.source)
    if pdd.activity.type != meth.activity_type:
        notes.append(f"insufficient_data: methodology {meth.id} computes {meth.activity_type} activities, "
                     f"but the PDD declares {pdd.activity.type}; no crediting table computed")
        return Quantities(_describe(meth, pdd), None, trace, notes)

    # -- rule-pack parameters and conventions used by the pipeline
    for name in pp:
        d = param_set.describe(name, as_of)
        trace.append(_param_entry(
            name, d["value"], d["unit"],
            f"{_rel(d['source'])} (in force from {d['in_force_from']})"
            + (f", OVERRIDDEN by {d['override_source']}" if d["overridden"] else ""),
            confidence=d["confidence"], reference=cite(d["reference"]),
        ))

    # -- methodology parameters
    needed = _needed(meth, ("baseline", "project", "leakage", "bau"))
    window = _transition_window(pdd, param_set, as_of, trace, notes)
    years = crediting_years(pdd, day_count, window)
    q = pdd.quantification
    scalars: dict[str, Decimal] = {}
    series: dict[str, dict[int, Decimal]] = {}
    blocked = False
    for name in needed:
        p = meth.params.get(name)
        if p is None:
            continue
        if p.kind == "monitored":
            data = q.yearly.get(name, {})
            series[name] = {int(y): Decimal(v) for y, v in data.items()}
            trace.append(_param_entry(name, "per year", p.unit, f"PDD quantification.yearly.{name}", kind="monitored",
                                      description=p.description, reference=cite(p.reference), confidence=p.confidence))
            continue
        if name in q.inputs:
            scalars[name] = Decimal(q.inputs[name])
            trace.append(_param_entry(name, scalars[name], p.unit, f"PDD quantification.inputs.{name}", kind="ex_ante",
                                      description=p.description, reference=cite(p.reference), confidence=p.confidence))
            continue
        if p.source in ("default", "pdd_or_default"):
            got = p.default(flat, as_of)
            if got is not None:
                scalars[name] = got[0]
                det = got[1]
                where = f"{msrc} parameters.{name}, value in force from {det['in_force_from']}"
                if det["case"]:
                    where += f" (case: {det['case']})"
                trace.append(_param_entry(name, got[0], p.unit, where, kind="ex_ante", description=p.description,
                                          reference=cite(det["reference"]), confidence=det["confidence"]))
                continue
            notes.append(f"insufficient_data: methodology {meth.id} has no default for '{name}' in force on "
                         f"{as_of} for this PDD; give quantification.inputs.{name} ({p.unit})"
                         if p.source == "pdd_or_default" else
                         f"insufficient_data: no value of '{name}' in force on {as_of} in {msrc}")
            blocked = True
            continue
        notes.append(f"insufficient_data: '{name}' ({p.description}, {p.unit}) is needed; "
                     f"give quantification.inputs.{name}")
        blocked = True
    for y in q.yearly:
        extra = sorted(set(q.yearly[y]) - {r["year"] for r in years})
        if extra and y in meth.params:
            notes.append(f"quantification.yearly.{y} has values for {', '.join(map(str, extra))}, outside the "
                         f"crediting period {pdd.crediting_period.start} to {pdd.crediting_period.end}; ignored")
    if blocked:
        return Quantities(_describe(meth, pdd), None, trace, notes)

    # -- years with complete monitored data
    keep = []
    for r in years:
        gaps = [n for n in series if r["year"] not in series[n]]
        if gaps:
            notes.append(f"insufficient_data: {r['year']} ({r['days']} days) has no value for "
                         f"{', '.join('quantification.yearly.' + g for g in gaps)}; year not credited")
        else:
            keep.append(r)
    if not keep:
        return Quantities(_describe(meth, pdd), None, trace, notes)
    n_years = len(keep)
    env: dict = {}
    env.update(scalars)
    for n, s in series.items():
        env[n] = Column(s[r["year"]] for r in keep)
    env["year_fraction"] = Column(r["year_fraction"] for r in keep)
    env["days"] = Column(Decimal(r["days"]) for r in keep)
    eqs = {n: e for n, e in meth.equations.items() if n in needed}
    try:
        cols = evaluate_equations(eqs, env, n_years)
    except EvaluationError as exc:
        notes.append(f"insufficient_data: {exc}; no crediting table computed")
        return Quantities(_describe(meth, pdd), None, trace, notes)

    # -- rows for the shared pipeline
    b = pdd.baseline
    approach = b.approach
    if approach is not None and approach not in meth.baseline_approaches:
        notes.append(f"baseline approach '{approach}' is not one methodology {meth.id} allows "
                     f"({', '.join(meth.baseline_approaches)})")
    da_applies = (pdd.activity.type == "emission_reduction") and (approach is None or approach in meth.da_approaches)
    if window is not None and pdd.activity.type == "emission_reduction":
        # pacm's reading (domain brief §7 [S]: a transitioned activity meets every A6.4 requirement except the
        # methodology while its CDM methodology may still be applied): the baseline standard's downward
        # adjustment starts with the switch to a mechanism methodology, at renewal at the latest
        # (transition.renewal_downward_adjustment). transition.cdm_baseline_revised asks the validator.
        da_applies = False
        notes.append("transitioned CDM crediting period under its CDM methodology: no A6.4 downward adjustment "
                     "(it applies from the switch to a mechanism methodology); see transition.cdm_baseline_revised")
    elif approach is None and pdd.activity.type == "emission_reduction":
        notes.append("baseline.approach is missing: the downward adjustment is applied (the conservative reading)")
    bau_cols = []
    if "bau" in cols:
        bau_cols.append(cols["bau"])
    if b.bau_emissions is not None:
        with localcontext() as ctx:
            ctx.prec = PREC
            bau_cols.append(Column(f * Decimal(b.bau_emissions) for f in env["year_fraction"]))
    bau = None
    if bau_cols:
        bau = bau_cols[0] if len(bau_cols) == 1 else Column(min(a, c) for a, c in zip(bau_cols[0], bau_cols[1]))
    rating = pdd.removals.reversal_risk.rating if (pdd.removals and pdd.removals.reversal_risk) else None
    buffer_rate, buffer_name = Decimal(0), None
    if pdd.activity.type == "removal":
        if rating is None:
            rating = "very_high"
            notes.append("insufficient_data: removals.reversal_risk.rating is missing; the buffer uses the "
                         "'very_high' rate (the most conservative) until a rating is given")
        buffer_name = f"removals.buffer_rate_{rating}"
        got, missing = resolve(param_set, [buffer_name], as_of)
        if missing:
            notes.append(f"insufficient_data: no value in force on {as_of} for {buffer_name}; no crediting table computed")
            return Quantities(_describe(meth, pdd), None, trace, notes)
        buffer_rate = got[buffer_name]
        d = param_set.describe(buffer_name, as_of)
        trace.append(_param_entry(buffer_name, d["value"], d["unit"],
                                  f"{_rel(d['source'])} (in force from {d['in_force_from']}); rating '{rating}' "
                                  f"from PDD removals.reversal_risk.rating", confidence=d["confidence"],
                                  reference=cite(d["reference"])))
    on = pdd.issuance.planned_issuance_date or as_of
    host = pdd.activity.host_party
    ldc, sids = is_ldc(host, on), is_sids(host, on)
    exempt = bool(ldc) or bool(sids)
    if ldc is None:
        notes.append(f"host Party '{host}' is not in pacm's party list; no LDC/SIDS exemption applied")
    scope = "issuance.ldc_sids_exemption_covers_transitioned"
    if exempt and derived(pdd, "is_cdm_transition") and scope in param_set.params:
        # the sources disagree on whether the exemption covers transitioned activities (review 2026-11): the
        # report names the reading applied
        got, missing = resolve(param_set, [scope], as_of)
        covers = bool(got.get(scope, True)) if not missing else True
        notes.append(f"assumption: {scope} = {'true' if covers else 'false'}: the LDC/SIDS exemption from the in-kind "
                     "share of proceeds " + ("covers" if covers else "does not cover") + " transitioned CDM activities "
                     "(pacm reads the CMA6 decision as covering them; the first reported A6.4ER issuance, a transitioned "
                     "PoA in Myanmar, deducted 7 %: --param " + scope + "=" + ("false" if covers else "true")
                     + " for the other reading)")
        exempt = covers
    trace.append(_param_entry(
        "sop_exempt", "true" if exempt else "false", "flag",
        f"pacm.hosts on {on.isoformat()} ("
        + ("PDD issuance.planned_issuance_date" if pdd.issuance.planned_issuance_date else "--as-of date")
        + f"): {host} LDC={_yn(ldc)}, SIDS={_yn(sids)}",
    ))
    auth = pdd.authorization
    share = Decimal(0)
    if auth is not None and auth.status == "authorised":
        share = Decimal(auth.authorised_share) if auth.authorised_share is not None else Decimal(1)
    trace.append(_param_entry(
        "authorised_share", share, "fraction",
        "PDD authorization.authorised_share" if (auth and auth.authorised_share is not None and auth.status == "authorised")
        else f"PDD authorization.status = {auth.status if auth else 'absent'}"
        + (" (all units authorised)" if share == 1 else " (no unit authorised: all are mitigation contribution)"),
    ))
    n = len(keep)
    rows = {
        "activity": [pdd.activity.reference or pdd.activity.title] * n,
        "year": [r["year"] for r in keep],
        "days": [r["days"] for r in keep],
        "baseline": list(cols["baseline"]),
        "project": list(cols["project"]),
        "leakage": list(cols["leakage"]),
        "years_since_start": [r["years_since_start"] for r in keep],
        "activity_type": [pdd.activity.type] * n,
        "buffer_rate": [buffer_rate] * n,
        "buffer_rate_source": [buffer_name] * n,
        "sop_exempt": [exempt] * n,
        "authorised_share": [share] * n,
        "da_applies": [da_applies] * n,
    }
    if bau is not None:
        rows["bau"] = list(bau)
    if b.downward_adjustment is not None:
        rows["da_initial"] = [Decimal(b.downward_adjustment.initial)] * n
        rows["da_increment"] = [Decimal(b.downward_adjustment.annual_increment)] * n
        rows["da_form"] = [b.downward_adjustment.form] * n
    if pdd.leakage is not None and pdd.leakage.discount is not None:
        rows["leakage_discount"] = [Decimal(pdd.leakage.discount)] * n
    steps: list[list[dict]] = []
    out = credit_columns(rows, pp, steps)
    table = [dict(zip(out, vals)) for vals in zip(*out.values())]
    for r in table:
        if r["reversal"] > 0:
            notes.append(f"{r['year']}: net removals are negative ({fmt(r['net'])} tCO2e): a reversal of "
                         f"{fmt(r['reversal'])} tCO2e, reported and not credited; it must be notified and compensated "
                         "(from the buffer pool if unavoidable, by the participants if avoidable)")
        elif r["net"] < 0:
            notes.append(f"{r['year']}: net emission reductions are negative ({fmt(r['net'])} tCO2e); nothing is credited")

    # -- per-year trace: the period, the methodology's equations, then the pipeline's own steps
    for i, r in enumerate(keep):
        y = r["year"]
        trace.append({"step": "period", "year": y, "name": "days", "value": str(r["days"]), "unit": "day",
                      "equation": f"{r['from'].isoformat()} to {r['to'].isoformat()} inclusive",
                      "substituted": f"year_fraction = {r['days']} / {r['days_in_year_basis']} = {fmt(r['year_fraction'])} "
                                     f"({day_count}); years_since_start = {y} - {y - r['years_since_start']} = "
                                     f"{r['years_since_start']} (first crediting period began in {y - r['years_since_start']})",
                      "source": "PDD crediting_period.start, length_years, number"})
        values = {n: (env[n][i] if isinstance(env[n], Column) else env[n]) for n in env}
        for n, eq in eqs.items():
            values[n] = cols[n][i]
            trace.append({
                "step": "equation", "year": y, "name": n, "value": fmt(values[n]), "unit": eq.unit,
                "equation": eq.expr_src, "substituted": substitute(eq.tree, values),
                "inputs": {d: fmt(values[d]) for d in eq.deps},
                "description": eq.description, "reference": cite(eq.reference) or cite(meth.references[0]),
                "source": f"{msrc} equations.{n}",
            })
        trace.extend(steps[i])
    return Quantities(_describe(meth, pdd), table, trace, notes)


def _transition_window(pdd: PDD, param_set, as_of: dt.date, trace: list, notes: list):
    """Days of a transitioned CDM crediting period credited as A6.4ERs: from ``transition.a64_vintage_from``
    (reductions before it were CDM vintages, decision 2/CMP.16) to the last day the CDM methodology is applied
    (``cdm_methodology_last_day``); None for a crediting period that starts under Article 6.4."""
    if derived(pdd, "methodology_use") != "transitioned":
        return None
    name = "transition.a64_vintage_from"
    got, missing = resolve(param_set, [name], as_of)
    if missing:
        return None
    d = param_set.describe(name, as_of)
    frm, until = got[name], derived(pdd, "cdm_methodology_last_day")
    trace.append(_param_entry(name, d["value"], d["unit"], f"{_rel(d['source'])} (in force from {d['in_force_from']})",
                              confidence=d["confidence"], reference=cite(d["reference"])))
    notes.append(f"transitioned CDM activity: credited from {frm} ({name}) to {until} (cdm_methodology_last_day: "
                 f"transition.cdm_methodology_applied_until, else the crediting-period end)")
    return (frm, until)


def _describe(meth: Methodology, pdd: PDD) -> dict:
    return meth.describe() | {"source": _rel(meth.source), "pdd_methodology": _pdd_meth(pdd)}


def _yn(v):
    return "unknown" if v is None else ("yes" if v else "no")


def _pdd_meth(pdd: PDD) -> str:
    return pdd.activity.methodology.label()


@functools.lru_cache(maxsize=256)
def _rel(path: str) -> str:
    p = Path(path)
    for anchor in ("methodologies", "rules"):
        if anchor in p.parts:
            i = len(p.parts) - 1 - p.parts[::-1].index(anchor)
            return "/".join(p.parts[i:])
    return str(path)

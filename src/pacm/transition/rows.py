"""From the typed columns of an export to one PDD (as a nested dict) per row, plus what the outputs need.

Why a nested dict validated by the PDD model rather than hand-built facts: the rules then read
exactly the fields, types and derived values ``pacm check`` gives them (``pacm.pdd.fields.flatten``
of a validated :class:`~pacm.pdd.model.PDD`), and a row the model rejects becomes an
``input.invalid_pdd`` finding listing every problem instead of a crash. Validation costs about
0.1 ms a row; ``--workers`` spreads it over processes.

Derived values that depend on dated parameters (which crediting period counts for the transition,
``transition.cdm_methodology_until``) are computed here, before evaluation, because the rule
engines have no date functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..dates import add_years, days_inclusive, period_end, years_spanned
from .columns import InputFinding

CP_NUMBERS = (1, 2, 3)


@dataclass
class Context:
    """Everything a row needs besides its own cells (picklable, sent to worker processes)."""

    as_of: dt.date
    cp_active_on: dt.date
    cdm_methodology_deadline: dt.date
    a64_vintage_from: dt.date
    max_years: dict[tuple[str, str], int]  # (activity type, cp type) -> CDM maximum
    headers: dict[str, str]  # logical column name -> header text
    to: dict[str, list[str]]  # logical column name -> PDD fields it feeds as is
    constants: dict[str, Any]
    technology_by_type: dict[str, str]
    technology_by_subtype: dict[str, str]
    removal_prefixes: tuple[str, ...]
    renewable_years: tuple[int, ...]
    fixed_years: tuple[int, ...]
    iso2_to_iso3: dict[str, str]
    host_status: dict[str, tuple[bool | None, bool | None]]  # iso3 -> (LDC, SIDS) on the as-of date
    host_status_snapshot: dict[str, tuple[bool | None, bool | None]]  # iso3 -> (LDC, SIDS) on the export's date
    snapshot_date: dt.date | None


@dataclass
class CP:
    number: int
    start: dt.date
    end: dt.date
    annual_er: Decimal | None
    years: int = 0  # whole calendar years spanned (years_spanned)

    @property
    def label(self) -> str:
        return f"CP{self.number} {self.start.isoformat()}..{self.end.isoformat()}"


@dataclass
class Row:
    """One activity: the nested PDD data, facts for the outputs, and the input findings."""

    index: int
    key: str
    nested: dict
    info: dict
    findings: list[InputFinding] = field(default_factory=list)
    flat: dict | None = None


_PARTS: dict[str, tuple[str, ...]] = {}


def _set(d: dict, path: str, value: Any) -> None:
    parts = _PARTS.get(path)
    if parts is None:
        parts = _PARTS[path] = tuple(path.split("."))
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value


def _find(row: Row, rule: str, status: str, severity: str, cols, message: str) -> None:
    row.findings.append(InputFinding(row.index, rule, status, severity, tuple(cols), message))


def build_row(i: int, v: dict[str, Any], ctx: Context) -> Row:
    """``v`` maps logical column names to this row's typed values."""
    h = ctx.headers
    ref = v.get("reference")
    key = str(ref) if ref is not None else (v.get("unique_id") or f"row {i + 2}")
    row = Row(i, key, {}, {})
    nested = row.nested
    info = row.info

    # -- values that go to PDD fields as they are (mapping `to:`)
    for name, targets in ctx.to.items():
        val = v.get(name)
        if val is None:
            continue
        for t in targets:
            _set(nested, t, val)
    for path, val in ctx.constants.items():
        if path.startswith("additionality.investment."):
            continue  # only when the row has investment figures (below)
        _set(nested, path, val)
    if any(v.get(n) is not None for n in ("irr_benchmark", "irr_without", "irr_with")):
        for path, val in ctx.constants.items():
            if path.startswith("additionality.investment."):
                _set(nested, path, val)
    _set(nested, "activity.reference", key)

    # -- activity type and technology
    meths = [m.strip() for m in (v.get("methodology") or "").replace(",", ";").split(";") if m.strip()]
    removal = any(m.startswith(ctx.removal_prefixes) for m in meths)
    atype = "removal" if removal else "emission_reduction"
    _set(nested, "activity.type", atype)
    tech = ctx.technology_by_subtype.get(v.get("project_subtype") or "") or ctx.technology_by_type.get(
        v.get("project_type") or "", "other"
    )
    _set(nested, "activity.technology", tech)

    # -- crediting periods on record
    cps: list[CP] = []
    for n in CP_NUMBERS:
        s, e = v.get(f"cp{n}_start"), v.get(f"cp{n}_end")
        if s is None or e is None:
            if (s is None) != (e is None) and n > 1:
                _find(row, "input.missing_value", "insufficient_data", "warning",
                      [h[f"cp{n}_start"] if s is None else h[f"cp{n}_end"]],
                      f"Crediting period {n} has only one of its start and end dates; the period is not used.")
            continue
        if e < s:
            _find(row, "input.crediting_period_end_before_start", "fail", "warning", [h[f"cp{n}_start"], h[f"cp{n}_end"]],
                  f"Crediting period {n} ends ({e}) before it starts ({s}); the period is not used.")
            continue
        er = v.get(f"cp{n}_annual_er")
        cps.append(CP(n, s, e, er if (er is not None and er > 0) else None, years_spanned(s, e)))

    cp_type = v.get("cp_type")
    if cp_type is None and cps and cps[0].number == 1:
        yrs = cps[0].years
        inferred = "renewable" if yrs in ctx.renewable_years else "fixed" if yrs in ctx.fixed_years else None
        if inferred:
            cp_type = inferred
            _set(nested, "crediting_period.type", inferred)
            _set(nested, "transition.cdm_crediting_period_type", inferred)
            _find(row, "input.inferred_value", "fail", "info", [h["cp_type"]],
                  f"'{h['cp_type']}' is empty; read as '{inferred}' from the length of the first crediting period "
                  f"({cps[0].start}..{cps[0].end}, {yrs} years).")
    for cp in cps:
        limit = ctx.max_years.get((atype, cp_type or "fixed"))
        yrs = cp.years
        if limit is not None and yrs > limit:
            allowed = period_end(cp.start, limit)
            _find(row, "input.crediting_period_too_long", "fail", "warning", [h[f"cp{cp.number}_start"], h[f"cp{cp.number}_end"]],
                  f"Crediting period {cp.number} ({cp.start}..{cp.end}, {days_inclusive(cp.start, cp.end)} days) is longer than "
                  f"the {limit}-year CDM maximum for a {cp_type or 'fixed (type not given)'} period of "
                  f"{'an A/R' if removal else 'an'} activity: it should end by {allowed} ({(cp.end - allowed).days} days more).")
        elif cp.end == add_years(cp.start, yrs):
            _find(row, "input.crediting_period_end_on_anniversary", "fail", "info", [h[f"cp{cp.number}_start"], h[f"cp{cp.number}_end"]],
                  f"Crediting period {cp.number} ends on {cp.end}, the {yrs}-year anniversary of its start, one day past "
                  f"start + {yrs} years - 1 day ({period_end(cp.start, yrs)}); counted as {yrs} years.")
        if cp.start.month == 2 and cp.start.day == 29:
            exp = period_end(cp.start, yrs)
            agree = "agrees" if exp == cp.end else f"differs (file: {cp.end})"
            _find(row, "input.leap_day_start", "fail", "info", [h[f"cp{cp.number}_start"], h[f"cp{cp.number}_end"]],
                  f"Crediting period {cp.number} starts on 29 February ({cp.start}). pacm ends a period of N years on the "
                  f"anniversary minus one day, the anniversary of 29 February being 1 March (case C10): {yrs} years "
                  f"end on {exp}; the file {agree}.")

    # -- the crediting period that counts for the transition
    cut = ctx.cp_active_on
    tcp = next((c for c in cps if c.start <= cut <= c.end), None)
    if tcp is None:
        before = [c for c in cps if c.start <= cut]
        tcp = before[-1] if before else (cps[0] if cps else None)
    if tcp is not None:
        _set(nested, "crediting_period.start", tcp.start)
        _set(nested, "crediting_period.length_years", tcp.years)
        _set(nested, "crediting_period.number", tcp.number)
        _set(nested, "transition.cdm_crediting_period_number", tcp.number)
        _set(nested, "transition.cdm_crediting_period_start", tcp.start)
        _set(nested, "transition.cdm_crediting_period_end", tcp.end)
        if tcp.start <= cut <= tcp.end:  # only a period that transitions has a CDM-methodology grace
            _set(nested, "transition.cdm_methodology_until", min(tcp.end, ctx.cdm_methodology_deadline))

    # -- registration
    status = v.get("website_status")
    reg = v.get("registered_or_rejected")
    if reg is not None and status in ("registered", "deregistered"):
        _set(nested, "transition.cdm_registration_date", reg)
        _set(nested, "dates.registration_date", reg)

    # -- hosts: ISO alpha-3, LDC/SIDS on the as-of date, the export's own flags
    hosts2 = v.get("hosts") or []
    hosts3 = [ctx.iso2_to_iso3[c] for c in hosts2 if c in ctx.iso2_to_iso3]
    if hosts3:
        _set(nested, "activity.host_party", hosts3[0])
    ldc = [ctx.host_status.get(c, (None, None))[0] for c in hosts3]
    sids = [ctx.host_status.get(c, (None, None))[1] for c in hosts3]
    host_ldc = _all_or_none(ldc)
    host_sids = _all_or_none(sids)
    exempt = [a or b for a, b in zip(ldc, sids)]
    sop_exempt = _all_or_none(exempt)
    if len(hosts3) > 1 and sop_exempt is None:
        which = ", ".join(f"{c} ({'LDC' if a else 'SIDS' if b else 'neither'})" for c, a, b in zip(hosts3, ldc, sids))
        cpas = v.get("cpas_per_host")
        _find(row, "input.host_status_per_cpa", "insufficient_data", "info", [h["hosts"], h["ldc_flag"], h["sids_flag"]],
              f"Hosts on {ctx.as_of}: {which}. The LDC/SIDS exemption from the share of proceeds is decided per CPA "
              f"host; the export lists the PoA's hosts only{f' (CPAs per host: {cpas})' if cpas else ''}. "
              "Estimated credits count the share of proceeds in full (conservative).")
    _check_flag(row, ctx, hosts3, v.get("ldc_flag"), 0, "LDC", h["ldc_flag"])
    _check_flag(row, ctx, hosts3, v.get("sids_flag"), 1, "SIDS", h["sids_flag"])
    context = {
        "context.as_of": ctx.as_of,
        "context.host_known": bool(hosts3),
        "context.host_ldc": host_ldc,
        "context.host_sids": host_sids,
    }

    # -- current crediting period on the as-of date, methodology and reassessment dates
    cur = next((c for c in cps if c.start <= ctx.as_of <= c.end), None)
    renewals_left = None
    if tcp is not None and cp_type:
        renewals_left = max(0, 3 - tcp.number) if cp_type == "renewable" else 0
    if cur is not None:
        cur_label = cur.label
    elif cps and ctx.as_of > cps[-1].end:
        cur_label = f"none (CP{cps[-1].number} ended {cps[-1].end})"
    elif cps:
        cur_label = f"none (CP{cps[0].number} starts {cps[0].start})"
    else:
        cur_label = None
    meth_until = nested.get("transition", {}).get("cdm_methodology_until")
    info.update(
        cp_active_on_cutoff=any(c.start <= cut <= c.end for c in cps) if cps else None,
        reference=key,
        cdm_reference=ref,
        unique_id=v.get("unique_id"),
        title=v.get("title"),
        kind="PoA" if v.get("kind") else ("PA" if v.get("kind") is False else None),
        host="; ".join(hosts2) if hosts2 else None,
        host_party=hosts3[0] if hosts3 else None,
        methodology=v.get("methodology"),
        technology=tech,
        activity_type=atype,
        cdm_status=status,
        cp_type=cp_type,
        transition_crediting_period=tcp.label if tcp else None,
        current_crediting_period=cur_label,
        cdm_methodology_until=meth_until,
        a64_methodology_from=(meth_until + dt.timedelta(days=1)) if meth_until else None,
        renewals_left=renewals_left,
        host_ldc=host_ldc,
        host_sids=host_sids,
        sop_exempt=sop_exempt,
        annual_er_ex_ante=tcp.annual_er if tcp else None,
        _tcp=tcp,
        _context=context,
    )
    if tcp is not None and tcp.annual_er is None and tcp.end >= ctx.a64_vintage_from:
        n = tcp.number
        _find(row, "input.missing_value", "insufficient_data", "info", [h[f"cp{n}_annual_er"]],
              f"No ex-ante annual emission reductions for crediting period {n}; credits cannot be estimated.")
    return row


def _all_or_none(vals: list) -> bool | None:
    """True when every value is true, False when every one is false, else None (unknown or mixed)."""
    if not vals or any(x is None for x in vals):
        return None
    if all(vals):
        return True
    if not any(vals):
        return False
    return None


def _check_flag(row: Row, ctx: Context, hosts3: list[str], flag, pos: int, what: str, header: str) -> None:
    """Compare the export's LDC/SIDS flag with the UN list on the export's date (stale flags, C14)."""
    if flag is None or not hosts3 or ctx.snapshot_date is None:
        return
    status = [ctx.host_status_snapshot.get(c, (None, None))[pos] for c in hosts3]
    if any(s is None for s in status):
        return
    count = sum(1 for s in status if s)
    if isinstance(flag, tuple):
        ok = flag == (count, len(hosts3))
        said = f"{flag[0]} of {flag[1]} countries"
    else:
        ok = (count == len(hosts3)) if flag else (count == 0)
        said = "Yes" if flag else "No"
    if not ok:
        names = ", ".join(c for c, s in zip(hosts3, status) if s) or "none"
        _find(row, "input.stale_flag", "fail", "info", [header],
              f"'{header}' says {said}, but on {ctx.snapshot_date} the UN list (with dated graduations) gives {count} of "
              f"{len(hosts3)} ({what}: {names}). pacm judges {what} status on the date that matters instead.")

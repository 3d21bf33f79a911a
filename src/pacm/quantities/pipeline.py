"""The crediting pipeline: from yearly baseline, project and leakage tonnes to issuable A6.4ERs.

One row per activity-year; pure functions on plain Python columns (a dict of equal-length lists),
no I/O and no pandas. :func:`credit_columns` is the one implementation of the crediting rules:
the single-PDD path (:mod:`pacm.quantities.compute`, ``pacm check``) calls it directly, and
:func:`credit_years`, the :class:`pandas.DataFrame` form used by the batch run
(:mod:`pacm.transition.run`), is a thin wrapper around it, so a number in a batch table and the same
number in ``pacm check`` cannot differ (``tests/test_quantities_rows.py`` checks both forms over
generated PDDs). pandas is imported only by that wrapper.

Input columns (tonnes are exact ``Decimal`` in object columns; ints and decimal strings are
accepted, floats are converted through their shortest ``repr`` so no binary drift enters):

=====================  =======================================================================
``activity``           activity id
``year``               calendar year (int)
``days``               days credited in that year (int)
``baseline``           baseline emissions for those days (ER); baseline net removals (removals)
``project``            project emissions (ER); the project's net removals: stock change minus
                       project emissions (removals)
``leakage``            leakage emissions for those days (tCO2e, negative values are clipped to 0)
``years_since_start``  whole calendar years since the first year of the *first* crediting period
                       (0 in that year); the downward adjustment grows with it, also after renewal
``activity_type``      ``'emission_reduction'`` or ``'removal'``
``buffer_rate``        reversal-risk buffer share (removals; 0 for emission reductions)
``sop_exempt``         host is an LDC or SIDS on the issuance date
``authorised_share``   share of A6.4ERs authorised by the host (0..1; missing = 0)
=====================  =======================================================================

Optional input columns: ``bau`` (BAU emissions for those days: the crediting baseline is the
lower of the adjusted baseline and BAU, "choose the lower number"); ``da_initial``,
``da_increment``, ``da_form`` (the PDD's own downward adjustment, used where stricter than the
rule-pack minimum); ``da_applies`` (bool; default: true for emission reductions, false for
removals, see below); ``leakage_discount`` (a fraction of the pre-leakage reductions replacing the
computed leakage); ``buffer_rate_source`` (text naming where ``buffer_rate`` came from, for the
trace only).

Output columns added: ``daf``, ``daf_source``, ``baseline_adjusted``, ``baseline_bound``,
``leakage_source``, ``net``, ``reductions``, ``reversal``, ``gross_units``, ``buffer``,
``sop_adaptation``, ``omge``, ``issuable``, ``issuable_authorised``,
``issuable_mitigation_contribution``.

Conventions (pacm's reading where the brief leaves a choice; each is a parameter in
``methodologies/parameters/crediting.yaml`` and can be overridden with ``--param``):

* Downward adjustment factor: ``DAF_y = max(DAF_rules_y, DAF_pdd_y)`` clipped to [0, 1], where
  ``linear``: ``DAF = initial + increment x n`` and ``compound``: ``DAF = 1 - (1 - initial)(1 -
  increment)^n``, ``n = years_since_start``. ``baseline_adjusted = min(baseline x (1 - DAF), bau)``.
  For removals the baseline is *subtracted* from project removals, so lowering it would raise
  credits; the adjustment is therefore not applied to removals (``da_applies`` default false).
* ``net = baseline_adjusted - project - leakage`` (ER) or ``project - baseline_adjusted - leakage``
  (removals). ``reductions = max(net, 0)``; a negative net change of a removal activity is a
  ``reversal`` (reported, never credited negative).
* ``gross_units = floor(reductions)``: A6.4ERs are whole tonnes.
* Deductions are shares of the gross issuance (``rate x gross_units``, the brief's §6 formula:
  SOP, OMGE and buffer each on N; the order then does not change any amount).
  ``crediting.deduction_rounding`` decides the whole units:

  - ``participant_floor`` (default): the participant's share is rounded down,
    ``issuable = floor(gross_units x (1 - buffer_rate - sop_rate - omge_rate))``; OMGE is
    ``ceil(omge_rate x gross)`` ("at least 2 %"); the buffer takes
    ``ceil((buffer_rate + omge_rate) x gross) - OMGE``; the share of proceeds takes the rest.
    This reproduces the CDM issuance of real case C01 (111,949 x 0.98 -> 109,710) and is the
    only reading found that keeps both properties the issue asks for: more reductions never give
    fewer A6.4ERs (a larger downward adjustment never increases issuance), and the LDC/SIDS
    exemption changes the adaptation share and nothing else.
  - ``each_up`` / ``each_down``: every deduction rounded up / down on its own. ``each_up`` can
    issue one unit *less* for one tonne *more* (100 t: 100 - 5 - 2 = 93; 101 t: 101 - 6 - 3 = 92).
  - ``exact``: deductions keep their fractions; ``issuable = floor(gross - deductions)``.
* ``issuable_authorised = floor(issuable x authorised_share)``, the rest is mitigation contribution.
* ``corresponding_adjustment = issuable_authorised + floor((sop_adaptation + omge) x authorised_share)``: the
  units the host adjusts for (CMA6: the adjustment also covers the units taken for adaptation and OMGE, seed 001).

Every value the pipeline reads from the rule pack comes from the parameter files through
:class:`pacm.params.ParameterSet` (:func:`resolve_params`); there is no fallback in code, and a
parameter the pack does not define is a :class:`PipelineError` naming it and its file. Whole-unit
rounding of tonnes (:func:`floor_int`, :func:`ceil_int`) happens here and nowhere else.

The trace: given ``steps``, :func:`credit_columns` records, for each row and as it computes them,
one step per decision (the formula, the operands it used, the rule or parameter that bounded it,
and the result); :mod:`pacm.quantities.compute` puts those steps in the report unchanged, so the
trace cannot say something the numbers did not do.
"""


from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any, Mapping, Sequence

from ..tonnes import lower_of_adjusted_and_bau

REQUIRED = (
    "activity",
    "year",
    "days",
    "baseline",
    "project",
    "leakage",
    "years_since_start",
    "activity_type",
    "buffer_rate",
    "sop_exempt",
    "authorised_share",
)
OPTIONAL = ("bau", "da_initial", "da_increment", "da_form", "da_applies", "leakage_discount", "buffer_rate_source")

#: parameter names of the rule pack the pipeline reads (resolve them with :func:`resolve_params`)
RULE_PARAMS = (
    "baseline.downward_adjustment_initial_min",
    "baseline.downward_adjustment_annual_min",
    "baseline.downward_adjustment_form",
    "issuance.sop_adaptation_rate",
    "issuance.omge_rate",
    "issuance.ldc_sids_sop_exempt",
)
#: pacm's conventions, parameters of ``methodologies/parameters/crediting.yaml`` (no copy of their values here)
CONVENTION_PARAMS = (
    "crediting.deduction_rounding",
    "crediting.day_count",
)
PARAM_NAMES = RULE_PARAMS + CONVENTION_PARAMS
#: read when the pack defines it; absent means "exemption applies" (the CMA6 decision, seed 001)
_OPTIONAL_RULE_PARAMS = {"issuance.ldc_sids_sop_exempt"}

OUTPUT = (
    "daf",
    "daf_source",
    "baseline_adjusted",
    "baseline_bound",
    "leakage_source",
    "net",
    "reductions",
    "reversal",
    "gross_units",
    "buffer",
    "sop_adaptation",
    "omge",
    "issuable",
    "issuable_authorised",
    "issuable_mitigation_contribution",
    "corresponding_adjustment",
)

ZERO = Decimal(0)
ONE = Decimal(1)
PREC = 34  # significant digits for the one inexact operation (division); products are exact


class PipelineError(ValueError):
    """The rows or parameters given to :func:`credit_columns` are not what it needs."""


def dec(v: Any, what: str = "value") -> Decimal | None:
    """An exact Decimal from an int, Decimal, decimal string or float (through its repr); None for a missing value.
    An infinity is refused here: no whole number of tonnes can be rounded from it (``floor`` would raise)."""
    if type(v) is Decimal:  # the common case, first
        return None if v.is_nan() else _finite(v, v, what)
    if v is None:
        return None
    if isinstance(v, bool):
        raise PipelineError(f"{what}: expected a number, found {v!r}")
    if isinstance(v, Decimal):
        return None if v.is_nan() else _finite(v, v, what)
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):  # numpy's float64 is a float, its repr 'np.float64(..)': float's repr
        return None if math.isnan(v) else _finite(Decimal(repr(float(v))), v, what)
    if isinstance(v, str):
        try:
            d = Decimal(v)
        except Exception:
            raise PipelineError(f"{what}: {v!r} is not a number")
        return _finite(d, v, what)
    item = getattr(v, "item", None)  # numpy scalars, without importing numpy
    if callable(item):
        try:
            py = item()
        except Exception:
            py = v
        if py is not v and not hasattr(py, "item"):
            return dec(py, what)
    raise PipelineError(f"{what}: {v!r} is not a number")


def _finite(d: Decimal, v: Any, what: str) -> Decimal:
    if d.is_infinite():
        raise PipelineError(f"{what}: {v!r} is not a finite number")
    return d


def _isnull(v) -> bool:
    """None, a float NaN or a Decimal NaN (the DataFrame wrapper turns pandas' own missing markers into None)."""
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, Decimal):
        return v.is_nan()
    return False


def _missing_text(name: str) -> str:
    area = name.split(".", 1)[0]
    return (f"parameter '{name}' is missing: it is read from the rule pack's parameter file {area}.yaml "
            "(rules/parameters/, or methodologies/parameters/ for crediting.*); resolve "
            "pacm.quantities.pipeline.PARAM_NAMES with pacm.quantities.pipeline.resolve_params")


def _param(params: Mapping, name: str) -> Any:
    if name in params:
        return params[name]
    if name in _OPTIONAL_RULE_PARAMS:
        return None
    raise PipelineError(_missing_text(name))


def undefined_params(param_set) -> list[str]:
    """The names of :data:`PARAM_NAMES` the pack does not define (an optional one apart)."""
    return [n for n in PARAM_NAMES if n not in param_set.params and n not in _OPTIONAL_RULE_PARAMS]


def resolve(param_set, names, on) -> tuple[dict, list[str]]:
    """Parameter values in force on a date, and the names that have none (not yet adopted, or not
    defined by the pack). Never an error here: checking a PDD as of a date before a standard was
    adopted still gives its findings; the caller says what it cannot compute."""
    out, missing = {}, []
    for n in names:
        try:
            out[n] = param_set.value(n, on)
        except KeyError:
            missing.append(n)
    return out, missing


def resolve_params(param_set, on) -> dict:
    """:data:`PARAM_NAMES` resolved on a date through the pack's parameter files; a name the pack does
    not define is a :class:`PipelineError` (no value in code to fall back on)."""
    gone = undefined_params(param_set)
    if gone:
        raise PipelineError(_missing_text(gone[0]))
    return param_set.resolve([n for n in PARAM_NAMES if n in param_set.params], on)


# ---------------------------------------------------------------- rounding of tonnes: here and nowhere else
def floor_int(x: Decimal) -> int:
    """Whole tonnes, rounded down (A6.4ERs)."""
    return int(x.to_integral_value(rounding=ROUND_FLOOR))


def ceil_int(x: Decimal) -> int:
    """Whole tonnes, rounded up (a deduction of 'at least' a share)."""
    return int(x.to_integral_value(rounding=ROUND_CEILING))


def daf(initial: Decimal, increment: Decimal, n: int, form: str) -> Decimal:
    """Downward adjustment factor after ``n`` years (0 in the first year), clipped to [0, 1]."""
    n = max(int(n), 0)
    if form == "linear":
        v = initial + increment * n
    elif form == "compound":
        v = ONE - (ONE - initial) * (ONE - increment) ** n
    else:
        raise PipelineError(f"downward adjustment form {form!r} is not 'linear' or 'compound'")
    return min(max(v, ZERO), ONE)


ROUNDING = ("participant_floor", "each_up", "each_down", "exact")
_EACH = {"each_up": (ceil_int, "ceil"), "each_down": (floor_int, "floor"), "exact": (lambda x: x, "")}


def deductions(gross: int, rates: tuple[Decimal, Decimal, Decimal], mode: str) -> tuple:
    """(buffer, sop_adaptation, omge, issuable) for ``gross`` whole units and the three rates."""
    rb, rs, ro = rates
    g = Decimal(gross)
    if mode == "participant_floor":
        issuable = floor_int(g * (ONE - rb - rs - ro))
        issuable = max(issuable, 0)
        omge = min(ceil_int(ro * g), gross)
        buffer = min(max(ceil_int((rb + ro) * g) - omge, 0), gross - omge)
        sop = gross - issuable - omge - buffer
        if sop < 0:  # only a negative rate (a bad override) gets here: the participant never gets more than is left
            sop, issuable = 0, gross - omge - buffer
        return buffer, sop, omge, issuable
    if mode in _EACH:
        rnd = _EACH[mode][0]
        left = g
        out = {}
        # capped so that nothing is deducted twice; OMGE and buffer first, so the share of proceeds
        # (the only one the LDC/SIDS exemption touches) never changes the other two
        for k, r in (("omge", ro), ("buffer", rb), ("sop", rs)):
            d = rnd(r * g) if r > 0 else 0
            d = min(max(d, 0), left)
            out[k] = d
            left -= d
        return out["buffer"], out["sop"], out["omge"], floor_int(left)
    raise PipelineError(f"crediting.deduction_rounding {mode!r} is not one of {', '.join(ROUNDING)}")


def fmt(v) -> str:
    """Exact text of a number: no exponent, no trailing zeros beyond what the value carries."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        s = format(v, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s or "0"
    return str(v)




# ---------------------------------------------------------------- the one implementation
def credit_columns(cols: Mapping[str, Sequence], params: Mapping, steps: list | None = None) -> dict[str, list]:
    """The crediting columns of one-row-per-activity-year ``cols`` (column name -> list of values, see
    the module docstring).

    ``params`` maps parameter names to values as :func:`resolve_params` returns them. Returns a
    new dict: the input columns (``leakage`` replaced by the leakage credited) and the ``OUTPUT``
    columns; ``cols`` is not modified. When ``steps`` is a list, one list of trace steps per row is
    appended to it (see :func:`_steps`). Raises :class:`PipelineError` for a missing column or
    parameter, or a value that is not what it should be.
    """
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise PipelineError(f"rows lack column(s) {', '.join(missing)} (needed: {', '.join(REQUIRED)})")
    n = len(cols["year"])
    for c, v in cols.items():
        if len(v) != n:
            raise PipelineError(f"column '{c}' has {len(v)} values, 'year' has {n}")
    d0 = dec(_param(params, "baseline.downward_adjustment_initial_min"), "downward_adjustment_initial_min")
    r0 = dec(_param(params, "baseline.downward_adjustment_annual_min"), "downward_adjustment_annual_min")
    form0 = str(_param(params, "baseline.downward_adjustment_form"))
    sop_rate = dec(_param(params, "issuance.sop_adaptation_rate"), "sop_adaptation_rate")
    omge_rate = dec(_param(params, "issuance.omge_rate"), "omge_rate")
    exempt_flag = _param(params, "issuance.ldc_sids_sop_exempt")
    exemption_on = True if exempt_flag is None else bool(exempt_flag)
    rounding = str(_param(params, "crediting.deduction_rounding"))
    deductions(0, (ZERO, ZERO, ZERO), rounding)  # validates the mode

    def col(name, default=None) -> list:
        return list(cols[name]) if name in cols else [default] * n

    kinds = col("activity_type")
    for k in set(kinds):
        if k not in ("emission_reduction", "removal"):
            raise PipelineError(f"activity_type {k!r} is not 'emission_reduction' or 'removal'")
    base = [dec(v, "baseline") for v in col("baseline")]
    proj = [dec(v, "project") for v in col("project")]
    leak_in = [dec(v, "leakage") for v in col("leakage")]
    for name, values in (("baseline", base), ("project", proj), ("leakage", leak_in)):
        if any(v is None for v in values):
            raise PipelineError(f"column '{name}' has missing values (drop years with insufficient data first)")
    yss = [int(v) for v in col("years_since_start")]
    # dec gives None for what _isnull calls missing (None, a float or Decimal NaN)
    bau = [dec(v, "bau") for v in col("bau")]
    da_i = [dec(v, "da_initial") for v in col("da_initial")]
    da_r = [dec(v, "da_increment") for v in col("da_increment")]
    da_f = col("da_form")
    da_applies = col("da_applies")
    disc = [dec(v, "leakage_discount") for v in col("leakage_discount")]
    buf_rate = [dec(v, "buffer_rate") or ZERO for v in col("buffer_rate")]
    exempt = [bool(v) and not _isnull(v) for v in col("sop_exempt")]
    share = [ZERO if _isnull(v) else dec(v, "authorised_share") for v in col("authorised_share")]
    buf_src = col("buffer_rate_source")
    years = col("year")

    out: dict[str, list] = {c: list(v) for c, v in cols.items()}
    res: dict[str, list] = {c: [None] * n for c in OUTPUT}
    res["leakage"] = [None] * n
    with localcontext() as ctx:
        ctx.prec = PREC
        for i in range(n):
            removal = kinds[i] == "removal"
            rec: list | None = [] if steps is not None else None
            applies = (not removal) if _isnull(da_applies[i]) else bool(da_applies[i])
            # -- downward adjustment
            if applies:
                f_rules = daf(d0, r0, yss[i], form0)
                f, src, used = f_rules, "rule_pack", (d0, r0, form0)
                pdd_da = da_i[i] is not None and da_r[i] is not None
                if pdd_da:
                    form_pdd = str(da_f[i]) if not _isnull(da_f[i]) else "linear"
                    f_pdd = daf(da_i[i], da_r[i], yss[i], form_pdd)
                    if f_pdd > f_rules:
                        f, src, used = f_pdd, "pdd", (da_i[i], da_r[i], form_pdd)
                if rec is not None:
                    who = ("PDD baseline.downward_adjustment (stricter than the rule-pack minimum)" if src == "pdd" else
                           "rule-pack minimum baseline.downward_adjustment_initial_min / _annual_min"
                           + (" (at least as strict as the PDD's own)" if pdd_da else ""))
                    a, b, form = used
                    linear = form == "linear"
                    rec.append(_step("daf", f, f"{'initial + increment x n' if linear else '1 - (1 - initial) x (1 - increment)^n'} ({form})",
                                     f"{fmt(a)} + {fmt(b)} x {yss[i]}" if linear else
                                     f"1 - (1 - {fmt(a)}) x (1 - {fmt(b)})^{yss[i]}",
                                     f"A6.4 baseline standard (SBM016) downward adjustment: {who}", "fraction"))
            else:
                f, src = ZERO, "not_applied"
                if rec is not None:
                    rec.append(_step("daf", f, "not applied",
                                     "removal activity (lowering the baseline would raise net removals)" if removal else
                                     "the methodology applies no downward adjustment to this baseline approach",
                                     None, "fraction"))
            # -- the lower of the adjusted baseline and BAU
            adj = base[i] * (ONE - f)
            bound = "downward_adjustment" if applies else "baseline"
            low = adj if bau[i] is None else lower_of_adjusted_and_bau(adj, bau[i])
            if low != adj:
                adj, bound = low, "bau"
            if rec is not None:
                shown = f"{fmt(base[i])} x (1 - {fmt(f)})"
                if bau[i] is not None:
                    rec.append(_step("baseline_adjusted", adj, "min(baseline x (1 - DAF), BAU)", f"min({shown}, {fmt(bau[i])})",
                                     "BAU: 'choose the lower number' (baseline standard step 5, domain brief quick ref #4)"
                                     if bound == "bau" else "downward-adjusted baseline (below BAU)"))
                else:
                    rec.append(_step("baseline_adjusted", adj, "baseline x (1 - DAF)", shown))
            # -- leakage
            if disc[i] is not None:
                pre = (proj[i] - adj) if removal else (adj - proj[i])
                lk, lsrc = disc[i] * max(pre, ZERO), "discount"
                if rec is not None:
                    rec.append(_step("leakage", lk, "leakage.discount x max(0, pre-leakage reductions)",
                                     f"{fmt(disc[i])} x max(0, ...)", "PDD leakage.discount"))
            elif leak_in[i] >= 0:
                lk, lsrc = leak_in[i], "computed"
            else:
                lk, lsrc = ZERO, "computed_clipped"
                if rec is not None:
                    rec.append(_step("leakage", lk, "max(0, computed leakage)", f"max(0, {fmt(leak_in[i])})",
                                     "leakage is never negative (no credit for 'positive leakage', leakage standard [M])"))
            # -- net change
            net = (proj[i] - adj - lk) if removal else (adj - proj[i] - lk)
            red = max(net, ZERO)
            rev = max(-net, ZERO) if removal else ZERO
            gross = floor_int(red)
            if rec is not None:
                if removal:
                    rec.append(_step("net", net, "project - baseline_adjusted - leakage",
                                     f"{fmt(proj[i])} - {fmt(adj)} - {fmt(lk)}"))
                else:
                    rec.append(_step("net", net, "baseline_adjusted - project - leakage",
                                     f"{fmt(adj)} - {fmt(proj[i])} - {fmt(lk)}"))
                rec.append(_step("reductions", red, "max(net, 0)", f"max({fmt(net)}, 0)",
                                 "a negative net change is a reversal, reported and never credited negative (removals standard)"
                                 if rev > 0 else ("negative net reductions are not credited" if net < 0 else None)))
                if rev > 0:
                    rec.append(_step("reversal", rev, "max(-net, 0)", f"max({fmt(-net)}, 0)",
                                     "A6.4-STAN-METH-002: reversal; compensated from the buffer pool (unavoidable) or by "
                                     "the participants (avoidable)"))
                rec.append(_step("gross_units", gross, "floor(reductions)", f"floor({fmt(red)})",
                                 "A6.4ERs are whole tonnes, rounded down", "A6.4ER"))
            # -- deductions, each a share of the gross issuance
            sop_off = exempt[i] and exemption_on
            rb = buf_rate[i] if removal else ZERO
            sop_r = ZERO if sop_off else sop_rate
            b_, s_, o_, issuable = deductions(gross, (rb, sop_r, omge_rate), rounding)
            auth = floor_int(Decimal(issuable) * share[i])
            if rec is not None:
                why = {
                    "buffer": f"{buf_src[i] or 'buffer_rate'} (reversal-risk rating)" if removal
                    else "emission reductions: no buffer",
                    "sop_adaptation": "issuance.ldc_sids_sop_exempt: host is an LDC or SIDS on the issuance date"
                    if sop_off else "issuance.sop_adaptation_rate (RMP chapter VII)",
                    "omge": "issuance.omge_rate (RMP chapter VII), 'at least' the rate",
                }
                conv = f"crediting.deduction_rounding = {rounding}"
                if rounding == "participant_floor":
                    rec.append(_step("issuable", issuable, "floor(gross_units x (1 - buffer_rate - sop_rate - omge_rate))",
                                     f"floor({gross} x (1 - {fmt(rb)} - {fmt(sop_r)} - {fmt(omge_rate)}))",
                                     f"whole A6.4ERs, rounded down ({conv})", "A6.4ER"))
                    rec.append(_step("omge", o_, "ceil(omge_rate x gross_units)", f"ceil({fmt(omge_rate)} x {gross})",
                                     why["omge"], "A6.4ER"))
                    rec.append(_step("buffer", b_, "ceil((buffer_rate + omge_rate) x gross_units) - omge",
                                     f"ceil(({fmt(rb)} + {fmt(omge_rate)}) x {gross}) - {o_}", why["buffer"], "A6.4ER"))
                    rec.append(_step("sop_adaptation", s_, "gross_units - issuable - omge - buffer",
                                     f"{gross} - {issuable} - {o_} - {b_}", why["sop_adaptation"], "A6.4ER"))
                else:
                    word = _EACH[rounding][1]
                    for name, rate, v in (("buffer", rb, b_), ("sop_adaptation", sop_r, s_), ("omge", omge_rate, o_)):
                        rec.append(_step(name, v, f"{word}(rate x gross_units)", f"{word}({fmt(rate)} x {gross})",
                                         f"{why[name]}; {conv}", "A6.4ER"))
                    rec.append(_step("issuable", issuable, "floor(gross_units - buffer - sop_adaptation - omge)",
                                     f"floor({gross} - {fmt(b_)} - {fmt(s_)} - {fmt(o_)})",
                                     "whole A6.4ERs, rounded down", "A6.4ER"))
                rec.append(_step("issuable_authorised", auth, "floor(issuable x authorised_share)",
                                 f"floor({issuable} x {fmt(share[i])})", "PDD authorization", "A6.4ER"))
                rec.append(_step("issuable_mitigation_contribution", issuable - auth, "issuable - issuable_authorised",
                                 f"{issuable} - {auth}", None, "A6.4ER"))
                for s in rec:
                    s["year"] = years[i]
                steps.append(rec)
            res["daf"][i] = f
            res["daf_source"][i] = src
            res["baseline_adjusted"][i] = adj
            res["baseline_bound"][i] = bound
            res["leakage"][i] = lk
            res["leakage_source"][i] = lsrc
            res["net"][i] = net
            res["reductions"][i] = red
            res["reversal"][i] = rev
            res["gross_units"][i] = gross
            res["buffer"][i], res["sop_adaptation"][i], res["omge"][i] = b_, s_, o_
            res["issuable"][i] = issuable
            res["issuable_authorised"][i] = auth
            res["issuable_mitigation_contribution"][i] = issuable - auth
            # CMA6 (seed 001, authorisation section): the corresponding adjustment also covers the units taken for
            # adaptation (SOP) and OMGE; pacm counts the authorised share of them, rounded down like the units
            res["corresponding_adjustment"][i] = auth + floor_int(Decimal(s_ + o_) * share[i])
    out.update(res)
    return out


def _step(name: str, value, equation: str, substituted: str, rule: str | None = None, unit: str = "tCO2e") -> dict:
    """One trace step: the result, the formula, the operands used (``substituted``) and what bounded it."""
    e = {"step": "crediting", "year": None, "name": name, "value": fmt(value), "unit": unit,
         "equation": equation, "substituted": substituted}
    if rule:
        e["bounded_by"] = rule
    return e


def credit_rows(rows: Sequence[Mapping], params: Mapping, steps: list | None = None) -> list[dict]:
    """:func:`credit_columns` for a list of row dicts (every row has the same keys); returns new dicts."""
    rows = list(rows)
    if not rows:
        return []
    names = list(rows[0])
    for r in rows[1:]:
        if list(r) != names and set(r) != set(names):
            raise PipelineError(f"rows have different keys: {sorted(set(names) ^ set(r))}")
    out = credit_columns({c: [r[c] for r in rows] for c in names}, params, steps)
    keys = list(out)
    return [dict(zip(keys, vals)) for vals in zip(*(out[k] for k in keys))]


def credit_years(rows, params: Mapping):
    """:func:`credit_columns` on a :class:`pandas.DataFrame` (the batch form): returns a new frame with the
    crediting columns added as object columns; ``rows`` is not modified. pandas' missing markers (NaN,
    None, NA, NaT) become None before the rows reach the one implementation."""
    import pandas as pd

    cols = {}  # a missing column: credit_columns says which
    for c in rows.columns:
        if c in REQUIRED or c in OPTIONAL:
            s = rows[c]
            na = s.isna().tolist()
            cols[c] = [None if m else v for v, m in zip(s.tolist(), na)]
    res = credit_columns(cols, params)
    out = rows.copy()
    for c in ("leakage",) + OUTPUT:
        out[c] = pd.Series(res[c], index=out.index, dtype=object)
    return out

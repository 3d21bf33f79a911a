"""The crediting pipeline: from yearly baseline, project and leakage tonnes to issuable A6.4ERs.

One row per activity-year; pure functions on a :class:`pandas.DataFrame`, no I/O. The single-PDD
path (:mod:`pacm.quantities.compute`) and the batch run both call :func:`credit_years`, so a
number in a batch table and the same number in ``pacm check`` cannot differ.

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
computed leakage).

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
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Any

import pandas as pd

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

#: parameter names of the rule pack the pipeline reads (resolve them with ParameterSet.resolve)
RULE_PARAMS = (
    "baseline.downward_adjustment_initial_min",
    "baseline.downward_adjustment_annual_min",
    "baseline.downward_adjustment_form",
    "issuance.sop_adaptation_rate",
    "issuance.omge_rate",
    "issuance.ldc_sids_sop_exempt",
)
#: pacm's conventions (methodologies/parameters/crediting.yaml); defaults mirror that file
CONVENTIONS = {
    "crediting.deduction_rounding": "participant_floor",
    "crediting.day_count": "actual_actual",
}
PARAM_NAMES = RULE_PARAMS + tuple(CONVENTIONS)
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
    """The rows or parameters given to :func:`credit_years` are not what it needs."""


def dec(v: Any, what: str = "value") -> Decimal | None:
    """An exact Decimal from an int, Decimal, decimal string or float (through its repr)."""
    if type(v) is Decimal:  # the common case, first
        return None if v.is_nan() else v
    if v is None:
        return None
    if isinstance(v, bool):
        raise PipelineError(f"{what}: expected a number, found {v!r}")
    if isinstance(v, Decimal):
        return None if v.is_nan() else v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return None if math.isnan(v) else Decimal(repr(v))
    if isinstance(v, str):
        try:
            return Decimal(v)
        except Exception:
            raise PipelineError(f"{what}: {v!r} is not a number")
    try:  # numpy scalars
        if pd.isna(v):
            return None
        return Decimal(repr(v.item()))
    except Exception:
        raise PipelineError(f"{what}: {v!r} is not a number")


def _param(params: dict, name: str) -> Any:
    if name in params:
        return params[name]
    if name in CONVENTIONS:
        return CONVENTIONS[name]
    if name in _OPTIONAL_RULE_PARAMS:
        return None
    raise PipelineError(
        f"parameter '{name}' is missing; resolve pacm.quantities.pipeline.PARAM_NAMES with ParameterSet.resolve"
    )


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


def ceil_int(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_CEILING))


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
        if sop < 0:  # rates summing above 1 (overrides): nothing is left for the participant
            sop, issuable = 0, gross - omge - buffer
        return buffer, sop, omge, issuable
    if mode in ("each_up", "each_down", "exact"):
        rnd = {"each_up": ceil_int, "each_down": floor_int, "exact": lambda x: x}[mode]
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


def floor_int(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_FLOOR))


def _col(df: pd.DataFrame, name: str, default=None) -> list:
    if name in df.columns:
        return df[name].tolist()
    return [default] * len(df)


def _isnull(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def credit_years(rows: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Add the crediting columns to one-row-per-activity-year ``rows`` (see the module docstring).

    ``params`` maps parameter names to values as :meth:`pacm.params.ParameterSet.resolve` returns
    them (``PARAM_NAMES`` lists what is read; the ``crediting.*`` conventions default to the
    values of ``methodologies/parameters/crediting.yaml``). Returns a new frame; ``rows`` is not
    modified. Raises :class:`PipelineError` for a missing column or parameter.
    """
    missing = [c for c in REQUIRED if c not in rows.columns]
    if missing:
        raise PipelineError(f"rows lack column(s) {', '.join(missing)} (needed: {', '.join(REQUIRED)})")
    d0 = dec(_param(params, "baseline.downward_adjustment_initial_min"), "downward_adjustment_initial_min")
    r0 = dec(_param(params, "baseline.downward_adjustment_annual_min"), "downward_adjustment_annual_min")
    form0 = str(_param(params, "baseline.downward_adjustment_form"))
    sop_rate = dec(_param(params, "issuance.sop_adaptation_rate"), "sop_adaptation_rate")
    omge_rate = dec(_param(params, "issuance.omge_rate"), "omge_rate")
    exempt_flag = _param(params, "issuance.ldc_sids_sop_exempt")
    exemption_on = True if exempt_flag is None else bool(exempt_flag)
    rounding = str(_param(params, "crediting.deduction_rounding"))
    deductions(0, (ZERO, ZERO, ZERO), rounding)  # validates the mode

    out = rows.copy()
    n = len(out)
    kinds = _col(out, "activity_type")
    for k in set(kinds):
        if k not in ("emission_reduction", "removal"):
            raise PipelineError(f"activity_type {k!r} is not 'emission_reduction' or 'removal'")
    base = [dec(v, "baseline") for v in _col(out, "baseline")]
    proj = [dec(v, "project") for v in _col(out, "project")]
    leak_in = [dec(v, "leakage") for v in _col(out, "leakage")]
    for name, col in (("baseline", base), ("project", proj), ("leakage", leak_in)):
        if any(v is None for v in col):
            raise PipelineError(f"column '{name}' has missing values (drop years with insufficient data first)")
    yss = [int(v) for v in _col(out, "years_since_start")]
    bau = [None if _isnull(v) else dec(v, "bau") for v in _col(out, "bau")]
    da_i = [None if _isnull(v) else dec(v, "da_initial") for v in _col(out, "da_initial")]
    da_r = [None if _isnull(v) else dec(v, "da_increment") for v in _col(out, "da_increment")]
    da_f = _col(out, "da_form")
    da_applies = _col(out, "da_applies")
    disc = [None if _isnull(v) else dec(v, "leakage_discount") for v in _col(out, "leakage_discount")]
    buf_rate = [dec(v, "buffer_rate") or ZERO for v in _col(out, "buffer_rate")]
    exempt = [bool(v) and not _isnull(v) for v in _col(out, "sop_exempt")]
    share = [ZERO if _isnull(v) else dec(v, "authorised_share") for v in _col(out, "authorised_share")]

    cols: dict[str, list] = {c: [None] * n for c in OUTPUT}
    cols["leakage"] = [None] * n
    with localcontext() as ctx:
        ctx.prec = PREC
        for i in range(n):
            removal = kinds[i] == "removal"
            applies = (not removal) if _isnull(da_applies[i]) else bool(da_applies[i])
            # -- downward adjustment and the lower-of bound
            if applies:
                f_rules = daf(d0, r0, yss[i], form0)
                f, src = f_rules, "rule_pack"
                if da_i[i] is not None and da_r[i] is not None:
                    f_pdd = daf(da_i[i], da_r[i], yss[i], str(da_f[i]) if not _isnull(da_f[i]) else "linear")
                    if f_pdd > f_rules:
                        f, src = f_pdd, "pdd"
            else:
                f, src = ZERO, "not_applied"
            adj = base[i] * (ONE - f)
            bound = "downward_adjustment" if applies else "baseline"
            if bau[i] is not None and bau[i] < adj:
                adj, bound = bau[i], "bau"
            # -- leakage
            if disc[i] is not None:
                pre = (proj[i] - adj) if removal else (adj - proj[i])
                lk, lsrc = disc[i] * max(pre, ZERO), "discount"
            else:
                lk, lsrc = max(leak_in[i], ZERO), ("computed" if leak_in[i] >= 0 else "computed_clipped")
            # -- net change
            net = (proj[i] - adj - lk) if removal else (adj - proj[i] - lk)
            red = max(net, ZERO)
            rev = max(-net, ZERO) if removal else ZERO
            gross = floor_int(red)
            # -- deductions, each a share of the gross issuance
            sop_r = ZERO if (exempt[i] and exemption_on) else sop_rate
            b_, s_, o_, issuable = deductions(gross, (buf_rate[i] if removal else ZERO, sop_r, omge_rate), rounding)
            deds = [b_, s_, o_]
            auth = floor_int(Decimal(issuable) * share[i])
            cols["daf"][i] = f
            cols["daf_source"][i] = src
            cols["baseline_adjusted"][i] = adj
            cols["baseline_bound"][i] = bound
            cols["leakage"][i] = lk
            cols["leakage_source"][i] = lsrc
            cols["net"][i] = net
            cols["reductions"][i] = red
            cols["reversal"][i] = rev
            cols["gross_units"][i] = gross
            cols["buffer"][i], cols["sop_adaptation"][i], cols["omge"][i] = deds
            cols["issuable"][i] = issuable
            cols["issuable_authorised"][i] = auth
            cols["issuable_mitigation_contribution"][i] = issuable - auth
            # CMA6 (seed 001, authorisation section): the corresponding adjustment also covers the units taken for
            # adaptation (SOP) and OMGE; pacm counts the authorised share of them, rounded down like the units
            cols["corresponding_adjustment"][i] = auth + floor_int(Decimal(s_ + o_) * share[i])
    for c, v in cols.items():
        out[c] = pd.Series(v, index=out.index, dtype=object)
    return out


def resolve_params(param_set, on) -> dict:
    """``PARAM_NAMES`` resolved on a date, skipping conventions not defined in the pack."""
    names = [n for n in PARAM_NAMES if n in param_set.params]
    return param_set.resolve(names, on)

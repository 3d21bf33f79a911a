"""Reconciliation of what the PDD states with what pacm computes from the PDD's own inputs.

Why: a PDD stating ``baseline_emissions: 30000`` while its quantification gives 60,000 t passed every
check (review 2026-11 item 3); rules read only what the PDD states and cannot see the computed table. Each
pair here becomes a ``quantities.reconciliation`` finding (pass or fail) with both numbers and where each
comes from; the tolerance is the dated parameter ``crediting.reconciliation_tolerance``.

Pairs (annual figures are compared with the first credited year pro-rated to a full year,
``value x days in the year / days credited``, the ``crediting.day_count`` basis of the table):

* ``baseline.baseline_emissions`` (annual, first year, before adjustment) with the methodology's
  ``baseline`` equation;
* ``baseline.crediting_baseline_emissions`` (annual, first year) with ``baseline_adjusted``;
* ``quantification.ex_ante_annual_reductions`` with the mean annual reductions over the credited years;
* ``quantification.ex_ante_total_reductions`` with the total reductions of the credited period (only when
  every year of it could be computed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext

from ..dates import year_basis
from .pipeline import PREC


def _fraction_of_year(year: int, days: int, day_count: str) -> Decimal:
    diy = year_basis(year, day_count)
    with localcontext() as ctx:
        ctx.prec = PREC
        return Decimal(days) / Decimal(diy)


def reconciliation_findings(pdd, quantities, param_set, as_of: dt.date, meth_source: str) -> list:
    from ..findings import Finding

    table = quantities.rows if quantities is not None else None
    if not table:
        return []
    tol_name, dc_name = "crediting.reconciliation_tolerance", "crediting.day_count"
    if tol_name not in param_set.params:
        return []
    got = param_set.resolve([tol_name, dc_name], as_of)  # a table exists only when crediting.day_count does
    tol = Decimal(str(got[tol_name]))
    day_count = str(got[dc_name])
    d = param_set.describe(tol_name, as_of)
    first = table[0]
    y0, days0 = int(first["year"]), int(first["days"])
    f0 = _fraction_of_year(y0, days0, day_count)
    with localcontext() as ctx:
        ctx.prec = PREC
        fracs = sum(_fraction_of_year(int(r["year"]), int(r["days"]), day_count) for r in table)
        total_red = sum(Decimal(r["reductions"]) for r in table)
        pairs = []
        b, q = pdd.baseline, pdd.quantification
        src = f"pacm: {meth_source} equation"
        if b.baseline_emissions is not None:
            pairs.append(("baseline.baseline_emissions", b.baseline_emissions,
                          Decimal(first["baseline"]) / f0, f"{src} 'baseline', {y0} ({days0} days) pro-rated to a year"))
        if b.crediting_baseline_emissions is not None:
            pairs.append(("baseline.crediting_baseline_emissions", b.crediting_baseline_emissions,
                          Decimal(first["baseline_adjusted"]) / f0,
                          f"pacm crediting pipeline 'baseline_adjusted', {y0} ({days0} days) pro-rated to a year"))
        if q.ex_ante_annual_reductions is not None and fracs > 0:
            pairs.append(("quantification.ex_ante_annual_reductions", q.ex_ante_annual_reductions, total_red / fracs,
                          f"pacm: mean annual reductions over {len(table)} credited calendar years"))
        complete = not any("year not credited" in n for n in quantities.notes)
        if q.ex_ante_total_reductions is not None and complete:
            pairs.append(("quantification.ex_ante_total_reductions", q.ex_ante_total_reductions, total_red,
                          f"pacm: total reductions {min(int(r['year']) for r in table)}-{max(int(r['year']) for r in table)}"))
    out = []
    for path, stated, computed, where in pairs:
        with localcontext() as ctx:
            ctx.prec = PREC
            diff = abs(Decimal(stated) - computed)
            ok = diff <= tol * abs(computed)
            rel = (diff / abs(computed) * 100) if computed else None
        shown = computed.quantize(Decimal("0.01"))
        rel_text = f"{rel.quantize(Decimal('0.1'))} %" if rel is not None else "undefined (computed 0)"
        msg = (f"{path} states {stated} tCO2e; pacm computes {shown} tCO2e from the PDD's own inputs ({where}): "
               f"a difference of {rel_text}, "
               + ("within" if ok else "above") + f" the {(tol * 100).normalize():f} % tolerance (crediting.reconciliation_tolerance).")
        out.append(Finding(
            rule="quantities.reconciliation", title=f"{path} agrees with the quantity pacm computes", status="pass" if ok else "fail",
            kind="automatic", severity="error", area="quantities", section="§1.2 Below BAU and downward adjustment",
            reference="pacm reconciliation of stated and computed quantities; " + str(d["reference"].get("document", "")),
            reference_detail=dict(d["reference"]),
            clause="The quantities a PDD states are those its methodology gives from its inputs (review 2026-11 item 3).",
            confidence=d["confidence"], fields=[path], actual={path: stated, "computed": computed},
            expected=f"|{path} - computed| <= {tol} x computed", parameters={tol_name: tol}, message=msg,
            why_not=None if ok else f"correct {path} (the PDD states it) or the quantification inputs it is computed from",
        ))
    return out

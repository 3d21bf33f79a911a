"""The rules of tonnes that the rule pack's derive layer and the crediting pipeline share.

"Choose the lower number" (the A6.4 baseline standard, SBM016 step 5; domain brief quick reference #4)
is one rule: the first-year check of a PDD (``baseline.lower_of_adjusted_and_bau`` in
``rules/derive.yaml``, through the derive function ``lower_of_adjusted_and_bau``) and every year of the
crediting table (:mod:`pacm.quantities.pipeline`) call this one function, so they cannot disagree on
which of the two numbers is credited (issue 15: one implementation of each rule of time and money).
The rounding of tonnes has its own single home in the pipeline (whole A6.4ERs, rounded down).
"""

from __future__ import annotations

from decimal import Decimal


def lower_of_adjusted_and_bau(adjusted: Decimal, bau: Decimal) -> Decimal:
    """The crediting baseline: the lower of the downward-adjusted baseline and BAU emissions; the adjusted
    baseline when they are equal (BAU binds only when it is strictly lower)."""
    return bau if bau < adjusted else adjusted

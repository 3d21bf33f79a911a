"""Credited quantities: methodologies as YAML, the crediting pipeline, and the trace.

``pacm.quantities.pipeline.credit_columns`` is the one implementation of the crediting rules, on plain
columns (``credit_years`` is its DataFrame form for the batch run); ``compute_for_result(engine,
result)`` fills ``result.quantities`` for ``pacm check`` without importing pandas (only
``Quantities.frame`` and ``credit_years`` do, when a caller asks for a DataFrame).
"""

from __future__ import annotations


def compute_for_result(engine, result, flat: dict | None = None) -> None:
    """Set ``result.quantities`` (or add a note when the PDD's methodology has no definition);
    ``flat``: the PDD's facts when the caller has them already (``Engine.check``)."""
    from .compute import compute_for_result as _impl

    _impl(engine, result, flat)

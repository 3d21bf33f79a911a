"""Credited quantities: methodologies as YAML, the crediting pipeline, and the trace.

``pacm.quantities.pipeline.credit_years`` is the shared pandas function (batch and single PDD);
``compute_for_result(engine, result)`` fills ``result.quantities`` for ``pacm check``. pandas is
imported only inside this package (never by ``pacm.cli`` at import time).
"""

from __future__ import annotations


def compute_for_result(engine, result) -> None:
    """Set ``result.quantities`` (or add a note when the PDD's methodology has no definition)."""
    from .compute import compute_for_result as _impl

    _impl(engine, result)

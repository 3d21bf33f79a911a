"""The verdict line and the issuable total of a checked PDD: the same words in every interface.

Why its own module: the Python API (:class:`pacm.api.CheckResult`), the reports (:mod:`pacm.report`),
the batch tables, ``pacm diff`` and the web service all show them; the reports sit below the API in
the layers (docs/architecture.md), so the one definition lives here, below both.
"""

from __future__ import annotations

from typing import Mapping


def verdict_of(summary: Mapping[str, int]) -> str:
    """One line a reader can act on, from the status counts (the same words in every interface)."""
    fail, missing, judge = summary.get("fail", 0), summary.get("insufficient_data", 0), summary.get("validator_judgement", 0)
    if fail:
        return f"fails {fail} requirement{'s' if fail != 1 else ''}"
    if missing:
        return f"no failing finding, but {missing} rule{'s' if missing != 1 else ''} cannot be decided from the PDD"
    return f"no failing finding; {judge} item{'s' if judge != 1 else ''} for the validator to confirm"


def verdict(result, lang: str = "en") -> str:
    """The verdict of an engine :class:`~pacm.engine.Result`, in ``lang``."""
    from .i18n import translate_verdict

    # a failing finding of severity 'info' informs (e.g. pre-2021 CERs and a first NDC) and does not
    # count against the PDD: the verdict agrees with the exit code and the issuance claim
    counts = dict(result.counts(), fail=len(result.failed))
    return translate_verdict(verdict_of(counts), counts, lang)


def issuable(result) -> int | None:
    """Total issuable A6.4ERs (whole units), or None when no quantities were computed."""
    q = result.quantities
    if q is None:
        return None
    total = (q.to_json().get("totals") or {}).get("issuable")
    return int(total) if total is not None else None

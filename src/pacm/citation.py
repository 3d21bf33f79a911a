"""How the rule pack cites a source: the ``reference:`` mapping of a rule, parameter, derived field or
methodology, checked and written out in one place.

Every number and every rule of the pack names the clause it comes from. A validator reads that citation
beside the standard, in a finding, an ``explain`` page and the crediting trace, so it must read the same
wherever it appears: "Decision 3/CMA.3, annex (RMP), para 33", not "paragraph 33" in one output and
"para 33" in another (issue 15: one meaning in one place).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from .errors import Collected, did_you_mean

#: The keys a ``reference:`` may hold (methodology references may also name an ``equation``).
REF_KEYS = frozenset({"document", "symbol", "version", "paragraph", "url", "note"})
METHODOLOGY_REF_KEYS = REF_KEYS | {"equation"}


def parse_reference(c: Collected, loc: str, ref: Any, keys: frozenset[str] = REF_KEYS,
                    key_loc: Callable[[str], str] | None = None) -> dict[str, str]:
    """Check a ``reference:`` mapping (a 'document' at least; known keys only, with a "did you mean") and
    return it as text. Problems are collected in ``c``; an unusable reference gives ``{}``. ``key_loc``
    names where an unknown key sits (default ``<loc>.<key>``)."""
    if not isinstance(ref, dict) or "document" not in ref:
        c.add("bad-reference", loc, "reference must be a mapping with at least 'document'",
              "keys " + ", ".join(sorted(keys)))
        return {}
    for k in ref:
        if k not in keys:
            c.add("unknown-key", key_loc(str(k)) if key_loc else f"{loc}.{k}", f"unknown key '{k}'",
                  hint=did_you_mean(str(k), sorted(keys)))
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in ref.items()}


def cite(ref: dict | None) -> str:
    """One line: document, symbol, version, paragraph, equation ("CDM ACM0002, v22.0, para 5, equation 7").
    ``url`` and ``note`` are details shown apart (they do not identify the clause)."""
    if not ref:
        return ""
    parts = [str(ref.get("document") or "")]
    if ref.get("symbol"):
        parts.append(str(ref["symbol"]))
    if ref.get("version"):
        v = str(ref["version"])
        parts.append(v if v.startswith("v") else f"v{v}")
    if ref.get("paragraph"):  # "para 33"; a paragraph given in words ("Step 0", "chapter VII (...)") as written
        p = str(ref["paragraph"])
        parts.append(f"para {p}" if p[:1].isdigit() else p)
    if ref.get("equation"):
        parts.append(f"equation {ref['equation']}")
    return ", ".join(p for p in parts if p)

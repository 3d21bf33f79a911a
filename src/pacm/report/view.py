"""What a report shows, computed once for every report format (HTML and Markdown).

Why a separate view: the HTML and Markdown reports must carry the same content (a validator
pastes one into a validation report and sends the other to the project developer), so both
templates render this one structure and neither decides anything on its own. It is built from
``result.to_json()`` (the documented contract: findings, summary, engine, quantities) plus a few
activity facts read from the validated PDD for the summary block.
"""

from __future__ import annotations

from collections import OrderedDict
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

STATUS_LABEL = {
    "fail": "fail",
    "insufficient_data": "insufficient data",
    "validator_judgement": "validator judgement",
    "pass": "pass",
    "not_applicable": "not applicable",
}

# Yearly quantity columns of the quantities JSON contract, in table order, with headings.
YEAR_COLUMNS = [
    ("days", "days"),
    ("baseline", "baseline"),
    ("baseline_adjusted", "baseline (adjusted down)"),
    ("project", "project"),
    ("leakage", "leakage"),
    ("reductions", "reductions"),
    ("buffer", "buffer"),
    ("sop_adaptation", "SOP adaptation"),
    ("omge", "OMGE"),
    ("issuable", "issuable"),
    ("issuable_authorised", "issuable, authorised"),
    ("issuable_mitigation_contribution", "issuable, MC"),
]


_LONG_DECIMAL = re.compile(r"(?<![\w.])(-?\d+)\.(\d{5,})(?![\d.])")


def display_numbers(text: Any) -> Any:
    """Numbers with more than four decimals rounded to four for reading (``0.2666666666666666666666666667``
    -> ``0.2667``); the JSON keeps every digit. Text only: rule ids and dates are left alone."""
    if not isinstance(text, str):
        return text

    def sub(m):
        d = Decimal(f"{m.group(1)}.{m.group(2)}").quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
        return format(d.normalize(), "f") if d != d.to_integral_value() else format(d.to_integral_value(), "f")

    return _LONG_DECIMAL.sub(sub, text)


def area_title(area: str) -> str:
    return area.replace("_", " ").capitalize()


def fmt_tonnes(v: Any) -> str:
    """Exact tonnes with thousands separators; keeps every digit the engine gave."""
    if v is None or v == "":
        return ""
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return str(v)
    if not d.is_finite():
        return str(v)
    text = format(d, "f")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}".replace(",", "\u202f")  # narrow no-break space: unambiguous in any locale
    return sign + whole + (f".{frac}" if frac else "")


def _activity_facts(result) -> list[tuple[str, str]]:
    """Label/value pairs for the activity summary (from the validated PDD)."""
    pdd = result.pdd
    a = pdd.activity
    cp = pdd.crediting_period
    facts = [
        ("Title", a.title),
        ("Reference", a.reference or "-"),
        ("Host Party", a.host_party),
        ("Type", a.type.replace("_", " ")),
        ("Technology", a.technology.replace("_", " ")),
        ("Scale", a.scale or "-"),
        ("Methodology", a.methodology.label()),
    ]
    if a.capacity_mw is not None:
        facts.append(("Capacity", f"{format(a.capacity_mw, 'f')} MW"))
    facts.append(
        (
            "Crediting period",
            f"{cp.type}, no. {cp.number}, {cp.length_years} years: {cp.start.isoformat()} to {cp.end.isoformat()}",
        )
    )
    if pdd.authorization is not None:
        facts.append(("Authorisation", pdd.authorization.status.replace("_", " ")))
    return facts


def build_view(result, trace: bool = True, lang: str = "en", show=None) -> dict:
    """The report content as plain data (strings, lists, dicts), in ``lang``, listing only the
    findings whose status is in ``show`` (all when None; the summary counts are always complete)."""
    from ..verdict import verdict
    from ..i18n import result_json, status_label, translator

    data = result_json(result, lang)
    findings = [dict(f, message=display_numbers(f["message"]), why_not=display_numbers(f["why_not"]))
                for f in data["findings"] if not show or f["status"] in show]
    areas: "OrderedDict[str, list]" = OrderedDict()
    for f in sorted(findings, key=lambda f: f["area"]):
        if f["kind"] == "automatic" and f["status"] != "not_applicable":
            areas.setdefault(f["area"], []).append(f)
    groups = [
        {
            "area": area,
            "title": area_title(area),
            "findings": fs,
            "counts": {s: sum(1 for f in fs if f["status"] == s) for s in STATUS_LABEL if any(f["status"] == s for f in fs)},
        }
        for area, fs in areas.items()
    ]
    checklist = [f for f in findings if f["kind"] == "validator_judgement" and f["status"] != "not_applicable"]
    not_applicable = [f for f in findings if f["status"] == "not_applicable"]
    unconfirmed = [
        f for f in findings if f["confidence"] != "confirmed" and f["status"] in ("pass", "fail")
    ]
    overrides = (data["engine"] or {}).get("parameter_overrides") or {}
    q = data.get("quantities")
    quantities = None
    if q is not None:
        years = q.get("years") or []
        present = [(k, h) for k, h in YEAR_COLUMNS if any(k in y for y in years) or k in (q.get("totals") or {})]
        if any(str(y.get("reversal", "0")) not in ("0", "0.0", "None") for y in years):
            # a removal year whose net change is negative: shown beside the reductions, never credited
            at = [k for k, _ in present].index("reductions") + 1 if any(k == "reductions" for k, _ in present) else len(present)
            present.insert(at, ("reversal", "reversal"))
        quantities = {
            "methodology": q.get("methodology") or {},
            "columns": present,
            "rows": [
                {"year": y.get("year"), "cells": [fmt_tonnes(y.get(k)) if k != "days" else str(y.get(k, "")) for k, _ in present]}
                for y in years
            ],
            "totals": [fmt_tonnes((q.get("totals") or {}).get(k)) if k != "days" else str((q.get("totals") or {}).get(k, "")) for k, _ in present],
            "notes": [str(n) for n in q.get("notes") or []],
            "trace": [trace_line(t) for t in q.get("trace") or []] if trace else [],
            "parameters": quantity_parameters(q),
            "issuance": q.get("issuance"),
            "raw": q,
        }
    return {
        "data": data,
        "pdd": data["pdd"],
        "engine": data["engine"],
        "as_of": data["as_of"],
        "summary": [(s, status_label(s, lang), n) for s, n in data["summary"].items()],
        "verdict": verdict(result, lang),
        "failed": any(f["status"] == "fail" and f.get("severity") != "info" for f in data["findings"]),
        "issuable": _issuable(q),
        "lang": lang,
        "t": translator(lang),
        "show": list(show or []),
        "activity": _activity_facts(result),
        "groups": groups,
        "checklist": checklist,
        "not_applicable": not_applicable,
        "unconfirmed": unconfirmed,
        "overrides": overrides,
        "quantities": quantities,
        "notes": [str(n) for n in data.get("notes") or []],
        "status_label": {k: status_label(k, lang) for k in STATUS_LABEL},
    }


def _issuable(q: dict | None) -> str | None:
    """Total issuable A6.4ERs with thousands separators, or None without quantities."""
    if not q:
        return None
    total = (q.get("totals") or {}).get("issuable")
    return None if total is None else fmt_tonnes(total)


def trace_line(t: Any) -> str:
    """One step of the quantities trace as a line of text, whatever shape the step has."""
    if isinstance(t, str):
        return t
    if isinstance(t, dict):
        if isinstance(t.get("text"), str):
            year = t.get("year")
            return (f"{year}: " if year is not None and str(year) not in t["text"][:12] else "") + t["text"]
        return "; ".join(f"{k}: {v}" for k, v in t.items())
    return str(t)


def quantity_parameters(q: dict) -> list[dict]:
    """Parameters the quantities rest on whose confidence is not 'confirmed' (from the trace)."""
    out, seen = [], set()
    for t in q.get("trace") or []:
        if isinstance(t, dict) and t.get("step") == "parameter" and t.get("confidence") not in (None, "confirmed"):
            key = (t.get("name"), str(t.get("value")))
            if key in seen:
                continue
            seen.add(key)
            out.append({
                "name": str(t.get("name")),
                "value": f"{t.get('value')} {t.get('unit') or ''}".strip(),
                "confidence": str(t.get("confidence")),
                "reference": str(t.get("reference") or ""),
            })
    return out


def _short(v: Any) -> str:
    """A methodology attribute as one line (lists of references joined; absolute paths made relative)."""
    if isinstance(v, list):
        return "; ".join(_short(x) for x in v)
    if isinstance(v, dict):
        main = " ".join(str(v[k]) for k in ("document", "id", "version") if v.get(k))
        return main or ", ".join(f"{k}: {x}" for k, x in v.items())
    text = str(v)
    if text.startswith("/"):
        import os

        try:
            rel = os.path.relpath(text)
            text = rel if not rel.startswith("..") else os.path.basename(text)
        except ValueError:
            text = os.path.basename(text)
    return text


def methodology_items(m: Any) -> list[tuple[str, str]]:
    if isinstance(m, dict):
        return [(str(k), _short(v)) for k, v in m.items() if v not in (None, "", [])]
    return [("methodology", str(m))]

"""``pacm diff A B``: what changed between two checks.

Three comparisons a developer or validator makes while a PDD evolves:

* two versions of a PDD on the same date: ``pacm diff v1.yaml v2.yaml --as-of 2026-11-01``;
* one PDD on two dates (rules and parameters in force change): ``pacm diff pdd.yaml --as-of 2025-06-01 --as-of 2026-11-01``;
* one PDD under two rule packs: ``pacm diff pdd.yaml --rules rules-old/ --rules rules/``.

The answer lists the findings whose status changed (and those whose message changed under the same
status, e.g. a failure with other numbers), rules present on one side only, and every credited
quantity that changed, year by year and in total, with the change in tonnes (exact, B - A) and in
per cent. Exit code like ``diff``: 0 no difference, 1 differences, 2 bad input. The command is
:mod:`pacm.cli.diff`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .engine import STATUS_ORDER

FORMATS = ("text", "json", "html", "markdown")


def _num(v: Any) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _pct(a: Decimal | None, b: Decimal | None) -> str | None:
    if a is None or b is None or a == 0:
        return None
    return format(((b - a) / abs(a) * 100).quantize(Decimal("0.01")), "f")


def _side(r) -> dict:
    d = r.to_dict()
    return {"source": d["pdd"]["source"], "title": d["pdd"]["title"], "as_of": d["as_of"],
            "rule_pack": d["engine"]["rule_pack"], "rule_pack_sha256": d["engine"]["rule_pack_sha256"],
            "verdict": r.verdict, "summary": d["summary"], "issuable": r.issuable}


def _quantity_changes(qa: dict | None, qb: dict | None) -> dict:
    ya = {y["year"]: y for y in (qa or {}).get("years") or []}
    yb = {y["year"]: y for y in (qb or {}).get("years") or []}
    years = []
    for year in sorted(set(ya) | set(yb)):
        a, b = ya.get(year, {}), yb.get(year, {})
        for col in [c for c in dict.fromkeys([*a, *b]) if c != "year"]:
            va, vb = _num(a.get(col)), _num(b.get(col))
            if va != vb:
                years.append({"year": year, "column": col, "a": _fmt(va), "b": _fmt(vb),
                              "change": _fmt(vb - va) if va is not None and vb is not None else None,
                              "change_pct": _pct(va, vb)})
    totals = []
    ta, tb = (qa or {}).get("totals") or {}, (qb or {}).get("totals") or {}
    for col in dict.fromkeys([*ta, *tb]):
        va, vb = _num(ta.get(col)), _num(tb.get(col))
        if va != vb:
            totals.append({"column": col, "a": _fmt(va), "b": _fmt(vb),
                           "change": _fmt(vb - va) if va is not None and vb is not None else None,
                           "change_pct": _pct(va, vb)})
    return {"a_has_quantities": qa is not None, "b_has_quantities": qb is not None, "totals": totals, "years": years}


def _fmt(d: Decimal | None) -> str | None:
    if d is None:
        return None
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))


def diff_results(a, b) -> dict:
    """The differences between two :class:`pacm.api.CheckResult` (B relative to A) as plain data."""
    fa = {f["rule"]: f for f in a.to_dict()["findings"]}
    fb = {f["rule"]: f for f in b.to_dict()["findings"]}
    changed, reworded = [], []
    for rule in [r for r in fa if r in fb]:
        x, y = fa[rule], fb[rule]
        item = {"rule": rule, "title": y["title"], "a": x["status"], "b": y["status"],
                "message_a": x["message"], "message_b": y["message"]}
        if x["status"] != y["status"]:
            changed.append(item)
        elif x["message"] != y["message"] and x["status"] != "not_applicable":
            reworded.append(item)
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    changed.sort(key=lambda c: (min(order[c["a"]], order[c["b"]]), c["rule"]))
    only = lambda src, other: [{"rule": r, "title": f["title"], "status": f["status"]}  # noqa: E731
                               for r, f in src.items() if r not in other]
    q = _quantity_changes(a.to_dict()["quantities"], b.to_dict()["quantities"])
    out = {
        "a": _side(a), "b": _side(b),
        "status_changed": changed, "message_changed": reworded,
        "only_in_a": only(fa, fb), "only_in_b": only(fb, fa),
        "quantities": q,
    }
    out["identical"] = not (changed or reworded or out["only_in_a"] or out["only_in_b"] or q["totals"] or q["years"]
                            or q["a_has_quantities"] != q["b_has_quantities"])
    return out


def render_text(d: dict) -> str:
    from .report.view import display_numbers

    a, b = d["a"], d["b"]
    lines = [f"A: {a['source']} as of {a['as_of']}, rule pack {a['rule_pack']} ({a['rule_pack_sha256'][:12]}): {a['verdict']}",
             f"B: {b['source']} as of {b['as_of']}, rule pack {b['rule_pack']} ({b['rule_pack_sha256'][:12]}): {b['verdict']}"]
    if d["identical"]:
        return "\n".join(lines + ["", "No difference: the same findings and the same quantities."]) + "\n"
    lines += ["", "Counts: " + ", ".join(f"{s} {a['summary'][s]} -> {b['summary'][s]}" for s in STATUS_ORDER
                                         if a["summary"][s] != b["summary"][s]) or "Counts: unchanged"]
    if d["status_changed"]:
        lines += ["", f"Findings that changed status ({len(d['status_changed'])})"]
        for c in d["status_changed"]:
            lines.append(f"  {c['rule']}: {c['a']} -> {c['b']}")
            lines.append(f"      B: {display_numbers(' '.join(c['message_b'].split()))}")
    if d["message_changed"]:
        lines += ["", f"Same status, different message ({len(d['message_changed'])})"]
        for c in d["message_changed"]:
            lines += [f"  {c['rule']} ({c['b']})", f"      A: {display_numbers(c['message_a'])}", f"      B: {display_numbers(c['message_b'])}"]
    for key, head in (("only_in_a", "Rules only in A"), ("only_in_b", "Rules only in B")):
        if d[key]:
            lines += ["", f"{head} ({len(d[key])}): " + ", ".join(f"{x['rule']} ({x['status']})" for x in d[key])]
    q = d["quantities"]
    if q["a_has_quantities"] != q["b_has_quantities"]:
        lines += ["", f"Quantities computed: A {'yes' if q['a_has_quantities'] else 'no'}, B {'yes' if q['b_has_quantities'] else 'no'}"]
    if q["totals"]:
        lines += ["", "Credited quantities, totals (B - A)"]
        for t in q["totals"]:
            pct = f" ({'+' if not t['change_pct'].startswith('-') else ''}{t['change_pct']} %)" if t["change_pct"] else ""
            lines.append(f"  {t['column']:<36} {t['a'] or '-':>14} -> {t['b'] or '-':>14}  change {t['change'] or '-'}{pct}")
    if q["years"]:
        lines += ["", f"Year by year ({len(q['years'])} changed values)"]
        for y in q["years"]:
            lines.append(f"  {y['year']} {y['column']:<33} {y['a'] or '-':>14} -> {y['b'] or '-':>14}  change {y['change'] or '-'}")
    return "\n".join(lines) + "\n"


def render_html(d: dict) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("pacm.report", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True)
    from .report.view import display_numbers

    env.filters["num"] = display_numbers
    return env.get_template("diff.html.j2").render(d=d, statuses=STATUS_ORDER)


def render_markdown(d: dict) -> str:
    """The text form in a fenced block (tables of changes keep their alignment when pasted)."""
    return "```text\n" + render_text(d).replace("`", "'") + "```\n"

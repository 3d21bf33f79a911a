"""One entry point for every report format, shared by ``pacm check``, the Python API and ``pacm serve``.

Options every format honours: ``lang`` (rule titles/messages and headings), ``show`` (list only
findings with these statuses; the counts stay complete, so a filtered report never hides that
something else exists) and ``summary`` (one screen: verdict, counts, failing rules, issuable units).
JSON stays the documented contract: ``show`` filters its ``findings`` list and records ``"shown"``.
"""

from __future__ import annotations

import json
from typing import Iterable, Optional


def _filter_json(data: dict, show: Optional[Iterable[str]]) -> dict:
    if not show:
        return data
    keep = set(show)
    out = dict(data)
    out["findings"] = [f for f in data["findings"] if f["status"] in keep]
    out["shown"] = sorted(keep)
    return out


def summary_data(result, lang: str = "en") -> dict:
    from ..i18n import result_json
    from ..verdict import issuable, verdict

    data = result_json(result, lang)
    return {
        "pdd": data["pdd"], "as_of": data["as_of"], "verdict": verdict(result, lang), "summary": data["summary"],
        "issuable": issuable(result),
        # a failing finding of severity 'info' informs and does not count against the PDD (engine.Result.failed)
        "failing": [{"rule": f["rule"], "title": f["title"], "message": f["message"]}
                    for f in data["findings"] if f["status"] == "fail" and f.get("severity") != "info"],
        "informative": [{"rule": f["rule"], "title": f["title"], "message": f["message"]}
                        for f in data["findings"] if f["status"] == "fail" and f.get("severity") == "info"],
        "insufficient_data": [{"rule": f["rule"], "title": f["title"], "message": f["message"]}
                              for f in data["findings"] if f["status"] == "insufficient_data"],
    }


def render(result, fmt: str, trace: bool = False, lang: str = "en", show=None, summary: bool = False,
           color: bool = False) -> str:
    if summary:
        from .text import render_summary

        if fmt == "json":
            return json.dumps(summary_data(result, lang), indent=2, ensure_ascii=False) + "\n"
        text = render_summary(summary_data(result, lang), lang=lang, markdown=fmt == "markdown")
        if fmt == "html":  # the same screen as a page (escaped; no script, nothing fetched)
            import html

            return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                    f"<title>{html.escape(result.pdd.activity.title)}</title></head>"
                    f"<body><pre>{html.escape(text)}</pre></body></html>\n")
        return text
    if fmt == "json":
        from ..i18n import result_json

        data = result_json(result, lang)
        return json.dumps(_filter_json(data, show), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(result, trace=trace, lang=lang, show=show)
    if fmt == "html":
        from .html import render_html

        return render_html(result, lang=lang, show=show)
    from .text import render_text

    return render_text(result, trace=trace, color=color, lang=lang, show=show)

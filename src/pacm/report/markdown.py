"""Markdown report, for pasting into a validation report: the same sections as the HTML report
(both render :func:`pacm.report.view.build_view`), as GitHub-flavoured Markdown tables.

Text from the PDD or the rule pack is put on one line with :func:`pacm.outsafe.md_text`: ``|``
escaped (it would split a table cell), links, images and code spans escaped, HTML as entities
(a pasted report must not carry live HTML or ``javascript:`` links).
"""

from __future__ import annotations

from functools import lru_cache

from ..outsafe import md_text
from .view import build_view, methodology_items


def md_cell(s) -> str:
    """Text on one line with Markdown markup and HTML neutralised (:func:`pacm.outsafe.md_text`)."""
    return md_text(s)


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("pacm.report", "templates"),
        autoescape=False,  # Markdown, not HTML: text is escaped by the md filter instead
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_cell
    env.globals["methodology_items"] = methodology_items
    return env


def render_markdown(result, trace: bool = False) -> str:
    text = _env().get_template("report.md.j2").render(v=build_view(result, trace=trace))
    # collapse runs of blank lines left by optional sections
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"

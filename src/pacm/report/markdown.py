"""Markdown report, for pasting into a validation report: the same sections as the HTML report
(both render :func:`pacm.report.view.build_view`).

Written to paste cleanly into Word (or convert with pandoc): findings are headed paragraphs and
lists, not table cells joined with ``<br>``; no HTML entities; a clause already in quotes is not
quoted again. Text from the PDD or the rule pack is put on one line with :func:`pacm.outsafe.md_text`:
``|`` escaped (it would split a table cell), links, images, code spans and HTML backslash-escaped (a
pasted report must not carry live HTML or ``javascript:`` links).
"""

from __future__ import annotations

from functools import lru_cache

from ..outsafe import md_text, term_text
from .view import build_view, methodology_items


def md_cell(s) -> str:
    """Text on one line with Markdown markup and HTML neutralised (:func:`pacm.outsafe.md_text`)."""
    return md_text(s)


def md_code(s) -> str:
    """Text for inside a code span: one line, no backquote (it would end the span); Markdown does
    not interpret anything else there, so ``<`` and ``>`` stay as they are."""
    return " ".join(term_text(s, None).split()).replace("`", "'")


def quoted(s) -> str:
    """The text in quotation marks, unless it already is quoted (no doubled quotes)."""
    text = md_cell(s)
    if '"' in text or "\u201c" in text:  # already quotes the standard (in whole or in part)
        return text
    return f'"{text}"'


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
    env.filters["quoted"] = quoted
    env.filters["mdcode"] = md_code
    env.globals["methodology_items"] = methodology_items
    return env


def render_markdown(result, trace: bool = False, lang: str = "en", show=None) -> str:
    text = _env().get_template("report.md.j2").render(v=build_view(result, trace=trace, lang=lang, show=show))
    # collapse runs of blank lines left by optional sections
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"

"""User text made safe for each output pacm writes: terminal, Markdown, CSV/XLSX cells.

Why one module: the same title or reference from a PDD or the UNFCCC export reaches the
terminal report, stderr messages, ``summary.md``, the Markdown report and ``activities.csv``.
Each output has its own hazard, and the rule for each lives here once:

* **terminal and stderr** (:func:`term_text`): control characters (ESC sequences clear the
  screen or forge lines, CR overwrites a line), C1 controls, bidi overrides and lone surrogates
  are shown as visible escapes (``\\x1b``, ``\\u202e``); line breaks become ``\\n`` so one
  message stays one line. Text is cut to a bounded length.
* **Markdown** (:func:`md_text`): HTML (``<img onerror>``), images, links (``javascript:``),
  emphasis, code spans and table pipes are backslash-escaped, so pasted user text is shown
  literally and never rendered as markup.
* **CSV and XLSX cells** (:func:`csv_cell`): a text starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return gets a leading ``'`` (OWASP "CSV Injection" guidance), so a
  spreadsheet shows it as text instead of running it as a formula (``=HYPERLINK(...)``,
  ``=cmd|...``).
"""

from __future__ import annotations

import re

#: Characters shown as escapes on a terminal: C0 (tab and line feed included: one message is one
#: line), DEL, C1, bidi controls, line/paragraph separators and lone surrogates.
_TERM_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Longest user text put in one message or report cell on a terminal.
MAX_TERM = 300


def _escape(m: re.Match) -> str:
    ch = m.group()
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def term_text(s: object, limit: int | None = MAX_TERM) -> str:
    """``s`` with every unsafe character shown as an escape, cut to ``limit`` characters."""
    text = _TERM_UNSAFE.sub(_escape, str(s))
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"... ({len(text) - limit:,} more characters)"
    return text


#: Markdown punctuation that starts inline markup pacm must not pass through: code spans, links
#: and images (``[``, ``]``), emphasis with ``*``, strike-through, table pipes, and the backslash
#: itself; and ``<``, ``>``, ``&`` (no raw HTML, no ``<http://...>`` autolink, no entity): all escaped
#: with a backslash (CommonMark section 2.4), which renders as the character itself and pastes into Word
#: as it reads (entities such as ``&lt;`` did not: issue 13). ``_`` inside words is not emphasis in
#: GitHub-flavoured Markdown and is left alone, so field names stay readable.
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~<>&])")


def md_text(s: object) -> str:
    """User text for a Markdown table cell or line: one line, markup and HTML backslash-escaped."""
    text = term_text(" ".join(str(s).split()), None)  # line breaks fold to spaces; other controls shown escaped
    return _MD_SPECIAL.sub(r"\\\1", text)


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(s: str) -> str:
    """A text cell for CSV or XLSX: prefixed with ``'`` when it could be read as a formula."""
    if isinstance(s, str) and s.startswith(FORMULA_START):
        return "'" + s
    return s

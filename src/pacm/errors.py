"""Errors pacm shows to people, each with a stable code.

Every error a user can cause (a bad PDD, a bad rule file, a bad parameter override) is a
:class:`PacmInputError`. It names the file, the location inside it (a dotted path or a
sheet/cell), what was found and what was expected, so the message can be acted on without
reading a traceback. The CLI turns it into exit code 2 and one message on stderr.

Codes are kebab-case and stable (pydantic's convention): tests and scripts may match on them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .outsafe import term_text


@dataclass
class Problem:
    """One thing wrong with an input."""

    code: str
    loc: str
    message: str
    expected: str | None = None
    hint: str | None = None

    def render(self) -> str:
        """One line: user text inside ``loc`` and ``message`` is escaped and cut (:func:`pacm.outsafe.term_text`)."""
        loc, message = term_text(self.loc, 160), term_text(self.message)
        text = f"{loc}: {message}" if loc else message
        if self.expected:
            text += f" (expected {term_text(self.expected)})"
        if self.hint:
            text += f"; {term_text(self.hint, 200)}"
        return f"{text} [{self.code}]"


class PacmInputError(Exception):
    """Bad input: a file a user gave pacm is not what it must be (exit code 2)."""

    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        super().__init__(self.render())

    @classmethod
    def single(
        cls,
        source: str,
        code: str,
        message: str,
        loc: str = "",
        expected: str | None = None,
        hint: str | None = None,
    ) -> "PacmInputError":
        return cls(source, [Problem(code, loc, message, expected, hint)])

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "invalid-input"

    #: Problems spelt out in a message; the rest are counted.
    SHOWN = 20

    def render(self) -> str:
        """``FILE: WHERE: MESSAGE (expected ...); HINT [code]``, or a header and one line per problem."""
        source = term_text(self.source, 200)
        if len(self.problems) == 1:
            return f"{source}: {self.problems[0].render()}"
        real = [p for p in self.problems if p.code != "more-problems"]
        more = len(real) < len(self.problems)  # the loader already cut the list
        shown = real[: self.SHOWN]
        lines = [f"{source}: {'more than ' if more else ''}{len(real)} problems"]
        lines += [f"  - {p.render()}" for p in shown]
        lines += [f"  - {p.render()}" for p in self.problems if p.code == "more-problems"]
        if len(real) > len(shown):
            lines.append(f"  - ... and {len(real) - len(shown):,} more not shown [more-problems]")
        return "\n".join(lines)


class RulePackError(PacmInputError):
    """A rule, parameter or methodology file is wrong (a load error names file and rule)."""


def fail_input(msg: str, expected: str | None = None, hint: str | None = None) -> None:
    """Refuse a bad command-line or API argument (code ``bad-usage``, exit 2)."""
    raise PacmInputError.single("command line", "bad-usage", msg, expected=expected, hint=hint)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for an unknown key, or None when nothing is close."""
    cands = sorted(set(candidates))
    close = difflib.get_close_matches(word, cands, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return None


@dataclass
class Collected:
    """Accumulates problems so a loader can report all of them at once."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, loc: str, message: str, expected: str | None = None, hint: str | None = None):
        self.problems.append(Problem(code, loc, message, expected, hint))

    def unknown_keys(self, data: Iterable, allowed: Iterable[str], loc: str = "") -> None:
        """An ``unknown-key`` problem, with a "did you mean", for every key of ``data`` not in ``allowed``."""
        allowed = list(allowed)
        for k in data:
            if k not in allowed:
                self.add("unknown-key", f"{loc}.{k}" if loc else str(k), f"unknown key '{k}'",
                         hint=did_you_mean(str(k), allowed))

    def raise_if_any(self, cls: type[PacmInputError] = PacmInputError) -> None:
        if self.problems:
            raise cls(self.source, self.problems)

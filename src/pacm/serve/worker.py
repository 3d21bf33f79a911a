"""The check itself, run in a worker process of ``pacm serve``.

Why a separate process per check slot: the service promises a time limit. A thread cannot be
stopped, a process can; when a check overruns, the server terminates the worker pool and answers
with a problem (see :mod:`pacm.serve.app`). The worker receives the uploaded bytes (never a path
chosen by the client), writes them to a private temporary folder under a fixed name with the
right extension, and reads them with the same loader as ``pacm check`` so every limit and message
is the CLI's. Messages name the uploaded file, not the temporary path.
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any

from ..errors import PacmInputError

SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
_SAFE = re.compile(r"[^A-Za-z0-9._\- ]+")


def display_name(filename: str | None) -> str:
    """The uploaded file's base name, reduced to plain characters (it appears in messages)."""
    base = os.path.basename((filename or "").replace("\\", "/")) or "upload.yaml"
    return (_SAFE.sub("_", base)[:100]) or "upload.yaml"


def suffix_of(name: str) -> str | None:
    low = name.lower()
    for s in SUFFIXES:
        if low.endswith(s):
            return s
    return None


def problem_of(exc: PacmInputError, tmp_path: str, shown: str) -> dict:
    """The error as plain data, with the temporary path replaced by the uploaded name."""

    def fix(s: str | None) -> str | None:
        return s.replace(tmp_path, shown) if isinstance(s, str) else s

    source = fix(exc.source)
    problems = [{"code": p.code, "loc": p.loc, "message": fix(p.message), "expected": fix(p.expected),
                 "hint": fix(p.hint)} for p in exc.problems]
    exc.source = source
    for p in exc.problems:
        p.message, p.expected, p.hint = fix(p.message), fix(p.expected), fix(p.hint)
    return {"code": exc.code, "source": source, "detail": exc.render(), "errors": problems}


def warm() -> None:
    """Pool initializer: load the bundled rule pack once per worker."""
    from ..api import engine_for

    engine_for()


def run_check(data: bytes, filename: str, as_of: str | None, params: dict[str, str], lang: str,
              formats: tuple[str, ...]) -> dict[str, Any]:
    """Check one uploaded PDD; returns {'ok': True, renderings...} or {'ok': False, 'problem': ...}."""
    from .. import api

    shown = display_name(filename)
    suffix = suffix_of(shown)
    if suffix is None:
        return {"ok": False, "problem": {
            "code": "unsupported-file-type", "source": shown,
            "detail": f"{shown}: the file type is not one pacm reads (expected a .yaml, .yml, .json or .xlsx PDD) [unsupported-file-type]",
            "errors": [{"code": "unsupported-file-type", "loc": "", "message": "the file type is not one pacm reads",
                        "expected": "a .yaml, .yml, .json or .xlsx PDD", "hint": None}]}}
    with tempfile.TemporaryDirectory(prefix="pacm-serve-") as folder:
        path = os.path.join(folder, "upload" + suffix)
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            r = api.check(path, as_of=as_of, params=params or None, source=shown, lang=lang)
            out: dict[str, Any] = {"ok": True, "json": r.to_dict(), "verdict": r.verdict, "issuable": r.issuable,
                                   "exit_code": r.exit_code}
            if "html" in formats:
                out["html"] = r.to_html()
            if "markdown" in formats:
                out["markdown"] = r.to_markdown()
            if "xlsx" in formats:
                out["xlsx"] = r.to_xlsx()
            return out
        except PacmInputError as exc:
            return {"ok": False, "problem": problem_of(exc, path, shown)}

"""The error-code registry (src/pacm/error_codes.py) is the closed list of codes pacm raises.

The source is read (not run): every code passed to a problem-building call must be registered, every
registered code must be raised somewhere, meanings are distinct (not even near-identical), a code merged
into another (``replaces``) is raised and expected nowhere again, and docs/error-codes.md is current.
A new code added without an entry, or an entry whose code was renamed away, fails here.
"""

from __future__ import annotations

import ast
import difflib
import itertools
import re
from pathlib import Path

from pacm.error_codes import CODES, GROUPS, REPLACED, docs_markdown

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "pacm"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: call name -> index of the positional argument holding the code.
#: ``X.add`` is Collected.add / the workbook reader's add; a bare ``add(...)`` is the trace, not an error.
#: ``OutOfBounds`` carries the code of a load-time bound (pacm.limits) to the loader that reports it.
#: ``problem`` is the web service's RFC 9457 answer (status, code, ...).
_CODE_ARG = {"single": 1, "wrong": 0, "Problem": 0, "_LoadProblem": 0, "add": 0, "_refuse": 0, "OutOfBounds": 0, "problem": 1}


def raised_codes() -> dict[str, list[str]]:
    """code -> ["file:line", ...] for every constant code passed to a problem-building call."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "error_codes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # a helper that returns (code, found, expected) for its caller to raise (the workbook's cell checks)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 3:
                first = node.value.elts[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and "-" in first.value \
                        and KEBAB.match(first.value):
                    found.setdefault(first.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
            # the web service's answers ({"code": "check-timeout", ...}) and the batch table's rows ("error_code")
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    if isinstance(k, ast.Constant) and k.value in ("code", "error_code") and isinstance(v, ast.Constant) \
                            and isinstance(v.value, str) and KEBAB.match(v.value):
                        found.setdefault(v.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
            # a code chosen by condition (``PacmInputError.code``'s fallback, the web service's 404/405 map)
            if isinstance(node, ast.IfExp) and isinstance(node.orelse, ast.Constant) and isinstance(node.orelse.value, str) \
                    and "-" in node.orelse.value and KEBAB.match(node.orelse.value):
                found.setdefault(node.orelse.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                    and isinstance(node.func.value, ast.Dict):
                for v in [*node.func.value.values, *node.args[1:]]:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str) and "-" in v.value and KEBAB.match(v.value):
                        found.setdefault(v.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                name = func.attr
            elif isinstance(func, ast.Name) and func.id != "add":
                name = func.id
            else:
                continue
            idx = _CODE_ARG.get(name)
            if idx is None or len(node.args) <= idx:
                continue
            arg = node.args[idx]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and KEBAB.match(arg.value):
                found.setdefault(arg.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_raised_code_is_registered():
    unregistered = {c: where for c, where in raised_codes().items() if c not in CODES}
    assert not unregistered, "codes raised but not in src/pacm/error_codes.py:\n" + "\n".join(
        f"  {c}: {', '.join(w[:3])}" for c, w in sorted(unregistered.items())
    )


def test_every_registered_code_is_raised():
    raised = raised_codes()
    dead = sorted(c for c in CODES if c not in raised)
    assert not dead, f"registered but never raised (remove, or the code was renamed): {dead}"


def test_codes_are_kebab_case_with_known_groups_and_distinct_meanings():
    meanings: dict[str, str] = {}
    for code, entry in CODES.items():
        assert KEBAB.match(code), code
        assert entry.group in GROUPS, (code, entry.group)
        assert entry.meaning.endswith("."), code
        key = " ".join(entry.meaning.lower().split())
        assert key not in meanings, f"{code} and {meanings[key]} have the same meaning"
        meanings[key] = code


def test_docs_page_is_current():
    page = ROOT / "docs" / "error-codes.md"
    assert page.read_text(encoding="utf-8") == docs_markdown(), "docs/error-codes.md is stale: run `make error-doc`"


#: Pairs whose meanings read alike but name different things (checked by hand), with why.
DISTINCT = {
    frozenset({"bad-type", "unknown-check"}): "a column's type (decimal, date...) vs a column's check (iso3...)",
}
#: Two meanings this similar (difflib ratio of their words) are taken for one meaning written twice.
NEAR = 0.85


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_no_two_codes_have_near_identical_meanings():
    """Issue 15: 'no two codes mean the same thing'. The merged pairs (file-too-large/too-large,
    file-not-found/no-such-file...) read at 0.6-0.9 before the merge; any pair this close now is either
    merged (the old code into ``replaces``) or listed in DISTINCT with what tells them apart."""
    close = []
    for a, b in itertools.combinations(CODES.values(), 2):
        ratio = difflib.SequenceMatcher(None, _words(a.meaning), _words(b.meaning)).ratio()
        if ratio >= NEAR and frozenset({a.code, b.code}) not in DISTINCT:
            close.append(f"{a.code} / {b.code} ({ratio:.2f})")
    assert not close, "near-identical meanings: merge them (replaces=...) or list the pair in DISTINCT:\n  " + \
        "\n  ".join(close)
    assert all(len(pair) == 2 and pair <= set(CODES) for pair in DISTINCT), "DISTINCT names an unknown code"


def test_replaced_codes_are_gone():
    """A code merged into another is not registered, not raised, and no test or page expects it
    (docs/error-codes.md names it once, as 'formerly', so that scripts matching it can be updated)."""
    assert REPLACED, "the merges of issue 15 are recorded"
    raised = raised_codes()
    for old, new in REPLACED.items():
        assert old not in CODES, f"{old} is replaced by {new} but still registered"
        assert old not in raised, f"{old} (replaced by {new}) is still raised at {raised.get(old)}"
    old = "|".join(map(re.escape, REPLACED))
    quoted = re.compile(rf"""["'`\[]({old})["'`\]]|\bcode: ({old})\b(?!-)""")
    stale = []
    for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "tests").rglob("*.yaml"), *(ROOT / "docs").rglob("*.md")]:
        if path.name in ("error-codes.md", "test_error_codes.py"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        stale += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in quoted.finditer(text)]
    assert not stale, "old codes still expected:\n  " + "\n  ".join(stale)

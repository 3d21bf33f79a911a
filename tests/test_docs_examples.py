"""The documentation's notebook session runs: every ``>>>`` line of docs/python-api.md is executed
and its shown output compared (doctest), so the page cannot drift from what pacm does. The numbers
it shows are the hand-worked figures of the wind example (2026 row) and the landfill PDD's own
IRR and common-practice figures."""

from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_python_api_page_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = doctest.testfile(str(ROOT / "docs" / "python-api.md"), module_relative=False,
                           optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert res.attempted >= 15  # the page's examples were found and run
    assert res.failed == 0

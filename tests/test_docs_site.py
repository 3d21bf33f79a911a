"""The documentation site builds strictly (any broken link, anchor or nav entry fails), has a page
per command, and the README stays the short front door with the two commands at the top."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: Pages other engineers write in parallel (issue 13's brief): the lead adds them to the nav on merge.
PENDING: set[str] = set()


def _nav_files() -> set[str]:
    import yaml

    out: set[str] = set()

    def walk(node):
        if isinstance(node, str):
            out.add(node)
        elif isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            for x in node.values():
                walk(x)

    class Loader(yaml.SafeLoader):
        """Safe loading, with mkdocs' ``!!python/name:`` tags (the Mermaid fence's formatter) kept as text."""

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    walk(yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"])
    return out


def test_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs extras are not installed (pip install 'pacm[docs]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed (pip install 'pacm[docs]')")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    for page in ("commands/check", "commands/serve", "commands/diff", "python-api", "pdd-format", "rule-language",
                 "evaluators", "benchmarks", "japanese"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    nav = _nav_files()
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert sorted(nav - pages) == []
    assert sorted(pages - nav - PENDING) == []


def test_a_page_per_command():
    from pacm.cli import _register_optional, app

    _register_optional()
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert names == {"check", "rules", "explain", "schema", "coverage", "transition", "template", "serve", "diff",
                     "methodologies", "sweep"}
    for name in names:
        assert (DOCS / "commands" / f"{name}.md").is_file(), name
        assert f"commands/{name}.md" in _nav_files(), name


def test_methodology_inputs_table_is_current():
    from pacm.report.methodology_doc import methodology_inputs_markdown

    assert methodology_inputs_markdown() in (DOCS / "pdd-format.md").read_text(encoding="utf-8"), (
        "docs/pdd-format.md is stale: regenerate its 'Each methodology's inputs' section")


def test_readme_is_the_front_door():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) < 200
    block = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert block == [
        "make demo   # creates .venv, installs pacm, checks examples/wind_farm_india.yaml and prints the report",
        "make test   # creates .venv, installs pacm with its test extras, runs the whole test suite (pytest)",
    ]
    assert lines.index("```sh") < 5  # the two commands open the README
    for target in ("make serve", "docs/", "mkdocs"):
        assert target in text

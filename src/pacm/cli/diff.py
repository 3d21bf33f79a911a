"""``pacm diff A B``: compare two checks (two PDD versions, one PDD on two dates, or under two rule
packs). The comparison and its renderings live in :mod:`pacm.diff`; this module is only the command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..diff import FORMATS, diff_results, render_html, render_markdown, render_text


def register(app: typer.Typer) -> None:
    from . import PARAM_OPT, PARAMS_OPT, _choice, fail_input, parse_date, write_atomic

    @app.command()
    def diff(
        a: Path = typer.Argument(..., help="PDD A (YAML, JSON or .xlsx)."),
        b: Optional[Path] = typer.Argument(None, help="PDD B (default: A again, to compare dates or rule packs).", show_default=False),
        as_of: List[str] = typer.Option([], "--as-of", help="Date for both, or give it twice: A's date then B's.", show_default=False),
        rules: List[Path] = typer.Option([], "--rules", help="Rule pack folder for both, or twice: A's then B's.", show_default=False),
        format: str = typer.Option("text", "--format", "-f", help="text | json | html | markdown"),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here (atomically) instead of stdout.", show_default=False),
        lang: str = typer.Option("en", "--lang", help="Language of rule titles and messages: en | ja."),
        param: List[str] = PARAM_OPT,
        params: Optional[Path] = PARAMS_OPT,
    ):
        """Compare two checks: two PDD versions, one PDD on two dates, or under two rule packs."""
        from .. import api
        from ..i18n import check_lang

        _choice("--format", format, FORMATS)
        check_lang(lang)
        if len(as_of) > 2:
            fail_input("--as-of is given more than twice", "one date for both, or two: A's then B's")
        if len(rules) > 2:
            fail_input("--rules is given more than twice", "one folder for both, or two: A's then B's")
        days = [parse_date(x) for x in as_of] or [parse_date(None)]
        packs = list(rules) or [None]
        day_a, day_b = days[0], days[-1]
        rules_a, rules_b = packs[0], packs[-1]
        b_path = b or a
        if b is None and len(days) == 1 and len(packs) == 1:
            fail_input("nothing to compare: give a second PDD, two --as-of dates or two --rules folders",
                       "pacm diff A B, or pacm diff A --as-of D1 --as-of D2")
        overrides = _overrides(param, params)
        ra = api.check(a, as_of=day_a, params=overrides, rules=rules_a, lang=lang)
        rb = api.check(b_path, as_of=day_b, params=overrides, rules=rules_b, lang=lang)
        d = diff_results(ra, rb)
        if format == "json":
            text = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
        elif format == "html":
            text = render_html(d)
        elif format == "markdown":
            text = render_markdown(d)
        else:
            text = render_text(d)
        if out is not None:
            write_atomic(str(out), text)
        else:
            sys.stdout.write(text)
        raise typer.Exit(0 if d["identical"] else 1)


def _overrides(param: list[str], params: Path | None) -> dict:
    """``--param``/``--params`` as a mapping (checked against the pack when the engine applies them)."""
    from ..errors import fail_input

    out: dict = {}
    if params is not None:
        from ..safeyaml import expect_mapping, load_file

        out.update(expect_mapping(load_file(params), "a mapping of parameter names to values (name: value)"))
    for item in param or []:
        if "=" not in item or not item.split("=", 1)[0].strip():
            fail_input(f"--param {item!r} is not NAME=VALUE", "NAME=VALUE, e.g. --param crediting_period.er_renewable_max_years=5")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out

"""The ``pacm`` command line.

Exit codes: 0 no failing finding; 1 at least one failing finding; 2 bad input or usage (one
clear message on stderr, never a traceback, never a partial output file); 3 internal error.

Heavy libraries (pandas, openpyxl, matplotlib) are imported inside the commands that need them,
so ``pacm check`` on a YAML PDD starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

import typer

from .errors import PacmInputError
from .outsafe import term_text

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="pacm: check Article 6.4 (PACM) project design documents against the Supervisory Body standards.",
    pretty_exceptions_enable=False,
)

FORMATS = ("text", "json", "markdown", "html")


def fail_input(msg: str, expected: str | None = None, hint: str | None = None) -> None:
    raise PacmInputError.single("command line", "bad-usage", msg, expected=expected, hint=hint)


def _choice(option: str, value: str, choices) -> None:
    """Refuse a value outside ``choices`` with the list and a 'did you mean'."""
    if value not in choices:
        from .errors import did_you_mean

        hint = f"did you mean '{value.lower()}'?" if value.lower() in choices else did_you_mean(value, choices)
        fail_input(f"{option} {value!r} is not allowed", "one of " + ", ".join(choices), hint)


def parse_date(value: Optional[str], what: str = "--as-of") -> dt.date:
    """A calendar date written YYYY-MM-DD (the form PDD files use); anything else is exit 2."""
    if value is None:
        return dt.date.today()
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise PacmInputError.single(
            "command line", "bad-date", f"{what} {value!r} is not a date", expected="a date YYYY-MM-DD, e.g. 2026-11-01"
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise PacmInputError.single(
            "command line", "impossible-date", f"{what} {value!r} is not a real date ({exc})", expected="a calendar date YYYY-MM-DD"
        )


#: Longest file name accepted for ``--out`` (bytes): the temporary file adds a prefix and a suffix
#: to it, and most file systems stop at 255.
MAX_OUT_NAME = 200


def check_out(path: str, inputs: Sequence[str | os.PathLike] = ()) -> None:
    """Refuse an ``--out`` that cannot be a report: a missing folder, a directory, a device, FIFO or
    socket (replacing it with a regular file would destroy it), one of the input files, or a name
    too long for the file system. Called before any work, and again just before writing."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise PacmInputError.single(
            str(path), "no-such-folder", f"folder {folder} does not exist", expected="--out in an existing folder"
        )
    if len(target.name.encode("utf-8", "surrogateescape")) > MAX_OUT_NAME:
        raise PacmInputError.single(
            str(path), "cannot-write", f"the file name is too long ({len(target.name):,} characters)",
            expected=f"a file name of at most {MAX_OUT_NAME} bytes",
        )
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PacmInputError.single(str(path), "cannot-write", f"cannot write: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise PacmInputError.single(str(path), "is-a-directory", "--out is a directory", expected="a file name")
    if not stat.S_ISREG(st.st_mode):
        raise PacmInputError.single(
            str(path), "not-a-regular-file", "--out is a device, FIFO or socket", expected="the name of a regular file"
        )
    for inp in inputs:
        try:
            same = os.path.samefile(target, inp)
        except OSError:
            same = False
        if same:
            raise PacmInputError.single(
                str(path), "out-is-input", "--out is the input file; writing the report would overwrite it",
                expected="another file name",
            )


def write_atomic(path: str, text: str | bytes, inputs: Sequence[str | os.PathLike] = ()) -> None:
    """Write a whole file or nothing: a temp file in the same folder, then an atomic rename.

    The file gets the usual ``0666 & ~umask`` mode (``mkstemp`` would leave it owner-only).
    """
    check_out(path, inputs)
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    data = text if isinstance(text, bytes) else text.encode("utf-8", "backslashreplace")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:50]}.", dir=folder)
    except OSError as exc:
        raise PacmInputError.single(str(path), "cannot-write", f"cannot write in {folder}: {exc.strerror}")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise PacmInputError.single(str(path), "cannot-write", f"cannot write: {exc.strerror or exc}") from None
        raise


def load_engine(rules: Optional[Path], param: List[str], params: Optional[Path]):
    from .engine import Engine

    engine = Engine(rules_dir=rules)
    if params is not None:
        engine.pack.params.override_from_file(str(params))
    for item in param or []:
        if "=" not in item or not item.split("=", 1)[0].strip():
            fail_input(f"--param {item!r} is not NAME=VALUE", "NAME=VALUE, e.g. --param crediting_period.er_renewable_max_years=5")
        name, value = item.split("=", 1)
        engine.pack.params.override(name.strip(), value.strip(), f"--param {name.strip()}", loc="")
    return engine


RULES_OPT = typer.Option(None, "--rules", help="Rule pack folder (default: the bundled rules/).", show_default=False)
PARAM_OPT = typer.Option(None, "--param", help="Override a parameter: NAME=VALUE (repeatable). Listed in the report.")
PARAMS_OPT = typer.Option(None, "--params", help="YAML file of parameter overrides (name: value).")


@app.command()
def check(
    pdd: Path = typer.Argument(..., help="PDD file: YAML, JSON, or a filled pacm Excel workbook (.xlsx)."),
    format: str = typer.Option("text", "--format", "-f", help="text | json | markdown | html"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report here (atomically) instead of stdout."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate with the rules and parameters in force on this date (default: today)."),
    trace: bool = typer.Option(False, "--trace", help="Show how every credited quantity was computed."),
    evaluator: str = typer.Option("rete", "--evaluator", help="rete (durable-rules) | vector (pandas)."),
    no_quantities: bool = typer.Option(False, "--no-quantities", help="Findings only; skip the crediting table."),
    rules: Optional[Path] = RULES_OPT,
    param: List[str] = PARAM_OPT,
    params: Optional[Path] = PARAMS_OPT,
):
    """Check a PDD: one finding per rule, and the year-by-year credited quantities."""
    _choice("--format", format, FORMATS)
    _choice("--evaluator", evaluator, ("rete", "vector"))
    day = parse_date(as_of)
    inputs = [p for p in (pdd, params) if p is not None]
    if out is not None:
        check_out(str(out), inputs)
    from .pdd.load import load_pdd

    model = load_pdd(pdd)
    engine = load_engine(rules, param, params)
    result = engine.check(model, day, evaluator=evaluator, source=str(pdd), quantities=not no_quantities)
    if format == "json":
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif format == "markdown":
        from .report.markdown import render_markdown

        text = render_markdown(result, trace=trace)
    elif format == "html":
        try:
            from .report.html import render_html
        except ImportError:
            fail_input("--format html is not available in this build")
        text = render_html(result)
    else:
        from .report.text import render_text

        text = render_text(result, trace=trace, color=out is None and sys.stdout.isatty())
    if out is not None:
        write_atomic(str(out), text, inputs)
    else:
        sys.stdout.write(text)
    raise typer.Exit(result.exit_code)


@app.command("rules")
def rules_cmd(
    area: Optional[str] = typer.Option(None, "--area", help="Only this area (e.g. additionality)."),
    clause: Optional[str] = typer.Option(None, "--clause", help="Only rules citing this paragraph or document text (e.g. 31, TOOL24)."),
    format: str = typer.Option("text", "--format", "-f", help="text | json"),
    rules: Optional[Path] = RULES_OPT,
):
    """List the rules: id, kind, reference, title."""
    _choice("--format", format, ("text", "json"))
    from .rulepack import load_pack

    pack = load_pack(rules)
    sel = [r for r in pack.rules if (not area or r.area == area)]
    if clause:
        needle = clause.lower()
        sel = [r for r in sel if needle == r.reference.get("paragraph", "").lower().split("(")[0] or needle in r.citation().lower()]
    if format == "json":
        sys.stdout.write(json.dumps([
            {"id": r.id, "kind": r.kind, "title": r.title, "reference": r.citation(), "confidence": r.confidence,
             "section": r.section, "source": f"{Path(r.source).name}:{r.line}"} for r in sel], indent=2) + "\n")
        return
    for r in sel:
        sys.stdout.write(f"{r.id:55s} {r.kind:20s} {r.citation()}\n    {r.title}\n")


@app.command()
def explain(
    rule: str = typer.Argument(..., help="Rule id, e.g. crediting_period.max_length_renewable"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Show parameter values in force on this date."),
    rules: Optional[Path] = RULES_OPT,
    param: List[str] = PARAM_OPT,
    params: Optional[Path] = PARAMS_OPT,
):
    """Show a rule: the clause it encodes, its condition, and its parameters with dates and references."""
    from .errors import did_you_mean
    from .expr.ir import render

    engine = load_engine(rules, param, params)
    pack = engine.pack
    r = pack.get(rule)
    if r is None:
        raise PacmInputError.single("command line", "unknown-rule", f"no rule '{rule}'", hint=did_you_mean(rule, [x.id for x in pack.rules]))
    day = parse_date(as_of)
    w = sys.stdout.write
    w(f"{r.id}  ({r.kind}, severity {r.severity}, confidence {r.confidence})\n{r.title}\n\n")
    w(f"Reference: {r.citation()}\n")
    if r.reference.get("url"):
        w(f"URL: {r.reference['url']}\n")
    if r.reference.get("note"):
        w(f"Note: {r.reference['note']}\n")
    w(f"Section: {r.section}\nDefined in: {r.source}:{r.line}\n")
    if r.effective_from or r.effective_until:
        w(f"In force: {r.effective_from or '-'} to {r.effective_until or '-'}\n")
    w(f"\nClause:\n  {r.clause}\n\n")
    w(f"Applies if: {render(r.applies)}\n")
    if r.kind == "automatic":
        w(f"Requires:   {render(r.require)}\n")
    else:
        w(f"Validator confirms: {' '.join(str(r.confirm).split())}\nEvidence in the PDD: {', '.join(r.evidence)}\n")
    w(f"Fields read: {', '.join(r.fields)}\n")
    if r.params:
        w(f"\nParameters on {day.isoformat()}:\n")
        for name in r.params:
            d = pack.params.describe(name, day)
            ref = d["reference"] or {}
            refs = ", ".join(str(ref[k]) for k in ("document", "symbol", "paragraph") if ref.get(k))
            ov = f" (OVERRIDDEN by {d['override_source']})" if d["overridden"] else ""
            w(f"  params.{name} = {d['value']} {d['unit'] or ''}{ov}\n")
            w(f"      in force from {d['in_force_from']}; confidence {d['confidence']}; {refs}\n")
            if ref.get("note"):
                w(f"      note: {ref['note']}\n")
            w(f"      {d['description']} [{Path(d['source']).name}]\n")


@app.command()
def schema(out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the schema here.")):
    """Print the JSON Schema of the PDD format (for editors and validators)."""
    from .pdd.schema import pdd_json_schema

    text = json.dumps(pdd_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        write_atomic(str(out), text)
    else:
        sys.stdout.write(text)


def _register_optional() -> None:
    """Commands that live in their own modules (each exposes ``register(app)``)."""
    import importlib

    for mod in ("pacm.coverage", "pacm.transition.cli", "pacm.excel"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("pacm"):
                continue
            raise
        reg = getattr(m, "register", None)
        if reg:
            reg(app)


def main(argv: Optional[list[str]] = None) -> int:
    _register_optional()
    try:
        # standalone mode: typer/click print usage errors themselves and exit 2
        app(args=argv, prog_name="pacm")
        return 0
    except SystemExit as e:
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except PacmInputError as e:
        sys.stderr.write(f"pacm: error: {e.render()}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("PACM_DEBUG"):
            raise
        sys.stderr.write(f"pacm: internal error: {term_text(f'{type(e).__name__}: {e}')} (set PACM_DEBUG=1 for a traceback)\n")
        return 3


def entry() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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
import stat
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

import typer

from ..asof import parse_date  # noqa: F401 (the command modules take it from here)
from ..errors import PacmInputError, fail_input
from ..outsafe import term_text

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="pacm: check Article 6.4 (PACM) project design documents against the Supervisory Body standards.",
    pretty_exceptions_enable=False,
)

FORMATS = ("text", "json", "markdown", "html")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"pacm {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print pacm's version and exit.", is_eager=True,
                                 callback=_version),
):
    """pacm: check Article 6.4 (PACM) project design documents against the Supervisory Body standards."""


def _choice(option: str, value: str, choices) -> None:
    """Refuse a value outside ``choices`` with the list and a 'did you mean'."""
    if value not in choices:
        from ..errors import did_you_mean

        hint = f"did you mean '{value.lower()}'?" if value.lower() in choices else did_you_mean(value, choices)
        fail_input(f"{option} {value!r} is not allowed", "one of " + ", ".join(choices), hint)


#: Longest file name accepted for ``--out`` (bytes): the temporary file adds a prefix and a suffix
#: to it, and most file systems stop at 255.
from ..limits import MAX_OUT_NAME  # noqa: E402


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


def load_engine(rules: Optional[Path], param: List[str], params: Optional[Path], methodologies: Optional[Path] = None):
    from ..engine import Engine

    engine = Engine(rules_dir=rules)
    if methodologies is not None:
        engine.use_registry(methodologies)
    if params is not None:
        engine.pack.params.override_from_file(str(params))
    for item in param or []:
        if "=" not in item or not item.split("=", 1)[0].strip():
            fail_input(f"--param {item!r} is not NAME=VALUE", "NAME=VALUE, e.g. --param crediting_period.er_renewable_max_years=5")
        name, value = item.split("=", 1)
        engine.pack.params.override(name.strip(), value.strip(), f"--param {name.strip()}", loc="")
    return engine


RULES_OPT = typer.Option(None, "--rules", help="Rule pack folder (default: the bundled rules/).", show_default=False)
METHODOLOGIES_OPT = typer.Option(
    None, "--methodologies",
    help="Your methodology registry file (same format as methodologies/registry.yaml); its entries are added to the bundled ones.",
)
PARAM_OPT = typer.Option(None, "--param", help="Override a parameter: NAME=VALUE (repeatable). Listed in the report.")
PARAMS_OPT = typer.Option(None, "--params", help="YAML file of parameter overrides (name: value).")


SHOW_HELP = "Only findings with these statuses, comma-separated (e.g. fail,insufficient_data); counts stay complete."


@app.command()
def check(
    pdd: List[Path] = typer.Argument(..., help="PDD file(s): YAML, JSON or a filled pacm Excel workbook (.xlsx); a folder; '-' for standard input. Several files or a folder: batch mode.", show_default=False),
    format: str = typer.Option("text", "--format", "-f", help="text | json | markdown | html"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report here (atomically) instead of stdout; in batch mode the folder for the summary tables.", show_default=False),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate with the rules and parameters in force on this date (default: today).", show_default=False),
    trace: bool = typer.Option(False, "--trace", help="Show how every credited quantity was computed."),
    evaluator: str = typer.Option("rete", "--evaluator", help="rete (durable-rules) | vector (pandas)."),
    no_quantities: bool = typer.Option(False, "--no-quantities", help="Findings only; skip the crediting table."),
    show: Optional[str] = typer.Option(None, "--show", help=SHOW_HELP, show_default=False),
    summary: bool = typer.Option(False, "--summary", help="One screen: the verdict, the counts, what fails and the issuable units."),
    lang: str = typer.Option("en", "--lang", help="Report language: en | ja."),
    formats: str = typer.Option("csv", "--formats", help="Batch mode: table formats, comma-separated: csv, parquet, xlsx."),
    rules: Optional[Path] = RULES_OPT,
    param: List[str] = PARAM_OPT,
    params: Optional[Path] = PARAMS_OPT,
    methodologies: Optional[Path] = METHODOLOGIES_OPT,
):
    """Check a PDD: one finding per rule, and the year-by-year credited quantities."""
    _choice("--format", format, FORMATS)
    _choice("--evaluator", evaluator, ("rete", "vector"))
    from ..i18n import check_lang

    check_lang(lang)
    statuses = parse_show(show)
    day = parse_date(as_of)
    # a folder is batch mode, unless it is named like a PDD file (then it is the mistake it looks like)
    if len(pdd) > 1 or (pdd[0].is_dir() and pdd[0].suffix.lower() not in (".yaml", ".yml", ".json", ".xlsx")):
        from ..batch_check import batch_command

        if any(str(p) == "-" for p in pdd):
            fail_input("'-' (standard input) cannot be mixed with other PDDs")
        raise typer.Exit(batch_command(load_engine(rules, param, params, methodologies), pdd, day, out, formats, lang))
    inputs = [p for p in (pdd[0], params) if p is not None and str(p) != "-"]
    if out is not None:
        check_out(str(out), inputs)
    source = str(pdd[0])
    if source == "-":
        from ..stdin import SOURCE, read_stdin_pdd

        model, source = read_stdin_pdd(), SOURCE
    else:
        from ..pdd.load import load_pdd

        model = load_pdd(pdd[0])
    engine = load_engine(rules, param, params, methodologies)
    result = engine.check(model, day, evaluator=evaluator, source=source, quantities=not no_quantities)
    from ..report.render import render

    text = render(result, format, trace=trace, lang=lang, show=statuses, summary=summary,
                  color=out is None and format == "text" and sys.stdout.isatty())
    if out is not None:
        write_atomic(str(out), text, inputs)
    else:
        sys.stdout.write(text)
    raise typer.Exit(result.exit_code)


def parse_show(show: Optional[str]) -> Optional[tuple[str, ...]]:
    """``--show fail,insufficient_data`` as a tuple of statuses (None: show all)."""
    if show is None:
        return None
    from ..engine import STATUS_ORDER

    items = tuple(x.strip() for x in show.split(",") if x.strip())
    if not items:
        fail_input("--show is empty", "statuses, comma-separated: " + ", ".join(STATUS_ORDER))
    for x in items:
        _choice("--show", x, STATUS_ORDER)
    return items


@app.command("rules")
def rules_cmd(
    area: Optional[str] = typer.Option(None, "--area", help="Only this area (e.g. additionality)."),
    clause: Optional[str] = typer.Option(None, "--clause", help="Only rules citing this paragraph or document text (e.g. 31, TOOL24)."),
    format: str = typer.Option("text", "--format", "-f", help="text | json"),
    rules: Optional[Path] = RULES_OPT,
):
    """List the rules: id, kind, reference, title."""
    from ..explain import select_rules
    from ..rulepack import load_pack

    _choice("--format", format, ("text", "json"))
    pack = load_pack(rules)
    if format == "json":
        sys.stdout.write(json.dumps(select_rules(pack, area, clause), indent=2) + "\n")
        return
    sel = select_rules(pack, area, clause, as_json=False)
    for r in sel:
        sys.stdout.write(f"{r.id:55s} {r.kind:20s} {r.citation()}\n    {r.title}\n")


@app.command("methodologies")
def methodologies_cmd(
    format: str = typer.Option("text", "--format", "-f", help="text | json"),
    rules: Optional[Path] = RULES_OPT,
    methodologies: Optional[Path] = METHODOLOGIES_OPT,
):
    """List the methodologies pacm knows (registry): kind, versions, dates, allowed uses, and their inputs with units and defaults."""
    _choice("--format", format, ("text", "json"))
    from ..engine import Engine
    from ..quantities.compute import library_for

    engine = Engine(rules_dir=rules)
    if methodologies is not None:
        engine.use_registry(methodologies)
    lib = library_for(engine)
    today = dt.date.today()
    out = []
    for e in sorted(engine.registry.entries.values(), key=lambda e: (e.kind != "mechanism", e.id, e.version)):
        d = e.to_json()
        m = lib.methodologies.get(e.computed_by) if e.computed_by else None
        inputs = []
        if m is not None:
            for name, p in m.params.items():
                default = p.default({}, today) if p.source != "pdd" and not any(c.when is not None for c in p.cases) else None
                inputs.append({
                    "name": name, "description": p.description, "unit": p.unit, "kind": p.kind, "source": p.source,
                    "default": str(default[0]) if default else ("depends on the PDD" if p.cases and p.source != "pdd" else None),
                    "confidence": p.confidence,
                })
        d["inputs"] = inputs
        out.append(d)
    if format == "json":
        sys.stdout.write(json.dumps({"registry": engine.registry.name, "methodologies": out}, indent=2, ensure_ascii=False) + "\n")
        return
    w = sys.stdout.write
    w(f"methodology registry: {engine.registry.name}\n")
    for d in out:
        dates = f"approved {d['approved']}, valid until {d['valid_until']}" if d["kind"] == "mechanism" else \
            "CDM: transitioned activities only, up to the grace deadline (parameter transition.cdm_methodology_deadline)"
        w(f"\n{d['id']} v{d['version']}  [{d['kind']}, {d['confidence']}]  {d['title']}\n    {dates}; uses: "
          f"{', '.join(d['activities'])}; source {d['source']}\n")
        if d["computed_by"]:
            w(f"    computed by methodologies/{d['computed_by']}/methodology.yaml; inputs:\n")
        for i in d["inputs"]:
            dflt = f" default {i['default']}" if i["default"] is not None else ""
            w(f"      {i['name']:24s} {i['unit']:14s} {i['kind']:9s} {i['source']:14s}{dflt}\n")
    return


@app.command()
def explain(
    rule: str = typer.Argument(..., help="Rule id, e.g. crediting_period.max_length_renewable"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Show parameter values in force on this date."),
    rules: Optional[Path] = RULES_OPT,
    param: List[str] = PARAM_OPT,
    params: Optional[Path] = PARAMS_OPT,
):
    """Show a rule: the clause it encodes, its condition, and its parameters with dates and references."""
    from ..errors import did_you_mean
    from ..expr.ir import render

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
    from ..citation import cite
    from ..explain import derived_text

    w(derived_text(pack, r.fields))
    if r.params:
        w(f"\nParameters on {day.isoformat()}:\n")
        for name in r.params:
            d = pack.params.describe(name, day)
            ref = d["reference"] or {}
            refs = cite(ref)
            ov = f" (OVERRIDDEN by {d['override_source']})" if d["overridden"] else ""
            w(f"  params.{name} = {d['value']} {d['unit'] or ''}{ov}\n")
            w(f"      in force from {d['in_force_from']}; confidence {d['confidence']}; {refs}\n")
            if ref.get("note"):
                w(f"      note: {ref['note']}\n")
            w(f"      {d['description']} [{Path(d['source']).name}]\n")


@app.command()
def schema(out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the schema here.")):
    """Print the JSON Schema of the PDD format (for editors and validators)."""
    from ..pdd.schema import pdd_json_schema

    text = json.dumps(pdd_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        write_atomic(str(out), text)
    else:
        sys.stdout.write(text)


_COMMAND: list = []  # the click command built from ``app`` once per process
_REGISTERED: list = []


def _register_optional() -> None:
    """Commands that live in their own modules (each exposes ``register(app)``), once per process: every
    ``main()`` call in one process used to add them again, so the n-th in-process call rebuilt n copies
    (0.1 s more per call after 40 calls; found running the hostile-input generator in process, issue 11)."""
    import importlib

    if _REGISTERED:
        return
    _REGISTERED.append(True)

    for mod in ("pacm.cli.coverage", "pacm.cli.transition", "pacm.cli.template", "pacm.cli.serve", "pacm.cli.diff", "pacm.cli.sweep"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("pacm"):
                continue
            raise
        reg = getattr(m, "register", None)
        if reg:
            reg(app)


#: Placeholders shown in --help for option values (instead of typer's ``<str>``/``<bool>``).
METAVARS = {"as_of": "DATE", "param": "NAME=VALUE", "params": "FILE", "out": "PATH", "rules": "FOLDER",
            "format": "FORMAT", "formats": "LIST", "show": "STATUSES", "lang": "LANG", "evaluator": "NAME",
            "area": "AREA", "clause": "TEXT", "mapping": "FILE", "workers": "N", "port": "N", "host": "ADDRESS",
            "timeout": "SECONDS", "pdd": "PDD", "rule": "RULE", "file": "FILE", "a": "A", "b": "B"}


def _click_errors():
    """The exception classes of the click typer runs on (typer >= 0.20 vendors its own copy)."""
    mods = []
    try:
        from typer import _click

        mods.append(_click.exceptions)
    except ImportError:  # pragma: no cover - older typer
        pass
    import click

    mods.append(click.exceptions)
    import typer.exceptions as te

    exits = tuple({getattr(m, "Exit", None) for m in mods} - {None}) + tuple(x for x in (getattr(te, "Exit", None),) if x)
    aborts = tuple({getattr(m, "Abort", None) for m in mods} - {None}) + tuple(x for x in (getattr(te, "Abort", None),) if x)
    return (exits, aborts, tuple(m.UsageError for m in mods), tuple(m.ClickException for m in mods))


def _tidy_help(cmd) -> None:
    """Plain placeholders in --help: none for a flag, a word (DATE, PATH, NAME=VALUE) for a value."""
    for sub in [cmd, *getattr(cmd, "commands", {}).values()]:
        for p in sub.params:
            if getattr(p, "is_flag", False):
                p.metavar = ""
            elif p.metavar is None:
                p.metavar = METAVARS.get(p.name or "", (p.name or "value").upper())
                if p.nargs != 1:
                    p.metavar += "..."
            if not hasattr(p, "is_flag"):  # an argument: its type column repeats the placeholder
                p.display_type_rich = lambda ctx, _m=p.metavar: _m
        original = sub.get_help_option

        def help_option(ctx, _original=original):
            opt = _original(ctx)
            if opt is not None:
                opt.metavar = ""
            return opt

        sub.get_help_option = help_option


def _usage_line(exc) -> str:
    """A click usage error as pacm's one-line message, with a 'did you mean' where click has candidates."""
    from ..errors import did_you_mean

    msg = exc.format_message()
    hint = None
    name = type(exc).__name__
    if name == "NoSuchOption":
        hint = did_you_mean(exc.option_name, exc.possibilities or []) or (
            f"did you mean '{sorted(exc.possibilities)[0]}'?" if exc.possibilities else None)
        msg = f"no such option {exc.option_name}"
    elif msg.startswith("No such command") and exc.ctx is not None:
        word = msg.split("'")[1] if "'" in msg else ""
        hint = did_you_mean(word, getattr(exc.ctx.command, "commands", {}).keys())
        msg = f"no such command '{word}'"
    else:
        msg = (msg[:1].lower() + msg[1:]).rstrip(".")
    where = exc.ctx.command_path if exc.ctx is not None else "pacm"
    return PacmInputError.single("command line", "bad-usage", f"{msg} (see '{where} --help')", hint=hint).render()


def main(argv: Optional[list[str]] = None) -> int:
    _register_optional()
    if not _COMMAND:
        cmd = typer.main.get_command(app)
        _tidy_help(cmd)
        _COMMAND.append(cmd)
    cmd = _COMMAND[0]
    exits, aborts, usage, click_errors = _click_errors()
    try:
        rv = cmd.main(args=argv, prog_name="pacm", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except exits as e:
        return int(getattr(e, "exit_code", 0) or 0)
    except usage as e:
        if type(e).__name__ == "NoArgsIsHelpError" and e.ctx is not None:  # bare `pacm` / `pacm check`: the help
            sys.stdout.write(e.ctx.get_help() + "\n")
            return 2
        sys.stderr.write(f"pacm: error: {_usage_line(e)}\n")
        return 2
    except aborts:
        return 130
    except click_errors as e:
        sys.stderr.write(f"pacm: error: {PacmInputError.single('command line', 'bad-usage', e.format_message()).render()}\n")
        return 2
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

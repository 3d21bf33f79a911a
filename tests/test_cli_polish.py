"""CLI polish (issue 13): --version, shell completion, '-' for standard input, --help without
typer's ``<bool>``/``<str>`` placeholders, usage errors as pacm's one-line message, unknown --area."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pacm.cli import main

ROOT = Path(__file__).resolve().parents[1]
WIND = ROOT / "examples" / "wind_farm_india.yaml"
AS_OF = "2026-11-01"
COMMANDS = ["check", "rules", "explain", "schema", "coverage", "transition", "template", "serve", "diff"]


def pacm(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from pacm.cli import main; sys.exit(main())", *args],
                          input=stdin, capture_output=True, cwd=ROOT, timeout=120)


def test_version_is_the_package_version(capsys):
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pacm {declared}\n"


def test_shell_completion_script():
    r = pacm("--show-completion", "bash")
    assert r.returncode == 0 and b"_PACM_COMPLETE" in r.stdout and b"complete " in r.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_no_type_placeholders(capsys, command):
    assert main([command, "--help"] if command else ["--help"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"<(bool|str|int|float|path|list\[[^\]]*\])>", out), out
    assert "Usage: pacm" in out


def test_stdin_yaml_and_json_give_the_file_result(capsys):
    main(["check", str(WIND), "--as-of", AS_OF, "--format", "json"])
    expected = json.loads(capsys.readouterr().out)
    r = pacm("check", "-", "--as-of", AS_OF, "--format", "json", stdin=WIND.read_bytes())
    got = json.loads(r.stdout)
    assert r.returncode == 0 and got["pdd"].pop("source") == "<stdin>"
    expected["pdd"].pop("source")
    assert got == expected
    import yaml

    as_json = json.dumps(yaml.safe_load(WIND.read_text()), default=str).encode()
    r = pacm("check", "-", "--as-of", AS_OF, "--format", "json", stdin=as_json)
    assert r.returncode == 0 and json.loads(r.stdout)["summary"] == expected["summary"]


def test_stdin_excel_workbook(tmp_path, capsys):
    book = tmp_path / "wind.xlsx"
    import yaml

    from pacm.pdd.excel_template import workbook_bytes

    book.write_bytes(workbook_bytes(yaml.safe_load(WIND.read_text())))
    main(["check", str(book), "--as-of", AS_OF, "--format", "json"])
    expected = json.loads(capsys.readouterr().out)
    r = pacm("check", "-", "--as-of", AS_OF, "--format", "json", stdin=book.read_bytes())
    assert r.returncode == (1 if any(f["status"] == "fail" and f["severity"] != "info" for f in expected["findings"]) else 0), r.stderr[-300:]
    assert json.loads(r.stdout)["findings"] == expected["findings"]


@pytest.mark.parametrize("data, code", [(b"activity: [\n", "yaml-syntax"), (b"", "empty-file"), (b"\xff\xfe", "not-utf8")])
def test_stdin_bad_input_names_stdin(data, code):
    r = pacm("check", "-", "--as-of", AS_OF, stdin=data)
    err = r.stderr.decode()
    assert r.returncode == 2 and r.stdout == b"" and err.startswith("pacm: error: <stdin>") and f"[{code}]" in err


def test_stdin_size_limit_one_byte_either_side():
    from pacm.safeyaml import MAX_BYTES

    body = WIND.read_bytes()
    pad = b"#" * (MAX_BYTES - len(body) - 1) + b"\n"
    inside = pacm("check", "-", "--as-of", AS_OF, "--format", "json", stdin=body + pad)
    assert len(body + pad) == MAX_BYTES and inside.returncode == 0, inside.stderr[-300:]
    over = pacm("check", "-", "--as-of", AS_OF, stdin=body + pad + b"#")
    assert over.returncode == 2 and b"[file-too-large]" in over.stderr


@pytest.mark.parametrize("args, needle", [
    (["check", str(WIND), "--fromat", "json"], "no such option --fromat (see 'pacm check --help'); did you mean '--format'?"),
    (["chek", str(WIND)], "no such command 'chek' (see 'pacm --help'); did you mean 'check'?"),
    (["check"], "missing argument 'PDD...'"),
    (["check", str(WIND), "--as-of"], "option '--as-of' requires an argument"),
    (["rules", "--area", "additionalty"], "did you mean 'additionality'? [unknown-area]"),
    (["rules", "--area", "nonsense"], "is not an area of the rule pack (expected one of activity_cycle,"),
])
def test_usage_errors_are_one_line(capsys, args, needle):
    assert main(args) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err.count("\n") == 1 and cap.err.startswith("pacm: error: command line: ")
    assert needle in cap.err and cap.err.rstrip().endswith("]")


def test_rules_area_known_lists_only_that_area(capsys):
    assert main(["rules", "--area", "leakage", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert rules and all(r["id"].startswith("leakage.") for r in rules)

"""Bad command lines: ``--as-of``, ``--format``, ``--param``, ``--params``, ``--out`` and usage errors.

Each one: exit code 2, one message on stderr starting ``pacm: error:`` that names where the
problem is (the command line, the ``--param`` or the parameter file and line), what was found and
what was expected, nothing on stdout, and no ``--out`` file. The parameter names are taken from
the bundled pack (the first number and the first date parameter), so the tests follow the pack.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.rulepack import load_pack

HERE = Path(__file__).parent
PDD = str(HERE / "bad_inputs" / "valid.yaml")
PACM = str(Path(sys.executable).parent / "pacm")
AS_OF = "2026-11-01"

_PACK = load_pack()
NUM_PARAM = next(n for n in sorted(_PACK.params.names()) if _PACK.params.type_of(n) == "number")
DATE_PARAM = next(n for n in sorted(_PACK.params.names()) if _PACK.params.type_of(n) == "date")
NUM_EXAMPLE = str(_PACK.params.params[NUM_PARAM].values[-1].value)
DATE_EXAMPLE = _PACK.params.params[DATE_PARAM].values[-1].value.isoformat()


def run_check(capsys, tmp_path, *args):
    """Run ``pacm check`` in-process with an ``--out`` that must not appear; return (rc, stderr)."""
    out = tmp_path / "report.json"
    rc = main(["check", PDD, "--out", str(out), *args])
    cap = capsys.readouterr()
    assert cap.out == ""
    assert not out.exists(), "a failed run left an --out file"
    assert "Traceback" not in cap.err
    return rc, cap.err


def one_message(err: str) -> str:
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("pacm: error: "), err
    return lines[0]


# ----------------------------------------------------------------------------- --as-of
@pytest.mark.parametrize(
    "value, code, fragments",
    [
        ("2023-02-30", "impossible-date", ["--as-of '2023-02-30' is not a real date", "day is out of range for month"]),
        ("2026-13-01", "impossible-date", ["month must be in 1..12"]),
        ("tomorrow", "bad-date", ["--as-of 'tomorrow' is not a date", "expected a date YYYY-MM-DD"]),
        ("20261101", "bad-date", ["--as-of '20261101' is not a date"]),
        ("01/11/2026", "bad-date", ["expected a date YYYY-MM-DD, e.g. 2026-11-01"]),
        ("", "bad-date", ["--as-of '' is not a date"]),
    ],
)
def test_bad_as_of(value, code, fragments, tmp_path, capsys):
    rc, err = run_check(capsys, tmp_path, "--as-of", value)
    assert rc == 2
    msg = one_message(err)
    assert msg.startswith("pacm: error: command line: --as-of ")
    assert msg.endswith(f"[{code}]")
    for f in fragments:
        assert f in msg


# ---------------------------------------------------------------------- --format, --evaluator
@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--format", "pdf"], ["--format 'pdf' is not allowed", "expected one of text, json, markdown, html"]),
        (["--format", "jsn"], ["did you mean 'json'?"]),
        (["--format", "JSON"], ["did you mean 'json'?"]),
        (["--evaluator", "reet"], ["--evaluator 'reet' is not allowed", "one of rete, vector", "did you mean 'rete'?"]),
    ],
)
def test_bad_choice_options(args, fragments, tmp_path, capsys):
    rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, *args)
    assert rc == 2
    msg = one_message(err)
    assert msg.startswith("pacm: error: command line: ") and msg.endswith("[bad-usage]")
    for f in fragments:
        assert f in msg


# ---------------------------------------------------------------------------------- --param
def _typo(name: str) -> str:
    return name[:-2] + name[-1]  # drop the second-to-last letter


@pytest.mark.parametrize(
    "item, source, code, fragments",
    [
        (f"{_typo(NUM_PARAM)}=5", f"--param {_typo(NUM_PARAM)}", "unknown-parameter", [f"did you mean '{NUM_PARAM}'?"]),
        ("nosuch.area_param=5", "--param nosuch.area_param", "unknown-parameter", ["unknown parameter 'nosuch.area_param'"]),
        (f"{NUM_PARAM}=five", f"--param {NUM_PARAM}", "parameter-type",
         ["is the text 'five'", f"expected a number such as {NUM_EXAMPLE}"]),
        (f"{NUM_PARAM}=true", f"--param {NUM_PARAM}", "parameter-type", ["is the true/false value true", "expected a number"]),
        (f"{NUM_PARAM}=[1, 2]", f"--param {NUM_PARAM}", "parameter-type", ["is a list"]),
        (f"{NUM_PARAM}=", f"--param {NUM_PARAM}", "parameter-type", [f"no value given for '{NUM_PARAM}'"]),
        (f"{NUM_PARAM}=.nan", f"--param {NUM_PARAM}", "not-finite", ["'.nan' is not a finite number"]),
        (f"{NUM_PARAM}=.inf", f"--param {NUM_PARAM}", "not-finite", ["'.inf' is not a finite number"]),
        (f"{NUM_PARAM}=!!python/object/apply:os.mkdir [pacm_param_ran]", f"--param {NUM_PARAM}", "yaml-tag",
         ["YAML tags are not allowed"]),
        (f"{NUM_PARAM}=*x", f"--param {NUM_PARAM}", "yaml-alias", ["aliases (*x) are not allowed"]),
        (f"{DATE_PARAM}=2023-02-30", f"--param {DATE_PARAM}", "impossible-date", ["'2023-02-30' is not a real date"]),
        (f"{DATE_PARAM}=5", f"--param {DATE_PARAM}", "parameter-type",
         ["is the number 5", f"expected a date such as {DATE_EXAMPLE}"]),
        (f"{DATE_PARAM}=soon", f"--param {DATE_PARAM}", "parameter-type", ["is the text 'soon'"]),
        ("no_equals_sign", "command line", "bad-usage", ["--param 'no_equals_sign' is not NAME=VALUE"]),
        ("=5", "command line", "bad-usage", ["is not NAME=VALUE", "expected NAME=VALUE"]),
    ],
    ids=["typo", "unknown", "text", "bool", "list", "empty", "nan", "inf", "yaml-tag", "alias", "impossible-date",
         "number-for-date", "text-for-date", "no-equals", "no-name"],
)
def test_bad_param(item, source, code, fragments, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a tag that ran would create pacm_param_ran here
    rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, "--param", item)
    assert rc == 2
    msg = one_message(err)
    assert msg.startswith(f"pacm: error: {source}: "), msg
    assert msg.endswith(f"[{code}]"), msg
    for f in fragments:
        assert f in msg, msg
    assert not (tmp_path / "pacm_param_ran").exists()


def test_good_param_still_works(capsys):
    """The error paths did not break overrides: a valid one is applied and reported."""
    rc = main(["check", PDD, "--as-of", AS_OF, "--format", "json", "--param", f"{NUM_PARAM}={NUM_EXAMPLE}"])
    assert rc in (0, 1)
    assert f'"{NUM_PARAM}"' in capsys.readouterr().out


# A parameter's domain (rules/parameters, methodologies/parameters): a `unit: fraction` lies in 0..1, a `unit: choice`
# in its `choices` list. An override outside it used to run: `crediting.deduction_rounding=nonsense` stopped with exit 3
# (an internal PipelineError), `issuance.omge_rate=1.5` was applied silently.
@pytest.mark.parametrize("item, ok", [
    ("issuance.omge_rate=1", True), ("issuance.omge_rate=1.01", False),     # on the limit; one hundredth above
    ("issuance.omge_rate=0", True), ("issuance.omge_rate=-0.01", False),    # on the limit; one hundredth below
    ("crediting.deduction_rounding=each_up", True), ("crediting.day_count=actual_365", True),
    ("baseline.downward_adjustment_form=compound", True),
])
def test_param_override_inside_its_domain_runs(item, ok, tmp_path, capsys):
    if ok:
        assert main(["check", PDD, "--as-of", AS_OF, "--format", "json", "--param", item]) in (0, 1)
        assert f'"{item.split("=")[0]}"' in capsys.readouterr().out
    else:
        rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, "--param", item)
        msg = one_message(err)
        assert rc == 2 and msg.endswith("[out-of-range]") and "expected a fraction between 0 and 1" in msg, msg


@pytest.mark.parametrize("item, fragments", [
    ("crediting.deduction_rounding=nonsense", ["found the text 'nonsense'", "one of participant_floor, each_up, each_down, exact"]),
    ("crediting.deduction_rounding=each_upp", ["did you mean 'each_up'?"]),
    ("crediting.day_count=actual_360", ["one of actual_actual, actual_365"]),
    ("baseline.downward_adjustment_form=exponential", ["one of linear, compound"]),
])
def test_param_override_outside_its_choices_is_refused(item, fragments, tmp_path, capsys):
    rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, "--param", item)
    msg = one_message(err)
    assert rc == 2 and msg.startswith(f"pacm: error: --param {item.split('=')[0]}: ") and msg.endswith("[bad-choice]"), msg
    for f in fragments:
        assert f in msg, msg


def test_choices_are_the_modes_the_pipeline_implements():
    from pacm.dates import DAY_COUNTS
    from pacm.quantities.pipeline import ROUNDING

    params = load_pack().params.params
    assert params["crediting.deduction_rounding"].choices == ROUNDING
    assert params["crediting.day_count"].choices == DAY_COUNTS
    assert params["baseline.downward_adjustment_form"].choices == ("linear", "compound")  # pipeline.daf's two forms
    assert all(p.choices for p in params.values() if p.unit == "choice")


# --------------------------------------------------------------------------------- --params
@pytest.mark.parametrize(
    "text, where, code, fragments",
    [
        (f"{NUM_PARAM}: 7\n{_typo(NUM_PARAM)}: 3\n", f"{_typo(NUM_PARAM)} (line 2)", "unknown-parameter",
         [f"did you mean '{NUM_PARAM}'?"]),
        (f'{NUM_PARAM}: "7"\n', f"{NUM_PARAM} (line 1)", "parameter-type", ["is the text '7'", "remove the quotes"]),
        (f"{NUM_PARAM}: seven\n", f"{NUM_PARAM} (line 1)", "parameter-type", ["is the text 'seven'"]),
        (f"{NUM_PARAM}: {{value: 7}}\n", f"{NUM_PARAM} (line 1)", "parameter-type", ["is a mapping", "one value per parameter"]),
        (f"{DATE_PARAM}: 2023-02-30\n", f"{DATE_PARAM} (line 1)", "impossible-date", ["'2023-02-30' is not a real date"]),
        (f"{NUM_PARAM}: .nan\n", f"{NUM_PARAM} (line 1)", "not-finite", ["'.nan' is not a finite number"]),
        (f"{NUM_PARAM}: 7\n{NUM_PARAM}: 8\n", f"{NUM_PARAM} (line 2)", "duplicate-key", ["duplicate key"]),
        (f"{NUM_PARAM}: !!python/object/apply:os.mkdir [pacm_params_ran]\n", f"{NUM_PARAM} (line 1)", "yaml-tag",
         ["YAML tags are not allowed"]),
        (f"- {NUM_PARAM}\n", "line 1", "not-a-mapping", ["the document is a list", "a mapping of parameter names to values"]),
        ("", "", "empty-file", ["the file is empty"]),
        (f"{NUM_PARAM}: [7\n", f"{NUM_PARAM} (line 2, column 1)", "yaml-syntax", ["YAML syntax error"]),
    ],
    ids=["unknown-name", "quoted-number", "text-for-number", "mapping-value", "impossible-date", "nan",
         "duplicate", "yaml-tag", "list", "empty", "syntax"],
)
def test_bad_params_file(text, where, code, fragments, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "overrides.yaml"
    f.write_text(text)
    rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, "--params", str(f))
    assert rc == 2
    msg = one_message(err)
    assert msg.startswith(f"pacm: error: {f}: " + (f"{where}: " if where else "")), msg
    assert msg.endswith(f"[{code}]"), msg
    for frag in fragments:
        assert frag in msg, msg
    assert not list(tmp_path.glob("pacm_params_ran"))


@pytest.mark.parametrize("kind", ["missing", "directory", "json-syntax"])
def test_bad_params_path(kind, tmp_path, capsys):
    f = tmp_path / ("overrides.json" if kind == "json-syntax" else "overrides.yaml")
    if kind == "directory":
        f.mkdir()
    elif kind == "json-syntax":
        f.write_text('{"a": 1,}')
    rc, err = run_check(capsys, tmp_path, "--as-of", AS_OF, "--params", str(f))
    assert rc == 2
    code = {"missing": "file-not-found", "directory": "is-a-directory", "json-syntax": "json-syntax"}[kind]
    assert one_message(err).endswith(f"[{code}]")
    assert f"pacm: error: {f}: " in err


# ------------------------------------------------------------------------------------ --out
def test_out_in_missing_folder(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "report.json"
    rc = main(["check", PDD, "--as-of", AS_OF, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and one_message(err).endswith("[no-such-folder]")
    assert not out.parent.exists()


def test_out_is_a_directory(tmp_path, capsys):
    rc = main(["check", PDD, "--as-of", AS_OF, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and one_message(err).endswith("[is-a-directory]")
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


def test_existing_out_untouched_on_bad_option(tmp_path, capsys):
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    assert main(["check", PDD, "--as-of", "2023-02-30", "--out", str(out)]) == 2
    assert main(["check", PDD, "--as-of", AS_OF, "--param", "x=1", "--out", str(out)]) == 2
    capsys.readouterr()
    assert out.read_text() == "previous report\n"


# -------------------------------------------------------------------------- other commands
def test_explain_unknown_rule_did_you_mean(capsys):
    rule = _PACK.rules[0].id
    assert main(["explain", rule[:-1]]) == 2
    msg = one_message(capsys.readouterr().err)
    assert msg.startswith("pacm: error: command line: ") and f"did you mean '{rule}'?" in msg


def test_explain_bad_as_of(capsys):
    assert main(["explain", _PACK.rules[0].id, "--as-of", "2023-02-30"]) == 2
    assert one_message(capsys.readouterr().err).endswith("[impossible-date]")


@pytest.mark.parametrize(
    "args",
    [
        ["check"],  # missing PDD argument
        ["check", PDD, "--no-such-option"],
        ["nonsense-command"],
        ["check", PDD, "--as-of"],  # option without its value
    ],
)
def test_usage_errors_exit_2(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


# ---------------------------------------------------------------------- through the binary
@pytest.mark.parametrize(
    "args, start, code",
    [
        (["--as-of", "2023-02-30"], "pacm: error: command line: --as-of", "impossible-date"),
        (["--as-of", AS_OF, "--format", "pdf"], "pacm: error: command line: --format", "bad-usage"),
        (["--as-of", AS_OF, "--param", f"{_typo(NUM_PARAM)}=5"], f"pacm: error: --param {_typo(NUM_PARAM)}: ", "unknown-parameter"),
        (["--as-of", AS_OF, "--param", f"{NUM_PARAM}=five"], f"pacm: error: --param {NUM_PARAM}: ", "parameter-type"),
    ],
    ids=["as-of", "format", "param-unknown", "param-type"],
)
def test_cli_errors_through_installed_pacm(args, start, code, tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run([PACM, "check", PDD, "--out", str(out), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    msg = one_message(proc.stderr)
    assert msg.startswith(start) and msg.endswith(f"[{code}]"), msg
    assert not out.exists()


def test_today_is_default_as_of():
    """No --as-of means today (documented); a sanity check that parse_date kept that."""
    from pacm.asof import parse_date

    assert parse_date(None) == dt.date.today()
    assert parse_date(" 2026-11-01 ") == dt.date(2026, 11, 1)

"""The bad-input corpus (tests/bad_inputs/): every bad PDD gets exit 2 and one clear message.

Each file in tests/bad_inputs/ is a small valid PDD with one defect; expected.yaml lists, per file,
the error code, the location (field path and line) and the fragments the message must hold. For
every file, through the real CLI: exit code 2, exactly one message on stderr of the form
``pacm: error: FILE: WHERE: MESSAGE ... [CODE]``, no traceback, no ``--out`` file created and an
existing ``--out`` file left untouched. A few run through the installed ``pacm`` in a subprocess.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pacm import safeyaml
from pacm.cli import main
from pacm.errors import PacmInputError
from pacm.pdd.load import load_pdd
from pacm.safeyaml import MAX_BYTES, load_file, loads_yaml, read_bytes

HERE = Path(__file__).parent / "bad_inputs"
EXPECTED = load_file(HERE / "expected.yaml").data
FILES = EXPECTED["files"]
GENERATED = EXPECTED["generated"]
PACM = Path(sys.executable).parent / "pacm"
AS_OF = "2026-11-01"
SENTINEL = "an earlier report that a failed run must not touch\n"


def make_generated(name: str, folder: Path) -> Path:
    """Build a generated case in ``folder`` (tmp): nothing of this is committed."""
    path = folder / name
    if name == "too_large.yaml":
        # 17 MB of valid-looking YAML: the size check must refuse it before reading a byte.
        line = b"# padding padding padding padding padding padding padding padding padding padding\n"
        with open(path, "wb") as fh:
            fh.write((Path(HERE / "valid.yaml").read_bytes()))
            fh.write(line * (17 * 1024 * 1024 // len(line) + 1))
    elif name == "a_directory.yaml":
        path.mkdir()
        (path / "inside.yaml").write_text("activity: {}\n")
    elif name == "no_such_file.yaml":
        pass
    else:  # pragma: no cover
        raise KeyError(name)
    return path


def case_path(name: str, tmp_path: Path) -> tuple[Path, dict]:
    if name in FILES:
        return HERE / name, FILES[name]
    return make_generated(name, tmp_path), GENERATED[name]


def check_message(err: str, path: Path, exp: dict) -> None:
    """The one-message contract: prefix, file, location, fragments, code; nothing else."""
    assert "Traceback" not in err and "Error:" not in err.replace("pacm: error:", "")
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, f"expected one message, got:\n{err}"
    msg = lines[0]
    wheres = exp["where"] if isinstance(exp["where"], list) else [exp["where"]]
    heads = [f"pacm: error: {path}: " + (f"{w}: " if w else "") for w in wheres]
    assert any(msg.startswith(h) for h in heads), f"\n{msg}\nshould start with one of\n" + "\n".join(heads)
    assert msg.endswith(f" [{exp['code']}]"), msg
    for frag in exp["contains"]:
        assert frag in msg, f"{frag!r} not in\n{msg}"


ALL_CASES = sorted(FILES) + sorted(GENERATED)


def test_corpus_lists_every_file():
    on_disk = {p.name for p in HERE.iterdir() if p.name != "expected.yaml"}
    listed = set(FILES) | set(EXPECTED["valid"])
    assert on_disk == listed, f"not listed: {on_disk - listed}; missing: {listed - on_disk}"
    for name, exp in {**FILES, **GENERATED}.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", exp["code"]), name  # kebab-case codes
        assert exp["contains"], name


@pytest.mark.parametrize("name", EXPECTED["valid"])
def test_corpus_base_is_valid(name, tmp_path, capsys):
    """The base PDD loads, so the one defect in each corpus file is what the error is about."""
    out = tmp_path / "report.json"
    rc = main(["check", str(HERE / name), "--as-of", AS_OF, "--format", "json", "--out", str(out)])
    assert rc in (0, 1), capsys.readouterr().err
    assert out.read_text().startswith("{")


@pytest.mark.parametrize("out_exists", [False, True], ids=["new-out", "existing-out"])
@pytest.mark.parametrize("name", ALL_CASES)
def test_bad_input_exit_2_one_message(name, out_exists, tmp_path, capsys):
    path, exp = case_path(name, tmp_path)
    out = tmp_path / "report.json"
    if out_exists:
        out.write_text(SENTINEL)
    rc = main(["check", str(path), "--as-of", AS_OF, "--format", "json", "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 2, cap.err
    assert cap.out == ""
    check_message(cap.err, path, exp)
    if out_exists:
        assert out.read_text() == SENTINEL
    else:
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []  # no temp file left


@pytest.mark.parametrize("name", ALL_CASES)
def test_bad_input_api_raises_pacm_input_error(name, tmp_path):
    """``load_pdd`` (used by batch runs) raises PacmInputError with the same code, never anything else."""
    path, exp = case_path(name, tmp_path)
    with pytest.raises(PacmInputError) as info:
        load_pdd(path)
    assert info.value.code == exp["code"]
    assert info.value.source == str(path)


SUBPROCESS_CASES = sorted(n for n, e in {**FILES, **GENERATED}.items() if e.get("subprocess"))


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_input_through_installed_pacm(name, tmp_path):
    """The installed console script: exit 2, one line on stderr, nothing on stdout, no traceback."""
    path, exp = case_path(name, tmp_path)
    out = tmp_path / "report.md"
    proc = subprocess.run(
        [str(PACM), "check", str(path), "--as-of", AS_OF, "--format", "markdown", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    check_message(proc.stderr, path, exp)
    assert not out.exists()
    assert not (tmp_path / "pacm_tag_ran").exists()  # the tag case's payload did not run


def test_yaml_tag_runs_nothing(tmp_path, monkeypatch, capsys):
    """The corpus tag would create a folder if loaded unsafely; pacm refuses it and creates nothing."""
    src = HERE / "yaml_tag_python_object.yaml"
    marker = "pacm_tag_ran"
    assert f"os.mkdir [{marker}]" in src.read_text()
    # pacm: refused, nothing created
    work = tmp_path / "pacm"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["check", str(src), "--as-of", AS_OF]) == 2
    assert "yaml-tag" in capsys.readouterr().err
    assert not (work / marker).exists()
    # control: the payload is live, an unsafe YAML loader really runs it
    control = tmp_path / "control"
    control.mkdir()
    monkeypatch.chdir(control)
    yaml.load(src.read_text(), Loader=yaml.UnsafeLoader)  # noqa: S506 - the point of the control
    assert (control / marker).is_dir()


def test_too_large_is_refused_without_reading(tmp_path, monkeypatch, capsys):
    """A 17 MB file costs one stat: it is refused before it is opened."""
    big = make_generated("too_large.yaml", tmp_path)
    assert big.stat().st_size > 17 * 1024 * 1024 > MAX_BYTES

    def no_open(*a, **k):  # read_bytes must not open an oversized file
        raise AssertionError("the oversized file was opened")

    monkeypatch.setattr(safeyaml, "open", no_open, raising=False)
    rc = main(["check", str(big), "--as-of", AS_OF])
    assert rc == 2
    assert "file-too-large" in capsys.readouterr().err
    # how fast: benchmarks/bench_bad_input.py (speed is measured by benchmarks, not timed tests)


def test_size_limit_boundary(tmp_path):
    at_limit = tmp_path / "at_limit.yaml"
    at_limit.write_bytes(b"#" * (MAX_BYTES - 1) + b"\n")
    assert len(read_bytes(at_limit)) == MAX_BYTES
    over = tmp_path / "over.yaml"
    over.write_bytes(b"#" * MAX_BYTES + b"\n")
    with pytest.raises(PacmInputError) as info:
        read_bytes(over)
    assert info.value.code == "file-too-large"


def test_depth_limit_boundary():
    """MAX_DEPTH levels load; one more is refused, for flow and block nesting alike."""
    depth = safeyaml.MAX_DEPTH
    assert loads_yaml("[" * depth + "]" * depth).data is not None
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v: 1\n"  # depth + 1 mappings
    for text in ("[" * (depth + 1) + "]" * (depth + 1), block):
        with pytest.raises(PacmInputError) as info:
            loads_yaml(text)
        assert info.value.code == "too-deep"


@pytest.mark.parametrize("pure", [False, True], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("levels", [1_001, 10_000])
def test_too_deep_whatever_the_parser(levels, pure, monkeypatch):
    """Issue 9: PyYAML 6.0.4's libyaml refuses flow nesting past 1,000 levels itself ("exceeded
    maximum nesting depth"), before pacm's own check. Either parser, the code is pacm's ``too-deep``
    and the message names pacm's limit, not libyaml's."""
    if pure:
        monkeypatch.setenv("PACM_PURE_YAML", "1")
    elif safeyaml._CParser is None:
        pytest.skip("PyYAML built without libyaml")
    with pytest.raises(PacmInputError) as info:
        loads_yaml("k: " + "[" * levels + "]" * levels + "\n", "deep.yaml")
    assert info.value.code == "too-deep"
    assert f"deeper than {safeyaml.MAX_DEPTH} levels" in info.value.problems[0].message
    assert "maximum nesting depth" not in str(info.value)


@pytest.mark.parametrize("text", ["NO", "no", "No", "yes", "on", "off", "y", "n"])
def test_yaml_1_1_booleans_stay_text(text):
    """Norway's ISO code stays 'NO'; YAML 1.1 would read it (and yes/on/off) as a boolean."""
    assert loads_yaml(f"host_party: {text}\n").data == {"host_party": text}


YAML_FILES = sorted(n for n in FILES if n.endswith(".yaml"))


@pytest.mark.parametrize("name", YAML_FILES)
def test_libyaml_and_pure_python_agree(name, monkeypatch):
    """With libyaml (the default when present) or without it, each file gets the same code and line."""
    if safeyaml._CParser is None:
        pytest.skip("PyYAML built without libyaml")

    def outcome():
        try:
            load_pdd(HERE / name)
        except PacmInputError as exc:
            line = re.search(r"line (\d+)", exc.problems[0].loc or "")
            return exc.code, line.group(1) if line else None
        return None

    fast = outcome()
    monkeypatch.setenv("PACM_PURE_YAML", "1")
    assert outcome() == fast


def test_json_lines_found_for_model_errors(tmp_path, capsys):
    """JSON errors found by the model still point at a line (found lazily, only on error)."""
    rc = main(["check", str(HERE / "json_wrong_type.json"), "--as-of", AS_OF])
    assert rc == 2
    assert "crediting_period.length_years (line 16)" in capsys.readouterr().err


def test_valid_json_with_year_keys_loads():
    """JSON keys are text, so yearly values keyed "2026" are read as years (bug found by this corpus)."""
    pdd = load_pdd(HERE / "valid.json")
    assert pdd.quantification.yearly["EG_facility"][2026] == 52485


def test_many_problems_are_capped(tmp_path, capsys):
    """A file with hundreds of typos gets the first few spelt out and the rest counted, quickly."""
    f = tmp_path / "many_typos.yaml"
    f.write_text((HERE / "valid.yaml").read_text() + "".join(f"junk_key_{i}: {i}\n" for i in range(500)))
    assert main(["check", str(f), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err.rstrip("\n").split("\n")
    assert err[0] == f"pacm: error: {f}: more than 20 problems"
    assert len(err) == 22 and err[-1].endswith("and 480 more problems not shown [more-problems]")
    assert "junk_key_0 (line 29): unknown key 'junk_key_0'" in err[1]


@pytest.mark.parametrize(
    "text, col",
    [('{"a": [1, 2,]}', 12), ('{"a": 1,\n}', 8), ('{"a": {"b": 1 ,  }}', 15)],
)
def test_trailing_comma_same_words_on_every_python(text, col):
    """Python 3.13's json says "Illegal trailing comma" at the comma, 3.10-3.12 "Expecting property
    name" or "Expecting value" at the bracket (found running the suite on 3.13, issue 9): pacm's
    message and position are its own, at the comma (columns counted by hand above)."""
    with pytest.raises(PacmInputError) as info:
        safeyaml.loads_json(text, "t.json")
    p = info.value.problems[0]
    assert info.value.code == "json-syntax"
    assert p.message == "JSON syntax error: a comma after the last item"
    assert p.loc.endswith(f"line 1, column {col}")

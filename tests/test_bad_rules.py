"""The bad-rules corpus (tests/bad_rules/): each file breaks one thing in a copy of ``rules/``.

OpenFisca style: a case file says which file of the rule pack it breaks (``target``), how
(``append`` text to it, or ``write`` it whole) and what loading must say (``expect``: the error
code, the location printed after the file name, and message fragments). The test copies
``rules/`` to a temporary folder, breaks it, and requires :func:`pacm.rulepack.load_pack` to
raise :class:`~pacm.errors.RulePackError` naming the file and the rule (or parameter), with no
other exception type and nothing executed. Line numbers in a case are relative to the appended
text: ``{line:K}`` is line K of it; ``{rules}`` is the index the appended rule gets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pacm.cli import main
from pacm.errors import RulePackError
from pacm.rulepack import default_root, load_pack
from pacm.safeyaml import load_file, loads_yaml

HERE = Path(__file__).parent / "bad_rules"
CASES = sorted(p.stem for p in HERE.glob("*.yaml"))
RULES = default_root()


def build_broken_pack(name: str, tmp: Path) -> tuple[Path, Path, dict]:
    """Copy rules/ into ``tmp``, apply case ``name``; return (pack root, broken file, expectations)."""
    case = load_file(HERE / f"{name}.yaml").data
    root = tmp / "rules"
    shutil.copytree(RULES, root)
    target = root / case["target"]
    subs = {"rules": "0"}
    base = 0
    if "append" in case:
        original = target.read_text(encoding="utf-8")
        data = loads_yaml(original, str(target)).data
        if "rules" in data:
            # appending only adds to the rule list if 'rules' is the file's last top-level key
            assert list(data)[-1] == "rules", f"{target.name}: 'rules' is not the last key"
            subs["rules"] = str(len(data["rules"]))
        kept = original.rstrip("\n")
        base = len(kept.split("\n"))
        target.write_text(kept + "\n" + case["append"], encoding="utf-8")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case["write"], encoding="utf-8")

    def expand(text: str) -> str:
        text = re.sub(r"\{line:(\d+)\}", lambda m: str(base + int(m.group(1))), text)
        return text.replace("{rules}", subs["rules"])

    exp = case["expect"]
    exp = {"code": exp["code"], "where": expand(exp["where"]), "contains": [expand(c) for c in exp["contains"]]}
    return root, target, exp


def test_every_case_is_well_formed():
    assert len(CASES) >= 40
    for name in CASES:
        case = load_file(HERE / f"{name}.yaml").data
        assert set(case) <= {"target", "append", "write", "expect"}, name
        assert ("append" in case) != ("write" in case), name
        assert set(case["expect"]) == {"code", "where", "contains"}, name
        assert (HERE / f"{name}.yaml").read_text().startswith("# "), f"{name}: say what is wrong in a comment"


def test_unbroken_copy_loads(tmp_path):
    """The copy itself is valid: each case's error comes from its one break."""
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    assert load_pack(root).rules


@pytest.mark.parametrize("name", CASES)
def test_bad_rule_pack_is_refused(name, tmp_path, monkeypatch):
    root, target, exp = build_broken_pack(name, tmp_path)
    monkeypatch.chdir(tmp_path)  # a payload that ran would leave pacm_rule_ran here
    with pytest.raises(RulePackError) as info:
        load_pack(root)
    err = info.value
    assert err.source == str(target), f"error names {err.source}, not the broken file"
    assert len(err.problems) == 1, err.render()
    prob = err.problems[0]
    assert prob.code == exp["code"], err.render()
    assert prob.loc == exp["where"], f"\n{prob.loc!r}\n{exp['where']!r}"
    text = err.render()
    for frag in exp["contains"]:
        assert frag in text, f"{frag!r} not in\n{text}"
    # names the rule (or parameter) by its id
    m = re.match(r"rule ([A-Za-z0-9_.]+)", prob.loc)
    if m:
        assert m.group(1) in (load_file(HERE / f"{name}.yaml").data.get("append") or "") + (
            load_file(HERE / f"{name}.yaml").data.get("write") or ""
        )
    assert not (tmp_path / "pacm_rule_ran").exists()


@pytest.mark.parametrize("name", ["eval_import_call", "unknown_parameter", "parameter_without_dates"])
def test_bad_rule_pack_through_cli(name, tmp_path, capsys):
    """``pacm rules --rules DIR`` and ``pacm check --rules DIR``: exit 2, one clear message, no traceback."""
    root, target, exp = build_broken_pack(name, tmp_path)
    assert main(["rules", "--rules", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pacm: error: {target}: {exp['where']}: ")
    assert err.rstrip().endswith(f"[{exp['code']}]") and err.count("\n") == 1
    pdd = Path(__file__).parent / "bad_inputs" / "valid.yaml"
    out = tmp_path / "report.json"
    assert main(["check", str(pdd), "--rules", str(root), "--as-of", "2026-11-01", "--out", str(out)]) == 2
    assert f"[{exp['code']}]" in capsys.readouterr().err
    assert not out.exists()


def test_bad_rule_pack_subprocess_no_traceback(tmp_path):
    root, target, exp = build_broken_pack("eval_dunder_escape", tmp_path)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "pacm"), "explain", "crediting_period.corpus_rule", "--rules", str(root)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"pacm: error: {target}: {exp['where']}: ")
    assert "Traceback" not in proc.stderr

"""Issue 15 item 4: the import contract (``.importlinter``, docs/architecture.md) holds.

``lint-imports`` checks four contracts over every import in ``src/pacm``, function-level ones included:
the layers (commands > applications > reports > engine > rule pack and formats > foundation, every
module in a layer), no cycle among the modules of any package, the engine importing no domain module
beyond the crossings listed (with why) in ``.importlinter``, and no module outside ``pacm.cli`` importing
typer or click (commands live in the CLI layer only). An upward import such as ``pacm.cli`` from
``pacm.pdd.load`` (the cycle this issue found: cli -> pdd.load -> excel -> cli) makes this test fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    return subprocess.run([*cmd, "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_contracts_kept():
    r = _lint_imports()
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "Contracts: 4 kept, 0 broken." in out, out


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract is not vacuous: the same configuration over a copy of pacm in which the expression
    layer imports the command line (inside a function, where the old cycle hid) is broken, and the
    report names that import."""
    shutil.copytree(ROOT / "src" / "pacm", tmp_path / "pacm", ignore=shutil.ignore_patterns("__pycache__", "data", "*.yaml"))
    ir = tmp_path / "pacm" / "expr" / "ir.py"
    ir.write_text(ir.read_text(encoding="utf-8") + "\n\ndef _probe():\n    from ..cli import main\n", encoding="utf-8")
    cfg = tmp_path / ".importlinter"
    cfg.write_text((ROOT / ".importlinter").read_text(encoding="utf-8"), encoding="utf-8")
    env_path = str(tmp_path)
    r = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); "
         "from importlinter.cli import lint_imports_command; lint_imports_command()", "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "pacm.expr is not allowed to import pacm.cli" in out, out
    assert "pacm.expr.ir -> pacm.cli" in out, out

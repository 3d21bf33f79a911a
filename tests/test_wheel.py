"""Issue 9: the wheel works outside the checkout.

Builds pacm's wheel, installs it (without dependencies) into a new virtual environment whose only
other path entry is the running environment's site-packages (so the dependencies are there but the
checkout's ``src/`` and ``rules/`` are not), and runs the commands a user runs, from an empty folder,
on copies of the examples. It fails if the wheel lacks the rule pack, the methodologies, the report
templates, the host tables or the transition mapping, or if pacm finds any of them by walking up to
the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-01"


def _run(cmd, cwd, env=None, timeout=300):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    try:
        import hatchling  # noqa: F401  (locked in requirements/build.txt: build offline, as `make` does)

        isolation = ["--no-build-isolation"]
    except ImportError:  # e.g. `make test-latest`: pip fetches the newest hatchling
        isolation = []
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", str(out), str(ROOT)], ROOT)
    assert r.returncode == 0, r.stderr
    (whl,) = out.glob("pacm-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict:
    """A clean venv with the wheel installed; returns the environment to run it in."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base)
    assert r.returncode == 0, r.stderr
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base).stdout.strip())
    # The dependencies come from the running environment. A .pth line only appends a folder to
    # sys.path: .pth files inside it (the checkout's editable install) are not processed.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)], base)
    assert r.returncode == 0, r.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PACM_"))}
    env["HOME"] = str(base / "home")
    env["PACM_CACHE_DIR"] = str(base / "cache")
    return {"bin": venv / "bin", "env": env}


def test_wheel_carries_the_pack_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "pacm/_pack/rules/pack.yaml",
        "pacm/_pack/rules/crediting_period.yaml",
        "pacm/_pack/rules/coverage/requirements.yaml",
        "pacm/_pack/methodologies/acm0002/methodology.yaml",
        "pacm/_pack/methodologies/acm0002/applicability.yaml",
        "pacm/report/templates/report.html.j2",
        "pacm/_pack/rules/derive.yaml",
        "pacm/_pack/rules/hosts/ldc_history.yaml",
        "pacm/_pack/rules/hosts/m49_parties.csv",
        "pacm/_pack/rules/mappings/unfccc_cdm_2022.yaml",
        "pacm/py.typed",
    ):
        assert needed in names, f"{needed} missing from {wheel.name}"
    # every rule file of the checkout is in the wheel, and nothing else under _pack/rules
    pack = {f"pacm/_pack/rules/{p.relative_to(ROOT / 'rules').as_posix()}" for p in (ROOT / "rules").rglob("*") if p.is_file()}
    assert pack <= names
    assert not any(n.startswith("tests/") or "/__pycache__/" in n for n in names)


def test_installed_wheel_runs_outside_the_checkout(installed, tmp_path):
    work = tmp_path / "user"
    work.mkdir()
    for name in ("wind_farm_india.yaml", "landfill_gas_fails_additionality.yaml"):
        shutil.copy(ROOT / "examples" / name, work / name)
    shutil.copy(ROOT / "tests" / "fixtures" / "unfccc_cdm_extract.csv", work / "export.csv")
    pacm = str(installed["bin"] / "pacm")
    env = installed["env"]

    # where the package and its pack come from: the venv, not the checkout
    where = _run([str(installed["bin"] / "python"), "-c", "import pacm, pacm.paths as p; print(pacm.__file__); print(p.pack_home())"], work, env)
    assert where.returncode == 0, where.stderr
    pkg, home = where.stdout.split()
    assert not pkg.startswith(str(ROOT)) and not home.startswith(str(ROOT)), where.stdout
    assert home.endswith("pacm/_pack")

    r = _run([pacm, "check", "wind_farm_india.yaml", "--as-of", AS_OF, "--format", "json"], work, env)
    assert r.returncode in (0, 1), r.stderr
    report = json.loads(r.stdout)
    assert report["findings"], "no findings from the installed wheel"

    # the bundled pack is the checkout's pack: the same content hash
    r2 = subprocess.run(
        [sys.executable, "-m", "pacm", "check", str(ROOT / "examples" / "wind_farm_india.yaml"), "--as-of", AS_OF, "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert r2.returncode in (0, 1), r2.stderr
    assert _pack_digest(report) == _pack_digest(json.loads(r2.stdout))

    r = _run([pacm, "check", "landfill_gas_fails_additionality.yaml", "--as-of", AS_OF, "--format", "html", "--out", "landfill.html"], work, env)
    assert r.returncode == 1, r.stderr  # the example fails additionality
    assert "<html" in (work / "landfill.html").read_text(encoding="utf-8").lower()

    r = _run([pacm, "transition", "export.csv", "--as-of", "2026-01-15", "--out", "transition"], work, env)
    assert r.returncode in (0, 1), r.stderr
    assert (work / "transition" / "activities.csv").is_file()

    r = _run([pacm, "template", "--xlsx", "pdd.xlsx", "--from", "wind_farm_india.yaml"], work, env)
    assert r.returncode == 0, r.stderr
    r = _run([pacm, "check", "pdd.xlsx", "--as-of", AS_OF, "--no-quantities"], work, env)
    assert r.returncode in (0, 1), r.stderr

    for cmd in (["rules"], ["explain", "crediting_period.max_length_renewable"], ["schema"], ["coverage"]):
        r = _run([pacm, *cmd], work, env)
        assert r.returncode == 0, (cmd, r.stderr)
        assert r.stdout.strip(), cmd


def _pack_digest(report: dict) -> str:
    meta = report.get("meta") or report.get("engine") or {}
    digest = meta.get("rule_pack_sha256")
    assert digest, f"no rule_pack_sha256 in the JSON report's header: {sorted(report)}"
    return digest

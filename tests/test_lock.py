"""Issue 9: the lock (requirements/lock.txt) covers pyproject.toml, with hashes.

A dependency added to pyproject.toml without `make lock` would install on a developer's machine
(who ran pip by hand) and fail on a fresh one, where `make test` installs from the lock alone with
``--no-deps``. These tests catch that before CI does.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

packaging = pytest.importorskip("packaging")  # locked (hatchling needs it); present in `make test`
from packaging.markers import Marker  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402
from packaging.version import Version  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def _locked(path: Path) -> dict[str, list[tuple[Version, Marker | None, int]]]:
    """name -> [(version, marker, number of hashes)] from a uv/pip-compile requirements file."""
    out: dict = {}
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        hashes = len(re.findall(r"--hash=sha256:[0-9a-f]{64}", line))
        spec = line.split("--hash", 1)[0].strip()
        req = Requirement(spec)
        (pin,) = list(req.specifier)
        assert pin.operator == "==", f"{path.name}: {spec} is not pinned with =="
        out.setdefault(canonicalize_name(req.name), []).append((Version(pin.version), req.marker, hashes))
    return out


def _applies(marker: Marker | None) -> bool:
    return marker is None or marker.evaluate()


@pytest.mark.parametrize("lockfile", ["lock.txt", "build.txt"])
def test_every_pin_has_hashes(lockfile):
    locked = _locked(ROOT / "requirements" / lockfile)
    assert locked
    for name, pins in locked.items():
        for version, _, hashes in pins:
            assert hashes >= 1, f"{lockfile}: {name}=={version} has no --hash"


def test_pyproject_dependencies_are_locked():
    """Every dependency and every extra of pyproject.toml is in the lock, at a version its range allows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    locked = _locked(ROOT / "requirements" / "lock.txt")
    for spec in wanted:
        req = Requirement(spec)
        if not _applies(req.marker) or canonicalize_name(req.name) == canonicalize_name(project["name"]):
            continue  # a self-reference (`pacm[serve,docs]`) is pacm's own extras, locked above
        pins = [v for v, m, _ in locked.get(canonicalize_name(req.name), []) if _applies(m)]
        assert pins, f"{req.name} (pyproject.toml) is not in requirements/lock.txt for this Python: run `make lock`"
        assert all(req.specifier.contains(v, prereleases=True) for v in pins), (
            f"requirements/lock.txt pins {req.name}=={pins[0]}, outside pyproject's '{req.specifier}': run `make lock`"
        )


def test_build_backend_is_locked():
    """The build backend pyproject names is pinned in requirements/build.txt (make installs with --no-build-isolation)."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    locked = _locked(ROOT / "requirements" / "build.txt")
    for spec in build["requires"]:
        req = Requirement(spec)
        pins = [v for v, m, _ in locked.get(canonicalize_name(req.name), []) if _applies(m)]
        assert pins and all(req.specifier.contains(v) for v in pins), f"{spec} not locked in requirements/build.txt"

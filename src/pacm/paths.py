"""Where pacm finds its bundled rule pack (``rules/`` and ``methodologies/``).

Two layouts, one answer:

* **installed from a wheel**: the build copies the repository's ``rules/`` and ``methodologies/``
  into the package as ``pacm/_pack/`` (``[tool.hatch.build.targets.wheel.force-include]`` in
  ``pyproject.toml``), found here with :mod:`importlib.resources`, so pacm runs from any folder;
* **a checkout** (``pip install -e .``, ``make test``): the package is ``src/pacm`` and the pack is
  the repository's own ``rules/`` and ``methodologies/``, so an edit to a rule file takes effect at once.

A user's own pack is given with ``--rules DIR`` and never goes through this module.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

#: The folder inside the installed package that holds the bundled pack.
BUNDLED = "_pack"


@lru_cache(maxsize=1)
def pack_home() -> Path:
    """The folder holding ``rules/`` and ``methodologies/``: the bundled copy, else the checkout."""
    bundled = resources.files("pacm") / BUNDLED
    if bundled.is_dir():  # a wheel install: the package is a real folder on disk (never a zip)
        return Path(str(bundled))
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "rules" / "pack.yaml").is_file() and (parent / "methodologies").is_dir():
            return parent
    raise FileNotFoundError(
        "pacm's rule pack was not found: neither a bundled pacm/_pack/ (a wheel install) nor a "
        "rules/ folder above the package (a checkout); reinstall pacm or give --rules DIR"
    )


def rules_dir() -> Path:
    """The default rule pack folder (``rules/``)."""
    return pack_home() / "rules"


def hosts_dir() -> Path:
    """The bundled pack's host tables (``rules/hosts/``: UN M49 parties, dated LDC graduations)."""
    return rules_dir() / "hosts"


def mappings_dir() -> Path:
    """The bundled pack's column mappings of CDM exports (``rules/mappings/``)."""
    return rules_dir() / "mappings"


def methodologies_dir() -> Path:
    """The default methodology folder (``methodologies/``)."""
    return pack_home() / "methodologies"

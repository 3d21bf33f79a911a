"""pacm: a rules engine for the Paris Agreement Article 6.4 mechanism (PACM).

``pacm.check(path_or_mapping, as_of=..., params=...)`` is the Python API (see :mod:`pacm.api`);
it is imported on first use so that ``pacm check`` on the command line starts fast.
"""

__version__ = "0.1.0"
__all__ = ["check", "CheckResult", "PacmInputError", "__version__"]


def __getattr__(name):
    if name in ("check", "CheckResult"):
        from . import api

        return getattr(api, name)
    if name == "PacmInputError":
        from .errors import PacmInputError

        return PacmInputError
    raise AttributeError(f"module 'pacm' has no attribute {name!r}")

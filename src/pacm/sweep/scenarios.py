"""The scenarios file of ``pacm sweep``: named sets of parameter overrides.

::

    scenarios:
      base: {}                                        # no overrides: the rule pack as dated
      da_2pct: {baseline.downward_adjustment_annual_min: 0.02}
      sop_10pct: {issuance.sop_adaptation_rate: 0.10}

Parameter names are the ones ``--param`` takes (``pacm explain RULE`` lists them); values are typed
YAML, checked exactly as ``--params FILE`` checks them (:meth:`pacm.params.ParameterSet.override`),
so an unknown name is exit 2 with "did you mean", and a number given as text is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import PacmInputError, did_you_mean
from ..expr.ir import STR
from ..safeyaml import expect_mapping, load_file

TOP_KEYS = ("scenarios", "description")
MAX_SCENARIOS = 10_000
# scenario names appear in tables, Markdown and a chart: plain names only (no formulas, no markup)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,63}$")


@dataclass(frozen=True)
class Scenario:
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)  # parameter name -> typed value

    def label(self) -> str:
        """The overrides as one line of text (``name=value; ...``), '(base)' when there are none."""
        if not self.overrides:
            return "(base)"
        return "; ".join(f"{k}={_show(v)}" for k, v in self.overrides.items())


def printable(text: str) -> str:
    """User text for tables, Markdown and the terminal: control characters shown as escapes."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _show(v: Any) -> str:
    from decimal import Decimal

    if isinstance(v, Decimal):
        return format(v, "f")
    return printable(str(v))


def load_scenarios(path: str, param_set) -> list[Scenario]:
    """Read and check the scenarios file against ``param_set`` (the pack's parameters).

    Every override is applied to a scratch copy of ``param_set`` here, in the parent process, so a
    bad name or value stops the sweep before any work starts (exit 2, file, scenario and name).
    """
    doc = load_file(path)
    data = expect_mapping(doc, "a mapping with 'scenarios: {NAME: {PARAMETER: VALUE, ...}, ...}'")
    for k in data:
        if k not in TOP_KEYS:
            raise PacmInputError.single(
                path, "unknown-key", f"unknown key '{k}'", loc=doc.where((k,)),
                expected="'scenarios' (and optionally 'description')", hint=did_you_mean(str(k), TOP_KEYS),
            )
    if "scenarios" not in data:
        raise PacmInputError.single(path, "missing-key", "no 'scenarios' key",
                                    expected="scenarios: {NAME: {PARAMETER: VALUE, ...}, ...}")
    sc = data["scenarios"]
    if not isinstance(sc, dict) or not sc:
        raise PacmInputError.single(path, "bad-scenario", "'scenarios' must be a non-empty mapping",
                                    loc=doc.where(("scenarios",)), expected="scenarios: {NAME: {PARAMETER: VALUE, ...}}")
    if len(sc) > MAX_SCENARIOS:
        raise PacmInputError.single(path, "too-many-scenarios", f"{len(sc):,} scenarios",
                                    loc=doc.where(("scenarios",)), expected=f"at most {MAX_SCENARIOS:,}")
    out: list[Scenario] = []
    for name, body in sc.items():
        loc = doc.where(("scenarios", name))
        if not isinstance(name, str) or not _NAME.match(name):
            raise PacmInputError.single(
                path, "bad-scenario-name", f"scenario name {str(name)[:80]!r} is not a plain name", loc=loc,
                expected="1-64 characters: letters, digits, space, _ . - (starting with a letter or digit)",
            )
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise PacmInputError.single(path, "bad-scenario", f"scenario '{name}' is not a mapping", loc=loc,
                                        expected="{PARAMETER: VALUE, ...} ({} for the base case)")
        scratch = type(param_set)(params=param_set.params)  # overrides only are written: share the rest
        for pname, value in body.items():
            ploc = doc.where(("scenarios", name, pname))
            if isinstance(value, (dict, list)):
                raise PacmInputError.single(path, "parameter-type", f"the override of '{pname}' is a {type(value).__name__}",
                                            loc=ploc, expected="one value per parameter")
            known = scratch.params.get(str(pname))
            if known is not None and known.type != STR and isinstance(value, str):  # the file's values are typed
                raise PacmInputError.single(path, "parameter-type", f"the override of '{pname}' is the text {value!r}",
                                            loc=ploc, expected=f"a {known.type}", hint="remove the quotes")
            scratch.override(str(pname), value, path, loc=ploc)
        out.append(Scenario(name, {k: scratch.overrides[k] for k in body}))
    return out

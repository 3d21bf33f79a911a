"""The public entry point: check a PDD against a rule pack on a date.

    from pacm.engine import Engine
    result = Engine().check(pdd, as_of=date(2026, 11, 1))
    result.findings, result.quantities, result.to_json()

``evaluator='rete'`` (default for one PDD) runs durable-rules; ``'vector'`` runs the pandas
evaluator. Both return the same findings (see ``tests/test_differential.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .findings import Finding, build_findings
from .hosts import context_for
from .pdd.fields import flatten
from .pdd.model import PDD
from .rulepack import CompiledPack, RulePack, load_pack

# One Rete evaluator per (pack content, date, overrides) for the whole process: durable-rules never
# frees a ruleset, so building one per Engine would grow without bound in long-lived processes.
_RETE: dict = {}

STATUS_ORDER = ("fail", "insufficient_data", "validator_judgement", "pass", "not_applicable")


@dataclass
class Result:
    source: str
    pdd: PDD
    as_of: dt.date
    findings: list[Finding]
    engine: dict
    skipped_rules: list[str]
    quantities: Any = None  # pacm.quantities.Quantities, when the methodology is known
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUS_ORDER}
        for f in self.findings:
            out[f.status] += 1
        return out

    def unconfirmed(self) -> list[Finding]:
        return [f for f in self.findings if f.confidence != "confirmed" and f.status in ("pass", "fail")]

    def to_json(self) -> dict:
        a = self.pdd.activity
        return {
            "pdd": {
                "source": self.source,
                "title": a.title,
                "reference": a.reference,
                "host_party": a.host_party,
                "type": a.type,
                "methodology": f"{a.methodology.id} v{a.methodology.version}",
            },
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "summary": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "quantities": self.quantities.to_json() if self.quantities is not None else None,
            "notes": list(self.notes),
        }


def check_facts(flat: dict[str, Any], source: str) -> None:
    """Every number an evaluator will see is inside :mod:`pacm.limits`, derived ones included.

    Read values are checked as they are loaded; a derived value (``cumulative_years`` =
    ``length_years x number``) is a product of bounded values and may still leave the bounds.
    """
    from . import limits
    from .errors import PacmInputError

    for path, v in flat.items():
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            why = limits.number_problem(v)
            if why is not None:
                raise PacmInputError.single(
                    source, "number-out-of-bounds", f"the derived value {limits.shown_number(v)} {why}",
                    loc=path, expected=limits.NUMBER_EXPECTED + "; check the values it is computed from",
                )


class Engine:
    """Loads a rule pack once; checks any number of PDDs against it."""

    def __init__(self, pack: RulePack | None = None, rules_dir: str | Path | None = None):
        self.pack = pack or load_pack(rules_dir)

    def compiled(self, as_of: dt.date) -> CompiledPack:
        return self.pack.compile(as_of)

    def facts(self, pdd: PDD, as_of: dt.date) -> dict[str, Any]:
        on = pdd.issuance.planned_issuance_date or as_of
        return flatten(pdd, context_for(pdd.activity.host_party, on, as_of))

    def statuses(self, flat: dict, as_of: dt.date, evaluator: str = "rete", pdd_id: str = "pdd") -> dict[str, str]:
        cp = self.compiled(as_of)
        if evaluator == "rete":
            from .evaluate.rete import ReteEvaluator

            key = (self.pack.digest, as_of, tuple(sorted((k, str(v)) for k, v in self.pack.params.overrides.items())))
            ev = _RETE.get(key)
            if ev is None:
                ev = _RETE[key] = ReteEvaluator(cp)
            return ev.evaluate(flat, pdd_id)
        if evaluator == "vector":
            from .evaluate.vector import VectorEvaluator

            return VectorEvaluator(cp).evaluate_many([flat])[0]
        raise ValueError(f"unknown evaluator {evaluator!r}")

    def check(
        self,
        pdd: PDD,
        as_of: dt.date,
        evaluator: str = "rete",
        source: str = "<pdd>",
        quantities: bool = True,
    ) -> Result:
        cp = self.compiled(as_of)
        flat = self.facts(pdd, as_of)
        check_facts(flat, source)
        statuses = self.statuses(flat, as_of, evaluator, source)
        findings = build_findings(cp.rules, statuses, flat)
        findings.sort(key=lambda f: (STATUS_ORDER.index(f.status), f.rule))
        result = Result(source, pdd, as_of, findings, self.pack.engine_info(), cp.skipped)
        if quantities:
            self._add_quantities(result)
        return result

    def _add_quantities(self, result: Result) -> None:
        try:
            from .quantities import compute_for_result
        except ImportError:  # the quantities module is optional during development
            return
        compute_for_result(self, result)

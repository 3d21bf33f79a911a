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

from .errors import PacmInputError
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
        """Failing findings that count against the PDD (a severity 'info' finding informs, e.g. a CER-use limit)."""
        return [f for f in self.findings if f.status == "fail" and f.severity != "info"]

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

    def _quantities_json(self) -> dict | None:
        """The quantities with the issuance verdict: 'would_be_issuable_once_failures_resolved' when a check fails."""
        if self.quantities is None:
            return None
        return _with_issuance(self.quantities, self.quantities.to_json())

    def to_json(self) -> dict:
        a = self.pdd.activity
        return {
            "pdd": {
                "source": self.source,
                "title": a.title,
                "reference": a.reference,
                "host_party": a.host_party,
                "type": a.type,
                "methodology": a.methodology.label(),
            },
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "summary": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "quantities": self._quantities_json(),
            "notes": list(self.notes),
        }


def _with_issuance(q, data: dict) -> dict:
    if getattr(q, "issuance", None) is not None:
        data["issuance"] = dict(q.issuance)
    return data


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

    @property
    def registry(self):
        """The methodology registry in use: the pack's, merged with a user's file (:meth:`use_registry`)."""
        if getattr(self, "_registry", None) is not None:
            return self._registry
        from .methodology_registry import Registry

        return getattr(self.pack, "methodology_registry", None) or Registry()

    def use_registry(self, path: str | Path) -> None:
        """Add the entries of a user's registry file (``--methodologies``) to the bundled ones."""
        from .methodology_registry import load_registry

        self._registry = self.registry.merged(load_registry(path, user=True))

    def facts(self, pdd: PDD, as_of: dt.date) -> dict[str, Any]:
        on = pdd.issuance.planned_issuance_date or as_of
        ctx = context_for(pdd.activity.host_party, on, as_of, self.pack.hosts)
        ctx.update(self.registry.context(pdd))
        ctx["context.reversal_risk_reassessment_due_since"] = self._reassessment_due(pdd, as_of)
        return flatten(pdd, ctx, self.pack.derive)

    def _reassessment_due(self, pdd: PDD, as_of: dt.date) -> dt.date | None:
        """The latest k-th (k >= 1) anniversary of the first crediting period's start, every
        ``removals.reversal_risk_reassessment_years``, on or before ``as_of`` (seed 001: reversal-risk assessment
        updated every 5 years from the start of the crediting period). None when none has passed."""
        from .dates import add_years

        name = "removals.reversal_risk_reassessment_years"
        try:
            step = int(self.pack.params.resolve([name], as_of)[name])
        except (PacmInputError, KeyError, TypeError, ValueError):
            return None
        cp = pdd.crediting_period
        first = add_years(cp.start, -(cp.number - 1) * cp.length_years)
        if step <= 0:
            return None
        due, k = None, 1
        while add_years(first, k * step) <= as_of:
            due = add_years(first, k * step)
            k += 1
        return due

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
        info = self.pack.engine_info()
        info["methodology_registry"] = self.registry.name
        # --as-of: how many rules were evaluated of those in the pack, and which were left out (not in force)
        info["rules_evaluated"] = len(cp.rules)
        info["rules_not_in_force"] = list(cp.skipped)
        result = Result(source, pdd, as_of, findings, info, cp.skipped)
        if quantities:
            self._add_quantities(result, flat)
            # the quantities add their own findings (quantities.input_plausible, quantities.reconciliation)
            result.findings.sort(key=lambda f: (STATUS_ORDER.index(f.status), f.rule))
            if result.quantities is not None:
                result.quantities.set_findings([f.rule for f in result.failed])
        return result

    def _add_quantities(self, result: Result, flat: dict | None = None) -> None:
        from .quantities import compute_for_result

        compute_for_result(self, result, flat)

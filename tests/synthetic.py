"""Synthetic PDDs for the differential test, the boundary cases and the benchmarks, and the oracle
their expected statuses come from.

Two generators, both seeded and reproducible:

* :func:`random_pdd_data` builds varied but *valid* PDD documents (what a user would write), with
  values clustered around the thresholds the rules test (5 and 10 years, 180 days, F = 0.2, IRR
  equal to the benchmark...) and optional sections randomly left out;
* :func:`random_flat` fills every rule-readable field of the registry (derived ones included)
  with a random value of its type or leaves it out, so *every* rule of the pack, whoever wrote
  it, is exercised on both evaluators, including inputs a valid PDD could not produce.

:func:`reference_status` is the expected status of a rule on such facts: the exact three-valued
semantics (``pacm.expr.reference``), never either evaluator's output. ``tests/boundary_cases.py`` and
``tests/test_differential.py`` both use it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from pacm.expr.ir import BOOL, DATE, NUM, STR
from pacm.expr.reference import truth

_TECH = ["wind", "solar_pv", "hydro_run_of_river", "hydro_reservoir", "landfill_gas", "cookstoves",
         "afforestation_reforestation", "biomass_energy", "energy_efficiency"]
_HOSTS = ["IND", "BRA", "CHN", "UGA", "VUT", "BTN", "STP", "FJI", "NOR", "MMR", "KEN", "XXX"]
_KEY_DATES = [dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date(2023, 12, 31), dt.date(2024, 1, 1),
              dt.date(2024, 6, 30), dt.date(2024, 7, 1), dt.date(2025, 12, 31), dt.date(2026, 6, 30),
              dt.date(2026, 7, 1), dt.date(2012, 2, 29)]
_NUMS = [0, 1, 2, 3, 4, 5, 6, 7, 9.5, 10, 10.5, 11, 12, 12.0001, 14.2, 15, 16, 20, 25, 30, 100, 180, 181, -1, 0.2, 0.19, 0.21, 0.1, 0.01]


def _date(r: random.Random) -> dt.date:
    if r.random() < 0.5:
        return r.choice(_KEY_DATES) + dt.timedelta(days=r.choice([-1, 0, 0, 1]))
    return dt.date(2010, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 20))


def _num(r: random.Random) -> Decimal:
    if r.random() < 0.7:
        return Decimal(str(r.choice(_NUMS)))
    return Decimal(r.randrange(-50, 5000)) / Decimal(r.choice([1, 10, 100]))


def random_pdd_data(seed: int) -> dict:
    """A valid PDD document (as a YAML loader would return it)."""
    r = random.Random(seed)
    removal = r.random() < 0.25
    tech = "afforestation_reforestation" if removal else r.choice(_TECH)
    start = _date(r)
    cp_type = r.choice(["renewable", "fixed"])
    d: dict[str, Any] = {
        "activity": {
            "title": f"Synthetic activity {seed}",
            "reference": f"SYN-{seed}",
            "host_party": r.choice(_HOSTS),
            "type": "removal" if removal else "emission_reduction",
            "technology": tech,
            "methodology": {"id": r.choice(["ACM0002", "AMS-I.D", "A6.4-AMM-001", "AMS-II.G", "AR-ACM0003"]), "version": "1.0"},
        },
        "crediting_period": {
            "type": cp_type,
            "start": start,
            "length_years": r.choice([1, 3, 5, 6, 7, 10, 11, 15, 16, 20, 30]),
            "number": r.choice([1, 1, 2, 3, 4]),
        },
    }
    cp = d["crediting_period"]
    if r.random() < 0.7:
        cp["host_approved_length"] = r.random() < 0.85
    if r.random() < 0.6:
        cp["operational_lifetime_years"] = Decimal(r.choice([3, 5, 10, 20, 25, 40]))
    for k in ("baseline_updated_at_renewal", "latest_methodology_version_applied", "additionality_reassessed"):
        if r.random() < 0.5:
            cp[k] = r.random() < 0.7
    dates: dict[str, Any] = {}
    if r.random() < 0.9:
        dates["start_date"] = _date(r)
        if r.random() < 0.85:
            dates["prior_consideration_notified"] = dates["start_date"] + dt.timedelta(days=r.choice([0, 30, 179, 180, 181, 400, -5]))
    d["dates"] = dates
    add: dict[str, Any] = {}
    if r.random() < 0.85:
        add["legal_requirement"] = {"required_by_law": r.random() < 0.15, "analysis": "text"} if r.random() < 0.8 else {"required_by_law": r.random() < 0.15}
    if r.random() < 0.85:
        bench = Decimal(str(r.choice([8, 10, 11, 12, 12.0, 14])))
        inv: dict[str, Any] = {"analysis": r.choice(["benchmark", "benchmark", "investment_comparison"])}
        if r.random() < 0.9:
            inv["benchmark_pct"] = bench
        if r.random() < 0.9:
            inv["irr_without_credits_pct"] = bench + Decimal(str(r.choice([-3, -0.1, 0, 0.1, 2])))
        if r.random() < 0.8:
            inv["irr_with_credits_pct"] = bench + Decimal(str(r.choice([-1, 0, 1.5, 4])))
        if r.random() < 0.7:
            inv["benchmark_source"] = "source"
        inv["sensitivity"] = [
            {"parameter": f"p{i}", "variation_pct": Decimal(r.choice([-10, 10, 5, -5, 15])), "irr_pct": bench + Decimal(str(r.choice([-2, -0.5, 0, 1])))}
            for i in range(r.choice([0, 1, 2, 4]))
        ]
        add["investment"] = inv
    if r.random() < 0.85:
        n_all = r.choice([0, 1, 4, 5, 10, 20, 40])
        add["common_practice"] = {"n_all": n_all, "n_diff": r.randint(0, n_all)}
    if r.random() < 0.8:
        add["lock_in"] = {"extends_fossil_asset": r.random() < 0.1} if r.random() < 0.5 else {"assessment": "text", "extends_fossil_asset": r.random() < 0.1}
    d["additionality"] = add
    if r.random() < 0.8:
        bl: dict[str, Any] = {"approach": r.choice(["best_available_technology", "ambitious_benchmark", "historical_adjusted", "bau_projection"])}
        if r.random() < 0.7:
            bl["bau_emissions"] = Decimal(r.randrange(0, 200000))
            bl["baseline_emissions"] = bl["bau_emissions"] + Decimal(r.choice([-1000, 0, 0, 500]))
            if bl["baseline_emissions"] < 0:
                bl["baseline_emissions"] = Decimal(0)
        if r.random() < 0.6:
            bl["downward_adjustment"] = {"initial": Decimal(str(r.choice([0, 0.05, 0.1, 0.15]))), "annual_increment": Decimal(str(r.choice([0, 0.005, 0.01, 0.02])))}
        if r.random() < 0.6:
            bl["national_policies_considered"] = r.random() < 0.8
        if r.random() < 0.5:
            bl["justification"] = "text"
        d["baseline"] = bl
    if r.random() < 0.7:
        d["leakage"] = {"assessed": r.random() < 0.9, "sources": [{"source": "s", "treatment": "quantified"}] * r.choice([0, 1, 2])}
    if removal and r.random() < 0.8:
        rm: dict[str, Any] = {}
        if r.random() < 0.8:
            rm["reversal_risk"] = {"rating": r.choice(["low", "medium", "high", "very_high"]), "assessed_on": _date(r)}
        if r.random() < 0.7:
            rm["monitoring_report_interval_years"] = Decimal(r.choice([0, 1, 3, 5, 6]))
        ev = []
        for _ in range(r.choice([0, 0, 1, 2])):
            o = _date(r)
            ev.append({"observed_on": o, "notified_on": o + dt.timedelta(days=r.choice([5, 30, 31, 60]))} if r.random() < 0.8 else {"observed_on": o})
        rm["reversal_events"] = ev
        d["removals"] = rm
    if r.random() < 0.7:
        d["sd"] = {
            "risk_assessment": {"completed": r.random() < 0.9},
            "sdg_contributions": r.sample(range(1, 18), r.choice([0, 1, 3])),
            "grievance_mechanism": r.random() < 0.9,
        }
    if r.random() < 0.6:
        d["monitoring_plan"] = {"provided": r.random() < 0.9}
    if r.random() < 0.5:
        d["authorization"] = {"status": r.choice(["authorised", "mitigation_contribution", "pending"])}
    if r.random() < 0.5:
        d["issuance"] = {"planned_issuance_date": _date(r)}
    return d


def random_flat(seed: int, registry: dict[str, dict], p_missing: float = 0.25, strings: list[str] | None = None) -> dict[str, Any]:
    """Random values for every rule-readable field (type-correct; some left out).

    ``strings``: text values to draw free-text fields from (e.g. every string constant the rules
    compare with, so that a rule such as ``activity.methodology.id == 'ACM0002'`` gets both outcomes).
    """
    r = random.Random(seed)
    pool = ["a", "b", "IND", "text"] + list(strings or [])
    out: dict[str, Any] = {}
    for path, info in registry.items():
        if r.random() < p_missing:
            continue
        t = info["type"]
        if t == NUM:
            v = _num(r)
            if "count" in path or path.endswith(("n_all", "n_diff", "n_similar", "number")):
                v = Decimal(r.randrange(0, 8))
            out[path] = v
        elif t == DATE:
            out[path] = _date(r)
        elif t == BOOL:
            out[path] = r.random() < 0.5
        elif t == STR:
            choices = info.get("choices")
            out[path] = r.choice(choices) if choices else r.choice(pool)
    return out


def reference_status(cr, env) -> str:
    """The status the rule's three-valued semantics give on exact values (the oracle)."""
    a = truth(cr.rule.applies, env, cr.param_values)
    if a is False:
        return "not_applicable"
    if a is None:
        return "insufficient_data"
    q = truth(cr.rule.require, env, cr.param_values)
    if q is None:
        return "insufficient_data"
    return cr.status_map["pass" if q else "fail"]

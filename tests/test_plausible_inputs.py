"""Plausible inputs only (issue 10 item 4; review 2026-11 item 4): no out-of-range input is accepted silently.

Every numeric PDD field that declares a range carries it in the JSON Schema (``minimum`` / ``maximum``), and
the loader refuses a value outside it (exit 2, naming the field); every methodology input is non-negative unless
the methodology declares it signed, a fraction is at most 1, and a value outside the methodology's ``plausible``
range is a warning finding. The ranges come from the issue's list (fractions in [0, 1], percentages in
[0, 100], a crediting period of at least 1 year, years between 2000 and 2100) and the methodology files.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacm.engine import Engine
from pacm.errors import PacmInputError
from pacm.pdd.load import pdd_from_data
from pacm.pdd.schema import pdd_json_schema
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
BASE = load_file(ROOT / "tests" / "rule_cases" / "base_pdd.yaml").data  # every section filled
COOK = load_file(ROOT / "examples" / "cookstoves_malawi.yaml").data
AR = load_file(ROOT / "examples" / "reforestation_removal.yaml").data
ENGINE = Engine()


def _bounded_paths() -> list[tuple[tuple[str, ...], float | None, float | None]]:
    """(path in the base PDD, minimum, maximum) of every numeric scalar the schema bounds and the base PDD gives."""
    schema = pdd_json_schema()
    defs = schema["$defs"]
    out = []

    def walk(node, path, data):
        if "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        alts = node.get("anyOf")
        if alts:
            for a in alts:
                if "$ref" in a or a.get("type") == "object":
                    walk(a, path, data)
                    return
            num = next((a for a in alts if a.get("type") in ("number", "integer")), None)
            if num is not None and ("minimum" in num or "maximum" in num):
                out.append((path, num.get("minimum"), num.get("maximum")))
            return
        if node.get("type") in ("number", "integer") and ("minimum" in node or "maximum" in node):
            out.append((path, node.get("minimum"), node.get("maximum")))
            return
        for k, sub in (node.get("properties") or {}).items():
            if isinstance(data, dict) and k in data and not isinstance(data[k], list):
                walk(sub, path + (k,), data[k])

    walk(schema, (), BASE)
    return out


PATHS = _bounded_paths()


def test_the_schema_bounds_the_fields_the_issue_names():
    names = {".".join(p): (lo, hi) for p, lo, hi in PATHS}
    assert names["crediting_period.length_years"] == (1, None)
    assert names["baseline.downward_adjustment.annual_increment"] == (0, 1)
    assert names["additionality.investment.benchmark_pct"] == (0, 100)
    assert names["baseline.bau_emissions"] == (0, None)
    assert names["additionality.common_practice.n_all"] == (0, None)
    assert len(PATHS) >= 13


def _set(data, path, value):
    d = data
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), st.sampled_from(["below", "above"]),
       st.decimals(min_value=D("0.001"), max_value=D("1e6"), places=3))
def test_no_out_of_range_pdd_value_is_accepted(target, side, delta):
    path, lo, hi = target
    bound = lo if side == "below" else hi
    if bound is None:
        return
    value = D(str(bound)) - delta if side == "below" else D(str(bound)) + delta
    integer = isinstance(bound, int) and not isinstance(lo if lo is not None else hi, float)
    if integer:
        value = int(value.to_integral_value(rounding="ROUND_FLOOR" if side == "below" else "ROUND_CEILING"))
        if (lo is not None and value >= lo and side == "below") or (hi is not None and value <= hi and side == "above"):
            value = (lo - 1) if side == "below" else (hi + 1)
    data = copy.deepcopy(BASE)
    _set(data, path, value)
    with pytest.raises(PacmInputError) as exc:
        pdd_from_data(data, None, "<generated>")
    assert ".".join(path) in str(exc.value)
    assert "out-of-range" in str(exc.value) or "greater_than_equal" in str(exc.value) or "expected" in str(exc.value)


@pytest.mark.parametrize("path,lo", [(("crediting_period", "length_years"), 1), (("crediting_period", "number"), 1)])
def test_limits_one_inside_one_outside(path, lo):
    data = copy.deepcopy(BASE)
    _set(data, path, lo)
    pdd_from_data(data, None, "<x>")  # on the limit: accepted
    _set(data, path, lo - 1)
    with pytest.raises(PacmInputError):
        pdd_from_data(data, None, "<x>")


def test_year_keys_between_2000_and_2100():
    data = copy.deepcopy(COOK)
    data["quantification"]["yearly"]["N_stoves"] = {2100: 1, 2000: 1}
    pdd_from_data(data, None, "<x>")
    for y in (1999, 2101):
        data["quantification"]["yearly"]["N_stoves"] = {y: 1}
        with pytest.raises(PacmInputError, match="between 2000 and 2100"):
            pdd_from_data(data, None, "<x>")


def check(data):
    return ENGINE.check(pdd_from_data(data, None, "<x>"), dt.date(2026, 11, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["B_old", "eta_new", "fNRB", "NCV_biomass", "EF_fossil", "leakage_share"]),
       st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3))
def test_negative_methodology_inputs_are_refused_unless_signed(name, x):
    # review 2026-11: 'eta_new: -1' gave 40,332 issuable instead of 31,297, silently
    data = copy.deepcopy(COOK)
    data["quantification"]["inputs"][name] = -x
    with pytest.raises(PacmInputError, match=f"quantification.inputs.{name}"):
        check(data)


def test_fraction_inputs_are_at_most_one():
    data = copy.deepcopy(COOK)
    data["quantification"]["inputs"]["fNRB"] = D("1")
    check(data)
    data["quantification"]["inputs"]["fNRB"] = D("1.001")
    with pytest.raises(PacmInputError, match="fNRB"):
        check(data)


def test_signed_input_may_be_negative():
    # AR-ACM0003 delta_C_TREE_PROJ is declared signed: a fire is a negative stock change (a reversal)
    res = check(copy.deepcopy(AR))
    assert any(y["reversal"] == "2590" for y in res.quantities.to_json()["years"])


def test_efficiency_below_the_methodology_minimum_is_a_finding():
    # ams_ii_g eta_new plausible min 0.10 = default eta_old: a stove below it saves nothing (credits 0)
    data = copy.deepcopy(COOK)
    data["quantification"]["inputs"]["eta_new"] = D("0.10")
    res = check(data)
    assert not [f for f in res.findings if f.rule == "quantities.input_plausible"]
    data["quantification"]["inputs"]["eta_new"] = D("0.09")
    res = check(data)
    f = next(f for f in res.findings if f.rule == "quantities.input_plausible")
    assert f.status == "fail" and f.fields == ["quantification.inputs.eta_new"] and res.exit_code == 1
    assert res.to_json()["quantities"]["issuance"]["status"] == "would_be_issuable_once_failures_resolved"

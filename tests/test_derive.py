"""The derive layer of the rule pack (rules/derive.yaml, issue 15 item 1).

Derived fields are rules of the standard; they are pack data evaluated by the exact reference interpreter,
covered by the pack hash, and refused at load when malformed. Expected values are hand arithmetic.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.errors import PacmInputError
from pacm.expr.functions import FUNCTIONS
from pacm.expr.parser import ExprError, Names, parse_condition, parse_derived
from pacm.expr.reference import value
from pacm.pdd.derive import default_layer, layer_of, load_layer
from pacm.pdd.fields import flatten, registry, structure
from pacm.pdd.load import pdd_from_data
from pacm.rulepack import load_pack
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]
WIND = load_file(ROOT / "examples" / "wind_farm_india.yaml").data
AS_OF = dt.date(2026, 11, 1)


def _names():
    st = structure()
    reg = registry()
    return Names(lambda p: (reg.get(p) or {}).get("type"), lambda _n: None, lambda: reg.keys(),
                 list_item=st.lists.get, is_section=lambda p: p in st.sections)


def _eval(src: str, env: dict):
    return value(parse_derived(src, _names(), condition=False), env, {})


def _flat(data: dict) -> dict:
    return flatten(pdd_from_data(data, None, "<t>"))


# --------------------------------------------------------------------- functions
@pytest.mark.parametrize("src, env, expected", [
    ("period_end(crediting_period.start, crediting_period.length_years)",
     {"crediting_period.start": dt.date(2012, 2, 29), "crediting_period.length_years": 7}, dt.date(2019, 2, 28)),
    ("add_years(crediting_period.start, 1)", {"crediting_period.start": dt.date(2012, 2, 29)}, dt.date(2013, 3, 1)),
    ("days_inclusive(crediting_period.start, crediting_period.end)",
     {"crediting_period.start": dt.date(2024, 2, 1), "crediting_period.end": dt.date(2024, 2, 29)}, D(29)),
    ("years_spanned(transition.cdm_crediting_period_start, transition.cdm_crediting_period_end)",
     {"transition.cdm_crediting_period_start": dt.date(2012, 2, 29), "transition.cdm_crediting_period_end": dt.date(2019, 3, 1)}, D(7)),
    ("min(baseline.bau_emissions, baseline.baseline_emissions)",
     {"baseline.bau_emissions": D("100.5"), "baseline.baseline_emissions": D("99")}, D("99")),
    ("max(baseline.bau_emissions, baseline.baseline_emissions)",
     {"baseline.bau_emissions": D("100.5"), "baseline.baseline_emissions": D("99")}, D("100.5")),
    ("abs(baseline.bau_emissions - baseline.baseline_emissions)",
     {"baseline.bau_emissions": D("1.25"), "baseline.baseline_emissions": D("3")}, D("1.75")),
    ("first_present(baseline.crediting_baseline_emissions, baseline.bau_emissions)", {"baseline.bau_emissions": D(7)}, D(7)),
    ("first_present(baseline.crediting_baseline_emissions, baseline.bau_emissions)",
     {"baseline.crediting_baseline_emissions": D(5), "baseline.bau_emissions": D(7)}, D(5)),
])
def test_functions_are_exact(src, env, expected):
    got = _eval(src, env)
    assert got == expected and type(got) is type(expected)


def test_functions_are_strict_but_first_present():
    assert _eval("period_end(crediting_period.start, crediting_period.length_years)", {"crediting_period.start": dt.date(2020, 1, 1)}) is None
    assert _eval("min(baseline.bau_emissions, baseline.baseline_emissions)", {"baseline.bau_emissions": D(1)}) is None
    assert _eval("first_present(baseline.crediting_baseline_emissions, baseline.bau_emissions)", {}) is None
    # a calendar overflow or a fractional year is no value, never a crash
    assert _eval("add_years(crediting_period.start, 1)", {"crediting_period.start": dt.date(9999, 12, 31)}) is None
    assert _eval("add_years(crediting_period.start, 1.5)", {"crediting_period.start": dt.date(2020, 1, 1)}) is None
    assert _eval("years_spanned(transition.cdm_crediting_period_start, transition.cdm_crediting_period_end)",
                 {"transition.cdm_crediting_period_start": dt.date(2020, 1, 2),
                  "transition.cdm_crediting_period_end": dt.date(2020, 1, 1)}) is None


def test_list_functions():
    events = [
        {"observed_on": dt.date(2024, 1, 10), "notified_on": dt.date(2024, 2, 9), "avoidable": True},   # 30 days
        {"observed_on": dt.date(2024, 3, 1), "notified_on": None, "avoidable": None},
        {"observed_on": dt.date(2023, 12, 31), "notified_on": dt.date(2024, 3, 1), "avoidable": False},  # 1 + 31 + 29 = 61
    ]
    env = {"removals.reversal_events": events}
    assert _eval("count(removals.reversal_events)", env) == 3
    assert _eval("count(removals.reversal_events, item.avoidable)", env) == 1  # unknown is not counted
    assert _eval("count(removals.reversal_events, missing(item.notified_on))", env) == 1
    assert _eval("max_of(removals.reversal_events, item.notified_on - item.observed_on)", env) == 61
    assert _eval("min_of(removals.reversal_events, item.observed_on)", env) == dt.date(2023, 12, 31)
    assert _eval("min_of(removals.reversal_events, item.observed_on, missing(item.notified_on))", env) == dt.date(2024, 3, 1)
    assert _eval("min_of(removals.reversal_events, item.observed_on, item.avoidable and not item.avoidable)", env) is None
    assert _eval("sum_of(removals.reversal_events, item.notified_on - item.observed_on)", env) == 91  # 30 + 61
    assert _eval("count(sd.sdg_contributions, item > 5)", {"sd.sdg_contributions": [1, 7, 13]}) == 2
    assert _eval("max_of(sd.sdg_contributions, item)", {"sd.sdg_contributions": []}) is None


def test_if_else_and_absent():
    src = "'late' if dates.notification_delay_days > 180 else absent"
    assert _eval(src, {"dates.notification_delay_days": 181}) == "late"
    assert _eval(src, {"dates.notification_delay_days": 180}) is None
    assert _eval(src, {}) is None  # unknown condition: no value


@pytest.mark.parametrize("src, words", [
    ("period_end(crediting_period.start, 'ten')", "expected a number"),
    ("period_end(crediting_period.start)", "takes 2 arguments"),
    ("perod_end(crediting_period.start, 1)", "did you mean 'period_end'"),
    ("count(crediting_period.start)", "takes a list of the PDD first"),
    ("count(removals.reversal_events, item.observed)", "no field 'item.observed'"),
    ("max_of(leakage.sources, item.source)", "a number or a date"),
    ("min(activity.type, activity.title)", "compares numbers or dates"),
    ("1 if present(removals) else 'x'", "different types"),
    ("sum_of(removals.reversal_events, item.observed_on)", "adds numbers"),
])
def test_bad_calls_are_load_errors(src, words):
    with pytest.raises(ExprError) as exc:
        parse_derived(src, _names(), condition=False)
    assert words in str(exc.value)


def test_rule_conditions_call_no_function():
    """The evaluators compare facts; computing them is the derive layer's job."""
    for src in ("count(leakage.sources) > 1", "crediting_period.start < add_years(dates.start_date, 1)",
                "(1 if present(removals) else 2) > 1"):
        with pytest.raises(ExprError):
            parse_condition(src, _names())


def test_every_function_is_documented():
    for f in FUNCTIONS.values():
        assert f.doc and f.signature().startswith(f.name + "(")


# ------------------------------------------------------------- the bundled layer
def test_the_bundled_layer_defines_every_derived_field_of_the_registry():
    reg = registry()
    derived = {p for p, i in reg.items() if i["derived"] and not p.startswith("context.")}
    assert derived == {d.path for d in default_layer().fields}
    assert len(derived) == 36
    for d in default_layer().fields:
        assert d.description, d.path
        assert reg[d.path]["definition"]  # what `pacm explain` and the schema show


def test_derived_values_on_a_pdd():
    data = copy.deepcopy(WIND)
    data["removals"] = {"reversal_events": [
        {"observed_on": dt.date(2025, 1, 1), "avoidable": True},                                   # not compensated (not stated)
        {"observed_on": dt.date(2025, 2, 1), "avoidable": True, "compensated_by_participants": True},
        {"observed_on": dt.date(2025, 3, 1), "avoidable": True, "compensated_by_participants": False,
         "notified_on": dt.date(2025, 3, 31)},                                                     # 30 days
    ]}
    data["baseline"].update({"baseline_emissions": D(1000), "bau_emissions": D(950),
                             "downward_adjustment": {"initial": D("0.10"), "annual_increment": D("0.01")}})
    data["baseline"].pop("crediting_baseline_emissions", None)
    flat = _flat(data)
    assert flat["removals.avoidable_events"] == 3
    assert flat["removals.avoidable_uncompensated_events"] == 2
    assert flat["removals.unnotified_events"] == 2
    assert flat["removals.max_notification_delay_days"] == 30
    assert flat["removals.oldest_unnotified_event_on"] == dt.date(2025, 1, 1)
    assert flat["baseline.adjusted_emissions"] == D(900)          # 1000 x (1 - 0.10)
    assert flat["baseline.lower_of_adjusted_and_bau"] == D(900)   # lower of 900 and 950
    assert flat["baseline.crediting_baseline_first_year"] == D(900)
    assert flat["baseline.excess_over_bau"] == D(50)              # 1000 - 950
    assert flat["baseline.downward_adjustment.initial_pct"] == D("10.00")
    assert flat["activity.removals_standard_applies"] is False    # emission reduction, reversal risk not stated
    # without a removals section its derived fields do not exist (not 0)
    data.pop("removals")
    assert not any(k.startswith("removals.") for k in _flat(data))


def test_crediting_period_fields():
    data = copy.deepcopy(WIND)
    data.pop("transition", None)
    data["crediting_period"].update({"start": dt.date(2012, 2, 29), "length_years": 7, "number": 2})
    flat = _flat(data)
    assert flat["crediting_period.end"] == dt.date(2019, 2, 28)
    assert flat["crediting_period.length_days"] == 2557           # 7 x 365 + 2 (2016 and the day 2012-02-29)
    assert flat["crediting_period.cumulative_years"] == 14
    assert flat["crediting_period.prior_years"] == 7
    assert flat["is_cdm_transition"] is False and flat["crediting_period_under_a64"] is True
    assert flat["methodology_use"] == "renewal"
    assert "cdm_methodology_last_day" not in flat


@pytest.mark.parametrize("transition, number, use", [
    ({"cdm_crediting_period_end": dt.date(2022, 12, 5)}, 1, "transitioned"),   # starts before the CDM period ends
    ({"cdm_crediting_period_end": dt.date(2010, 12, 5)}, 1, "renewal"),        # starts after it: renewal
    ({"cdm_crediting_period_number": 1}, 2, "renewal"),                        # no dates: by the numbers
    ({"cdm_crediting_period_number": 2}, 2, "transitioned"),
    ({}, 1, None),                                                             # cannot tell
])
def test_methodology_use(transition, number, use):
    data = copy.deepcopy(WIND)
    data["transition"] = transition
    data["crediting_period"]["number"] = number
    flat = _flat(data)
    assert flat.get("methodology_use") == use
    assert flat["is_cdm_transition"] is True
    if use == "transitioned":
        assert flat["cdm_methodology_last_day"] == flat["crediting_period.end"]


# ------------------------------------------------------------------ pack data
@pytest.fixture()
def pack_copy(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "methodologies", tmp_path / "methodologies")
    return tmp_path / "rules"


def test_pack_hash_covers_the_derive_layer(pack_copy):
    before = load_pack(pack_copy).digest
    f = pack_copy / "derive.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("value: count(sd.indicators)", "value: count(sd.indicators) + 0"),
                 encoding="utf-8")
    assert load_pack(pack_copy).digest != before


def test_the_engine_uses_its_packs_derive_layer(pack_copy):
    """A pack's derived fields are its own: editing one changes what the rules see for that pack only."""
    f = pack_copy / "derive.yaml"
    text = f.read_text(encoding="utf-8")
    assert "value: count(sd.sdg_contributions)\n" in text
    f.write_text(text.replace("value: count(sd.sdg_contributions)\n", "value: count(sd.sdg_contributions, item > 7)\n"),
                 encoding="utf-8")
    pdd = pdd_from_data(copy.deepcopy(WIND), None, "<t>")
    sdgs = WIND["sd"]["sdg_contributions"]
    assert Engine(rules_dir=pack_copy).facts(pdd, AS_OF)["sd.sdg_count"] == sum(1 for g in sdgs if g > 7)
    assert Engine().facts(pdd, AS_OF)["sd.sdg_count"] == len(sdgs)
    assert sum(1 for g in sdgs if g > 7) != len(sdgs)  # the example tells the two apart


def _layer_error(tmp_path, body: str) -> str:
    p = tmp_path / "derive.yaml"
    p.write_text("title: t\nfields:\n" + body, encoding="utf-8")
    with pytest.raises(PacmInputError) as exc:
        load_layer(p)
    return str(exc.value)


@pytest.mark.parametrize("body, words", [
    ("  - {field: crediting_period.end2, type: date, value: crediting_period.start, description: d, colour: x}\n",
     "unknown key 'colour'"),
    ("  - {field: crediting_period.x, type: date, description: d}\n", "needs 'value'"),
    ("  - {field: nosuch.x, type: integer, value: '1', description: d}\n", "must be a section of the PDD"),
    ("  - {field: crediting_period.start, type: date, value: crediting_period.start, description: d}\n",
     "a field the PDD gives"),
    ("  - {field: crediting_period.x, type: integer, value: crediting_period.start, description: d}\n",
     "declared integer"),
    ("  - {field: crediting_period.x, type: integer, value: crediting_period.length_years / 2, description: d}\n",
     "may not divide"),
    ("  - {field: crediting_period.x, type: integer, value: crediting_period.y, description: d}\n"
     "  - {field: crediting_period.y, type: integer, value: '1', description: d}\n", "unknown field 'crediting_period.y'"),
    ("  - {field: crediting_period.x, type: integer, value: crediting_period.number, description: d, inputs: [dates.start_date]}\n",
     "is not read by the value"),
    ("  - {field: crediting_period.x, type: integer, value: crediting_period.number, description: d}\n"
     "  - {field: crediting_period.x, type: integer, value: crediting_period.number, description: d}\n", "derived twice"),
    ("  - {field: crediting_period.x, type: float, value: crediting_period.number, description: d}\n", "not one of"),
])
def test_bad_derive_layers_are_refused(tmp_path, body, words):
    assert words in _layer_error(tmp_path, body)


def test_a_pack_without_a_derive_layer_uses_the_bundled_one(tmp_path):
    assert layer_of(tmp_path) is default_layer()


def test_skipping_absent_needs_changes_no_value():
    """Layer.facts_of skips a derived field whose strictly needed facts are absent; computing every field
    anyway must give the same facts (random PDDs of the synthetic generator, and the examples)."""
    import dataclasses

    from pacm.pdd.derive import Layer
    from pacm.pdd.load import load_pdd
    from pacm.pdd.model import PDD
    from synthetic import random_pdd_data
    from pydantic import ValidationError

    layer = default_layer()
    full = Layer(tuple(dataclasses.replace(d, needs=()) for d in layer.fields), layer.source)
    assert any(d.needs for d in layer.fields)
    pdds = [load_pdd(str(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for seed in range(300):
        try:
            pdds.append(PDD.model_validate(random_pdd_data(seed)))
        except ValidationError:
            continue
    assert len(pdds) > 200
    for pdd in pdds:
        assert layer.facts_of(pdd) == full.facts_of(pdd)

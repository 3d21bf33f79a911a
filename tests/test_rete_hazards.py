"""Each durable-rules hazard measured in shared/domain/durable-rules.md, reproduced against the adapter.

The numbering follows that document. A test here fails if the adapter stops handling a hazard.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.evaluate import rete as rete_mod
from pacm.evaluate.rete import ReteError, ReteEvaluator, pattern_json, to_fact_value
from pacm.expr.parser import ExprError
from pacm.pdd.model import PDD
from pacm.rulepack import load_pack
from synthetic import random_pdd_data

AS_OF = dt.date(2026, 11, 1)
STRESS = Path(__file__).parent / "fixtures" / "compiler_pack"


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def flats(engine):
    return [engine.facts(PDD.model_validate(random_pdd_data(s)), AS_OF) for s in range(50)]


def test_1_handler_exception_is_recorded(engine):
    """An exception inside a rule action is recorded by the adapter (durable-rules would swallow it)."""
    ev = ReteEvaluator(engine.compiled(AS_OF))

    class Exploding(dict):
        def get(self, *a):
            raise RuntimeError("boom in a rule action")

    ev._results = Exploding()
    ev._action(ev._compiled.rules[0].id, "pass")(None)
    assert ev._errors and "boom" in repr(ev._errors[0])


def test_1_action_errors_surface_from_evaluate(engine, flats, monkeypatch):
    ev = ReteEvaluator(engine.compiled(AS_OF))

    def bad_action(self, rule_id, status):
        def run(c):
            try:
                raise ValueError(f"handler failed for {rule_id}")
            except BaseException as exc:
                self._errors.append(exc)

        return run

    monkeypatch.setattr(ReteEvaluator, "_action", bad_action)
    ev2 = ReteEvaluator(engine.compiled(AS_OF))
    with pytest.raises(ReteError, match="handler failed"):
        ev2.evaluate(flats[0])
    assert ev.evaluate(flats[0])  # the first evaluator, built before the patch, is unaffected


def test_2_facts_never_events(engine, flats, monkeypatch):
    ev = ReteEvaluator(engine.compiled(AS_OF))

    def no_events(*a, **k):
        raise AssertionError("the adapter must not post events")

    monkeypatch.setattr(ev._host, "post", no_events)
    monkeypatch.setattr(ev._host, "post_batch", no_events)
    for f in flats[:5]:
        ev.evaluate(f)


def test_2_every_matching_rule_fires_for_one_fact(engine):
    """With facts, all rules matching the same fact fire (an event would feed only the first)."""
    ev = ReteEvaluator(engine.compiled(AS_OF))
    pdd = PDD.model_validate(random_pdd_data(3))
    res = ev.evaluate(engine.facts(pdd, AS_OF))
    fired = [s for s in res.values() if s != "insufficient_data"]
    assert len(fired) > 5


def test_3_identical_content_twice_and_across_pdds(engine, flats):
    ev = ReteEvaluator(engine.compiled(AS_OF))
    first = ev.evaluate(flats[0], "a")
    for _ in range(20):  # the very same content again and again: never rejected as a duplicate
        assert ev.evaluate(flats[0], "a") == first
    assert ev.evaluate(dict(flats[0]), "b") == first


def test_3_rejected_fact_is_detected(engine, flats, monkeypatch):
    """If durable-rules silently drops a fact (duplicate hash), the catch-all never reports it: we raise."""
    ev = ReteEvaluator(engine.compiled(AS_OF))
    monkeypatch.setattr(ev._host, "assert_fact", lambda name, fact: None)
    with pytest.raises(ReteError, match="did not process"):
        ev.evaluate(flats[0])


def test_4_fact_matching_no_rule(engine):
    ev = ReteEvaluator(engine.compiled(AS_OF))
    res = ev.evaluate({})  # nothing at all: every rule cannot decide, nothing raises
    assert set(res.values()) <= {"insufficient_data", "not_applicable", "pass", "fail", "validator_judgement"}


def test_5_negative_patterns_do_not_loop():
    """`missing(x)` patterns match the session state record unless anchored: they would loop."""
    pack = load_pack(STRESS)
    ev = ReteEvaluator(pack.compile(AS_OF))

    def timeout(*a):
        raise TimeoutError("evaluation looped")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    try:
        res = ev.evaluate({"crediting_period.length_years": Decimal(3)})
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert res["stress.missing"] == "pass"
    # and every generated pattern carries the anchor
    for name, _ in ev.rulesets:
        definition = ev._host.get_ruleset(name).get_definition()
        for rule in definition.values():
            m = rule["all"][0]["m"]
            assert m == {"_kind": "pdd"} or m["$and"][0] == {"_kind": "pdd"}


def test_6_thousands_of_sessions(engine, flats):
    ev = ReteEvaluator(engine.compiled(AS_OF))
    expected = [ev.evaluate(f) for f in flats]
    for i in range(3000):  # far beyond the 1,024 live sessions that crash durable-rules
        j = i % len(flats)
        assert ev.evaluate(flats[j], str(i)) == expected[j]
    # sessions are deleted once their actions ran: durable-rules no longer knows the first one
    name, _ = ev.rulesets[0]
    with pytest.raises(Exception, match="309"):
        ev._host.get_ruleset(name).get_state("s1")


def test_7_no_dispatcher_threads(engine):
    before = threading.active_count()
    ev = ReteEvaluator(engine.compiled(AS_OF))
    assert ev._host._d_timer is None and ev._host._t_timer is None
    assert threading.active_count() == before


def test_8_two_adapters_same_pack_no_global_names(engine, flats):
    cp = engine.compiled(AS_OF)
    a, b = ReteEvaluator(cp), ReteEvaluator(cp)
    assert {n for n, _ in a.rulesets}.isdisjoint({n for n, _ in b.rulesets})
    assert a.evaluate(flats[1]) == b.evaluate(flats[1])


def test_8_definitions_not_mutated(engine):
    cp = engine.compiled(AS_OF)
    before = [pattern_json(cr.outcomes.passed) for cr in cp.rules]
    ReteEvaluator(cp)
    ReteEvaluator(cp)
    assert [pattern_json(cr.outcomes.passed) for cr in cp.rules] == before


def test_9_property_limit_splits_rulesets(engine, flats):
    cp = engine.compiled(AS_OF)
    whole = ReteEvaluator(cp)
    # 7: the widest rule (transition.cdm_methodology_usable, issue 10) reads 7 fields; still far below the pack's keys
    split = ReteEvaluator(cp, max_keys=7)
    assert len(split.rulesets) > 1
    assert all(len(keys) <= 7 for _, keys in split.rulesets)
    for f in flats:
        assert split.evaluate(f) == whole.evaluate(f)


def test_9_rule_too_wide_is_an_error(engine):
    cp = engine.compiled(AS_OF)
    with pytest.raises(ReteError, match="reads"):
        ReteEvaluator(cp, max_keys=1)


def test_10_types_coerced_at_the_boundary():
    assert to_fact_value(Decimal("0.92237")) == 0.92237
    assert to_fact_value(7) == 7.0 and isinstance(to_fact_value(7), float)  # integer division avoided
    assert to_fact_value(dt.date(2021, 1, 1)) == float(dt.date(2021, 1, 1).toordinal())
    assert to_fact_value(True) is True
    with pytest.raises(TypeError):
        to_fact_value(None)


def test_10_integer_division_and_division_by_zero():
    """3/2 must be 1.5 (durable-rules divides integers as integers), x/0 must not SIGFPE."""
    pack = load_pack(STRESS)
    ev = ReteEvaluator(pack.compile(AS_OF))
    flat = {"additionality.common_practice.n_diff": Decimal(3), "additionality.common_practice.n_all": Decimal(2)}
    assert ev.evaluate(flat)["stress.division"] == "fail"  # 1.5 < 0.5 is false; integer 3/2=1 would also fail
    flat = {"additionality.common_practice.n_diff": Decimal(1), "additionality.common_practice.n_all": Decimal(3)}
    assert ev.evaluate(flat)["stress.division"] == "pass"  # 0.333 < 0.5; integer 1/3 = 0 would pass too
    flat = {"additionality.common_practice.n_diff": Decimal(2), "additionality.common_practice.n_all": Decimal(3)}
    assert ev.evaluate(flat)["stress.division"] == "fail"  # 0.667; integer division would give 0 -> pass
    flat = {"additionality.common_practice.n_diff": Decimal(1), "additionality.common_practice.n_all": Decimal(0)}
    assert ev.evaluate(flat)["stress.division"] == "insufficient_data"


def test_10_type_errors_refused_at_load():
    from pacm.expr.parser import Names, parse_condition
    from pacm.pdd.fields import field_type

    names = Names(field_type, lambda n: None)
    for bad in (
        "activity.host_party > 9",  # "10" > 9 compares as strings in durable-rules
        "crediting_period.host_approved_length == 1",  # 1 == true
        "crediting_period.start > 5",
        "activity.title < 'b'",
    ):
        with pytest.raises(ExprError):
            parse_condition(bad, names)


def test_10_absent_values_never_null(engine):
    pdd = PDD.model_validate(random_pdd_data(7))
    flat = engine.facts(pdd, AS_OF)
    assert all(v is not None for v in flat.values())
    # every fact value goes through to_fact_value (ReteEvaluator.evaluate): none of them is null
    assert None not in [rete_mod.to_fact_value(v) for v in flat.values()]

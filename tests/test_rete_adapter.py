"""The durable-rules adapter's own arithmetic and error reports (issue 14 item 3: ``rete`` code mutants).

Hazard 12 (durable-rules' alpha stack of 64 nodes) is guarded by counting the conjunctive paths of each
pattern once its ``$or`` branches are expanded: a product over ``and``, a sum over ``or``. The counts below
are worked out by hand from that definition.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pacm.engine import Engine
from pacm.evaluate.rete import ReteError, ReteEvaluator, _value_json, pattern_json, pattern_paths
from pacm.expr.patterns import P_FALSE, P_TRUE, PAnd, PCmp, PExists, POr, VConst, VKey

A, B, C, D, E = (PExists(k) for k in "abcde")


def test_pattern_paths_multiply_over_and_add_over_or():
    assert pattern_paths(A) == 1 and pattern_paths(P_TRUE) == 1 and pattern_paths(P_FALSE) == 0
    assert pattern_paths(POr((A, B))) == 2
    assert pattern_paths(PAnd((POr((A, B)), POr((C, D, E))))) == 6  # (a|b) & (c|d|e): 2 x 3
    assert pattern_paths(PAnd((A, POr((B, C))))) == 2  # 1 x 2
    assert pattern_paths(POr((PAnd((POr((A, B)), C)), D))) == 3  # (2 x 1) + 1
    assert pattern_paths(PAnd((A, P_FALSE))) == 0  # never matches: no path


def test_pattern_json_forms():
    assert pattern_json(P_TRUE) is None
    assert pattern_json(A) == {"$ex": {"a": 1}} and pattern_json(PExists("a", negate=True)) == {"$nex": {"a": 1}}
    assert pattern_json(PCmp("==", "a", VKey("b"))) == {"$and": [{"$lte": {"a": {"$m": "b"}}}, {"$gte": {"a": {"$m": "b"}}}]}
    assert pattern_json(PCmp("==", "a", VConst(2.0))) == {"a": 2.0}
    assert pattern_json(PCmp(">=", "a", VConst(2.0))) == {"$gte": {"a": 2.0}}


def test_internal_errors_name_what_they_could_not_translate():
    with pytest.raises(TypeError, match="not-a-pattern"):
        pattern_json("not-a-pattern")
    with pytest.raises(TypeError, match="not-a-value"):
        _value_json("not-a-value")


def test_two_outcomes_for_one_rule_is_reported():
    ev = ReteEvaluator(Engine().compiled(dt.date(2026, 11, 1)))
    rid = ev._compiled.rules[0].id
    ev._action(rid, "pass")(None)
    ev._action(rid, "pass")(None)  # the same outcome twice (an $or matched on two branches): fine
    assert ev._errors == []
    ev._action(rid, "fail")(None)
    assert isinstance(ev._errors[0], ReteError)
    assert str(ev._errors[0]) == f"rule {rid} produced two outcomes (pass, fail)"


# ----------------------------------------------------------------------------- rulesets within durable's limits
def _pack(rule_ids=None):
    from dataclasses import replace

    compiled = Engine().compiled(dt.date(2026, 11, 1))
    if rule_ids is None:
        return compiled
    return replace(compiled, rules=[r for r in compiled.rules if r.id in rule_ids])


def _size(cr):
    from pacm.expr.patterns import pattern_keys

    o = cr.outcomes
    keys = set().union(*(pattern_keys(p) for p in (o.passed, o.failed, o.not_applicable)))
    return keys, sum(pattern_paths(p) for p in (o.passed, o.failed, o.not_applicable))


def _two_rules():
    """Two rules that read different fields, each with more than one condition path."""
    pack = _pack()
    sized = [(cr, *_size(cr)) for cr in pack.rules]
    for i, (a, ka, pa) in enumerate(sized):
        for b, kb, pb in sized[i + 1:]:
            if kb - ka and ka - kb and pa > 1 and pb > 1:
                return _pack({a.id, b.id}), (ka, pa), (kb, pb)
    raise AssertionError("the pack has no two such rules")


def test_rules_share_a_ruleset_up_to_the_limits_exactly():
    pack, (ka, pa), (kb, pb) = _two_rules()
    keys, paths = len(ka | kb), pa + pb
    assert len(ReteEvaluator(pack, max_keys=keys, max_paths=paths).rulesets) == 1  # on both limits: one ruleset
    assert len(ReteEvaluator(pack, max_keys=keys - 1, max_paths=paths).rulesets) == 2  # one key over
    assert len(ReteEvaluator(pack, max_keys=keys, max_paths=paths - 1).rulesets) == 2  # one path over
    for name, k in ReteEvaluator(pack, max_keys=keys, max_paths=paths - 1).rulesets:
        assert k in (ka, kb)


def test_a_rule_over_a_limit_is_refused_with_its_numbers():
    pack, (ka, pa), _ = _two_rules()
    one = _pack({pack.rules[0].id})
    ka, pa = _size(one.rules[0])
    assert len(ReteEvaluator(one, max_keys=len(ka), max_paths=pa).rulesets) == 1  # exactly on both limits
    rid = one.rules[0].id
    with pytest.raises(ReteError, match=rf"^rule {rid} has {pa} condition paths, over the {pa - 1} a ruleset may carry$"):
        ReteEvaluator(one, max_keys=len(ka), max_paths=pa - 1)
    with pytest.raises(ReteError, match=rf"^rule {rid} reads {len(ka)} fields, over the {len(ka) - 1} a fact may carry$"):
        ReteEvaluator(one, max_keys=len(ka) - 1, max_paths=pa)


def test_every_ruleset_holds_rules_and_an_empty_pack_one_catch_all():
    ev = ReteEvaluator(_pack())
    assert all(keys for _, keys in ev.rulesets)  # no empty ruleset beside the real ones
    empty = ReteEvaluator(_pack(set()))
    assert len(empty.rulesets) == 1 and empty.evaluate({"activity.title": "x"}) == {}


# ----------------------------------------------------------------------------- facts as durable-rules reads them
def test_fixed_float_never_writes_an_exponent():
    from pacm.evaluate.rete import _fixed_float

    assert _fixed_float(1e-05) == "0.00001"  # repr gives 1e-05, which durable's parser refuses (hazard 13)
    assert _fixed_float(1.5e-07) == "0.00000015"
    assert _fixed_float(1e16) == "10000000000000000"  # repr 1e+16
    assert _fixed_float(0.1) == "0.1" and _fixed_float(-2.5) == "-2.5"
    for bad in ("nan", "inf", "-inf"):
        with pytest.raises(ValueError, match=f"^cannot give durable-rules the non-finite number {bad}$"):
            _fixed_float(float(bad))


def test_fact_values_and_refusals():
    from decimal import Decimal

    from pacm.evaluate.rete import to_fact_value

    assert to_fact_value(dt.date(1, 1, 2)) == 2.0 and to_fact_value(Decimal("0.5")) == 0.5 and to_fact_value(True) is True
    with pytest.raises(TypeError, match="^cannot assert list$"):
        to_fact_value([1])


def test_non_ascii_text_reaches_durable_rules_unescaped():
    """durable-rules' parser does not decode JSON \\u escapes (measured): a fact written with them would never
    equal a rule's non-ASCII constant, so facts keep their UTF-8 text (ensure_ascii=False, as durable asks)."""
    from pacm.evaluate.rete import _FixedJSON, _import_engine

    assert _FixedJSON.dumps({"s": "é"}, ensure_ascii=False) == '{"s": "é"}'
    # "ü" escaped would be \u00fc, which shows no exponent, so only the fast path writes it: it must keep the UTF-8
    # text too ("é" escaped is \u00e9, which looks like an exponent and goes through the slow path)
    assert _FixedJSON.dumps({"s": "ü"}, ensure_ascii=False) == '{"s": "ü"}'
    assert _FixedJSON.dumps({"s": "é", "x": 1e-05}, ensure_ascii=False) == '{"s": "é", "x": 0.00001}'
    eng = _import_engine()

    class Quiet(eng.Host):
        def _run(self):
            self._d_timer = self._t_timer = None

    host, hits = Quiet(), []
    host.register_rulesets({"nonascii": {
        "r": {"all": [{"m": {"$and": [{"_kind": "pdd"}, {"s": "é"}]}}], "run": lambda c: hits.append(1)},
        "_c": {"all": [{"m": {"_kind": "pdd"}}], "run": lambda c: None}}})
    host.assert_fact("nonascii", {"_kind": "pdd", "s": "é", "sid": "a"})
    assert hits == [1]


def test_no_session_is_left_behind():
    """Hazard 6: each ruleset's session is deleted after its fact is asserted; none falls back to the default."""
    from pacm.pdd.model import PDD
    from synthetic import random_pdd_data

    engine = Engine()
    ev = ReteEvaluator(engine.compiled(dt.date(2026, 11, 1)))
    ev.evaluate(engine.facts(PDD.model_validate(random_pdd_data(1)), dt.date(2026, 11, 1)))
    for name, _ in ev.rulesets:
        for sid in [f"s{i}" for i in range(1, len(ev.rulesets) + 1)] + ["0", "None"]:
            with pytest.raises(Exception, match="309"):
                ev._host.get_state(name, sid)


def test_an_action_error_surfaces_with_its_cause(monkeypatch):
    """One failing action among many: the error raised is that one, with it as the cause."""
    from pacm.pdd.model import PDD
    from synthetic import random_pdd_data

    engine = Engine()
    boom = RuntimeError("boom")
    real = ReteEvaluator._action
    flat = engine.facts(PDD.model_validate(random_pdd_data(1)), dt.date(2026, 11, 1))
    statuses = ReteEvaluator(engine.compiled(dt.date(2026, 11, 1))).evaluate(flat)
    first = next(r for r, s in statuses.items() if s != "insufficient_data")  # a rule whose action runs

    def action(self, rule_id, status):
        if rule_id != first:
            return real(self, rule_id, status)
        return lambda c: self._errors.append(boom)

    monkeypatch.setattr(ReteEvaluator, "_action", action)
    ev = ReteEvaluator(engine.compiled(dt.date(2026, 11, 1)))
    with pytest.raises(ReteError, match=r"^rule action failed: RuntimeError\('boom'\)$") as info:
        ev.evaluate(flat)
    assert info.value.__cause__ is boom


def test_outcomes_that_never_or_always_match():
    """A rule whose pass can never match still reports its other outcomes; an outcome that always matches
    (no condition) is anchored on the PDD fact alone."""
    from dataclasses import replace

    from pacm.expr.patterns import Outcomes

    pack = _pack()
    cr = pack.rules[0]
    never_passes = replace(cr, outcomes=Outcomes(P_FALSE, P_FALSE, P_TRUE))  # not applicable, whatever the PDD
    always_passes = replace(pack.rules[1], outcomes=Outcomes(P_TRUE, P_FALSE, P_FALSE))
    ev = ReteEvaluator(replace(pack, rules=[never_passes, always_passes]))
    assert ev.evaluate({"activity.title": "x"}) == {cr.id: "not_applicable", pack.rules[1].id: "pass"}


def test_fixed_notation_path_writes_what_json_dumps_writes():
    """The slow path (taken when a float would show an exponent) writes the text ``json.dumps(obj,
    ensure_ascii=False)`` writes, floats apart: json's documented defaults are separators ", " and ": ",
    keys in insertion order (sort_keys=False), non-str keys refused (skipkeys=False), circular
    references refused (check_circular=True) and other objects refused by JSONEncoder.default."""
    from pacm.evaluate.rete import _FixedJSON

    # "b" before "a": insertion order kept; "é" unescaped; 1e-05 -> 0.00001 (hazard 13), 2.5 as repr writes it
    obj = {"b": [1e-05, 2.5, True, None], "a": {"é": "x\"y"}}
    assert _FixedJSON.dumps(obj, ensure_ascii=False) == '{"b": [0.00001, 2.5, true, null], "a": {"é": "x\\"y"}}'
    with pytest.raises(TypeError, match="^keys must be str, int, float, bool or None, not tuple$"):
        _FixedJSON.dumps({(1, 2): 1e-05}, ensure_ascii=False)
    with pytest.raises(TypeError, match="^Object of type set is not JSON serializable$"):
        _FixedJSON.dumps({"x": 1e-05, "s": {1}}, ensure_ascii=False)
    loop: list = [1e-05]
    loop.append(loop)
    with pytest.raises(ValueError, match="^Circular reference detected$"):
        _FixedJSON.dumps(loop, ensure_ascii=False)
    with pytest.raises(ValueError, match="^durable-rules was expected to call json.dumps with ensure_ascii=False only$"):
        _FixedJSON.dumps({}, ensure_ascii=True)

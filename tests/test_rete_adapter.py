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

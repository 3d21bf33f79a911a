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

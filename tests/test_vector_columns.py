"""The vector evaluator's columns, step program and status tables (issue 14: ``vector`` code mutants).

``tests/test_differential.py`` compares the vector evaluator with durable-rules on the rule pack; these
tests pin what the pack never shows it: a field that no PDD of a batch fills, a column holding values of
several types, a comparison that no existence guard precedes, outcomes that always or never match, a
frame with its own index, a pack whose list of rules changed. Every expected status is worked out by hand
beside the case from the three-valued semantics of the module docstring (an absent operand never
matches; text and true/false equal only values of their own type), never read from the evaluator.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from pacm.engine import Engine
from pacm.evaluate.vector import (
    Statuses,
    VectorEvaluator,
    _compare,
    _Program,
    decide_atoms,
    fact_columns,
    facts_frame,
)
from pacm.expr.patterns import P_FALSE, P_TRUE, ExactAtom, Outcomes, PAnd, PCmp, PExists, POr, VArith, VConst, VKey

AS_OF = dt.date(2026, 11, 1)


def _pack(n_rules: int = 2):
    """A fresh copy of the compiled pack with its first automatic rules (a copy: no program cached on it)."""
    compiled = Engine().compiled(AS_OF)
    rules = [cr for cr in compiled.rules if cr.rule.kind == "automatic"][:n_rules]
    return replace(compiled, rules=rules)


def _with(outcomes: list[Outcomes], judgement: bool = False):
    """A pack whose rules have the given outcome patterns (automatic rules, or validator-judgement ones)."""
    compiled = Engine().compiled(AS_OF)
    kind = "validator_judgement" if judgement else "automatic"
    base = [cr for cr in compiled.rules if cr.rule.kind == kind][: len(outcomes)]
    return replace(compiled, rules=[replace(cr, outcomes=o) for cr, o in zip(base, outcomes)])


def _statuses(compiled, flats) -> list[list[str]]:
    """Statuses, rules by PDDs."""
    got = VectorEvaluator(compiled).evaluate_many(flats)
    return [[row[cr.id] for row in got] for cr in compiled.rules]


# ------------------------------------------------------------------------------------ columns
def test_a_field_no_pdd_of_the_batch_fills_is_absent_everywhere():
    # 'a' is named by every PDD but always None; no PDD has 'b' at all
    rows = [{"a": None, "c": 1.0}, {"a": None, "c": 2.0}, {"c": 3.0}]
    n, cols = fact_columns(rows, {"a", "b", "c"})
    assert "b" not in cols
    a = cols["a"]
    assert a.kind == "num" and not a.present.any() and np.isnan(a.values).all()
    for op in ("<", "<=", ">", ">=", "==", "!="):
        # absent: no comparison holds, with a constant or with a present field ('!=' included)
        assert _compare(op, a, VConst(1.0), cols, n).tolist() == [False] * 3
        assert _compare(op, a, VKey("c"), cols, n).tolist() == [False] * 3
        assert _compare(op, cols["c"], VKey("a"), cols, n).tolist() == [False] * 3
        assert _compare(op, cols["c"], VKey("b"), cols, n).tolist() == [False] * 3
    # an exact atom over it is decided nowhere (c + a has no value), nor over the field no PDD has; an atom
    # after them still is: c < c + 0.1 holds on every row
    atoms = [(k, ExactAtom("<", "c", VArith("+", VKey(k), VConst(Decimal("0.1"))))) for k in ("a", "b", "c")]
    got = decide_atoms(atoms, cols, n)
    assert got["a"].present.tolist() == got["b"].present.tolist() == [False] * 3
    assert got["c"].present.tolist() == [True] * 3 and got["c"].values.tolist() == [True] * 3


def test_columns_of_several_types():
    day = dt.date(2020, 1, 1)  # proleptic ordinal 737425 (date.toordinal: 2019 years of 365/366 days, + 1)
    rows = [
        {"t": "wind", "n": 1, "d": day, "x": 3, "b": True},
        {"t": 1, "n": Decimal("2.5"), "d": 5, "x": "3", "b": False},
        {"t": True, "n": 0.5, "d": None, "x": None},
        {},
    ]
    n, cols = fact_columns(rows, None)  # None: every key the PDDs hold
    assert set(cols) == {"t", "n", "d", "x", "b"}
    # numbers of any Python type: one float column
    assert cols["n"].kind == "num" and cols["n"].values[:3].tolist() == [1.0, 2.5, 0.5]
    assert cols["n"].present.tolist() == [True, True, True, False]
    # a date and a number both become numbers (the date its ordinal, as to_fact_value converts it)
    assert cols["d"].kind == "num" and cols["d"].values[:2].tolist() == [737425.0, 5.0]
    assert cols["d"].present.tolist() == [True, True, False, False]
    assert cols["b"].kind == "bool" and cols["b"].values.tolist() == [True, False, False, False]
    assert cols["b"].present.tolist() == [True, True, False, False]
    t = cols["t"]
    assert t.kind == "mixed" and t.present.tolist() == [True, True, True, False]
    assert t.values.tolist() == ["wind", 1.0, True, None]
    # text equals only text, true only true/false: 1.0 == True in Python, but not here
    assert _compare("==", t, VConst("wind"), cols, n).tolist() == [True, False, False, False]
    assert _compare("!=", t, VConst("wind"), cols, n).tolist() == [False, True, True, False]
    assert _compare("==", t, VConst(True), cols, n).tolist() == [False, False, True, False]
    assert _compare("!=", t, VConst(True), cols, n).tolist() == [True, True, False, False]
    # a mixed pair, field with field: element by element as Python compares (3.0 == '3' is false)
    x = cols["x"]
    assert x.kind == "mixed" and x.values.tolist() == [3.0, "3", None, None]
    assert _compare("==", x, VKey("n"), cols, n).tolist() == [False, False, False, False]
    assert _compare("!=", x, VKey("n"), cols, n).tolist() == [True, True, False, False]
    assert _compare("==", t, VKey("n"), cols, n).tolist() == [False, False, False, False]
    assert _compare("==", t, VKey("t"), cols, n).tolist() == [True, True, True, False]


def test_columns_every_row_fills():
    # no None among the values: numpy would make these bool/int/str arrays, not object ones
    rows = [{"f": True, "i": 2, "s": "wind"}, {"f": False, "i": 3, "s": "solar"}]
    n, cols = fact_columns(rows, {"f", "i", "s"})
    assert (cols["f"].kind, cols["i"].kind, cols["s"].kind) == ("bool", "num", "str")
    assert _compare("==", cols["f"], VConst(True), cols, n).tolist() == [True, False]
    assert _compare("<", cols["i"], VConst(3.0), cols, n).tolist() == [True, False]
    assert _compare("==", cols["s"], VConst("solar"), cols, n).tolist() == [False, True]
    assert _compare("!=", cols["f"], VKey("f"), cols, n).tolist() == [False, False]


def test_a_dotted_path_is_its_fact_key_and_an_unread_path_no_column():
    n, cols = fact_columns([{"a.b": 1, "c": 2}, {"a.b": 3}], {"a__b"})
    assert n == 2 and set(cols) == {"a__b"}
    assert cols["a__b"].values.tolist() == [1.0, 3.0]


def test_a_value_no_fact_can_hold_is_refused():
    with pytest.raises(TypeError, match="cannot assert list"):
        fact_columns([{"a": 1}, {"a": [1]}], {"a"})


def test_a_numeric_comparison_on_a_text_column_is_refused():
    n, cols = fact_columns([{"t": "wind"}], {"t"})
    with pytest.raises(TypeError, match=r"numeric comparison on a str column \(< 1\.0\)"):
        _compare("<", cols["t"], VConst(1.0), cols, n)


# ------------------------------------------------------------------------------ step program
def test_comparisons_without_existence_guards():
    """The compiler puts an existence guard before each comparison, but the program must not rely on
    it: a comparison alone reads its fields (left and right) from the PDDs."""
    pack = _with([
        Outcomes(PCmp(">", "a", VConst(1.0)), PCmp("<=", "a", VConst(1.0)), P_FALSE),
        Outcomes(PCmp("==", "a", VKey("b")), PCmp("!=", "a", VKey("b")), P_FALSE),
    ])
    rows = [{"a": 2, "b": 2}, {"a": 1, "b": 2}, {"b": 1}, {"a": 1}]
    assert _statuses(pack, rows) == [
        ["pass", "fail", "insufficient_data", "fail"],  # a > 1: 2 > 1, 1 <= 1, a absent, 1 <= 1
        ["pass", "fail", "insufficient_data", "insufficient_data"],  # a == b: 2 == 2, 1 != 2, a absent, b absent
    ]


def test_outcomes_that_always_or_never_match_and_later_outcomes_win():
    a = PExists("a")
    pack = _with([
        Outcomes(P_TRUE, P_FALSE, P_FALSE),  # passes whatever the PDD, even an empty one
        Outcomes(P_FALSE, P_FALSE, P_FALSE),  # never decided
        Outcomes(a, P_FALSE, P_TRUE),  # not applicable, overwritten by pass where 'a' is present
        Outcomes(P_FALSE, P_TRUE, a),  # fail overwrites not applicable
        Outcomes(PAnd((a, PExists("b"))), POr((a, PExists("b"))), P_FALSE),  # pass where both, fail where one
    ])
    rows = [{"a": 1}, {}, {"a": 1, "b": 2}, {"b": 2}]
    assert _statuses(pack, rows) == [
        ["pass"] * 4,
        ["insufficient_data"] * 4,
        ["pass", "not_applicable", "pass", "not_applicable"],
        ["fail"] * 4,
        ["fail", "insufficient_data", "pass", "fail"],
    ]


def test_constant_patterns_inside_and_or():
    # the compiler folds true/false out of and/or; the program must still give them their meaning
    a = PExists("a")
    pack = _with([
        Outcomes(POr((a, P_FALSE)), PAnd((a, P_TRUE, P_FALSE)), P_FALSE),  # a or false = a; a and true and false = false
        Outcomes(P_FALSE, PAnd((a, P_TRUE)), POr((P_FALSE, P_TRUE))),  # not applicable everywhere, fail where a
    ])
    assert _statuses(pack, [{"a": 1}, {}]) == [["pass", "insufficient_data"], ["fail", "not_applicable"]]


def test_validator_judgement_outcomes():
    # a validator-judgement rule: its pass outcome reads 'validator_judgement', its fail 'insufficient_data'
    pack = _with([Outcomes(PExists("a"), PExists("a", negate=True), P_FALSE)] * 2, judgement=True)
    assert _statuses(pack, [{"a": 1}, {}]) == [["validator_judgement", "insufficient_data"]] * 2
    vec = VectorEvaluator(pack)
    assert vec.program.names == ["insufficient_data", "validator_judgement"]


def test_a_pattern_the_compiler_never_makes_is_refused():
    with pytest.raises(TypeError, match="arithmetic left in a pattern"):
        _Program(_with([Outcomes(PCmp("<", "a", VArith("+", VKey("b"), VConst(1.0))), P_FALSE, P_FALSE)]))
    with pytest.raises(TypeError, match=r"VKey\(key='a'\)"):  # names what it got
        _Program(_with([Outcomes(VKey("a"), P_FALSE, P_FALSE)]))


def test_the_program_follows_a_changed_list_of_rules():
    pack = _pack(3)
    first = VectorEvaluator(pack)
    assert first.compiled is pack
    assert VectorEvaluator(pack).program is first.program  # built once per compiled pack
    pack.rules = pack.rules[1:]
    assert VectorEvaluator(pack).program.rule_ids == [cr.id for cr in pack.rules]


# ------------------------------------------------------------------------------ status tables
def test_status_tables():
    s = Statuses(["r1", "r2"], ["insufficient_data", "pass", "fail"], np.array([[1, 2, 0], [0, 1, 2]], dtype=np.uint8))
    # codes are rules by PDDs; text() is PDDs by rules
    assert s.text().tolist() == [["pass", "insufficient_data"], ["fail", "pass"], ["insufficient_data", "fail"]]
    assert s.records() == [{"r1": "pass", "r2": "insufficient_data"}, {"r1": "fail", "r2": "pass"},
                           {"r1": "insufficient_data", "r2": "fail"}]
    f = s.frame(index=["p", "q", "s"])
    assert f.index.tolist() == ["p", "q", "s"] and f.columns.tolist() == ["r1", "r2"]
    assert f.to_dict(orient="index") == {"p": {"r1": "pass", "r2": "insufficient_data"},
                                         "q": {"r1": "fail", "r2": "pass"},
                                         "s": {"r1": "insufficient_data", "r2": "fail"}}


def test_a_frame_keeps_its_index():
    # the statuses of each PDD stay on that PDD's row label (the batch joins on it)
    pack = _with([Outcomes(PCmp(">", "a", VConst(1.0)), PCmp("<=", "a", VConst(1.0)), P_FALSE)])
    df = facts_frame([{"a": 2}, {"a": 0}, {}])
    df.index = [30, 10, 20]
    got = VectorEvaluator(pack).evaluate_frame(df)
    assert got.index.tolist() == [30, 10, 20]
    assert got[pack.rules[0].id].to_dict() == {30: "pass", 10: "fail", 20: "insufficient_data"}


def test_the_callers_frame_is_left_as_it_was():
    # a true/false column with a gap is an object column holding NaN: the evaluator must not write into it
    df = facts_frame([{"f": True, "a": 2}, {"a": 0}, {"f": False}])
    before = {k: [repr(x) for x in df[k].tolist()] for k in df.columns}
    pack = _with([Outcomes(PCmp("==", "f", VConst(True)), PCmp("==", "f", VConst(False)), P_FALSE),
                  Outcomes(PCmp(">", "a", VConst(1.0)), PCmp("<=", "a", VConst(1.0)), P_FALSE)])
    got = VectorEvaluator(pack).evaluate_frame(df)
    assert {k: [repr(x) for x in df[k].tolist()] for k in df.columns} == before
    assert got.to_dict(orient="list") == {pack.rules[0].id: ["pass", "insufficient_data", "fail"],
                                          pack.rules[1].id: ["pass", "fail", "insufficient_data"]}


def test_only_the_fields_rules_read_are_converted():
    # a path no rule reads is never turned into a fact (a list here: to_fact_value would refuse it)
    pack = _with([Outcomes(PCmp(">", "a", VConst(1.0)), PCmp("<=", "a", VConst(1.0)), P_FALSE)])
    assert _statuses(pack, [{"a": 2, "notes": ["x", "y"]}, {"a": 1}]) == [["pass", "fail"]]


def test_deciding_atoms_prints_no_numpy_warning():
    # 0/0, 1/0 and an overflowing product: numpy would warn (invalid, divide, overflow); such rows are
    # undecided (a zero divisor) or decided exactly (c < a * b: 1 < 0, 1 < 0, 1 < 1e309)
    rows = [{"a": 0.0, "b": 0.0, "c": 1.0}, {"a": 1.0, "b": 0.0, "c": 1.0}, {"a": 1e308, "b": 10.0, "c": 1.0}]
    n, cols = fact_columns(rows, {"a", "b", "c"})
    atoms = [("d", ExactAtom("<", "c", VArith("/", VKey("a"), VKey("b")))),
             ("m", ExactAtom("<", "c", VArith("*", VKey("a"), VKey("b"))))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = decide_atoms(atoms, cols, n)
    # a / b: 0/0 and 1/0 have no value; 1 < 1e308 / 10 = 1e307
    assert got["d"].present.tolist() == [False, False, True] and bool(got["d"].values[2]) is True
    assert got["m"].present.tolist() == [True, True, True] and got["m"].values.tolist() == [False, False, True]


def test_an_atom_over_a_column_that_is_not_all_numbers():
    # decided row by row on exact values; a value that is not a number (text, true/false) gives the atom no
    # value, as exact_number gives it none: c < m + 0.1 with m = 1.5 holds (1.55 < 1.6); 'x', absent, True: no value
    rows = [{"m": 1.5, "t": "x", "c": 1.55}, {"m": "x", "t": "y", "c": 1.0}, {"c": 1.0}, {"m": True, "c": 1.0},
            {"m": 2.0, "c": 2.2}]
    n, cols = fact_columns(rows, {"m", "t", "c"})
    assert cols["m"].kind == "mixed" and cols["t"].kind == "str"
    got = decide_atoms([("m", ExactAtom("<", "c", VArith("+", VKey("m"), VConst(Decimal("0.1"))))),
                        ("t", ExactAtom("<", "c", VArith("+", VKey("t"), VConst(Decimal("0.1")))))], cols, n)
    assert got["m"].present.tolist() == [True, False, False, False, True]
    assert got["m"].values[[0, 4]].tolist() == [True, False]  # 1.55 < 1.6; 2.2 < 2.1 does not hold
    assert got["t"].present.tolist() == [False] * 5

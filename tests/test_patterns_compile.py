"""The compiled patterns both evaluators run, node by node (issue 14 item 3: ``patterns`` code mutants).

Each expected pattern is written out by hand from the rules of ``pacm.expr.patterns``' docstring: Kleene's
three values as two positive patterns T(c) and F(c); a field kept on the left (flipped when it is on the
right), else ``_zero op (R - L)``; every field guarded by an existence test and every divisor by ``!= 0``;
comparisons with run-time arithmetic or constants of more than 15 significant digits (DBL_DIG) decided
exactly on rationals before matching.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from pacm.expr.ir import BOOL, DATE, NUM, STR, And, Arith, Cmp, Const, Field, In, Missing, Not, Or, Param
from pacm.expr.patterns import (
    P_FALSE,
    P_TRUE,
    ZERO,
    ExactAtom,
    PAnd,
    PCmp,
    PExists,
    POr,
    VArith,
    VConst,
    VKey,
    _pand,
    _por,
    _short,
    compile_outcomes,
    decide_exact,
    exact_facts,
    exact_key,
    exact_number,
    key,
    pattern_keys,
)

X, Y = Field("p.x", NUM), Field("p.y", NUM)
S = Field("p.s", STR)
EX, EY, ES = PExists("p__x"), PExists("p__y"), PExists("p__s")
TRUE = Const(True, BOOL)


def tf(cond, params=None):
    """(T, F) of a condition: the pass and fail patterns of a rule that always applies."""
    o = compile_outcomes(TRUE, cond, params or {})
    return o.passed, o.failed, o.exact


def test_key_and_pattern_keys():
    assert key("a.b.c") == "a__b__c"
    p = PAnd((PExists("a"), POr((PCmp("<", "b", VConst(2.0)), PCmp("==", "d", VKey("e"))))))
    assert pattern_keys(p) == {"a", "b", "d", "e"}
    assert pattern_keys(P_TRUE) == set()


def test_and_or_simplify():
    a, b = PExists("a"), PExists("b")
    assert _pand([]) is P_TRUE and _por([]) is P_FALSE
    assert _pand([a, P_TRUE]) == a and _por([a, P_FALSE]) == a
    assert _pand([P_TRUE, a, P_TRUE, b]) == PAnd((a, b)) and _por([P_FALSE, a, P_FALSE, b]) == POr((a, b))  # skipped, not stops
    assert _pand([a, P_FALSE, b]) is P_FALSE and _por([a, P_TRUE, b]) is P_TRUE
    assert _pand([a, a, b]) == PAnd((a, b)) and _por([a, b, a]) == POr((a, b))
    assert _pand([PAnd((a, b)), b, a]) == PAnd((a, b))  # nested and flattened, duplicates dropped
    assert _por([POr((a, b)), POr((b, a))]) == POr((a, b))


def test_field_left_right_and_constants():
    assert tf(Cmp("<", X, Const(5, NUM)))[:2] == (PAnd((EX, PCmp("<", "p__x", VConst(5.0)))), PAnd((EX, PCmp(">=", "p__x", VConst(5.0)))))
    # a field on the right: 5 < x is x > 5; its negation x <= 5
    assert tf(Cmp("<", Const(5, NUM), X))[:2] == (PAnd((EX, PCmp(">", "p__x", VConst(5.0)))), PAnd((EX, PCmp("<=", "p__x", VConst(5.0)))))
    assert tf(Cmp("<", Const(1, NUM), Const(2, NUM)))[:2] == (P_TRUE, P_FALSE)  # 1 < 2 decided at compile time
    assert tf(Cmp(">", Const(1, NUM), Const(2, NUM)))[:2] == (P_FALSE, P_TRUE)
    assert tf(Cmp("==", X, Y))[:2] == (PAnd((EX, EY, PCmp("==", "p__x", VKey("p__y")))), PAnd((EX, EY, PCmp("!=", "p__x", VKey("p__y")))))
    # a parameter is a constant; dates are day ordinals (Python's proleptic Gregorian ordinal)
    assert tf(Cmp("<=", X, Param("lim", NUM)), {"lim": Decimal("15")})[0] == PAnd((EX, PCmp("<=", "p__x", VConst(15.0))))
    day = dt.date(2021, 1, 1)
    assert tf(Cmp(">=", Field("p.d", DATE), Const(day, DATE)))[0] == PAnd((PExists("p__d"), PCmp(">=", "p__d", VConst(float(day.toordinal())))))


def test_constants_fold_exactly():
    # 0.10 + 0.01 x 5 = 0.15 in decimal arithmetic (in doubles 0.15000000000000002)
    rhs = Arith("+", Const(Decimal("0.10"), NUM), Arith("*", Const(Decimal("0.01"), NUM), Const(5, NUM), NUM), NUM)
    t, _, exact = tf(Cmp("<", X, rhs))
    assert t == PAnd((EX, PCmp("<", "p__x", VConst(0.15)))) and exact == ()
    assert tf(Cmp("<", X, Arith("-", Const(1, NUM), Const(Decimal("0.25"), NUM), NUM)))[0] == PAnd((EX, PCmp("<", "p__x", VConst(0.75))))
    assert tf(Cmp("<", X, Arith("/", Const(1, NUM), Const(4, NUM), NUM)))[0] == PAnd((EX, PCmp("<", "p__x", VConst(0.25))))


def test_fifteen_significant_digits_stay_doubles_sixteen_are_exact():
    assert _short(Decimal("0.123456789012345")) and not _short(Decimal("0.1234567890123456"))
    assert _short(Decimal("1.000000000000000000000"))  # 1 once normalised
    t15, _, e15 = tf(Cmp(">=", X, Const(Decimal("0.123456789012345"), NUM)))
    assert t15 == PAnd((EX, PCmp(">=", "p__x", VConst(0.123456789012345)))) and e15 == ()
    c16 = Decimal("0.1234567890123456")
    t16, f16, e16 = tf(Cmp(">=", X, Const(c16, NUM)))
    atom = ExactAtom("<", "p__x", VConst(c16))  # x >= c is "not (x < c)": one atom for both outcomes
    k = exact_key(atom)
    assert e16 == ((k, atom),)
    assert t16 == PAnd((EX, PCmp("==", k, VConst(False)))) and f16 == PAnd((EX, PCmp("==", k, VConst(True))))
    assert k.startswith("_x_") and len(k) == 3 + 12


@pytest.mark.parametrize("op, canonical, positive", [
    ("<", "<", True), (">=", "<", False), ("<=", "<=", True), (">", "<=", False), ("==", "==", True), ("!=", "==", False)])
def test_exact_atoms_use_one_operator_of_each_complementary_pair(op, canonical, positive):
    t, f, exact = tf(Cmp(op, X, Arith("-", Const(1, NUM), Y, NUM)))
    (k, atom), = exact
    assert atom == ExactAtom(canonical, "p__x", VArith("-", VConst(Decimal(1)), VKey("p__y")))
    assert t == PAnd((EX, EY, PCmp("==", k, VConst(positive))))
    assert f == PAnd((EX, EY, PCmp("==", k, VConst(not positive))))


def test_arithmetic_on_both_sides_compares_with_zero():
    # x - 1 < y + 2  ->  _zero < (y + 2) - (x - 1)
    t, _, exact = tf(Cmp("<", Arith("-", X, Const(1, NUM), NUM), Arith("+", Y, Const(2, NUM), NUM)))
    (k, atom), = exact
    assert atom == ExactAtom("<", ZERO, VArith("-", VArith("+", VKey("p__y"), VConst(Decimal(2))), VArith("-", VKey("p__x"), VConst(Decimal(1)))))
    assert atom.keys() == ["p__y", "p__x"]
    vals = {"p__x": Fraction(4), "p__y": Fraction(1)}
    assert decide_exact(atom, vals.get) is False  # 4 - 1 = 3 < 1 + 2 = 3: false
    vals["p__y"] = Fraction(11, 10)
    assert decide_exact(atom, vals.get) is True  # 3 < 3.1
    assert decide_exact(atom, {"p__x": Fraction(4)}.get) is None  # y absent: unknown


def test_divisors_are_guarded():
    t, f, _ = tf(Cmp("<", Arith("/", X, Y, NUM), Const(1, NUM)))
    guard = PCmp("!=", "p__y", VConst(0.0))
    assert t.items[:3] == (EX, EY, guard) and f.items[:3] == (EX, EY, guard)
    # a constant zero divisor: never known, on both sides
    assert tf(Cmp("<", Arith("/", X, Const(0, NUM), NUM), Const(1, NUM)))[:2] == (P_FALSE, P_FALSE)
    assert tf(Cmp("<", X, Arith("/", Const(1, NUM), Const(0, NUM), NUM)))[:2] == (P_FALSE, P_FALSE)
    # a constant non-zero divisor needs no guard
    assert tf(Cmp("<", Arith("/", X, Const(2, NUM), NUM), Const(1, NUM)))[0].items[0] == EX


def test_in_missing_not_and_or():
    a, b = PCmp("==", "p__s", VConst("a")), PCmp("==", "p__s", VConst("b"))
    na, nb = PCmp("!=", "p__s", VConst("a")), PCmp("!=", "p__s", VConst("b"))
    is_in = tf(In(S, (Const("a", STR), Const("b", STR))))[:2]
    assert is_in == (PAnd((ES, POr((a, b)))), PAnd((ES, na, nb)))
    assert tf(In(S, (Const("a", STR), Const("b", STR)), negate=True))[:2] == (PAnd((ES, na, nb)), PAnd((ES, POr((a, b)))))
    assert tf(Missing(X))[:2] == (PExists("p__x", negate=True), EX)
    assert tf(Not(Missing(X)))[:2] == (EX, PExists("p__x", negate=True))
    m_x, m_y = Missing(X), Missing(Y)
    nx, ny = PExists("p__x", negate=True), PExists("p__y", negate=True)
    # Kleene: T(a and b) = T(a) & T(b); F(a and b) = F(a) | F(b); and the dual for or
    assert tf(And((m_x, m_y)))[:2] == (PAnd((nx, ny)), POr((EX, EY)))
    assert tf(Or((m_x, m_y)))[:2] == (POr((nx, ny)), PAnd((EX, EY)))
    assert tf(Const(False, BOOL))[:2] == (P_FALSE, P_TRUE)
    o = compile_outcomes(Missing(Y), Missing(X), {})  # applies only when y is absent
    assert (o.passed, o.failed, o.not_applicable) == (PAnd((ny, nx)), PAnd((ny, EX)), EY)


def test_not_a_node_is_an_error():
    with pytest.raises(TypeError, match="not a condition node"):
        compile_outcomes(TRUE, "x < 1", {})
    with pytest.raises(TypeError, match="not a value node"):
        compile_outcomes(TRUE, Cmp("<", "x", Const(1, NUM)), {})


def test_exact_numbers():
    assert exact_number(None) is None and exact_number(True) is None and exact_number("1") is None
    assert exact_number(Decimal("0.1")) == Fraction(1, 10) and exact_number(3) == Fraction(3)
    assert exact_number(0.1) == Fraction(1, 10)  # the shortest decimal of the double, not 0.1000000000000000055...
    assert exact_number(dt.date(1, 1, 2)) == Fraction(2)  # ordinal: 0001-01-01 is day 1
    assert exact_number(float("nan")) is None and exact_number(float("inf")) is None and exact_number(float("-inf")) is None


def test_exact_values_of_arithmetic():
    vals = {"a": Fraction(3), "b": Fraction(0)}
    for op, expected in (("+", True), ("-", False), ("*", False)):
        # 3 op 1 compared with 3.5: 4 > 3.5, 2 < 3.5, 3 < 3.5
        atom = ExactAtom("<", ZERO, VArith("-", VArith(op, VKey("a"), VConst(Decimal(1))), VConst(Decimal("3.5"))))
        assert decide_exact(atom, vals.get) is expected, op
    div = ExactAtom("<", ZERO, VArith("/", VKey("a"), VKey("b")))
    assert decide_exact(div, vals.get) is None  # a division by zero is unknown
    assert decide_exact(ExactAtom("<=", "a", VArith("/", VKey("a"), VConst(1.0))), vals.get) is True  # 3 <= 3 / 1
    assert decide_exact(ExactAtom("==", "a", VConst(3.0)), vals.get) is True
    assert exact_facts([("k1", div), ("k2", ExactAtom("==", "a", VConst(3.0)))], vals.get) == {"k2": True}


def test_every_divisor_is_guarded_wherever_it_sits():
    """Every divisor gets its ``!= 0`` guard (module docstring), also a field divisor after a constant one,
    one nested on the left of an operator, and one among the values of ``in``; every field its existence test."""
    nz_y = PCmp("!=", "p__y", VConst(0.0))
    # (x / 2) / y < 1: divisors 2 (non-zero constant: no guard) then y
    t, _, exact = tf(Cmp("<", Arith("/", Arith("/", X, Const(2, NUM), NUM), Y, NUM), Const(1, NUM)))
    assert t.items[:3] == (EX, EY, nz_y) and len(exact) == 1
    # x / y + 1 < 2: the division is the left operand of +
    t, _, _ = tf(Cmp("<", Arith("+", Arith("/", X, Y, NUM), Const(1, NUM), NUM), Const(2, NUM)))
    assert t.items[:3] == (EX, EY, nz_y)
    # x in (y): a field among the values is read (and guarded) like any other
    assert tf(In(X, (Y,)))[:2] == (PAnd((EX, EY, PCmp("==", "p__x", VKey("p__y")))),
                                   PAnd((EX, EY, PCmp("!=", "p__x", VKey("p__y")))))
    # x in (1 / y): the divisor inside a value is guarded
    t, _, exact = tf(In(X, (Arith("/", Const(1, NUM), Y, NUM),)))
    assert t.items[:3] == (EX, EY, nz_y) and len(exact) == 1
    # x / y in (1): the divisor on the left of ``in`` is guarded
    t, _, exact = tf(In(Arith("/", X, Y, NUM), (Const(1, NUM),)))
    assert t.items[:3] == (EX, EY, nz_y) and len(exact) == 1


def test_to_fact_value_names_the_type_it_cannot_assert():
    """A value of no rule type (a list: lists are never rule fields, hazard 11) is refused naming its type, so an
    internal error says what reached the evaluators; the four rule types convert as documented."""
    import datetime as dt
    from decimal import Decimal

    from pacm.expr.patterns import to_fact_value

    with pytest.raises(TypeError, match=r"^cannot assert list$"):
        to_fact_value([1])
    assert to_fact_value(dt.date(1, 1, 2)) == 2.0  # proleptic ordinal: 1 January of year 1 is day 1
    assert to_fact_value(Decimal("0.25")) == 0.25 and to_fact_value("x") == "x" and to_fact_value(True) is True

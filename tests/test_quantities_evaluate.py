"""Methodology equations run on the one exact interpreter (issue 15 item 2): values by hand arithmetic."""

from decimal import Decimal as D

import pytest

from pacm.expr.ir import Arith, Const, Field
from pacm.quantities.evaluate import Column, EvaluationError, evaluate_equations, substitute, value


def A(op, left, right):
    return Arith(op, left, right, "num")


class Eq:
    def __init__(self, tree, src):
        self.tree, self.expr_src = tree, src


def test_columns_and_scalars_per_year():
    # BE_y = EG_y x EF: 1,000 MWh x 0.8 = 800; 1,500 x 0.8 = 1,200 (by hand)
    tree = A("*", Field("EG", "num"), Field("EF", "num"))
    got = value(tree, {"EG": Column([D(1000), D(1500)]), "EF": D("0.8")})
    assert isinstance(got, Column) and got == [D(800), D(1200)]
    # scalars only: 3 / 4 = 0.75 exactly
    assert value(A("/", Const(D(3), "num"), Const(D(4), "num")), {}) == D("0.75")


def test_equations_feed_later_ones_and_keep_34_digits():
    eqs = {"a": Eq(A("/", Field("x", "num"), Const(D(3), "num")), "x / 3"),
           "b": Eq(A("*", Field("a", "num"), Const(D(3), "num")), "a * 3")}
    out = evaluate_equations(eqs, {"x": Column([D(1), D(2)])}, 2)
    assert out["a"][0] == D("0.3333333333333333333333333333333333")  # 34 significant digits (PREC)
    assert out["b"] == [D("0.9999999999999999999999999999999999"), D("2.000000000000000000000000000000000")]


def test_a_zero_divisor_in_one_year_is_an_evaluation_error_naming_the_equation():
    eqs = {"r": Eq(A("/", Field("x", "num"), Field("y", "num")), "x / y")}
    with pytest.raises(EvaluationError, match=r"equation 'r' \(x / y\): division by zero"):
        evaluate_equations(eqs, {"x": Column([D(1), D(2)]), "y": Column([D(1), D(0)])}, 2)


def test_a_name_without_value_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="'z' has no value"):
        value(A("+", Field("z", "num"), Const(D(1), "num")), {})


def test_substitute_writes_exact_values_with_the_rule_language_precedence():
    tree = A("*", A("-", Field("BE", "num"), Field("PE", "num")), Const(D("0.5"), "num"))
    # fmt writes the exact value without trailing zeros (10.50 -> 10.5); the subtraction keeps its brackets
    assert substitute(tree, {"BE": D("10.50"), "PE": D(2)}) == "(10.5 - 2) * 0.5"

"""The functions the derive layer of a rule pack may call, declared once.

Rule conditions (``applies_if``/``require``) call none of these: the two evaluators (Rete and vector)
compare facts, they do not compute them. The derive layer (``rules/derive.yaml``, :mod:`pacm.pdd.derive`)
computes derived fields from a validated PDD with the exact reference interpreter
(:mod:`pacm.expr.reference`), and the evaluators read the results like any other field.

Each function is exact (``Decimal`` numbers, calendar dates) and *strict*: an absent argument makes the
result absent, and so does a calendar overflow, except ``first_present``, whose job is the fallback.
The calendar rules themselves live in :mod:`pacm.dates`.

Two kinds:

* **scalar** ``name(a, b)``: its arguments are values;
* **over a list** ``name(list_field, value, where)``: the first argument names a list of the PDD
  (``removals.reversal_events``), and the others are evaluated for each item, whose fields are written
  ``item.field`` (``item`` alone for a list of plain values such as ``sd.sdg_contributions``). ``where``
  keeps only the items for which it is true (an unknown truth value drops the item).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from .. import dates, tonnes
from .ir import BOOL, DATE, NUM, STR

#: Argument kinds: a type, ``SAME`` (any comparable type, all ``SAME`` arguments alike; the result has it),
#: ``LIST`` (a list field), ``ITEM_VALUE``/``ITEM_COND`` (a value or condition on each item).
SAME, LIST, ITEM_VALUE, ITEM_COND = "same", "list", "item_value", "item_condition"


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]  # kinds of the required arguments
    optional: tuple[str, ...]  # kinds of the optional ones that may follow
    returns: str  # a type, SAME, or ITEM_VALUE (the type of the per-item value)
    doc: str
    run: Callable[..., Any] | None = None  # scalar functions: the implementation on present values
    variadic: bool = False  # the last argument kind repeats (first_present)

    @property
    def over_list(self) -> bool:
        return bool(self.args) and self.args[0] == LIST

    def signature(self) -> str:
        words = {SAME: "x", LIST: "list", ITEM_VALUE: "item value", ITEM_COND: "item condition"}
        req = [words.get(k, k) for k in self.args]
        opt = [f"[{words.get(k, k)}]" for k in self.optional]
        return f"{self.name}({', '.join(req + opt)}{', ...' if self.variadic else ''})"


def _whole(n: Any) -> int:
    if type(n) is int:
        return n
    d = Decimal(n)
    if d != d.to_integral_value():
        raise ValueError(f"{n} is not a whole number of years")
    return int(d)


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("add_years", (DATE, NUM), (), DATE,
             "The anniversary a whole number of years later (29 February rolls to 1 March); pacm.dates.add_years.",
             lambda d, n: dates.add_years(d, _whole(n))),
    Function("period_end", (DATE, NUM), (), DATE,
             "Last day of a period of whole years from a start: the anniversary minus one day; pacm.dates.period_end.",
             lambda d, n: dates.period_end(d, _whole(n))),
    Function("days_inclusive", (DATE, DATE), (), NUM,
             "Days from the first date to the second, both counted (1 for one day); pacm.dates.days_inclusive.",
             lambda a, b: Decimal(dates.days_inclusive(a, b))),
    Function("years_spanned", (DATE, DATE), (), NUM,
             "Fewest whole years N with start + N years on or after the end (absent when the end is before the "
             "start); pacm.dates.years_spanned.",
             lambda a, b: Decimal(dates.years_spanned(a, b))),
    Function("min", (SAME, SAME), (), SAME, "The lower of two numbers or dates (the first when equal).",
             lambda a, b: min(a, b)),
    Function("max", (SAME, SAME), (), SAME, "The higher of two numbers or dates (the first when equal).",
             lambda a, b: max(a, b)),
    Function("lower_of_adjusted_and_bau", (NUM, NUM), (), NUM,
             "The crediting baseline: the lower of the downward-adjusted baseline and BAU (SBM016 step 5, 'choose "
             "the lower number'); pacm.tonnes.lower_of_adjusted_and_bau, which the crediting pipeline applies "
             "every year.", tonnes.lower_of_adjusted_and_bau),
    Function("abs", (NUM,), (), NUM, "Absolute value.", lambda a: abs(a)),
    Function("first_present", (SAME, SAME), (), SAME,
             "The first of its arguments that is present (a fallback); absent when all are.", variadic=True),
    Function("count", (LIST,), (ITEM_COND,), NUM,
             "Number of items of a list (with a condition: of the items for which it is true)."),
    Function("min_of", (LIST, ITEM_VALUE), (ITEM_COND,), ITEM_VALUE,
             "Lowest value over the items (those for which the condition holds); absent when there is none."),
    Function("max_of", (LIST, ITEM_VALUE), (ITEM_COND,), ITEM_VALUE,
             "Highest value over the items (those for which the condition holds); absent when there is none."),
    Function("sum_of", (LIST, ITEM_VALUE), (ITEM_COND,), NUM,
             "Exact sum of a number over the items (those for which the condition holds); 0 for none."),
)}


def call(node, env: dict, params: dict, value: Callable, truth: Callable) -> Any:
    """Evaluate a :class:`~pacm.expr.ir.Call` with the reference interpreter's ``value`` and ``truth``."""
    fn = FUNCTIONS[node.name]
    if fn.over_list:
        return _over_list(fn, node, env, params, value, truth)
    if fn.run is None:  # first_present: the first argument present, the others not evaluated
        for a in node.args:
            v = value(a, env, params)
            if v is not None:
                return v
        return None
    args = []
    for a in node.args:
        v = value(a, env, params)
        if v is None:
            return None
        args.append(v)
    try:
        return fn.run(*args)
    except (ValueError, OverflowError, ArithmeticError):  # outside the calendar, a fractional year
        return None


def _over_list(fn: Function, node, env: dict, params: dict, value: Callable, truth: Callable) -> Any:
    items = env.get(node.args[0].path)
    if items is None:
        return None
    rest = node.args[1:]
    where = None
    if fn.name == "count":
        where = rest[0] if rest else None
        what = None
    else:
        what, where = rest[0], (rest[1] if len(rest) > 1 else None)
    picked = []
    for it in items:
        scope = item_scope(it, env)
        if where is not None and truth(where, scope, params) is not True:
            continue
        if what is None:
            picked.append(it)
            continue
        v = value(what, scope, params)
        if v is not None:
            picked.append(v)
    if fn.name == "count":
        return Decimal(len(picked))
    if fn.name == "sum_of":
        return sum((Decimal(v) for v in picked), Decimal(0))
    if not picked:
        return None
    return min(picked) if fn.name == "min_of" else max(picked)


class _Scope(dict):
    """An item's fields (``item.x``, or ``item``) over the enclosing facts."""

    def __init__(self, own: dict, outer: dict):
        super().__init__(own)
        self.outer = outer

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.outer.get(key, default)


def item_scope(item: Any, outer: dict) -> dict:
    if isinstance(item, dict):
        return _Scope({f"item.{k}": v for k, v in item.items()}, outer)
    return _Scope({"item": item}, outer)


def type_name(t: str) -> str:
    return {NUM: "a number", DATE: "a date", STR: "text", BOOL: "true/false"}.get(t, t)

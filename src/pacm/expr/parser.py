"""Parse a condition or equation string into the typed tree of :mod:`pacm.expr.ir`.

The grammar is a whitelisted subset of Python expression syntax, read with :func:`ast.parse`
and never evaluated: anything outside it (calls other than the few below, subscripts, lambdas,
attribute access on anything but a dotted name, ...) is a load error naming the rule.

Grammar
-------
* names: dotted PDD fields (``crediting_period.length_years``) and parameters
  (``params.crediting_period.renewable_max_years``);
* literals: numbers, 'strings', ``true``/``false``, ``date('2024-06-30')``;
* arithmetic ``+ - * /`` and unary minus on numbers; ``date - date`` gives days, ``date +/- number``
  gives a date;
* comparisons ``< <= > >= == !=`` (chains allowed), ``x in [..]``, ``x not in [..]``;
* ``and``, ``or``, ``not``; ``missing(field)`` and ``present(field)``.

The derive layer of a rule pack (``rules/derive.yaml``, parsed with ``derive=True``) may also use the
functions of :mod:`pacm.expr.functions` (``period_end(d, n)``, ``count(list, item.x == 'a')``...),
``then if cond else other``, the value ``absent``, and ``present(section)`` for an optional PDD section.
Rule conditions may not: the two evaluators compare facts, they do not compute them.
"""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from typing import Callable, Iterable

from ..errors import did_you_mean
from .ir import (
    ABSENT,
    BOOL,
    DATE,
    NUM,
    STR,
    TRUE,
    And,
    Arith,
    Call,
    Cmp,
    Const,
    Field,
    IfElse,
    In,
    Missing,
    Not,
    Or,
    Param,
)

MAX_LEN = 2000


class ExprError(ValueError):
    """A condition or equation does not parse or does not type-check."""


class Names:
    """What an expression may refer to: PDD fields, parameters, and (for equations) variables."""

    def __init__(
        self,
        field_type: Callable[[str], str | None],
        param_type: Callable[[str], str | None],
        field_names: Callable[[], Iterable[str]] = lambda: (),
        param_names: Callable[[], Iterable[str]] = lambda: (),
        list_item: Callable[[str], dict | str | None] = lambda _p: None,
        is_section: Callable[[str], bool] = lambda _p: False,
    ):
        self.field_type = field_type
        self.param_type = param_type
        self.field_names = field_names
        self.param_names = param_names
        #: derive layer: a list field's item (``{field: type}`` for a list of sections, a type for a list of values)
        self.list_item = list_item
        #: derive layer: an optional PDD section (``present(transition)``)
        self.is_section = is_section


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


SECTION = "section"


class _Parser:
    def __init__(self, names: Names, derive: bool = False):
        self.names = names
        self.derive = derive
        self.item: dict | str | None = None  # inside an aggregate: the item's fields

    def _text(self, n: ast.AST) -> str:
        """The rule file's own text of a node, for messages (``ast.unparse`` words it differently
        on each Python: 3.10 prints ``lambda : 1``, 3.11 ``lambda: 1``)."""
        return " ".join((ast.get_source_segment(self.src, n) or ast.unparse(n)).split())

    # ------------------------------------------------------------------ values
    def value(self, n: ast.AST):
        if isinstance(n, ast.Constant):
            v = n.value
            if isinstance(v, bool):
                return Const(v, BOOL)
            if isinstance(v, int):
                return Const(Decimal(v), NUM)
            if isinstance(v, float):
                return Const(Decimal(ast.get_source_segment(self.src, n) or repr(v)), NUM)
            if isinstance(v, str):
                return Const(v, STR)
            raise ExprError(f"unsupported literal {v!r}")
        if isinstance(n, ast.Name) and n.id in ("true", "false", "True", "False"):
            return Const(n.id.lower() == "true", BOOL)
        if self.derive and isinstance(n, ast.Name) and n.id == "absent":
            return ABSENT
        if self.derive and isinstance(n, ast.IfExp):
            return self._if_else(self.cond(n.test), self.value(n.body), self.value(n.orelse))
        if isinstance(n, (ast.Name, ast.Attribute)):
            path = _dotted(n)
            if path is None:
                raise ExprError("only dotted names may be used, e.g. crediting_period.length_years")
            if self.item is not None and (path == "item" or path.startswith("item.")):
                return self._item_field(path)
            if path.startswith("params."):
                name = path[len("params."):]
                t = self.names.param_type(name)
                if t is None:
                    hint = did_you_mean(name, self.names.param_names())
                    raise ExprError(f"unknown parameter 'params.{name}'" + (f"; {hint}" if hint else ""))
                return Param(name, t)
            t = self.names.field_type(path)
            if t is None:
                hint = did_you_mean(path, self.names.field_names())
                raise ExprError(f"unknown field '{path}'" + (f"; {hint}" if hint else ""))
            return Field(path, t)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            inner = self.value(n.operand)
            if inner.type != NUM:
                raise ExprError("unary minus needs a number")
            if isinstance(inner, Const):
                return Const(-inner.value, NUM)
            return Arith("-", Const(Decimal(0), NUM), inner, NUM)
        if isinstance(n, ast.BinOp) and type(n.op) in _ARITH:
            op = _ARITH[type(n.op)]
            left, right = self.value(n.left), self.value(n.right)
            return Arith(op, left, right, self._arith_type(op, left.type, right.type))
        if isinstance(n, ast.Call):
            fname = _dotted(n.func)
            if fname == "date":
                if len(n.args) != 1 or not isinstance(n.args[0], ast.Constant) or not isinstance(n.args[0].value, str):
                    raise ExprError("date() takes one 'YYYY-MM-DD' string")
                try:
                    return Const(dt.date.fromisoformat(n.args[0].value), DATE)
                except ValueError:
                    raise ExprError(f"date({n.args[0].value!r}) is not a real date")
            if self.derive:
                from .functions import FUNCTIONS

                if fname in FUNCTIONS:
                    return self._call(FUNCTIONS[fname], n)
                shown = fname or self._text(n.func)
                hint = did_you_mean(shown, FUNCTIONS)
                raise ExprError(f"unknown function '{shown}'" + (f"; {hint}" if hint else "")
                                + " (see pacm.expr.functions for the list)")
            shown = fname or self._text(n.func)
            raise ExprError(f"calling '{shown}' is not allowed (only date(), missing() and present() may be called)")
        raise ExprError(f"'{self._text(n)}' is not allowed in an expression")

    # ------------------------------------------------------- derive layer only
    def _item_field(self, path: str):
        if isinstance(self.item, str):
            if path != "item":
                raise ExprError(f"'{path}': the items of this list are plain values; write 'item'")
            return Field(path, self.item)
        t = self.item.get(path[len("item."):]) if path != "item" else None
        if t is None:
            hint = did_you_mean(path[len("item."):], self.item) if path != "item" else None
            raise ExprError(f"the items of this list have no field '{path}'" + (f"; {hint}" if hint else ""))
        return Field(path, t)

    def _if_else(self, cond, then, other):
        types = {x.type for x in (then, other)} - {ABSENT.type}
        if len(types) > 1:
            raise ExprError(f"the two branches of 'if ... else' have different types ({' and '.join(sorted(types))})")
        if not types:
            raise ExprError("'if ... else' needs a value in at least one branch")
        return IfElse(cond, then, other, types.pop())

    def _call(self, fn, n: ast.Call):
        from .functions import ITEM_COND, ITEM_VALUE, LIST, SAME, type_name

        if n.keywords:
            raise ExprError(f"{fn.name}() takes no keyword arguments")
        lo, hi = len(fn.args), len(fn.args) + len(fn.optional)
        if len(n.args) < lo or (len(n.args) > hi and not fn.variadic):
            raise ExprError(f"{fn.name}() takes {lo}" + (f" to {hi}" if hi > lo else "")
                            + f" arguments: {fn.signature()}")
        kinds = list(fn.args) + list(fn.optional)
        kinds += [kinds[-1]] * (len(n.args) - len(kinds))
        args, same, item_type = [], None, None
        outer = self.item
        try:
            for kind, a in zip(kinds, n.args):
                if kind == LIST:
                    path = _dotted(a)
                    item = self.names.list_item(path) if path else None
                    if item is None:
                        raise ExprError(f"{fn.name}() takes a list of the PDD first, not '{self._text(a)}'")
                    args.append(Field(path, "list"))
                    self.item = item
                elif kind == ITEM_COND:
                    args.append(self.cond(a))
                elif kind == ITEM_VALUE:
                    v = self.value(a)
                    if v.type not in (NUM, DATE) and fn.name != "count":
                        raise ExprError(f"{fn.name}() takes a number or a date for each item, not {type_name(v.type)}")
                    item_type = v.type
                    args.append(v)
                else:
                    v = self.value(a)
                    want = same if kind == SAME else kind
                    if kind == SAME and same is None and v.type != ABSENT.type:
                        same = want = v.type
                    if want is not None and v.type != want:
                        raise ExprError(f"{fn.name}() argument '{self._text(a)}' is {type_name(v.type)}, "
                                        f"expected {type_name(want)}")
                    args.append(v)
        finally:
            self.item = outer
        if fn.name in ("min", "max") and same not in (NUM, DATE):
            raise ExprError(f"{fn.name}() compares numbers or dates")
        if fn.name == "sum_of" and item_type != NUM:
            raise ExprError("sum_of() adds numbers")
        ret = {SAME: same, ITEM_VALUE: item_type}.get(fn.returns, fn.returns)
        return Call(fn.name, tuple(args), ret)

    @staticmethod
    def _arith_type(op, lt, rt):
        if lt == NUM and rt == NUM:
            return NUM
        if op == "-" and lt == DATE and rt == DATE:
            return NUM  # days between
        if op in "+-" and lt == DATE and rt == NUM:
            return DATE
        if op == "+" and lt == NUM and rt == DATE:
            return DATE
        raise ExprError(f"cannot apply '{op}' to {lt} and {rt}")

    # -------------------------------------------------------------- conditions
    def cond(self, n: ast.AST):
        if self.derive and isinstance(n, ast.IfExp):
            return IfElse(self.cond(n.test), self.cond(n.body), self.cond(n.orelse), BOOL)
        if isinstance(n, ast.BoolOp):
            items = tuple(self.cond(v) for v in n.values)
            return And(items) if isinstance(n.op, ast.And) else Or(items)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            return Not(self.cond(n.operand))
        if isinstance(n, ast.Compare):
            return self.compare(n)
        if isinstance(n, ast.Call):
            fname = _dotted(n.func)
            if fname in ("missing", "present"):
                if len(n.args) != 1:
                    raise ExprError(f"{fname}() takes one field")
                path = _dotted(n.args[0])
                if self.derive and path and self.names.is_section(path):
                    m = Missing(Field(path, SECTION))
                    return m if fname == "missing" else Not(m)
                f = self.value(n.args[0])
                if not isinstance(f, Field):
                    raise ExprError(f"{fname}() takes a PDD field, not '{self._text(n.args[0])}'")
                m = Missing(f)
                return m if fname == "missing" else Not(m)
        v = self.value(n)
        if v.type != BOOL:
            raise ExprError(f"'{self._text(n)}' is a {v.type}, not a condition")
        if isinstance(v, Const):
            return v
        return Cmp("==", v, Const(True, BOOL))

    def compare(self, n: ast.Compare):
        parts = []
        left = n.left
        for op, right in zip(n.ops, n.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right, (ast.List, ast.Tuple)):
                    raise ExprError("'in' takes a literal list: x in ['a', 'b']")
                lv = self.value(left)
                vals = []
                for e in right.elts:
                    c = self.value(e)
                    if not isinstance(c, (Const, Param)):
                        raise ExprError("'in' lists hold literals or parameters only")
                    if c.type != lv.type:
                        raise ExprError(f"'in' list mixes {lv.type} with {c.type}")
                    vals.append(c)
                if lv.type not in (STR, NUM):
                    raise ExprError("'in' works on strings and numbers")
                parts.append(In(lv, tuple(vals), isinstance(op, ast.NotIn)))
            elif type(op) in _CMP:
                sym = _CMP[type(op)]
                lv, rv = self.value(left), self.value(right)
                if lv.type != rv.type:
                    raise ExprError(f"cannot compare {lv.type} with {rv.type} in '{self._text(n)}'")
                if lv.type in (STR, BOOL) and sym not in ("==", "!="):
                    raise ExprError(f"{lv.type} values can only be compared with == or !=")
                parts.append(Cmp(sym, lv, rv))
            else:
                raise ExprError(f"operator '{type(op).__name__}' is not allowed")
            left = right
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_cond(self, src: str):
        self.src = " ".join(src.split()) if isinstance(src, str) else src
        return self.cond(_parse(src))

    def parse_value(self, src: str):
        self.src = " ".join(src.split()) if isinstance(src, str) else src
        return self.value(_parse(src))


def _parse(src: str) -> ast.AST:
    if not isinstance(src, str):
        raise ExprError(f"expected an expression string, found {type(src).__name__}")
    if len(src) > MAX_LEN:
        raise ExprError(f"expression longer than {MAX_LEN} characters")
    text = " ".join(src.split())
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"syntax error in '{text}': {exc.msg}")
    return tree.body


def parse_condition(src, names: Names):
    """Parse a boolean condition (``applies_if``/``require``). Empty means always true."""
    if src is None or (isinstance(src, str) and not src.strip()):
        return TRUE
    if isinstance(src, bool):
        return Const(src, BOOL)
    return _Parser(names).parse_cond(src)


def parse_value(src, names: Names):
    """Parse a value expression (an equation's right-hand side)."""
    if isinstance(src, (int, Decimal)) and not isinstance(src, bool):
        return Const(Decimal(src), NUM)
    return _Parser(names).parse_value(src)


def parse_derived(src, names: Names, condition: bool):
    """Parse an expression of the derive layer: the functions of :mod:`pacm.expr.functions`, ``if ... else``,
    ``absent`` and ``present(section)`` are allowed. ``condition``: a true/false field (parsed as a condition)."""
    p = _Parser(names, derive=True)
    if isinstance(src, bool) and condition:
        return Const(src, BOOL)
    if isinstance(src, (int, Decimal)) and not isinstance(src, bool) and not condition:
        return Const(Decimal(src), NUM)
    return p.parse_cond(src) if condition else p.parse_value(src)

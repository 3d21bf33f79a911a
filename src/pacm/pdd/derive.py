"""The derive layer of a rule pack: fields pacm computes from a PDD before any rule reads it.

Why a layer of the pack and not methods of the schema: a derived field is a rule of the standard
("choose the lower of the adjusted baseline and BAU", "a period of N years ends the day before the N-th
anniversary"). Written as pydantic ``computed_field``s they sat outside the rule pack and its hash, so
two packs could disagree on them with the same digest. Here each is one entry of ``rules/derive.yaml``:

.. code-block:: yaml

    - field: crediting_period.end            # full path: the object it belongs to, then its name
      type: date                             # integer | number | date | bool | string
      value: period_end(crediting_period.start, crediting_period.length_years)
      description: Last day of the crediting period (start + length - 1 day).
      reference: {document: ..., paragraph: ...}   # the clause it encodes, when it encodes one
      inputs: [crediting_period.start, crediting_period.length_years]   # what a user sets (messages)
      may_equal: [...]                       # fields it may simply be (a fallback; self-comparison check)

``value`` is an expression of :mod:`pacm.expr.parser` in derive mode (the functions of
:mod:`pacm.expr.functions`, ``x if c else y``, ``absent``, ``present(section)``), evaluated exactly by
:mod:`pacm.expr.reference` after the PDD validates. A ``bool`` field's value is a condition, whose unknown
truth value leaves the field absent. Entries are evaluated in file order and may read only the PDD's own
fields and derived fields above them (so there is no cycle); a derived field exists only when the object
it belongs to is present in the PDD (``removals.avoidable_events`` is absent without a ``removals``
section), as the schema's computed fields did.

Both evaluators (Rete and vector) read the results through :func:`pacm.pdd.fields.flatten`; the
field registry lists them (``derived: True``) after the fields of their object.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..citation import parse_reference
from ..errors import Collected, RulePackError, did_you_mean
from ..expr.ir import BOOL, DATE, NUM, STR, fields_of, render
from ..expr.parser import ExprError, Names, parse_derived
from ..expr.reference import truth, value
from ..safeyaml import load_mapping, read_bytes

#: The file of a rule pack that holds its derive layer.
FILE_NAME = "derive.yaml"

TYPES = {"integer": NUM, "number": NUM, "date": DATE, "bool": BOOL, "string": STR}
_FILE_KEYS = {"title", "note", "fields"}
_ENTRY_KEYS = {"field", "type", "value", "description", "reference", "inputs", "may_equal", "note"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Derived:
    path: str
    object: str  # "" for the PDD itself
    type: str  # one of TYPES
    value_src: str
    expr: Any
    description: str
    reference: dict
    inputs: tuple
    may_equal: tuple
    line: int | None
    needs: tuple = ()  # facts without which the value is surely absent (:func:`_needs`): skipped cheaply

    @property
    def rule_type(self) -> str:
        return TYPES[self.type]

    def registry_entry(self) -> dict:
        return {
            "type": self.rule_type,
            "description": self.description,
            "unit": None,
            "derived": True,
            "choices": None,
            "may_equal": self.may_equal,
            "inputs": self.inputs,
            "definition": render(self.expr),
            "reference": dict(self.reference),
        }

    def compute(self, env: dict) -> Any:
        if self.type == "bool":
            return truth(self.expr, env, {})
        v = value(self.expr, env, {})
        if v is None:
            return None
        if self.type == "integer":
            if type(v) is int:
                return v
            d = Decimal(v)
            if d != d.to_integral_value():  # pragma: no cover - ruled out by the expression's type
                return None
            return int(d)
        return v


@dataclass(frozen=True)
class Layer:
    fields: tuple  # Derived, in evaluation (file) order
    source: str

    def by_path(self) -> dict[str, Derived]:
        return {d.path: d for d in self.fields}

    @functools.cached_property
    def registry(self) -> dict[str, dict]:
        """The field registry with this layer's derived fields (:func:`pacm.pdd.structure.registry_with`)."""
        from .structure import registry_with

        return registry_with(self)

    def facts_of(self, pdd) -> dict[str, Any]:
        """The PDD's own scalar fields and every derived field, ``path -> value`` (absent ones ``None`` or missing)."""
        env = _env(pdd.model_dump(mode="python"))
        for d in self.fields:
            if d.object and not env.get(d.object):
                continue  # the object it belongs to is absent
            if d.needs and not all(k in env for k in d.needs):
                continue  # a value it strictly needs is absent: so is it (the reference interpreter would say so)
            v = d.compute(env)
            if v is not None:
                env[d.path] = v
        return env


def _env(data: dict) -> dict[str, Any]:
    """Scalars by dotted path; a present section as ``path -> True``; a list as ``path -> list``."""
    out: dict[str, Any] = {}

    def walk(obj: dict, prefix: str):
        for k, v in obj.items():
            if v is None:
                continue
            path = prefix + k if type(k) is str else f"{prefix}{k}"
            if type(v) is dict:
                out[path] = True
                walk(v, path + ".")
            else:
                out[path] = v

    walk(data, "")
    return out


def load_layer(path: Path) -> Layer:
    """Read and check a derive layer; every problem is reported at once (exit 2), naming the file and entry."""
    from .structure import structure

    src = str(path)
    doc, data = load_mapping(path, "a mapping with 'title' and 'fields'", RulePackError)
    c = Collected(src)
    c.unknown_keys(data, _FILE_KEYS)
    entries = data.get("fields")
    if not isinstance(entries, list):
        c.add("not-a-list", doc.where(("fields",)) or "fields", "'fields' must be a list of derived fields")
        c.raise_if_any(RulePackError)
    st = structure()
    known: dict[str, str] = {}  # derived paths defined so far -> type
    derived_inputs: dict[str, tuple] = {}  # derived path -> every PDD field (or section) it reads, transitively
    names = Names(
        lambda p: st.scalars[p]["type"] if p in st.scalars else known.get(p),
        lambda _n: None,
        lambda: list(st.scalars) + list(known),
        lambda: (),
        list_item=st.lists.get,
        is_section=lambda p: p in st.sections,
    )
    out: list[Derived] = []
    for i, e in enumerate(entries):
        line = doc.line_of(("fields", i))
        fname = e.get("field") if isinstance(e, dict) else None
        loc = f"field {fname}" if isinstance(fname, str) else f"fields[{i}]"
        if line:
            loc += f" (line {line})"
        if not isinstance(e, dict):
            c.add("not-a-mapping", loc, "a derived field must be a mapping with 'field', 'type', 'value' and 'description'")
            continue
        c.unknown_keys(e, _ENTRY_KEYS, loc)
        for k in ("field", "type", "value", "description"):
            if k not in e:
                c.add("missing-key", loc, f"a derived field needs '{k}'")
        if not isinstance(fname, str):
            continue
        obj, _, name = fname.rpartition(".")
        if not _NAME.match(name) or (obj and obj not in st.sections):
            c.add("bad-derived-field", loc, f"'{fname}' must be a section of the PDD followed by a lower-case name",
                  hint=did_you_mean(obj, st.sections) if obj else None)
            continue
        if fname in st.scalars or fname in st.lists or fname in st.sections:
            c.add("bad-derived-field", loc, f"'{fname}' is a field the PDD gives; a derived field needs a name of its own")
            continue
        if fname in known:
            c.add("duplicate-id", loc, f"'{fname}' is derived twice")
            continue
        tname = e.get("type")
        if tname not in TYPES:
            c.add("bad-derived-field", loc, f"type {tname!r} is not one of {', '.join(TYPES)}",
                  hint=did_you_mean(str(tname), TYPES))
            continue
        try:
            expr = parse_derived(e.get("value"), names, condition=(tname == "bool"))
        except ExprError as exc:
            c.add("bad-condition", loc + ", value", str(exc))
            continue
        except RecursionError:
            c.add("bad-condition", loc + ", value", "the expression is nested too deeply")
            continue
        got = BOOL if tname == "bool" else expr.type
        if got != TYPES[tname]:
            c.add("bad-derived-field", loc + ", value", f"the value is {got}, but the field is declared {tname}")
            continue
        if tname == "integer" and _may_be_fractional(expr):
            c.add("bad-derived-field", loc + ", value", "an integer field's value may not divide",
                  expected="type: number")
            continue
        reads: list[str] = []
        for f in fields_of(expr):
            if f == "item" or f.startswith("item."):
                continue
            for g in derived_inputs.get(f, (f,)):
                if g not in reads:
                    reads.append(g)
        inputs = e.get("inputs") or []
        may = e.get("may_equal") or []
        if not isinstance(inputs, list) or not isinstance(may, list):
            c.add("not-a-list", loc, "'inputs' and 'may_equal' are lists of fields")
            continue
        for f in inputs:
            if f not in reads:
                c.add("bad-derived-field", loc + ", inputs",
                      f"'{f}' is not read by the value (it reads {', '.join(reads) or 'nothing'})")
        for f in may:
            if f not in known and f not in st.scalars:
                c.add("unknown-field", loc + ", may_equal", f"unknown field '{f}'")
        ref = parse_reference(c, loc + ", reference", e["reference"]) if e.get("reference") else {}
        known[fname] = TYPES[tname]
        derived_inputs[fname] = tuple(reads)
        out.append(Derived(
            path=fname, object=obj, type=tname, value_src=" ".join(str(e["value"]).split()), expr=expr,
            description=" ".join(str(e.get("description", "")).split()),
            reference={k: str(v) for k, v in ref.items()}, inputs=tuple(str(f) for f in inputs),
            may_equal=tuple(str(f) for f in may), line=line,
            needs=tuple(sorted(_needs(expr, tname == "bool"))),
        ))
    c.raise_if_any(RulePackError)
    return Layer(tuple(out), src)


def _needs(n, condition: bool = False) -> set:
    """Facts whose absence makes ``n`` absent (or its truth unknown) under :mod:`pacm.expr.reference`: a strict
    operand's needs are the node's; ``first_present`` needs what all its arguments need; a Kleene ``and``/``or``/
    ``not``, ``missing()`` and the per-item parts of a list function need nothing. An under-estimate is always
    safe (the value is then computed); ``tests/test_derive.py`` checks the skip against the computation."""
    from ..expr.functions import FUNCTIONS
    from ..expr.ir import Arith, Call, Cmp, Field, IfElse, In

    if condition:
        if isinstance(n, Cmp):
            return _needs(n.left) | _needs(n.right)
        if isinstance(n, In):
            return _needs(n.left)
        if isinstance(n, IfElse):
            return _needs(n.cond, True) | (_needs(n.then, True) & _needs(n.other, True))
        return set()
    if isinstance(n, Field):
        return set() if n.path == "item" or n.path.startswith("item.") else {n.path}
    if isinstance(n, Arith):
        return _needs(n.left) | _needs(n.right)
    if isinstance(n, IfElse):
        return _needs(n.cond, True) | (_needs(n.then) & _needs(n.other))
    if isinstance(n, Call):
        fn = FUNCTIONS[n.name]
        if fn.over_list:
            return {n.args[0].path}
        parts = [_needs(a) for a in n.args]
        if fn.run is None:  # first_present
            return set.intersection(*parts) if parts else set()
        return set().union(*parts)
    return set()


def _may_be_fractional(expr) -> bool:
    from ..expr.ir import Arith

    stack = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, Arith) and n.op == "/":
            return True
        stack.extend(getattr(n, "args", ()) or ())
        for k in ("left", "right", "then", "other"):
            if hasattr(n, k):
                stack.append(getattr(n, k))
    return False


EMPTY = Layer((), "<none>")


# Layers already read in this process, by (resolved path, SHA-256 of the file): a pack loaded twice from the
# same folder, and the bundled layer, share one Layer (and one field registry).
_LOADED: dict[tuple[str, str], Layer] = {}


def layer_of(rules_root: Path) -> Layer:
    """The derive layer of the pack in ``rules_root``; a pack without a ``derive.yaml`` (one written before the
    layer existed) uses the bundled one, as it uses the bundled host tables."""
    path = Path(rules_root) / FILE_NAME
    return _cached(path) if path.is_file() else default_layer()


def _cached(path: Path) -> Layer:
    key = (str(path.resolve()), hashlib.sha256(read_bytes(path)).hexdigest())
    if key not in _LOADED:
        if len(_LOADED) >= 8:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = load_layer(path)
    return _LOADED[key]


_DEFAULT: list[Layer] = []


def default_layer() -> Layer:
    """The bundled pack's derive layer (``rules/derive.yaml``), read once per process."""
    if not _DEFAULT:
        from ..paths import rules_dir

        path = rules_dir() / FILE_NAME
        _DEFAULT.append(_cached(path) if path.is_file() else EMPTY)
    return _DEFAULT[0]


def derived(pdd, name: str):
    """A derived field of the bundled pack's derive layer for a PDD as a whole (None when absent), for Python
    callers (the crediting quantities, the methodology registry); rules read the same values as facts."""
    return default_layer().facts_of(pdd).get(name)

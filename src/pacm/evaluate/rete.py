"""Single-PDD evaluation on durable-rules (the design card's Rete engine), behind a hardened adapter.

Nothing outside this module imports ``durable``. Every hazard measured in
``shared/domain/durable-rules.md`` is handled here, and each has a test in
``tests/test_rete_hazards.py``:

1. *Handler exceptions are swallowed.* Handlers only append to a Python list and record any
   exception themselves; after each assertion the adapter raises what was recorded, and checks
   the catch-all rule fired (a silent no-op cannot pass for "no findings").
2. *Events are consumed by the first matching rule.* Only facts are asserted, never events.
3. *Identical facts are rejected as duplicates (32-bit hashes).* One fresh session id per PDD and
   ruleset, carried as ``sid`` in every fact (so no two facts are identical); the liveness check of (1) catches any rejection.
4. *A fact matching no rule raises MessageNotHandledException.* Every ruleset has a catch-all rule.
5. *The session state record is matched too; unanchored patterns loop forever.* Every pattern
   is anchored on the discriminator ``_kind == 'pdd'``, which the state record never has.
6. *More than 1,024 live sessions: MemoryError, then a segfault; deleting a session whose actions
   have not run is a use-after-free.* Actions run synchronously inside ``assert_fact`` (no
   dispatcher thread), and the session is deleted right after: at most one session is ever live.
7. *The stock Host's timer threads dispatch concurrently and misattribute findings.* ``_QuietHost``
   never starts them.
8. *Ruleset names are process-global in durable.lang; register_rulesets mutates its input.* We
   never use ``durable.lang``; each adapter has its own host, unique ruleset names, and registers
   a deep copy of the definitions.
9. *At most 252 properties per fact.* Facts are projected onto the keys the rules read, and rules
   are split into several rulesets when one would need more than :data:`MAX_KEYS` keys.
10. *Types*: values arrive typed by pydantic; absent values are dropped (never null); Decimal,
   int and dates become floats (durable-rules divides integers as integers, and an integer
   division by zero is a SIGFPE); rule conditions are type-checked so strings, booleans and
   numbers never meet.
11. *No dates, aggregation or functions*: derived fields are computed on the PDD model first.
12. *The alpha network is walked with a fixed stack of 64 nodes* (``MAX_STACK_SIZE`` in durable's
   ``events.c``): a fact that leaves more than 64 alpha nodes pending at once makes ``assert_fact`` fail
   with error 303 (seen with 123 rules in one ruleset on PDDs with many absent fields). Each pending node
   heads a distinct branch with at least one conjunctive path, so rules are also split into rulesets of
   at most :data:`MAX_PATHS` paths (``$or`` expanded), well under 64.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import warnings
from decimal import Decimal
from typing import Any

from ..expr.patterns import (
    PAnd,
    PCmp,
    PExists,
    PFalse,
    POr,
    PTrue,
    VConst,
    VKey,
    exact_facts,
    exact_number,
    key,
    pattern_keys,
    to_fact_value,
)
from ..rulepack import CompiledPack

MAX_KEYS = 200  # below durable-rules' 252 properties per fact, leaving room for bookkeeping keys
MAX_PATHS = 48  # conjunctive paths per ruleset, below durable-rules' alpha stack of 64 (hazard 12)
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_names = itertools.count(1)


class ReteError(RuntimeError):
    """The Rete engine misbehaved (an internal error, never the user's input)."""


def _fixed_float(f: float) -> str:
    """A float in JSON without an exponent: ``1e-05`` -> ``0.00001`` (shortest exact digits)."""
    if not math.isfinite(f):
        raise ValueError(f"cannot give durable-rules the non-finite number {f!r}")
    text = repr(f)
    if "e" in text:  # repr() writes exponents with a lower-case e
        text = format(Decimal(text), "f")
    return text


def _fixed_dumps(obj) -> str:
    """``json.dumps(obj, ensure_ascii=False)`` with every float in fixed notation, never with an exponent.

    Hazard 13 (found by issue 11): durable-rules' fact and ruleset parser refuses a number written
    with an exponent (``assert_fact`` fails with error code 204, ``create_ruleset`` with 202), and
    Python writes every float below 1e-4 that way (``0.00001`` -> ``1e-05``). pacm's load-time
    bounds (:mod:`pacm.limits`) keep numbers below 10^15, so only the small end needed this.
    durable-rules calls ``dumps`` one way only (``ensure_ascii=False``, every other option at its
    default), so this is json's pure-Python encoder with those defaults and :func:`_fixed_float`.
    """
    from json.encoder import _make_iterencode, encode_basestring

    # markers (circular check), default, string encoder, indent, float writer, ": ", ", ", sort_keys,
    # skipkeys, _one_shot (json's own defaults for every option but ensure_ascii and the float writer)
    return "".join(_make_iterencode(
        {}, json.JSONEncoder().default, encode_basestring, None, _fixed_float, ": ", ", ", False, False, True,
    )(obj, 0))


#: what only the pure-Python encoder writes right: a number with an exponent, or a non-finite one (refused)
_NEEDS_FIXED = re.compile(r"\d[eE][-+]?\d|NaN|Infinity")


class _FixedJSON:
    """Stands in for the ``json`` module inside ``durable.engine`` (only ``dumps``/``loads`` are used).

    durable-rules dumps its state at every rule action (about 200 times per PDD): the C encoder
    writes it, and the text goes through the fixed-notation encoder only when it shows an exponent or
    a non-finite number (also inside a string, harmlessly), so the output is the same text."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj, ensure_ascii: bool) -> str:
        # durable-rules always passes ensure_ascii=False (its parser does not decode \\u escapes); any other
        # option would be a new durable-rules version, refused here rather than silently dropped
        if ensure_ascii:
            raise ValueError("durable-rules was expected to call json.dumps with ensure_ascii=False only")
        text = json.dumps(obj, ensure_ascii=False)
        if _NEEDS_FIXED.search(text) is None:
            return text
        return _fixed_dumps(obj)


def _import_engine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from durable import engine  # noqa: WPS433 - imported lazily, only here
    engine.json = _FixedJSON
    return engine


def _value_json(v):
    # arithmetic never reaches a pattern: the compiler turns it into an exact atom (expr/patterns.py)
    if isinstance(v, VKey):
        return {"$m": v.key}
    if isinstance(v, VConst):
        return v.value
    raise TypeError(v)


def pattern_json(p) -> dict | None:
    """durable-rules JSON for a pattern (None for 'always true')."""
    if isinstance(p, PTrue):
        return None
    if isinstance(p, PExists):
        return {"$nex" if p.negate else "$ex": {p.key: 1}}
    if isinstance(p, PCmp):
        rhs = _value_json(p.rhs)
        if p.op == "==":
            if isinstance(rhs, dict):
                # equality with another field: a <= b and a >= b (durable has no $eq on references)
                return {"$and": [{"$lte": {p.key: rhs}}, {"$gte": {p.key: rhs}}]}
            return {p.key: rhs}
        return {_OPS[p.op]: {p.key: rhs}}
    if isinstance(p, PAnd):
        return {"$and": [pattern_json(i) for i in p.items]}
    if isinstance(p, POr):
        return {"$or": [pattern_json(i) for i in p.items]}
    raise TypeError(p)


def pattern_paths(p) -> int:
    """Number of conjunctive paths of a pattern once its ``$or`` branches are expanded (hazard 12)."""
    if isinstance(p, PAnd):
        n = 1
        for i in p.items:
            n *= pattern_paths(i)
        return n
    if isinstance(p, POr):
        return sum(pattern_paths(i) for i in p.items)
    if isinstance(p, PFalse):
        return 0
    return 1


class ReteEvaluator:
    """Evaluates one PDD at a time with durable-rules; returns ``rule id -> status``."""

    def __init__(self, compiled: CompiledPack, max_keys: int = MAX_KEYS, max_paths: int = MAX_PATHS):
        engine = _import_engine()

        class _QuietHost(engine.Host):
            def _run(self):  # hazard 7: no dispatcher/timer threads
                self._d_timer = self._t_timer = None

        self._host = _QuietHost()
        self._compiled = compiled
        self._results: dict[str, str] = {}
        self._errors: list[BaseException] = []
        self._seq = itertools.count()
        self.rulesets: list[tuple[str, set[str]]] = []
        self._exact: dict[str, tuple] = {}  # ruleset name -> exact atoms its rules match on
        self._build(max_keys, max_paths)

    # ------------------------------------------------------------------ build
    def _action(self, rule_id: str, status: str):
        def run(c):
            try:
                # an $or pattern fires once per matching branch: the same outcome twice is fine,
                # two different outcomes for one rule would be a compiler bug
                prev = self._results.get(rule_id)
                if prev is not None and prev != status:
                    raise ReteError(f"rule {rule_id} produced two outcomes ({prev}, {status})")
                self._results[rule_id] = status
            except BaseException as exc:  # hazard 1: never lose a handler error
                self._errors.append(exc)

        return run

    def _catch_all(self, name: str):
        def run(c):
            self._seen.append(name)

        return run

    def _build(self, max_keys: int, max_paths: int = MAX_PATHS):
        groups: list[list] = []  # [rules, keys, paths]
        for cr in self._compiled.rules:
            keys = set()
            paths = 0
            for p in (cr.outcomes.passed, cr.outcomes.failed, cr.outcomes.not_applicable):
                keys |= pattern_keys(p)
                paths += pattern_paths(p)
            for g in groups:
                if len(g[1] | keys) <= max_keys and g[2] + paths <= max_paths:
                    g[0].append(cr)
                    g[1].update(keys)
                    g[2] += paths
                    break
            else:
                if len(keys) > max_keys:
                    raise ReteError(f"rule {cr.id} reads {len(keys)} fields, over the {max_keys} a fact may carry")
                if paths > max_paths:
                    raise ReteError(f"rule {cr.id} has {paths} condition paths, over the {max_paths} a ruleset may carry")
                groups.append([[cr], set(keys), paths])
        if not groups:
            groups.append([[], set(), 0])
        defs = {}
        for rules, keys, _ in groups:
            name = f"pacm_{id(self):x}_{next(_names)}"
            rs: dict[str, dict] = {}
            atoms: dict = {}
            for cr in rules:
                atoms.update(cr.outcomes.exact)
                smap = cr.status_map
                for outcome, pat in (
                    ("pass", cr.outcomes.passed),
                    ("fail", cr.outcomes.failed),
                    ("not_applicable", cr.outcomes.not_applicable),
                ):
                    if isinstance(pat, PFalse):
                        continue
                    status = smap.get(outcome, outcome)
                    cond = pattern_json(pat)
                    anchored = {"$and": [{"_kind": "pdd"}, cond]} if cond else {"_kind": "pdd"}  # hazard 5
                    rs[f"{cr.id}#{outcome}"] = {"all": [{"m": anchored}], "run": self._action(cr.id, status)}
            rs["_catch_all"] = {"all": [{"m": {"_kind": "pdd"}}], "run": self._catch_all(name)}  # hazard 4
            defs[name] = rs
            self._exact[name] = tuple(sorted(atoms.items()))
            self.rulesets.append((name, keys))
        self._host.register_rulesets(copy.deepcopy(defs))  # hazard 8: register a copy (it mutates its input)

    # --------------------------------------------------------------- evaluate
    def evaluate(self, flat: dict[str, Any], pdd_id: str = "pdd") -> dict[str, str]:
        """Statuses for every compiled rule; rules with no matching outcome are insufficient_data."""
        self._results = {}
        self._errors = []
        self._seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            exact_values: dict = {}
            keyed = [(key(p), v) for p, v in flat.items()]  # once per PDD, not once per ruleset
            for name, keys in self.rulesets:
                sid = f"s{next(self._seq)}"  # hazard 3/6: a fresh session per PDD and ruleset
                fact = {k: to_fact_value(v) for k, v in keyed if k in keys}  # the keys this ruleset reads (hazard 9)
                if self._exact[name]:  # limits decided exactly, from the same fact values (patterns.py)
                    if not exact_values:
                        exact_values = {k: to_fact_value(v) for k, v in keyed}
                    fact.update(exact_facts(self._exact[name], lambda k: exact_number(exact_values.get(k))))
                fact.update({"_kind": "pdd", "sid": sid})  # sid: unique per fact (hazard 3)
                try:
                    self._host.assert_fact(name, fact)  # the catch-all rule: never MessageNotHandledException
                finally:
                    try:
                        self._host.delete_state(name, sid)  # actions have run synchronously: safe to delete
                    except Exception:  # pragma: no cover
                        pass
                if self._errors:
                    raise ReteError(f"rule action failed: {self._errors[0]!r}") from self._errors[0]
                if name not in self._seen:
                    raise ReteError(f"ruleset {name} did not process PDD {pdd_id} (fact rejected?)")
        out = {}
        for cr in self._compiled.rules:
            out[cr.id] = self._results.get(cr.id, "insufficient_data")
        return out

"""Every limit of every rule, decided exactly by both evaluators (issue 14 item 1, issue 10 item 10).

The cases come from ``tests/boundary_cases.py``: for each comparison over a number or date field,
a case on the limit and one unit either side, built over the rule's own YAML cases; the expected
status is the rule's exact three-valued semantics (``pacm.expr.reference``, Decimal arithmetic),
not an evaluator's output. Which wrong line would fail here: an evaluator comparing in doubles
(TOOL24's F = 1 - 32/40 is 0.19999999999999996 in doubles, so ``F > 0.2`` and ``F >= 0.2`` would
agree at the limit), a Kleene connective or an operator mistranslated into durable-rules JSON or
pandas masks, an absent operand allowed to match.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

import pytest

import boundary_cases as bc
from pacm.evaluate.rete import ReteEvaluator
from pacm.evaluate.vector import VectorEvaluator
from pacm.rulepack import CompiledPack

# Comparisons with no boundary case, and why that is acceptable. Anything else missing fails.
NO_BOUNDARY = {
    ("additionality.common_practice", "additionality.common_practice.n_all"):
        "F = 1 - n_diff/n_all is not linear in n_all; the same comparison is cased on its limit through n_diff",
}


@pytest.fixture(scope="module")
def gen():
    return bc.Generator()


@pytest.fixture(scope="module")
def boundaries(gen):
    return gen.boundaries()


def test_every_limit_has_a_boundary(gen, boundaries):
    got = {(b.rule, b.field) for _, b in boundaries}
    owed = set()
    dates = sorted({d for ss in gen.seeds().values() for _, d, _ in ss})
    for d in dates:
        for cr in gen.pack.compile(d).rules:
            for _, f in bc.limit_atoms(cr):
                owed.add((cr.id, f))
    missing = sorted(owed - got - set(NO_BOUNDARY))
    assert not missing, f"comparisons with no decisive boundary case (add a YAML case that makes them decisive): {missing}"
    assert len(got) >= 80  # the pack has ~90 field comparisons; a generator that finds few proves little


def test_boundaries_exact_on_both_evaluators(gen, boundaries):
    """Each boundary on the rule as it is and with the comparison's strictness flipped (<= vs <)."""
    by_date = defaultdict(list)
    for cr, b in boundaries:
        by_date[b.as_of].append((cr, b))
    checked = 0
    wrong = []
    for as_of, items in sorted(by_date.items()):
        rules, flats, want = [], [], []
        for cr, b in items:
            variants = [cr] + [v for v in [bc.strictness_variant(cr, b.atom)] if v is not None]
            for variant in variants:
                if variant not in rules:
                    rules.append(variant)
            for case in b.cases:
                flats.append(case.flat)
                want.append((b, case, [(v.id, bc.reference_status(v, case.flat)) for v in variants]))
        cp = CompiledPack(gen.pack, as_of, rules, [])
        vec = VectorEvaluator(cp).evaluate_many(flats)
        rete = ReteEvaluator(cp)
        for i, (b, case, expected) in enumerate(want):
            r = rete.evaluate(flats[i], pdd_id=str(i))
            for rid, exp in expected:
                for ev, got in (("rete", r[rid]), ("vector", vec[i][rid])):
                    checked += 1
                    if got != exp:
                        wrong.append(f"{ev}: {rid} [{b.atom}] {b.field} = {case.value} ({case.label}): {got}, exact {exp}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 800


def test_tool24_limit_is_decided_exactly(gen, boundaries):
    """The case issue 10 names: F exactly 0.2 is not "more than 0.2" (TOOL24: common practice if F > 0.2)."""
    b = next(b for _, b in boundaries if b.rule == "additionality.common_practice" and b.field.endswith("n_diff"))
    on = next(c for c in b.cases if c.label == "on")
    n_all, n_diff = on.flat["additionality.common_practice.n_all"], on.flat["additionality.common_practice.n_diff"]
    assert 1 - Fraction(n_diff) / Fraction(n_all) == Fraction(1, 5)  # exactly on TOOL24's limit
    assert 1 - float(n_diff) / float(n_all) != 0.2  # the double is off: only an exact comparison decides this case
    cp = gen.pack.compile(b.as_of)
    assert ReteEvaluator(cp).evaluate(on.flat)[b.rule] == on.expect
    assert VectorEvaluator(cp).evaluate_many([on.flat])[0][b.rule] == on.expect
    assert on.expect == "pass"  # F = 0.2 exactly is not common practice (hand: 1 - 32/40 = 0.2, not > 0.2)


def test_absent_operand_never_matches(gen, boundaries):
    """Drop the free operand of every boundary's "on" case: no evaluator may decide the rule on it."""
    by_date = defaultdict(list)
    for cr, b in boundaries:
        on = next((c for c in b.cases if c.label == "on"), b.cases[0])
        flat = {k: v for k, v in on.flat.items() if k != b.field}
        by_date[b.as_of].append((cr, b, flat))
    wrong = []
    for as_of, items in sorted(by_date.items()):
        cp = CompiledPack(gen.pack, as_of, list({id(cr): cr for cr, _, _ in items}.values()), [])
        got = VectorEvaluator(cp).evaluate_many([flat for _, _, flat in items])
        rete = ReteEvaluator(cp)
        for i, ((cr, b, flat), g) in enumerate(zip(items, got)):
            exp = bc.reference_status(cr, flat)
            for ev, status in (("vector", g[b.rule]), ("rete", rete.evaluate(flat, str(i))[b.rule])):
                if status != exp:
                    wrong.append(f"{ev}: {b.rule} without {b.field}: {status}, exact {exp}")
    assert not wrong, "\n".join(wrong)


def test_text_and_flag_comparisons_between_fields():
    """Field-to-field equality on text and true/false values (the compiler stress pack's rules that compare two
    text or two flag fields): every combination of equal, different and absent values, on both evaluators,
    against the exact semantics. Which wrong line fails: the pandas evaluator's object-column branch (reading
    the wrong key, inverting `!=`, letting an absent side match)."""
    import itertools
    from pathlib import Path

    from pacm.expr.ir import BOOL, STR
    from pacm.pdd.fields import field_type
    from pacm.rulepack import load_pack

    pack = load_pack(Path(__file__).parent / "fixtures" / "compiler_pack")
    cp = pack.compile(dt.date(2026, 1, 1))
    picked = []
    for cr in cp.rules:
        fs = bc.fields_of(cr.rule.require)
        kinds = {field_type(f) for f in fs}
        if len(fs) >= 2 and kinds <= {STR, BOOL} and len(kinds) == 1:
            picked.append((cr, fs, kinds.pop()))
    assert len(picked) >= 2, [cr.id for cr, _, _ in picked]
    rules = [cr for cr, _, _ in picked]
    sub = CompiledPack(pack, cp.as_of, rules, [])
    flats, want = [], []
    for cr, fs, kind in picked:
        pool = ["a", "b", None] if kind == STR else [True, False, None]
        for combo in itertools.product(pool, repeat=len(fs)):
            flat = {f: v for f, v in zip(fs, combo) if v is not None}
            flats.append(flat)
            want.append((cr, flat))
    vec = VectorEvaluator(sub).evaluate_many(flats)
    rete = ReteEvaluator(sub)
    wrong = []
    for i, (cr, flat) in enumerate(want):
        exp = bc.reference_status(cr, flat)
        for ev, got in (("vector", vec[i][cr.id]), ("rete", rete.evaluate(flat, str(i))[cr.id])):
            if got != exp:
                wrong.append(f"{ev}: {cr.id} on {flat}: {got}, exact {exp}")
    assert not wrong, "\n".join(wrong)
    statuses = {bc.reference_status(cr, flat) for cr, flat in want}
    assert {"pass", "fail", "insufficient_data"} <= statuses

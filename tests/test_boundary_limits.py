"""The limits of the rules are where the sources put them (issue 14: tests that catch a wrong number).

``tests/boundary_limits.yaml`` lists, per rule and field, the limit a source states and which side of
it the limit itself belongs to ("at most 10 years": 10 passes, 11 fails). The rule pack's own
boundary (``tests/boundary_cases.py``: found from the condition and the parameters in force) must
match. Which wrong line fails here: a parameter value moved by one unit (fixed crediting period
10 -> 11, reversal notice 30 -> 31 days, very-high buffer 0.50 -> 0.49), a comparison whose
strictness changed (``<=`` -> ``<`` at the transition request, host-approval and addendum
deadlines, the 15 MW small-scale limit), a connective that makes the limit no longer decide.
"""

from __future__ import annotations

import pytest

import boundary_cases as bc

ENTRIES = bc.load_limits()


@pytest.fixture(scope="module")
def gen():
    return bc.Generator()


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['rule']}|{e['field']}|{e['limit']}" for e in ENTRIES])
def test_limit_from_source(gen, entry):
    cr = gen.pack.compile(entry.get("as_of", bc.DEFAULT_AS_OF)).by_id().get(entry["rule"])
    problem = bc.check_limit(entry, cr, gen.seeds()[entry["rule"]])
    assert problem is None, problem


def test_every_numeric_limit_of_the_pack_is_listed(gen):
    """A comparison against a parameter or a constant (a number a standard sets) must be in the table."""
    from pacm.expr.ir import Const, Param

    listed = {(e["rule"], e["field"]) for e in ENTRIES}
    missing = []
    for r in gen.pack.rules:
        for c in bc.atoms(r.applies) + (bc.atoms(r.require) if r.kind == "automatic" else []):
            sides = (c.left, c.right)
            if not any(isinstance(s, (Param, Const)) or _has_param(s) for s in sides):
                continue
            for f in bc.fields_of(c):
                if bc.field_kind(f) in ("number", "date") and (r.id, f) not in listed and (r.id, f) not in UNLISTED:
                    missing.append((r.id, f))
    assert not missing, f"limits with no source entry in tests/boundary_limits.yaml: {sorted(set(missing))}"


def _has_param(node) -> bool:
    from pacm.expr.ir import Param, params_of

    return isinstance(node, Param) or bool(params_of(node))


# Comparisons with a number that are not a limit a source sets, with the reason.
UNLISTED = {
    ("additionality.common_practice", "additionality.common_practice.n_all"):
        "F = 1 - N_diff/N_all is listed through N_diff (the comparison is not linear in N_all)",
}

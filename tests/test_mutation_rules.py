"""The fast subset of mutation testing, inside the suite: rule and parameter mutants (issue 14 item 3).

``tests/mutation/rules.py`` flips every comparison operator and and/or connective of the rule pack and
nudges every dated parameter value one unit up and down, one at a time, and checks each mutant against
the rule cases and source limits that concern it. Target: at most 2 % survive per mutator. The run
takes ~15 s here; it stops after BUDGET seconds on a loaded machine (it never fails on time: it reports
how many mutants it left unchecked, and the rates are over the checked ones).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "mutation"))

import rules as mutation  # noqa: E402

BUDGET = 75.0  # seconds of work at most inside `make test`


def test_rule_and_parameter_mutants_are_killed(capsys):
    res = mutation.run(budget=BUDGET, log=print)
    ms = [m for m in res["mutants"] if m.status != "pending"]
    summary = mutation.summary(ms)
    assert {"rule-operator", "rule-connective", "param-up", "param-down"} <= set(summary)
    bad = {k: mutation.survival_rate(s) for k, s in summary.items() if mutation.survival_rate(s) > 0.02}
    survivors = [f"{m.target} {m.mutator}: {m.description}" for m in ms if m.status == "survived"]
    assert not bad, f"survival over 2 %: {bad}; survivors:\n" + "\n".join(survivors)
    # each equivalent mutant carries its reason
    assert all(m.equivalent for m in ms if m.status == "equivalent")

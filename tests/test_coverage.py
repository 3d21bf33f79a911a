"""The coverage matrix, the rule cases and the dated rule pack, checked as a whole.

* rules/COVERAGE.md is exactly what `pacm coverage --format markdown` prints (stale -> fail);
* every requirement of the brief is covered, computed or out of scope with a reason; every rule is
  listed by a requirement and names a brief section;
* every automatic rule (all areas) has at least one passing and one failing YAML case;
* --as-of picks the rules and parameter values in force on that date;
* malformed case files are rejected with a "did you mean";
* findings resting on unconfirmed values say so in every report format.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pacm.coverage.cases import CaseRunner, deep_merge, load_all_cases, load_case_file, missing_cases
from pacm.coverage.matrix import build_matrix, coverage, load_requirements, render
from pacm.errors import PacmInputError
from pacm.rulepack import load_pack

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "rule_cases"
REGENERATE = "pacm coverage --format markdown --out rules/COVERAGE.md"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


@pytest.fixture(scope="module")
def matrix(pack):
    return build_matrix(pack, load_requirements(pack.root))


def test_coverage_md_is_current():
    current = (ROOT / "rules" / "COVERAGE.md").read_text(encoding="utf-8")
    assert current == render(coverage(), "markdown"), f"rules/COVERAGE.md is stale: run `{REGENERATE}`"


def test_every_requirement_covered_and_every_rule_mapped(matrix):
    assert matrix["problems"] == [], "coverage problems:\n" + "\n".join(matrix["problems"])
    assert matrix["summary"]["requirements_by_status"]["not_covered"] == 0


def test_out_of_scope_requirements_give_a_reason(matrix):
    oos = [q for s in matrix["brief_sections"] for q in s["requirements"] if q["status"] == "out_of_scope"]
    assert oos, "the brief has requirements pacm does not encode; they must be listed"
    for q in oos:
        assert len(q["out_of_scope"]) > 20, q


def test_brief_sections_cover_the_brief(matrix):
    """Every numbered section of standards.md with requirements appears in requirements.yaml."""
    secs = {s["section"] for s in matrix["brief_sections"]}
    for needed in ("§1.1", "§1.2", "§1.3", "§1.4", "§1.5", "§2.1", "§2.2", "§2.3", "§2.4", "§2.5", "§3",
                   "§4.1", "§4.2", "§4.3", "§5", "§6", "§7", "§8", "§9", "§9bis"):
        assert needed in secs


def test_every_rule_is_dated_cited_and_quoted(pack):
    for r in pack.rules:
        assert r.reference.get("document"), r.id
        assert len(r.clause) > 15, f"{r.id}: quote the clause it encodes"
        assert r.confidence in ("confirmed", "secondary", "unconfirmed"), r.id


def test_every_automatic_rule_has_a_passing_and_a_failing_case(pack):
    cases = load_all_cases(CASES, pack)
    lacking = missing_cases(pack, cases)
    lines = [f"{rid}: no {' and no '.join(kinds)} case" for rid, kinds in sorted(lacking.items())]
    assert not lacking, f"{len(lacking)} automatic rules lack YAML cases (tests/rule_cases/<area>.yaml):\n" + "\n".join(lines)


def test_missing_cases_reports_exactly_which(pack):
    cases = [c for c in load_all_cases(CASES, pack) if c.rule != "sd.grievance_mechanism" or c.expect != "fail"]
    assert missing_cases(pack, cases).get("sd.grievance_mechanism") == ["fail"]


# ------------------------------------------------------------------------------ dated rule pack
def test_as_of_picks_rules_in_force(pack):
    before = pack.compile(dt.date(2025, 5, 15))
    after = pack.compile(dt.date(2025, 5, 16))
    assert "baseline.downward_adjustment_initial" in before.skipped
    assert "baseline.downward_adjustment_initial" in after.by_id()
    assert "removals.monitoring_report_interval" in pack.compile(dt.date(2024, 10, 8)).skipped
    assert "removals.monitoring_report_interval" in pack.compile(dt.date(2024, 10, 9)).by_id()
    # barrier analysis stopped being acceptable on its own with the A6.4 additionality standard (SBM015)
    assert "additionality.barriers_not_standalone" in pack.compile(dt.date(2025, 2, 13)).skipped
    assert "additionality.barriers_not_standalone" in pack.compile(dt.date(2025, 2, 14)).by_id()


def test_as_of_picks_dated_parameter_values(pack):
    # the LDC/SIDS exemption was decided at CMA6 (FCCC/PA/CMA/2024/L.16, seed 001; review 2026-11 moved its in-force
    # date from SBM015's 2025-02-14 to the CMA6 closing day 2024-11-24)
    assert pack.params.value("issuance.ldc_sids_sop_exempt", dt.date(2024, 11, 23)) is False
    assert pack.params.value("issuance.ldc_sids_sop_exempt", dt.date(2024, 11, 24)) is True
    # the A/R request and host-approval deadlines were set at CMA6 too (seed 001 item 6)
    assert "transition.eligibility_host_approval_ar" in pack.compile(dt.date(2024, 11, 23)).skipped
    assert "transition.eligibility_host_approval_ar" in pack.compile(dt.date(2024, 11, 24)).by_id()
    assert "transition.eligibility_request_deadline_ar" in pack.compile(dt.date(2024, 11, 23)).skipped


@pytest.mark.parametrize("day", ["2021-11-13", "2023-06-01", "2024-06-01", "2025-03-01", "2026-11-01"])
def test_pack_compiles_on_every_date(pack, day):
    """No rule in force on a date reads a parameter that has no value on that date."""
    pack.compile(dt.date.fromisoformat(day))


# ------------------------------------------------------------------------------ case files
def test_deep_merge_semantics():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 4}
    assert deep_merge(base, {"a": {"c": [9]}, "d": None}) == {"a": {"b": 1, "c": [9]}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 4}


def _write(tmp_path, text):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_case_key_is_an_error_with_did_you_mean(tmp_path, pack):
    p = _write(tmp_path, "cases:\n  - {name: x, rule: sd.grievance_mechanism, expct: pass, pdd: {}}\n")
    with pytest.raises(PacmInputError) as e:
        load_case_file(p, [r.id for r in pack.rules])
    msg = e.value.render()
    assert "unknown case key 'expct'" in msg and "did you mean 'expect'" in msg
    assert "a case needs 'expect'" in msg


def test_unknown_rule_and_status_are_errors(tmp_path, pack):
    p = _write(tmp_path, "cases:\n  - {name: x, rule: sd.grievance_mechanisms, expect: passed, pdd: {}}\n")
    with pytest.raises(PacmInputError) as e:
        load_case_file(p, [r.id for r in pack.rules])
    msg = e.value.render()
    assert "no rule 'sd.grievance_mechanisms'" in msg and "did you mean 'sd.grievance_mechanism'" in msg
    assert "'passed' is not a status" in msg


def test_case_for_a_rule_not_in_force_is_an_error(tmp_path, pack):
    p = _write(tmp_path, "cases:\n  - {name: x, rule: baseline.downward_adjustment_initial, expect: pass, as_of: 2024-01-01, pdd: {}}\n")
    (case,) = load_case_file(p, [r.id for r in pack.rules])
    with pytest.raises(PacmInputError, match="not in force on 2024-01-01"):
        CaseRunner(CASES).run(case)


def test_bad_pdd_fragment_names_the_case_and_field(tmp_path, pack):
    p = _write(tmp_path, "cases:\n  - {name: typo, rule: sd.grievance_mechanism, expect: pass, pdd: {sd: {grievance_mechanizm: true}}}\n")
    (case,) = load_case_file(p, [r.id for r in pack.rules])
    with pytest.raises(PacmInputError) as e:
        CaseRunner(CASES).run(case)
    msg = e.value.render()
    assert "case 'typo'" in msg and "did you mean 'grievance_mechanism'" in msg


# ------------------------------------------------------------------------------ CLI and reports
def test_cli_coverage_formats_and_check(tmp_path):
    from pacm.cli import main

    assert main(["coverage", "--format", "json", "--out", str(tmp_path / "c.json")]) == 0
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["summary"]["rules"] == sum(len(a["rules"]) for a in data["areas"])
    row = next(r for a in data["areas"] for r in a["rules"] if r["id"] == "baseline.approach_allowed")
    assert row["kind"] == "automatic" and row["confidence"] == "confirmed" and row["brief_section"] == "§1.1"
    stale = tmp_path / "COVERAGE.md"
    stale.write_text("old\n")
    assert main(["coverage", "--format", "markdown", "--out", str(stale), "--check"]) == 1
    assert main(["coverage", "--format", "markdown", "--out", str(stale)]) == 0
    assert main(["coverage", "--format", "markdown", "--out", str(stale), "--check"]) == 0
    assert main(["coverage", "--format", "yaml"]) == 2


def test_unconfirmed_findings_are_labelled_in_every_format():
    from pacm.engine import Engine
    from pacm.pdd.load import load_pdd
    from pacm.report.markdown import render_markdown
    from pacm.report.text import render_text

    res = Engine().check(load_pdd(ROOT / "examples" / "wind_farm_india.yaml"), dt.date(2026, 11, 1), quantities=False)
    unconf = [f for f in res.findings if f.confidence == "unconfirmed" and f.status in ("pass", "fail")]
    assert unconf
    text, md = render_text(res), render_markdown(res)
    bodies = [("text", text), ("markdown", md)]
    try:
        from pacm.report.html import render_html
    except ImportError:  # the HTML report is optional in a build
        render_html = None
    if render_html is not None:
        bodies.append(("html", render_html(res)))
    js = {f["rule"]: f for f in res.to_json()["findings"]}
    for name, body in bodies:
        low = body.lower()
        assert "not confirmed" in low, f"the {name} report has no section on unconfirmed values"
        section = body[low.index("not confirmed"):]
        for f in unconf:
            assert any(f.rule in line and "unconfirmed" in line for line in section.splitlines()), (
                f"{name} report does not say {f.rule} rests on unconfirmed values"
            )
    for f in unconf:
        assert js[f.rule]["confidence"] == "unconfirmed"


# ------------------------------------------------------------------------------ the whole pack on Rete
def _random_flat(seed: int) -> dict:
    import random
    from decimal import Decimal

    from pacm.pdd.fields import registry

    rnd = random.Random(seed)
    out = {}
    for path, info in registry().items():
        if rnd.random() < 0.4:
            continue
        t = info["type"]
        if info["choices"]:
            out[path] = rnd.choice(info["choices"])
        elif t == "bool":
            out[path] = rnd.random() < 0.5
        elif t == "number":
            out[path] = Decimal(rnd.randint(-2, 40))
        elif t == "date":
            out[path] = dt.date(2020, 1, 1) + dt.timedelta(days=rnd.randint(0, 3000))
        else:
            out[path] = "x"
    return out


def test_full_pack_on_rete_matches_vector_without_stack_overflow(pack):
    """With the whole pack in one durable-rules ruleset, 1 of these 60 fact sets overflowed the engine's
    64-node alpha stack (error 303, hazard 12 in pacm.evaluate.rete); the adapter now splits rulesets."""
    from pacm.evaluate.rete import MAX_PATHS, ReteEvaluator, pattern_paths
    from pacm.evaluate.vector import VectorEvaluator

    cp = pack.compile(dt.date(2026, 11, 1))
    rete = ReteEvaluator(cp)
    by_id = cp.by_id()
    assert len(rete.rulesets) > 1
    for cr in cp.rules:
        o = cr.outcomes
        assert pattern_paths(o.passed) + pattern_paths(o.failed) + pattern_paths(o.not_applicable) <= MAX_PATHS
    flats = [_random_flat(s) for s in range(60)]
    vec = VectorEvaluator(cp).evaluate_many(flats)
    for i, f in enumerate(flats):
        assert rete.evaluate(f, f"p{i}") == vec[i], i
    assert set(vec[0]) == set(by_id)

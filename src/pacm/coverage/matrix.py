"""What the rule pack covers: the coverage matrix, and the YAML rule cases that test each rule.

Why this module exists: a validator trusts pacm only if it can see that every requirement of the
standards is either checked automatically, put on the validator's checklist, computed by the
quantities pipeline, or explicitly out of scope with a reason. Two kinds of data feed that view:

* the rules themselves: each rule's ``section:`` names the section (§) of the domain brief it encodes,
  so the mapping rule -> requirement is data kept beside the clause, not prose;
* ``rules/coverage/requirements.yaml``: the brief's requirements, section by section, each naming the
  rule ids (or glob patterns) that encode it, or where it is computed, or why it is out of scope.

``pacm coverage`` prints the matrix (text, markdown or JSON); ``rules/COVERAGE.md`` is its markdown
output, and ``tests/test_coverage.py`` fails when that file is stale.

The rule cases that ``--cases`` counts are loaded by :mod:`pacm.coverage.cases`.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import Collected

SECTION_RE = re.compile(r"^§\d+(?:\.\d+)?(?:bis)?")
_CONF_RANK = {"confirmed": 0, "secondary": 1, "unconfirmed": 2}
_REQ_KEYS = {"text", "tag", "rules", "computed_by", "out_of_scope", "note"}
_SECTION_KEYS = {"section", "title", "requirements", "note"}
_TAGS = ("C", "S", "M")


# =============================================================================== requirements
@dataclass
class Requirement:
    section: str
    text: str
    tag: str
    patterns: list[str]
    computed_by: Optional[str]
    out_of_scope: Optional[str]
    matched: list[str] = field(default_factory=list)
    unmatched_patterns: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.matched:
            return "rules"
        if self.computed_by:
            return "computed"
        if self.out_of_scope:
            return "out_of_scope"
        return "not_covered"


@dataclass
class BriefSection:
    section: str
    title: str
    requirements: list[Requirement]


def section_of(rule_section: str) -> Optional[str]:
    """The brief § a rule's ``section:`` names (``'§4.1 RMP maxima'`` -> ``'§4.1'``)."""
    m = SECTION_RE.match((rule_section or "").strip())
    return m.group(0) if m else None


def requirements_path(rules_root: Path) -> Path:
    return rules_root / "coverage" / "requirements.yaml"


def load_requirements(rules_root: Path) -> list[BriefSection]:
    from ..safeyaml import expect_mapping, load_file

    path = requirements_path(rules_root)
    src = str(path)
    data = expect_mapping(load_file(path), "a mapping with 'sections'")
    c = Collected(src)
    c.unknown_keys(data, ["source", "sections"])
    out: list[BriefSection] = []
    for i, sd in enumerate(data.get("sections") or []):
        loc = f"sections[{i}]"
        if not isinstance(sd, dict):
            c.add("bad-section", loc, "a section is a mapping with 'section', 'title', 'requirements'")
            continue
        c.unknown_keys(sd, _SECTION_KEYS, loc)
        sec = str(sd.get("section", ""))
        if not SECTION_RE.fullmatch(sec):
            c.add("bad-section", f"{loc}.section", f"'{sec}' is not a brief section number", "e.g. '§4.1' or '§9bis'")
        reqs = []
        for j, rd in enumerate(sd.get("requirements") or []):
            rloc = f"{loc}.requirements[{j}]"
            if not isinstance(rd, dict):
                c.add("bad-requirement", rloc, "a requirement is a mapping with 'text' and 'tag'")
                continue
            c.unknown_keys(rd, _REQ_KEYS, rloc)
            if rd.get("tag") not in _TAGS:
                c.add("bad-tag", f"{rloc}.tag", f"'{rd.get('tag')}' is not a provenance tag", "C | S | M")
            pats = rd.get("rules") or []
            if not isinstance(pats, list):
                c.add("bad-rules", f"{rloc}.rules", "rules is a list of rule ids or glob patterns")
                pats = []
            reqs.append(
                Requirement(
                    section=sec,
                    text=" ".join(str(rd.get("text", "")).split()),
                    tag=str(rd.get("tag")),
                    patterns=[str(p) for p in pats],
                    computed_by=rd.get("computed_by"),
                    out_of_scope=rd.get("out_of_scope"),
                )
            )
        out.append(BriefSection(sec, str(sd.get("title", "")), reqs))
    c.raise_if_any()
    return out


# =============================================================================== the matrix
def rule_confidence(pack, rule) -> str:
    """Weakest of the clause's confidence and its parameters' (latest value of each), date-independent."""
    levels = [rule.confidence]
    for p in rule.params:
        param = pack.params.params.get(p)
        if param is None:
            continue
        last = param.values[-1]
        levels.append(last.confidence or param.confidence)
    return max(levels, key=lambda c: _CONF_RANK.get(c, 2))


def build_matrix(pack, sections: list[BriefSection], cases: Optional[dict] = None) -> dict:
    """Everything ``pacm coverage`` prints, as plain data (the JSON format is exactly this)."""
    ids = [r.id for r in pack.rules]
    listed: set[str] = set()
    for s in sections:
        for req in s.requirements:
            for pat in req.patterns:
                hits = [i for i in ids if fnmatch.fnmatchcase(i, pat)]
                if not hits:
                    req.unmatched_patterns.append(pat)
                for h in hits:
                    if h not in req.matched:
                        req.matched.append(h)
                listed.update(hits)
    known_sections = {s.section for s in sections}
    by_rule = {r.id: r for r in pack.rules}
    areas = []
    for area, meta in sorted(pack.areas.items()):
        rows = []
        for r in pack.rules:
            if r.area != area:
                continue
            row = {
                "id": r.id,
                "kind": r.kind,
                "confidence": rule_confidence(pack, r),
                "section": r.section,
                "brief_section": section_of(r.section),
                "reference": r.citation(),
                "effective_from": r.effective_from.isoformat() if r.effective_from else None,
                "effective_until": r.effective_until.isoformat() if r.effective_until else None,
                "source": f"{Path(r.source).name}:{r.line}",
            }
            if cases is not None:
                got = cases.get(r.id, {})
                row["cases"] = {k: got.get(k, 0) for k in ("pass", "fail", "other")}
            rows.append(row)
        rows.sort(key=lambda x: (_section_key(x["brief_section"] or "§99"), x["section"], x["id"]))
        areas.append({"area": area, "title": meta.get("title"), "standard": meta.get("standard"), "rules": rows})
    brief = []
    for s in sections:
        brief.append(
            {
                "section": s.section,
                "title": s.title,
                "requirements": [
                    {
                        "text": q.text,
                        "tag": q.tag,
                        "status": q.status,
                        "rules": [{"id": i, "kind": by_rule[i].kind} for i in q.matched],
                        "unmatched_patterns": q.unmatched_patterns,
                        "computed_by": q.computed_by,
                        "out_of_scope": q.out_of_scope,
                    }
                    for q in s.requirements
                ],
            }
        )
    problems = []
    for r in pack.rules:
        sec = section_of(r.section)
        if sec is None:
            problems.append(f"rule {r.id}: section '{r.section}' does not start with a brief § number")
        elif sec not in known_sections and sec.split(".")[0] not in known_sections:
            problems.append(f"rule {r.id}: section {sec} is not a section (nor a subsection of one) of rules/coverage/requirements.yaml")
        if r.id not in listed:
            problems.append(f"rule {r.id}: not listed by any requirement in rules/coverage/requirements.yaml")
    for s in sections:
        for q in s.requirements:
            if q.status == "not_covered":
                problems.append(f"{s.section} requirement not covered: {q.text}")
            for pat in q.unmatched_patterns:
                problems.append(f"{s.section} requirement '{q.text[:60]}': '{pat}' matches no rule")
    all_rows = [row for a in areas for row in a["rules"]]
    summary = {
        "rules": len(all_rows),
        "automatic": sum(1 for x in all_rows if x["kind"] == "automatic"),
        "validator_judgement": sum(1 for x in all_rows if x["kind"] == "validator_judgement"),
        "by_confidence": {c: sum(1 for x in all_rows if x["confidence"] == c) for c in _CONF_RANK},
        "requirements": sum(len(s.requirements) for s in sections),
        "requirements_by_status": {
            st: sum(1 for s in sections for q in s.requirements if q.status == st)
            for st in ("rules", "computed", "out_of_scope", "not_covered")
        },
    }
    return {
        "rule_pack": pack.version,
        "brief": "shared/domain/standards.md",
        "summary": summary,
        "areas": areas,
        "brief_sections": brief,
        "problems": problems,
    }


def _section_key(sec: str):
    m = re.match(r"§(\d+)(?:\.(\d+))?(bis)?", sec)
    if not m:
        return (99, 0, 0)
    return (int(m.group(1)), 1 if m.group(3) else 0, int(m.group(2) or 0))


_KIND_SHORT = {"automatic": "auto", "validator_judgement": "judgement"}
_STATUS_TEXT = {
    "rules": "covered",
    "computed": "computed",
    "out_of_scope": "out of scope",
    "not_covered": "NOT COVERED",
}


def render_markdown(m: dict) -> str:
    s = m["summary"]
    out = [
        "# Coverage of the standards by the pacm rule pack",
        "",
        "<!-- Generated by `pacm coverage --format markdown --out rules/COVERAGE.md`; do not edit by hand.",
        "     tests/test_coverage.py fails when this file is stale. -->",
        "",
        f"Rule pack {m['rule_pack']}; requirements from `{m['brief']}` (listed in `rules/coverage/requirements.yaml`).",
        "",
        f"- Rules: **{s['rules']}** ({s['automatic']} automatic, {s['validator_judgement']} validator judgement)",
        "- Confidence (weakest of the clause and its parameters): "
        + ", ".join(f"{n} {c}" for c, n in s["by_confidence"].items()),
        f"- Requirements of the brief: **{s['requirements']}**: "
        + ", ".join(f"{n} {_STATUS_TEXT[k]}" for k, n in s["requirements_by_status"].items()),
        "",
        "Kinds: *auto* = pacm decides pass/fail; *judgement* = on the validator's checklist with what to confirm and",
        "where the PDD addresses it. Confidence: *confirmed* = primary text [C], *secondary* = secondary source [S],",
        "*unconfirmed* = from general knowledge [M]; override any parameter with `--param NAME=VALUE`.",
        "",
        "## 1. Rules by standard and section",
        "",
    ]
    for a in m["areas"]:
        out += [f"### {a['area']}: {a['title']}", "", f"Standard: {a['standard']}", ""]
        cases = any("cases" in r for r in a["rules"])
        head = "| section | rule | kind | confidence | in force | reference |" + (" cases pass/fail/other |" if cases else "")
        out += [head, "|---|---|---|---|---|---|" + ("---|" if cases else "")]
        for r in a["rules"]:
            eff = _eff(r)
            line = (
                f"| {_cell(r['section'])} | `{r['id']}` | {_KIND_SHORT[r['kind']]} | {r['confidence']} | {eff} "
                f"| {_cell(r['reference'])} |"
            )
            if cases:
                c = r.get("cases", {})
                line += f" {c.get('pass', 0)}/{c.get('fail', 0)}/{c.get('other', 0)} |"
            out.append(line)
        out.append("")
    out += ["## 2. Requirements of the brief and what covers them", ""]
    for b in m["brief_sections"]:
        out += [f"### {b['section']} {b['title']}", "", "| requirement | tag | status | covered by |", "|---|---|---|---|"]
        for q in b["requirements"]:
            out.append(f"| {_cell(q['text'])} | {q['tag']} | {_STATUS_TEXT[q['status']]} | {_cell(_covered_by(q))} |")
        out.append("")
    oos = [(b["section"], q) for b in m["brief_sections"] for q in b["requirements"] if q["status"] == "out_of_scope"]
    out += ["## 3. Out of scope, with the reason", ""]
    out += [f"- {sec}: {q['text']}: {q['out_of_scope']}" for sec, q in oos] or ["- none"]
    out.append("")
    if m["problems"]:
        out += ["## Problems", ""] + [f"- {p}" for p in m["problems"]] + [""]
    return "\n".join(out)


def _eff(r: dict) -> str:
    if r["effective_from"] and r["effective_until"]:
        return f"{r['effective_from']} to {r['effective_until']}"
    if r["effective_from"]:
        return f"from {r['effective_from']}"
    if r["effective_until"]:
        return f"until {r['effective_until']}"
    return "always"


def _covered_by(q: dict) -> str:
    parts = [f"`{r['id']}` ({_KIND_SHORT[r['kind']]})" for r in q["rules"]]
    if q["computed_by"]:
        parts.append(f"computed: {q['computed_by']}")
    if q["out_of_scope"]:
        parts.append(f"out of scope: {q['out_of_scope']}")
    for p in q["unmatched_patterns"]:
        parts.append(f"`{p}` matches no rule")
    return "; ".join(parts) or "-"


def _cell(s: str) -> str:
    return " ".join(str(s).split()).replace("|", "\\|")


def render_text(m: dict) -> str:
    s = m["summary"]
    out = [
        f"pacm rule pack {m['rule_pack']}: {s['rules']} rules ({s['automatic']} automatic, "
        f"{s['validator_judgement']} validator judgement); confidence "
        + ", ".join(f"{n} {c}" for c, n in s["by_confidence"].items()),
        f"brief requirements: {s['requirements']} ("
        + ", ".join(f"{n} {_STATUS_TEXT[k]}" for k, n in s["requirements_by_status"].items())
        + ")",
        "",
    ]
    for a in m["areas"]:
        out.append(f"{a['area']}: {a['title']}")
        out.append(f"  standard: {a['standard']}")
        for r in a["rules"]:
            c = r.get("cases")
            cs = f"  cases {c['pass']} pass / {c['fail']} fail / {c['other']} other" if c is not None else ""
            out.append(f"  {r['section'][:34]:34s} {r['id']:52s} {_KIND_SHORT[r['kind']]:9s} {r['confidence']:11s}{cs}")
        out.append("")
    out.append("Requirements of the brief")
    for b in m["brief_sections"]:
        out.append(f"{b['section']} {b['title']}")
        for q in b["requirements"]:
            out.append(f"  [{_STATUS_TEXT[q['status']]}] ({q['tag']}) {q['text']}")
            out.append(f"      {_covered_by(q)}")
    if m["problems"]:
        out += ["", "Problems:"] + [f"  - {p}" for p in m["problems"]]
    return "\n".join(out) + "\n"


def coverage(rules_dir: Optional[Path] = None, with_cases: bool = False) -> dict:
    from ..rulepack import load_pack

    from .cases import load_all_cases

    pack = load_pack(rules_dir)
    sections = load_requirements(pack.root)
    counts = None
    if with_cases:
        counts = {}
        for case in load_all_cases(pack.root.parent / "tests" / "rule_cases", pack):
            key = case.expect if case.expect in ("pass", "fail") else "other"
            counts.setdefault(case.rule, {}).setdefault(key, 0)
            counts[case.rule][key] += 1
    return build_matrix(pack, sections, counts)


def render(m: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(m, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(m)
    return render_text(m)

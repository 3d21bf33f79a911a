"""The methodology registry (``methodologies/registry.yaml``): which methodology a PDD may apply.

Why data and not a rule list: the Supervisory Body approves mechanism methodologies every few
months, and a transitioned CDM activity may apply a CDM methodology only under the transition grace
rule. The registry says, per methodology id and version, its kind (``mechanism`` or ``cdm``), when it
was approved, until when it may be applied, which activities may use it, its source and confidence.
The engine turns the entry for a PDD's methodology into ``context.methodology_*`` facts, which the
rule ``activity_cycle.methodology_approved`` reads; a methodology the registry does not list leaves
those facts absent, so the rule is ``insufficient_data`` and the message names the registry file.

A user's own file (``pacm check --methodologies FILE``) is merged over the bundled one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Collected, PacmInputError, RulePackError
from .citation import parse_reference
from .params import CONFIDENCE
from .safeyaml import expect_mapping, load_file

KINDS = ("mechanism", "cdm")
USES = ("new", "transitioned", "renewal")
_FILE_KEYS = {"registry", "updated", "methodologies", "note"}
_METH_KEYS = {"id", "title", "kind", "computed_by", "versions", "note"}
_VERSION_KEYS = {"version", "approved", "valid_until", "activities", "reference", "confidence", "note"}


@dataclass(frozen=True)
class Entry:
    id: str
    version: str
    title: str
    kind: str
    approved: dt.date | None
    valid_until: dt.date | None
    activities: tuple[str, ...]
    reference: dict
    confidence: str
    computed_by: str | None
    source: str

    def to_json(self) -> dict:
        return {
            "id": self.id, "version": self.version, "title": self.title, "kind": self.kind,
            "approved": self.approved.isoformat() if self.approved else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "activities": list(self.activities), "reference": dict(self.reference),
            "confidence": self.confidence, "computed_by": self.computed_by, "source": self.source,
        }


def _key(mid: str, version: str) -> tuple[str, str]:
    return (mid.strip().upper(), version.strip())


@dataclass
class Registry:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def get(self, mid: str, version: str) -> Entry | None:
        return self.entries.get(_key(mid, version))

    def versions_of(self, mid: str) -> list[str]:
        k = mid.strip().upper()
        return sorted(v for (i, v) in self.entries if i == k)

    def merged(self, other: "Registry") -> "Registry":
        """This registry with ``other``'s entries added (same id and version: ``other`` wins)."""
        out = Registry(dict(self.entries), list(self.sources))
        out.entries.update(other.entries)
        out.sources += [s for s in other.sources if s not in out.sources]
        return out

    @property
    def name(self) -> str:
        return " + ".join(self.sources) or "(no registry)"

    def context(self, pdd) -> dict[str, Any]:
        """``context.methodology_*`` facts for a PDD (absent when the registry does not list its methodology)."""
        m = pdd.activity.methodology
        out: dict[str, Any] = {"context.methodology_registry": self.name}
        e = self.get(m.id, m.version)
        if e is None:
            return out
        from .pdd.derive import derived

        use = derived(pdd, "methodology_use")
        out.update({
            "context.methodology_kind": e.kind,
            "context.methodology_activities": ", ".join(e.activities),
            "context.methodology_allows_use": (use in e.activities) if use is not None else None,
            "context.methodology_approved_on": e.approved,
            "context.methodology_valid_until": e.valid_until,
            "context.methodology_entry_source": e.source,
        })
        return out


def _date(c: Collected, loc: str, v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    c.add("bad-date", loc, f"found {v!r}", expected="a date YYYY-MM-DD")
    return None


def load_registry(path: str | Path, user: bool = False) -> Registry:
    """Load and check a registry file; every problem at once, each naming the file and the entry.

    A bundled registry's problems are rule-pack errors; a user's file (``user=True``) is bad input (exit 2).
    """
    err = PacmInputError if user else RulePackError
    src = str(path)
    p = Path(path)
    if not p.is_file():
        raise PacmInputError.single(src, "file-not-found", "methodology registry file not found",
                                    expected="a YAML file like methodologies/registry.yaml")
    try:
        doc = load_file(p)
        data = expect_mapping(doc, "a methodology registry: registry, updated, methodologies")
    except PacmInputError as exc:
        raise err(exc.source, exc.problems) from None
    c = Collected(src)
    c.unknown_keys(data, _FILE_KEYS)
    items = data.get("methodologies")
    if not isinstance(items, list) or not items:
        c.add("no-methodologies", "methodologies", "'methodologies' must be a non-empty list")
        c.raise_if_any(err)
    shown = src if user else f"{p.parent.name}/{p.name}"
    reg = Registry(sources=[shown])
    for i, md in enumerate(items):
        if not isinstance(md, dict):
            c.add("bad-entry", f"methodologies[{i}]", "an entry must be a mapping with id, kind and versions")
            continue
        mid = md.get("id")
        loc = f"methodologies[{i}] ({mid})" if isinstance(mid, str) else f"methodologies[{i}]"
        c.unknown_keys(md, _METH_KEYS, loc)
        if not isinstance(mid, str) or not mid.strip():
            c.add("missing-key", loc, "an entry needs an 'id' (text, e.g. 'A6.4-AMM-001')")
            continue
        kind = md.get("kind")
        if kind not in KINDS:
            c.add("bad-kind", f"{loc}.kind", f"found {kind!r}", expected="one of " + ", ".join(KINDS))
            continue
        versions = md.get("versions")
        if not isinstance(versions, list) or not versions:
            c.add("no-versions", f"{loc}.versions", "'versions' must be a non-empty list")
            continue
        for j, vd in enumerate(versions):
            vloc = f"{loc}.versions[{j}]"
            if not isinstance(vd, dict):
                c.add("bad-entry", vloc, "a version must be a mapping")
                continue
            c.unknown_keys(vd, _VERSION_KEYS, vloc)
            ver = vd.get("version")
            if not isinstance(ver, str) or not ver.strip():
                c.add("bad-version", f"{vloc}.version", f"found {ver!r}", expected="the version as text in quotes, e.g. \"01.0\"")
                continue
            approved = _date(c, f"{vloc}.approved", vd.get("approved"))
            until = _date(c, f"{vloc}.valid_until", vd.get("valid_until"))
            if kind == "mechanism" and (approved is None or until is None):
                c.add("missing-key", vloc, "a mechanism methodology version needs 'approved' and 'valid_until' dates")
            if kind == "cdm" and until is not None:
                c.add("bad-key", f"{vloc}.valid_until",
                      "a CDM methodology has no valid_until: its grace deadline is the parameter "
                      "transition.cdm_methodology_deadline (override it with --param)")
            if approved and until and until < approved:
                c.add("bad-dates", vloc, f"valid_until {until} is before approved {approved}")
            acts = vd.get("activities")
            if not isinstance(acts, list) or not acts or any(a not in USES for a in acts):
                c.add("bad-activities", f"{vloc}.activities", f"found {acts!r}",
                      expected="a non-empty list of " + ", ".join(USES))
                acts = []
            if kind == "cdm" and any(a != "transitioned" for a in acts):
                c.add("bad-activities", f"{vloc}.activities",
                      "a CDM methodology may be applied only by a transitioned activity (domain brief §7)",
                      expected="[transitioned]")
            conf = vd.get("confidence")
            if conf not in CONFIDENCE:
                c.add("bad-confidence", f"{vloc}.confidence", f"found {conf!r}", expected="one of " + ", ".join(CONFIDENCE))
            ref = parse_reference(c, f"{vloc}.reference", vd.get("reference"))
            e = Entry(mid.strip(), ver.strip(), str(md.get("title", "")), kind, approved, until, tuple(acts), ref,
                      str(conf), md.get("computed_by"), shown)
            k = _key(e.id, e.version)
            if k in reg.entries:
                c.add("duplicate-methodology", vloc, f"{e.id} v{e.version} is listed twice")
            reg.entries[k] = e
    c.raise_if_any(err)
    return reg


def default_path(rules_root: Path) -> Path:
    return Path(rules_root).parent / "methodologies" / "registry.yaml"

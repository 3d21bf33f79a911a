"""Every golden number names where it comes from (issue 14 item 2).

A golden file records what pacm computed; on its own it catches nothing, since a re-recorded file follows a
wrong number. ``tests/golden/quantities/PROVENANCE.yaml`` therefore says, for each golden file, why it was
recorded (``recorded_because``, tied to the file's sha256), how every column is computed and from which
source (``columns``), and which numbers were checked by hand (``checked``, the arithmetic beside each).
This test fails when a golden file is re-recorded without a new note, gains a column nobody explained,
or disagrees with a hand-checked number.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pacm.safeyaml import load_file

GOLDEN = Path(__file__).parent / "golden" / "quantities"
PROV = load_file(GOLDEN / "PROVENANCE.yaml").data
FILES = sorted(p.name for p in GOLDEN.glob("*.json"))


def _at(doc: dict, path: str):
    part, *rest = path.split(".")
    if part == "years":
        year, key = int(rest[0]), rest[1]
        return next(r for r in doc["years"] if r["year"] == year)[key]
    return doc[part][rest[0]]


def test_every_golden_file_has_provenance():
    assert FILES, "no golden files found"
    missing = [f for f in FILES if f not in PROV["files"]]
    assert not missing, f"golden files without an entry in PROVENANCE.yaml: {missing}"
    stale = [f for f in PROV["files"] if f not in FILES]
    assert not stale, f"PROVENANCE.yaml names golden files that do not exist: {stale}"


@pytest.mark.parametrize("name", FILES)
def test_golden_file_provenance(name):
    entry = PROV["files"].get(name)
    assert entry, f"{name}: no provenance entry"
    raw = (GOLDEN / name).read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    assert sha == entry["sha256"], (
        f"{name} was re-recorded (sha256 {sha}) without a provenance note: write in PROVENANCE.yaml what changed "
        f"the numbers (`recorded_because`: the source, the corrected parameter or the fixed bug) and the new sha256"
    )
    assert len(" ".join(str(entry.get("recorded_because", "")).split())) >= 40, f"{name}: recorded_because says too little"
    doc = json.loads(raw)
    keys = {k for r in doc["years"] for k in r} | set(doc["totals"])
    unexplained = sorted(keys - set(PROV["columns"]))
    assert not unexplained, f"{name}: columns with no formula and source in PROVENANCE.yaml: {unexplained}"
    checked = entry.get("checked") or []
    assert len(checked) >= 5, f"{name}: fewer than 5 numbers checked by hand"
    wrong = []
    for c in checked:
        assert c.get("hand"), f"{name}: checked number {c['at']} has no hand arithmetic beside it"
        got = _at(doc, c["at"])
        if str(got) != str(c["value"]):
            wrong.append(f"{c['at']}: golden {got}, by hand {c['value']} ({c['hand']})")
    assert not wrong, f"{name}: " + "; ".join(wrong)

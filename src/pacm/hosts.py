"""Host Party facts on a date: LDC and SIDS status.

The share of proceeds for adaptation is waived for activities hosted in LDCs and SIDS, judged on
the date that matters (issuance). The UN list is current; graduations are dated in
``data/ldc_history.yaml`` so status can be rewound (Bhutan was an LDC until 2023-12-13).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .safeyaml import load_file

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Party:
    iso3: str
    iso2: str
    m49: str
    name: str
    ldc_now: bool
    lldc: bool
    sids: bool


@lru_cache(maxsize=1)
def parties() -> dict[str, Party]:
    out = {}
    with open(DATA / "m49_parties.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            out[r["iso3"]] = Party(
                r["iso3"], r["iso2"], r["m49"], r["name"], r["ldc_2025"] == "x", r["lldc_2025"] == "x", r["sids_2025"] == "x"
            )
    return out


@lru_cache(maxsize=1)
def graduations() -> dict[str, dict]:
    data = load_file(DATA / "ldc_history.yaml").data
    return dict(data.get("graduations", {}))


def is_ldc(iso3: str, on: dt.date) -> bool | None:
    p = parties().get(iso3)
    if p is None:
        return None
    g = graduations().get(iso3)
    if g is not None:
        return on < g["graduated"]
    return p.ldc_now


def is_sids(iso3: str, on: dt.date) -> bool | None:
    p = parties().get(iso3)
    return None if p is None else p.sids


def context_for(iso3: str, on: dt.date, as_of: dt.date) -> dict:
    """``context.*`` facts for a host on a date (``on`` is the issuance date when known)."""
    known = iso3 in parties()
    return {
        "context.as_of": as_of,
        "context.host_known": known,
        "context.host_ldc": is_ldc(iso3, on) if known else None,
        "context.host_sids": is_sids(iso3, on) if known else None,
    }

"""Host Party facts on a date: LDC and SIDS status.

The share of proceeds for adaptation is waived for activities hosted in LDCs and SIDS, judged on
the date that matters (issuance). The UN list is current; graduations are dated in
``rules/hosts/ldc_history.yaml`` so status can be rewound (Bhutan was an LDC until 2023-12-13).

The tables are rule-pack data (``rules/hosts/``, covered by the pack hash: a changed table changes the
digest a report shows); a pack carries its own (:attr:`pacm.rulepack.RulePack.hosts`), and the module
functions below read the bundled pack's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .safeyaml import load_file, read_bytes

#: The files of a pack's ``hosts/`` folder.
PARTIES_FILE = "m49_parties.csv"
HISTORY_FILE = "ldc_history.yaml"


@dataclass(frozen=True)
class Party:
    iso3: str
    iso2: str
    m49: str
    name: str
    ldc_now: bool
    lldc: bool
    sids: bool


@dataclass(frozen=True)
class HostTables:
    """The UN M49 parties with their 2025 LDC/LLDC/SIDS flags, and the dated LDC graduations."""

    parties: dict = field(default_factory=dict)  # iso3 -> Party
    graduations: dict = field(default_factory=dict)  # iso3 -> {graduated: date, ...}
    source: str = ""

    def is_ldc(self, iso3: str, on: dt.date) -> bool | None:
        p = self.parties.get(iso3)
        if p is None:
            return None
        g = self.graduations.get(iso3)
        if g is not None:
            return on < g["graduated"]
        return p.ldc_now

    def is_sids(self, iso3: str, on: dt.date) -> bool | None:
        p = self.parties.get(iso3)
        return None if p is None else p.sids

    def context_for(self, iso3: str, on: dt.date, as_of: dt.date) -> dict:
        """``context.*`` facts for a host on a date (``on`` is the issuance date when known)."""
        known = iso3 in self.parties
        return {
            "context.as_of": as_of,
            "context.host_known": known,
            "context.host_ldc": self.is_ldc(iso3, on) if known else None,
            "context.host_sids": self.is_sids(iso3, on) if known else None,
        }


def load_tables(folder: Path) -> HostTables:
    """Read a pack's ``hosts/`` folder (regular files only, size-checked, like every pack file)."""
    folder = Path(folder)
    text = read_bytes(folder / PARTIES_FILE).decode("utf-8")
    parties = {}
    for r in csv.DictReader(io.StringIO(text, newline="")):
        parties[r["iso3"]] = Party(
            r["iso3"], r["iso2"], r["m49"], r["name"], r["ldc_2025"] == "x", r["lldc_2025"] == "x", r["sids_2025"] == "x"
        )
    data = load_file(folder / HISTORY_FILE).data
    return HostTables(parties, dict(data.get("graduations", {})), str(folder))


def tables_of(rules_root: Path) -> HostTables:
    """The host tables of the pack in ``rules_root``; a pack without a ``hosts/`` folder uses the bundled ones."""
    folder = Path(rules_root) / "hosts"
    return load_tables(folder) if (folder / PARTIES_FILE).is_file() else default_tables()


@lru_cache(maxsize=1)
def default_tables() -> HostTables:
    """The bundled pack's tables (``rules/hosts/``, found by :mod:`pacm.paths`)."""
    from .paths import hosts_dir

    return load_tables(hosts_dir())


def parties() -> dict[str, Party]:
    return default_tables().parties


def graduations() -> dict[str, dict]:
    return default_tables().graduations


def is_ldc(iso3: str, on: dt.date, tables: HostTables | None = None) -> bool | None:
    return (tables or default_tables()).is_ldc(iso3, on)


def is_sids(iso3: str, on: dt.date, tables: HostTables | None = None) -> bool | None:
    return (tables or default_tables()).is_sids(iso3, on)


def context_for(iso3: str, on: dt.date, as_of: dt.date, tables: HostTables | None = None) -> dict:
    """``context.*`` facts for a host on a date (``on`` is the issuance date when known)."""
    return (tables or default_tables()).context_for(iso3, on, as_of)

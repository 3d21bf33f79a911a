"""LDC status on a date (issue 10 item 7): graduations of Bangladesh, Lao PDR and Nepal on 2026-11-24
(UNGA A/RES/76/8, five-year preparatory period, UN press Nov 2021 [S]) and Solomon Islands on 2027-12-13 [S]
(review 2026-11). Before the graduation day the host is an LDC, from that day on it is not."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from pacm.engine import Engine
from pacm.hosts import is_ldc, is_sids
from pacm.pdd.load import pdd_from_data
from pacm.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("iso3", ["BGD", "LAO", "NPL"])
def test_2026_graduations(iso3):
    assert is_ldc(iso3, dt.date(2026, 11, 23)) is True
    assert is_ldc(iso3, dt.date(2026, 11, 24)) is False


def test_solomon_islands_graduates_2027_but_stays_sids():
    assert is_ldc("SLB", dt.date(2027, 12, 12)) is True
    assert is_ldc("SLB", dt.date(2027, 12, 13)) is False
    assert is_sids("SLB", dt.date(2027, 12, 13)) is True


def _sop_2022(host: str, issuance: dt.date) -> str:
    data = copy.deepcopy(load_file(ROOT / "examples" / "cookstoves_malawi.yaml").data)
    data["activity"]["host_party"] = host
    data["issuance"]["planned_issuance_date"] = issuance
    res = Engine().check(pdd_from_data(data, None, "<test>"), dt.date(2026, 11, 1))
    return next(r for r in res.quantities.to_json()["years"] if r["year"] == 2022)["sop_adaptation"]


def test_nepal_issuance_exempt_on_23_november_2026_not_on_25th():
    # cookstoves example 2022: gross 6,797 A6.4ERs; exempt: SOP 0. Not exempt: issuable floor(6,797 x 0.93) =
    # floor(6,321.21) = 6,321, OMGE ceil(135.94) = 136, SOP 6,797 - 6,321 - 136 = 340 (5 % = 339.85)
    assert _sop_2022("NPL", dt.date(2026, 11, 23)) == "0"
    assert _sop_2022("NPL", dt.date(2026, 11, 25)) == "340"

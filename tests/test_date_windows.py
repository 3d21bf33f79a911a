"""Date windows decided on their first and last day (issue 14 item 1: a case on each date limit).

* LDC status on a graduation day: the UN list and ``data/ldc_history.yaml`` say a country *graduates*
  on the date, so the day itself is no longer LDC (``hosts.is_ldc``); the day before still is. Checked
  for every graduation in the data file, and end to end on the share-of-proceeds exemption.
* The CDM transition batch: a crediting period is "active as of 1 January 2021" (7/CMA.4 annex I)
  when it starts on that day or ends on it; 2020-12-31 as last day is not. An eligibility condition
  the batch cannot decide leaves ``transition_eligible`` empty, never true.
Expected values are the sources' words, written beside each case; none is pacm's own output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pacm.engine import Engine
from pacm.hosts import graduations, is_ldc
from pacm.transition.mapping import load_mapping
from pacm.transition.run import run

FIX = Path(__file__).parent / "fixtures"
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("iso3", sorted(graduations()))
def test_graduation_day_is_not_ldc(iso3):
    day = graduations()[iso3]["graduated"]
    assert is_ldc(iso3, day - DAY) is True  # the last day on the list
    assert is_ldc(iso3, day) is False  # graduates on the day: no longer an LDC
    assert is_ldc(iso3, day + DAY) is False


def test_graduation_day_ends_the_sop_exemption_of_a_check():
    """Bhutan (BTN) graduated on 2023-12-13 (ldc_history.yaml, domain brief C14): an issuance planned for
    2023-12-12 is on an LDC host, one on 2023-12-13 is not (Bhutan is not a SIDS either)."""
    from pacm.hosts import context_for

    assert context_for("BTN", dt.date(2023, 12, 12), dt.date(2026, 11, 1))["context.host_ldc"] is True
    assert context_for("BTN", dt.date(2023, 12, 13), dt.date(2026, 11, 1))["context.host_ldc"] is False
    assert context_for("BTN", dt.date(2023, 12, 13), dt.date(2026, 11, 1))["context.host_sids"] is False


# ------------------------------------------------------------------------------ transition batch
def _serial(d: dt.date) -> str:
    """Excel serial number of a date (the export stores some dates so)."""
    return str(float((d - dt.date(1899, 12, 30)).days))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """CDM 8442 (case C04, fixed CP 2012-12-06..2022-12-05, eligible as it is) with its crediting period
    moved onto the edges of 1 January 2021, and once with its registration status blanked."""
    src = pd.read_csv(FIX / "unfccc_cdm_extract.csv", dtype=str, keep_default_na=False)
    base = src[src["CDM project reference number"] == "8442.0"].iloc[0]
    rows = []

    def variant(ref, **cols):
        r = base.copy()
        r["CDM project reference number"] = ref
        r["Unique project identifier (traceable with Google)"] = f"EDGE{ref}"
        for k, v in cols.items():
            r[k] = v
        rows.append(r)

    cp1s, cp1e = "Start of first crediting period", "End of first crediting period"
    variant("90001", **{cp1s: "2021-01-01", cp1e: "2030-12-31"})  # starts on the day: active
    variant("90002", **{cp1s: "2011-01-02", cp1e: "2021-01-01"})  # ends on the day: active
    variant("90003", **{cp1s: "2011-01-01", cp1e: "2020-12-31"})  # ends the day before: not active
    variant("90004", **{cp1s: "2021-01-02", cp1e: "2031-01-01"})  # starts the day after: not active
    variant("90005", **{"Website project status": ""})  # registration not shown: undecided
    path = tmp_path_factory.mktemp("edges") / "edges.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return run(path, dt.date(2026, 1, 15), Engine(), load_mapping(), all_findings=True)


def _act(res, ref):
    a = res.activities
    return a[a["reference"].astype(str).str.replace(".0", "", regex=False) == ref].iloc[0]


def test_crediting_period_starting_on_1_january_2021_is_active(batch):
    a = _act(batch, "90001")
    assert a["transition_eligible"] == True, a.to_dict()  # noqa: E712
    # it is the period that transitions: CDM methodology until the earlier of its end and 2025-12-31 (7/CMA.4)
    assert a["cdm_methodology_until"] == dt.date(2025, 12, 31)


def test_crediting_period_ending_on_1_january_2021_is_active(batch):
    a = _act(batch, "90002")
    assert a["transition_eligible"] == True, a.to_dict()  # noqa: E712
    assert a["cdm_methodology_until"] == dt.date(2021, 1, 1)  # the earlier of its end (2021-01-01) and 2025-12-31


@pytest.mark.parametrize("ref", ["90003", "90004"])
def test_crediting_period_off_1_january_2021_is_not_active(batch, ref):
    a = _act(batch, ref)
    assert a["transition_eligible"] == False and a["eligibility_failed"] == "cp_active_2021", a.to_dict()  # noqa: E712


def test_undecided_eligibility_is_not_eligible(batch):
    a = _act(batch, "90005")
    assert pd.isna(a["transition_eligible"]), a.to_dict()  # undecided, neither true nor false
    assert "registered" in a["eligibility_undecided"]

"""Host tables and column mappings are rule-pack data (issue 15 item 1): in ``rules/``, found through
:mod:`pacm.paths`, covered by the pack hash, and a pack's own tables are the ones its checks use."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest

from pacm import paths
from pacm.engine import Engine
from pacm.hosts import default_tables, tables_of
from pacm.pdd.load import pdd_from_data
from pacm.rulepack import load_pack
from pacm.safeyaml import load_file
from pacm.transition.mapping import DEFAULT as DEFAULT_MAPPING

ROOT = Path(__file__).resolve().parents[1]
WIND = load_file(ROOT / "examples" / "wind_farm_india.yaml").data
AS_OF = dt.date(2026, 11, 1)


@pytest.fixture()
def pack_copy(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "methodologies", tmp_path / "methodologies")
    return tmp_path / "rules"


def test_pack_data_lives_in_the_pack():
    assert paths.hosts_dir() == paths.rules_dir() / "hosts"
    assert (paths.hosts_dir() / "m49_parties.csv").is_file() and (paths.hosts_dir() / "ldc_history.yaml").is_file()
    assert DEFAULT_MAPPING.parent == paths.mappings_dir() == paths.rules_dir() / "mappings"
    assert not (ROOT / "src" / "pacm" / "data").exists()


@pytest.mark.parametrize("rel, old, new", [
    ("hosts/m49_parties.csv", "FJI,FJ,242,Fiji,,,x", "FJI,FJ,242,Fiji,x,,x"),
    ("hosts/ldc_history.yaml", "BTN: {graduated: 2023-12-13", "BTN: {graduated: 2023-12-14"),
    ("mappings/unfccc_cdm_2022.yaml", "removal_methodology_prefixes: [\"AR-\"]", "removal_methodology_prefixes: [\"AR-\", \"X\"]"),
])
def test_changing_pack_data_changes_the_hash(pack_copy, rel, old, new):
    before = load_pack(pack_copy).digest
    f = pack_copy / rel
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert load_pack(pack_copy).digest != before


def test_a_pack_uses_its_own_host_tables(pack_copy):
    """Bhutan graduated on 2023-12-13 (domain brief C14): a pack whose table says 2027-01-01 judges it an LDC in
    2026; the bundled pack does not."""
    f = pack_copy / "hosts" / "ldc_history.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("BTN: {graduated: 2023-12-13", "BTN: {graduated: 2027-01-01"),
                 encoding="utf-8")
    data = copy.deepcopy(WIND)
    data["activity"]["host_party"] = "BTN"
    data["issuance"] = {"planned_issuance_date": dt.date(2026, 6, 1)}
    pdd = pdd_from_data(data, None, "<t>")
    assert Engine(rules_dir=pack_copy).facts(pdd, AS_OF)["context.host_ldc"] is True
    assert Engine().facts(pdd, AS_OF)["context.host_ldc"] is False


def test_a_pack_without_host_tables_uses_the_bundled_ones(tmp_path):
    assert tables_of(tmp_path) is default_tables()

"""Loading the rule pack: dated parameter values, the content hash, and the load cache."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pacm.errors import PacmInputError
from pacm.rulepack import load_pack

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def pack_copy(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path / "rules"


def test_every_rule_cites_and_quotes(monkeypatch):
    pack = load_pack()
    for r in pack.rules:
        assert r.reference.get("document"), r.id
        assert r.clause.strip(), r.id
        assert r.confidence in ("confirmed", "secondary", "unconfirmed"), r.id
        assert r.section, r.id


def test_every_parameter_dated_and_referenced():
    pack = load_pack()
    for p in pack.params.params.values():
        assert p.values and all(isinstance(v.start, dt.date) for v in p.values), p.name
        assert p.reference.get("document"), p.name
        assert p.confidence in ("confirmed", "secondary", "unconfirmed"), p.name


def test_dated_value_in_force(pack_copy, monkeypatch):
    monkeypatch.setenv("PACM_NO_CACHE", "1")
    f = pack_copy / "parameters" / "crediting_period.yaml"
    f.write_text(f.read_text().replace("    2021-11-13: {value: 5}", "    2021-11-13: {value: 5}\n    2030-01-01: {value: 4}"))
    pack = load_pack(pack_copy)
    assert pack.params.value("crediting_period.er_renewable_max_years", dt.date(2029, 12, 31)) == Decimal(5)
    assert pack.params.value("crediting_period.er_renewable_max_years", dt.date(2030, 1, 1)) == Decimal(4)
    assert pack.params.describe("crediting_period.er_renewable_max_years", dt.date(2030, 6, 1))["in_force_from"] == "2030-01-01"


def test_hash_changes_with_any_edit_and_nothing_is_cached(pack_copy, tmp_path, monkeypatch):
    # issue 11: the rule pack is never cached (a pickle ran code); every load reads the YAML
    monkeypatch.delenv("PACM_NO_CACHE", raising=False)
    monkeypatch.setenv("PACM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = load_pack(pack_copy)
    again = load_pack(pack_copy)
    assert again.digest == first.digest and len(again.rules) == len(first.rules)
    assert not (tmp_path / "cache").exists() and not (tmp_path / "xdg").exists()
    f = pack_copy / "parameters" / "additionality.yaml"
    f.write_text(f.read_text().replace("{value: 0.2}", "{value: 0.25}"))
    edited = load_pack(pack_copy)
    assert edited.digest != first.digest
    assert edited.params.value("additionality.common_practice_f_threshold", dt.date(2026, 1, 1)) == Decimal("0.25")


def test_override_type_checked():
    pack = load_pack()
    with pytest.raises(PacmInputError, match="expected a number"):
        pack.params.override("crediting_period.er_renewable_max_years", "five", "--param")
    with pytest.raises(PacmInputError, match="did you mean"):
        pack.params.override("crediting_period.er_renewable_max_year", "5", "--param")

"""Loading the rule pack: dated parameter values, the content hash, and no code or findings from a cache file."""

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


# --------------------------------------------------------------------------- issue 11 item 7: no pickle
class _Payload:
    """Unpickling this touches ``marker``: if the file appears, pacm ran code from a cache file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _landfill_statuses(pack) -> dict:
    from pacm.engine import Engine
    from pacm.pdd.load import load_pdd

    lfg = Path(__file__).resolve().parents[1] / "examples" / "landfill_gas_fails_additionality.yaml"
    res = Engine(pack).check(load_pdd(lfg), dt.date(2026, 11, 1), quantities=False)
    return {f.rule: f.status for f in res.findings}


def test_a_crafted_pickle_in_the_cache_folder_never_runs_and_never_changes_a_finding(tmp_path, monkeypatch):
    """Issue 11: 'a crafted pickle there runs its code'; 'an edited cache turned the landfill example's
    4 FAILs into 0'. Crafted files under every name the old cache used (and a JSON look-alike) are
    planted in $PACM_CACHE_DIR and ~/.cache/pacm: none is read, the 4 FAILs stay."""
    import pickle

    from pacm import __version__
    from pacm.rulepack import default_root, digest_of, _pack_files

    root = default_root()
    digest = digest_of(_pack_files(root), root.parent)
    marker = tmp_path / "ran"
    home = tmp_path / "home"
    for folder in (tmp_path / "cache", home / ".cache" / "pacm"):
        folder.mkdir(parents=True)
        folder.chmod(0o700)
        for name in (f"pack-{__version__}-{digest[:40]}.pickle", f"pack-{__version__}-{digest[:40]}.json"):
            (folder / name).write_bytes(pickle.dumps(_Payload(marker)))
    monkeypatch.setenv("PACM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("PACM_NO_CACHE", raising=False)
    pack = load_pack()
    statuses = _landfill_statuses(pack)
    assert not marker.exists()
    assert sum(s == "fail" for s in statuses.values()) == 4  # the landfill example's 4 FAILs (issue 11)
    assert pack.digest == digest  # the report's hash is that of the files evaluated


def test_loading_writes_nothing_to_disk(tmp_path, monkeypatch):
    """Nothing is cached on disk, so nothing there can be swapped, edited or symlinked."""
    monkeypatch.setenv("PACM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("PACM_NO_CACHE", raising=False)
    load_pack()
    assert list(tmp_path.rglob("*")) == []


def test_a_pack_loaded_from_another_folder_never_reports_its_paths(tmp_path):
    """Issue 11: 'a cache built in one checkout reports another checkout's paths' (pacm explain printed
    a file in a deleted folder). Two identical copies have the same digest; each reports its own files."""
    a, b = tmp_path / "a" / "rules", tmp_path / "b" / "rules"
    for dst in (a, b):
        shutil.copytree(ROOT / "rules", dst)
        shutil.copytree(ROOT / "methodologies", dst.parent / "methodologies")
    pa = load_pack(a)
    shutil.rmtree(tmp_path / "a")
    pb = load_pack(b)
    assert pa.digest == pb.digest
    assert all(r.source.startswith(str(b)) or r.source.startswith(str(b.parent / "methodologies")) for r in pb.rules)
    assert pb.root == b


def test_each_load_is_its_own_copy():
    """A parameter override on one loaded pack never reaches the next load (the in-process reuse copies)."""
    p1 = load_pack()
    p1.params.override("crediting_period.er_renewable_max_years", "3", "--param")
    p2 = load_pack()
    assert p2.params.overrides == {}
    assert p2.params.value("crediting_period.er_renewable_max_years", dt.date(2026, 1, 1)) == Decimal(5)


def test_override_type_checked():
    pack = load_pack()
    with pytest.raises(PacmInputError, match="expected a number"):
        pack.params.override("crediting_period.er_renewable_max_years", "five", "--param")
    with pytest.raises(PacmInputError, match="did you mean"):
        pack.params.override("crediting_period.er_renewable_max_year", "5", "--param")

"""The column mapping: which column of a registry export feeds which PDD field.

The mapping is data (``mappings/<name>.yaml``), not code, so a new export layout (another year's
UNFCCC file, a differently named column) is a reviewed YAML change. This module only loads it and
checks it as strictly as a rule file: unknown keys and types are errors with a "did you mean",
and every ``to:`` target must be a field of the PDD model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Collected, PacmInputError, did_you_mean
from ..paths import mappings_dir
from ..pdd.fields import registry
from ..safeyaml import expect_mapping, load_file

MAPPINGS = mappings_dir()  # rule-pack data: rules/mappings/ (the CDM maxima it names are in the pack hash)
DEFAULT = MAPPINGS / "unfccc_cdm_2022.yaml"

TYPES = ("text", "integer", "number", "date", "choice", "hosts", "flag")
CHECKS = ("negative_capacity", "irr_range", "benchmark_range")
_TOP = {"name", "title", "source", "sheet", "columns", "constants", "derived", "defects", "not_evaluated", "not_in_file"}
_COL = {"column", "type", "to", "required", "checks", "choices", "description"}
#: logical column names the transition code reads (the YAML may add more, e.g. for outputs)
NEEDED = (
    "reference", "unique_id", "title", "kind", "methodology", "project_type", "project_subtype",
    "registered_or_rejected", "website_status", "cp_type", "cp1_start", "cp1_end", "cp1_annual_er",
    "cp2_start", "cp2_end", "cp2_annual_er", "cp3_start", "cp3_end", "cp3_annual_er", "hosts",
    "ldc_flag", "sids_flag", "cers_issued", "capacity", "irr_benchmark", "irr_without", "irr_with",
)


@dataclass
class Column:
    name: str
    header: str
    type: str
    to: list[str] = field(default_factory=list)
    required: bool = False
    checks: list[str] = field(default_factory=list)
    choices: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class Mapping:
    name: str
    title: str
    source: dict
    sheet: int | str
    columns: dict[str, Column]
    constants: dict[str, Any]
    derived: dict
    defects: dict
    not_evaluated: dict[str, str]
    path: str
    not_in_file: tuple[str, ...] = ()

    def in_file(self, path: str) -> bool:
        """False for PDD fields the export holds nothing about (``not_in_file``)."""
        return not any(path == p or (p.endswith(".") and path.startswith(p)) for p in self.not_in_file)

    @property
    def snapshot_date(self) -> dt.date | None:
        d = self.source.get("snapshot_date")
        return d if isinstance(d, dt.date) else None

    def header(self, name: str) -> str:
        return self.columns[name].header


def load_mapping(path: str | Path | None = None) -> Mapping:
    """Load and check a mapping file (default: the January 2022 UNFCCC export)."""
    path = Path(path) if path else DEFAULT
    src = str(path)
    data = expect_mapping(load_file(path), "a mapping file with 'columns'")
    c = Collected(src)
    c.unknown_keys(data, _TOP)
    reg = registry()
    cols: dict[str, Column] = {}
    raw_cols = data.get("columns")
    if not isinstance(raw_cols, dict) or not raw_cols:
        c.add("no-columns", "columns", "'columns' must be a non-empty mapping")
        c.raise_if_any()
    for name, spec in raw_cols.items():
        loc = f"columns.{name}"
        if not isinstance(spec, dict):
            c.add("bad-column", loc, "a column entry must be a mapping with 'column' and 'type'")
            continue
        c.unknown_keys(spec, _COL, loc)
        typ = spec.get("type")
        if typ not in TYPES:
            c.add("bad-type", f"{loc}.type", f"'{typ}' is not a column type", " | ".join(TYPES))
        if not isinstance(spec.get("column"), str):
            c.add("missing-key", loc, "a column entry needs 'column' (the header text)")
        to = spec.get("to") or []
        for t in to:
            if t not in reg:
                c.add("unknown-field", f"{loc}.to", f"'{t}' is not a PDD field", hint=did_you_mean(str(t), reg))
        checks = spec.get("checks") or []
        for ch in checks:
            if ch not in CHECKS:
                c.add("unknown-check", f"{loc}.checks", f"unknown check '{ch}'", hint=did_you_mean(str(ch), CHECKS))
        choices = spec.get("choices") or {}
        if not isinstance(choices, dict):
            c.add("bad-choices", f"{loc}.choices", f"found a {type(choices).__name__}, not a mapping",
                  "a mapping of cell text to value, e.g. {Yes: true, No: false}")
            choices = {}
        elif typ == "choice" and not choices:
            c.add("missing-key", loc, "a 'choice' column needs 'choices'")
        cols[name] = Column(
            name=name,
            header=str(spec.get("column")),
            type=str(typ),
            to=[str(t) for t in to],
            required=bool(spec.get("required", False)),
            checks=[str(x) for x in checks],
            choices=dict(choices),
            description=" ".join(str(spec.get("description", "")).split()),
        )
    for n in NEEDED:
        if n not in cols:
            c.add("missing-column", "columns", f"the mapping must define '{n}'", hint=did_you_mean(n, cols))
    constants = data.get("constants") or {}
    for k in constants:
        if k not in reg:
            c.add("unknown-field", f"constants.{k}", f"'{k}' is not a PDD field", hint=did_you_mean(k, reg))
    defects = data.get("defects") or {}
    for k in ("negative_capacity", "irr_range", "benchmark_range", "excel_serial"):
        if k not in defects:
            c.add("missing-key", "defects", f"defects needs '{k}'")
    not_eval = {str(k): " ".join(str(v).split()) for k, v in (data.get("not_evaluated") or {}).items()}
    nif = data.get("not_in_file") or []
    if not isinstance(nif, list):
        c.add("bad-not-in-file", "not_in_file", "not_in_file must be a list of PDD fields or prefixes ending in '.'")
        nif = []
    for x in nif:
        x = str(x)
        if not (x in reg or (x.endswith(".") and any(k.startswith(x) for k in reg))):
            c.add("unknown-field", "not_in_file", f"'{x}' is not a PDD field or field prefix", hint=did_you_mean(x, reg))
    c.raise_if_any()
    sheet = data.get("sheet", 0)
    return Mapping(
        name=str(data.get("name", path.stem)),
        title=str(data.get("title", "")),
        source=dict(data.get("source") or {}),
        sheet=sheet if isinstance(sheet, (int, str)) else 0,
        columns=cols,
        constants=dict(constants),
        derived=dict(data.get("derived") or {}),
        defects=dict(defects),
        not_evaluated=not_eval,
        path=src,
        not_in_file=tuple(str(x) for x in nif),
    )


def check_headers(mapping: Mapping, headers: list[str], source: str) -> None:
    """Every mapped column must be in the file: otherwise one error listing each missing header."""
    have = set(headers)
    problems = Collected(source)
    wanted = {col.header for col in mapping.columns.values()}
    for h in sorted(wanted & have):
        at = [i + 1 for i, x in enumerate(headers) if x == h]
        if len(at) > 1:
            problems.add("duplicate-column", h, f"columns {', '.join(map(str, at))} are both named '{h}' once spaces "
                         "are trimmed: pacm cannot tell which one the mapping means", expected="one column of that name")
    for col in mapping.columns.values():
        if col.header not in have:
            problems.add(
                "missing-column",
                col.header,
                f"column '{col.header}' (mapping '{col.name}') is not in the file",
                hint=did_you_mean(col.header, headers),
            )
    problems.raise_if_any(PacmInputError)

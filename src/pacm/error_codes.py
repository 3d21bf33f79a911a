"""The closed list of pacm's error codes: one entry per code, what it means, where it is documented.

Why a registry: a code is a contract (scripts and CI jobs match on ``[too-deep]``), so it must not
appear by accident, change with a dependency, or mean the same as another code. Every code a
:class:`~pacm.errors.Problem` can carry is listed here; ``tests/test_error_codes.py`` reads the
source and fails on a code raised but not listed, a code listed but never raised, or two codes
with the same meaning, and checks that ``docs/error-codes.md`` (``make error-doc``) is current.

Every code here but two groups is an input error: pacm prints one message naming the file, the place and
what was expected, and exits with code 2 (see :mod:`pacm.errors`). The web service answers its own codes
(group ``web``) with the HTTP status given; ``internal-error`` marks a bug in pacm (exit 3).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Exit code of every registered error (an input error); 3 is reserved for pacm's own bugs.
EXIT_CODE = 2


@dataclass(frozen=True)
class ErrorCode:
    code: str
    group: str
    meaning: str
    #: codes this one replaced (two codes that meant the same thing were merged): never raised again,
    #: listed on the docs page so that a script matching an old code can be updated
    replaces: tuple[str, ...] = ()


#: Groups, in the order the documentation lists them.
GROUPS = {
    "file": "Reading a file",
    "syntax": "YAML and JSON syntax",
    "value": "Values in a PDD or override",
    "workbook": "The Excel PDD workbook",
    "command-line": "Command line and outputs",
    "rule-pack": "Rule files and the rule pack",
    "parameter": "Parameter files and overrides",
    "methodology": "Methodology files",
    "registry": "The methodology registry",
    "transition": "CDM-transition exports and column mappings",
    "sweep": "Scenario sweeps (`pacm sweep`)",
    "rule-cases": "Rule cases and the coverage matrix",
    "web": "The web service (`pacm serve`): HTTP answers",
}

_TABLE: tuple[tuple, ...] = (
    # ------------------------------------------------------------------ file
    ("file-not-found", "file", "The file given does not exist.", ("no-such-file",)),
    ("not-a-regular-file", "file", "A FIFO, device or socket where a file is expected; refused without reading or blocking."),
    ("file-unreadable", "file", "The file exists but cannot be read: the operating system refused (permissions, I/O error), "
     "or a CDM export is not the spreadsheet or CSV its name says.", ("unreadable", "cannot-read")),
    ("file-too-large", "file", "The file, or what an Excel workbook unpacks to (bytes or parts), is over pacm's size limit; "
     "it is refused before being read.", ("too-large",)),
    ("is-a-directory", "file", "A folder was given where a file is expected."),
    ("empty-file", "file", "The file is empty, holds only whitespace, or only comments."),
    ("not-utf8", "file", "The file (a PDD, a rule file, a CSV export) is not UTF-8 text; the message gives the first bad byte.",
     ("bad-encoding",)),
    ("bad-character", "file", "A control character that YAML forbids appears in the text."),
    ("not-a-workbook", "file", "The file is not an Excel .xlsx workbook (not a zip of the expected parts)."),
    # ---------------------------------------------------------------- syntax
    ("yaml-syntax", "syntax", "The YAML text cannot be parsed; the message gives the line, column and a hint."),
    ("json-syntax", "syntax", "The JSON text cannot be parsed; the message gives the line and column."),
    ("yaml-alias", "syntax", "A YAML alias (*name): refused so that no small file can expand into a huge one."),
    ("yaml-anchor", "syntax", "A YAML anchor (&name): refused, with aliases."),
    ("yaml-tag", "syntax", "A YAML tag (!!python/object, !custom): pacm never builds objects named in a file."),
    ("too-deep", "syntax", "Mappings and lists are nested deeper than pacm's limit."),
    ("duplicate-key", "syntax", "The same key appears twice in one mapping (or one table of a workbook)."),
    ("bad-key", "syntax", "A mapping key is not text (a number, a list, null)."),
    # ----------------------------------------------------------------- value
    ("unknown-key", "value", "A key the format does not define; the message suggests the nearest valid key."),
    ("missing-key", "value", "A required key is missing: a section or field of a PDD, a key of a rule, parameter, methodology, "
     "mapping or scenarios file.", ("missing-field",)),
    ("wrong-type", "value", "A value of the wrong type (text where a number is expected, a number for a date...)."),
    ("not-a-mapping", "value", "A list or a single value where a mapping of keys to values is expected."),
    ("not-a-list", "value", "A single value or a mapping where a list is expected."),
    ("bad-choice", "value", "A value outside the closed list of choices the field allows."),
    ("bad-format", "value", "A text that does not match the field's pattern."),
    ("bad-country-code", "value", "A host party that is not an ISO 3166-1 alpha-3 code."),
    ("out-of-range", "value", "A number outside the field's range (a fraction above 1, a negative count...)."),
    ("not-finite", "value", "NaN or an infinity where a number is expected."),
    ("number-out-of-bounds", "value", "A number (read, or derived from read values) outside pacm's load-time bounds: too many digits, "
     "too large (also a workbook cell past 10^15), or too long to read.", ("bad-number", "number-too-large")),
    ("date-out-of-bounds", "value", "A date, or a crediting period's last day, outside pacm's date window."),
    ("bad-year", "value", "A year key not written as four plain digits 0-9 (padded, full-width...)."),
    ("year-out-of-bounds", "value", "A year key outside pacm's year window."),
    ("leading-zero", "value", "An integer written with a leading zero (YAML 1.1 would read 0100 as octal 64)."),
    ("bad-date", "value", "A text or value that is not a date YYYY-MM-DD."),
    ("impossible-date", "value", "A date that does not exist in the calendar (2023-02-30)."),
    ("empty-text", "value", "An empty text where some text is required."),
    ("text-too-long", "value", "A text over the field's length limit."),
    ("bad-value", "value", "A value the model refuses for a reason no more specific code names."),
    ("more-problems", "value", "Stands for the problems not spelt out once a message lists the first ones."),
    ("unknown-input", "value", "A quantification input that the PDD's methodology does not define."),
    ("fixed-parameter", "value", "A quantification input the methodology fixes, which a PDD may not set."),
    ("monitored-input", "value", "A monitored input given once; it must be given per year."),
    ("ex-ante-input", "value", "An ex-ante input given per year; it is fixed at validation and given once."),
    ("bad-input", "value", "A quantification input that is not a number in the methodology's unit."),
    ("bad-convention", "value", "A day-count convention pacm does not know."),
    # -------------------------------------------------------------- workbook
    ("unknown-sheet", "workbook", "A sheet the PDD workbook layout does not define."),
    ("no-header", "workbook", "A sheet lacks the header row written by `pacm template`."),
    ("bad-header", "workbook", "A yearly table's header is not the layout written by `pacm template`."),
    ("missing-value", "workbook", "A row of a table has no value."),
    ("too-many-rows", "workbook", "A sheet has more rows than pacm reads."),
    ("cell-error", "workbook", "A cell holds an Excel error value (#REF!, #DIV/0!, #N/A...)."),
    ("too-many-cells", "workbook", "A row or the workbook holds more cells than pacm reads; refused before the sheet is loaded."),
    ("bad-cell", "workbook", "A sheet holds a cell the reader cannot read at all (damaged sheet XML)."),
    ("formula-not-allowed", "workbook", "A cell holds a formula; pacm reads values only and never evaluates formulas."),
    # ---------------------------------------------------------- command line
    ("bad-usage", "command-line", "An option or argument the command does not accept, or a bad combination of them."),
    ("unknown-area", "command-line", "A rule area the pack does not have (`pacm rules --area`)."),
    ("unknown-language", "command-line", "A report language pacm has no catalogue for (`--lang`)."),
    ("stdin-is-a-terminal", "command-line", "'-' (standard input) was given but nothing is piped in."),
    ("bad-argument", "command-line", "An argument of the Python API (`pacm.check`) of the wrong kind."),
    ("unknown-rule", "command-line", "A rule id no rule of the pack has (`pacm explain`)."),
    ("out-is-input", "command-line", "--out names one of the input files; pacm never overwrites its input."),
    ("no-such-folder", "command-line", "The folder an output is to be written in does not exist."),
    ("not-a-folder", "command-line", "An output folder is expected and a file was given."),
    ("folder-not-empty", "command-line", "The output folder holds files that are not a previous pacm output."),
    ("cannot-write", "command-line", "The output cannot be written (permissions, disk full)."),
    ("invalid-input", "command-line", "An input error that names no problem (a fallback: every error pacm raises names one)."),
    ("internal-error", "command-line", "pacm itself failed on one PDD of a batch (a bug, exit 3); the batch table records it and "
     "the run goes on."),
    # ------------------------------------------------------------- rule pack
    ("bad-rule", "rule-pack", "A rule entry that is not a mapping."),
    ("no-rules", "rule-pack", "A rule file without rules."),
    ("bad-area", "rule-pack", "A rule file's area does not match its file name."),
    ("duplicate-id", "rule-pack", "Two rules with one id."),
    ("bad-condition", "rule-pack", "A rule or methodology condition that the expression grammar refuses."),
    ("bad-severity", "rule-pack", "A rule severity pacm does not know."),
    ("bad-evidence", "rule-pack", "A rule's evidence list is not a list of PDD fields."),
    ("unknown-field", "rule-pack", "A rule names a PDD field that does not exist."),
    ("bad-effective", "rule-pack", "A rule's effective dates are not 'from' and 'until' dates."),
    ("bad-template", "rule-pack", "A rule message names a parameter that does not exist."),
    ("bad-reference", "rule-pack", "A reference (document, paragraph...) that is not a mapping of the known keys."),
    ("bad-derived-field", "rule-pack", "A derived field of rules/derive.yaml that is not a section's field with a name of its own, a known type, a value of that type, or inputs its value reads."),
    ("self-comparison", "rule-pack", "A rule compares a value with itself (or a derived field with the field it falls back to)."),
    ("bad-confidence", "rule-pack", "A confidence that is not confirmed, secondary or unconfirmed."),
    # ------------------------------------------------------------- parameter
    ("bad-parameter", "parameter", "A parameter entry that is not a mapping with description, reference, confidence and values."),
    ("bad-values", "parameter", "A parameter's values are not a mapping of start dates to values."),
    ("mixed-types", "parameter", "A parameter's dated values are not all of one type."),
    ("duplicate-parameter", "parameter", "A parameter defined in two files."),
    ("unknown-parameter", "parameter", "An override (--param, --params) or a transition mapping names a parameter that does not exist."),
    ("parameter-type", "parameter", "An override of the wrong type for the parameter."),
    ("parameter-not-in-force", "parameter", "A parameter has no value in force on the evaluation date."),
    # ----------------------------------------------------------- methodology
    ("bad-id", "methodology", "A methodology id that does not match its folder."),
    ("bad-activity-type", "methodology", "A methodology activity type that is neither emission_reduction nor removal."),
    ("bad-serves", "methodology", "A methodology's `serves` list is not a list of PDD methodology ids."),
    ("duplicate-serves", "methodology", "Two methodology files claim to compute the same PDD methodology id."),
    ("bad-approach", "methodology", "A baseline approach pacm does not know."),
    ("bad-approaches", "methodology", "A methodology's baseline approaches are not a list."),
    ("bad-parameters", "methodology", "A methodology's parameters are not a mapping of names to entries."),
    ("bad-kind", "methodology", "A methodology parameter kind (fixed, ex-ante, monitored...) pacm does not know."),
    ("bad-source", "methodology", "A methodology parameter's value source pacm does not know."),
    ("reserved-name", "methodology", "A methodology parameter named like a built-in."),
    ("duplicate-name", "methodology", "A methodology equation named like a parameter or built-in."),
    ("bad-equation", "methodology", "A methodology's equations are not a mapping of names to {expr, unit, reference}, "
     "or one equation is not.", ("bad-equations",)),
    ("missing-equation", "methodology", "A methodology lacks an equation pacm needs (in tCO2e)."),
    ("equation-cycle", "methodology", "Equations that refer to each other in a cycle."),
    ("bad-unit", "methodology", "A unit pacm does not know, or a required equation not in tCO2e."),
    ("unit-mismatch", "methodology", "An equation whose units do not agree (adding MWh to tCO2e...)."),
    ("bad-cases", "methodology", "A methodology parameter's cases are not a list of {when, values}."),
    ("bad-signed", "methodology", "A methodology input's `signed` flag is not true or false."),
    ("bad-range", "methodology", "A methodology input's range is not a mapping with min and/or max."),
    # -------------------------------------------------- methodology registry
    ("no-methodologies", "registry", "A methodology registry file without methodologies."),
    ("bad-entry", "registry", "A registry entry that is not a mapping with id, kind and versions."),
    ("no-versions", "registry", "A registry entry without versions."),
    ("bad-version", "registry", "A methodology version that is not quoted text such as \"01.0\"."),
    ("bad-dates", "registry", "A methodology version valid until a date before its approval."),
    ("bad-activities", "registry", "A methodology version whose allowed activities are not new, transitioned or renewal."),
    ("duplicate-methodology", "registry", "One methodology id and version listed twice in a registry."),
    # ------------------------------------------------------------ transition
    ("no-columns", "transition", "A column mapping without columns."),
    ("bad-column", "transition", "A column mapping entry that is not {column, type}."),
    ("bad-type", "transition", "A column type pacm does not know."),
    ("unknown-check", "transition", "A column check pacm does not know."),
    ("missing-column", "transition", "A column the mapping must define, or the export must hold."),
    ("bad-not-in-file", "transition", "A mapping's not_in_file list is not a list of PDD fields or prefixes."),
    ("bad-choices", "transition", "A 'choice' column whose 'choices' is not a mapping of cell text to value."),
    ("duplicate-column", "transition", "Two headers of the export that are the same once spaces are trimmed, one of them mapped."),
    # ----------------------------------------------------------------- sweep
    ("too-many-scenarios", "sweep", "More scenarios than `pacm sweep` runs in one call."),
    ("bad-scenario-name", "sweep", "A scenario name that is not a plain name of 1-64 characters."),
    ("bad-scenario", "sweep", "A scenarios file whose 'scenarios' is not a non-empty mapping of names to scenarios, or a "
     "scenario that is not a mapping of parameter names to values.", ("bad-scenarios",)),
    ("no-pdds", "sweep", "A folder given as the population holds no PDD file."),
    ("missing-dependency", "command-line", "A feature needs an optional dependency this installation lacks (Excel PDDs: "
     "openpyxl; parallel sweeps: dask.distributed).", ("format-unavailable",)),
    ("no-scheduler", "sweep", "The Dask scheduler given with --scheduler cannot be reached."),
    # ------------------------------------------------------------ rule cases
    ("no-cases", "rule-cases", "A rule-case file without cases."),
    ("bad-case", "rule-cases", "A rule case that is not a mapping of name, rule, expect and pdd."),
    ("duplicate-case", "rule-cases", "Two rule cases with one name in a file."),
    ("bad-expect", "rule-cases", "A rule case's expected status is not a status."),
    ("bad-pdd", "rule-cases", "A rule case's pdd is not a mapping."),
    ("bad-params", "rule-cases", "A rule case's params are not a mapping of parameter names to values."),
    ("rule-not-in-force", "rule-cases", "A rule case evaluates a rule on a date it is not in force."),
    ("bad-section", "rule-cases", "A coverage section that is not {section, title, requirements}."),
    ("bad-requirement", "rule-cases", "A coverage requirement that is not {text, tag}."),
    ("bad-tag", "rule-cases", "A coverage provenance tag that is not C, S or M."),
    ("bad-rules", "rule-cases", "A coverage requirement's rules are not a list of ids or patterns."),
    # ------------------------------------------------------------------- web
    ("no-pdd", "web", "A check request without a PDD: no file in the field 'pdd' and no text (HTTP 400)."),
    ("unsupported-file-type", "web", "An uploaded file whose name is not a .yaml, .yml, .json or .xlsx PDD (HTTP 415)."),
    ("upload-too-large", "web", "A request body over the service's upload limit, refused while it streams in, before any "
     "file is written (HTTP 413)."),
    ("check-timeout", "web", "A check that ran past the service's time limit; its worker is replaced (HTTP 504)."),
    ("worker-restarted", "web", "A check interrupted because another check overran its time limit; send it again (HTTP 503)."),
    ("bad-request", "web", "Form fields or query parameters the API does not accept (HTTP 422)."),
    ("not-found", "web", "A path the service does not serve (HTTP 404)."),
    ("method-not-allowed", "web", "An HTTP method the path does not accept (HTTP 405)."),
    ("http-error", "web", "Any other HTTP error of the web framework, with its status."),
)

#: code -> entry
CODES: dict[str, ErrorCode] = {e[0]: ErrorCode(*e) for e in _TABLE}

#: an old code -> the code that replaced it
REPLACED: dict[str, str] = {old: e.code for e in CODES.values() for old in e.replaces}


def _formerly(e: ErrorCode) -> str:
    return (" Formerly also " + ", ".join(f"`{c}`" for c in e.replaces) + ".") if e.replaces else ""


def docs_markdown() -> str:
    """The error-code reference page (``docs/error-codes.md``), generated from this table."""
    lines = [
        "# Error codes",
        "",
        "<!-- generated from src/pacm/error_codes.py by `make error-doc`: edit the table there -->",
        "",
        f"Every error below but the web service's and `internal-error` is an input error: pacm prints one message "
        f"`pacm: error: FILE: WHERE: WHAT (expected ...); HINT [code]` on stderr and exits with code {EXIT_CODE}. "
        "Codes are stable: scripts may match on them. Exit code 3 means a bug in pacm, never a problem with the input. "
        "The web service answers its codes as RFC 9457 problem details with the HTTP status given.",
        "",
    ]
    for group, title in GROUPS.items():
        lines += [f"## {title}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{e.code}` | {e.meaning}{_formerly(e)} |" for e in CODES.values() if e.group == group]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - `make error-doc`
    print(docs_markdown(), end="")

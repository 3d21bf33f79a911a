"""The inputs each methodology reads from a PDD's ``quantification`` section, as a Markdown table
for docs/pdd-format.md (``tests/test_docs_site.py`` fails when the page no longer matches the
methodology files)."""

from __future__ import annotations

SOURCE_WORDS = {
    "pdd": "the PDD (required)",
    "pdd_or_default": "the PDD, else the methodology's default",
    "default": "the methodology's default (a PDD value is not read)",
}


def methodology_inputs_markdown() -> str:
    from ..quantities.methodology import default_folder, load_library

    lib = load_library(default_folder())
    out = []
    for m in lib.methodologies.values():
        out += [f"### `{m.id}`: {m.title}", "",
                f"Serves PDD methodology ids: {', '.join(f'`{s}`' for s in m.serves)}. Activity type: {m.activity_type}.", "",
                "| input | kind | unit | taken from | what it is |", "|---|---|---|---|---|"]
        for p in m.params.values():
            desc = " ".join(p.description.split()).replace("|", "\\|")
            out.append(f"| `{p.name}` | {p.kind.replace('_', '-')} | {p.unit} | {SOURCE_WORDS.get(p.source, p.source)} | {desc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"

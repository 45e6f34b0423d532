"""The review page (``review.html``) and the folder's ``README.md``, from Jinja2 templates.

The page lists what a person has to confirm, most important first (article details, money,
memberships, organisations, speakers, claims, countries), and how to fill the reference
layer. It is one self-contained file: inline CSS, no script, no external address.
"""

from __future__ import annotations

import functools

from .. import paths
from ..schema import TABLES
from .assemble import SECTIONS, Item

TEMPLATES = paths.TEMPLATES_DIR / "draft"

SECTION_NOTES = {
    "Article details": "article.json: values not given on the command line are guesses or "
                       "placeholders.",
    "Money": "Each amount with its precision; low and high are what the wording allows. "
             "Donor and recipient are guesses from word order.",
    "Memberships": "Read from list patterns: low confidence. Check each status against the "
                   "sentence.",
    "Organisations": "Codes, kinds, lead states and descriptions.",
    "Speakers": "Uncertain attributions first (pronouns, roles, untagged quotations).",
    "Claims": "Every claim's type and topic are guesses; every statement copies the "
              "evidence (after the sentence's subject when the clause starts with its verb) "
              "and needs rewriting as a neutral paraphrase.",
    "Countries": "Every state the text names, by name, demonym or a capital standing for it.",
    "Not drafted": "Found in the text but not turned into rows: add them by hand if they "
                   "belong.",
}


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)


def reference_guide() -> list[dict]:
    """Each reference file with its purpose and columns, from the schema."""
    return [{"path": t.path, "description": t.description,
             "required": [f.name for f in t.fields if f.required],
             "optional": [f.name for f in t.fields if not f.required]}
            for t in TABLES.values() if t.layer == "reference"]


def sections(items: list[Item]) -> list[dict]:
    out = []
    for name in SECTIONS:
        chosen = [i for i in items if i.section == name]
        chosen.sort(key=lambda i: -i.rank)  # stable: article order within a rank
        if chosen:
            out.append({"name": name, "note": SECTION_NOTES[name], "items": chosen,
                        "urgent": sum(1 for i in chosen if i.rank > 1)})
    return out


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def review_page(meta: dict, counts: dict[str, int], items: list[Item]) -> str:
    return render("review.html.j2", meta=meta, counts=counts, sections=sections(items),
                  reference=reference_guide())


def readme(meta: dict, counts: dict[str, int], source_name: str) -> str:
    return render("README.md.j2", meta=meta, counts=counts, source_name=source_name,
                  reference=reference_guide())

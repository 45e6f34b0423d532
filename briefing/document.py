"""What a document says about itself: title, author, description, keywords, language.

Read from the executed notebook: what it published under :data:`METADATA_MIMETYPE`, then its
``title``/``author`` parameters (a title given to the renderer first). The HTML head and the
PDF metadata both come from here: the page's ``lang``, and with it the PDF's, is the
article's language as the notebook published it (``en-GB``), as the batch index says.
"""

from __future__ import annotations

import ast
import contextlib
import re
from dataclasses import dataclass, field

REMOVED_TAGS = ("parameters", "injected-parameters")

#: A notebook may display ``{METADATA_MIMETYPE: {"title": ..., "author": ..., "description":
#: ..., "keywords": [...], "language": ...}}`` (``display(..., raw=True)``) to name the
#: document; the output itself is never shown. Every key is optional.
METADATA_MIMETYPE = "application/vnd.briefing.metadata+json"


@dataclass
class DocumentInfo:
    """What the page shell and the PDF metadata say about a document."""

    title: str = ""
    author: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "en"


def _literal_assignments(source: str) -> dict:
    """``name = literal`` and ``name: type = literal`` statements of a parameters cell."""
    values: dict = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return values
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError):
                values[target.id] = ast.literal_eval(value)
    return values


def notebook_parameters(nb) -> dict:
    """The parameter values a notebook ran with: declared defaults, then injected values."""
    values: dict = {}
    for tag in REMOVED_TAGS:
        for cell in nb.cells:
            if cell.cell_type == "code" and tag in cell.get("metadata", {}).get("tags", []):
                values.update(_literal_assignments(cell.source))
    return values


def _published_metadata(nb) -> dict:
    meta: dict = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if isinstance(data.get(METADATA_MIMETYPE), dict):
                meta.update(data[METADATA_MIMETYPE])
    return meta


def plain(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def document_info(nb, title: str | None = None) -> DocumentInfo:
    """Title, author, description, keywords, language: what the notebook published under
    ``METADATA_MIMETYPE``, then its ``title``/``author`` parameters (``title``, given, comes
    first). A missing title is later taken from the page's first ``<h1>``."""
    params = notebook_parameters(nb)
    meta = _published_metadata(nb)
    info = DocumentInfo()
    info.title = plain(title or meta.get("title") or params.get("title") or "")
    info.author = plain(meta.get("author") or params.get("author") or "")
    info.description = plain(meta.get("description") or "")
    keywords = meta.get("keywords") or []
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    info.keywords = [k for k in (plain(k) for k in keywords) if k]
    info.language = page_language(meta.get("language"))
    return info


#: An English language tag: "en", "en-GB", "en-Latn-US".
_ENGLISH_TAG = re.compile(r"en(?:-[A-Za-z0-9]{1,8})*", re.IGNORECASE)


def page_language(tag) -> str:
    """The language a page of the kit says it is in: its prose is English, so the
    article's tag (``en-GB``) where that is a well-formed English tag, else ``en`` (a
    French article's briefing is still written in English)."""
    tag = plain(tag or "")
    return tag if _ENGLISH_TAG.fullmatch(tag) else "en"

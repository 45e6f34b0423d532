"""Export an executed notebook as one self-contained, inert HTML page.

nbconvert's HTML exporter with the kit's template (extends ``basic``: no code, prompts,
parameters cells, stderr or warnings), then a finishing pass that gives every heading a
stable id, adds the title block and the table of contents, marks numeric columns, computes
the PDF's column widths (:mod:`briefing.columns`), embeds the page fonts and refuses a page
that could run code or fetch anything (:mod:`briefing.audit`).
"""

from __future__ import annotations

import copy
import functools
import re
import threading
import unicodedata

from . import paths
from .audit import unsafe_html
from .columns import size_tables, width_rules
from .constraints import INVISIBLE
from .document import REMOVED_TAGS, DocumentInfo, document_info, plain
from .errors import RenderError
from .fonts import embed_page_fonts

#: Headings that get an id, a PDF bookmark and (h2) an entry in the table of contents.
TOC_LEVEL = 2
#: Sub-sections the contents list too, under the section before them: the annex's A1, A2 ...
#: (h3 under the Annex's h2, so that the page's outline skips no level).
TOC_SUBSECTION = "annex-section"
TEMPLATE_NAME = "briefing"
#: One export at a time per process: :func:`prepare` may run in a background thread while the
#: kernel works, and an nbconvert exporter is not meant to be used by two threads at once.
_EXPORTING = threading.Lock()


def _prepare_outputs(nb, resources):
    """Preprocessor: keep only what a reader should see.

    Drops stderr streams (warnings, logging), error outputs, the metadata output,
    outputs only for other front ends (JavaScript, widgets) and ``Out[n]`` reprs that
    carry nothing but ``text/plain``.
    """
    keep_types = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                if out.get("name") == "stdout":
                    kept.append(out)
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if any(t in data for t in keep_types):
                    out["data"] = {t: v for t, v in data.items()
                                   if t in (*keep_types, "text/plain")}
                    kept.append(out)
        cell.outputs = kept
    return nb, resources


@functools.lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: its Jinja templates are compiled once (a batch worker
    renders many pages)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    exporter.register_preprocessor(_prepare_outputs, enabled=True)
    return exporter


def prepare() -> None:
    """Get the exporter ready: build it, compile its templates (by exporting a notebook
    without cells), compile the finishing pass's selectors and open the page fonts.

    What the first export of a process would otherwise do; :func:`briefing.render.preload`
    runs it in a background thread while the kernel executes the notebook, so the page is
    exported sooner once the cells have run. Outputs are the same bytes either way."""
    import nbformat
    from bs4 import BeautifulSoup

    with _EXPORTING:
        _exporter().from_notebook_node(nbformat.v4.new_notebook(),
                                       resources={"briefing": {"css": ""}})
        empty = BeautifulSoup("", features="html.parser")
        for selector in _SELECTORS:  # compiled and cached as finish_html will ask for them
            empty.select(selector)
        embed_page_fonts("<style></style>")


def _css() -> str:
    """The template's stylesheet and the print rules of the computed column widths."""
    css = (paths.TEMPLATES_DIR / TEMPLATE_NAME / "briefing.css").read_text(encoding="utf-8")
    return f"{css}\n{width_rules()}"


def export_html(nb, title: str | None = None) -> str:
    """Export an executed notebook as one self-contained, inert HTML page.

    Our template (extends nbconvert's ``basic``) hides code, prompts, the parameters cells,
    stderr and warnings. What the page says about itself (author, description, keywords,
    language) is what the notebook published (:func:`briefing.document.document_info`).
    A finishing pass gives every h1-h3 a deterministic unique id,
    adds the title block if the notebook has no ``<h1>``, builds the table of contents
    from the h2 headings (and the annex's h3 sections), and refuses (RenderError) a page
    with scripts, event handlers or any resource outside the file.
    """
    nb = copy.deepcopy(nb)
    info = document_info(nb, title)
    with _EXPORTING:
        body, _ = _exporter().from_notebook_node(nb, resources={"briefing": {"css": _css()}})
        page = embed_page_fonts(finish_html(body, info))
    problems = unsafe_html(page)
    if problems:
        raise RenderError("the exported HTML is not self-contained and inert:\n"
                          + "\n".join(f"  {p}" for p in problems[:20]))
    return page


#: Characters that reorder the text around them (bidi embeddings, overrides, isolates and
#: marks) or hide in it (zero-width space, word joiner, BOM; not the joiners U+200C/U+200D
#: that some scripts need): ``check`` refuses them in names and codes; any that reach the
#: page anyway are shown as visible escapes (``[U+202E]``), so nothing is reordered.
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def _visible(value: str) -> str:
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)


def _make_inert(root) -> None:
    """Replace reordering and invisible characters in text and alt texts with escapes."""
    for node in root.find_all(string=_INVISIBLE):
        if node.parent is not None and node.parent.name not in ("style", "script"):
            node.replace_with(_visible(str(node)))
    for tag in root.find_all(attrs={"alt": _INVISIBLE}):
        tag["alt"] = _visible(tag["alt"])


def slug(text: str) -> str:
    """A readable, deterministic id for a heading: lower case words joined by hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"\w+", text)
    return "-".join(words)[:60].strip("-_") or "section"


def _shorten(text: str, limit: int = 300) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _unique(base: str, taken: set[str]) -> str:
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    taken.add(ident)
    return ident


_NUMBER_RE = re.compile(
    r"^[(+\-\u2212~≈<>]?\s?[$€£¥]?\s?\d[\d,.\u2009\u202f ]*"
    r"(%|k|m|bn|tn|million|billion)?\)?$", re.I)


def _align_numbers(table) -> None:
    """Mark columns whose every filled body cell is a number (``class="num"``), so that
    figures line up on the right, as in any printed table."""
    rows = [tr.find_all(["td", "th"], recursive=False) for tr in table.find_all("tr")]
    if not rows or any(c.get("colspan") or c.get("rowspan") for row in rows for c in row):
        return
    body = [row for row in rows if row and all(c.name == "td" for c in row)]
    width = max(len(row) for row in rows)
    for j in range(width):
        values = [row[j].get_text(" ", strip=True) for row in body if j < len(row)]
        filled = [v for v in values if v not in ("", "–", "—", "-", "n/a")]
        if filled and all(_NUMBER_RE.match(v) for v in filled):
            for row in rows:
                if j < len(row):
                    classes = row[j].get("class") or []
                    if "num" not in classes:
                        row[j]["class"] = [*classes, "num"]


def _contents(soup, sections):
    """The contents as a list of links: each h2, with the sub-sections that follow it
    (:data:`TOC_SUBSECTION`) in a list of their own inside its item."""
    items = soup.new_tag("ol")
    parent = None
    for h in sections:
        li, a = soup.new_tag("li"), soup.new_tag("a", href=f"#{h['id']}")
        a.string = plain(h.get_text(" ", strip=True))
        li.append(a)
        if h.name == f"h{TOC_LEVEL}" or parent is None:
            items.append(li)
            parent = li if h.name == f"h{TOC_LEVEL}" else None
        else:
            if parent.ol is None:
                parent.append(soup.new_tag("ol"))
            parent.ol.append(li)
    return items


def _annex_contents(soup, sections) -> None:
    """The annex's own contents, for paper: its sections (A1, A2 ...) with the page each
    starts on (the print stylesheet's ``target-counter``), before the first of them. A
    printed copy has no bookmarks; on screen the contents already list them (hidden).

    On paper the list takes the place of the annex's introduction, a paragraph that names
    the same sections in words: about as tall, so the annex is no page longer for it."""
    annexed = [h for h in sections if TOC_SUBSECTION in (h.get("class") or [])]
    if not annexed:
        return
    intro = annexed[0].find_previous_sibling()
    if intro is not None and intro.name == "p" and (
            intro.find_previous_sibling() is not None
            and "annex" in (intro.find_previous_sibling().get("class") or [])):
        intro["class"] = [*(intro.get("class") or []), "screen-only"]
    nav = soup.new_tag("nav", attrs={"class": "annex-contents print-only",
                                     "aria-label": "Annex contents"})
    items = soup.new_tag("ol")
    for n, h in enumerate(annexed, start=1):
        li, a = soup.new_tag("li"), soup.new_tag("a", href=f"#{h['id']}")
        a.string = f"A{n} {plain(h.get_text(' ', strip=True))}"
        li.append(a)
        items.append(li)
    nav.append(items)
    annexed[0].insert_before(nav)


#: The CSS selectors of the finishing pass (soupsieve caches what it compiled).
_SELECTORS = ("a.anchor-link", ".byline", ".title-block")


def finish_html(page: str, info: DocumentInfo) -> str:
    """Ids, title block, table of contents and head metadata of the exported page.

    Every h1-h3 gets an id made from its text (unique, the same on every run); nbconvert's
    ``¶`` anchor links are removed. Without an ``<h1>`` in the notebook's output a title
    block is added; a table of contents of the h2 sections (with the annex's sections,
    h3 of class ``annex-section``, nested under the Annex) goes before the first section.
    ``info.title`` is filled from the first ``<h1>`` when it was empty.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    main = soup.find("main") or soup.body or soup
    for anchor in main.select(_SELECTORS[0]):
        anchor.decompose()
    _make_inert(main)
    for img in main.find_all("img"):  # an image a notebook displayed without words
        if not img.get("alt"):
            img["alt"] = "Image from the notebook, without a description"
    headings = main.find_all(["h1", "h2", "h3"])
    for h in headings:
        del h["id"]
    taken = {str(t["id"]) for t in soup.find_all(id=True)}
    for h in headings:
        h["id"] = _unique(slug(h.get_text(" ", strip=True)), taken)
    h1 = next((h for h in headings if h.name == "h1"), None)
    if not info.title:
        info.title = plain(h1.get_text(" ", strip=True)) if h1 else "Briefing"
    if h1 is None:
        block = soup.new_tag("header", attrs={"class": "title-block"})
        title = soup.new_tag("h1", id=_unique(slug(info.title), taken))
        title.string = info.title
        block.append(title)
        for cls, text in (("byline", info.author), ("lede", info.description)):
            if text:
                p = soup.new_tag("p", attrs={"class": cls})
                p.string = text
                block.append(p)
        main.insert(0, block)

    elif info.author and not main.select(_SELECTORS[1]):
        byline = soup.new_tag("p", attrs={"class": "byline"})
        byline.string = info.author
        h1.insert_after(byline)
    if main is not soup and main.select_one("header.profile"):
        # a country profile (its cover says so): the print styles select main.profile, not
        # main:has(header.profile), which WeasyPrint answers by scanning the whole page
        # for every candidate element (0.3 s of the briefing's PDF export)
        main["class"] = [*main.get("class", []), "profile"]
    tables = main.find_all("table")
    for table in tables:
        _align_numbers(table)
    if not paths.switched_off("columns", by_all=False):  # bench: automatic layout
        size_tables(soup, tables)

    sections = [h for h in headings if h.name == f"h{TOC_LEVEL}"
                or (h.name == f"h{TOC_LEVEL + 1}" and TOC_SUBSECTION in (h.get("class") or []))]
    if sections:
        nav = soup.new_tag("nav", attrs={"class": "toc", "aria-labelledby": "toc-title"})
        label = soup.new_tag("p", attrs={"class": "toc-title", "id": _unique("toc-title", taken)})
        label.string = "Contents"
        nav["aria-labelledby"] = label["id"]
        nav.extend([label, _contents(soup, sections)])
        anchor = sections[0].find_parent("div", class_="cell") or sections[0]
        anchor.insert_before(nav)
        main["class"] = [*(main.get("class") or []), "has-toc"]
        _annex_contents(soup, sections)

    if not info.description:
        block = main.select_one(_SELECTORS[2])
        first = next((p for p in (block or main).find_all("p")
                      if "byline" not in (p.get("class") or [])), None)
        info.description = _shorten(first.get_text(" ", strip=True)) if first else ""
    if not info.keywords:
        info.keywords = list(dict.fromkeys(plain(h.get_text(" ", strip=True)) for h in sections))

    if soup.html is not None:
        soup.html["lang"] = info.language or "en"
    if soup.title is not None:
        soup.title.string = info.title
    if soup.head is not None:
        metas = [("author", info.author), ("description", info.description),
                 ("keywords", ", ".join(info.keywords)),
                 ("generator", "briefing kit: papermill, nbconvert, WeasyPrint")]
        after = soup.title or soup.head.contents[-1]
        for name, content in reversed(metas):
            if content:
                after.insert_after(soup.new_tag("meta", attrs={"name": name,
                                                               "content": content}))
    return str(soup)

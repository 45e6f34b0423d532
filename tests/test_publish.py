"""Publishing quality of the rendered briefing: a self-contained, inert HTML page and a
paged, searchable PDF with bookmarks and metadata, byte-identical on every rerun.

The briefing is rendered through the command line, as a user would, from the shipped data
and from a copy of it whose claims carry HTML and script.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pdftools
import pytest
import synthetic
from pypdf import PdfReader

from briefing import paths
from briefing.audit import unsafe_html
from briefing.errors import RenderError
from briefing.html import export_html
from briefing.pdf import export_pdf

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"Hostile {SCRIPT} and {IMG} text"


# --------------------------------------------------------------------------- helpers

def _render(out: Path, *extra: str) -> dict[str, Path]:
    proc = subprocess.run([sys.executable, "-m", "briefing", "render", "--out", str(out),
                           *extra], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {ext: out / f"briefing.{ext}" for ext in ("ipynb", "html", "pdf")}


class Page(HTMLParser):
    """What the tests need from an HTML page, collected by a real parser."""

    RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "xlink:href",
                      "action", "formaction"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.resources: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.links: list[str] = []                        # <a href>
        self.elements: list[str] = []
        self.handlers: list[str] = []
        self.ids: list[str] = []
        self.headings: list[tuple[str, str, str]] = []    # (tag, id, text)
        self.toc: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.figures: list[dict] = []
        self.css: list[str] = []
        self._stack: list[str] = []
        self._heading: list | None = None
        self._in_toc = 0
        self._figure: dict | None = None
        self._text_target: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append(tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name == "style":
                self.css.append(value)
            if name in self.RESOURCE_ATTRS or (name == "href" and tag != "a"):
                urls = ([u.split()[0] for u in value.split(",") if u.strip()]
                        if name == "srcset" else [value])
                self.resources.extend((tag, name, u.strip()) for u in urls)
            if name == "id":
                self.ids.append(value)
        if tag == "a" and "href" in a:
            self.links.append(a["href"] or "")
            if self._in_toc:
                self.toc.append(a["href"] or "")
        if tag == "nav" and "toc" in (a.get("class") or ""):
            self._in_toc += 1
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content") or ""
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, a.get("id", ""), []]
        if tag == "figure":
            self._figure = {"id": a.get("id", ""), "imgs": [], "caption": []}
        if tag == "img" and self._figure is not None:
            self._figure["imgs"].append(a)
        if tag == "figcaption" and self._figure is not None:
            self._text_target = self._figure["caption"]
        if tag == "title":
            self._text_target = []
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1],
                                  " ".join("".join(self._heading[2]).split())))
            self._heading = None
        if tag == "nav" and self._in_toc:
            self._in_toc -= 1
        if tag == "figcaption":
            self._text_target = None
        if tag == "figure" and self._figure is not None:
            self._figure["caption"] = " ".join("".join(self._figure["caption"]).split())
            self.figures.append(self._figure)
            self._figure = None
        if tag == "title" and self._text_target is not None:
            self.title = " ".join("".join(self._text_target).split())
            self._text_target = None

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "style":
            self.css.append(data)
        if self._heading is not None:
            self._heading[2].append(data)
        if self._text_target is not None:
            self._text_target.append(data)

    def css_urls(self) -> list[str]:
        found = []
        for css in self.css:
            found += [m[1] for m in re.findall(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", css, re.I)]
            found += [f"@import {m}" for m in re.findall(r"@import\s+([^;]+)", css, re.I)]
        return found


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def report(default_report) -> dict[str, Path]:
    """The default briefing, rendered once per session (conftest)."""
    return {ext: default_report[ext] for ext in ("ipynb", "html", "pdf")}


@pytest.fixture(scope="module")
def page(report) -> Page:
    return Page(report["html"].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> dict[str, Path]:
    """The shipped data with script and an event-handler image in two claim statements."""
    root = tmp_path_factory.mktemp("hostile")
    data = synthetic.data_with_claim_text(root, HOSTILE, rows=2)
    return _render(root / "out", "--data-dir", str(data))


# --------------------------------------------------------------------------- HTML

def test_html_refers_to_nothing_outside_the_file(page):
    assert page.resources, "the page should at least embed its figures"
    outside = [r for r in page.resources if not r[2].startswith(("data:", "#"))]
    assert outside == []
    assert [u for u in page.css_urls() if not u.startswith(("data:", "#"))] == []
    assert all(link.startswith(("#", "http://", "https://", "mailto:")) for link in page.links)
    for banned in ("script", "iframe", "object", "embed", "link", "base"):
        assert banned not in page.elements
    assert page.handlers == []


def test_html_has_contents_linking_every_section(page):
    # the h2 sections, and the annex's sections (its h3) listed under the Annex
    annex = [text for _, _, text in page.headings].index("Annex")
    sections = [h for i, h in enumerate(page.headings)
                if h[0] == "h2" or (h[0] == "h3" and i > annex)]
    assert len(sections) >= 2
    assert page.toc == [f"#{h[1]}" for h in sections]
    assert len(page.ids) == len(set(page.ids)), "ids must be unique"
    for tag, ident, text in page.headings:
        assert ident and text, f"<{tag}> without id or text"
        assert re.fullmatch(r"[\w-]+", ident), ident
    assert sum(1 for h in page.headings if h[0] == "h1") == 1


def test_html_figures_are_numbered_embedded_and_described(page):
    assert page.figures, "the briefing has charts"
    for n, fig in enumerate(page.figures, start=1):
        assert fig["id"] == f"fig-{n}"
        assert fig["caption"].startswith(f"Figure {n}"), fig["caption"]
        assert fig["imgs"], f"figure {n} has no image"
        for img in fig["imgs"]:
            assert img["src"].startswith(("data:image/svg+xml", "data:image/png"))
            assert len(img.get("alt") or "") > 10, f"figure {n} needs alt text"


def test_html_hides_code_prompts_parameters_and_stderr(report, page):
    text = report["html"].read_text(encoding="utf-8")
    for noise in ("In&nbsp;[", "Out[", "input_area", "output_stderr", "Traceback",
                  "anchor-link", "¶", "UserWarning", "DeprecationWarning", "import ",
                  "# data directory that follows the schema"):
        assert noise not in text, f"{noise!r} in the HTML"
    assert page.title
    assert page.meta.get("author")
    assert page.meta.get("description")
    assert page.meta.get("viewport")


def test_html_has_no_volatile_or_local_details(report):
    text = report["html"].read_text(encoding="utf-8")
    notebook = report["ipynb"].read_text(encoding="utf-8")
    for doc in (text, notebook):
        assert str(paths.ROOT) not in doc
        assert str(report["html"].parent) not in doc
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                             doc), "a random uuid in the output"
    assert '"start_time"' not in notebook and '"end_time"' not in notebook


def test_html_has_screen_phone_and_print_styles(report):
    text = report["html"].read_text(encoding="utf-8")
    assert "@media print" in text
    assert re.search(r"@media screen and \(max-width", text)
    assert "@page" in text


# --------------------------------------------------------------------------- PDF

def test_pdf_pages_metadata_and_bookmarks(report, page):
    reader = PdfReader(report["pdf"])
    assert 2 <= len(reader.pages) <= 40
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1
    info = reader.metadata
    assert info.title == page.title
    assert info.author == page.meta["author"]
    assert info.subject == page.meta["description"]
    assert info.get("/Keywords")
    assert "/CreationDate" not in info and "/ModDate" not in info
    outline = pdftools.outline(report["pdf"])
    # every h1-h3 is a bookmark but the judgements' own headings (J01 ..., listed under
    # "Key judgements"); the Annex is a top-level bookmark, its sections (A1 ...) under it
    marked = [(tag, text) for tag, _, text in page.headings if not re.match(r"J\d+ ", text)]
    assert len(outline) == len(marked), (outline, marked)
    # the annex's sections are h3 under the Annex's h2, bookmarked one level under "Annex"
    level = {"h1": 0, "h2": 1, "h3": 2}
    annex = [text for _, text in marked].index("Annex")
    for i, ((depth, title, _), (tag, text)) in enumerate(zip(outline, marked, strict=True)):
        assert title.endswith(text), (title, text)
        expected = 0 if i == annex else 1 if i > annex else level[tag]
        assert depth == expected, (depth, tag, text)
    # the cover quotes the article's headline, the document's title when none is given
    assert [t for d, t, _ in outline if d == 0] == [f"“{page.title}”", "Annex"]
    after = [t for _, t, _ in outline[[t for _, t, _ in outline].index("Annex") + 1:]]
    assert after and all(re.match(r"A\d+ ", t) for t in after), after


def test_pdf_text_is_searchable_with_page_x_of_y(report, page):
    reader = PdfReader(report["pdf"])
    flat = pdftools.text(report["pdf"])
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    for _, _, heading in page.headings:
        assert heading in flat, heading
    # the running header carries the title on every page after the first
    second = " ".join(reader.pages[1].extract_text().split())
    assert page.title[:40] in second


def test_pdf_fonts_are_embedded(report):
    fonts = pdftools.embedded_fonts(report["pdf"])
    assert fonts, "no fonts"
    for font in fonts:
        assert font["embedded"], font


def _layout_problems(html: str, base_url: str = ".") -> list[str]:
    """Walk WeasyPrint's layout: boxes outside the page's content area (a clipped table
    column, figure or line) and headings that are the last thing on their page."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    problems = []
    document = HTML(string=html, base_url=base_url).render()
    for number, pg in enumerate(document.pages, start=1):
        page_box = pg._page_box
        left = page_box.margin_left
        right = left + page_box.width
        content = list(page_box.children[0].descendants())
        for box in content:
            if getattr(box, "width", None) is None or box.position_x is None:
                continue
            x0 = box.position_x + box.margin_left
            x1 = box.position_x + box.margin_width() - box.margin_right
            if x0 < left - 1 or x1 > right + 1:
                problems.append(f"page {number}: <{box.element_tag}> {type(box).__name__} "
                                f"spans {x0:.0f}-{x1:.0f}px, outside {left:.0f}-{right:.0f}px")
        lines = [b for b in content if isinstance(b, (boxes.LineBox, boxes.ReplacedBox))]
        for box in content:
            if isinstance(box, boxes.BlockBox) and box.element_tag in ("h1", "h2", "h3"):
                bottom = box.position_y + box.margin_height() - 1
                if not any(line.position_y >= bottom for line in lines):
                    problems.append(f"page {number}: <{box.element_tag}> alone at the bottom")
    return problems


def test_pdf_layout_clips_nothing_and_strands_no_heading(report):
    html = report["html"].read_text(encoding="utf-8")
    assert _layout_problems(html, str(report["html"].parent)) == []


def test_layout_check_finds_clipping_and_stranded_headings():
    wide = "<table><tr>" + "<td>unbreakable_" + "x" * 120 + "</td>" * 1 + "</tr></table>"
    stranded = ("<p style='height: 240mm'>filler</p><h2 style='break-after: auto'>Alone</h2>"
                "<p style='break-before: page'>next</p>")
    problems = _layout_problems(f"<html><body>{wide}</body></html>")
    assert any("outside" in p for p in problems)
    problems = _layout_problems(f"<html><body>{stranded}</body></html>")
    assert any("alone at the bottom" in p for p in problems)


def test_two_renders_are_byte_identical(report, tmp_path):
    again = _render(tmp_path / "again")
    for ext in ("ipynb", "html", "pdf"):
        assert again[ext].read_bytes() == report[ext].read_bytes(), f".{ext} differs"


def test_pdf_refuses_external_resources(tmp_path):
    for html, url in [
        ('<p>x</p><img src="http://example.invalid/logo.png" alt="logo">',
         "http://example.invalid/logo.png"),
        ('<style>@import url("https://example.invalid/a.css");</style><p>x</p>',
         "https://example.invalid/a.css"),
    ]:
        with pytest.raises(RenderError) as info:
            export_pdf(f"<!DOCTYPE html><html><body>{html}</body></html>", tmp_path)
        assert url in str(info.value)
        assert "data: and file:" in str(info.value)


def test_export_refuses_active_or_external_html(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    bad = [
        '<script>alert(1)</script>',
        '<img src="x" onerror="alert(1)" alt="x">',
        '<a href="javascript:alert(1)">x</a>',
        '<img src="https://example.invalid/x.png" alt="x">',
        '<div style="background: url(http://example.invalid/x.png)">x</div>',
    ]
    for fragment in bad:
        assert unsafe_html(fragment), fragment
        nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output(
            "display_data", data={"text/html": fragment})])])
        with pytest.raises(RenderError, match="not self-contained and inert"):
            export_html(nbformat.from_dict(nb), "t")
    fine = '<a href="https://example.org/source">source</a><img src="data:image/png;base64,AA">'
    assert unsafe_html(fine) == []


def test_nonlatin_text_has_glyphs_in_pdf(tmp_path):
    """Cyrillic, Chinese and Arabic through the real shell (embedded Latin/Cyrillic subsets
    first, system fonts as fallback): every word comes back out of the PDF's text. That the
    Chinese is drawn from a system CJK font where one is installed is tested in
    test_fonts.py (the kit ships no CJK face)."""
    words = ["Шанхайская организация", "上海合作组织", "منظمة شنغهاي"]
    nb = _notebook(("md", "## Names\n\n" + "\n\n".join(words)),
                   ("out", "<table class='data'><tr><td>" + "</td><td>".join(words)
                    + "</td></tr></table>"))
    pdf = tmp_path / "scripts.pdf"
    pdf.write_bytes(export_pdf(export_html(nb, "Scripts"), tmp_path))
    text = pdftools.text(pdf)
    for word in words[:2]:
        assert text.count(word) == 2, word
    assert "شنغهاي" in text or "ياهغنش" in text  # extraction order of RTL text varies


def test_html_embeds_font_subsets_that_cover_its_text(report):
    from fontTools.ttLib import TTFont

    from briefing.fonts import EMBEDDED_FONTS, font_file

    text = report["html"].read_text(encoding="utf-8")
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)";.*?base64,([A-Za-z0-9+/=]+)\)',
                       text)
    available = [f for f in EMBEDDED_FONTS if font_file(f[3])]
    assert len(faces) == len(available)
    if not faces:
        pytest.skip("none of the embedded fonts is installed on this machine")
    import base64
    import io

    font = TTFont(io.BytesIO(base64.b64decode(faces[0][1])))
    assert font.flavor == "woff"
    covered = set(font.getBestCmap())
    visible = Page(text)
    for _, _, heading in visible.headings:
        missing = {c for c in heading if ord(c) not in covered and c.isprintable()}
        assert not missing, f"{heading!r}: {missing}"


# --------------------------------------------------------------------------- hostile data

def test_hostile_text_is_escaped_in_html(hostile_report):
    text = hostile_report["html"].read_text(encoding="utf-8")
    assert SCRIPT not in text and IMG not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    parsed = Page(text)
    assert "script" not in parsed.elements and parsed.handlers == []


def test_hostile_text_is_shown_as_text_in_pdf(hostile_report):
    compact = "".join(pdftools.text(hostile_report["pdf"]).split())
    assert "<script>alert(1)</script>" in compact
    assert "<imgsrc=xonerror=alert(1)>" in compact


# --------------------------------------------------------------------------- page shell

def _notebook(*cells):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook()
    for kind, body in cells:
        if kind == "md":
            nb.cells.append(new_markdown_cell(body))
        elif kind == "params":
            nb.cells.append(new_code_cell(body, metadata={"tags": ["parameters"]}))
        else:
            nb.cells.append(new_code_cell("x", outputs=[new_output(
                "display_data", data=body if isinstance(body, dict) else {"text/html": body})]))
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
    return nbformat.from_dict(nb)


def test_shell_adds_escaped_title_block_and_unique_ids():
    nb = _notebook(
        ("params", 'title: str = ""  # t\nauthor: str = "Research <unit> & co"  # a'),
        ("md", "## Overview\n\ntext"),
        ("md", "## Overview\n\nagain"),
        ("md", "## Ключевые выводы\n\n### ?!\n\ntext"),
    )
    page = export_html(nb, title="A <b>bold</b> & \"quoted\" title")
    parsed = Page(page)
    assert parsed.title == 'A <b>bold</b> & "quoted" title'
    assert "<b>bold</b>" not in page and "Research <unit>" not in page
    assert parsed.meta["author"] == "Research <unit> & co"
    assert [h[1] for h in parsed.headings] == [
        "a-b-bold-b-quoted-title", "overview", "overview-2", "ключевые-выводы", "section"]
    assert parsed.toc == ["#overview", "#overview-2", "#ключевые-выводы"]
    assert unsafe_html(page) == []


def test_shell_takes_metadata_from_the_notebook_and_hides_it():
    from briefing.document import METADATA_MIMETYPE

    meta = {"title": "From the notebook", "author": "Desk", "description": "What it is",
            "keywords": ["alpha", "beta"]}
    nb = _notebook(("out", {METADATA_MIMETYPE: meta, "text/plain": "meta"}),
                   ("out", "<header class='title-block'><h1>Shown title</h1></header>"),
                   ("md", "## One"), ("md", "## Two"))
    parsed = Page(export_html(nb))
    assert parsed.title == "From the notebook"
    assert parsed.meta["author"] == "Desk"
    assert parsed.meta["description"] == "What it is"
    assert parsed.meta["keywords"] == "alpha, beta"
    assert [h[2] for h in parsed.headings if h[0] == "h1"] == ["Shown title"]
    assert "METADATA" not in export_html(nb) and "alpha, beta" not in parsed.title


def test_the_page_and_the_pdf_speak_the_language_the_notebook_published(tmp_path):
    """The page's ``lang`` (and the PDF's /Lang, which follows it) is the language the
    notebook published, not a default that overrides it (review 15: the briefing said "en"
    while its article.json, and the batch index, said "en-GB")."""
    from briefing.document import METADATA_MIMETYPE

    nb = _notebook(("out", {METADATA_MIMETYPE: {"language": "en-GB"}, "text/plain": "m"}),
                   ("md", "## One\n\ntext"))
    page = export_html(nb, "Title")
    assert re.search(r'<html lang="en-GB">', page), page[:200]
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(export_pdf(page, tmp_path))
    assert PdfReader(pdf).trailer["/Root"]["/Lang"] == "en-GB"
    # nothing published: English
    assert '<html lang="en">' in export_html(_notebook(("md", "## One\n\ntext")), "Title")


def test_the_briefing_speaks_the_language_of_its_article(default_report):
    import json

    language = json.loads((paths.DATA_DIR / "article.json").read_text(encoding="utf-8")
                          )["language"]
    html = default_report["html"].read_text(encoding="utf-8")
    assert re.search(rf'<html lang="{re.escape(language)}">', html), html[:120]
    assert PdfReader(default_report["pdf"]).trailer["/Root"]["/Lang"] == language

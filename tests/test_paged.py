"""The PDF laid out in parts (briefing.paged) is the PDF WeasyPrint makes of the whole page.

The reference is WeasyPrint's single pass over the same HTML (``export_pdf(whole=True)``).
The joined PDF must show the same pages pixel for pixel, the same text, the same outline, the
same named destinations and the same links; and its bytes must not depend on how the parts
were run (in parallel, one after the other, after the forked process failed).
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from briefing import paged, paths
from briefing.params import check
from briefing.render import export_pdf, render

pytestmark = pytest.mark.slow

OTHER = paths.FIXTURES_DIR / "other_dataset"


def _html(out: Path, notebook: Path, given: dict) -> str:
    params = check(notebook.stem, given)
    render(notebook, params.injectable(), out, stem="page", formats=("html",))
    return (out / "page.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["briefing", "other"])
def page(request, tmp_path_factory):
    """(html, folder, the joined PDF, WeasyPrint's single-pass PDF) of one briefing."""
    out = tmp_path_factory.mktemp(request.param)
    given = {} if request.param == "briefing" else {"data_dir": str(OTHER)}
    html = _html(out, paths.BRIEFING_NOTEBOOK, given)
    return html, out, export_pdf(html, out), export_pdf(html, out, whole=True)


def _images(pdf: bytes, folder: Path, stem: str) -> list[bytes]:
    path = folder / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / stem)], check=True)
    return [p.read_bytes() for p in sorted(folder.glob(f"{stem}-*.png"))]


def _structure(pdf: bytes):
    """Pages' text, the outline, the named destinations and the link annotations, with
    coordinates rounded to a hundredth of a point."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))

    def point(value) -> float:
        return round(float(value or 0), 2)

    def outline(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from outline(item, depth + 1)
            else:
                yield (depth, item.title, reader.get_destination_page_number(item),
                       point(item.left), point(item.top))

    dests = {name: (reader.get_destination_page_number(d), point(d.left), point(d.top))
             for name, d in reader.named_destinations.items()}
    links = []
    for number, pdf_page in enumerate(reader.pages):
        for annotation in pdf_page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = annotation.get("/Dest") or annotation["/A"].get("/URI")
            links.append((number, tuple(point(v) for v in annotation["/Rect"]), str(target)))
    return {
        "pages": len(reader.pages),
        # which character a font's space glyph stands for in the text layer depends on the
        # order WeasyPrint first meets its spaces (its ToUnicode map), so whitespace is
        # compared apart: see test_copied_text_has_plain_spaces
        "text": ["".join(p.extract_text().split()) for p in reader.pages],
        "raw_text": [p.extract_text() for p in reader.pages],
        "outline": list(outline(reader.outline)),
        "dests": dests,
        "links": sorted(links),
        "metadata": dict(reader.metadata or {}),
        "lang": reader.trailer["/Root"].get("/Lang"),
    }


def test_the_page_is_cut_into_a_title_page_and_two_parts(page):
    html = page[0]
    parts = paged.cut(html)
    assert parts is not None
    first, second = parts.sections
    assert first.lstrip().startswith('<div class="cell ') and "<h2" in first
    assert "<h2" in second and parts.counters[0] == 0 and parts.counters[1] >= 1
    assert "<nav" in parts.title and "<h2" not in parts.title
    main_open = html.index(">", html.index("<main")) + 1
    assert parts.title + first + second == html[main_open:html.rindex("</main>")], \
        "cutting lost or duplicated markup"


def test_joined_pdf_shows_the_same_pages_as_a_single_pass(page, tmp_path):
    _html_text, _out, joined, single = page
    a, b = _images(joined, tmp_path, "joined"), _images(single, tmp_path, "single")
    assert len(a) == len(b) > 10
    differing = [n for n, (x, y) in enumerate(zip(a, b, strict=True), 1) if x != y]
    assert differing == [], f"pages {differing} differ from WeasyPrint's single pass"


def test_joined_pdf_has_the_same_text_outline_destinations_and_links(page):
    joined, single = _structure(page[2]), _structure(page[3])
    for key in ("pages", "text", "outline", "dests", "links", "lang"):
        assert joined[key] == single[key], key
    assert joined["metadata"]["/Title"] == single["metadata"]["/Title"]
    assert joined["metadata"]["/Author"] == single["metadata"]["/Author"]
    # the outline is a tree: the title, then every numbered section under it
    assert joined["outline"][0][0] == 0
    sections = [entry for entry in joined["outline"] if entry[0] == 1]
    assert len(sections) >= 2 and sections[0][1].startswith("1 ")
    # each contents entry links to its section's first page, and says which page that is
    toc = {link[2] for link in joined["links"] if link[0] == 0 and not link[2].startswith("http")}
    assert len(toc) == len(sections)
    for anchor in toc:
        target_page = joined["dests"][anchor][0]
        assert str(target_page + 1) in joined["raw_text"][0]
        assert f"Page {target_page + 1} of {joined['pages']}" in joined["raw_text"][target_page]


def test_copied_text_has_plain_spaces(page):
    text = "\n".join(_structure(page[2])["raw_text"])
    assert "\u2002" not in text and "\u00a0" not in text
    assert "1 Key judgements" in text and "Page 2 of" in text


def test_every_footer_counts_the_whole_document(page):
    structure = _structure(page[2])
    total = structure["pages"]
    for number, text in enumerate(structure["raw_text"], 1):
        assert f"Page {number} of {total}" in text


def test_the_same_bytes_in_parallel_in_sequence_and_after_a_failed_fork(page, monkeypatch):
    html, out, joined, _single = page
    assert export_pdf(html, out) == joined, "two renders differ"

    monkeypatch.setenv("BRIEFING_NO_WARM", "split")
    assert not paged._can_fork()
    assert export_pdf(html, out) == joined, "laid out one after the other, the bytes differ"
    monkeypatch.delenv("BRIEFING_NO_WARM")

    def no_fork():
        raise OSError("fork refused")

    with monkeypatch.context() as m:
        m.setattr(os, "fork", no_fork)
        assert export_pdf(html, out) == joined, "without fork, the bytes differ"


@pytest.mark.parametrize("where", ["_lay_out", "_title"],
                         ids=["before-its-part", "before-the-title-page"])
def test_a_forked_part_that_fails_is_laid_out_here(page, monkeypatch, where):
    html, out, joined, _single = page
    if not paged._can_fork():
        pytest.skip("parts are only forked with two usable cores")
    parent = os.getpid()
    real = getattr(paged, where)
    ran_in: set[int] = set()

    def failing_in_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(3)  # the forked process dies without answering
        ran_in.add(os.getpid())
        return real(*args, **kwargs)

    forked = []
    real_fork = os.fork

    def recording_fork():
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(paged, where, failing_in_child)
    monkeypatch.setattr(os, "fork", recording_fork)
    assert export_pdf(html, out) == joined
    assert ran_in == {parent} and len(forked) == 1
    with pytest.raises(ChildProcessError):  # the forked process was waited for: none left
        os.waitpid(forked[0], os.WNOHANG)


def test_a_contents_page_that_runs_over_is_laid_out_again(page, monkeypatch):
    html, out, joined, _single = page
    calls = []
    real = paged._render_parts

    def counting(*args, **kwargs):
        calls.append(args[4])  # the title page count the parts were numbered for
        return real(*args, **kwargs)

    monkeypatch.setattr(paged, "_render_parts", counting)
    monkeypatch.setattr(paged, "TITLE_PAGES_GUESS", 2)
    assert export_pdf(html, out) == joined
    assert calls == [2, 1]


def test_pages_without_contents_are_rendered_in_one_pass(tmp_path):
    html = _html(tmp_path, paths.PROFILE_NOTEBOOK, {"country": "CHN"})
    assert paged.cut(html) is None
    assert export_pdf(html, tmp_path) == export_pdf(html, tmp_path, whole=True)


def test_sections_are_only_cut_where_their_heading_opens_the_cell():
    head = '<html><head><style>p {}</style></head><body><main class="briefing has-toc">'
    cells = [
        '<div class="cell x"><header class="title-block"><h1>T &amp; "q"</h1>'
        '<p class="byline lead">A\u00a0B</p></header></div>'
        '<nav class="toc"><a href="#a">a</a></nav>',
        '<div class="cell y"><div class="inner_cell"><h2 id="a">A</h2></div></div>',
        '<div class="cell y"><div class="inner_cell"><p>before</p><h2 id="b">B</h2></div></div>',
        '<div class="cell y"><div class="inner_cell"><h2 id="c" style="color: red">C</h2>'
        '<h1>Later title</h1></div></div>',
        '<div class="cell y"><div class="inner_cell"><h2 id="d">D</h2></div></div>',
    ]
    html = head + "".join(cells) + "</main></body></html>"
    parts = paged.cut(html)
    assert parts is not None
    # the cell with text before its heading is not a place to cut
    assert parts.sections[0].startswith(cells[1] + cells[2])
    assert parts.counters[0] == 0 and parts.counters[1] == len(
        [c for c in cells if "<h2" in c and c in parts.sections[0]])
    assert parts.styles == ("p {}",)
    # what a part carries over is a stylesheet of its own: the markup is not touched
    assert parts.part(0) == parts.head + parts.sections[0] + parts.tail
    assert parts.part(1) == parts.head + parts.sections[1] + parts.tail
    assert 'string-set: section content(text), author "A\u00a0B", doctitle "T & \\"q\\""' \
        in parts.part_css(0)
    assert '[id="a"]' in parts.part_css(0)
    assert "counter-reset: section 0 figure" in parts.part_css(0)
    # the contents' numbers are written in for the title page alone
    css = parts.title_css({"a": 2, "b": 3})
    assert 'nav.toc a[href="#a"]::after' in css and '"2"' in css
    # a section that starts on the title page, or no contents page: not cut
    assert paged.cut(html.replace("<nav", '<h2 id="z">Z</h2><nav')) is None
    assert paged.cut(html.replace("has-toc", "")) is None


def test_the_second_part_carries_the_strings_as_they_stand_where_it_starts():
    head = '<html><head></head><body><main class="briefing has-toc">'
    cells = [
        '<div class="cell x"><h1>First</h1><p class="byline">A</p><nav class="toc"></nav></div>',
        '<div class="cell y"><h2 id="a">A</h2><p>' + "x" * 2000 + '</p></div>',
        '<div class="cell y"><h2 id="b">B</h2><h1>Second</h1></div>',
        '<div class="cell y"><h2 id="c">C</h2></div>',
    ]
    parts = paged.cut(head + "".join(cells) + "</main></body></html>")
    assert parts is not None and parts.first_ids[1] in ("b", "c")
    expected = "First" if parts.first_ids[1] == "b" else "Second"
    assert f'doctitle "{expected}"' in parts.part_css(1)
    assert f"counter-reset: section {parts.counters[1]} figure" in parts.part_css(1)


def test_links_within_and_across_parts_are_written_once(page, tmp_path):
    html = page[0]
    first = html.index("<p", html.index('id="key-judgements"'))
    last = html.index("<p", html.index('id="method-and-provenance"'))
    # a link from section 1 to the last section and back, and one within section 1
    html = (html[:first] + '<p><a href="#method-and-provenance">method</a> '
            '<a href="#membership-overlap">overlap</a></p>' + html[first:last]
            + '<p><a href="#key-judgements">judgements</a></p>' + html[last:])
    joined = _structure(export_pdf(html, tmp_path))
    single = _structure(export_pdf(html, tmp_path, whole=True))
    assert joined["links"] == single["links"]
    injected = [link for link in joined["links"] if link[0] > 0 and link[2] in (
        "method-and-provenance", "membership-overlap", "key-judgements")]
    assert {link[2] for link in injected} == {
        "method-and-provenance", "membership-overlap", "key-judgements"}


def test_every_font_subset_has_a_name_of_its_own(page):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(page[2]))
    fonts: dict[int, str] = {}
    seen: set[int] = set()

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if "/BaseFont" in node and node.get("/Subtype") == "/Type0":
            fonts[id(node)] = str(node["/BaseFont"])
            return
        for key in ("/Resources", "/Font", "/XObject", "/Pattern"):
            child = node.get(key)
            if child is not None:
                child = child.get_object()
                for value in (child.values() if key != "/Resources" else [child]):
                    walk(value)

    for pdf_page in reader.pages:
        walk(pdf_page)
    names = list(fonts.values())
    assert len(names) > 3
    assert len(names) == len(set(names)), "two different subsets share a name"

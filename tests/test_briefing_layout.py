"""The shape of the briefing (issue 14): a cover, the bottom line and key judgements on pages
1-2, a main body of at most eight A4 pages that flows (no page but its last more than 40%
empty) with lines of about 80 characters, then an annex with a top-level bookmark of its
own, its sections (A1, A2 ...) one level under it; headings that skip no level; evidence
ids that link in the PDF; and on screen, a page that never scrolls sideways on a phone,
charts whose text stays readable there, captions outside the tables' scroll boxes, a
measure of about 80 characters and a contents sidebar on a wide screen.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pdftools
import pytest

pytestmark = pytest.mark.slow

#: The largest share of a main-body page (other than its last) left empty.
MOST_EMPTY = 0.40
#: The lines of a section's text that must follow its heading and lead onto a page: a page
#: with room for the heading, its lead and this many lines of what follows never leaves them
#: to the next page.
FIRST_LINES = 2
#: The longest line of running text in the PDF's main body: about 80 characters (a line
#: with evidence ids, set smaller, may hold a few more).
LONGEST_LINE = 84


@pytest.fixture(scope="module")
def briefing(default_report) -> tuple[Path, Path]:
    return default_report["html"], default_report["pdf"]


def _main_body(pdf: Path) -> tuple[list[tuple[int, str, int]], int]:
    marks = pdftools.outline(pdf)
    annex = next(page for level, title, page in marks if level == 0 and title == "Annex")
    return marks, annex


def test_the_annex_is_a_top_level_bookmark_after_a_short_main_body(briefing):
    _, pdf = briefing
    marks, annex = _main_body(pdf)
    top = [title for level, title, _ in marks if level == 0]
    assert len(top) == 2 and top[1] == "Annex"
    annexed = [title for level, title, page in marks if level == 1 and page >= annex]
    for part in ("Claims register", "Sources", "Method", "Reproducibility", "Data dictionary"):
        assert any(part in title for title in annexed), part
    assert annex <= 8, f"main body of {annex} pages"
    # every bookmark after "Annex" is one of its sections, numbered A1, A2 ... in order
    after = marks[[title for _, title, _ in marks].index("Annex") + 1:]
    assert after and all(level == 1 for level, _, _ in after), after
    assert [title.split(" ", 1)[0] for _, title, _ in after] == [
        f"A{n}" for n in range(1, len(after) + 1)]


def test_headings_skip_no_level_and_the_annex_sections_sit_under_the_annex(briefing):
    """h1 > h2 > h3 > h4, never a jump (the data dictionary's entries are h4 under its h3);
    the annex's sections are h3 under the Annex's h2, and the contents list them under it."""
    from bs4 import BeautifulSoup

    html, _ = briefing
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    headings = main.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])
    for before, after in pairwise(headings):
        assert int(after.name[1]) <= int(before.name[1]) + 1, (
            f"<{before.name}> {before.get_text(strip=True)!r} then <{after.name}> "
            f"{after.get_text(strip=True)!r}")
    annex = main.find("h2", class_="annex")
    sections = main.find_all(class_="annex-section")
    assert len(sections) >= 5 and all(h.name == "h3" for h in sections)
    assert all(h.find_previous("h2") is annex for h in sections)
    dictionary = next(h for h in sections if "dictionary" in h.get_text().lower())
    assert dictionary.find_next("h4") is not None
    listed = soup.select(f'nav.toc li:has(> a[href="#{annex["id"]}"]) > ol > li > a')
    assert [a["href"] for a in listed] == [f"#{h['id']}" for h in sections]


def _layout(html: Path):
    """The page as WeasyPrint lays it out for the PDF (print media)."""
    from weasyprint import HTML

    from briefing import paths
    from briefing.pdf import _local_fetcher

    return HTML(string=html.read_text(encoding="utf-8"), base_url=f"{paths.REPORTS_DIR}/",
                url_fetcher=_local_fetcher()).render()


def _main_body_lines(html: Path, pages: int):
    """(page, kind of block, text, width in characters of the line's own type) of every
    line WeasyPrint lays out on the first pages, outside tables and the page's margins."""
    from weasyprint.formatting_structure import boxes

    document = _layout(html)

    def walk(box, block):
        if isinstance(box, (boxes.TableBox, boxes.MarginBox)):
            return
        if isinstance(box, boxes.LineBox):
            blocks = [b for b in box.children if isinstance(b, boxes.InlineBlockBox)]
            if blocks:  # boxes side by side on one line (a judgement's 'So what', 'Watch
                for b in blocks:  # for'): each has lines of its own, measured alone
                    yield from walk(b, block)
                return
            runs = [t for t in box.descendants() if isinstance(t, boxes.TextBox)]
            text = " ".join("".join(t.text for t in runs).split())
            # the measure in characters of the line's own type: a run in smaller type (an
            # estimate, evidence ids) counts for its share of the width it takes
            base = box.style["font_size"]
            width = sum(len(t.text) * t.style["font_size"] for t in runs) / base
            yield block, text, round(width)
            return
        if isinstance(box, boxes.BlockContainerBox) and box.element is not None:
            block = f"<{box.element_tag} class={box.element.get('class')!r}>"
        for child in getattr(box, "children", None) or ():
            yield from walk(child, block)

    for number, page in enumerate(document.pages[:pages], start=1):
        for block, text, width in walk(page._page_box, ""):
            yield number, block, text, width


def test_the_main_body_keeps_a_measure_of_about_80_characters(briefing):
    """No line of running text on the main body's pages (the judgements' "So what" and
    "Watch for", captions ...) runs much past 80 characters."""
    html, pdf = briefing
    _, annex = _main_body(pdf)
    long = [(number, width, block, text) for number, block, text, width
            in _main_body_lines(html, annex - 1) if width > LONGEST_LINE]
    assert long == [], long[:5]


def test_the_bottom_line_and_key_judgements_fill_pages_one_and_two(briefing):
    _, pdf = briefing
    marks, _ = _main_body(pdf)
    pages = pdftools.page_texts(pdf)
    assert "Bottom line" in pages[0]
    second = next(page for level, title, page in marks if level == 1
                  and "Key judgements" not in title)
    assert second <= 2
    last_judgement = max(i for i, text in enumerate(pages) if "Watch for" in text.title()
                         or "WATCH FOR" in text)
    assert last_judgement <= 1


@pytest.mark.parametrize("name", ["default", "other", "params-partners", "params-2024"])
def test_the_main_body_flows(rendered, name):
    pdf = rendered(name)["pdf"]
    _, annex = _main_body(pdf)
    images = pdftools.page_images(pdf, scale=0.5)
    for number, image in enumerate(images[:annex - 1], start=1):
        grey = image.convert("L")
        width, height = grey.size
        top, bottom = int(height * 22 / 297), int(height * (1 - 20 / 297))
        pixels = grey.load()
        inked = [y for y in range(top, bottom)
                 if any(pixels[x, y] < 200 for x in range(int(width * 0.07),
                                                          int(width * 0.93), 3))]
        empty = (bottom - (max(inked) if inked else top)) / (bottom - top)
        assert empty <= MOST_EMPTY, f"page {number} is {empty:.0%} empty"
    # a judgement's last line ("Basis and evidence") never opens a page without the rest of
    # its judgement: a page holds as many of them as "So what" parts
    for number, text in enumerate(pdftools.page_texts(pdf)[:annex - 1], start=1):
        text = text.upper()
        assert text.count("BASIS AND EVIDENCE") <= text.count("SO WHAT"), \
            f"page {number} holds a judgement's last line without its judgement"


def _lines_by_block(page_box) -> list[tuple]:
    """The page's line boxes in reading order, grouped by the block that holds them:
    [(block box, [line boxes])], outside the page's margins."""
    from weasyprint.formatting_structure import boxes

    groups: list[tuple] = []

    def walk(box, block):
        if isinstance(box, boxes.MarginBox):
            return
        if isinstance(box, boxes.LineBox):
            if groups and groups[-1][0] is block:
                groups[-1][1].append(box)
            else:
                groups.append((block, [box]))
            return
        if isinstance(box, boxes.BlockBox) and box.element is not None:
            block = box
        for child in getattr(box, "children", None) or ():
            walk(child, block)

    walk(page_box, None)
    return groups


def _room_a_section_needs(page_box) -> float | None:
    """On a page that opens with a section's heading (h2): the height the heading, the
    blocks it keeps with it (break-after: avoid: a section's lead) and the first
    :data:`FIRST_LINES` lines of the paragraph after them take, with the heading's top
    margin (cut at the top of a page, kept under a block before it). None if the page does
    not open with a heading, or if what follows the heading is not a paragraph."""
    groups = _lines_by_block(page_box)
    if not groups or groups[0][0].element_tag != "h2" or "annex" in (
            groups[0][0].element.get("class") or ""):
        return None
    heading = groups[0][0]
    bottom = None
    for block, lines in groups[1:]:
        if block.style["break_after"] == "avoid":
            bottom = lines[-1].position_y + lines[-1].height
            continue
        if block.element_tag != "p":
            return None
        first = lines[:FIRST_LINES]
        bottom = first[-1].position_y + first[-1].height
        break
    if bottom is None:
        return None
    return bottom - heading.position_y + heading.style["margin_top"].value


def _room_left(page_box) -> float:
    """The height left empty at the foot of a page's content area."""
    from weasyprint.formatting_structure import boxes

    inked = [b.position_y + b.margin_height()
             for child in page_box.children if not isinstance(child, boxes.MarginBox)
             for b in child.descendants()
             if isinstance(b, (boxes.LineBox, boxes.ReplacedBox, boxes.TableRowBox))]
    return page_box.content_box_y() + page_box.height - max(inked)


@pytest.mark.parametrize("name", ["default", "other", "params-partners", "params-2024"])
def test_a_section_opens_a_page_only_when_the_page_before_has_no_room_for_it(rendered, name):
    """A section's heading, its lead and the first lines of its text go to the next page
    only when they do not fit at the foot of this one, never chained to more of what
    follows (review 15: section 3 of the default went to page 4, with Figure 2, leaving
    158 px of page 3 empty: room for its heading, its lead and two lines, not for the three
    lines its first paragraph's orphans asked for)."""
    html, pdf = rendered(name)["html"], rendered(name)["pdf"]
    _, annex = _main_body(pdf)
    pages = _layout(html).pages[:annex]
    for number, (before, page) in enumerate(pairwise(pages), start=2):
        needs = _room_a_section_needs(page._page_box)
        if needs is None:
            continue
        left = _room_left(before._page_box)
        assert left < needs, (f"page {number} opens with a section that needs {needs:.0f} px;"
                              f" page {number - 1} left {left:.0f} px empty")


def test_evidence_ids_link_to_their_rows_in_the_pdf(briefing):
    _, pdf = briefing
    targets = {target for _, target in pdftools.links(pdf)}
    for ident in ("C49", "S94", "J03", "R10"):
        assert any(ident in str(t) for t in targets), ident


def _open(browser, html: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(html.as_uri())
    return page


def test_a_phone_never_scrolls_sideways_and_keeps_chart_text_readable(briefing, browser):
    html, _ = briefing
    page = _open(browser, html, 390)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        smallest = page.evaluate("""() => [...document.querySelectorAll('figure img')]
            .filter(img => img.getBoundingClientRect().width)  /* the variant shown */
            .map(img => img.getBoundingClientRect().width / img.naturalWidth)""")
        assert smallest
        from briefing import charts

        for scale in smallest:  # the chart's own smallest text, as drawn on the phone
            assert charts.SMALLEST_PT * 96 / 72 * scale >= 7.95
        inside = page.evaluate("""() => [...document.querySelectorAll('.table-caption')]
            .filter(c => c.closest('.table-scroll')).length""")
        assert inside == 0, "a caption inside its table's scroll box"
    finally:
        page.close()


def test_a_wide_screen_has_a_contents_sidebar_and_an_80_character_measure(briefing, browser):
    html, _ = briefing
    assert "<script" not in html.read_text(encoding="utf-8")
    page = _open(browser, html, 1280)
    try:
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).position"
                             ) == "fixed"
        longest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
            'main p, main li')].map(p => {
              const lh = parseFloat(getComputedStyle(p).lineHeight);
              const lines = Math.round(p.getBoundingClientRect().height / lh);
              return lines >= 3 ? p.textContent.length / lines : 0; }))""")
        assert longest <= 84, f"{longest:.0f} characters a line"
    finally:
        page.close()

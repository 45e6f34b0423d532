"""The shape of the briefing (issue 14): a cover, the bottom line and key judgements on pages
1-2, a main body of at most eight A4 pages that flows (no page but its last more than 40%
empty), then an annex with a top-level bookmark of its own; evidence ids that link in the
PDF; and on screen, a page that never scrolls sideways on a phone, charts whose text stays
readable there, captions outside the tables' scroll boxes, a measure of about 80
characters and a contents sidebar on a wide screen.
"""

from __future__ import annotations

from pathlib import Path

import pdftools
import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
#: The largest share of a main-body page (other than its last) left empty.
MOST_EMPTY = 0.40


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


def test_evidence_ids_link_to_their_rows_in_the_pdf(briefing):
    _, pdf = briefing
    targets = {target for _, target in pdftools.links(pdf)}
    for ident in ("C49", "S94", "J03", "R10"):
        assert any(ident in str(t) for t in targets), ident


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


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

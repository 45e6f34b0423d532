"""The rendered HTML in a real browser: headless Chromium (Debian's package, driven by
Playwright), with the network blocked.

The page is rendered from a copy of the data whose claim statements carry ``<script>`` and
an ``<img onerror>``: the page must load with no console error, no failed or external
request and no dialog, show that text as text, load every figure, resolve every link of the
table of contents, and fit a phone's width.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import synthetic
from browsertools import CHROMIUM

from briefing import paths
from briefing.fonts import EMBEDDED_FONTS, font_file

HOSTILE = "Hostile <script>alert(1)</script> and <img src=x onerror=alert(1)> text"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="chromium not installed (Debian package chromium; .ci/run installs it)")


@pytest.fixture(scope="module")
def html_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    data = synthetic.data_with_claim_text(root, HOSTILE)
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "briefing", "render", "--format", "html",
                           "--data-dir", str(data), "--out", str(out)], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out / "briefing.html"


class Recorder:
    """Everything the page did that a self-contained, inert page must not do."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


def _open(browser, html_file: Path, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=True)
    page = context.new_page()
    recorder = Recorder(page)
    page.goto(html_file.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    return context, page, recorder


def _printed(browser, html_file: Path, width: int, height: int, script: str):
    """What ``script`` evaluates to on the page laid out for print (media emulated)."""
    context, page, _ = _open(browser, html_file, width, height)
    try:
        page.emulate_media(media="print")
        return page.evaluate(script)
    finally:
        context.close()


def test_page_loads_offline_and_inert(browser, html_file, tmp_path):
    context, page, rec = _open(browser, html_file, 1280, 900)
    try:
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
        assert images, "no figure on the page"
        for alt, complete, width in images:
            assert complete and width > 0, f"image not loaded: {alt[:60]}"
            assert alt.strip(), "an image without alt text"

        targets = page.evaluate("""Array.from(document.querySelectorAll('nav.toc a')).map(a =>
            [a.getAttribute('href'),
             !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))])""")
        assert len(targets) >= 2
        assert all(found for _, found in targets), targets
        last = targets[-1][0]
        page.click(f'nav.toc a[href="{last}"]')
        top = page.evaluate(f"""document.getElementById(
            decodeURIComponent('{last[1:]}')).getBoundingClientRect().top""")
        assert abs(top) < 60, "following a contents link should bring the section to the top"

        # every embedded face decodes (loading one the page does not use yet forces it)
        fonts = page.evaluate("""async () => {
            await Promise.allSettled(Array.from(document.fonts).map(f => f.load()));
            return Array.from(document.fonts).map(f => [f.family, f.status]); }""")
        assert all(status == "loaded" for _, status in fonts), fonts
        assert len(fonts) == sum(1 for f in EMBEDDED_FONTS if font_file(f[3]))

        text = page.evaluate("document.body.innerText")
        assert "<script>alert(1)</script>" in text
        assert "<img src=x onerror=alert(1)>" in text
        assert page.evaluate("document.scripts.length") == 0

        shot = tmp_path / "briefing-laptop.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert rec.console_errors == []
        assert rec.failed == []
        assert rec.external == []
        assert rec.dialogs == []
    finally:
        context.close()


def _smallest_chart_text(page) -> list[tuple[str, float]]:
    """(alt, CSS px) of the smallest text of every SVG chart as the page shows it: the SVG's
    smallest font size in its own units, scaled by the shown width over its viewBox's."""
    import base64
    import re

    shown = page.evaluate("""Array.from(document.images).map(i =>
        [i.alt, i.src, i.getBoundingClientRect().width])""")
    sizes = []
    for alt, src, width in shown:
        head, _, data = src.partition(",")
        if not head.startswith("data:image/svg+xml") or not width:
            continue  # not a chart, or the variant this screen does not show
        svg = base64.b64decode(data).decode("utf-8") if ";base64" in head else data
        view = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', svg).group(1))
        smallest = min(float(v) for v in re.findall(r"font-size:\s*([\d.]+)px", svg))
        sizes.append((alt[:60], smallest * width / view))
    return sizes


@pytest.fixture(params=["synthetic", "briefing"])
def any_page(request, html_file):
    """The hostile synthetic page and the shipped briefing (rendered once per session)."""
    if request.param == "synthetic":
        return html_file
    return request.getfixturevalue("default_report")["html"]


def test_page_fits_a_phone(browser, any_page, tmp_path):
    """At 390 px the page never scrolls sideways: a chart wider than the screen scrolls in
    its own box, and its text is still at least 8 CSS px."""
    context, page, rec = _open(browser, any_page, 390, 844)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
        boxes = page.evaluate("""Array.from(document.images)
            .filter(i => i.getBoundingClientRect().width).map(i => {
            let box = i.parentElement;
            while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
                box = box.parentElement;
            return [i.alt, i.getBoundingClientRect().right,
                    box ? box.getBoundingClientRect().right : null]; })""")
        assert boxes
        for alt, right, box in boxes:
            assert right <= 390 or (box is not None and box <= 390), (alt[:60], right, box)
        for alt, size in _smallest_chart_text(page):
            assert size >= 7.95, f"chart text of {size:.1f} px on a phone: {alt}"
        captions = page.evaluate("""Array.from(document.querySelectorAll(
            'table caption, .table-caption, figcaption'))
            .map(c => c.getBoundingClientRect().right)""")
        assert all(right <= 391 for right in captions), captions
        page.screenshot(path=str(tmp_path / "briefing-phone.png"), full_page=False)
        assert rec.console_errors == [] and rec.failed == [] and rec.external == []
    finally:
        context.close()


def test_no_table_is_cut_off_on_a_phone(browser, any_page):
    """At 390 px every table fits its box: the wide ones (the claims register, the money
    figures, the states' memberships and borders) are shown as cards, one a row, each cell
    under its column's name (a state's name heads its card without one)."""
    context, page, _ = _open(browser, any_page, 390, 844)
    try:
        tables = page.evaluate("""Array.from(document.querySelectorAll('table')).map(t => {
            const box = t.closest('.table-scroll') || t.parentElement;
            const cells = Array.from(t.querySelectorAll('td'));
            return [t.className, box.scrollWidth - box.clientWidth,
                    getComputedStyle(t).display,
                    cells.every(td => td.dataset.label && [JSON.stringify(td.dataset.label),
                        ...(td.matches("table.membership td.name") ? ["none"] : [])]
                        .includes(getComputedStyle(td, '::before').content))]; })""")
        assert tables
        for name, hidden, _, _ in tables:
            assert hidden <= 1, f"table {name!r}: {hidden}px out of sight on a phone"
        cards = {name.split()[1] for name, _, display, labelled in tables
                 if display == "block" and labelled}
        assert {"claims", "money", "membership"} <= cards, tables
    finally:
        context.close()


def test_positions_are_a_card_a_topic_on_a_phone(browser, any_page):
    """At 390 px the positions side by side (Table 1) is a card for each topic: each
    speaker's stances across the card's width, under the speaker's name (the column's
    header is out of sight), nothing wider than the screen. The headers stay in the page
    for screen readers: it is still a table, with a column header per speaker."""
    context, page, _ = _open(browser, any_page, 390, 844)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        shown = page.evaluate("""(() => {
            const t = document.querySelector('table.positions');
            const box = t.closest('.table-scroll');
            return {display: getComputedStyle(t).display,
                    hidden: box.scrollWidth - box.clientWidth,
                    speakers: Array.from(t.querySelectorAll('thead th.stances'))
                        .map(th => th.textContent),
                    cells: Array.from(t.querySelectorAll('td')).map(td => {
                        const r = td.getBoundingClientRect();
                        const label = getComputedStyle(td, '::before');
                        return [td.className, td.colSpan, td.dataset.label || null,
                                label.display !== 'none' ? label.content : 'none',
                                r.left, r.right, r.width]; })}; })()""")
        assert shown["display"] == "block" and shown["hidden"] <= 1, shown
        speakers = shown["speakers"]
        assert len(speakers) >= 2, speakers
        labelled = set()
        for role, span, label, before, left, right, width in shown["cells"]:
            assert left >= 0 and right <= 390, (role, label, left, right)
            if role == "stances" and span == 1:
                assert label in speakers and before == f'"{label}"', (label, before)
                assert width > 250, (label, width)  # the card's width, not a column's
                labelled.add(label)
        assert labelled == set(speakers), (labelled, speakers)
        table = page.locator("table.positions")
        assert table.evaluate("t => t.getBoundingClientRect().height") > 0
        headers = table.get_by_role("columnheader").all_inner_texts()
        assert [h.strip() for h in headers] == ["Topic", *speakers], headers
    finally:
        context.close()


def test_positions_stay_a_table_on_a_wide_screen(browser, any_page):
    context, page, _ = _open(browser, any_page, 1280, 900)
    try:
        shown = page.evaluate("""(() => {
            const t = document.querySelector('table.positions');
            return [getComputedStyle(t).display,
                    Array.from(t.querySelectorAll('thead th'))
                        .map(th => th.getBoundingClientRect().width),
                    Array.from(t.querySelectorAll('td')).map(td =>
                        getComputedStyle(td, '::before').content)]; })()""")
        display, widths, before = shown
        assert display == "table" and len(widths) >= 3 and min(widths) > 50, shown
        assert set(before) == {"none"}, before
    finally:
        context.close()


def test_print_keeps_the_tables(browser, any_page):
    """The cards are for a phone's screen: printed, every table is a table."""
    shown = _printed(browser, any_page, 390, 844, """Array.from(document.querySelectorAll(
        'table')).map(t => getComputedStyle(t).display)""")
    assert shown and set(shown) == {"table"}, shown


def test_charts_fit_a_phone_without_scrolling(browser, any_page):
    """At 390 px every chart is its narrow variant: the whole chart, plot area included,
    is in view without scrolling its box, and the wide variant is not shown."""
    context, page, _ = _open(browser, any_page, 390, 844)
    try:
        charts = page.evaluate("""Array.from(document.querySelectorAll('figure')).map(f => [
            f.querySelector('img') ? f.querySelector('img').alt : '',
            Array.from(f.querySelectorAll('img'))
                .filter(i => i.getBoundingClientRect().width).map(i => [
                i.className, i.getBoundingClientRect().left,
                i.getBoundingClientRect().right])])""")
        assert charts
        for alt, shown in charts:
            assert [c for c, _, _ in shown] == ["chart-narrow"], (alt[:60], shown)
            for _, left, right in shown:
                assert left >= 0 and right <= 390, (alt[:60], left, right)
    finally:
        context.close()


def test_print_shows_only_the_wide_chart(browser, any_page):
    shown = _printed(browser, any_page, 1280, 900, """Array.from(document.querySelectorAll(
        'figure img')).filter(i => getComputedStyle(i).display !== 'none')
        .map(i => i.className)""")
    assert shown and "chart-narrow" not in shown


def test_wide_screen_keeps_the_contents_in_view(browser, default_report):
    context, page, _ = _open(browser, default_report["html"], 1280, 900)
    try:
        nav = "document.querySelector('nav.toc')"
        assert page.evaluate(f"getComputedStyle({nav}).position") == "fixed"
        page.mouse.wheel(0, 6000)
        page.wait_for_timeout(200)
        box = page.evaluate(f"{nav}.getBoundingClientRect().toJSON()")
        assert box["width"] > 100 and 0 <= box["top"] < 900 and box["height"] > 100, box
        links = page.evaluate(f"{nav}.querySelectorAll('a').length")
        assert links >= 5
    finally:
        context.close()

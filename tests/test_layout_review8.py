"""Layout review 8: what a reader sees of the fixes, in Chromium (390, 360 and 1280 px) and
in the PDF.

1. A7's checksums: a file name never breaks inside a word (at most after a "/"), the
   digest may break anywhere, and the PDF keeps every name on one line.
2. The contents: an entry that wraps hangs (its second line starts under its words).
3. The cover's title leaves no word alone on its last line, on screen and in the PDF.
4. On a phone no table's box shows a scroll cue (a dashed edge) when nothing scrolls.
5. On a phone a table's text is at least 13 px and its small labels at least 11 px, and
   neither the page nor a table's box scrolls sideways, at 390 and 360 px.
6. A list of evidence ids that ends its block never leaves its last id ("S98]") or its
   closing bracket alone on the block's last line.
7. The annex's own wording in the section templates uses typographic quotes.
8. The data dictionary sets `...` spans as code, never as literal backticks, and keeps
   the text around and inside them escaped.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from briefing import paths, present

pytestmark = pytest.mark.slow

SETS = ["default", "other", "params-2024", "params-partners"]


def _open(browser, html: Path, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(html.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page


#: (character, top of its box or null) of every character of an element's text, in order:
#: where the top grows, a new line starts.
CHARS = """(el) => {
  const out = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = [...range.getClientRects()].find(r => r.width > 0);
      out.push([node.data[i], box ? box.top : null]);
    }
  }
  return out;
}"""


def _lines(chars: list[tuple[str, float | None]]) -> list[str]:
    """The text of each line, from CHARS: a character lower than the line's first starts
    the next (white space has no box of its own where a line breaks)."""
    lines: list[list[str]] = []
    top = None
    for char, y in chars:
        if y is not None and (top is None or y > top + 2):
            lines.append([])
            top = y
        if lines:
            lines[-1].append(char)
    return ["".join(line) for line in lines]


# ------------------------------------------------------------------ 1. A7's checksums


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["default", "other"])
def test_a7_file_names_break_only_after_a_slash(rendered, browser, name, width):
    context, page = _open(browser, rendered(name)["html"], width)
    try:
        names = page.evaluate(f"""() => [...document.querySelectorAll(
            'table.checksums td.name code')].map(c => ({CHARS})(c))""")
        digests = page.evaluate("""() => [...document.querySelectorAll(
            'table.checksums td.digest')].map(td => [td.querySelector('code').textContent,
            td.querySelector('code').getBoundingClientRect().right,
            td.getBoundingClientRect().right])""")
    finally:
        context.close()
    assert len(names) >= 10 and len(names) == len(digests)
    for chars in names:
        lines = _lines(chars)
        assert all(line.endswith("/") for line in lines[:-1]), f"{lines} at {width} px"
    for digest, right, cell in digests:
        assert re.fullmatch(r"[0-9a-f]{64}", digest) and right <= cell + 0.5, digest


def test_a7_file_names_stay_on_one_line_in_the_pdf(default_report):
    import pdftools
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(default_report["html"].read_text(encoding="utf-8"), "html.parser")
    names = [td.get_text() for td in soup.select("table.checksums td.name")]
    assert any("/" in n for n in names)
    text = pdftools.text(default_report["pdf"])
    for file_name in names:
        assert file_name in text, file_name


# ------------------------------------------------------------------ 2. the contents


@pytest.mark.parametrize("width", [1280, 390])
def test_a_contents_entry_that_wraps_hangs_under_its_words(default_report, browser, width):
    context, page = _open(browser, default_report["html"], width)
    try:
        entries = page.evaluate("""() => [...document.querySelectorAll('nav.toc a')].map(a =>
            [a.textContent, [...a.getClientRects()].map(r => r.left)])""")
    finally:
        context.close()
    starts = {round(lefts[0]) for _, lefts in entries}
    assert max(starts) - min(starts) <= 1, f"entries start at {sorted(starts)}"
    wrapped = [(text, lefts) for text, lefts in entries if len(lefts) > 1]
    if width == 1280:  # "5 The article against the sources" takes two lines in the sidebar
        assert wrapped, entries
    for text, lefts in wrapped:
        assert max(lefts) - min(lefts) <= 1, f"{text!r}: lines start at {lefts}"


# ------------------------------------------------------------------ 3. the cover's title


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", SETS)
def test_the_cover_title_leaves_no_word_alone_on_screen(rendered, browser, name, width):
    context, page = _open(browser, rendered(name)["html"], width)
    try:
        chars = page.evaluate(f"({CHARS})(document.querySelector('header.cover h1'))")
    finally:
        context.close()
    lines = _lines(chars)
    if len(lines) > 1:
        assert len(lines[-1].split()) >= 2, f"{lines} at {width} px"


def _pdf_title_lines(pdf: Path) -> list[str]:
    """The lines of the cover's title on the PDF's first page: its characters in the page's
    largest type, grouped by baseline."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(pdf))
    try:
        text = document[0].get_textpage()
        sizes = [raw.FPDFText_GetFontSize(text.raw, i) for i in range(text.count_chars())]
        lines: dict[float, list[str]] = {}
        x, y = ctypes.c_double(), ctypes.c_double()
        for i, size in enumerate(sizes):
            if size < max(sizes) - 0.5:
                continue
            raw.FPDFText_GetCharOrigin(text.raw, i, ctypes.byref(x), ctypes.byref(y))
            lines.setdefault(round(y.value), []).append(text.get_text_range(i, 1))
        return ["".join(chars) for _, chars in sorted(lines.items(), reverse=True)]
    finally:
        document.close()


@pytest.mark.parametrize("name", SETS)
def test_the_cover_title_leaves_no_word_alone_in_the_pdf(rendered, name):
    lines = _pdf_title_lines(rendered(name)["pdf"])
    assert lines, "no title found on the first page"
    if len(lines) > 1:
        assert len(lines[-1].split()) >= 2, lines


# ------------------------------------------------------------------ 4, 5. phones

#: Small labels: evidence ids, verdict badges, code, a stance's kind, a field's allowed
#: values, flags and marks, the joint statement's label.
SMALL = ".refs, .verdict, code, .kind, .allowed, .flag, sup, .joint-label"

TABLE_TEXT = """(small) => {
  const seen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const hidden = el => { const head = el.closest('thead');
                         return head && getComputedStyle(head).position === 'absolute'; };
  const out = [];
  for (const table of document.querySelectorAll('main table')) {
    if (!seen(table)) continue;
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const el = node.parentElement;
      if (!node.data.trim() || !seen(el) || hidden(el)) continue;
      out.push([table.className, el.tagName + '.' + el.className, node.data.trim().slice(0, 30),
                !!el.closest(small), parseFloat(getComputedStyle(el).fontSize)]);
    }
    for (const td of table.querySelectorAll('td')) {
      const label = getComputedStyle(td, '::before');
      if (seen(td) && label.content.startsWith('"'))
        out.push([table.className, 'td::before', label.content, true,
                  parseFloat(label.fontSize)]);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("name", SETS)
def test_no_scroll_cue_on_a_phone_where_nothing_scrolls(rendered, browser, name):
    context, page = _open(browser, rendered(name)["html"], 390)
    try:
        boxes = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
            .filter(b => b.getBoundingClientRect().width).map(b => {
              const s = getComputedStyle(b);
              return [b.getAttribute('aria-label') || b.getAttribute('aria-labelledby'),
                      b.scrollWidth - b.clientWidth, s.borderRightStyle,
                      parseFloat(s.borderRightWidth)]; })""")
    finally:
        context.close()
    assert boxes
    for label, hidden, style, border in boxes:
        if hidden <= 1:
            assert style in ("none", "hidden") or border == 0, (label, style, border)


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("name", SETS)
def test_table_text_is_readable_on_a_phone_without_sideways_scrolling(
        rendered, browser, name, width):
    context, page = _open(browser, rendered(name)["html"], width)
    try:
        texts = page.evaluate(TABLE_TEXT, SMALL)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        boxes = page.evaluate("""() => [...document.querySelectorAll('.table-scroll, table')]
            .filter(b => b.getBoundingClientRect().width)
            .map(b => [b.className, b.scrollWidth - b.clientWidth,
                       b.getBoundingClientRect().right])""")
    finally:
        context.close()
    assert texts
    body = [t for t in texts if not t[3]]
    small = [t for t in texts if t[3]]
    assert body and small
    too_small = [t for t in body if t[4] < 12.95] + [t for t in small if t[4] < 10.95]
    assert too_small == [], too_small[:8]
    assert scroll == width, f"the page is {scroll} px wide at {width} px"
    for cls, hidden, right in boxes:
        assert hidden <= 1 and right <= width + 0.5, (cls, hidden, right)


# ------------------------------------------------------------------ 6. evidence ids

REFS = """() => [...document.querySelectorAll('span.refs')].filter(s =>
    s.getClientRects().length && s.querySelectorAll('a.ref').length > 1).map(s => {
  const ids = [...s.querySelectorAll('a.ref')];
  const last = ids[ids.length - 1];
  const block = s.parentElement.closest('p, li, td, dd, figcaption, div');
  const after = document.createRange();
  after.setStartAfter(s);
  after.setEnd(block, block.childNodes.length);
  const before = document.createRange();
  before.setStart(block, 0);
  before.setEndBefore(last);
  const boxes = [...before.getClientRects()].filter(r => r.width > 0);
  const close = document.createRange();
  const tail = s.lastChild;  // the "]"
  close.setStart(tail, tail.length - 1);
  close.setEnd(tail, tail.length);
  return [s.textContent, after.toString().trim(), last.getClientRects()[0].top,
          boxes[boxes.length - 1].top, close.getClientRects()[0].top]; })"""


@pytest.mark.parametrize("width", [390, 360, 1280])
@pytest.mark.parametrize("name", ["default", "other"])
def test_the_last_evidence_id_is_never_alone_on_a_line(rendered, browser, name, width):
    context, page = _open(browser, rendered(name)["html"], width)
    try:
        lists = page.evaluate(REFS)
    finally:
        context.close()
    assert lists
    for text, after, last, before, close in lists:
        assert abs(close - last) <= 2, f"{text}: its ']' alone on a line"
        if not re.sub(r"[.,;:)\s]", "", after):  # the list ends its block
            assert last <= before + 2, f"{text}: its last id alone on the last line"


# ------------------------------------------------------------------ 7. quotes

ANNEX_TEMPLATES = ["method", "reproducibility", "dictionary", "cover"]


@pytest.mark.parametrize("name", ANNEX_TEMPLATES)
def test_the_templates_own_wording_uses_typographic_quotes(name):
    """The words a template writes itself (outside its tags and Jinja code) have no straight
    quote: an apostrophe is ’, a quotation “…” or ‘…’."""
    source = (paths.ROOT / "briefing" / "templates" / "sections" / f"{name}.html.j2").read_text(
        encoding="utf-8")
    words = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    words = re.sub(r"<[^>]*>", " ", words)
    assert not re.search(r"['\"]", words), [ln for ln in words.splitlines()
                                              if re.search(r"['\"]", ln)]


# ------------------------------------------------------------------ 8. the data dictionary


def test_the_data_dictionary_sets_backticks_as_code(default_report):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(default_report["html"].read_text(encoding="utf-8"), "html.parser")
    shown = soup.select("table.dictionary, .table-block.dictionary p.table-caption, "
                        ".enum-meanings")
    assert shown
    assert not [el.get_text()[:80] for el in shown if "`" in el.get_text()]
    assert any(code.get_text() == "python -m briefing draft"
               for el in shown for code in el.find_all("code"))


def test_the_data_dictionary_keeps_descriptions_escaped():
    evil = "<script>alert(1)</script>"
    field = SimpleNamespace(name="f", type="string", required=True, enum=None,
                            description=f"run `{evil}` then <b>bold</b>, `a < b`, `open")
    table = SimpleNamespace(path="x.csv", layer="article", primary_key=["f"], fields=[field],
                            description="rows `x` and <i>y</i>")
    html = present.markup(present.Report().section(
        "dictionary", schema_tables={"x": table},
        enum_docs=[("kind", {"a": "means `<em>` and 'a'"})]))
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "<em>" not in html
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html
    assert "<code>a &lt; b</code>" in html and "`open" in html
    assert "rows <code>x</code> and &lt;i&gt;y&lt;/i&gt;" in html
    assert "means <code>&lt;em&gt;</code> and" in html


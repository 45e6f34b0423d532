"""The PDF: WeasyPrint on the briefing's HTML, laid out in parts on both cores, then joined.

WeasyPrint lays out and draws a document in one thread; for the 22-page briefing that is the
longest phase of a render (~2.5 s). A briefing with a contents page starts every numbered
section on a new page (briefing.css), so it can be cut at a section boundary without moving
a single line:

* the **title page** (title block and contents),
* the **first part** (sections 1..k) and the **second part** (sections k+1..n).

The two parts are laid out at the same time, the second in a forked process. Nothing in one
part's layout depends on the other, except the page numbers in the running footer ("Page x of
y"): each part tells the other how many pages it has once its pages are made, before the
footers are laid out (``_numbered_margin_boxes``). The title page is laid out last, when
every section's page is known, with the contents' page numbers written in: by the forked
process, while this one draws its part. The three PDFs are joined with pypdf, and the joined
file gets what WeasyPrint would have written for the whole document: the outline
(bookmarks), the named destinations, the contents' links, the metadata and the file
identifier.

Identical HTML gives identical bytes whether the parts run in parallel, one after the other
(one usable core, no ``fork``, ``BRIEFING_NO_WARM=split``) or after the forked process
failed: the second part is then laid out in this process, with the same numbers.
What a part needs from the page before it (the section counter, the running header's
strings, the contents' numbers) is given to it as a small stylesheet of its own; the markup is
never edited. ``tests/test_paged.py`` checks that the joined PDF shows the same pages, outline,
links and destinations as WeasyPrint's single pass over the same HTML.

A page without a contents page (a country profile), or with fewer than two sections after
it, is rendered in one pass.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import html as html_lib
import io
import os
import pickle
import re
import select
import signal
import struct
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from .paths import switched_off

#: How long the parent waits for the forked process at each step before laying the second
#: part out itself (the forked process is then killed). A generous bound: it exists so that a
#: wedged child can never hang a render, not to time anything.
CHILD_DEADLINE_S = 300.0

#: Pages the title page is assumed to take while the parts are numbered; if it takes more
#: (a very long contents), the parts are laid out again with the right count.
TITLE_PAGES_GUESS = 1

#: Re-enables the running header on the first page of a part (briefing.css hides it on a
#: document's first page, which only the title page is).
PART_CSS = """
@page :first {
  @top-left { content: string(doctitle, first); }
  @top-right { content: string(section, first); }
}
"""

_MAIN_RE = re.compile(r'<main\b[^>]*\bclass="[^"]*\bhas-toc\b[^"]*"[^>]*>')
_H2_RE = re.compile(r"<h2\b[^>]*>")
_CELL_START = '<div class="cell '
_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
_OPEN_TAGS_ONLY = re.compile(r"(?:\s*<div\b[^>]*>)*\s*")
_H1_RE = re.compile(r"<h1\b[^>]*>(?P<text>.*?)</h1>", re.S)
_BYLINE_RE = re.compile(r'<(?P<tag>[a-z][a-z0-9]*)\b[^>]*\bclass="(?:[^"]*\s)?byline(?:\s[^"]*)?"'
                        r"[^>]*>(?P<text>.*?)</(?P=tag)>", re.S)
_H2_ID_RE = re.compile(r'<h2\b[^>]*?\bid="([^"]+)"')
_TAG_RE = re.compile(r"<[^>]+>")


# --------------------------------------------------------------------------- cutting the page

@dataclass
class Parts:
    """The page cut in three: head and tail are shared; ``sections`` are the two bodies.

    Nothing is pasted into the markup: what a part needs from the page before it (the
    section counter, the running header's strings, the contents' page numbers) is said in a
    small stylesheet of its own (:meth:`part_css`, :meth:`title_css`)."""
    head: str              # from <!DOCTYPE> up to and including <main ...>, without <style>
    styles: tuple[str, ...]  # the page's stylesheets, in order
    title: str             # the title page's content (title block and contents)
    sections: tuple[str, str]
    counters: tuple[int, int]    # h2 headings (numbered sections) before each part
    first_ids: tuple[str, str]   # the id of each part's first heading
    strings: tuple[dict, dict]   # running-header strings set before each part
    tail: str              # </main> and what follows

    def title_page(self) -> str:
        return self.head + self.title + self.tail

    def title_css(self, numbers: dict[str, int]) -> str:
        """The contents' page numbers, written in (the sections are in other files)."""
        return "\n".join(
            f'nav.toc a[href={_css_string("#" + anchor)}]::after '
            f'{{ content: " " leader(dotted) " " "{page}"; }}'
            for anchor, page in sorted(numbers.items()))

    def part(self, index: int) -> str:
        return self.head + self.sections[index] + self.tail

    def part_css(self, index: int) -> str:
        """The section counter continued, and the running header's strings as they stood
        where the part starts (its first heading sets them at the top of its first page)."""
        carried = ", ".join(f"{name} {_css_string(text)}"
                            for name, text in sorted(self.strings[index].items()))
        heading = f"[id={_css_string(self.first_ids[index])}]"
        rules = [f"main.briefing {{ counter-reset: section {self.counters[index]} figure; }}"]
        if carried:
            rules.append(f"{heading} {{ string-set: section content(text), {carried}; }}")
        return "\n".join(rules)


def _css_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
               .replace("\r", "").replace("\f", ""))
    return f'"{escaped}"'


def _text(fragment: str) -> str:
    """An element's text as CSS ``content(text)`` gives it: tags dropped, entities decoded,
    runs of CSS white space (not no-break or other Unicode spaces) made one space."""
    text = html_lib.unescape(_TAG_RE.sub("", fragment))
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip(" ")


def section_starts(html: str, main_end: int, main_close: int) -> list[int]:
    """Where each section's cell starts, for sections whose heading opens their cell (so
    cutting there moves nothing: the section starts a new page anyway)."""
    starts = []
    for match in _H2_RE.finditer(html, main_end, main_close):
        cell = html.rfind(_CELL_START, main_end, match.start())
        if cell < 0 or not _OPEN_TAGS_ONLY.fullmatch(html, cell, match.start()):
            continue
        if not starts or starts[-1] != cell:
            starts.append(cell)
    return starts


def _weight(fragment: str) -> float:
    """A rough cost of laying out and drawing ``fragment``: its markup, with embedded images
    counted at a quarter (an SVG chart is drawn from far fewer objects than its base64 text
    suggests, a table cell costs more than its characters)."""
    data = sum(len(m) for m in re.findall(r'data:[^"\')\s]+', fragment))
    return len(fragment) - 0.75 * data


def cut(html: str) -> Parts | None:
    """The page cut into a title page and two parts, or None when it has no contents page,
    fewer than two sections after it, or a shape this module does not know."""
    main = _MAIN_RE.search(html)
    if not main:
        return None
    main_close = html.rfind("</main>")
    if main_close < main.end():
        return None
    starts = section_starts(html, main.end(), main_close)
    if len(starts) < 2 or "<nav" not in html[main.end():starts[0]]:
        return None
    if _H2_RE.search(html, main.end(), starts[0]):
        return None  # a section that starts on the title page: not a page this cuts

    # The cut that best balances title page + second part against the first part.
    title_weight = _weight(html[main.end():starts[0]])
    bounds = [*starts, main_close]
    total = _weight(html[starts[0]:main_close])
    best, best_gap = 1, None
    for k in range(1, len(starts)):
        first = _weight(html[starts[0]:bounds[k]])
        gap = abs(first - (total - first + title_weight))
        if best_gap is None or gap < best_gap:
            best, best_gap = k, gap
    cut_at = starts[best]

    first_ids = []
    for at in (starts[0], cut_at):
        heading = _H2_ID_RE.match(html, html.index("<h2", at))
        if not heading:
            return None
        first_ids.append(html_lib.unescape(heading.group(1)))
    strings = tuple(_strings_before(html, main.end(), at) for at in (starts[0], cut_at))
    head = html[:main.end()]
    return Parts(head=_STYLE_RE.sub("", head), styles=_styles(head),
                 title=html[main.end():starts[0]],
                 sections=(html[starts[0]:cut_at], html[cut_at:main_close]),
                 counters=(0, len(_H2_RE.findall(html, starts[0], cut_at))),
                 first_ids=tuple(first_ids), strings=strings, tail=html[main_close:])


def _styles(html: str) -> tuple[str, ...]:
    """The contents of the page's ``<style>`` elements, in order."""
    return tuple(m.group(1) for m in _STYLE_RE.finditer(html))


def _strings_before(html: str, begin: int, end: int) -> dict[str, str]:
    """The running header's named strings (briefing.css: ``h1`` sets doctitle, ``.byline``
    sets author) as the last element before ``end`` set them."""
    found = {}
    for name, pattern in (("doctitle", _H1_RE), ("author", _BYLINE_RE)):
        matches = list(pattern.finditer(html, begin, end))
        if matches:
            found[name] = _text(matches[-1].group("text"))
    return found


# --------------------------------------------------------------------------- WeasyPrint

@dataclass
class _Sheets:
    font_config: object
    sheets: list
    part_sheet: object


_SHEETS: dict[tuple[str, ...], _Sheets] = {}
_SHEETS_LOCK = threading.Lock()


def stylesheets(styles: tuple[str, ...], fetcher) -> _Sheets:
    """The page's stylesheets parsed once per process, their @font-face fonts loaded into one
    FontConfiguration, so the title page, both parts and the forked process share them (and
    the warm-up thread can parse them while the kernel runs: :func:`prepare`). The page is
    self-contained (render.unsafe_html), so no stylesheet depends on the page's address."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    with _SHEETS_LOCK:  # the render waits for the warm-up thread rather than parse twice
        found = _SHEETS.get(styles)
        if found is None:
            config = FontConfiguration()
            sheets = [CSS(string=text, font_config=config, url_fetcher=fetcher,
                          media_type="print") for text in styles]
            part = CSS(string=PART_CSS, font_config=config, media_type="print")
            if not _SHEETS:
                # released before the interpreter tears modules down: FontConfiguration's
                # finaliser needs them ("Exception ignored in FontConfiguration.__del__")
                atexit.register(_SHEETS.clear)
            _SHEETS.clear()  # one page's fonts at a time
            found = _SHEETS[styles] = _Sheets(config, sheets, part)
        return found


def prepare(page: str, fetcher) -> None:
    """Parse the stylesheets of ``page`` now (a page exported in the warm-up has the same
    stylesheets as the briefing whenever the briefing's characters are in the prepared font
    subsets, render.prepare_fonts)."""
    stylesheets(_styles(page), fetcher)


#: While a part is laid out: ``resolve(local_pages) -> (page offset, total pages)``.
_numbering = None


def _numbered_margin_boxes(context, page, state):
    """WeasyPrint's margin boxes with this part's page numbers: its page counter shifted by
    the pages before it, and the document's total. Called after the part's pages are made."""
    from weasyprint.layout import page as layout_page

    if _numbering is not None:
        offset, total = _numbering(len(context.page_maker) - 1)
        counters = dict(state[1])
        counters["page"] = [value + offset for value in counters.get("page", [1])]
        counters["pages"] = [total]
        state = (state[0], counters, *state[2:])
    return layout_page.make_margin_boxes(context, page, state)


def _install_hook() -> None:
    import weasyprint.layout as layout

    if getattr(layout.make_margin_boxes, "__name__", "") != "_numbered_margin_boxes":
        layout.make_margin_boxes = _numbered_margin_boxes


@dataclass
class _Laid:
    """One part after WeasyPrint: its PDF and what the joined file needs to know of it."""
    pdf: bytes
    heights: list[float]
    anchors: list[dict]
    bookmarks: list[list]
    links: list[list]


def _layout(html: str, base_url: str, fetcher, sheets: _Sheets, resolve, *, part: bool,
            css: str = ""):
    """WeasyPrint's layout of ``html`` (a Document), its footers numbered by ``resolve``."""
    from weasyprint import CSS, HTML

    global _numbering
    _install_hook()
    extra = [sheets.part_sheet] if part else []
    if css:
        extra.append(CSS(string=css, media_type="print"))
    if resolve is not None:
        resolve = functools.lru_cache(maxsize=None)(resolve)  # asked once per page
    outer, _numbering = _numbering, resolve  # the second part may be laid out inside the first
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[*sheets.sheets, *extra], font_config=sheets.font_config)
    finally:
        _numbering = outer


def _written(document, identifier: bytes) -> _Laid:
    """The laid-out document drawn to PDF, with what the joined file needs to know of it."""
    pdf = document.write_pdf(pdf_identifier=identifier)
    return _Laid(pdf=pdf, heights=[p.height for p in document.pages],
                 anchors=[dict(p.anchors) for p in document.pages],
                 bookmarks=[list(p.bookmarks) for p in document.pages],
                 links=[[(kind, target, tuple(rect)) for kind, target, rect, _ in p.links
                         if kind == "internal"] for p in document.pages])


def _lay_out(html: str, base_url: str, fetcher, sheets: _Sheets, resolve, *,
             part: bool, identifier: bytes, css: str = "") -> _Laid:
    return _written(_layout(html, base_url, fetcher, sheets, resolve, part=part, css=css),
                    identifier)


def _page_numbers(*parts: tuple[list[dict], int]) -> dict[str, int]:
    """Anchor name -> the page number it is first on, for each part's pages (``anchors``)
    numbered from its ``offset`` + 1."""
    numbers: dict[str, int] = {}
    for anchors, offset in parts:
        for index, page_anchors in enumerate(anchors):
            for name in page_anchors:
                numbers.setdefault(name, offset + index + 1)
    return numbers


def _title(parts: Parts, base_url, fetcher, sheets, numbers: dict[str, int], body_pages: int,
           identifier: bytes) -> _Laid:
    """The title page, with the contents' page numbers written in."""
    def resolve(pages: int) -> tuple[int, int]:
        return 0, pages + body_pages

    return _lay_out(parts.title_page(), base_url, fetcher, sheets, resolve, part=False,
                    identifier=identifier, css=parts.title_css(numbers))


def whole(html: str, base_url: str, fetcher, identifier: bytes) -> bytes:
    """One WeasyPrint pass over the whole page (pages without contents, and the reference the
    joined PDF is tested against)."""
    sheets = stylesheets(_styles(html), fetcher)
    return _lay_out(_STYLE_RE.sub("", html), base_url, fetcher, sheets, None,
                    part=False, identifier=identifier).pdf


# --------------------------------------------------------------------------- the forked part

def _send(fd: int, payload: bytes) -> None:
    data = struct.pack("!Q", len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def _receive(fd: int, deadline: float) -> bytes:
    import time

    poller = select.poll()  # not select(): it fails for descriptors past 1023
    poller.register(fd, select.POLLIN)

    def read(size: int) -> bytes:
        chunks = []
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                raise TimeoutError("the forked part did not answer in time")
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError("the forked part ended without answering")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    (size,) = struct.unpack("!Q", read(8))
    return read(size)


def _die_with_parent() -> None:
    """Linux: SIGKILL this (forked) process as soon as its parent dies."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _can_fork() -> bool:
    if not hasattr(os, "fork") or switched_off("split"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2


class _Second:
    """The second part, laid out in a forked process (or, failing that, here)."""

    def __init__(self, parts: Parts, base_url, fetcher, sheets, title_pages: int,
                 identifier: bytes):
        self.parts = parts
        self.args = (parts.part(1), base_url, fetcher, sheets)
        self.css = parts.part_css(1)
        self.title: _Laid | None = None
        self.title_pages = title_pages
        self.identifier = identifier
        self.pid = None
        self.result: _Laid | None = None
        self.pages: int | None = None
        if _can_fork():
            self._fork()

    def _fork(self) -> None:
        import time

        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
                os.close(fd)
            return
        if pid == 0:  # pragma: no cover - runs in the forked process
            code = 1
            try:
                os.close(to_child_w)
                os.close(to_parent_r)
                _die_with_parent()
                signal.alarm(int(CHILD_DEADLINE_S) + 1)
                deadline = time.monotonic() + CHILD_DEADLINE_S

                known: dict[str, int] = {}

                def resolve(pages: int) -> tuple[int, int]:
                    _send(to_parent_w, pickle.dumps(pages))
                    known["first"] = first = pickle.loads(_receive(to_child_r, deadline))
                    return self.title_pages + first, self.title_pages + first + pages

                laid = _lay_out(*self.args, resolve, part=True, identifier=self.identifier,
                                css=self.css)
                # then the title page, once the parent sends the first part's page numbers
                numbers = pickle.loads(_receive(to_child_r, deadline))
                own = _page_numbers((laid.anchors, self.title_pages + known["first"]))
                numbers = {**own, **numbers}  # the first part's anchors come first
                title = _title(self.parts, *self.args[1:], numbers,
                               known["first"] + len(laid.heights), self.identifier)
                _send(to_parent_w, pickle.dumps((laid, title)))
                code = 0
            finally:
                os._exit(code)
        os.close(to_child_r)
        os.close(to_parent_w)
        self.pid, self.to_child, self.from_child = pid, to_child_w, to_parent_r
        self.deadline = time.monotonic() + CHILD_DEADLINE_S

    def _give_up(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self.pid, 0)
            for fd in (self.to_child, self.from_child):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.pid = None

    def _here(self, first_pages: int) -> _Laid:
        def resolve(pages: int) -> tuple[int, int]:
            self.pages = pages
            return self.title_pages + first_pages, self.title_pages + first_pages + pages

        self.result = _lay_out(*self.args, resolve, part=True, identifier=self.identifier,
                               css=self.css)
        return self.result

    def exchange(self, first_pages: int) -> int:
        """Tell the second part how many pages the first has; learn how many it has."""
        if self.pid is not None:
            try:
                self.pages = pickle.loads(_receive(self.from_child, self.deadline))
                _send(self.to_child, pickle.dumps(first_pages))
                return self.pages
            except Exception:
                self._give_up()
        self._here(first_pages)
        return self.pages

    def send_numbers(self, numbers: dict[str, int]) -> None:
        """The first part's anchors and their page numbers, for the title page."""
        if self.pid is not None:
            try:
                _send(self.to_child, pickle.dumps(numbers))
            except Exception:
                self._give_up()

    def finish(self, first_pages: int) -> _Laid:
        """The second part's result (and the title page, if the forked process made it)."""
        if self.result is None and self.pid is not None:
            with contextlib.suppress(Exception):
                self.result, self.title = pickle.loads(
                    _receive(self.from_child, self.deadline))
            self._give_up()  # done (it exits after answering) or failed: reaped either way
        if self.result is None:
            self._here(first_pages)
        return self.result


# --------------------------------------------------------------------------- one PDF

def render(html: str, base_url: str, fetcher, identifier: bytes) -> bytes:
    """The PDF of ``html``: in parts when it has a contents page, else in one pass."""
    parts = cut(html)
    if parts is None:
        return whole(html, base_url, fetcher, identifier)
    sheets = stylesheets(parts.styles, fetcher)
    title_pages = TITLE_PAGES_GUESS
    for _attempt in range(3):
        joined, actual = _render_parts(parts, base_url, fetcher, sheets, title_pages,
                                       identifier)
        if actual == title_pages:
            return joined
        title_pages = actual  # the contents ran over a page: lay the parts out again
    return whole(html, base_url, fetcher, identifier)


def _render_parts(parts: Parts, base_url, fetcher, sheets, title_pages: int,
                  identifier: bytes) -> tuple[bytes, int]:
    second = None
    counts: dict[str, int] = {}
    try:
        second = _Second(parts, base_url, fetcher, sheets, title_pages, identifier)

        def resolve(pages: int) -> tuple[int, int]:
            counts["first"] = pages
            counts["second"] = second.exchange(pages)
            return title_pages, title_pages + pages + counts["second"]

        document = _layout(parts.part(0), base_url, fetcher, sheets, resolve, part=True,
                           css=parts.part_css(0))
        # the forked process lays out the title page while this one draws its part
        second.send_numbers(_page_numbers(([p.anchors for p in document.pages],
                                            title_pages)))
        first = _written(document, identifier)
        del document
        rest = second.finish(counts["first"])
        title = second.title
    finally:
        if second is not None:
            second._give_up()
    if title is None:
        numbers = _page_numbers((first.anchors, title_pages),
                                (rest.anchors, title_pages + len(first.heights)))
        title = _title(parts, base_url, fetcher, sheets, numbers,
                       len(first.heights) + len(rest.heights), identifier)
    return _join([title, first, rest], identifier), len(title.heights)


# --------------------------------------------------------------------------- joining

def _join(laid: list[_Laid], identifier: bytes) -> bytes:
    """The parts' PDFs as one file, with the links, destinations and outline WeasyPrint
    writes for a whole document."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )
    from weasyprint.document import Document
    from weasyprint.matrix import Matrix

    readers = [PdfReader(io.BytesIO(part.pdf)) for part in laid]
    writer = PdfWriter()
    for number, reader in enumerate(readers):
        first_page = len(writer.pages)
        writer.append(reader, import_outline=False)
        if number:
            _retag_fonts(writer.pages[first_page:], number)
    # what the parts named and linked themselves is replaced below by what the whole
    # document names and links
    root = writer._root_object
    if "/Names" in root:
        del root["/Names"]
    for page in writer.pages:
        if "/Annots" in page:
            page[NameObject("/Annots")] = ArrayObject(
                a for a in page["/Annots"] if "/Dest" not in a.get_object())

    heights = [h for part in laid for h in part.heights]
    anchors = [a for part in laid for a in part.anchors]
    links = [lk for part in laid for lk in part.links]
    bookmarks = [b for part in laid for b in part.bookmarks]
    page_refs = [page.indirect_reference for page in writer.pages]

    def matrix(index: int) -> Matrix:
        return Matrix(0.75, 0, 0, -0.75, 0, heights[index] * 0.75)

    def number(value: float):
        return FloatObject(value) if value != int(value) else NumberObject(int(value))

    def destination(index: int, x: float, y: float) -> ArrayObject:
        x, y = matrix(index).transform_point(x, y)
        return ArrayObject([page_refs[index], NameObject("/XYZ"), number(x), number(y),
                            NumberObject(0)])

    # named destinations: every anchor, first occurrence wins, sorted as WeasyPrint does
    named: dict[str, ArrayObject] = {}
    for index, page_anchors in enumerate(anchors):
        for name, (x, y, *_) in page_anchors.items():
            named.setdefault(name, destination(index, x, y))
    if named:
        names = ArrayObject()
        for name in sorted(named):
            names.append(TextStringObject(name))
            names.append(named[name])
        dests = DictionaryObject({NameObject("/Names"): names})
        root[NameObject("/Names")] = DictionaryObject(
            {NameObject("/Dests"): writer._add_object(dests)})

    # internal links (the contents): annotations pointing at those destinations
    for index, page_links in enumerate(links):
        for _kind, target, rect in page_links:
            if target not in named:
                continue
            x1, y1 = matrix(index).transform_point(*rect[:2])
            x2, y2 = matrix(index).transform_point(*rect[2:])
            annotation = DictionaryObject({
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([number(x1), number(y1), number(x2),
                                                  number(y2)]),
                NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                NameObject("/Dest"): TextStringObject(target),
            })
            page = writer.pages[index]
            if "/Annots" not in page:
                page[NameObject("/Annots")] = ArrayObject()
            page["/Annots"].append(writer._add_object(annotation))

    # the outline, built by WeasyPrint's own rule from every page's bookmarks
    pages = [SimpleNamespace(height=h, bookmarks=b)
             for h, b in zip(heights, bookmarks, strict=True)]
    tree = Document.make_bookmark_tree(SimpleNamespace(pages=pages), scale=0.75,
                                       transform_pages=True)

    def add(items, parent=None):
        for title, (index, x, y), children, state in items:
            item = writer.add_outline_item(
                title=title, page_number=index, parent=parent, is_open=state != "closed")
            entry = item.get_object()
            entry.pop("/A", None)  # a destination, as WeasyPrint writes it, not an action
            entry[NameObject("/Dest")] = ArrayObject([page_refs[index], NameObject("/XYZ"),
                                                     number(x), number(y), NumberObject(0)])
            add(children, item)

    add(tree)

    info = readers[0].metadata or {}
    writer.add_metadata({key: value for key, value in info.items()})
    if "/Lang" in readers[0].trailer["/Root"]:
        root[NameObject("/Lang")] = readers[0].trailer["/Root"]["/Lang"]
    writer.pdf_header = b"%PDF-1.7"
    file_id = ByteStringObject(identifier)
    writer._ID = ArrayObject([file_id, file_id])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retag_fonts(pages, part: int) -> None:
    """Give the font subsets of a part's pages tags of their own. Each part's PDF subsets
    the same fonts to its own glyphs under WeasyPrint's tags (``ABCDEF+Name``); one file
    must not have two different subsets with one name (ISO 32000-1, 9.6.4)."""
    from pypdf.generic import DictionaryObject, NameObject

    seen: set[int] = set()

    def retag(name: str) -> NameObject:
        tag, plus, rest = name.lstrip("/").partition("+")
        if not plus or len(tag) != 6:
            return NameObject(name)
        digest = hashlib.sha256(f"{part}:{tag}".encode()).digest()
        return NameObject("/" + "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + rest)

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            return
        seen.add(id(node))
        if "/BaseFont" in node:
            node[NameObject("/BaseFont")] = retag(node["/BaseFont"])
            descriptor = node.get("/FontDescriptor")
            if descriptor is not None and "/FontName" in descriptor.get_object():
                descriptor = descriptor.get_object()
                descriptor[NameObject("/FontName")] = retag(descriptor["/FontName"])
            for descendant in node.get("/DescendantFonts") or ():
                walk(descendant)
            return
        for key in ("/Resources", "/Font", "/XObject", "/Pattern"):
            child = node.get(key)
            if child is None:
                continue
            child = child.get_object()
            if key in ("/Font", "/XObject", "/Pattern") and isinstance(child, DictionaryObject):
                for value in child.values():
                    walk(value)
            else:
                walk(child)

    for page in pages:
        walk(page)

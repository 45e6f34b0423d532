"""What the tests read out of a PDF, through pip-installed libraries only.

Text and page images come from pypdfium2 (PDFium, the engine of Chromium's viewer), fonts,
outline and links from pypdf's public API, so ``make test`` needs no system PDF tools.
Whitespace in extracted text is collapsed to single spaces: where a line breaks and which
character a font's space glyph maps to vary between extractors, the words do not. PDFium
reports a hyphen that ends a line as U+0002 and joins the line to the next; it is put back
as the hyphen the page shows ("co-" + "operate" reads "co-operate").
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

#: The three ways a font program can be embedded in a font descriptor (PDF 32000, 9.9).
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
#: What PDFium's text layer puts in place of a hyphen at the end of a line.
LINE_END_HYPHEN = "\x02"
#: A subset font's name starts with six capitals and a plus sign (PDF 32000, 9.6.4).
SUBSET_TAG = re.compile(r"[A-Z]{6}\+")


def page_texts(path: str | Path) -> list[str]:
    """The text of each page, in PDFium's reading order, whitespace collapsed."""
    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            raw = textpage.get_text_bounded().replace(LINE_END_HYPHEN, "-")
            texts.append(" ".join(raw.split()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def text(path: str | Path) -> str:
    """The text of the whole document, pages joined by a space."""
    return " ".join(page_texts(path))


def page_images(path: str | Path, scale: float = 1.0) -> list:
    """Each page rasterised to a ``PIL.Image``; ``scale`` is pixels per point (1 = 72 dpi)."""
    document = pdfium.PdfDocument(str(path))
    try:
        images = []
        for page in document:
            images.append(page.render(scale=scale).to_pil())
            page.close()
        return images
    finally:
        document.close()


def _get(dictionary, key: str, default=None):
    """``dictionary[key]`` resolved when it is an indirect reference, else ``default``
    (pypdf resolves references on ``[]`` but not on ``.get``)."""
    return dictionary[key] if key in dictionary else default


def _font(font) -> dict:
    subtype = str(_get(font, "/Subtype", ""))
    descriptor = _get(font, "/FontDescriptor")
    kind = subtype.lstrip("/")
    if subtype == "/Type0":
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = _get(descendant, "/FontDescriptor")
        kind = f"Type0/{str(_get(descendant, '/Subtype', '')).lstrip('/')}"
    name = str(_get(font, "/BaseFont", _get(font, "/Name", ""))).lstrip("/")
    if subtype == "/Type3":
        embedded = True  # its glyphs are content streams in the file itself
    else:
        embedded = descriptor is not None and any(key in descriptor for key in FONT_FILES)
    return {"name": name, "type": kind, "embedded": embedded,
            "subset": bool(SUBSET_TAG.match(name))}


def _key(obj):
    """An object's identity in the file: its object number, or for a direct object (which
    has no ``indirect_reference``) the Python object that its parent keeps."""
    ref = getattr(obj, "indirect_reference", None)
    return (ref.idnum, ref.generation) if ref is not None else id(obj)


def embedded_fonts(path: str | Path) -> list[dict]:
    """Every font the pages use, once each: ``name``, ``type`` (``TrueType``,
    ``Type0/CIDFontType2``, ...), ``embedded`` and ``subset``.

    Fonts are found in each page's resources and, recursively, in the resources of its form
    XObjects, patterns and Type 3 fonts (where SVG figures keep theirs).
    """
    reader = PdfReader(path)
    fonts: dict = {}
    seen: set = set()

    def walk(resources) -> None:
        if resources is None or _key(resources) in seen:
            return
        seen.add(_key(resources))
        for font in _get(resources, "/Font", {}).values():
            font = font.get_object()
            if _key(font) not in fonts:
                fonts[_key(font)] = _font(font)
                walk(_get(font, "/Resources"))
        for category in ("/XObject", "/Pattern"):
            for item in _get(resources, category, {}).values():
                walk(_get(item.get_object(), "/Resources"))

    for page in reader.pages:
        walk(_get(page, "/Resources"))
    return list(fonts.values())


def outline(path: str | Path) -> list[tuple[int, str, int]]:
    """The bookmarks, depth first: (level from 0, title, page index)."""
    reader = PdfReader(path)
    flat: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                flat.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return flat


def links(path: str | Path) -> list[tuple[int, str]]:
    """Every link annotation: (page index, target), the target a URI or a destination name."""
    reader = PdfReader(path)
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.annotations or []:
            annotation = annotation.get_object()
            if _get(annotation, "/Subtype") != "/Link":
                continue
            action = _get(annotation, "/A", {})
            target = _get(annotation, "/Dest") or _get(action, "/URI") or _get(action, "/D")
            found.append((number, str(target)))
    return found

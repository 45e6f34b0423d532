"""Font files and the subsets embedded in the output (no heavy imports until used).

The kit ships its typeface, IBM Plex Serif and Sans (SIL Open Font License, see
``typefaces/README.md``), so the page, the PDF and the charts are set in the same faces on
every machine, with or without system fonts. System folders are searched only for faces the
kit does not ship.

The HTML page (:func:`embed_page_fonts`) and each chart's SVG
(:func:`briefing.charts.to_svg`) carry ``@font-face`` rules whose sources are ``data:`` WOFF2
subsets of the faces they use, reduced to the characters they show, so they look the same on
every machine without fetching anything. fontTools is imported on first use only.

Subsetting is deterministic: the font's own timestamps are kept and WOFF2 (brotli) compression
has no randomness, so the same font and text always give the same bytes.
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

from . import paths

#: The typefaces shipped with the kit (IBM Plex, unmodified; licence and source in README.md).
TYPEFACES = paths.TYPEFACES_DIR
#: System folders, for faces the kit does not ship.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

# WeasyPrint warns when it is imported on a machine without system fonts ("Expect ugly
# output"): it cannot know that the page brings every face it sets text in.
warnings.filterwarnings("ignore", message="No fonts configured in FontConfig",
                        category=UserWarning, module=r"weasyprint\.")


@functools.cache
def font_file(name: str) -> Path | None:
    """The font file called ``name``: the kit's own in TYPEFACES, else the first under
    FONT_DIRS (sorted, so the choice is stable)."""
    shipped = TYPEFACES / name
    if shipped.is_file():
        return shipped
    for base in FONT_DIRS:
        root = Path(base).expanduser()
        if root.is_dir():
            found = sorted(root.rglob(name))
            if found:
                return found[0]
    return None


@functools.cache
def codepoints(path: Path) -> frozenset[int]:
    """The code points ``path`` maps to a glyph (its best Unicode cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


@functools.cache
def advance_widths(name: str) -> dict[int, float] | None:
    """Advance width of every character the font file ``name`` maps, in em (None without
    the file): what a line of text in that face measures, before kerning."""
    path = font_file(name)
    if path is None:
        return None
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {cp: metrics[glyph][0] / per_em for cp, glyph in
                (font.getBestCmap() or {}).items() if glyph in metrics}


_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "JSTF", "BASE", "MATH")


@functools.lru_cache(maxsize=64)
def subset_woff(path: Path, text: str, layout: bool = True) -> bytes:
    """``path`` subset to the glyphs of ``text`` as WOFF, unhinted, with the font's own
    timestamps: the same font and text always give the same bytes.

    HarfBuzz's subsetter (uharfbuzz) does the subsetting, far faster than fontTools' (which
    decodes the layout tables); fontTools then wraps the result as WOFF (zlib,
    deterministic). ``layout=True`` keeps the
    OpenType layout tables (kerning and ligatures, as a browser and WeasyPrint shape the
    page's text). ``layout=False`` drops them: matplotlib lays chart text out without them
    (IBM Plex has no legacy ``kern`` table, so charts are measured and drawn unkerned), and
    a browser drawing the SVG must not set it differently.

    Cached: a batch's profiles share one or two character sets."""
    import io

    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    face = hb.Face(hb.Blob(Path(path).read_bytes()))
    request = hb.SubsetInput()
    for ch in sorted(set(text)):
        request.unicode_set.add(ord(ch))
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    if not layout:
        dropped = request.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
        for tag in _LAYOUT_TABLES:  # an OpenType tag is its four ASCII bytes as an integer
            dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    subset = hb.subset(face, request)
    if subset is None:
        raise ValueError(f"{path}: HarfBuzz could not subset the font")
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(io.BytesIO(bytes(subset.blob.data)), recalcTimestamp=False)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face(family: str, style: str, weight: int | str, woff: bytes) -> str:
    """A CSS ``@font-face`` rule for ``woff`` given inline as a ``data:`` URL."""
    import base64

    data = base64.b64encode(woff).decode("ascii")
    name = family.replace("\\", "\\\\").replace('"', '\\"')
    return (f'@font-face {{ font-family: "{name}"; font-style: {style}; '
            f"font-weight: {weight}; "
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


#: Faces embedded in the HTML, subset to the characters of the page (WeasyPrint does the same
#: in the PDF): the stylesheet names them first, so the page looks the same on every machine.
#: All are shipped in TYPEFACES; code is set in the sans (no third family).
EMBEDDED_FONTS = (
    ("Briefing Serif", "normal", 400, "IBMPlexSerif-Regular.ttf"),
    ("Briefing Serif", "italic", 400, "IBMPlexSerif-Italic.ttf"),
    ("Briefing Serif", "normal", 700, "IBMPlexSerif-Bold.ttf"),
    ("Briefing Serif", "italic", 700, "IBMPlexSerif-BoldItalic.ttf"),
    ("Briefing Sans", "normal", 400, "IBMPlexSans-Regular.ttf"),
    ("Briefing Sans", "italic", 400, "IBMPlexSans-Italic.ttf"),
    ("Briefing Sans", "normal", 700, "IBMPlexSans-Bold.ttf"),
)
#: Characters the stylesheet itself writes (generated content, quotes, list markers).
CSS_TEXT = "Page of Contents 0123456789\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u2022."


def page_text(page: str) -> str:
    """The characters a page can show: its own, printable ASCII and the stylesheet's."""
    import string

    return "".join(sorted(set(page) | set(string.printable.strip()) | set(CSS_TEXT)))


def embed_page_fonts(page: str) -> str:
    """Add ``@font-face`` rules with ``data:`` WOFF2 subsets of EMBEDDED_FONTS covering every
    character of ``page`` (Latin, Greek, Cyrillic; other scripts fall back to the reader's
    fonts, as in the PDF) before the page's first ``<style>``."""
    text = page_text(page)
    rules = []
    for family, style, weight, name in EMBEDDED_FONTS:
        path = font_file(name)
        if path is None:
            continue
        try:
            woff = subset_woff(path, text)
        except Exception:  # a broken font file must not stop the report
            continue
        rules.append(font_face(family, style, weight, woff))
    at = page.find("<style>")
    if not rules or at < 0:
        return page
    fonts = ("<style>\n/* font subsets embedded by briefing.fonts.embed_page_fonts */\n"
             + "\n".join(rules) + "\n</style>\n")
    return page[:at] + fonts + page[at:]

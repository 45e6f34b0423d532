"""Fonts: the kit's own typeface found first and used by the page, the PDF and the charts,
with or without system fonts; subsets reduced to exactly the text's characters,
deterministic, inline only."""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import pdftools
import pytest
from fontTools.ttLib import TTFont

from briefing import fonts, paths

#: matplotlib's own copy: present wherever the venv is (the charts' fallback for other scripts).
DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
STYLESHEET = paths.TEMPLATES_DIR / "briefing" / "briefing.css"
#: Letters the shipped faces must have: Latin with diacritics, the Cyrillic of the region's
#: languages (Russian, Ukrainian, Kazakh, Kyrgyz, Tajik, Uzbek) and Greek.
LATIN = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x180)))
CYRILLIC = ("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
            "ҐЄІЇґєіїЎўӘәҒғҚқҢңӨөҰұҮүҺһӢӣӮӯҲҳҶҷ")
GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρςστυφχψωάέήίόύώ"
#: The CSS families of the embedded faces, and the family matplotlib sets chart text in.
PAGE_FAMILIES = {"Briefing Serif", "Briefing Sans"}
CHART_FAMILY = "IBM Plex Sans"


def _cmap(woff2: bytes) -> set[str]:
    return {chr(c) for c in TTFont(io.BytesIO(woff2)).getBestCmap()}


def test_importing_fonts_imports_no_font_library():
    code = "import sys, briefing.fonts; print('fontTools' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"


def test_font_file_finds_installed_faces_and_none_for_unknown_names():
    assert fonts.font_file("NoSuchFont-Regular.ttf") is None
    found = fonts.font_file("DejaVuSans.ttf")
    if found is None:
        pytest.skip("DejaVu Sans is not installed system-wide")
    assert found.name == "DejaVuSans.ttf" and found.is_file()


# --------------------------------------------------------------------------- shipped faces

def _font(name: str) -> TTFont:
    return TTFont(str(fonts.TYPEFACES / name), lazy=True)


def test_every_embedded_face_is_shipped_and_every_shipped_file_is_used():
    names = [name for *_, name in fonts.EMBEDDED_FONTS]
    assert sorted(p.name for p in fonts.TYPEFACES.glob("*.ttf")) == sorted(names)
    assert (fonts.TYPEFACES / "OFL.txt").is_file() and (fonts.TYPEFACES / "README.md").is_file()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts.TYPEFACES / "OFL.txt").read_text()
    assert {family for family, *_ in fonts.EMBEDDED_FONTS} == PAGE_FAMILIES


@pytest.mark.parametrize("family, style, weight, name", fonts.EMBEDDED_FONTS)
def test_each_face_is_the_one_it_is_named_for(family, style, weight, name):
    font = _font(name)
    expected = "IBM Plex " + family.split()[-1]
    assert font["name"].getDebugName(1) == expected, "one family: Plex Serif and Plex Sans"
    assert font["OS/2"].usWeightClass == weight
    assert bool(font["OS/2"].fsSelection & 1) == (style == "italic")


@pytest.mark.parametrize("name", [name for *_, name in fonts.EMBEDDED_FONTS])
def test_shipped_faces_cover_latin_cyrillic_and_greek(name):
    have = fonts.codepoints(fonts.TYPEFACES / name)
    missing = {ch for ch in LATIN + CYRILLIC + GREEK if ord(ch) not in have}
    assert not missing, "".join(sorted(missing))


def test_shipped_faces_are_found_before_system_fonts(tmp_path, monkeypatch):
    name = fonts.EMBEDDED_FONTS[0][3]
    (tmp_path / name).write_bytes(b"a system copy")
    monkeypatch.setattr(fonts, "FONT_DIRS", (str(tmp_path),))
    fonts.font_file.cache_clear()
    try:
        assert fonts.font_file(name) == fonts.TYPEFACES / name
    finally:
        fonts.font_file.cache_clear()


def test_stylesheet_sets_every_text_in_the_embedded_families():
    """Each font-family list starts with an embedded family (or one of the custom properties
    that do), so no text depends on the reader's or the machine's fonts."""
    css = STYLESHEET.read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    values = re.findall(r"(?:font-family|--serif|--sans|--mono)\s*:\s*([^;]+);", css)
    assert len(values) >= 3
    for value in values:
        first = value.split(",")[0].strip().strip('"')
        assert first in PAGE_FAMILIES or first in {"var(--serif)", "var(--sans)",
                                                   "var(--mono)"}, value


def test_charts_set_text_in_the_shipped_sans_without_font_warnings(caplog):
    """matplotlib finds the shipped faces, and the fallbacks after them never warn: what Plex
    lacks (here Arabic) comes from matplotlib's own DejaVu Sans when no CJK font is there."""
    from briefing import charts

    assert charts.RC["font.family"][0] == CHART_FAMILY
    for style, weight in (("normal", "400"), ("normal", "700"), ("italic", "400")):
        path = Path(charts._face_file(CHART_FAMILY, style, weight))
        assert path.parent == fonts.TYPEFACES, (style, weight, path)
    fig = charts._figure(1.5)
    ax = fig.add_subplot()
    ax.set_title("Zürich, Шанхай, Ελλάδα, منظمة")
    ax.set_xlabel("Душанбе", fontstyle="italic")
    with caplog.at_level(logging.WARNING, logger="matplotlib"), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = charts.to_svg(fig)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert not caught, [str(w.message) for w in caught]
    used = charts.svg_text_faces(svg)
    assert {family for family, *_ in used} == {CHART_FAMILY}
    assert "Шанхай" in svg and "منظمة" in svg


def test_a_system_copy_of_the_family_does_not_replace_the_shipped_faces(tmp_path):
    """Another version of IBM Plex Sans installed on the machine (found by matplotlib before
    the kit's own) is set aside: charts are measured with the shipped files everywhere."""
    copy = tmp_path / "IBMPlexSans-Regular.ttf"
    copy.write_bytes((fonts.TYPEFACES / copy.name).read_bytes())
    code = ("from matplotlib import font_manager as fm\n"
            f"fm.fontManager.addfont({str(copy)!r})\n"
            "from briefing import charts\n"
            f"print(charts._face_file({CHART_FAMILY!r}, 'normal', '400'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert Path(out.strip()) == fonts.TYPEFACES / copy.name


def _squeezed(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def test_scripts_plex_lacks_fall_back_to_a_system_cjk_font(tmp_path):
    """Chinese in the PDF comes from an installed Chinese font (the stylesheet's fallback
    after the embedded family), the Cyrillic from the embedded face."""
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                             text=True).stdout if shutil.which("fc-list") else ""
    chinese = {_squeezed(family) for line in listing.splitlines()
               for family in line.split(",")} - {""}
    if not chinese:
        pytest.skip("no Chinese font installed (e.g. Debian's fonts-noto-cjk)")
    import nbformat
    from nbformat.v4 import new_markdown_cell, new_notebook

    from briefing.html import export_html
    from briefing.pdf import export_pdf

    nb = new_notebook(cells=[new_markdown_cell("## Names\n\nШанхайская организация 上海合作组织")])
    nb.cells[0].id = "cell-00"
    pdf = tmp_path / "scripts.pdf"
    pdf.write_bytes(export_pdf(export_html(nbformat.from_dict(nb), "Scripts"), tmp_path))
    names = [font["name"].partition("+")[2] for font in pdftools.embedded_fonts(pdf)]
    assert any(_squeezed(name).startswith(tuple(chinese)) for name in names), names
    assert "Briefing-Serif" in names and "Briefing-Sans-Bold" in names, names


@pytest.mark.parametrize("layout", [True, False])
def test_subset_holds_exactly_the_characters_of_the_text(layout):
    text = "Who belongs, 2021 — Ω ж é"
    woff2 = fonts.subset_woff(DEJAVU, text, layout=layout)
    assert woff2[:4] == b"wOFF"
    assert _cmap(woff2) == set(text)


def test_characters_the_font_lacks_are_left_out():
    have = fonts.codepoints(DEJAVU)
    assert ord("A") in have and ord("中") not in have
    assert _cmap(fonts.subset_woff(DEJAVU, "A中B")) == {"A", "B"}


def test_subsetting_is_deterministic():
    text = "State by state: 0123456789"
    fonts.subset_woff.cache_clear()
    one = fonts.subset_woff(DEJAVU, text, layout=False)
    fonts.subset_woff.cache_clear()
    two = fonts.subset_woff(DEJAVU, text, layout=False)
    assert one == two


def test_chart_subsets_drop_the_layout_tables_page_subsets_keep_them():
    """matplotlib sets chart text without OpenType layout; a browser drawing the SVG must
    not kern or ligate it differently. The page keeps kerning and ligatures."""
    plex = fonts.font_file(fonts.EMBEDDED_FONTS[3][3])
    font = TTFont(io.BytesIO(fonts.subset_woff(plex, "AVTo fi", layout=False)))
    assert not {"GSUB", "GPOS", "GDEF", "MATH"} & set(font.keys())
    full = TTFont(io.BytesIO(fonts.subset_woff(plex, "AVTo fi", layout=True)))
    assert {"GSUB", "GPOS"} <= set(full.keys())


def test_font_face_is_an_inline_data_url_and_nothing_else():
    woff2 = fonts.subset_woff(DEJAVU, "abc")
    rule = fonts.font_face('Odd "Name"', "italic", 700, woff2)
    assert rule.startswith('@font-face { font-family: "Odd \\"Name\\""; font-style: italic; '
                           "font-weight: 700; ")
    urls = re.findall(r"url\(([^)]*)\)", rule)
    assert len(urls) == 1 and urls[0].startswith("data:font/woff;base64,")
    assert base64.b64decode(urls[0].split(",", 1)[1]) == woff2


# --------------------------------------------------------------------------- no system fonts

def _render(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", "render", "--out", str(out)],
                          cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=600)


FONT_WARNING = re.compile(r"font|glyph", re.IGNORECASE)


@pytest.mark.slow
def test_render_without_system_fonts_gives_the_same_bytes_and_no_font_warning(tmp_path,
                                                                           default_report):
    """fontconfig given an empty configuration (no font at all): the kit's own typeface sets
    the page, the PDF and the charts, so the HTML and the PDF come out byte for byte as in
    a normal render, and neither render warns about fonts (WeasyPrint, fontconfig, or
    matplotlib in the kernel)."""
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    bare = _render(tmp_path / "bare", {**os.environ, "FONTCONFIG_FILE": str(empty)})
    assert bare.returncode == 0, bare.stderr
    for stderr in (default_report["stderr"], bare.stderr):  # the normal render: conftest
        assert not FONT_WARNING.search(stderr), stderr
    for ext in ("html", "pdf"):
        one = (default_report["out"] / f"briefing.{ext}").read_bytes()
        two = (tmp_path / "bare" / f"briefing.{ext}").read_bytes()
        assert one == two, f"briefing.{ext} differs without system fonts"

    import nbformat

    executed = nbformat.read(tmp_path / "bare" / "briefing.ipynb", as_version=4)
    kernel_stderr = [output.get("text", "") for cell in executed.cells
                     for output in cell.get("outputs", []) if output.get("name") == "stderr"]
    assert not [text for text in kernel_stderr if FONT_WARNING.search(text)], kernel_stderr

    page = (tmp_path / "bare" / "briefing.html").read_text(encoding="utf-8")
    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; font-style: (\w+); '
                       r"font-weight: (\d+);", page)
    assert sorted(faces) == sorted((f, s, str(w)) for f, s, w, _ in fonts.EMBEDDED_FONTS)
    names = [font["name"] for font in pdftools.embedded_fonts(tmp_path / "bare" / "briefing.pdf")]
    plex = re.compile(r"^[A-Z]{6}\+(Briefing-(Serif|Sans)|IBM-Plex-Sans)")
    assert names and all(plex.match(name) for name in names), names

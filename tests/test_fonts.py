"""Font subsets: found, reduced to exactly the text's characters, deterministic, inline only."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont

from briefing import fonts, paths

#: matplotlib's own copy: present wherever the venv is, and what charts are measured with.
DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


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


@pytest.mark.parametrize("layout", [True, False])
def test_subset_holds_exactly_the_characters_of_the_text(layout):
    text = "Who belongs, 2021 — Ω ж é"
    woff2 = fonts.subset_woff2(DEJAVU, text, layout=layout)
    assert woff2[:4] == b"wOF2"
    assert _cmap(woff2) == set(text)


def test_characters_the_font_lacks_are_left_out():
    have = fonts.codepoints(DEJAVU)
    assert ord("A") in have and ord("中") not in have
    assert _cmap(fonts.subset_woff2(DEJAVU, "A中B")) == {"A", "B"}


def test_subsetting_is_deterministic():
    text = "State by state: 0123456789"
    fonts.subset_woff2.cache_clear()
    one = fonts.subset_woff2(DEJAVU, text, layout=False)
    fonts.subset_woff2.cache_clear()
    two = fonts.subset_woff2(DEJAVU, text, layout=False)
    assert one == two


def test_chart_subsets_keep_kerning_and_drop_the_layout_tables():
    font = TTFont(io.BytesIO(fonts.subset_woff2(DEJAVU, "AVTo", layout=False)))
    assert not {"GSUB", "GPOS", "GDEF", "MATH"} & set(font.keys())
    pairs = font["kern"].kernTables[0].kernTable
    assert pairs.get(("A", "V")), "the legacy kern table matplotlib measures with is kept"
    full = TTFont(io.BytesIO(fonts.subset_woff2(DEJAVU, "AVTo", layout=True)))
    assert "GPOS" in full


def test_font_face_is_an_inline_data_url_and_nothing_else():
    woff2 = fonts.subset_woff2(DEJAVU, "abc")
    rule = fonts.font_face('Odd "Name"', "italic", 700, woff2)
    assert rule.startswith('@font-face { font-family: "Odd \\"Name\\""; font-style: italic; '
                           "font-weight: 700; ")
    urls = re.findall(r"url\(([^)]*)\)", rule)
    assert len(urls) == 1 and urls[0].startswith("data:font/woff2;base64,")
    assert base64.b64decode(urls[0].split(",", 1)[1]) == woff2

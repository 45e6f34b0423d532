"""The PDF of the same HTML is the same bytes, whenever it is made."""

from __future__ import annotations

import os
import time

from briefing import fonts
from briefing.pdf import export_pdf


def _page_with_a_woff_font() -> str:
    name = fonts.EMBEDDED_FONTS[0][3]
    rule = fonts.font_face("Test Serif", "normal", 400,
                           fonts.subset_woff(fonts.font_file(name), "Dushanbe 2021"))
    return (f"<html lang='en'><head><style>{rule} body {{ font-family: 'Test Serif'; }}"
            "</style></head><body><p>Dushanbe 2021</p></body></html>")


def test_same_html_same_pdf_a_second_later(tmp_path):
    """WeasyPrint decodes WOFF fonts with fontTools, which stamps them with the clock unless
    SOURCE_DATE_EPOCH is set: the export sets it (and leaves the environment as it was)."""
    page = _page_with_a_woff_font()
    before = dict(os.environ)
    first = export_pdf(page, tmp_path)
    time.sleep(1.1)
    assert export_pdf(page, tmp_path) == first
    assert dict(os.environ) == before

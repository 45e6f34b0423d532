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


def _table(label: str, rows: list[str]) -> str:
    body = "".join(f"<tr><td>{r}</td></tr>" for r in rows)
    return (f"<div class='table-block'><p class='table-caption'>{label}</p><table>"
            f"<thead><tr><th>Column</th></tr></thead><tbody>{body}</tbody></table></div>")


def test_a_table_of_one_row_is_not_pushed_to_the_next_page(tmp_path):
    """A table's first row is kept with its second, and its last with the one before; a
    table of one row (both first and last) must not pass that on to the break after the
    table, or the table goes to the next page with what follows it, leaving a gap."""
    from briefing.html import _css
    from tests.pdftools import page_texts

    filler = "<p>" + "Filler line of the page. " * 12 + "</p>"
    tall = "<br>".join(["a tall row"] * 14)
    page = (f"<html lang='en'><head><style>{_css()}</style></head><body>"
            f"<main class='briefing'>{filler * 10}{_table('One row', ['ALONE'])}"
            "<div class='cell'><div class='text_cell_render'><h3>Next</h3></div></div>"
            f"{_table('Tall rows', [tall] * 4)}</main></body></html>")
    path = tmp_path / "one-row.pdf"
    path.write_bytes(export_pdf(page, tmp_path))
    texts = page_texts(path)
    assert len(texts) > 1, "the page must overflow for the test to mean anything"
    assert "ALONE" in texts[0] and "Next" not in texts[0]

"""The annex's pages: a section's heading and introduction never end a page alone, the
figure they lead to on the next."""

from __future__ import annotations

import pdftools


def test_an_annex_section_starts_on_the_page_of_its_figure(default_report):
    pages = pdftools.page_texts(default_report["pdf"])
    heading = next(i for i, p in enumerate(pages) if "A2 Claims register" in p)
    figure = next(i for i, p in enumerate(pages) if "Figure 3. Claims credited" in p)
    assert heading == figure, (heading + 1, figure + 1)

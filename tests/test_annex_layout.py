"""The annex's pages: a section's heading and introduction never end a page alone, the
figure they lead to on the next; a printed contents of the annex with the page of each
section; a data dictionary that, on paper, is a table of the files and the meanings of the
allowed values (the column-by-column tables stay in the HTML); one definition of each
confidence level."""

from __future__ import annotations

import re

import pdftools
from bs4 import BeautifulSoup

from briefing.schema import CONFIDENCES, TABLES


def _annex_sections(pdf) -> list[tuple[str, int]]:
    """(title, first page, from 1) of each annex section, from the PDF's bookmarks."""
    marks = pdftools.outline(pdf)
    start = [title for _, title, _ in marks].index("Annex")
    return [(title, page + 1) for _, title, page in marks[start + 1:]]


def test_an_annex_section_starts_on_the_page_of_its_figure(default_report):
    pdf = default_report["pdf"]
    pages = pdftools.page_texts(pdf)
    heading = next(page for title, page in _annex_sections(pdf) if "Claims register" in title)
    figure = next(i for i, p in enumerate(pages, start=1) if "Figure 3. Claims credited" in p)
    assert heading == figure, (heading, figure)


def test_the_printed_annex_lists_its_sections_with_their_pages(default_report):
    """Paper has no bookmarks: under the Annex's heading, A1 ... A8, each with the page it
    starts on (review 15); on screen the contents already list them, so the list is for
    print only."""
    pdf = default_report["pdf"]
    sections = _annex_sections(pdf)
    assert len(sections) >= 5
    marks = pdftools.outline(pdf)
    annex_page = next(page for level, title, page in marks if title == "Annex")
    text = pdftools.page_texts(pdf)[annex_page]
    # the list runs from the Annex's heading to A1's own heading, the second "A1 ..."
    first = text.index(sections[0][0])
    listed = text[first:text.index(sections[0][0], first + 1)]
    for title, page in sections:
        assert re.search(rf"{re.escape(title)}[ .]*\b{page}\b", listed), (title, page, listed)
    soup = BeautifulSoup(default_report["html"].read_text(encoding="utf-8"), "html.parser")
    nav = soup.select_one("nav.annex-contents")
    assert nav is not None and "print-only" in nav["class"]
    assert [a["href"] for a in nav.find_all("a")] == [
        f"#{h['id']}" for h in soup.select("h3.annex-section")]


def test_the_printed_data_dictionary_is_a_table_of_files_and_the_allowed_values(
        default_report):
    """On paper, A8 is the files (layer, what a row is, key, rows), a sentence saying where
    the column-by-column dictionary is, and what each allowed value means; the HTML keeps
    the column tables (review 15: they were six of the PDF's 24 pages)."""
    pdf = default_report["pdf"]
    sections = _annex_sections(pdf)
    title, first = next((t, p) for t, p in sections if "Data dictionary" in t)
    pages = pdftools.page_texts(pdf)
    dictionary = " ".join(pages[first - 1:])
    # a file's path may break after a "/" or "_": the text then has a space there
    dictionary = re.sub(r"(?<=[/_]) ", "", dictionary[dictionary.index(title):])
    assert "Column Type Required Meaning" not in dictionary
    assert "File Layer What a row is Key Rows" in dictionary
    for table in TABLES.values():
        assert table.path in dictionary, table.path
    assert "python -m briefing dictionary" in dictionary
    assert all(meaning in dictionary for meaning in CONFIDENCES.values())
    assert len(pages) - first + 1 <= 3, f"the data dictionary takes {len(pages) - first + 1} pages"
    # the rows column counts the data's rows
    assert re.search(r"claims\.csv article .*? claim_id 50\b", dictionary)
    # the HTML keeps every column of every file, on screen only
    soup = BeautifulSoup(default_report["html"].read_text(encoding="utf-8"), "html.parser")
    columns = soup.select(".screen-only table.dictionary")
    assert len(columns) == len(TABLES)
    assert soup.select_one(".print-only table.files") is not None


def test_confidence_has_one_definition(default_report):
    """A6 (method) states each confidence level in the words of the schema, which A8 (the
    data dictionary) prints: one definition, not two (review 15)."""
    soup = BeautifulSoup(default_report["html"].read_text(encoding="utf-8"), "html.parser")
    method = soup.find("h3", id="method").find_next("div", class_="cell").get_text(" ")
    method = " ".join(method.split())
    for level, meaning in CONFIDENCES.items():
        assert f"{level} ({meaning})" in method, (level, meaning)

"""End to end: the briefing rendered from the shipped data and from a second dataset.

The second dataset (tests/fixtures/other_dataset) follows the schema but shares nothing
with the article: its briefing must speak of its own data and of nothing of the article's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from briefing import paths
from briefing.params import check
from briefing.render import render

OTHER = paths.FIXTURES_DIR / "other_dataset"
#: Words of the shipped article that must never leak into another dataset's briefing.
ARTICLE_WORDS = ("SCO", "CSTO", "Putin", "Xi Jinping", "31m", "Afghanistan", "Taliban",
                 "Dushanbe", "Financial Times", "Kremlin", "China", "Tajikistan")


class Page(HTMLParser):
    """Visible text (scripts and styles left out), image alt texts and figure ids."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.alts: list[str] = []
        self.figures: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "img":
            self.alts.append(attrs.get("alt") or "")
        if tag == "figure":
            self.figures.append(attrs.get("id") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _render(tmp_path_factory, name: str, notebook, given: dict, formats=("html",)):
    out = tmp_path_factory.mktemp(name)
    params = check(notebook.stem, given)
    render(notebook, params.injectable(), out, stem=name, formats=formats)
    return out


@pytest.fixture(scope="module")
def other_html(tmp_path_factory) -> str:
    out = _render(tmp_path_factory, "other", paths.BRIEFING_NOTEBOOK,
                  {"data_dir": str(OTHER)})
    return (out / "other.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = _render(tmp_path_factory, "shipped", paths.BRIEFING_NOTEBOOK, {},
                  formats=("html", "pdf"))
    return (out / "shipped.html").read_text(encoding="utf-8"), out / "shipped.pdf"


def _before_dictionary(html: str) -> str:
    """The briefing up to the data dictionary appendix, whose schema descriptions document
    the schema's own allowed values (its topics and examples come from the first article)."""
    at = html.find('id="data-dictionary"')
    assert at > 0, "the briefing ends with the data dictionary"
    return html[:at]


def test_other_dataset_briefing_speaks_of_its_own_data(other_html):
    page = parse(other_html)
    text = " ".join(page.text)
    for words in ("Japan and Germany pledge flood relief for Mozambique", "SADC", "COMESA",
                  "EAC", "Klaus Berger", "Yoko Tanaka", "$45m", "€10m–€100m", "Eswatini",
                  "Fixture Gazette", "border with Mozambique"):
        assert words in text, words
    assert "Only six of the 9 other states shown share a recognised land border with " \
           "Mozambique" in text
    assert "Contradicted: Tanaka said every member of the two communities is a neighbour " \
           "of Mozambique" in text


def test_other_dataset_briefing_says_nothing_of_the_article(other_html):
    head = _before_dictionary(other_html)
    text = " ".join(parse(head).text) + " " + " ".join(parse(head).alts)
    for word in ARTICLE_WORDS:
        assert not re.search(rf"(?<![\w$]){re.escape(word)}(?!\w)", text), word
    assert "C50" not in text and "S78" not in text  # ids only the article's data has


def test_figures_are_numbered_with_alt_text_and_no_notebook_noise(other_html):
    page = parse(other_html)
    assert page.figures == [f"fig-{i}" for i in range(1, len(page.figures) + 1)]
    assert len(page.figures) == 4  # grid, UpSet (three organisations), money, claims
    assert all(len(alt) > 40 for alt in page.alts)
    text = " ".join(page.text)
    for n in range(1, 5):
        mention = re.search(rf"Figure {n}\b(?!\.)", text)
        assert mention, f"Figure {n} is referred to from the text"
        assert mention.start() < text.index(f"Figure {n}.")  # before the figure itself
    for noise in ("Out[", "In [", "Traceback", "UserWarning", "FutureWarning", "dtype:", "NaN",
                  "<NA>", "DataFrame"):
        assert noise not in text, noise


def test_shipped_briefing_html_has_every_section_and_the_overlap(shipped):
    html, _ = shipped
    text = " ".join(parse(html).text)
    for heading in ("Key judgements", "Membership overlap", "Stated aid and money",
                    "Who said what", "Positions side by side", "Article vs reference",
                    "Method and provenance", "Data dictionary"):
        assert heading in text, heading
    assert ("Four of the 10 states shown are members of both SCO and CSTO: Kazakhstan, "
            "Kyrgyzstan, Russia and Tajikistan.") in text
    assert "$31m" in text and "[C10, C36, C37]" in text
    assert "Vladimir Putin" in text and "Xi Jinping" in text
    assert str(paths.ROOT) not in html


def _pdf_text(pdf) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(pdf).pages)


def test_shipped_briefing_pdf_text(shipped):
    _, pdf = shipped
    text = " ".join(_pdf_text(pdf).split())
    for state in ("Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"):
        assert state in text
    assert "members of both SCO and CSTO" in text
    assert "$31m" in text


def test_as_of_view_shows_later_members_and_flags_frozen_participation(tmp_path_factory):
    out = _render(tmp_path_factory, "later", paths.BRIEFING_NOTEBOOK,
                  {"as_of": "2024-12-31", "focus_country": "Armenia", "max_table_rows": 10})
    text = " ".join(parse((out / "later.html").read_text(encoding="utf-8")).text)
    assert "Belarus and Iran are now members of the SCO" in text
    assert "Armenia is now a member, with its participation frozen, of the CSTO" in text
    assert "Flagged: Armenia (CSTO)" in text
    assert "Focus — Armenia" in text
    assert "2024-12-31, from the reference membership timeline" in text
    assert "Showing 10 of 50 claims; 40 left out (C11 to C50) by max_table_rows = 10" in text


def test_country_profile_of_a_state(tmp_path_factory):
    out = _render(tmp_path_factory, "profile", paths.PROFILE_NOTEBOOK,
                  {"country": "ARM", "as_of": "2024-12-31"})
    page = parse((out / "profile.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert "Country profile: Armenia" in text
    assert "Armenia has no land border with Afghanistan" in text
    assert "participation frozen" in text.lower()
    assert "C36" in text  # the claim naming Armenia
    assert "No money figure" in text
    assert page.figures == ["fig-1"] and page.alts[0].startswith("Timeline of Armenia")

"""End to end: the briefing rendered from the shipped data and from a second dataset.

The second dataset (tests/fixtures/other_dataset) follows the schema but shares nothing
with the article: its briefing must speak of its own data and of nothing of the article's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pdftools
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
def other_html(other_report) -> str:
    """The other dataset's briefing, rendered once per session (conftest)."""
    return other_report["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped(default_report):
    """The default briefing, rendered once per session (conftest)."""
    return default_report["html"].read_text(encoding="utf-8"), default_report["pdf"]


def _before_dictionary(html: str) -> str:
    """The briefing up to the data dictionary appendix, whose schema descriptions document
    the schema's own allowed values (its topics and examples come from the first article)."""
    at = html.find('id="data-dictionary"')
    assert at > 0, "the briefing ends with the data dictionary"
    return html[:at]


def test_other_dataset_briefing_speaks_of_its_own_data(other_html):
    page = parse(other_html)
    text = " ".join(" ".join(page.text).split())
    for words in ("Japan and Germany pledge flood relief for Mozambique", "SADC", "COMESA",
                  "EAC", "Klaus Berger", "Yoko Tanaka", "$45m", "€10m–€100m", "Eswatini",
                  "Fixture Gazette", "border with Mozambique"):
        assert words in text, words
    # a majority is not "only", and the subject country the figure shows is said to be
    # left out of the count
    assert ("Six of the nine states shown other than Mozambique share an internationally "
            "recognised land border with it") in text
    assert "Only six" not in text
    assert "no analyst judgements" in text  # the fixture has no judgements.csv
    assert "Tanaka said every member of the two communities is a neighbour of Mozambique" \
        in text and "Contradicted" in text


def test_other_dataset_briefing_says_nothing_of_the_article(other_html):
    head = _before_dictionary(other_html)
    text = " ".join(parse(head).text) + " " + " ".join(parse(head).alts)
    for word in ARTICLE_WORDS:
        assert not re.search(rf"(?<![\w$]){re.escape(word)}(?!\w)", text), word
    assert "C50" not in text and "S78" not in text  # ids only the article's data has


def test_figures_are_numbered_with_alt_text_and_no_notebook_noise(other_html):
    page = parse(other_html)
    assert page.figures == [f"fig-{i}" for i in range(1, len(page.figures) + 1)]
    assert len(page.figures) == 3  # membership grid, money, claims
    assert all(len(alt) > 40 for alt in page.alts)
    text = " ".join(page.text)
    for n in range(1, 4):
        mention = re.search(rf"Figure {n}\b(?!\.)", text)
        assert mention, f"Figure {n} is referred to from the text"
        assert mention.start() < text.index(f"Figure {n}.")  # before the figure itself
    for noise in ("Out[", "In [", "Traceback", "UserWarning", "FutureWarning", "dtype:", "NaN",
                  "<NA>", "DataFrame"):
        assert noise not in text, noise


def test_shipped_briefing_html_has_every_section_and_the_judgements(shipped):
    html, _ = shipped
    text = " ".join(" ".join(parse(html).text).split())
    for heading in ("Key judgements", "Membership and geography", "Money, like for like",
                    "Positions side by side", "The article against the sources", "Annex",
                    "Basis of the judgements", "Claims register", "Sources", "Method",
                    "Reproducibility", "Data dictionary"):
        assert heading in text, heading
    assert "Bottom line." in text and "J07" in text and "Likely (55–80%)" in text
    assert ("Of the ten states counted as members of the SCO or the CSTO on 17 Sep 2021, as "
            "the article lists them, only four share an internationally recognised land "
            "border with Afghanistan") in text
    assert "For scale, China’s $31m equals 5.1% of the $606m appeal" in text
    assert 'href="#C49"' in html and 'id="C49"' in html and 'id="J03"' in html
    assert "Vladimir Putin" in text and "Xi Jinping" in text
    assert "Parameters" not in text.split("Key judgements")[0]  # no parameter dump on the cover
    assert str(paths.ROOT) not in html


def test_evidence_against_a_judgement_follows_its_basis_in_the_annex(shipped):
    """The analyst's evidence against a judgement (judgements.csv 'against') is its own
    paragraph under the basis, its ids links, each point said once."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(shipped[0], "html.parser")
    against = {}
    for p in soup.select("p.basis.against"):
        basis = p.find_previous_sibling("p", class_="basis")
        against[basis["id"].removeprefix("basis-")] = p
    assert set(against) == {f"J0{i}" for i in range(1, 8)}
    j04 = against["J04"]
    assert j04.get_text(" ", strip=True).startswith(
        "Evidence against. Not every neighbour wants an alliance with Moscow")
    assert [a["href"] for a in j04.select("a.ref")] == ["#S39", "#C43"]
    j02 = soup.select_one("#basis-J02").get_text()
    assert "align their positions" not in j02 and "align their positions" in \
        against["J02"].get_text()  # said once, where it weighs: against
    method = soup.select_one("#method").find_parent("div", class_="cell").find_next_sibling()
    assert "Where the data holds evidence against a judgement, the annex gives it" in \
        method.get_text(" ")


def test_shipped_briefing_pdf_text(shipped):
    _, pdf = shipped
    text = pdftools.text(pdf)
    for state in ("Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"):
        assert state in text
    assert "Bottom line" in text and "$31m" in text


def test_shipped_positions_show_a_joint_statement_once_across_both_columns(shipped):
    """C01 and C04, attributed to Xi and Putin together, are shown once, in a row that
    spans both speakers' columns, and the sentence counts them apart (HTML and PDF)."""
    html, pdf = shipped
    table = re.search(r'<table[^>]*class="data positions\b.*?</table>', html, re.S).group(0)
    for claim in ("C01", "C04"):
        assert table.count(f'href="#{claim}"') == 1, claim
    assert table.count('colspan="2"') == 1 and "Both together" in table
    text = " ".join(" ".join(parse(html).text).split())
    assert ("Vladimir Putin sets out 13 positions and Xi Jinping three, with two more set "
            "out together. They overlap only on security co-operation;") in text
    pdf_text = " ".join(pdftools.page_texts(pdf))
    start = pdf_text.index("Table 1. Positions side by side")
    shown = pdf_text[start:pdf_text.index("The article against the sources", start)]
    assert "Both together" in shown
    assert shown.count("pledged on Friday to join forces") == 1
    assert shown.count("share intelligence and hold regular talks") == 1


def test_shipped_figures_say_what_their_markers_and_bars_count(shipped):
    """The membership grid's caption names the one status shown and its light dot; the
    claims chart's title states a finding."""
    html, _ = shipped
    text = " ".join(" ".join(parse(html).text).split())
    assert "a dot marks a member (a small grey ring: not a member)" in text
    assert "marker shapes and colours" not in text
    alts = " ".join(parse(html).alts)
    assert "Bar chart of claims per speaker" in alts
    for words in ("Four of the ten states border Afghanistan; of them, only Tajikistan is a "
                  "member of both",
                  "The narration states 22 of the 50 claims; Vladimir Putin leads the "
                  "speakers with 16"):
        assert words in _svg_texts(html), words


def _svg_texts(html: str) -> str:
    """The text of the charts (inline SVG images, base64 data URLs), whitespace collapsed."""
    import base64

    texts = []
    for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        svg = base64.b64decode(data).decode("utf-8")
        texts.extend(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg))
    return " ".join(" ".join(texts).split())


def test_as_of_view_shows_later_members_and_flags_frozen_participation(tmp_path_factory):
    out = _render(tmp_path_factory, "later", paths.BRIEFING_NOTEBOOK,
                  {"as_of": "2024-12-31", "focus_country": "Armenia", "max_table_rows": 10,
                   "statuses": ["member", "acceding"]})
    text = " ".join(" ".join(parse((out / "later.html").read_text(encoding="utf-8")).text)
                    .split())
    assert "Belarus became a member of the SCO" in text
    # every status Iran held that day, not only those counted (review 12)
    assert "Iran became a member of the SCO (an acceding state and an observer on the " \
           "article’s date)" in text
    assert "Armenia froze its participation in the CSTO, while formally still a member" in text
    assert "Armenia, the focus of this briefing, is a member of the CSTO with its " \
           "participation frozen but has no border with Afghanistan" in text
    assert "on 31 Dec 2024 (reference timeline)" in text
    # max_table_rows caps the register, but never leaves out a claim the briefing cites
    html = (out / "later.html").read_text(encoding="utf-8")
    cited = set(re.findall(r'href="#(C\d+)"', html))
    assert cited and all(f'<tr id="{c}"' in html for c in cited)


def test_country_profile_of_a_state(tmp_path_factory):
    out = _render(tmp_path_factory, "profile", paths.PROFILE_NOTEBOOK,
                  {"country": "ARM", "as_of": "2024-12-31"})
    page = parse((out / "profile.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    assert "Country profile" in text and "Armenia" in text
    assert "Armenia has no land border with Afghanistan" in text
    assert "participation frozen" in text.lower()
    assert "C36" in text  # the claim naming Armenia
    assert "No money figure" in text
    assert re.search(r"The article names Armenia in one of its 50 claims", text)
    assert page.figures == ["fig-1"] and page.alts[0].startswith("Timeline of Armenia")


@pytest.mark.parametrize("name", ["default", "other", "profile"])
def test_every_evidence_id_in_the_text_links_to_its_row(rendered, name):
    """An evidence id a reader meets in the text (a curator's note, a money figure's
    description, the checks' prose) is a link to its row, which the page has. Not linked:
    the id that labels its own row, judgement or list item, and the data dictionary's
    example of the format."""
    from bs4 import BeautifulSoup

    from briefing.schema import EVIDENCE_ID

    html = rendered(name)["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    anchors = {str(t["id"]) for t in soup.find_all(id=True)}
    links = [a["href"][1:] for a in soup.select('a[href^="#"]')]
    assert links and set(links) <= anchors, sorted(set(links) - anchors)
    bare = []
    for text in soup.find_all(string=EVIDENCE_ID):
        if text.find_parent(["a", "style", "script", "title", "svg", "head"]):
            continue
        if text.find_parent(class_="dictionary"):
            continue
        own = {str(p["id"]).rsplit("-", 1)[-1] for p in text.parents if p.get("id")}
        bare.extend(i for i in EVIDENCE_ID.findall(str(text)) if i not in own)
    assert not bare, bare

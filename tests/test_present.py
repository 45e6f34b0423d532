"""HTML fragments: everything from the data escaped, numbered, capped with a note."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from briefing import analysis as A
from briefing import paths, present
from briefing.load import load
from briefing.params import check
from briefing.schema import TABLES, C

EVIL = ['<script>alert("x")</script>', '<img src=x onerror="alert(1)">']


class Tags(HTMLParser):
    """Every start tag and its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(markup: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(markup)
    return parser.tags


def assert_inert(markup: str) -> None:
    names = [t for t, _ in tags(markup)]
    assert "script" not in names
    for tag, attrs in tags(markup):
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/svg+xml;base64,")


def test_table_escapes_every_cell_and_caption():
    doc = present.Report()
    frame = pd.DataFrame({"a": EVIL, "b": ["x & y", "<b>bold</b>"]})
    html = doc.table("t", frame, {"a": "A <col>", "b": "B"}, "Caption <script>")
    assert_inert(html)
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "x &amp; y" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<table class="data" id="table-1"><caption><strong>Table 1.</strong>' in html


def test_table_cap_adds_a_note_of_what_was_left_out():
    doc = present.Report(max_rows=3)
    frame = pd.DataFrame({"id": [f"C{i:02d}" for i in range(1, 11)], "v": range(10)})
    html = doc.table("t", frame, {"id": "ID", "v": "V"}, "Ten rows", id_column="id",
                     what="claims")
    assert html.count("<tr>") == 1 + 3  # header and three rows
    assert "Showing 3 of 10 claims; 7 left out (C04 to C10) by max_table_rows = 3" in html
    short = present.Report(max_rows=30).table("u", frame, {"id": "ID"}, "All shown")
    assert "left out" not in short


def test_table_highlights_the_focus_row():
    doc = present.Report()
    frame = pd.DataFrame({C.COUNTRY: ["Norway", "Spain"], C.COUNTRY_CODE: ["NOR", "ESP"]})
    html = doc.table("t", frame, {C.COUNTRY: "State"}, "States", focus="ESP")
    assert '<tr class="focus"><td class=""><strong>Spain</strong></td></tr>' in html
    assert html.count('class="focus"') == 1


def test_figure_is_numbered_with_alt_text_and_escaped_caption():
    doc = present.Report()
    assert doc.ref("b") == "Figure 1"  # reserved by the text before the figure
    svg = '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    first = doc.figure("a", svg, EVIL[1], "Caption " + EVIL[0])
    second = doc.figure("b", svg, "alt", "cap")
    assert first.startswith('<figure id="fig-2" class="figure">')
    assert second.startswith('<figure id="fig-1" class="figure">')
    assert "<strong>Figure 2.</strong> Caption &lt;script&gt;" in first
    assert_inert(first)
    (img,) = [a for t, a in tags(first) if t == "img"]
    assert img["alt"] == EVIL[1]  # the parser unescapes: the text survives, as text
    data = img["src"].split(",", 1)[1]
    assert base64.b64decode(data).decode() == svg


def test_judgements_and_paragraphs_escape_and_cite():
    doc = present.Report()
    html = present.judgement_list([A.Judgement(EVIL[0], ("C02", "S01")),
                                   A.Judgement("plain", ())], doc)
    assert_inert(html)
    assert '<span class="refs">[C02, S01]</span>' in html
    assert doc.cited == {"C02", "S01"}
    assert present.paragraph(EVIL[1], ["C1"]).startswith("<p>&lt;img")


def test_stance_cell_is_capped_with_a_note():
    entries = tuple((f"C{i:02d}", "position", f"statement {i}") for i in range(1, 8))
    cell = present._stance_cell(entries, limit=3)
    assert cell.count('<p class="stance">') == 3
    assert "statement 3" in cell and "statement 4" not in cell
    assert "and 4 more" in cell
    assert present._stance_cell(entries, limit=7).count("more") == 0


def test_stance_and_source_cells_escape():
    cell = present._stance_cell((("C01", "pledge", EVIL[0]),), limit=5)
    assert_inert(cell)
    assert "&lt;script&gt;" in cell and "[C01, pledge]" in cell
    src = present._source_cell("S01", "<b>P</b>", EVIL[1], 'https://e.org/"onmouseover=x')
    assert_inert(src)
    (a,) = [attrs for t, attrs in tags(src) if t == "a"]
    assert a["href"] == 'https://e.org/"onmouseover=x'  # one attribute, quoted
    assert present._source_cell("S02", "P", "T", "javascript:alert(1)").count("<a") == 0


def test_data_dictionary_lists_every_column_of_the_schema():
    html = present.markup(present.data_dictionary())
    for table in TABLES.values():
        assert f"<code>{table.path}</code>" in html
        for field in table.fields:
            assert f"<code>{field.name}</code>" in html


@pytest.fixture(scope="module")
def other():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    params = check("briefing", {"data_dir": str(paths.FIXTURES_DIR / "other_dataset"),
                                "as_of": "2025-12-31", "focus_country": "Somalia"})
    view = A.build_view(ds.tables, ds.meta, params.organisations, params.statuses,
                        params.as_of, params.focus_country)
    return ds, params, view


def test_reproducibility_block_has_no_clock_time_and_no_absolute_path(other):
    ds, params, _ = other
    html = present.markup(present.reproducibility(params, ds.checksums))
    assert "python -m briefing render -p data_dir tests/fixtures/other_dataset" in html
    assert "-p as_of 2025-12-31 -p focus_country SOM" in html
    assert str(paths.ROOT) not in html
    for name, digest in ds.checksums.items():
        assert name in html and digest in html
    assert not re.search(r"\d\d:\d\d:\d\d", html)
    assert "pandas" in html and "matplotlib" in html


def test_title_block_and_sections_speak_of_the_data(other):
    ds, params, v = other
    doc = present.Report(max_rows=5)
    title = present.markup(present.title_block(v, params, params.title, "Desk"))
    assert ds.meta["title"] in title and "2025-12-31" in title
    assert "reference membership timeline" in title and "Somalia" in title
    parts = [present.key_judgements(doc, v), present.membership_overview(doc, v),
             present.membership_table(doc, v), present.money_section(doc, v),
             present.claims_section(doc, v), present.positions_section(doc, v),
             present.qualifications_section(doc, v), present.sources_table(doc, ds.sources)]
    html = "\n".join(present.markup(p) for p in parts)
    assert_inert(html)
    numbers = [int(n) for n in re.findall(r'<figure id="fig-(\d+)"', html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 4
    for n in numbers:
        assert f"Figure {n}" in html.split(f'<figure id="fig-{n}"')[0]  # referred to first
    assert "Somalia is now a member of the EAC" in html  # as_of 2025-12-31: joined
    assert "Showing 5 of 16 claims; 11 left out (C06 to C16)" in html
    assert "Klaus Berger" in html and "Yoko Tanaka" in html


def test_every_country_profile_section_builds_for_every_state():
    ds = load(paths.DATA_DIR)
    names = ds.country_names
    for code, name in names.items():
        v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, code)
        doc = present.Report(max_rows=30)
        parts = [present.profile_summary(doc, v, ds.tables, code, name),
                 present.profile_timeline(doc, v, ds.tables, code, name),
                 present.profile_border(v, code, name),
                 present.profile_claims(doc, v, code, name),
                 present.profile_money(doc, v, code, name),
                 present.sources_list(doc, ds.sources)]
        html = "\n".join(present.markup(p) for p in parts)
        assert_inert(html)
        assert name in html
        if code == v.subject:
            assert "is the country the article is about" in html

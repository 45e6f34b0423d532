"""The toolkit of the notebooks: sections from templates, numbered figures and tables,
evidence links; everything from the data escaped."""

from __future__ import annotations

import base64
import html as html_lib
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
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120pt" height="60pt"></svg>'


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


def render(source: str, doc: present.Report | None = None, **context) -> str:
    """A snippet of template text rendered the way a section is, with the macros."""
    doc = doc or present.Report()
    env = present.environment()
    template = env.from_string('{% import "_macros.html.j2" as m with context %}' + source)
    return template.render(doc=doc, f=None, v=None, **context)


def test_the_environment_escapes_and_fails_on_an_unknown_name():
    assert present.environment().autoescape
    assert "&lt;script&gt;" in render("{{ x }}", x=EVIL[0])
    with pytest.raises(Exception, match="undefined"):
        render("{{ nothing_by_that_name }}")


def test_table_escapes_every_cell_and_keeps_its_caption_outside_the_scroll_box():
    frame = pd.DataFrame({"a": EVIL, "b": ["x & y", "<b>bold</b>"]})
    html = render('{% call m.table("t", frame, [("a", "A <col>", "text"), ("b", "B", "text")])'
                  ' %}Caption {{ evil }}{% endcall %}', frame=frame, evil=EVIL[0])
    assert_inert(html)
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "x &amp; y" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    caption = html.index('<p class="table-caption" id="table-1-caption"><strong>Table 1.')
    assert caption < html.index('<div class="table-scroll"') < html.index("<table")


def test_table_cap_keeps_the_cited_rows_and_says_what_was_left_out():
    doc = present.Report(max_rows=3)
    frame = pd.DataFrame({"id": [f"C{i:02d}" for i in range(1, 11)], "v": range(10)})
    html = render('{% call m.table("t", frame, [("id", "ID", "id"), ("v", "V", "text")],'
                  ' what="claims", anchor="id", keep=["C09"]) %}Ten{% endcall %}',
                  doc=doc, frame=frame)
    assert html.count("<tr") == 1 + 4  # header, three rows and the cited one
    assert 'id="C09"' in html and 'id="C04"' not in html
    assert ("Showing 4 of 10 claims; 6 left out (C04, C05, C06, C07, C08 and C10) by "
            "max_table_rows = 3") in html


def test_table_highlights_the_focus_row():
    frame = pd.DataFrame({C.COUNTRY: ["Norway", "Spain"], C.COUNTRY_CODE: ["NOR", "ESP"]})
    html = render('{% call m.table("t", frame, [("country", "State", "name")], focus="ESP") %}'
                  'States{% endcall %}', frame=frame)
    assert ('<tr class="focus"><td class="name" data-label="State"><strong>Spain</strong>'
            '</td></tr>') in html
    assert html.count('class="focus"') == 1


def test_figures_are_numbered_in_the_order_they_are_referred_to():
    doc = present.Report()
    html = render('{{ m.figure_ref("b") }}{% call m.figure("a", svg, alt) %}Caption {{ evil }}'
                  '{% endcall %}{% call m.figure("b", svg, "alt") %}cap{% endcall %}', doc=doc,
                  svg=SVG, alt=EVIL[1], evil=EVIL[0])
    assert '<a class="xref" href="#fig-1">Figure 1</a>' in html
    assert html.index('<figure class="figure" id="fig-2">') < html.index('id="fig-1"')
    assert "<strong>Figure 2.</strong> Caption &lt;script&gt;" in html
    assert_inert(html)
    img = next(a for t, a in tags(html) if t == "img")
    assert img["alt"] == EVIL[1]  # the parser unescapes: the text survives, as text
    assert base64.b64decode(img["src"].split(",", 1)[1]).decode() == SVG


def test_a_chart_keeps_its_smallest_text_readable_on_a_phone():
    from briefing import charts

    svg = present.Report.svg(charts.claims_chart(A.claims_by_speaker(load().claims),
                                                  load().claims, title="t"))
    smallest_px = charts.SMALLEST_PT * 96 / 72
    assert svg.min_width * smallest_px / svg.width >= present.MIN_CHART_TEXT_PX - 0.05


def test_evidence_ids_become_links_and_are_remembered():
    doc = present.Report()
    html = render("{{ m.cite(['S01', 'C02', 'C02', '']) }} {{ m.linked(text) }}", doc=doc,
                  text="as the sources say (S16, C03) <b>")
    assert '<a class="ref" href="#C02">C02</a>, <a class="ref" href="#S01">S01</a>' in html
    assert '<a class="ref" href="#S16">S16</a>' in html and "&lt;b&gt;" in html
    assert doc.cited == {"C02", "C03", "S01", "S16"}


def test_the_data_dictionary_lists_every_column_of_the_schema():
    html = present.markup(present.Report().section("dictionary"))
    for table in TABLES.values():
        assert f"<code>{table.path}</code>" in html
        for field in table.fields:
            assert f"<code>{field.name}</code>" in html


@pytest.fixture(scope="module")
def other():
    data_dir = paths.FIXTURES_DIR / "other_dataset"
    ds = load(data_dir)
    params = check("briefing", {"data_dir": str(data_dir), "as_of": "2025-12-31",
                                "focus_country": "Somalia"})
    view = A.build_view(ds.tables, ds.meta, params.organisations, params.statuses,
                        params.as_of, params.focus_country, ds.article)
    return ds, params, view


def test_reproducibility_block_has_no_clock_time_and_no_absolute_path(other):
    ds, params, view = other
    doc = present.Report(view)
    html = present.markup(doc.section("reproducibility",
                                      **present.build_info(params, ds.checksums)))
    assert "python -m briefing render -p data_dir tests/fixtures/other_dataset" in html
    assert "-p as_of 2025-12-31 -p focus_country SOM" in html
    assert str(paths.ROOT) not in html
    for name, digest in ds.checksums.items():
        assert name in html and digest in html
    assert not re.search(r"\d\d:\d\d:\d\d", html)
    assert "pandas" in html and "matplotlib" in html


def test_every_section_of_the_second_dataset_speaks_of_its_data(other):
    ds, params, v = other
    doc = present.Report(v, max_rows=5)
    parts = [doc.section("cover", v, title="", author="Desk", series="Series"),
             doc.section("key_judgements", A.judgement_facts(v)),
             doc.section("membership", A.membership_facts(v)),
             doc.section("money", A.money_facts(v)),
             doc.section("positions", A.positions_facts(v)),
             doc.section("checks", A.checks_facts(v)),
             doc.section("claims_register", A.claims_facts(v)),
             doc.section("sources", ds.sources)]
    html = "\n".join(present.markup(p) for p in parts)
    assert_inert(html)
    assert ds.meta["title"] in html and "Desk" in html
    numbers = [int(n) for n in re.findall(r'<figure class="figure[^"]*" id="fig-(\d+)"', html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 3
    assert "Somalia became a member of the EAC" in html  # as_of 2025-12-31, after the article
    assert "Klaus Berger" in html and "Yoko Tanaka" in html


def test_every_country_profile_section_builds_for_every_state():
    ds = load(paths.DATA_DIR)
    for code, name in ds.country_names.items():
        v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, code, ds.article)
        profile = A.profile_facts(v, code)
        doc = present.Report(v, max_rows=30)
        parts = [doc.section(s, profile) for s in ("profile_cover", "profile_summary",
                                                   "profile_timeline", "profile_claims",
                                                   "profile_money")]
        parts.append(doc.section("sources_list", ds.sources))
        html = "\n".join(present.markup(p) for p in parts)
        assert_inert(html)
        assert name in html
        targets = set(re.findall(r'\bid="([^"]+)"', html))
        for link in set(re.findall(r'href="#([^"]+)"', html)):
            assert link in targets, (code, link)
        if code == v.subject:
            assert "is the country the article is about" in html
        summary = " ".join(present.markup(parts[1]).split())
        # a range never runs from an amount to itself, and no count reads "no in"
        assert not re.search(r"from (?:about )?(\S+) to (?:about )?\1[,;. ]", summary), code
        assert " no in the article" not in summary, code
        plain = html_lib.unescape(re.sub(r"<[^>]+>", "", summary))
        expected = {
            # one pledge reported twice is not two sums
            "CHN": ["two accounts of the figure in claim C49, one from the article and one from "
                    "the reference sources, each about $31m"],
            "USA": ["(none in the article)"],
            # a disputed figure is never the end of a range; a part never beside its total
            "AFG": ["$7.12bn, plus one disputed ($85bn)",
                    "from $9bn to nearly $9.5bn, plus one part of a total"],
            # the qualification is said, not only flagged
            "EGY": ["The sources qualify what the article says of this: dialogue-partner "
                    "status for Egypt, Qatar and Saudi Arabia was granted at the Dushanbe "
                    "summit"],
            "ARM": ["with its participation frozen (since 22 Feb 2024 or earlier)"],
            "PAK": ["have not accepted this border, the Durand Line, which Pakistan inherited in "
                    "1947"],
            "LAO": ["The article does not name Laos in any of its 50 claims",
                    "a partner of the SCO (which it became that day)"],
        }
        for words in expected.get(code, []):
            assert words in plain, (code, words, plain)
        assert "the latest date in the data, it is" not in plain, code  # tense: "was"


def test_the_draw_ahead_fork_is_gone():
    """No process is forked to draw figures (issue 14): the module has no such machinery."""
    source = (paths.PACKAGE_DIR / "present.py").read_text(encoding="utf-8")
    for word in ("fork", "multiprocessing", "draw_ahead", "_DrawAhead"):
        assert word not in source


def test_metadata_names_the_outlet_and_date_only_where_the_data_gives_them():
    """An undated article (the second dataset) is described without an empty ", )"."""
    described = {}
    for name, data_dir in (("shipped", None), ("other", paths.FIXTURES_DIR / "other_dataset")):
        ds = load(data_dir) if data_dir else load()
        v = A.build_view(ds.tables, ds.meta, article=ds.article)
        bundle = present.document_metadata(v, "T")
        described[name] = next(iter(bundle.values()))["description"]
    assert "(Financial Times, 17 Sep 2021)" in described["shipped"]
    assert "(Fixture Gazette)" in described["other"]
    assert ", )" not in described["other"] and "()" not in described["other"]

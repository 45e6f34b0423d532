"""Country profiles as pages: no section that only repeats the summary, a status that may
wrap in a table, a running header on every page after the first, every source the page
shows listed, and PDF metadata that describes a profile."""

from __future__ import annotations

import functools
import json

import pdftools
import pytest
from bs4 import BeautifulSoup

from briefing import analysis, columns, html, paths, present
from briefing.document import DocumentInfo
from briefing.load import load
from briefing.pdf import export_pdf


@functools.lru_cache(maxsize=1)
def _dataset():
    return load(paths.DATA_DIR)


def _profile(code: str):
    ds = _dataset()
    view = analysis.build_view(ds.tables, ds.meta, None, analysis.ALL_STATUSES, None, code,
                               ds.article)
    return ds, view, analysis.profile_facts(view, code)


def _notebook_outputs(country: str) -> list:
    """What the profile notebook's code cells display for ``country``, in order: its cells
    run here, in this process (no kernel), with ``display`` recording instead of showing."""
    nb = json.loads(paths.PROFILE_NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    shown: list = []
    namespace = {"data_dir": str(paths.DATA_DIR), "country": country, "as_of": "",
                 "max_table_rows": 30, "author": "Desk", "series": "Series"}
    for i, cell in enumerate(code[1:]):
        exec(compile("".join(cell["source"]), f"cell {i + 1}", "exec"), namespace)
        namespace["display"] = lambda *objs, raw=False: shown.extend(objs)
    return shown


def _markup(obj) -> str:
    return obj if isinstance(obj, str) else getattr(obj, "data", None) or str(obj)


# ---------------------------------------------------------------------------------------
# Sections with nothing to show are left out, heading and all
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "headings"), [
    # named in no claim, no money; J07's evidence against names it
    ("LAO", ["### Memberships over time", "### Judgements that name it"]),
    ("BEL", ["### Claims that name it"]),  # no status in the reference timeline
    # the subject: every judgement is about it, and its profile lists none
    ("AFG", ["### Memberships over time", "### Claims that name it",
             "### Money involving it"]),
])
def test_a_profile_shows_only_the_sections_with_something_in_them(code, headings):
    shown = _notebook_outputs(code)
    assert [o.data for o in shown if type(o).__name__ == "Markdown"] == headings
    page = " ".join(" ".join(_markup(o).split()) for o in shown if not isinstance(o, dict))
    if code == "LAO":  # the summary says it once; no section says it again
        assert "No claim of the article names" not in page
        assert page.count("No money figure, in the article or the reference sources") == 1
    if code == "BEL":
        assert "The reference timeline has no status" not in page


# ---------------------------------------------------------------------------------------
# A status wraps in a narrow column (print)
# ---------------------------------------------------------------------------------------

TIMELINE = """<table class="data timeline"><thead><tr><th class="id">Organisation</th>
<th class="status">Status</th><th class="date">From</th><th class="date">To</th>
<th class="text">What happened</th><th class="refs">Source</th></tr></thead><tbody>
<tr><td class="id">CSTO</td><td class="status">Member (participation frozen)</td>
<td class="date">22 Feb 2024</td><td class="date">—</td><td class="text">Pashinyan told France
24 that Armenia had 'basically frozen' its participation (interview aired 22 Feb 2024); the
Kremlin said Armenia had taken no official action, so it is formally still a member</td>
<td class="refs">[S44]</td></tr>
<tr><td class="id">SCO</td><td class="status">Dialogue partner</td><td class="date">17 Sep
2021</td><td class="date">1 Sep 2025</td><td class="text">Dialogue partner as listed at the
Dushanbe summit of 17 Sep 2021; the category was merged into 'partner' at the Tianjin
summit</td><td class="refs">[S80]</td></tr></tbody></table>"""


def _widths(table_html: str) -> list[int]:
    soup = BeautifulSoup(table_html, "html.parser")
    columns.size_columns(soup, soup.table)
    return [int(col["class"][0][1:]) for col in soup.find_all("col")]


def test_a_long_status_wraps_instead_of_squeezing_the_text_column():
    """Armenia's 'Member (participation frozen)' took 26 % of the width on one line and
    left 'What happened' 28 %: six- and seven-line rows that pushed Table 1 to page 2."""
    organisation, status, _, _, what, _ = _widths(TIMELINE)
    assert status <= 16 and what >= 38, (status, what)


#: The page's stylesheet as the renderer gives it: the kit's, and the computed widths' rules.
CSS = (paths.TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8") \
    + columns.width_rules()


def _pdf_page(body: str, tmp_path):
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>'
            f"{CSS}</style></head><body>{body}</body></html>")
    path = tmp_path / "page.pdf"
    path.write_bytes(export_pdf(page, tmp_path))
    return path


def test_print_lets_a_status_wrap_in_its_column(tmp_path):
    soup = BeautifulSoup(TIMELINE, "html.parser")
    columns.size_columns(soup, soup.table)
    path = _pdf_page(f'<main class="briefing">{soup}</main>', tmp_path)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    text = document[0].get_textpage().get_text_range()
    document.close()
    line = next(t for t in text.splitlines() if "Member" in t)
    assert "frozen" not in line, line  # set in the column it was given, on two lines


# ---------------------------------------------------------------------------------------
# The running header names the section on every page after the first
# ---------------------------------------------------------------------------------------


def _long_document(cover_class: str) -> str:
    filler = "<p>" + "A sentence of filler text to fill the page. " * 60 + "</p>"
    return (f'<main class="briefing"><header class="{cover_class}"><h1>Laos</h1>'
            '<p class="byline">Desk</p></header><h3>Summary</h3>' + filler * 3
            + "<h3>Sources and reproducibility</h3>" + filler + "</main>")


def _finished(body: str) -> str:
    """``body`` as the renderer finishes a page (html.finish_html marks a profile's main)."""
    page = html.finish_html(f'<html><body>{body}</body></html>', DocumentInfo(title="Laos"))
    return str(BeautifulSoup(page, "html.parser").body.main)


def test_only_a_profile_main_is_marked_as_one():
    # print styles select main.profile: WeasyPrint answers main:has(header.profile) by
    # scanning the whole page once for every element the rule's last part names
    assert _finished(_long_document("title-block cover profile")).startswith(
        '<main class="briefing profile"')
    assert _finished(_long_document("title-block cover")).startswith('<main class="briefing"')
    css = (paths.TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8")
    assert "main.profile h3" in css and ":has(header.profile)" not in css


def test_a_profile_page_header_names_its_section(tmp_path):
    profile = pdftools.page_texts(_pdf_page(_finished(
        _long_document("title-block cover profile")), tmp_path))
    assert len(profile) >= 2
    assert profile[1].endswith("Laos Summary Desk Page 2 of " + str(len(profile)))
    # the briefing's h3 (a judgement's title, say) never names a page
    briefing = pdftools.page_texts(_pdf_page(_finished(_long_document("title-block cover")),
                                             tmp_path))
    assert briefing[1].endswith("Laos Desk Page 2 of " + str(len(briefing)))


def test_the_rendered_profile_has_its_running_header(profile_report):
    pages = pdftools.page_texts(profile_report["pdf"])
    assert len(pages) >= 2
    for number, page in enumerate(pages[1:], start=2):
        assert page.endswith(f"Page {number} of {len(pages)}")
        header = page.rsplit("Tajikistan ", 1)[1]
        assert header.split(" Analysis desk ")[0] in {
            "Summary", "Memberships over time", "Claims that name it", "Money involving it",
            "Sources and reproducibility"}, header


# ---------------------------------------------------------------------------------------
# Every source the page shows is listed
# ---------------------------------------------------------------------------------------


def test_a_source_named_in_a_table_cell_is_listed():
    """Afghanistan's money table shows R10, whose description ends "(S101)": S101 is a
    link, and in the sources list although no evidence column cites it."""
    ds, view, profile = _profile("AFG")
    doc = present.Report(view, max_rows=30)
    money = present.markup(doc.section("profile_money", profile))
    assert '(<a class="ref" href="#S101">S101</a>)' in money
    listed = present.markup(doc.section("sources_list", ds.sources))
    assert 'id="S101"' in listed


def test_only_the_text_a_reader_sees_counts_as_cited():
    shown = present.shown_text('<img alt="" src="data:image/svg+xml;base64,AB+S12/CD">'
                               '<a href="#S56">see</a> S34 &amp; (C78)')
    assert analysis.words.EVIDENCE_ID.findall(shown) == ["S34", "C78"]


# ---------------------------------------------------------------------------------------
# The PDF's subject describes a profile
# ---------------------------------------------------------------------------------------


def _description(code: str, **kwargs) -> dict:
    _, view, profile = _profile(code)
    return present.document_metadata(view, "t", kind="Country profile", profile=profile,
                                      **kwargs)[present.METADATA_MIMETYPE]


def test_a_profile_is_described_by_what_it_shows():
    laos = _description("LAO")
    assert "key judgements" not in laos["description"]
    assert "positions" not in laos["description"]
    assert laos["description"].startswith("Country profile of Laos, from “")
    assert "its statuses in the SCO and the CSTO over time" in laos["description"]
    assert "its border with Afghanistan" in laos["description"]
    assert "claim" not in laos["description"].split("reference sources:")[1]
    afghanistan = _description("AFG")
    assert "its border with" not in afghanistan["description"]  # the subject itself
    assert "the article's claims that name it" in afghanistan["description"]
    assert "the money figures that involve it" in afghanistan["description"]
    assert afghanistan["keywords"].count("Afghanistan") == 1


def test_the_briefing_keeps_its_description():
    ds = _dataset()
    view = analysis.build_view(ds.tables, ds.meta, None, None, None, None, ds.article)
    meta = present.document_metadata(view, "t")[present.METADATA_MIMETYPE]
    assert meta["description"].startswith("Briefing on “")
    assert meta["description"].endswith(": key judgements, membership of SCO and CSTO, "
                                        "money, positions and what the reference sources "
                                        "say.")


def test_the_notebook_describes_its_profile():
    metadata = [o for o in _notebook_outputs("LAO") if isinstance(o, dict)]
    assert metadata[0][present.METADATA_MIMETYPE]["description"].startswith(
        "Country profile of Laos")

"""Review 10 (a reader's), charts and profiles: Figure 1's source line names the layer its
statuses came from; a profile's timeline places its date labels where no line runs through
them; a profile's summary says once what did not change, carries only the qualifications
about its own state (the ``countries`` of qualifications.csv) and writes a note after a
colon in lower case; the judgements' "So what" and "Watch for" come after the judgement in
the PDF's text, side by side on the page as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import html as html_lib
import re

import matplotlib.pyplot as plt
import pdftools
import pytest
import yaml
from matplotlib.text import Text
from synthetic import problems_of, read_table, rewrite_table

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.analysis.profile import after_colon, qualifications_about
from briefing.load import load
from briefing.schema import TABLES, C, dictionary_markdown


@functools.lru_cache(maxsize=2)
def _dataset(folder: str = ""):
    return load(folder) if folder else load()


def _params(name: str) -> dict:
    given = yaml.safe_load((paths.PARAMS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return {k: given[k] for k in ("as_of", "statuses") if k in given}


def _view(folder: str = "", **given) -> A.View:
    ds = _dataset(folder)
    return A.build_view(ds.tables, ds.meta, article=ds.article, **given)


def _source_line(fig) -> str:
    lines = [t.get_text() for t in fig.findobj(Text) if t.get_text().startswith("Source:")]
    assert len(lines) == 1, lines
    return " ".join(lines[0].split())


# ---------------------------------------------------------------------------------------
# 1. Figure 1 names the layer its statuses came from
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize(("params", "said", "not_said"), [
    # the statuses are the article's; the timeline only gives sources for them (review 12)
    (None, "Source: the article (members.csv), with sources from the reference timeline "
           "(reference/membership_timeline.csv); reference/borders.csv;", "completed"),
    ("2024", "Source: the reference timeline (reference/membership_timeline.csv); "
             "reference/borders.csv;", "members.csv"),
    ("partners", "Source: the article (members.csv), completed from the reference timeline "
                 "(reference/membership_timeline.csv), marked *; reference/borders.csv;", None),
])
def test_figure_1_names_the_layer_each_status_came_from(params, said, not_said, narrow):
    """With an as-of date every status is the timeline's, with partners some are: the
    source line says so, from the layer the view records for each status."""
    v = _view(**(_params(params) if params else {}))
    layers = set(v.long["layer"])
    assert (A.REFERENCE in layers) == (params is not None)  # what the line must follow
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name, v.focus,
                                 narrow=narrow)
    line = _source_line(fig)
    plt.close(fig)
    assert said in line, line
    if not_said:
        assert not_said not in line, line


def test_figure_1_of_an_as_of_date_dates_the_timeline_when_told_and_any_data_alike():
    other = str(paths.FIXTURES_DIR / "other_dataset")
    v = _view(other, as_of="2025-12-31", statuses=["member", "acceding"])
    assert set(v.long["layer"]) == {A.REFERENCE}
    for as_of, words in ((None, "Source: the reference timeline (reference/"),
                         (v.as_of, "Source: the reference timeline on 31 Dec 2025 (")):
        fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name,
                                     as_of=as_of)
        assert _source_line(fig).startswith(words), _source_line(fig)
        plt.close(fig)
    v = _view(other)
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name)
    assert _source_line(fig).startswith("Source: the article (members.csv)")
    plt.close(fig)


@pytest.mark.slow
def test_the_rendered_2024_briefing_names_the_timeline_under_figure_1(rendered):
    text = pdftools.text(rendered("params-2024")["pdf"])
    assert "Source: the reference timeline (reference/membership_timeline.csv); " \
           "reference/borders.csv; evidence" in text
    assert "Source: the article (members.csv)" not in text


# ---------------------------------------------------------------------------------------
# 2. A timeline's date labels: no line through them, none on another
# ---------------------------------------------------------------------------------------


def _vertical_lines(ax):
    """The dated lines as display boxes (x, y from, y to), whatever draws them (axvline or
    a plotted segment): lines whose every point has the same x."""
    out = []
    for line in ax.lines:
        xy = line.get_transform().transform(line.get_xydata())
        if len(xy) >= 2 and abs(xy[:, 0].max() - xy[:, 0].min()) < 0.5 \
                and abs(xy[:, 1].max() - xy[:, 1].min()) > 1:
            out.append((float(xy[0, 0]), float(xy[:, 1].min()), float(xy[:, 1].max())))
    return out


def _label_faults(fig) -> list[str]:
    """Every date label a line runs through (more than a point inside its box: a label's own
    line may touch its edge), every two labels that overlap, every label outside the plot's
    width."""
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
    assert len(labels) >= 2, labels  # the article's date and the end of the data, at least
    plot = ax.get_window_extent(renderer)
    point = fig.dpi / 72
    faults = []
    for text, box in labels:
        if box.x0 < plot.x0 - 1 or box.x1 > plot.x1 + 1:
            faults.append(f"{text!r} runs past the plot")
        for x, low, high in _vertical_lines(ax):
            if box.x0 + point < x < box.x1 - point and low < box.y1 and high > box.y0:
                faults.append(f"a line at x={x:.0f} runs through {text!r}")
    for i, (text, box) in enumerate(labels):
        for other, second in labels[i + 1:]:
            if box.overlaps(second):
                faults.append(f"{text!r} overlaps {other!r}")
    return faults


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("as_of", [None, "2024-12-31"], ids=["article", "as-of"])
@pytest.mark.parametrize("code", ["TJK", "IRN", "EGY", "UZB", "RUS", "ARM"])
def test_no_line_runs_through_a_date_label_of_a_profile_timeline(code, as_of, narrow):
    """Tajikistan's "end of data 1 Sep 2025" was crossed by the dashed line of the article's
    date (the label's white box hid the line, which then seemed to run into it)."""
    ds = _dataset()
    v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, as_of, code, ds.article)
    f = A.profile_facts(v, code)
    fig = charts.timeline_chart(f.timeline, f.name, v.article_date, v.as_of, end=f.end,
                                title=f"{f.name}: a title", narrow=narrow)
    faults = _label_faults(fig)
    plt.close(fig)
    assert faults == []


LAST = dt.date(2025, 9, 1)
INTERVALS = [
    ("CSTO", "member", dt.date(2003, 9, 18), "exact", None, "S1"),
    ("SCO", "observer", dt.date(2015, 7, 10), "on_or_before", dt.date(2021, 9, 17), "S3"),
    ("SCO", "member", dt.date(2021, 9, 17), "exact", None, "S6"),
]


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize(("article", "as_of"), [
    (dt.date(2025, 6, 1), dt.date(2025, 8, 1)),  # three lines within three months
    (dt.date(2016, 1, 1), dt.date(2025, 8, 20)),  # the as-of label between two lines
    (LAST, None),  # the article's line on the end of the data's
    (dt.date(2014, 1, 1), dt.date(2014, 1, 1)),  # two lines on one day
    (dt.date(2004, 3, 1), dt.date(2024, 1, 1)),  # a label at the plot's left edge
])
def test_crowded_date_lines_still_leave_every_label_clear(article, as_of, narrow):
    import pandas as pd

    intervals = pd.DataFrame(INTERVALS, columns=[C.ORGANISATION, C.STATUS, C.START_DATE,
                                                 C.START_PRECISION, C.END_DATE, C.SOURCE_ID])
    fig = charts.timeline_chart(intervals, "Somewhere", article, as_of, end=LAST,
                                narrow=narrow)
    faults = _label_faults(fig)
    texts = {t.get_text().strip() for t in fig.axes[0].texts}
    plt.close(fig)
    assert faults == []
    assert f"end of data {A.day(LAST)}" in texts and f"article {A.day(article)}" in texts


# ---------------------------------------------------------------------------------------
# 3, 4. A profile's summary
# ---------------------------------------------------------------------------------------


def _summary(code: str, as_of: str | None = None) -> str:
    ds = _dataset()
    v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, as_of, code, ds.article)
    doc = present.Report(v)
    markup = present.markup(doc.section("profile_summary", A.profile_facts(v, code)))
    markup = re.sub(r"<li\b[^>]*>", "\n• ", markup)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")


def test_a_profile_says_once_what_did_not_change_to_the_end_of_the_data():
    text = _summary("TJK")
    assert ("Tajikistan has been a member of the SCO since 15 Jun 2001 [C37, S82] and of the "
            "CSTO since 18 Sep 2003 [C36, S85], unchanged from 17 Sep 2021 (the article’s "
            "date) to 1 Sep 2025, the information cut-off.") in text
    assert "On 1 Sep 2025" not in text and text.count("a member of the") == 1, text


def test_a_profile_still_says_both_days_when_something_changed():
    text = _summary("IRN")
    assert "On 17 Sep 2021 (the article’s date), Iran was acceding to the SCO" in text
    assert "On 1 Sep 2025, the information cut-off, Iran was a member of the SCO (since " \
           "4 Jul 2023)" in text
    assert "unchanged" not in text


def test_a_state_with_no_status_on_either_day_is_said_once():
    text = _summary("TKM")
    assert ("On 17 Sep 2021 (the article’s date), Turkmenistan held no status in the "
            "organisations in the data, and none to 1 Sep 2025, the information cut-off.") \
        in text
    assert "held no status in them" not in text


def test_a_profile_carries_only_the_qualifications_about_its_own_state():
    """Egypt's profile copied the notes on Qatar's and Saudi Arabia's memoranda, citing
    their sources, and not Egypt's own (S95)."""
    text = _summary("EGY")
    assert ("The sources qualify what the article says of this: dialogue-partner status for "
            "Egypt, Qatar and Saudi Arabia was granted at the Dushanbe summit") in text
    assert "Egypt signed its dialogue-partner memorandum only on 14 Sep 2022, in Tashkent " \
           "[S80, S95]." in text
    for other in ("Qatar signed", "Saudi Arabia’s cabinet", "S26", "S28"):
        assert other not in text, other
    qatar = _summary("QAT")
    assert "Qatar signed its dialogue-partner memorandum only on 14 Sep 2022" in qatar
    assert "S95" not in qatar and "S28" not in qatar and "Egypt signed" not in qatar


def test_every_profile_cites_only_qualifications_about_its_state():
    ds = _dataset()
    quals = ds.tables["qualifications"]
    for code in ds.country_names:
        v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, code, ds.article)
        about = qualifications_about(quals, code)
        for _, row in A.profile_facts(v, code).on_article_date.iterrows():
            assert set(row["flag_refs"]) <= set(about[C.SOURCE_ID]), (code, row["flag_refs"])
            for ref, note in zip(quals[C.REF_ID], quals[C.NOTE], strict=True):
                if note.rstrip(".") in row["flag_note"]:
                    assert ref in set(about[C.REF_ID]), (code, ref)


def test_a_status_begun_on_the_last_day_says_what_happened_that_day():
    text = _summary("EGY")
    assert "(from that day)" not in text
    assert ("Egypt was a partner of the SCO (which it became that day, in place of its status "
            "as a dialogue partner) [S84]") in text
    assert "a partner of the SCO (which it became that day) [S84]" in _summary("LAO")


@pytest.mark.parametrize(("note", "after"), [
    ("Dialogue-partner status was only taken up", "dialogue-partner status was only taken up"),
    ("Qatar signed its memorandum", "Qatar signed its memorandum"),
    ("The Pentagon’s figure", "the Pentagon’s figure"),
    ("SCO members", "SCO members"),
    ("Xyzzy said so", "Xyzzy said so"),  # a word the data never writes in lower case
])
def test_a_note_after_a_colon_starts_in_lower_case_unless_it_starts_with_a_name(note, after):
    common = frozenset({"dialogue-partner", "the", "status", "qatar's"})
    assert after_colon(note, common) == after


def test_the_briefing_still_shows_every_note_on_the_claim():
    """Table 2 (the checks) shows each qualification of C39, whichever state it is about."""
    checks = A.checks_facts(_view())
    row = checks.checked[checks.checked[C.CLAIM_ID] == "C39"].iloc[0]
    assert {source for _, _, source in row["notes"]} == {"S80", "S26", "S95", "S28"}


# ---------------------------------------------------------------------------------------
# 4. The column that says which state a note is about
# ---------------------------------------------------------------------------------------


def test_qualifications_say_which_states_a_note_is_about():
    field = TABLES["qualifications"].get(C.COUNTRIES)
    assert field.type == "list" and not field.required
    row = next(x for x in dictionary_markdown().splitlines()
               if x.startswith(f"| `{C.COUNTRIES}` | ISO codes of the states the note is about"))
    assert "→ `countries.csv`.country_code" in row
    quals = _dataset().tables["qualifications"].set_index(C.SOURCE_ID)
    named = {source: tuple(quals.at[source, C.COUNTRIES]) for source in ("S26", "S28", "S95")}
    assert named == {"S26": ("QAT",), "S28": ("SAU",), "S95": ("EGY",)}


def test_a_qualification_about_an_unknown_state_is_an_error(data_copy):
    header, rows = read_table(data_copy, "qualifications")
    row = next(i for i, r in enumerate(rows) if r[C.COUNTRIES])
    rows[row][C.COUNTRIES] = "QAT;XYZ"
    rows[row + 1][C.COUNTRIES] = "qat"
    rewrite_table(data_copy, "qualifications", header, rows)
    problems = [p for p in problems_of(data_copy) if p.column == C.COUNTRIES]
    assert [p.value for p in problems] == ["XYZ", "qat"], problems
    assert "countries.csv" in problems[0].message
    assert "wrong form" in problems[1].message


def test_qualifications_without_the_column_still_load(data_copy):
    header, rows = read_table(data_copy, "qualifications")
    header.remove(C.COUNTRIES)
    for r in rows:
        r.pop(C.COUNTRIES, None)
    rewrite_table(data_copy, "qualifications", header, rows)
    quals = load(data_copy).tables["qualifications"]
    assert len(qualifications_about(quals, "EGY")) == len(quals)


# ---------------------------------------------------------------------------------------
# 5. The judgements' parts in the PDF's text order, side by side on the page
# ---------------------------------------------------------------------------------------


def _first(text: str, words: str, start: int = 0) -> int:
    at = text.find(words, start)
    assert at >= 0, (words, start)
    return at


@pytest.mark.slow
def test_so_what_and_watch_for_follow_their_judgement_in_the_pdf_text(default_report):
    """They were floats, which WeasyPrint paints (and PDF text lists) before the heading
    and the judgement they belong to."""
    text = " ".join(pdftools.page_texts(default_report["pdf"])[:2])
    judgements = A.judgement_facts(_view()).judgements
    assert judgements
    at = 0
    for j in judgements:
        heading = _first(text, j["headline"], at)
        said = _first(text, " ".join(j["judgement"].split()[:4]), heading)
        so_what = _first(text, "SO WHAT.", said)
        watch = _first(text, "WATCH FOR:", so_what)
        at = _first(text, "BASIS AND EVIDENCE", watch)
        assert text.count("SO WHAT.", 0, heading) == text.count("BASIS AND EVIDENCE", 0,
                                                                  heading)


@pytest.mark.slow
def test_so_what_and_watch_for_still_stand_side_by_side(default_report):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(default_report["pdf"]))
    try:
        page = document[0]
        width = page.get_width()
        textpage = page.get_textpage()
        boxes = {}
        for words in ("SO WHAT.", "WATCH FOR:"):
            found = textpage.search(words, match_case=True).get_next()
            assert found, words
            boxes[words] = textpage.get_charbox(found[0])
        (left, _, _, top), (left_2, _, _, top_2) = boxes["SO WHAT."], boxes["WATCH FOR:"]
        assert left < width / 2 < left_2, "Watch for in the right-hand column"
        assert abs(top - top_2) < 2, "both columns start on one line"
    finally:
        document.close()

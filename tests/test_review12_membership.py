"""Membership after reviews 12 and 13: each layer credited with what it gives.

- The prose, Figure 1's caption and the annex say where the statuses shown come from: the
  article lists them all, lists some and the reference timeline completes the list, or
  lists none (review 12, item 2).
- Figure 1 marks with * a status only the reference timeline gives, as the annex does
  (item 6); the batch index marks it too, and † a status the sources qualify (item 7).
- An as-of change gives every status the state held on the article's date (item 14).
- A state the reference timeline holds no row for is never said to have left, or not yet
  to have joined: the data does not say (review 13, item 1), in the briefing, the country
  profile and the index.
- One state, or none, is counted as "a member", not "members" (review 13, item 18).
"""

from __future__ import annotations

import html as html_lib
import re
import shutil

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.charts.membership import FROM_REFERENCE, FROM_REFERENCE_WORDS
from briefing.index_page import index_facts, index_html
from briefing.load import load
from briefing.schema import C
from briefing.validate import validate

OTHER = paths.FIXTURES_DIR / "other_dataset"
PARTNERS = ["member", "acceding", "observer", "dialogue_partner"]


def _text(markup: str) -> str:
    markup = re.sub(r"<img[^>]*>", "", markup)
    markup = re.sub(r"<(p|li|tr|td|th|figcaption)\b[^>]*>", "\n", markup)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
    return " ".join(text.split())


def _view(data_dir=None, organisations=None, statuses=None, as_of=None, focus=None):
    ds = load(data_dir) if data_dir else load()
    return A.build_view(ds.tables, ds.meta, organisations, statuses, as_of, focus, ds.article)


def _written(data_dir=None, **given):
    """The view, the membership section and the annex table, as a reader reads them."""
    v = _view(data_dir, **given)
    doc = present.Report(v)
    f = A.membership_facts(v)
    return (v, _text(present.markup(doc.section("membership", f))),
            _text(present.markup(doc.section("membership_table", f))))


def _caption(section_text: str) -> str:
    return section_text[section_text.index("Figure 1. "):]


def _other_with_timeline(tmp_path, keep=lambda line: True):
    """A copy of the second dataset whose membership timeline keeps only the rows
    ``keep`` accepts (its header always)."""
    folder = tmp_path / "other"
    shutil.copytree(OTHER, folder)
    timeline = folder / "reference" / "membership_timeline.csv"
    lines = timeline.read_text(encoding="utf-8").splitlines()
    timeline.write_text("\n".join([lines[0], *[x for x in lines[1:] if keep(x)]]) + "\n",
                        encoding="utf-8")
    return folder


# -- review 12, item 2: what each layer contributes, in the prose and the caption ---------


def test_an_observer_only_briefing_says_the_article_lists_none():
    v, text, table = _written(statuses=["observer"])
    assert set(v.long["layer"]) == {A.REFERENCE}  # members.csv has no observer row
    assert "on 17 Sep 2021 (reference timeline: the article lists none), only one" in text
    assert ("The article mentions none of these statuses; the reference timeline gives "
            "Afghanistan, Belarus, Iran and Mongolia as observers of the SCO") in text
    assert "as the article lists them" not in text
    assert "does not mention every status" not in text
    caption = _caption(text)
    assert caption.startswith("Figure 1. States counted as observers on 17 Sep 2021 "
                              "(reference timeline: the article lists none), grouped")
    assert "* from the reference timeline: the article does not mention it." in caption
    assert "statuses from the reference timeline (the article lists none)." in table
    assert "as the article lists them" not in table


@pytest.mark.parametrize(("statuses", "said", "not_said"), [
    (None, "on 17 Sep 2021, as the article lists them, only four",
     "completes the list"),
    (PARTNERS, "on 17 Sep 2021, as the article lists them and the reference timeline "
               "completes the list, only five", "the article lists none"),
])
def test_the_article_is_credited_with_what_it_lists(statuses, said, not_said):
    _, text, _ = _written(statuses=statuses)
    assert said in text
    assert not_said not in text
    assert said.split(", only")[0].split("2021")[1] in _caption(text)


def test_the_added_statuses_are_marked_in_figure_1_and_the_annex_alike():
    _, text, table = _written(statuses=PARTNERS)
    assert ("The article does not mention every status held that day; the reference "
            "timeline adds Afghanistan, Belarus and Mongolia as observers") in text
    assert "Figure 1 and the annex mark these with *." in text
    assert "* from the reference timeline: the article does not mention it." in table


# -- review 12, item 6: Figure 1 marks what only the reference timeline gives -------------


def _marks(fig) -> list[str]:
    """The cell marks drawn on the grid (not the legend's glyphs)."""
    return [t.get_text() for t in fig.axes[0].texts if t.get_text() in ("*", "†")]


def _legend(fig) -> list[str]:
    return [" ".join(t.get_text().split()) for t in fig.axes[0].get_legend().get_texts()]


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize(("statuses", "as_of", "starred"), [
    (None, None, 0),
    (PARTNERS, None, 9),  # AFG, BLR, MNG; ARM, AZE, KHM, NPL, LKA, TUR
    (["observer"], None, 4),
    (PARTNERS, "2024-12-31", 0),  # every status the timeline's: nothing to tell apart
])
def test_figure_1_marks_each_status_only_the_reference_timeline_gives(statuses, as_of,
                                                                      starred, narrow):
    v = _view(statuses=statuses, as_of=as_of)
    f = A.membership_facts(v)
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name, v.focus,
                                 from_article=f.from_article, narrow=narrow)
    expected = int((v.long["layer"] == A.REFERENCE).sum()) if f.from_article else 0
    assert expected == starred
    assert _marks(fig).count(FROM_REFERENCE) == starred
    assert (FROM_REFERENCE_WORDS in _legend(fig)) == bool(starred)
    plt.close(fig)


def test_figure_1_puts_each_mark_beside_its_own_cell():
    """An asterisk sits in its state's row, right of the marker: never on the row above
    or past the next column."""
    v = _view(statuses=PARTNERS)
    for narrow in (False, True):
        fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name,
                                     from_article=True, narrow=narrow)
        fig.canvas.draw()
        ax = fig.axes[0]
        to_px = ax.transData.transform
        row_px = abs(to_px((0, 1))[1] - to_px((0, 0))[1])
        column_px = abs(to_px((1, 0))[0] - to_px((0, 0))[0])
        ys = {name: y for y, name in zip(ax.get_yticks(),
                                         [t.get_text() for t in ax.get_yticklabels()],
                                         strict=True)}
        marks = [t for t in ax.texts if t.get_text() == FROM_REFERENCE]
        assert len(marks) == 9
        for mark in marks:
            x, y = mark.xy  # the cell it belongs to
            px, py = mark.get_window_extent().x0, mark.get_window_extent().y0
            cx, cy = to_px((x, y))
            assert cx < px < cx + column_px / 2
            assert abs((py + mark.get_window_extent().y1) / 2 - cy) < row_px / 2
        assert set(ys)  # rows are labelled
        plt.close(fig)


def test_figure_1_source_line_names_the_timeline_where_its_sources_are_cited():
    v = _view()
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name)
    line = " ".join(next(t.get_text() for t in fig.findobj(Text)
                         if t.get_text().startswith("Source:")).split())
    plt.close(fig)
    assert line.startswith("Source: the article (members.csv), with sources from the "
                           "reference timeline (reference/membership_timeline.csv);")
    assert "S82" in line


def test_the_alt_text_says_which_statuses_are_the_timelines():
    v = _view(statuses=PARTNERS)
    markup = present.markup(present.Report(v).section("membership", A.membership_facts(v)))
    alt = html_lib.unescape(re.search(r'alt="([^"]*)"', markup).group(1))
    assert "Armenia: dialogue partner of SCO (reference timeline only)" in alt
    assert "Egypt: dialogue partner of SCO (the sources qualify it)" in alt
    assert "Kazakhstan: member of SCO, member of CSTO;" in alt


# -- review 12, item 7: the batch index marks the layers ----------------------------------


@pytest.fixture(scope="module")
def data():
    return validate(paths.DATA_DIR)


def test_the_index_marks_reference_only_and_qualified_statuses(tmp_path, data):
    facts = index_facts(data)
    assert facts.states["ARM"].from_reference == {("SCO", "dialogue_partner")}
    assert facts.states["IRN"].from_reference == {("SCO", "observer")}  # acceding: C38
    assert facts.states["EGY"].qualified == {("SCO", "dialogue_partner")}
    assert not facts.states["TJK"].from_reference and not facts.states["TJK"].qualified
    for code in ("ARM", "EGY", "IRN", "TJK"):
        (tmp_path / f"{code}.html").write_text("x", encoding="utf-8")
    page = index_html([], data, tmp_path, {}, facts)
    assert 'SCO: dialogue partner<sup class="mark" title="from the reference timeline' in page
    assert 'SCO: dialogue partner<sup class="mark" title="the reference sources qualify' \
        in page
    assert 'SCO: acceding (also observer<sup class="mark"' in page
    key = _text(re.search(r'<p class="notes">.*?</p>', page, re.S).group(0))
    assert ("; † the reference sources qualify the article’s status; * from the reference "
            "timeline: the article does not mention it.") in key


def test_an_as_of_index_has_no_marks_and_no_key(tmp_path, data):
    facts = index_facts(data, "2024-12-31")
    assert not any(s.from_reference or s.qualified for s in facts.states.values())
    (tmp_path / "ARM.html").write_text("x", encoding="utf-8")
    page = index_html([], data, tmp_path, {}, facts)
    assert 'class="mark"' not in page and "does not mention it" not in page


# -- review 12, item 14: the prior status, from every status held --------------------------


def test_an_as_of_change_gives_every_status_held_on_the_articles_date():
    v, text, _ = _written(statuses=["member", "observer", "dialogue_partner"],
                          as_of="2024-12-31")
    iran = v.changes[v.changes[C.COUNTRY_CODE] == "IRN"].iloc[0]
    assert (iran["before"], iran["after"]) == ("observer", "member")
    assert tuple(iran["before_held"]) == ("observer", "acceding")
    assert ("Iran became a member of the SCO (an observer and an acceding state on the "
            "article’s date) [S19]") in text
    assert "Belarus became a member of the SCO (an observer on the article’s date)" in text


def test_a_state_that_joined_says_what_it_held_before_when_not_counted():
    _, text, _ = _written(as_of="2024-12-31")  # members only: Iran's observer status too
    assert ("Iran became a member of the SCO (an acceding state and an observer on the "
            "article’s date)") in text


# -- review 13, item 1: a timeline without a row for a state does not say it left ---------


@pytest.mark.parametrize(("as_of", "still"), [("2025-12-31", "still"),
                                              ("1990-01-01", "already")])
def test_an_empty_timeline_never_has_the_articles_members_leave(tmp_path, as_of, still):
    folder = _other_with_timeline(tmp_path, keep=lambda line: False)
    v, text, table = _written(folder, as_of=as_of)
    assert v.changes.empty and v.long.empty
    assert "no longer counted" not in text and "not yet" not in text
    assert ("No state is counted as a member of the SADC, COMESA or the EAC on "
            f"{A.day(as_of)} (reference timeline).") in text
    assert ("The reference timeline holds no row for Eswatini, Madagascar"
            not in text)  # an applicant is not counted
    assert ("The reference timeline holds no row for Eswatini, Malawi, Mozambique, South "
            "Africa, Tanzania, Zambia and Zimbabwe in the SADC. The article counts them "
            "as members on 3 Mar 2025 [C10]; the reference data does not say whether they "
            f"{still} were on {A.day(as_of)}, so they are not counted here.") in text
    # with nothing in the timeline to compare, nothing is said to be unchanged
    assert "Nothing in the reference timeline differs" not in text
    assert "No state is counted on" in table


def test_a_partial_timeline_is_trusted_where_it_has_rows(tmp_path):
    folder = _other_with_timeline(tmp_path, keep=lambda line: not line.startswith("EAC,KEN"))
    v, text, _ = _written(folder, organisations=["EAC"], as_of="2025-12-31")
    assert list(v.undocumented[C.COUNTRY_CODE]) == ["KEN"]
    assert "Kenya" not in set(v.long[C.COUNTRY])
    assert "Kenya was no longer" not in text
    assert ("The reference timeline holds no row for Kenya in the EAC. The article counts "
            "it as a member on 3 Mar 2025 [C12]; the reference data does not say whether it "
            "still was on 31 Dec 2025, so it is not counted here.") in text
    # the timeline's own change is still said, with its source
    assert "Somalia became a member of the EAC (an acceding state on the article’s date)" \
        in text
    assert ("Nothing in the reference timeline differs" not in text)  # a change was said
    v, text, _ = _written(folder, organisations=["EAC"], as_of="1990-01-01")
    assert "Uganda was not yet a member of the EAC" in text  # the timeline dates it
    assert "Kenya was not yet" not in text and "whether it already was" in text


def test_a_complete_timeline_has_nothing_undocumented():
    for as_of in ("2024-12-31", "2001-01-01"):
        v = _view(statuses=PARTNERS, as_of=as_of)
        assert v.undocumented.empty, as_of
    assert _view().undocumented.empty  # on the article's date, nothing to say


def test_a_profile_does_not_say_an_undocumented_state_held_no_status(tmp_path):
    folder = _other_with_timeline(tmp_path, keep=lambda line: not line.startswith("EAC,KEN"))
    v = _view(folder, statuses=list(A.ALL_STATUSES), as_of="2025-12-31", focus="KEN")
    profile = A.profile_facts(v, "KEN")
    assert list(profile.undocumented[C.ORGANISATION]) == ["EAC"]
    markup = present.markup(present.Report(v).section("profile_summary", profile))
    text = _text(markup)
    assert ("The reference timeline holds no row for Kenya in the EAC (a member on the "
            "article’s date [C12]): the reference data does not say what it was there on "
            "31 Dec 2025.") in text
    assert "Kenya was a member of COMESA" in text


def test_the_index_says_the_timeline_has_no_row_for_a_state(tmp_path):
    folder = _other_with_timeline(tmp_path, keep=lambda line: not line.startswith("EAC,KEN"))
    data = validate(folder)
    facts = index_facts(data, "2025-12-31")
    assert facts.states["KEN"].unrecorded == (("EAC", "member"),)
    (tmp_path / "KEN.html").write_text("x", encoding="utf-8")
    page = _text(index_html([], data, tmp_path, {}, facts))
    assert ("EAC: not in the reference timeline (member on the article’s date)") in page


# -- review 13, item 18: one state, or none, is "a member" ---------------------------------


def test_one_state_or_none_is_counted_in_the_singular(tmp_path, monkeypatch):
    _, text, table = _written(OTHER, organisations=["EAC"], statuses=["observer"])
    assert ("No state is counted as an observer of the EAC on 3 Mar 2025, in the article "
            "or in the reference timeline.") in text
    assert "No state is counted on 3 Mar 2025, in the article or in the reference timeline." \
        in table
    folder = _other_with_timeline(tmp_path)
    v, text, _ = _written(folder, organisations=["EAC"], statuses=["acceding"])
    assert list(v.long[C.COUNTRY]) == ["Somalia"]
    assert ("The one state counted as an acceding state of the EAC on 3 Mar 2025, as the "
            "article lists it, Somalia, has no land border with Mozambique [S1].") in text
    assert "Somalia has none" not in text  # said once
    titles = []
    drawn = charts.membership_grid

    def grid(*args, **kwargs):
        titles.append(kwargs["title"])
        return drawn(*args, **kwargs)

    monkeypatch.setattr(charts, "membership_grid", grid)
    _written(folder, organisations=["EAC"], statuses=["acceding"])
    assert titles == ["The one state does not border Mozambique"]
    assert "one state counted as acceding states" not in text
    assert not re.search(r"(one state|No state is) counted as (members|observers|acceding "
                         r"states|dialogue partners)", text)

"""From review 14 (a second reading of the day's commits):

* with an as-of date, an organisation whose states the timeline is silent on (not counted)
  speaks of the "states counted", not of its "members" (3);
* only a missing dependency is reported as a missing package: a ``ModuleNotFoundError``
  of the kit's own imports keeps its traceback (7);
* one test of "article.json still has a review note", shared by ``check`` and the cover,
  which reads the details and the rows from :func:`briefing.analysis.unreviewed_rows` (8);
* the annex explains ``$OUT`` because the output folder is outside the project, never
  because a parameter's value contains the text ``"$OUT"`` (9).
"""

from __future__ import annotations

import json
import re

import pytest
from test_review11_draft import _text as _section_text
from test_review12_membership import _other_with_timeline, _written
from test_review13_engine import _meta, _rows, _write_rows

from briefing import cli, paths, present
from briefing.analysis import build_view, unreviewed_rows
from briefing.analysis.facts import Unreviewed
from briefing.load import load
from briefing.params import RENDER_OPTIONS_ENV, check
from briefing.validate import review_note, validate

# --------------------------------------------------------------------------- 3. members


def _eac_partly_silent(tmp_path, also=()):
    """The second dataset with the timeline silent on Kenya, Rwanda and Uganda in the
    EAC (and on the rows ``also`` names): on 31 Dec 2025 it counts Tanzania and Somalia."""
    gone = ("EAC,KEN", "EAC,UGA", "EAC,RWA", *also)
    return _other_with_timeline(tmp_path, keep=lambda line: not line.startswith(gone))


def test_an_organisation_the_timeline_is_partly_silent_on_has_states_counted(tmp_path):
    folder = _eac_partly_silent(tmp_path)
    v, text, _ = _written(folder, organisations=["SADC", "EAC"], as_of="2025-12-31")
    assert set(v.undocumented["organisation"]) == {"EAC"}
    # the SADC's rows are all there: its members are its members
    assert ("All of the SADC’s six members other than Mozambique border Mozambique; of the "
            "two counted in the EAC, only Tanzania.") in text
    assert "the EAC’s two" not in text  # the EAC has five in the article
    assert "The reference timeline holds no row for Kenya, Rwanda and Uganda in the EAC." \
        in text


def test_without_a_silent_timeline_an_organisations_states_are_its_members():
    v, text, _ = _written(paths.FIXTURES_DIR / "other_dataset", organisations=["SADC", "EAC"],
                          as_of="2025-12-31")
    assert v.undocumented.empty
    assert "; of the EAC’s five, only Tanzania." in text


def test_the_focus_is_not_the_only_member_of_an_organisation_partly_counted(tmp_path):
    folder = _eac_partly_silent(tmp_path)
    _, text, _ = _written(folder, organisations=["SADC", "EAC"], as_of="2025-12-31",
                          focus="TZA")
    assert ("Tanzania, the focus of this briefing, is the only state counted in the EAC that "
            "borders Mozambique (840 km)") in text
    assert "the only EAC member" not in text
    # "one of the N SADC members", where South Africa is not counted, is "states counted"
    folder = _eac_partly_silent(tmp_path / "b", also=("SADC,ZAF",))
    v, text, _ = _written(folder, organisations=["SADC"], as_of="2025-12-31", focus="MWI")
    assert "South Africa" in set(v.undocumented.explode("country")["country"])
    assert ("Malawi, the focus of this briefing, is one of the five states counted in the "
            "SADC that border Mozambique (1,498 km)") in text
    assert "SADC members" not in text
    _, text, _ = _written(paths.FIXTURES_DIR / "other_dataset", organisations=["SADC"],
                          as_of="2025-12-31", focus="MWI")  # the timeline has every row
    assert ("Malawi, the focus of this briefing, is one of the six SADC members that border "
            "Mozambique (1,498 km)") in text


# --------------------------------------------------------------------------- 7. imports


def _raising(name):
    def command(args):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return command


@pytest.mark.parametrize("name", ["papermill", "weasyprint.text.fonts", "yaml"])
def test_a_missing_dependency_is_one_error_line(monkeypatch, capsys, name):
    monkeypatch.setattr(cli, "_cmd_check", _raising(name))
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    package = cli.RENDER_MODULES[name.partition(".")[0]]
    assert err.startswith("error: this Python (") and f"lacks the package {package} " in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("name", ["briefing.analysis.renamed", "briefing", "openpyxl", None])
def test_a_missing_module_that_is_no_dependency_keeps_its_traceback(monkeypatch, capsys,
                                                                    name):
    """The kit's own import after a rename, or an optional import inside a dependency: a
    bug to see where it is, not a package to reinstall."""
    monkeypatch.setattr(cli, "_cmd_check", _raising(name))
    with pytest.raises(ModuleNotFoundError):
        cli.main(["check"])
    assert "lacks the package" not in capsys.readouterr().err


# --------------------------------------------------------------------------- 8. review


@pytest.mark.parametrize(("meta", "note"), [
    ({"review": "draft: check outlet: x"}, "draft: check outlet: x"),
    ({"review": "  look again \n"}, "look again"), ({"review": "   "}, ""), ({"review": ""}, ""),
    ({}, ""), ({"review": None}, ""), ({"review": 3}, "")])
def test_review_note_is_the_one_test_of_article_json_marked_for_review(meta, note):
    assert review_note(meta) == note


def test_unreviewed_rows_says_the_details_and_the_rows_apart(data_copy):
    def unreviewed():
        ds = load(data_copy)
        return unreviewed_rows(build_view(ds.tables, ds.meta, article=ds.article))

    assert unreviewed() == Unreviewed(details=False, rows=0) and not unreviewed()
    _meta(data_copy, review="   ")  # blank: reviewed, for check and for the cover alike
    assert not unreviewed()
    assert not any("still marked for review" in w for w in validate(data_copy).warnings)
    _meta(data_copy, review="draft: check outlet: not given (--outlet)")
    assert unreviewed() == Unreviewed(details=True, rows=0) and unreviewed()
    rows = _rows(data_copy / "claims.csv")
    for row in rows[1:4]:
        row[rows[0].index("review")] = "draft: check the speaker"
    _write_rows(data_copy / "claims.csv", rows)
    assert unreviewed() == Unreviewed(details=True, rows=3)
    _meta(data_copy, review="")
    assert unreviewed() == Unreviewed(details=False, rows=3) and unreviewed()


@pytest.mark.parametrize(("note", "marked", "words"), [
    ("draft: check outlet: x", 0, "The article’s details (article.json) are still marked"),
    ("draft: check outlet: x", 2, "The article’s details (article.json) and two rows of the "
                                  "data are still marked"),
    ("", 1, "Draft, not reviewed. One row of the data is still marked"),
    ("", 3, "Draft, not reviewed. Three rows of the data are still marked"),
    (" ", 0, None)])
def test_the_cover_reads_what_is_unreviewed_from_the_analysis(data_copy, note, marked, words):
    _meta(data_copy, review=note)
    rows = _rows(data_copy / "claims.csv")
    for row in rows[1:1 + marked]:
        row[rows[0].index("review")] = "draft: check the speaker"
    _write_rows(data_copy / "claims.csv", rows)
    text = _section_text(data_copy, "cover", title="", author="A", series="S")
    if words is None:
        assert "Draft, not reviewed" not in text
    else:
        assert words in text and text.count("Draft, not reviewed") == 1


def test_the_cover_does_not_test_article_json_itself():
    cover = (paths.PACKAGE_DIR / "templates" / "sections" / "cover.html.j2").read_text(
        encoding="utf-8")
    assert not re.search(r"""meta(\.get\(|\[)["']review""", cover)
    assert "unreviewed.details" in cover and "unreviewed.rows" in cover


# --------------------------------------------------------------------------- 9. $OUT


def _info(monkeypatch, options, params) -> dict:
    monkeypatch.setenv(RENDER_OPTIONS_ENV, json.dumps(options))
    return present.build_info(params, {})


def test_a_parameter_that_mentions_out_does_not_ask_for_the_variable(monkeypatch):
    params = check("briefing", {"title": '"$OUT" test'})
    info = _info(monkeypatch, {"out": str(paths.REPORTS_DIR / "t")}, params)
    assert '"$OUT"' in info["command"] and "--out reports/t" in info["command"]
    assert info["out_variable"] is None
    markup = present.markup(present.Report().section("reproducibility", **info))
    assert "the folder this report was written to" not in markup


def test_output_options_says_whether_it_wrote_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(RENDER_OPTIONS_ENV, json.dumps({"out": str(tmp_path / "x"),
                                                       "formats": "html"}))
    assert present.output_options() == (['--out "$OUT"', "--format html"], True)
    params = check("briefing", {"title": "T"})
    assert _info(monkeypatch, {"out": str(tmp_path / "x")}, params)["out_variable"] == "OUT"
    monkeypatch.setenv(RENDER_OPTIONS_ENV, json.dumps({"out": str(paths.REPORTS_DIR / "y")}))
    assert present.output_options() == (["--out reports/y"], False)
    monkeypatch.delenv(RENDER_OPTIONS_ENV)
    assert present.output_options() == ([], False)


# ------------------------------------------------- a profile's judgements (review 12, 16)

def test_a_profile_lists_the_judgements_that_name_its_state_or_rest_on_its_claims():
    """Tajikistan's profile carries J03 and J04 (they name it and cite claims naming it);
    the judgements' cross-references, which the profile cannot link, are left out."""
    from briefing import analysis as A
    from briefing.load import load

    ds = load(paths.DATA_DIR)
    v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, "TJK", ds.article)
    found = A.profile_facts(v, "TJK").judgements
    # not the bottom line: neither of its paragraphs names Tajikistan
    assert [j["judgement_id"] for j in found] == ["J03", "J04"]
    j03 = next(j for j in found if j["judgement_id"] == "J03")
    assert "backed by Russia, and elsewhere" in j03["judgement"]
    assert "(J04)" not in j03["judgement"]
    assert {j["likelihood"] for j in found} == {"likely"}
    # a state no judgement names and no cited claim names: none
    assert A.profile_facts(v, "LKA").judgements == []
    assert A.profile_facts(v, "AFG").judgements == []  # the subject: all are about it


def test_judgements_naming_matches_whole_names_or_cited_claims():
    import pandas as pd

    from briefing.analysis.profile import judgements_naming

    frame = pd.DataFrame([
        {"judgement_id": "J01", "kind": "key_judgement", "headline": "Oman waits",
         "judgement": "Oman will wait (J02, J03).", "likelihood": "likely",
         "confidence": "low", "basis": "", "against": "", "implication": "",
         "claim_ids": "C09"},
        {"judgement_id": "J02", "kind": "key_judgement", "headline": "Romania",
         "judgement": "Romania gains.", "likelihood": "likely", "confidence": "low",
         "basis": "Not about Oman's neighbour Romanians", "against": "",
         "implication": "", "claim_ids": "C01"},
        {"judgement_id": "J03", "kind": "key_judgement", "headline": "Trade",
         "judgement": "Trade grows.", "likelihood": "likely", "confidence": "low",
         "basis": "", "against": "", "implication": "", "claim_ids": "C01;C07"},
    ])
    oman = judgements_naming(frame, "Oman", set())
    assert [j["judgement_id"] for j in oman] == ["J01", "J02"]  # J02's basis names Oman
    assert oman[0]["judgement"] == "Oman will wait."
    assert [j["judgement_id"] for j in judgements_naming(frame, "Roman", {"C07"})] == ["J03"]


def test_a_profile_shows_the_bottom_lines_paragraph_that_names_its_state():
    """Second reading of review 15: Qatar's profile listed the bottom line through a claim
    (C39) and printed its forecast about China and Russia, which never names Qatar. The
    bottom line is listed where a paragraph of it names the state, with that paragraph: its
    second (the implication) carries no estimate, which labels the forecast."""
    from briefing import analysis as A
    from briefing.load import load

    ds = load(paths.DATA_DIR)
    v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, "QAT", ds.article)
    bottom = A.profile_facts(v, "QAT").judgements[0]
    assert bottom["judgement_id"] == "J00" and "Qatar" in bottom["judgement"]
    assert bottom["judgement"].startswith("The article overstates the region’s cohesion")
    assert bottom["likelihood"] == "" and bottom["confidence"] == ""
    china = A.profile_facts(v, "CHN").judgements[0]  # its forecast names China
    assert china["judgement"].startswith("Through 2027 China and Russia")
    assert china["likelihood"] == "likely"
    for code in v.country_names:
        for j in A.profile_facts(v, code).judgements:
            if j["kind"] == "bottom_line":
                assert v.country_names[code] in j["judgement"], code


@pytest.mark.parametrize(("name", "texts", "others", "short"), [
    ("Vladimir Putin", ["Putin said so.", "Vladimir Putin warned."], ["Xi Jinping"], "Putin"),
    ("Xi Jinping", ["Xi said so.", "Xi Jinping said."], ["Vladimir Putin"], "Xi"),
    # second reading of review 15: a title is never the short name
    ("President Joe Biden", ["President Biden said X.", "President Xi said Y.",
                             "President Putin warned Z.", "Biden added."], ["Xi Jinping"],
     "Biden"),
    # a word another speaker's name shares (beyond the two compared) is no short name
    ("Kim Jong Un", ["Kim said so.", "Kim warned."], ["Kim Yo Jong"], "Kim Jong Un"),
    ("Angela Merkel", ["Angela Merkel said."], [], "Angela Merkel"),  # never used alone
])
def test_a_short_name_is_the_persons_first_or_last_word_never_a_title(name, texts, others,
                                                                      short):
    from briefing.analysis.words import short_name

    assert short_name(name, texts, others) == short


@pytest.mark.parametrize(("label", "whose"), [
    ("Gross reserves, per the IMF", "the IMF"), ("Equipment left, per SIGAR", "SIGAR"),
    ("Aid to Sofala, per capita", ""), ("Spending, per year", ""), ("Aid", "")])
def test_whose_figure_a_label_says_it_is_is_a_name_not_per_capita(label, whose):
    from briefing.analysis.amounts import per

    assert per(label) == whose


@pytest.mark.parametrize(("tag", "page"), [("en-GB", "en-GB"), ("en", "en"),
                                           ("EN-us", "EN-us"), ("fr", "en"), ("ru-RU", "en"),
                                           ("English", "en"), ("", "en"), (None, "en")])
def test_a_page_says_it_is_english_whatever_the_articles_language(tag, page):
    """Second reading of review 15: the page's lang followed article.json's language, so a
    French article's (English) briefing said lang="fr", and 'English' went in as it was."""
    from briefing.document import page_language

    assert page_language(tag) == page

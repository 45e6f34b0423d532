"""The analysis functions on small hand-made frames (and once on the second dataset)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from briefing import analysis as A
from briefing import paths
from briefing.analysis.claims import JOINT
from briefing.load import load
from briefing.schema import C

D = dt.date


def members(*rows):
    """(organisation, code, name, status, claim_id) tuples -> a members.csv frame."""
    return pd.DataFrame(rows, columns=[C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, C.STATUS,
                                       C.CLAIM_ID])


def timeline(*rows):
    """(org, code, name, status, start, precision, end, source) tuples."""
    frame = pd.DataFrame(rows, columns=[C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, C.STATUS,
                                        C.START_DATE, C.START_PRECISION, C.END_DATE,
                                        C.SOURCE_ID])
    frame[C.EVENT] = "event"
    frame[C.START_DATE] = pd.to_datetime(frame[C.START_DATE])
    frame[C.END_DATE] = pd.to_datetime(frame[C.END_DATE])
    return frame


def borders(subject, *rows):
    """(code, name, status, km, source) tuples about ``subject``."""
    frame = pd.DataFrame(rows, columns=[C.COUNTRY_CODE, C.COUNTRY, C.BORDER_STATUS,
                                        C.LENGTH_KM, C.SOURCE_ID])
    frame[C.NEIGHBOUR_CODE] = subject
    frame[C.NOTE] = None
    return frame


def claims(*rows, attributed=None):
    """(id, speaker, kind, type, topic, statement, countries) tuples."""
    frame = pd.DataFrame(rows, columns=[C.CLAIM_ID, C.SPEAKER, C.SPEAKER_KIND, C.CLAIM_TYPE,
                                        C.TOPIC, C.STATEMENT, C.COUNTRIES])
    frame[C.ORGANISATIONS] = [()] * len(frame)
    frame[C.EVIDENCE] = frame[C.STATEMENT]
    frame[C.IS_DIRECT_QUOTE] = False
    if attributed is not None:
        frame[C.ATTRIBUTED_TO] = attributed
    return frame


def qualifications(*rows):
    """(ref id, claim id, verdict, note, source) tuples."""
    return pd.DataFrame(rows, columns=[C.REF_ID, C.CLAIM_ID, C.VERDICT, C.NOTE, C.SOURCE_ID])


MEMBERS = members(
    ("AAA", "FRA", "France", "member", "C01"),
    ("AAA", "DEU", "Germany", "member", "C01"),
    ("AAA", "ESP", "Spain", "acceding", "C02"),
    ("BBB", "DEU", "Germany", "member", "C03"),
    ("BBB", "POL", "Poland", "member", "C03"),
    ("BBB", "ITA", "Italy", "observer", "C04"),
)

TIMELINE = timeline(
    ("AAA", "FRA", "France", "member", "2000-01-01", "exact", None, "S01"),
    ("AAA", "DEU", "Germany", "member", "2000-01-01", "exact", None, "S01"),
    ("AAA", "ESP", "Spain", "acceding", "2019-05-01", "exact", "2022-06-01", "S02"),
    ("AAA", "ESP", "Spain", "member", "2022-06-01", "exact", None, "S02"),
    ("AAA", "PRT", "Portugal", "observer", "2018-01-01", "exact", None, "S06"),
    ("BBB", "DEU", "Germany", "member", "2005-01-01", "exact", None, "S03"),
    ("BBB", "DEU", "Germany", "participation_frozen", "2023-03-01", "on_or_before", None,
     "S04"),
    ("BBB", "POL", "Poland", "member", "2005-01-01", "exact", "2021-01-01", "S03"),
    ("BBB", "ITA", "Italy", "observer", "2020-09-01", "on_or_before", None, "S05"),
)
ARTICLE_DAY = D(2020, 10, 1)


# -- membership --------------------------------------------------------------------------


def test_article_layer_counts_only_the_statuses_asked_for():
    m = A.membership(MEMBERS, TIMELINE)
    assert set(m[C.STATUS]) == {"member"}
    assert sorted(m[C.COUNTRY_CODE]) == ["DEU", "DEU", "FRA", "POL"]
    assert set(m["layer"]) == {A.ARTICLE}
    wider = A.membership(MEMBERS, TIMELINE, statuses=["member", "acceding"])
    assert ("AAA", "ESP") in set(zip(wider[C.ORGANISATION], wider[C.COUNTRY_CODE],
                                     strict=True))
    assert "ITA" not in set(wider[C.COUNTRY_CODE])


def test_the_reference_layer_completes_the_article_on_its_own_date():
    """Observers the article does not mention appear when observers count, marked as the
    reference layer's; a pair the article states keeps the article's row."""
    m = A.membership(MEMBERS, TIMELINE, statuses=["member", "observer"],
                     article_date=ARTICLE_DAY)
    portugal = m[m[C.COUNTRY_CODE] == "PRT"].iloc[0]
    assert portugal["layer"] == A.REFERENCE and portugal["evidence"] == ("S06",)
    italy = m[m[C.COUNTRY_CODE] == "ITA"].iloc[0]
    assert italy["layer"] == A.ARTICLE and italy["evidence"][0] == "C04"
    members_only = A.membership(MEMBERS, TIMELINE, article_date=ARTICLE_DAY)
    assert "PRT" not in set(members_only[C.COUNTRY_CODE])


def test_a_status_the_sources_qualify_is_flagged_on_the_articles_date_only():
    quals = qualifications(("Q1", "C02", "qualified", "Only decided that day.", "S09"),
                           ("Q2", "C01", "confirmed", "Right.", "S01"))
    m = A.membership(MEMBERS, TIMELINE, statuses=["member", "acceding"],
                     article_date=ARTICLE_DAY, qualifications=quals)
    spain = m[m[C.COUNTRY_CODE] == "ESP"].iloc[0]
    assert (spain["flag"], spain["flag_note"], spain["flag_refs"]) == (
        "qualified", "Only decided that day.", ("S09",))
    assert set(m.loc[m[C.COUNTRY_CODE] == "FRA", "flag"]) == {""}  # confirmed: no flag
    same_day = A.membership(MEMBERS, TIMELINE, ARTICLE_DAY, ["member", "acceding"],
                            article_date=ARTICLE_DAY, qualifications=quals)
    assert same_day.loc[same_day[C.COUNTRY_CODE] == "ESP", "flag"].item() == "qualified"
    later = A.membership(MEMBERS, TIMELINE, D(2024, 1, 1), ["member", "acceding"],
                         article_date=ARTICLE_DAY, qualifications=quals)
    assert set(later["flag"]) == {""}


def test_as_of_uses_intervals_active_that_day_with_exclusive_end():
    before = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 12, 31))
    assert "POL" in set(before[C.COUNTRY_CODE])
    on_end = A.membership(MEMBERS, TIMELINE, as_of=D(2021, 1, 1))  # end_date is exclusive
    assert "POL" not in set(on_end[C.COUNTRY_CODE])
    spain = A.membership(MEMBERS, TIMELINE, as_of=D(2022, 6, 1),
                         statuses=["member", "acceding"])
    row = spain[spain[C.COUNTRY_CODE] == "ESP"].iloc[0]
    assert row[C.STATUS] == "member" and row["evidence"] == ("S02",)
    assert set(spain["layer"]) == {A.REFERENCE}
    pd.testing.assert_frame_equal(A.membership(MEMBERS, TIMELINE, as_of="2020-12-31"),
                                  before)


def test_on_or_before_rows_are_only_known_from_their_start_date():
    early = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 8, 31), statuses=["observer"])
    assert set(early[C.COUNTRY_CODE]) == {"PRT"}
    late = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 9, 1), statuses=["observer"])
    assert set(late[C.COUNTRY_CODE]) == {"ITA", "PRT"}
    unknown = A.unknown_before(TIMELINE, D(2020, 8, 31), statuses=["observer"])
    assert set(unknown[C.COUNTRY_CODE]) == {"ITA"}  # only the statuses counted
    unknown = A.unknown_before(TIMELINE, D(2020, 8, 31), statuses=["member"])
    assert set(unknown[C.COUNTRY_CODE]) == {"DEU"}  # frozen counts with member


def test_participation_frozen_counts_as_member_and_is_shown():
    assert "participation_frozen" in A.counted_statuses(["member"])
    assert "participation_frozen" not in A.counted_statuses(["observer"])
    m = A.membership(MEMBERS, TIMELINE, as_of=D(2024, 12, 31), organisations=["BBB"])
    germany = m[m[C.COUNTRY_CODE] == "DEU"].iloc[0]
    assert germany[C.STATUS] == "participation_frozen"
    assert set(germany["statuses_held"]) == {"member", "participation_frozen"}
    assert set(germany["evidence"]) == {"S03", "S04"}


def test_organisations_filter_and_order():
    m = A.membership(MEMBERS, TIMELINE, organisations=["BBB"])
    assert set(m[C.ORGANISATION]) == {"BBB"}
    orgs = pd.DataFrame({C.CODE: ["AAA", "BBB", "CCC"]})
    assert A.organisation_order(orgs) == ["AAA", "BBB", "CCC"]
    assert A.organisation_order(orgs, ["CCC", "AAA"]) == ["CCC", "AAA"]


def test_matrix_groups_states_by_combination():
    long = A.membership(MEMBERS, TIMELINE, statuses=["member", "acceding"])
    matrix = A.membership_matrix(long, ["AAA", "BBB"])
    assert list(matrix[C.COUNTRY]) == ["Germany", "France", "Spain", "Poland"]
    assert matrix.loc[matrix[C.COUNTRY] == "Spain", "AAA"].item() == "acceding"
    assert matrix.loc[matrix[C.COUNTRY] == "Spain", "BBB"].item() == ""
    assert list(matrix["combination"]) == [("AAA", "BBB"), ("AAA",), ("AAA",), ("BBB",)]
    assert list(A.in_all(matrix, ["AAA", "BBB"])[C.COUNTRY]) == ["Germany"]


def test_borders_mark_subject_unknown_and_claimed():
    long = A.membership(MEMBERS, None, statuses=["member", "observer"])
    matrix = A.membership_matrix(long, ["AAA", "BBB"])
    b = borders("FRA", ("DEU", "Germany", "recognised", 450.0, "S09"),
                ("ITA", "Italy", "claimed", None, "S09"))
    out = A.add_borders(matrix, b, "FRA")
    status = dict(zip(out[C.COUNTRY_CODE], out[C.BORDER_STATUS], strict=True))
    assert status == {"DEU": "recognised", "FRA": A.SUBJECT, "ITA": "claimed",
                      "POL": "unknown"}
    groups = A.border_summary(out)
    assert groups["recognised"] == ["Germany"] and groups["unknown"] == ["Poland"]


def test_membership_changes_read_the_right_way_in_time():
    article = A.membership(MEMBERS, None)
    later = A.membership(MEMBERS, TIMELINE, as_of=D(2024, 12, 31))
    ch = A.membership_changes(article, later)
    got = {(r.organisation, r.country_code): (r.change, r.before, r.after)
           for r in ch.itertuples()}
    assert got[("AAA", "ESP")] == ("joined", "", "member")
    assert got[("BBB", "POL")] == ("left", "member", "")
    assert got[("BBB", "DEU")] == ("status", "member", "participation_frozen")
    assert ch.loc[ch[C.COUNTRY_CODE] == "POL", "evidence"].item() == ("C03",)
    assert A.membership_changes(article, article).empty


# -- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high", "precision", "currency", "expected"), [
    (31e6, 31e6, "exact", "USD", "$31m"),
    (9e9, 9e9, "approximate", "USD", "about $9bn"),
    (1.2e9, None, "lower_bound", "USD", "at least $1.2bn"),  # no floor word: 'at least'
    # vague words with no top are read up to the next order they do not reach
    (1e9, None, "order_of_magnitude", "USD", "no figure given (read as $1bn to under $1tn)"),
    (1e7, 1e8, "order_of_magnitude", "EUR", "no figure given (read as €10m–€100m)"),
    (None, None, "not_stated", "USD", "amount not stated"),
    (5e5, 5e5, "exact", "CHF", "CHF 500k"),
])
def test_amount_text_is_honest_about_precision(low, high, precision, currency, expected):
    assert A.amount_text(low, high, precision, currency) == expected


def money(*rows):
    """(id, kind, description, low, high, currency, precision, claim) tuples."""
    frame = pd.DataFrame(rows, columns=[C.MONEY_ID, C.KIND, C.DESCRIPTION, C.LOW, C.HIGH,
                                        C.CURRENCY, C.PRECISION, C.CLAIM_ID])
    for col in (C.FROM_PARTY, C.FROM_CODE, C.TO_PARTY, C.TO_CODE):
        frame[col] = None
    frame[C.AS_STATED] = "as stated"
    return frame


def context(*rows):
    """(id, kind, description, low, high, currency, precision, claim, source) tuples."""
    frame = money(*(r[:-1] for r in rows)).rename(columns={C.MONEY_ID: C.REFERENCE_MONEY_ID})
    frame[C.SOURCE_ID] = [r[-1] for r in rows]
    frame[C.DATE] = None
    return frame


ART = money(("M01", "aid", "Aid promised by country A; on Friday", 50e6, 50e6, "USD", "exact",
             "C01"),
            ("M02", "equipment", "Arms", 1e9, None, "USD", "order_of_magnitude", "C02"),
            ("M03", "assets", "Assets", None, None, "USD", "not_stated", "C03"))
REF = context(("R01", "aid", "Aid from A, sourced", 51e6, 51e6, "USD", "approximate", "C01",
               "S01"),
              ("R02", "pledges", "Pledges", 1e9, None, "USD", "lower_bound", None, "S02"),
              ("R03", "appeal", "Appeal", 6e8, 6e8, "USD", "exact", None, "S03"),
              ("R04", "assets", "Reserves", 10e9, 10e9, "USD", "approximate", "C03", "S04"),
              ("R05", "equipment", "Equipment (report)", 7e9, 7e9, "USD", "exact", "C02",
               "S05"),
              ("R06", "equipment", "Equipment (audit)", 7.2e9, 7.2e9, "USD", "exact", "C02",
               "S06"),
              ("R07", "equipment", "Equipment (rumour)", 85e9, 85e9, "USD", "exact", "C02",
               "S07"),
              ("R08", "appeal", "Appeal in euros", 5e8, 5e8, "EUR", "exact", None, "S08"))


def test_money_figures_keep_layers_groups_and_full_labels():
    f = A.money_figures(ART, REF)
    assert list(f["layer"]) == [A.ARTICLE] * 3 + [A.REFERENCE] * 8
    assert f.loc[f["id"] == "R02", C.SOURCE_ID].item() == "S02"
    assert f.loc[f["id"] == "M02", "amount"].item() == \
        "no figure given (read as $1bn to under $1tn)"
    # the label: the description up to its first ';', never cut short
    assert f.loc[f["id"] == "M01", "label"].item() == "Aid promised by country A"
    assert dict(zip(f["id"], f["group"], strict=True))["R03"] == "aid"


def test_a_figure_far_out_of_line_with_the_other_sources_is_disputed():
    f = A.money_figures(ART, REF)
    disputed = dict(zip(f["id"], f["disputed"], strict=True))
    assert disputed["R07"] and not disputed["R05"] and not disputed["R06"]
    assert f.loc[f["id"] == "R07", "out_of_line"].item() == pytest.approx(85 / 7.1)


def test_comparisons_are_like_for_like_and_never_with_the_figure_itself():
    comps = {c.figure["id"]: c for c in A.comparisons(A.money_figures(ART, REF))}
    aid = comps["M01"]
    assert [r["id"] for r in aid.same] == ["R01"] and aid.agreeing  # within 5%: confirmed
    assert aid.versus["id"] == "R03"  # aid against the appeal, not the reserves or euros
    assert aid.ratio == pytest.approx(50e6 / 6e8) and not aid.upper_bound
    arms = comps["M02"]
    assert arms.ratio is None  # a vague amount is never a ratio
    assert [r["id"] for r in arms.agreeing] == ["R05", "R06"]  # the disputed one is not
    assets = comps["M03"]
    assert [r["id"] for r in assets.giving] == ["R04"] and assets.versus is None


def test_share():
    assert A.share(0.051) == "5.1%"
    assert A.share(0.0033) == "0.33%"
    assert A.share(2.5) == "2.5 times"
    assert A.share(15.7) == "16 times"


def test_money_involving():
    f = A.money_figures(ART, REF)
    f.loc[f["id"] == "M01", C.FROM_CODE] = "FRA"
    assert list(A.money_involving(f, "FRA")["id"]) == ["M01"]


# -- claims ------------------------------------------------------------------------------


CLAIMS = claims(
    ("C01", "article", "narration", "pledge", "security_cooperation",
     "Xi and Putin pledged to join forces.", ("CHN", "RUS")),
    ("C02", "Vladimir Putin", "person", "proposal", "recognition", "Putin proposed x.",
     ("RUS",)),
    ("C03", "Vladimir Putin", "person", "assessment", "security_cooperation",
     "Putin said y.", ()),
    ("C04", "Xi Jinping", "person", "position", "security_cooperation", "Xi said z.", ()),
    ("C05", "analysts", "group", "assessment", "recognition", "Analysts said w.", ()),
    ("C06", "article", "narration", "fact", "meeting", "The meeting took place.", "RUS"),
    attributed=[("Xi Jinping", "Vladimir Putin"), (), (), (), (), ()],
)


def test_statements_are_credited_to_the_speaker_not_the_reporter():
    by = A.claims_by_speaker(CLAIMS)
    assert by.loc["Vladimir Putin", "total"] == 3  # C01 (attributed), C02, C03
    assert by.loc["Xi Jinping", "pledge"] == 1
    assert by.loc[A.NARRATION, "total"] == 1  # only the fact it states itself
    assert A.top_speakers(CLAIMS) == ["Vladimir Putin", "Xi Jinping"]


def test_positions_side_by_side_include_pledges_and_assessments():
    pos = A.positions(CLAIMS, ["Vladimir Putin", "Xi Jinping"])
    sec = pos[pos[C.TOPIC] == "security_cooperation"].iloc[0]
    assert [c for c, _, _ in sec["Vladimir Putin"]] == ["C03"]
    assert [c for c, _, _ in sec["Xi Jinping"]] == ["C04"]
    assert list(pos[C.TOPIC]) == ["security_cooperation", "recognition"]


def test_a_statement_of_both_speakers_is_shown_once_as_theirs_together():
    """C01, attributed to both, sits in the joint column only, and counts once."""
    pos = A.positions(CLAIMS, ["Vladimir Putin", "Xi Jinping"])
    assert [c for c, _, _ in pos.loc[0, JOINT]] == ["C01"]
    assert list(pos.loc[1, JOINT]) == []
    shown = [c for column in ("Vladimir Putin", "Xi Jinping", JOINT) for cell in pos[column]
             for c, _, _ in cell]
    assert sorted(shown) == ["C01", "C02", "C03", "C04"]  # each once
    # a statement attributed to one speaker shown and another not shown is that speaker's
    pos = A.positions(CLAIMS, ["Vladimir Putin", "Analysts"])
    assert [c for c, _, _ in pos.loc[0, "Vladimir Putin"]] == ["C01", "C03"]
    assert all(not cell for cell in pos[JOINT])


def test_claims_mentioning_reads_tuples_and_text():
    assert list(A.claims_mentioning(CLAIMS, "RUS")[C.CLAIM_ID]) == ["C01", "C02", "C06"]


def test_claim_verdicts_count_each_claim_once_under_its_most_serious_verdict():
    q = qualifications(("Q1", "C01", "confirmed", "ok", "S1"),
                       ("Q2", "C02", "qualified", "partly", "S2"),
                       ("Q3", "C02", "not_verified", "unknown", "S3"),
                       ("Q4", "C03", "contradicted", "no", "S4"))
    per = A.claim_verdicts(q)
    assert dict(zip(per[C.CLAIM_ID], per[C.VERDICT], strict=True)) == {
        "C01": "confirmed", "C02": "qualified", "C03": "contradicted"}
    assert len(per) == q[C.CLAIM_ID].nunique()


# -- words -------------------------------------------------------------------------------


def test_words_for_names_codes_and_lists():
    assert A.label("weapons_crime") == "Weapons and crime"
    assert A.lower_label("dialogue_partner") == "dialogue partner"
    assert A.join_names(["a", "b", "c"]) == "a, b and c"
    assert A.join_names(["assets and finance", "weapons"]) == "assets and finance and weapons"
    assert A.join_names(["x", "assets and finance", "weapons and crime"]) == \
        "x, assets and finance, and weapons and crime"
    assert A.count_word(4) == "four" and A.count_word(13) == "13"
    assert A.plural(1, "figure") == "figure" and A.plural(2, "figure") == "figures"
    assert A.the_country("United States") == "the United States"
    assert A.the_country("Russia") == "Russia"
    assert A.possessive("the United States") == "the United States’"
    assert A.possessive("Russia") == "Russia’s"
    assert A.day("2021-09-17") == "17 Sep 2021"


def test_organisations_take_an_article_as_the_text_writes_them():
    assert A.takes_article("SCO", "the SCO is a forum; the SCO met")
    assert not A.takes_article("COMESA", "COMESA is made up of")
    assert not A.takes_article("NATO")  # said as a word
    assert A.takes_article("CSTO") and A.takes_article("EAC")  # initialisms


def test_labels_are_whole_first_clauses():
    text = "Pledges at the meeting (Guterres: 'more than $1 billion'); covering the appeal"
    assert A.first_clause(text) == "Pledges at the meeting (Guterres: 'more than $1 billion')"
    assert "…" not in A.first_clause("x" * 300)
    assert A.evidence_pair("C01", "") == ("C01",)


# -- the view ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    return ds, A.build_view(ds.tables, ds.meta, article=ds.article)


def test_build_view_on_the_second_dataset(other):
    _, v = other
    assert v.organisations == ["SADC", "COMESA", "EAC"]
    assert v.org("COMESA") == "COMESA" and v.org("SADC") == "the SADC"
    assert v.subject_name == "Mozambique"
    assert v.judgements.empty  # it has no judgements.csv
    facts = A.judgement_facts(v)
    assert facts.computed and facts.bottom_line is None


def test_an_organisations_filter_applies_to_every_section():
    ds = load()
    v = A.build_view(ds.tables, ds.meta, ["CSTO"], article=ds.article)
    shown = set(v.claims[C.CLAIM_ID])
    assert not set(v.qualified[C.CLAIM_ID]) - shown
    assert not {c for c in v.figures[C.CLAIM_ID] if c} - shown
    # the judgements are the analyst's: every one is shown, whatever the filter
    assert len(v.judgements) == len(ds.tables["judgements"])


def test_credited_gives_one_row_per_claim_and_speaker_in_claim_order():
    """Each claim once per speaker credited with it (the attributed speakers, else the
    speaker's label), in the claims' order, every column of the claim kept as it was."""
    c = A.credited(CLAIMS)
    assert list(c[C.CLAIM_ID]) == ["C01", "C01", "C02", "C03", "C04", "C05", "C06"]
    assert list(c["who"]) == ["Xi Jinping", "Vladimir Putin", "Vladimir Putin",
                              "Vladimir Putin", "Xi Jinping", "Analysts", A.NARRATION]
    assert list(c["reported"]) == [True, True, False, False, False, False, False]
    assert list(c.columns) == [*CLAIMS.columns, "who", "reported"]
    assert (c.dtypes[list(CLAIMS.columns)] == CLAIMS.dtypes).all()
    assert list(c.index) == list(range(7))


def test_a_capped_table_keeps_its_cited_rows_and_names_those_left_out():
    from briefing import present

    frame = pd.DataFrame({"claim_id": [f"C{i:02d}" for i in range(1, 9)], "x": range(8)})
    doc = present.Report(max_rows=3)
    shown, left = doc.capped(frame, keep={"C07"}, id_column="claim_id")
    assert [r["claim_id"] for r in shown] == ["C01", "C02", "C03", "C07"]
    assert left == ["C04", "C05", "C06", "C08"]
    shown, left = doc.capped(frame)
    assert [r["x"] for r in shown] == [0, 1, 2] and left == ["", "", "", "", ""]
    doc.max_rows = None
    assert doc.capped(frame) == (frame.to_dict("records"), [])

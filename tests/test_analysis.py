"""The analysis functions on small hand-made frames (and once on the second dataset)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from briefing import analysis as A
from briefing import paths
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


def claims(*rows):
    """(id, speaker, kind, type, topic, statement, countries) tuples."""
    frame = pd.DataFrame(rows, columns=[C.CLAIM_ID, C.SPEAKER, C.SPEAKER_KIND, C.CLAIM_TYPE,
                                        C.TOPIC, C.STATEMENT, C.COUNTRIES])
    frame[C.ORGANISATIONS] = [()] * len(frame)
    frame[C.EVIDENCE] = frame[C.STATEMENT]
    frame[C.IS_DIRECT_QUOTE] = False
    return frame


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
    ("BBB", "DEU", "Germany", "member", "2005-01-01", "exact", None, "S03"),
    ("BBB", "DEU", "Germany", "participation_frozen", "2023-03-01", "on_or_before", None,
     "S04"),
    ("BBB", "POL", "Poland", "member", "2005-01-01", "exact", "2021-01-01", "S03"),
    ("BBB", "ITA", "Italy", "observer", "2020-09-01", "on_or_before", None, "S05"),
)


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


def test_article_layer_evidence_is_the_claim_ids():
    m = A.membership(MEMBERS, None, statuses=["member", "observer"])
    italy = m[m[C.COUNTRY_CODE] == "ITA"].iloc[0]
    assert italy["evidence"] == ("C04",)


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


def test_as_of_accepts_iso_text():
    a = A.membership(MEMBERS, TIMELINE, as_of="2020-12-31")
    b = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 12, 31))
    pd.testing.assert_frame_equal(a, b)


def test_on_or_before_rows_are_only_known_from_their_start_date():
    early = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 8, 31), statuses=["observer"])
    assert early.empty
    late = A.membership(MEMBERS, TIMELINE, as_of=D(2020, 9, 1), statuses=["observer"])
    assert list(late[C.COUNTRY_CODE]) == ["ITA"]
    unknown = A.unknown_before(TIMELINE, D(2020, 8, 31))
    assert set(unknown[C.COUNTRY_CODE]) == {"ITA", "DEU"}


def test_participation_frozen_counts_as_member_and_is_flagged():
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


def test_matrix_groups_states_by_combination_and_overlap_counts_them():
    long = A.membership(MEMBERS, TIMELINE, statuses=["member", "acceding"])
    matrix = A.membership_matrix(long, ["AAA", "BBB"])
    assert list(matrix[C.COUNTRY]) == ["Germany", "France", "Spain", "Poland"]
    assert matrix.loc[matrix[C.COUNTRY] == "Spain", "AAA"].item() == "acceding"
    assert matrix.loc[matrix[C.COUNTRY] == "Spain", "BBB"].item() == ""
    ov = A.overlap(matrix, ["AAA", "BBB"])
    assert list(ov["label"]) == ["AAA + BBB", "AAA", "BBB"]
    assert list(ov["n"]) == [1, 2, 1]
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
    j = A.judge_borders(out, "France")
    assert j.text.startswith("Only one of the 3 other states shown")
    assert "Germany" in j.text and "Italy only claims one" in j.text
    assert "Poland" in j.text and "France" not in j.text.split("with France")[1]
    assert j.refs == ("S09",)


def test_membership_changes_between_two_views():
    before = A.membership(MEMBERS, None)
    after = A.membership(MEMBERS, TIMELINE, as_of=D(2024, 12, 31))
    ch = A.membership_changes(before, after)
    got = {(r.organisation, r.country_code): (r.change, r.before, r.after)
           for r in ch.itertuples()}
    assert got[("AAA", "ESP")] == ("joined", "", "member")
    assert got[("BBB", "POL")] == ("left", "member", "")
    assert got[("BBB", "DEU")] == ("status", "member", "participation_frozen")
    j = A.judge_changes(ch, D(2024, 12, 31), "2021-09-17")
    assert "Spain is now a member of the AAA" in j.text
    assert "Poland no longer counts in the BBB" in j.text
    assert A.membership_changes(before, before).empty


# -- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high", "precision", "currency", "expected"), [
    (31e6, 31e6, "exact", "USD", "$31m"),
    (9e9, 9e9, "approximate", "USD", "about $9bn"),
    (1.2e9, None, "lower_bound", "USD", "more than $1.2bn"),
    (1e9, None, "order_of_magnitude", "USD", "$1bn or more, unspecified"),
    (1e7, 1e8, "order_of_magnitude", "EUR", "€10m–€100m, unspecified"),
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


ART = money(("M01", "aid", "Aid from A", 50e6, 50e6, "USD", "exact", "C01"),
            ("M02", "equipment", "Arms", 1e9, None, "USD", "order_of_magnitude", "C02"))
REF = context(("R01", "aid", "Aid from A, sourced", 50e6, 50e6, "USD", "exact", "C01", "S01"),
              ("R02", "pledges", "Pledges", 1e9, None, "USD", "lower_bound", None, "S02"),
              ("R03", "assets", "Reserves", 10e9, 10e9, "USD", "approximate", None, "S03"),
              ("R04", "equipment", "Equipment", 80e9, 80e9, "USD", "exact", None, "S04"),
              ("R05", "appeal", "Appeal in euros", 5e8, 5e8, "EUR", "exact", None, "S05"))


def test_money_figures_keep_layers_and_evidence():
    f = A.money_figures(ART, REF)
    assert list(f["layer"]) == [A.ARTICLE] * 2 + [A.REFERENCE] * 5
    assert list(f["id"][:3]) == ["M01", "M02", "R01"]
    assert f.loc[f["id"] == "R02", C.SOURCE_ID].item() == "S02"
    assert f.loc[f["id"] == "M02", "amount"].item() == "$1bn or more, unspecified"


def test_comparisons_skip_the_same_figure_and_other_currencies_and_rank_by_kind():
    comps = A.money_comparisons(A.money_figures(ART, REF))
    assert set(comps["article_id"]) == {"M01"}  # a vague amount is never compared
    assert "R01" not in set(comps["reference_id"])  # the article figure itself, sourced
    assert "R05" not in set(comps["reference_id"])  # euros against dollars
    heads = A.headline_comparisons(comps)
    assert list(heads["reference_id"]) == ["R02", "R03"]  # flows first, then stocks
    assert heads.iloc[0]["ratio"] == pytest.approx(0.05)


def test_format_share():
    assert A.format_share(0.05) == "about 5%"
    assert A.format_share(0.05, "lower_bound") == "less than 5%"
    assert A.format_share(0.0033) == "about 0.33%"
    assert A.format_share(2.5) == "about 2.5 times"


def test_judge_money_names_figures_sources_and_vague_amounts():
    j = A.judge_money(A.money_figures(ART, REF))
    assert j.text.startswith("The article's $50m (Aid from A)")
    assert "less than 5% of more than $1bn (Pledges)" in j.text
    assert "about 0.5% of about $10bn (Reserves)" in j.text
    assert "One other figure" in j.text
    assert set(j.refs) == {"C01", "S02", "S03", "C02"}


def test_money_involving():
    f = A.money_figures(ART, REF)
    f.loc[0, C.TO_CODE] = "NOR"
    assert list(A.money_involving(f, "NOR")["id"]) == ["M01"]


# -- claims ------------------------------------------------------------------------------


CLAIMS = claims(
    ("C01", "article", "narration", "fact", "meeting", "They met.", ("NOR",)),
    ("C02", "article", "narration", "pledge", "aid_economy", "They pledged.", ()),
    ("C03", "Ann Lee", "person", "position", "recognition", "Lee said yes.", ("NOR", "SWE")),
    ("C04", "Ann Lee", "person", "proposal", "security_cooperation", "Lee proposed.", ()),
    ("C05", "Bo Berg", "person", "warning", "security_cooperation", "Berg warned.", ()),
    ("C06", "Bo Berg", "person", "fact", "meeting", "Berg noted.", ()),
    ("C07", "analysts", "group", "assessment", "regional_influence", "Analysts said.", ()),
    ("C08", "Cy Dahl", "person", "fact", "meeting", "Dahl noted.", ("SWE",)),
    ("C09", "Norway", "government", "pledge", "aid_economy", "Norway pledged.", "NOR"),
)


def test_claims_by_speaker_counts_and_labels_narration():
    by = A.claims_by_speaker(CLAIMS)
    assert "The article (narration)" in by.index and "article" not in by.index
    assert int(by.loc["Ann Lee", "total"]) == 2
    assert int(by.loc["Bo Berg", "warning"]) == 1
    assert int(by["total"].sum()) == len(CLAIMS)


def test_top_speakers_leave_out_narration_and_groups_and_break_ties():
    assert A.top_speakers(CLAIMS, n=2) == ["Ann Lee", "Bo Berg"]
    assert A.top_speakers(CLAIMS, n=5) == ["Ann Lee", "Bo Berg", "Norway"]
    assert A.top_speakers(CLAIMS.iloc[0:2]) == []


def test_positions_side_by_side_by_topic():
    pos = A.positions(CLAIMS, ["Ann Lee", "Bo Berg"])
    assert list(pos[C.TOPIC]) == ["security_cooperation", "recognition"]  # schema order
    row = pos[pos[C.TOPIC] == "security_cooperation"].iloc[0]
    assert row["Ann Lee"] == (("C04", "proposal", "Lee proposed."),)
    assert row["Bo Berg"] == (("C05", "warning", "Berg warned."),)
    assert pos[pos[C.TOPIC] == "recognition"].iloc[0]["Bo Berg"] == ()


def test_claims_mentioning_reads_tuples_and_text():
    assert list(A.claims_mentioning(CLAIMS, "NOR")[C.CLAIM_ID]) == ["C01", "C03", "C09"]
    assert list(A.claims_mentioning(CLAIMS, "SWE")[C.CLAIM_ID]) == ["C03", "C08"]


def test_judge_pledges_lists_statements_with_ids():
    j = A.judge_pledges(CLAIMS)
    assert j.text == "Two pledges are reported: they pledged; Norway pledged."
    assert j.refs == ("C02", "C09")
    assert A.judge_pledges(CLAIMS.iloc[0:1]) is None


def test_cap_splits_shown_and_left_out():
    shown, left = A.cap(CLAIMS, 4)
    assert len(shown) == 4 and list(left[C.CLAIM_ID]) == ["C05", "C06", "C07", "C08", "C09"]
    shown, left = A.cap(CLAIMS, None)
    assert len(shown) == len(CLAIMS) and left.empty


def test_qualified_claims_most_serious_first():
    q = pd.DataFrame({C.REF_ID: ["Q01", "Q02", "Q03"], C.CLAIM_ID: ["C01", "C03", "C05"],
                      C.VERDICT: ["confirmed", "contradicted", "qualified"],
                      C.NOTE: ["ok", "no", "partly"], C.SOURCE_ID: ["S01", "S02", "S01"]})
    sources = pd.DataFrame({C.SOURCE_ID: ["S01", "S02"], C.PUBLISHER: ["P1", "P2"],
                            C.TITLE: ["T1", "T2"], C.URL: [None, None], C.DATE: [None, None]})
    out = A.qualified_claims(q, CLAIMS, sources)
    assert list(out[C.VERDICT]) == ["contradicted", "qualified", "confirmed"]
    assert list(out[C.PUBLISHER]) == ["P2", "P1", "P1"]
    assert A.verdict_counts(out) == {"confirmed": 1, "qualified": 1, "contradicted": 1}
    j = A.judge_qualifications(out)
    assert "Contradicted: Lee said yes." in j.text and "Qualified: Berg warned." in j.text
    assert set(j.refs) == {"C03", "C05", "S01", "S02"}


def test_judge_overlap_names_the_states_in_every_organisation():
    long = A.membership(MEMBERS, None)
    matrix = A.membership_matrix(long, ["AAA", "BBB"])
    j = A.judge_overlap(matrix, long, ["AAA", "BBB"], ["member"])
    assert j.text == "One of the 3 states shown is a member of both AAA and BBB: Germany."
    assert set(j.refs) == {"C01", "C03"}


def test_labels_and_words():
    assert A.label("weapons_crime") == "Weapons and crime"
    assert A.label("dialogue_partner") == "Dialogue partner"
    assert A.join_names(["a", "b", "c"]) == "a, b and c"
    assert A.statuses_noun(["member", "acceding"]) == "members or acceding states"
    assert A.statuses_noun(["member", "participation_frozen"]) == "members"
    assert A.statuses_noun(["observer"], plural=False) == "an observer"
    assert A.items("A; B") == ("A", "B") and A.items(None) == () and A.items(("X",)) == ("X",)
    assert A.refs_text(["S02", "C10", "C9", "", "C10"]) == "C9, C10, S02"


# -- the whole view, on the second dataset -----------------------------------------------


def test_build_view_and_key_judgements_on_the_second_dataset():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    v = A.build_view(ds.tables, ds.meta)
    assert v.organisations == list(ds.organisations[C.CODE])
    assert v.subject == ds.meta["subject_country_code"]
    judgements = A.key_judgements(v)
    assert 4 <= len(judgements) <= 6
    for j in judgements:
        assert j.refs, j.text
        assert all(r[0] in "CS" for r in j.refs)
    focused = A.build_view(ds.tables, ds.meta, focus=v.matrix[C.COUNTRY_CODE].iloc[0])
    last = A.key_judgements(focused)[-1]
    assert last.text.startswith("Focus — ")


def test_key_judgements_keep_the_focus_last_and_never_twice():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    v = A.build_view(ds.tables, ds.meta, focus="SOM")
    texts = [j.text for j in A.key_judgements(v)]
    assert texts[-1] == ("Focus — Somalia belongs to none of the organisations shown; it does "
                         "not border Mozambique; the article names it in 1 claim.")
    assert sum(t.startswith("Focus") for t in texts) == 1 and len(texts) <= 6


def test_clause_lowercases_only_common_sentence_starts():
    assert A.clause("The two leaders met.") == "the two leaders met"
    assert A.clause("China has said it will pay. ") == "China has said it will pay"
    assert A.clause("Theresa May spoke") == "Theresa May spoke"

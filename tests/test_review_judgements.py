"""From a fresh review of the briefing: the judgements say no more than their sources (Saudi
Arabia's memorandum approved, not signed; Moscow's dealings with the Taliban not dated), in
the briefing's own date style; the checks say how many of the article's claims were checked
and name every verdict their table shows, and on whose claim a verdict falls; the key names
every kind of evidence id; the cover says where a reprinted text was taken from; the claims
register credits a reported statement as the briefing does."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from briefing import analysis as A
from briefing import paths, present, safe_csv
from briefing.load import load
from briefing.schema import C

OTHER = paths.FIXTURES_DIR / "other_dataset"
PROSE = ("headline", "judgement", "basis", "against", "implication")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _judgements() -> dict[str, dict[str, str]]:
    with open(paths.DATA_DIR / "judgements.csv", encoding="utf-8", newline="") as fh:
        return {r["judgement_id"]: r for r in csv.DictReader(fh)}


def _source_notes() -> dict[str, str]:
    with open(paths.DATA_DIR / "reference" / "sources.csv", encoding="utf-8",
              newline="") as fh:
        return {r["source_id"]: r["note"] for r in csv.DictReader(fh)}


def _section(name: str, data_dir=None, facts=None, **context) -> tuple[str, A.View]:
    """A section's text as a reader reads it (tags dropped, no-break spaces as spaces)."""
    ds = load(data_dir) if data_dir else load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    doc = present.Report(v)
    markup = present.markup(doc.section(name, facts(v) if facts else v, **context))
    markup = re.sub(r"<(p|li|tr|td|th|h\d|figcaption)\b[^>]*>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
    return " ".join(text.split()), v


# -- the judgements' wording -------------------------------------------------------------


def test_j07_says_saudi_arabia_approved_its_memorandum_not_that_it_signed_it():
    """The dates are the basis's; the judgement is the forecast and what the summit did."""
    j07 = _judgements()["J07"]
    text, basis = j07["judgement"], j07["basis"]
    notes = _source_notes()
    assert "in 2022 and 2023" not in text and "signed" not in text
    # granted at the summit, as the timeline has it (review 15), formalised later
    assert "formalised that status only in Sep 2022 and Mar 2023" in text
    assert "granted dialogue-partner status to the three on the day of the meeting" in basis
    assert "taken up" not in text + basis
    assert "Egypt and Qatar signed their memoranda only on 14 Sep 2022" in basis
    assert "Saudi Arabia’s cabinet approved its memorandum on 28 Mar 2023" in basis
    assert "14 Sep 2022" in notes["S26"] and "Egypt signed the same day" in notes["S26"]
    assert "approved" in notes["S28"] and "28 Mar 2023" in notes["S28"]
    assert "signed" not in notes["S28"]


def test_j02_does_not_date_moscows_dealings_with_the_taliban():
    j02 = _judgements()["J02"]
    assert "years" not in j02["judgement"] and "years" not in j02["basis"]
    assert "Taliban delegations attended forums hosted by Russia" in j02["basis"]
    assert "already attended forums hosted by Russia" in _source_notes()["S97"]
    # the judgement is the forecast; the history is its basis
    assert j02["judgement"].startswith("Through 2027 Russia will deepen its ties")


def test_j04_basis_leaves_the_value_of_the_weapons_to_the_money_section():
    """J04 is about Russia's military ties: the value of the weapons left behind is weighed
    once, in section 3 and the checks (C35, S72, S90, S92), not again in its basis; its
    implication is what the judgement means, not advice to check figures."""
    j04 = _judgements()["J04"]
    assert "$7.12bn" not in j04["basis"] and "$85bn" not in j04["basis"]
    assert "checked" not in j04["implication"]
    # review 15: the framing rests on the day's reports (S72), not on C35, the claim the
    # sources could not verify
    assert "‘a whole arsenal of modern weapons’ the West left behind (S72)" in j04["basis"]
    assert "C35" not in j04["basis"] and "C35" not in j04["claim_ids"].split(";")
    assert j04["source_ids"] == "S39;S72"
    assert "was not found in any report of that day" in _source_notes()["S72"]


def test_dates_and_ranges_in_the_judgements_are_in_the_briefings_style():
    """'3 Jul 2025' as words.day writes it, never '3 July 2025' or 'September 2021'; a
    range of money repeats its unit ('$9bn to nearly $9.5bn', as the money section says it)."""
    for jid, row in _judgements().items():
        for column in PROSE:
            text = row[column]
            assert not re.search(rf"\b(?:{'|'.join(MONTHS)})\b", text), (jid, column)
            assert not re.search(r"\$[\d.]+[mb]n?–[\d.]", text), (jid, column)
    assert "$9bn to nearly $9.5bn" in _judgements()["J06"]["basis"]
    assert A.day("2025-07-03") == "3 Jul 2025"


def test_a_date_in_a_judgement_never_breaks_across_lines():
    ds = load()
    facts = A.judgement_facts(A.build_view(ds.tables, ds.meta, article=ds.article))
    j02 = next(j for j in facts.judgements if j["judgement_id"] == "J02")
    assert "3\u00a0Jul\u00a02025" in j02["judgement"] and "17\u00a0Apr\u00a02025" in j02["basis"]
    j07 = next(j for j in facts.judgements if j["judgement_id"] == "J07")
    assert "Dushanbe summit of 17\u00a0Sep\u00a02021," in j07["judgement"]


# -- the checks --------------------------------------------------------------------------


@pytest.mark.parametrize("data_dir", [None, OTHER], ids=["shipped", "other"])
def test_the_checks_say_how_many_claims_were_checked_and_name_every_verdict(data_dir):
    text, v = _section("checks", data_dir, A.checks_facts)
    summary = text.split("Table ")[0]
    n_all, n_checked = len(v.claims), v.qualified[C.CLAIM_ID].nunique()
    words = {n: A.count_word(n) for n in (n_all, n_checked, n_all - n_checked)}
    assert (f"Of the article’s {words[n_all]} claims, {words[n_checked]} were checked against "
            f"the reference sources; the other {words[n_all - n_checked]} rest on the "
            "article alone.") in summary
    assert "Of the 15 statements" not in summary
    for verdict in set(v.qualified[C.VERDICT]):  # every verdict the table shows is named
        assert A.lower_label(verdict) in summary, verdict


def test_a_direct_quote_the_sources_could_not_verify_is_said_to_be_one():
    text, _ = _section("checks", None, A.checks_facts)
    assert ("C35 is also not verified: the sources could not confirm that Vladimir Putin "
            "said the quoted words.") in text
    assert "one is contradicted (C15), three qualified (C35, C39 and C49) and ten " \
           "confirmed." in text


def test_a_contradicted_speakers_claim_is_said_to_be_the_speakers():
    text, v = _section("checks", None, A.checks_facts)
    f = A.checks_facts(v)
    claims = v.claims.set_index(C.CLAIM_ID)
    assert set(f.speakers) == {c for c in f.per_claim[C.CLAIM_ID]
                               if claims.at[c, C.SPEAKER_KIND] != "narration"}
    assert f.speakers == {"C15": "Xi Jinping", "C35": "Vladimir Putin", "C49": "China"}
    # a contradicted speaker's claim: the speaker is wrong, not the report (said once;
    # other verdicts, such as C35's and C49's, may be on the report itself: no rule claimed)
    assert ("What the sources contradict in C15 is Xi Jinping’s claim, not the article’s "
            "report of it.") in text
    assert text.count("C15 is Xi Jinping’s claim") == 1
    assert "A verdict is on what a claim states" not in text
    other, _ = _section("checks", OTHER, A.checks_facts)
    assert "What the sources contradict in C4 is Yoko Tanaka’s claim" in other


def test_the_computed_findings_say_how_many_claims_were_checked():
    text, _ = _section("key_judgements", OTHER, A.judgement_facts)
    assert ("Four of the article’s 18 claims were checked against the reference sources: one "
            "is contradicted, one qualified, one not verified and one confirmed; the other 14 "
            "rest on the article alone.") in text


# -- the key, the cover, the claims register ---------------------------------------------


def test_the_key_explains_every_kind_of_id_the_main_body_uses():
    text, _ = _section("key_judgements", None, A.judgement_facts)
    assert ("The ids in brackets link to the evidence in the annex: C the article’s claims, "
            "S reference sources, M the article’s money figures, R the sources’ money "
            "figures.") in text


def test_the_cover_says_where_a_reprinted_text_was_taken_from():
    ds = load()
    assert ds.meta["republished_by"] == "Native News Post"
    extra = {"title": "", "author": "Analysis desk", "series": "Open-source briefing"}
    text, _ = _section("cover", **extra)
    assert ("The Financial Times report of 17 Sep 2021, as republished by Native News Post "
            "(headline not verified): what it means") in text
    titled, _ = _section("cover", **{**extra, "title": "Membership at the end of 2024"})
    assert ("(Financial Times, 17 Sep 2021, as republished by Native News Post; headline not "
            "verified): what it means") in titled
    other, _ = _section("cover", OTHER, **extra)  # not a reprint: nothing more said
    assert "republished" not in other and "not verified" not in other


def test_the_claims_register_credits_a_reported_statement_as_the_briefing_does():
    rows = list(csv.DictReader(io.StringIO(
        safe_csv.claims_register_bytes(load()).decode("utf-8-sig"), newline="")))
    assert C.ATTRIBUTED_TO in rows[0]
    by_id = {r[C.CLAIM_ID]: r for r in rows}
    assert by_id["C01"][C.ATTRIBUTED_TO] == "Xi Jinping;Vladimir Putin"
    assert by_id["C04"][C.ATTRIBUTED_TO] == "Xi Jinping;Vladimir Putin"
    assert by_id["C02"][C.ATTRIBUTED_TO] == ""


def test_the_attribution_column_of_the_register_is_neutralised_too():
    record = {C.CLAIM_ID: "C1", C.ATTRIBUTED_TO: ("=HYPERLINK(\"http://x\")", "Bob")}
    raw = safe_csv.csv_text(safe_csv.REGISTER_COLUMNS, safe_csv.register_rows([record]))
    row = next(csv.DictReader(io.StringIO(raw, newline="")))
    assert row[C.ATTRIBUTED_TO] == "'=HYPERLINK(\"http://x\");Bob"


def test_the_register_intro_says_plainly_whom_a_reported_claim_is_credited_to():
    source = (paths.ROOT / "briefing" / "templates" / "sections" /
              "claims_register.html.j2").read_text(encoding="utf-8")
    assert "once for each of them" not in source
    assert ("where the article reports what others said or pledged, the claim is credited to "
            "them (once to each), not to the article") in source


def test_a_date_in_a_sources_note_never_breaks_across_lines():
    """Table 2's notes ('seized control of Afghanistan on 15 Aug 2021') keep each day as one
    word, like the judgements' dates; the data file keeps ordinary spaces."""
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    notes = {claim: [note for _, note, _ in found] for claim, found in
             zip(A.checks_facts(v).checked[C.CLAIM_ID], A.checks_facts(v).checked["notes"],
                 strict=True)}
    assert any("15\u00a0Aug\u00a02021" in note for note in notes["C05"])
    assert not any("15 Aug 2021" in note for found in notes.values() for note in found)
    assert "15 Aug 2021" in " ".join(v.qualified[C.NOTE])

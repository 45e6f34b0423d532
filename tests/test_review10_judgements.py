"""From review 10 (a reader's): the judgements are calibrated and say no more than their
evidence. A source is cited for what it says (Belarus's CSTO membership is S85's, not S23's);
Xi's 'all neighbours' is weighed, not called wrong; a forecast that rests on 2021 reporting
alone has low confidence and says why; a trend that has already happened is rated above
'likely'; no key judgement is true by definition; the bottom line cites a judgement for each
of its facts."""

from __future__ import annotations

import csv
import re

from briefing import paths


def _judgements() -> dict[str, dict[str, str]]:
    with open(paths.DATA_DIR / "judgements.csv", encoding="utf-8", newline="") as fh:
        return {r["judgement_id"]: r for r in csv.DictReader(fh)}


def _sources() -> dict[str, dict[str, str]]:
    with open(paths.DATA_DIR / "reference" / "sources.csv", encoding="utf-8",
              newline="") as fh:
        return {r["source_id"]: r for r in csv.DictReader(fh)}


def test_belaruss_csto_membership_is_cited_to_a_source_that_says_it():
    j03 = _judgements()["J03"]
    assert "was already in the CSTO (S23, S85)" in j03["basis"]
    assert "S85" in j03["source_ids"].split(";")
    sources = _sources()
    assert "Belarus" in sources["S85"]["note"] and "CSTO members in 2021" in sources["S85"]["note"]
    assert "SCO" in sources["S23"]["title"] and "CSTO" not in sources["S23"]["title"]


def test_no_judgement_calls_xi_wrong():
    for jid, row in _judgements().items():
        for column in ("headline", "judgement", "basis", "implication"):
            assert not re.search(r"\bwrong\b", row[column]), (jid, column)
    assert "holds only in a loose, regional sense" in _judgements()["J03"]["basis"]


def test_forecasts_resting_on_2021_reporting_alone_have_low_confidence_and_say_why():
    for jid in ("J01", "J03", "J04", "J05"):
        row = _judgements()[jid]
        assert row["confidence"] == "low", jid
        assert "rests on the article’s reporting of 2021 alone" in row["basis"], jid
        assert "hence low confidence" in row["basis"], jid


def test_likelihoods_are_calibrated_not_uniform():
    """J02 forecasts what Moscow has already done (S98): rated above 'likely', with the
    reason in its basis; the key judgements do not all carry the same likelihood."""
    rows = _judgements()
    assert rows["J02"]["likelihood"] == "very_likely"
    assert "hence very likely" in rows["J02"]["basis"] and "S98" in rows["J02"]["source_ids"]
    keys = [r for r in rows.values() if r["kind"] == "key_judgement"]
    assert len({r["likelihood"] for r in keys}) > 1
    assert len({r["confidence"] for r in keys}) > 1


def test_j03_forecasts_more_than_a_definition():
    """'The front line will be the members that border it' is true by definition; the
    judgement says on whom containment falls, in the CSTO and outside it."""
    j03 = _judgements()["J03"]
    assert "front line" not in j03["judgement"]
    # not "alone": J04 forecasts Russia's part
    assert "in the CSTO on Tajikistan, backed by Russia (J04)" in j03["judgement"]
    assert "each border state’s own dealings with Kabul" in j03["judgement"]


def test_the_bottom_line_leads_with_its_forecast_and_cites_a_judgement_for_each_part():
    """Review 15: the box opens with the forecast its likelihood labels; the facts that
    temper the article follow in a paragraph of their own (the row's implication)."""
    row = _judgements()["J00"]
    forecast, facts = row["judgement"], row["implication"]
    assert forecast.startswith("Through 2027")
    for jid in ("J01", "J02", "J06"):
        assert f"({jid})" in forecast, jid
    for jid in ("J03", "J07"):
        assert f"({jid})" in facts and f"({jid})" not in forecast, jid
    assert "Xi called them all Afghanistan’s neighbours" in facts
    assert "wrong" not in forecast + facts
    # J06's own qualifier kept: the reserves are the largest *financial* lever
    assert "largest financial lever" in forecast
    # member states, counted across both organisations, as section 2 counts them (not
    # 'states in', which in the partners variant read as its 20 states of any status)
    assert "the ten member states of the SCO or the CSTO" in facts


def test_j06_compares_the_reserves_with_named_figures_not_any_aid_figure():
    basis = _judgements()["J06"]["basis"]
    assert "any aid figure" not in basis
    assert "not on its order of magnitude" in basis
    # the ratios said, and why section 3 keeps a stock apart from the aid figures
    assert "about fifteen times the UN’s $606m flash appeal" in basis
    assert "seven to eight times the more than $1.2bn pledged at Geneva" in basis
    assert "section 3 keeps them apart from the aid figures" in basis


def test_the_bottom_line_is_held_with_the_confidence_of_its_weakest_forecast():
    """Review 12: the bottom line's forecast rests on J01 (low confidence); its facts are the
    sources', and its basis says so."""
    rows = _judgements()
    assert rows["J01"]["confidence"] == "low"
    assert rows["J00"]["confidence"] == "low"
    assert "states what the sources establish" in rows["J00"]["basis"]
    assert "dialogue" not in rows["J00"]["judgement"].lower()  # a fact, not the forecast


def test_j01_names_the_later_source_it_cites_not_the_only_one_in_the_data():
    basis = _judgements()["J01"]["basis"]
    assert "the one later source in the data" not in basis
    assert "the one later source it cites (S98)" in basis

"""Review 12 (and 13), the judgements, the claims and the money under any parameters.

An organisations filter narrows the charts and tables, never the analyst's judgements: the
bottom line and every judgement stay, a claim one cites that the briefing does not show is
named as plain text (no link to a row that is not there) and the briefing says so once;
the annex says the data holds no judgements only when it holds none. The claims shown under
a filter are "42 of the article's 50", not "claims about the organisations shown". In the
money section a claim that states two sums is reported once; a floor keeps its own words
("at least"); a vague amount with no top stops below the next order ("billions": under
$1tn); a figure whose claim the sources could not verify is marked in the chart and the
table. The method and sources annexes agree in number and show no empty table.
"""

from __future__ import annotations

import html as html_lib
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.analysis import words
from briefing.analysis.amounts import amount_text, floor_word, vague_top
from briefing.analysis.money import comparisons, relation
from briefing.load import load
from briefing.schema import C

OTHER = paths.FIXTURES_DIR / "other_dataset"


@pytest.fixture(scope="module")
def dataset():
    return load()


def _view(ds, organisations=None):
    return A.build_view(ds.tables, ds.meta, organisations, article=ds.article)


def _section(v, name, facts, **extra) -> str:
    return present.markup(present.Report(v).section(name, facts, **extra))


def _text(markup: str) -> str:
    markup = re.sub(r"<img[^>]*>", "", str(markup))
    markup = re.sub(r"<(p|li|tr|td|th|figcaption|h3)\b[^>]*>", "\n", markup)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
    return " ".join(text.split())


def _hidden(v) -> set[str]:
    return set(v.all_claims[C.CLAIM_ID]) - set(v.claims[C.CLAIM_ID])


# -- 1: every judgement, whatever the organisations filter -------------------------------


@pytest.mark.parametrize("orgs", [["CSTO"], ["SCO"], None], ids=["csto", "sco", "all"])
def test_an_organisations_filter_keeps_the_bottom_line_and_every_judgement(dataset, orgs):
    v = _view(dataset, orgs)
    f = A.judgement_facts(v)
    every = list(dataset.tables["judgements"]["judgement_id"])
    assert f.bottom_line is not None and f.bottom_line["judgement_id"] == "J00"
    assert ["J00", *[j["judgement_id"] for j in f.judgements]] == every
    assert len(v.judgements) == len(every) and not f.computed
    # the claims the judgements cite that the briefing leaves out, and only those
    cited = {i for _, r in v.judgements.iterrows() for i in A.judgements.cited(r)}
    assert set(f.not_shown) == cited & _hidden(v)
    assert bool(f.not_shown) == bool(orgs == ["CSTO"] or orgs == ["SCO"])


def test_the_one_judgement_about_the_csto_stays_in_a_csto_briefing(dataset):
    """J03 ("in the CSTO, on Tajikistan") cites C37, a claim about the SCO alone: it was left
    out of the very briefing it is about."""
    v = _view(dataset, ["CSTO"])
    ids = [j["judgement_id"] for j in A.judgement_facts(v).judgements]
    assert "J03" in ids and "C37" in _hidden(v)


@pytest.mark.parametrize("orgs", [["CSTO"], ["SCO"], None], ids=["csto", "sco", "all"])
def test_every_link_of_the_judgements_points_at_a_row_the_briefing_has(dataset, orgs):
    v = _view(dataset, orgs)
    f = A.judgement_facts(v)
    doc = present.Report(v)
    markup = "".join(present.markup(doc.section(name, f))
                     for name in ("key_judgements", "judgement_basis"))
    anchors = {*v.claims[C.CLAIM_ID], *v.sources[C.SOURCE_ID], *v.judgements["judgement_id"],
               *(f"basis-{j}" for j in v.judgements["judgement_id"])}
    linked = set(re.findall(r'href="#([^"]+)"', markup))
    assert linked <= anchors, linked - anchors
    # a claim not shown is named in the text, never linked
    for claim in f.not_shown:
        assert f'href="#{claim}"' not in markup
        assert re.search(rf"\b{claim}\b", _text(markup))


def test_the_briefing_says_once_where_the_claims_not_shown_are(dataset):
    v = _view(dataset, ["CSTO"])
    f = A.judgement_facts(v)
    text = _text(_section(v, "key_judgements", f))
    said = (f"{words.join_names(f.not_shown)} concern only the SCO, which this briefing does "
            "not show: they are named without a link here, and are in the claims register of "
            "the full briefing, without the organisations filter.")
    assert text.count(said) == 1
    assert "left out" not in text  # no judgement is
    default = _view(dataset)
    assert "without the organisations filter" not in _text(
        _section(default, "key_judgements", A.judgement_facts(default)))


def test_claims_not_shown_about_several_organisations_name_them_all():
    """The other dataset's claims about the SADC and COMESA, left out of an EAC briefing:
    "concern only the SADC or COMESA" (each left-out claim names one or both)."""
    ds = load(OTHER)
    v = _view(ds, ["EAC"])
    n, orgs = A.facts.claims_left_out(v)
    named = {o for value in v.all_claims[C.ORGANISATIONS] for o in A.items(value)} - {"EAC"}
    assert n == len(_hidden(v)) and n
    assert orgs == [v.org(o) for o in ("SADC", "COMESA") if o in named]
    text = _text(_section(v, "claims_register", A.claims_facts(v)))
    assert f"that concern only {words.join_names(orgs, 'or')} are left out" in text


def test_the_annex_says_the_data_holds_no_judgements_only_when_it_holds_none(dataset):
    v = _view(dataset, ["CSTO"])
    basis = _text(_section(v, "judgement_basis", A.judgement_facts(v)))
    assert "holds no analyst judgements" not in basis
    for j in v.judgements["judgement_id"]:
        assert re.search(rf"\b{j}\b", basis)
    tables = {k: t for k, t in dataset.tables.items() if k != "judgements"}
    none = A.build_view(tables, dataset.meta, ["CSTO"], article=dataset.article)
    assert A.judgement_facts(none).computed
    assert "This dataset holds no analyst judgements (judgements.csv)." in _text(
        _section(none, "judgement_basis", A.judgement_facts(none)))


# -- 5: the claims shown are a part of the article's --------------------------------------


@pytest.mark.parametrize("orgs", [["CSTO"], ["SCO"]])
def test_the_claims_shown_under_a_filter_are_a_part_not_about_what_is_shown(dataset, orgs):
    v = _view(dataset, orgs)
    n_left, shown_orgs = A.facts.claims_left_out(v)
    other = ({"CSTO", "SCO"} - set(orgs)).pop()
    assert shown_orgs == [v.org(other)] and n_left == len(_hidden(v))
    part = (f"{len(v.claims)} of the article’s {len(v.all_claims)} claims (the "
            f"{words.count_word(n_left)} that concern only the {other} are left out)")
    checks = _text(_section(v, "checks", A.checks_facts(v)))
    register = _text(_section(v, "claims_register", A.claims_facts(v)))
    assert f"This briefing shows {part}. Of those, " in checks
    assert (f"The article makes {len(v.all_claims)} checkable claims, of which this briefing "
            f"shows {len(v.claims)} (the {words.count_word(n_left)} that concern only the "
            f"{other} are left out)") in register
    n_quotes = A.claims_facts(v).n_quotes
    assert f"; {n_quotes} of those are direct quotes" in register
    for text in (checks, register):
        assert "about the organisations shown" not in text


def test_the_computed_findings_say_which_claims_are_shown():
    """The other dataset has no judgements: its findings count the checks over the claims
    shown, said as a part of the article's claims."""
    ds = load(OTHER)
    v = _view(ds, ["EAC"])
    text = _text(_section(v, "key_judgements", A.judgement_facts(v)))
    n_left, orgs = A.facts.claims_left_out(v)
    assert (f"This briefing shows {len(v.claims)} of the article’s {len(v.all_claims)} claims "
            f"(the {words.count_word(n_left)} that concern only "
            f"{words.join_names(orgs, 'or')} are left out). Of those, ") in text
    assert "about the organisations shown" not in text


# -- 7: a claim that states two sums -----------------------------------------------------


def _two_sums(ds):
    """The default data with a second figure from C49 (China's aid, as the yuan it was
    announced in): one claim, two sums in two currencies."""
    tables = dict(ds.tables)
    money = tables["money"]
    extra = money[money[C.MONEY_ID] == "M01"].copy()
    extra[C.MONEY_ID] = "M04"
    extra[C.LOW] = extra[C.HIGH] = 200e6
    extra[C.CURRENCY] = "CNY"
    extra[C.AS_STATED] = "200 million yuan"
    tables["money"] = pd.concat([money, extra], ignore_index=True)
    return A.build_view(tables, ds.meta, article=ds.article)


def test_a_source_figure_is_the_account_of_one_of_a_claims_sums(dataset):
    v = _two_sums(dataset)
    by_id = {c.figure["id"]: c for c in comparisons(v.figures, v.all_claims)}
    assert "R01" in {r["id"] for r in by_id["M01"].same}  # $31m: the dollar figure's
    assert not by_id["M04"].same  # never also "the sources differ" from the yuan


def test_a_claim_that_states_two_sums_is_reported_once(dataset):
    v = _two_sums(dataset)
    text = _text(_section(v, "money", A.money_facts(v)))
    statement = v.all_claims.set_index(C.CLAIM_ID).at["C49", C.STATEMENT].rstrip(".")
    assert text.count(A.in_sentence(statement)) == 1
    assert "It gives two figures: $31m (M01) and CNY 200m (M04)." in text
    assert "For $31m (M01), a source gives the same amount: about $31m (R01" in text
    markup = _section(v, "money", A.money_facts(v))
    paragraph = _text(next(p for p in re.findall(r"<p\b.*?</p>", markup, re.S)
                           if "It gives two figures" in p))
    assert paragraph.count("On the claim itself") == 1  # said of the claim, once


def test_one_figure_a_claim_reads_as_before(dataset):
    v = _view(dataset)
    text = _text(_section(v, "money", A.money_facts(v)))
    assert "It gives" not in text and "For $31m (M01)" not in text
    assert "[C49]. A source gives the same amount: about $31m (R01, 8 Sep 2021)" in text


# -- 10: a floor in its own words ---------------------------------------------------------


@pytest.mark.parametrize(("said", "word"), [
    ("at least €1.5bn", "at least"), ("more than US$1.2 billion", "more than"),
    ("over $1bn", "over"), ("At  least $2m", "at least"), ("no less than $5m", "no less than"),
    ("$1.2bn+", "more than"), (None, "more than")])
def test_a_floor_keeps_its_sources_word(said, word):
    assert floor_word(said) == word
    assert amount_text(1.5e9, None, "lower_bound", "EUR", said) == f"{word} €1.5bn"


def test_the_legend_names_the_floors_words(dataset):
    v = _view(dataset)
    figures = v.figures.copy()
    floors = figures[C.PRECISION] == "lower_bound"
    assert floors.any()
    for said, label in (("at least $1.2bn", "‘At least’: a floor, no upper end"),
                        ("more than $1.2bn", "‘More than’: a floor, no upper end")):
        figures.loc[floors, C.AS_STATED] = said
        fig = charts.money_chart(figures, article_date=v.article_date)
        legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
        assert label in [t.get_text() for t in legend.get_texts()]
        plt.close(fig)


# -- 12: a vague amount stops below the next order ----------------------------------------


@pytest.mark.parametrize(("low", "said", "top"), [
    (2e9, "billions of dollars", 1e12), (2e7, "tens of millions of euros", 1e8),
    (1e8, "hundreds of millions", 1e9), (3e6, "millions", 1e9), (1e9, "", 1e12),
    (2e9, "a large sum", 1e12), (5e4, "thousands", 1e6)])
def test_vague_words_stay_below_the_next_order(low, said, top):
    assert vague_top(low, said) == top


def test_billions_are_read_as_under_a_trillion(dataset):
    v = _view(dataset)
    m02 = v.figures[v.figures["id"] == "M02"].iloc[0]
    assert m02["amount"] == "no figure given (read as $2bn to under $1tn)"
    article = dict(m02)
    for value, found in ((85e9, "within"), (7.12e9, "within"), (1.5e12, "outside")):
        assert relation(article, {C.PRECISION: "exact", C.LOW: value}) == found


# -- 11: a figure whose claim the sources could not verify is marked ----------------------


def test_a_figure_whose_claim_is_not_verified_is_flagged(dataset):
    v = _view(dataset)
    figures = A.money_facts(v).figures
    flags = dict(zip(figures["id"], figures["claim_flag"], strict=True))
    verdicts = A.facts.claim_verdict_sources(v.qualified)
    for _, r in figures.iterrows():
        said = {verdict for verdict, _ in verdicts.get(r[C.CLAIM_ID], ())}
        expected = "" if r["layer"] != "article" else (
            "contradicted" if "contradicted" in said else
            "not_verified" if "not_verified" in said else "")
        assert flags[r["id"]] == expected, r["id"]
    assert flags["M02"] == "not_verified"  # Putin's "billions of dollars" (C35, Q09)
    assert flags["M01"] == "" and flags["R06"] == ""  # a source's own figure is never


def _marks(fig) -> list[Text]:
    return [t for ax in fig.axes if ax.axison for t in ax.texts
            if type(t) is Text and t.get_text() in ("?", "!")]


def test_the_chart_marks_the_figure_and_its_legend_says_why(dataset):
    v = _view(dataset)
    figures = A.money_facts(v).figures
    fig = charts.money_chart(figures, article_date=v.article_date)
    fig.canvas.draw()
    marks = _marks(fig)
    assert len(marks) == (figures["claim_flag"] == "not_verified").sum() == 1
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    assert "The article’s claim not verified by the sources" in [
        t.get_text() for t in legend.get_texts()]
    plt.close(fig)
    # no flag, no mark and no legend entry
    fig = charts.money_chart(figures.assign(claim_flag=""), article_date=v.article_date)
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    assert not _marks(fig)
    assert not [t for t in legend.get_texts() if "not verified" in t.get_text()]
    plt.close(fig)


def test_the_money_table_marks_the_figure_and_says_why(dataset):
    v = _view(dataset)
    doc = present.Report(v)
    doc.section("checks", A.checks_facts(v))  # the checks table first, as in the briefing
    markup = present.markup(doc.section("money_table", A.money_facts(v)))
    checks = doc.table_number("checks")
    row = re.search(r'<tr id="M02">.*?</tr>', markup, re.S).group(0)
    assert '<span class="flag">claim not verified</span>' in row
    text = _text(markup)
    assert ("Marked “claim not verified”: the article’s figure is stated in a claim the "
            f"sources could not verify (Table {checks}).") in text
    assert "claim not verified" not in _text(re.search(r'<tr id="M01">.*?</tr>', markup,
                                                       re.S).group(0))


# -- review 13 #18: counts that agree, no empty table ------------------------------------


def _small_reference(ds, sources: int):
    """The default data with one timeline row, no money context, no checks and
    ``sources`` sources."""
    tables = dict(ds.tables)
    tables["membership_timeline"] = tables["membership_timeline"].head(1)
    tables["money_context"] = tables["money_context"].head(0)
    tables["qualifications"] = tables["qualifications"].head(0)
    tables["sources"] = tables["sources"].head(sources)
    return tables


def test_the_method_counts_agree_with_their_nouns(dataset):
    tables = _small_reference(dataset, 1)
    v = _view(dataset)
    text = _text(_section(v, "method", tables))
    n = len(tables["borders"])
    assert (f"The reference layer holds what other sources say: 1 membership interval, {n} "
            "border rows, no money figure and no check of the article’s claims, every row "
            "citing the one source in the data.") in text
    default = _text(_section(v, "method", dataset.tables))
    assert f"{len(dataset.tables['membership_timeline'])} membership intervals" in default
    assert f"one of {len(dataset.tables['sources'])} sources" in default


def test_an_empty_reference_layer_is_said_in_words(dataset):
    tables = _small_reference(dataset, 0)
    tables["membership_timeline"] = tables["membership_timeline"].head(0)
    tables["borders"] = tables["borders"].head(0)
    text = _text(_section(_view(dataset), "method", tables))
    assert ("The reference layer, what other sources say, holds no row yet: no membership "
            "interval, border, money figure or check of the article’s claims.") in text
    assert not re.search(r"\b0 (?:membership|border|money|check|source)", text)


@pytest.mark.parametrize("n", [0, 3])
def test_no_source_cited_is_a_sentence_not_an_empty_table(dataset, n):
    v = _view(dataset)
    markup = _section(v, "sources", dataset.tables["sources"].head(n))  # nothing cited
    assert "<table" not in markup
    text = _text(markup)
    assert text.startswith("No reference source is cited in this briefing")
    assert ("(the data lists three, cited by no row it shows)" in text) == bool(n)


def test_one_source_cited_is_counted_in_the_singular(dataset):
    v = _view(dataset)
    doc = present.Report(v)
    doc.cite(["S59"])
    text = _text(present.markup(doc.section("sources", dataset.tables["sources"])))
    assert (f"The one reference source cited in this briefing "
            f"({len(dataset.tables['sources'])} in the data)") in text

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
    assert paragraph.count("the claim itself") == 1  # said of the claim, once


def test_one_figure_a_claim_reads_as_before(dataset):
    v = _view(dataset)
    text = _text(_section(v, "money", A.money_facts(v)))
    assert "It gives" not in text and "For $31m (M01)" not in text
    assert "[C49]. A source gives the same amount: about $31m (R01, 8 Sep 2021)" in text


# -- 10: a floor in its own words ---------------------------------------------------------


@pytest.mark.parametrize(("said", "word"), [
    ("at least €1.5bn", "at least"), ("more than US$1.2 billion", "more than"),
    ("over $1bn", "over"), ("At  least $2m", "at least"), ("no less than $5m", "no less than"),
    ("$1.2bn+", "at least"), (None, "at least")])  # review 14 #4: inclusive, or unknown
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


# -- review 14: a claim's unstated figure, trillions, floor words, ratios, fragments -------


def _unstated_and_stated(ds):
    """The default data with a second article figure for C32 (M04, $1bn of aid) beside its
    unstated one (M03, Afghanistan's assets): one claim, one sum stated and one not."""
    tables = dict(ds.tables)
    money = tables["money"]
    extra = money[money[C.MONEY_ID] == "M03"].copy()
    extra[C.MONEY_ID] = "M04"
    extra[C.LOW] = extra[C.HIGH] = 1e9
    extra[C.PRECISION], extra[C.KIND], extra[C.AS_STATED] = "exact", "aid", "$1bn"
    tables["money"] = pd.concat([money, extra], ignore_index=True)
    return A.build_view(tables, ds.meta, article=ds.article)


def test_a_claims_unstated_figure_is_named_alike_in_both_places(dataset):
    v = _unstated_and_stated(dataset)
    text = _text(_section(v, "money", A.money_facts(v)))
    assert "It gives two figures: one with no amount (M03) and $1bn (M04)." in text
    assert "For the one with no amount (M03), the sources give $9bn" in text
    assert "amount not stated (M03)" not in text and "For no amount" not in text


def test_a_ratio_of_one_or_more_reads_is_n_times_the(dataset):
    v = _unstated_and_stated(dataset)
    text = _text(_section(v, "money", A.money_facts(v)))
    assert "For scale, $1bn is 1.7 times the $606m appeal (R10" in text
    assert "times of the" not in text
    # below one, as before
    assert "For scale, China’s $31m equals 5.1% of the $606m appeal" in text


def test_the_charts_title_reads_is_n_times_the(dataset, monkeypatch):
    money = dataset.tables["money"].copy()
    m01 = money[C.MONEY_ID] == "M01"
    money.loc[m01, C.LOW] = money.loc[m01, C.HIGH] = 1e9  # China's aid, 1.7 times the appeal
    v = A.build_view({**dataset.tables, "money": money}, dataset.meta, article=dataset.article)
    titles = []
    chart = charts.money_chart

    def spy(*args, title="", **kwargs):
        titles.append(title)
        return chart(*args, title=title, **kwargs)

    monkeypatch.setattr(charts, "money_chart", spy)
    _section(v, "money", A.money_facts(v))
    assert titles == ["China’s $1bn of aid is 1.7 times the $606m appeal"]


@pytest.mark.parametrize(("ratio", "words"), [
    (0.051, "5.1%"), (0.996, "100%"), (0.9996, "100%"), (1.7, "1.7 times"), (15.7, "16 times")])
def test_a_share_is_never_in_exponent_notation(ratio, words):
    assert A.share(ratio) == words


@pytest.mark.parametrize(("value", "words"), [
    (999.6e9, "$1tn"), (999.4e9, "$999bn"), (999.6e6, "$1bn"), (999.6e3, "$1m"),
    (999.6, "$1k"), (1e15, "$1,000tn"), (2.5e16, "$25,000tn"), (7.12e9, "$7.12bn"),
    (31e6, "$31m"), (450, "$450")])
def test_an_amount_that_rounds_to_a_thousand_takes_the_next_suffix(value, words):
    assert A.format_amount(value) == words
    assert "e+" not in A.format_amount(value)


@pytest.mark.parametrize(("low", "said", "words"), [
    (2e12, "trillions", "no figure given (read as $2tn or more)"),
    (2e12, "trillions of dollars", "no figure given (read as $2tn or more)"),
    (2e14, "hundreds of trillions", "no figure given (read as $200tn or more)"),
    (2e12, "a vast sum", "no figure given (read as $2tn or more)"),
    (2e13, "tens of trillions", "no figure given (read as $20tn to under $100tn)"),
    (2e11, "hundreds of billions", "no figure given (read as $200bn to under $1tn)")])
def test_trillions_are_open_ended_not_under_a_thousand_trillion(low, said, words):
    assert amount_text(low, None, "order_of_magnitude", "USD", said) == words


def test_trillions_have_no_top_and_any_larger_figure_is_within():
    assert vague_top(2e12, "trillions") is None
    assert vague_top(2e13, "tens of trillions") == 1e14
    article = {C.PRECISION: "order_of_magnitude", C.LOW: 2e12, C.HIGH: None,
               C.AS_STATED: "trillions of dollars"}
    assert relation(article, {C.PRECISION: "exact", C.LOW: 5e15}) == "within"
    assert relation(article, {C.PRECISION: "exact", C.LOW: 1e12}) == "outside"


@pytest.mark.parametrize("narrow", [False, True])
def test_a_chart_with_trillions_keeps_a_reasonable_axis(dataset, narrow):
    money = dataset.tables["money"].copy()
    m02 = money[C.MONEY_ID] == "M02"
    money.loc[m02, C.AS_STATED], money.loc[m02, C.LOW] = "trillions of dollars", 2e12
    v = A.build_view({**dataset.tables, "money": money}, dataset.meta, article=dataset.article)
    row = v.figures[v.figures["id"] == "M02"].iloc[0]
    assert row["amount"] == "no figure given (read as $2tn or more)"
    fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
    fig.canvas.draw()
    ax = next(ax for ax in fig.axes if ax.get_xscale() == "log")
    # the axis reaches only as far as the words after the figure need (no band to 1e15)
    assert ax.get_xlim()[1] < (1e16 if not narrow else 1e19)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert not [t for t in ticks if "e+" in t]
    words = [t.get_text() for t in ax.texts if "trillions" in t.get_text()]
    assert words and words[0].splitlines() == [
        "‘trillions of dollars’", "no figure given", "reported 17 Sep 2021"]
    legend = next(a.get_legend() for a in fig.axes if a.get_legend())
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert "Vague wording, no figure: the least it means, no upper end" in labels
    assert "Vague wording, no figure: the range its words allow" not in labels
    plt.close(fig)


@pytest.mark.parametrize(("said", "word"), [
    ("$3bn or more", "at least"), ("$3bn or above", "at least"), ("$3bn and above", "at least"),
    ("$3bn and up", "at least"), ("$3bn+", "at least"), ("3 billion+ dollars", "at least"),
    ("upward of $3bn", "upward of"), ("upwards of $3bn", "upwards of"),
    ("aid of more than $3bn", "more than"), ("a sum of over €3bn", "over"),
    ("a sizeable sum", "at least"), ("", "at least")])
def test_a_floor_word_after_the_amount_or_none_is_at_least(said, word):
    assert floor_word(said) == word
    assert amount_text(3e9, None, "lower_bound", "USD", said) == f"{word} $3bn"


def test_the_legend_says_at_least_for_a_floor_given_after_its_amount(dataset):
    v = _view(dataset)
    figures = v.figures.copy()
    figures.loc[figures[C.PRECISION] == "lower_bound", C.AS_STATED] = "$1.2bn or more"
    fig = charts.money_chart(figures, article_date=v.article_date)
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    labels = [t.get_text() for t in legend.get_texts()]
    assert "‘At least’: a floor, no upper end" in labels
    assert not [t for t in labels if "More than" in t]
    plt.close(fig)


@pytest.mark.parametrize("statement", [
    "Where officials hope to agree $31m in aid", "which China said would be $31m",
    "Who pledged $31m", "Whose aid came to $31m"])
def test_a_statement_that_opens_with_a_relative_word_is_no_clause(statement):
    assert A.in_sentence(statement) == ""


def test_when_and_while_still_open_a_clause():
    assert A.in_sentence("When the talks end, China will pay") == \
        "when the talks end, China will pay"
    assert A.in_sentence("The arms were left") == "the arms were left"


def test_a_fragment_is_reported_by_its_label_and_its_words(dataset):
    claims = dataset.tables["claims"].copy()
    c49 = claims[C.CLAIM_ID] == "C49"
    claims.loc[c49, C.STATEMENT] = "Where China has said it will provide $31m of economic aid"
    v = A.build_view({**dataset.tables, "claims": claims}, dataset.meta,
                     article=dataset.article)
    text = _text(_section(v, "money", A.money_facts(v)))
    assert "reports that where" not in text.lower()
    assert ("The article reports China’s ‘economic aid’, in the article’s words, ‘$31m’ "
            "[C49].") in text

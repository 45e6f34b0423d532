"""Money: what the money section, its chart and the annex table say about each figure.

A part of a figure (the data's part_of) is stated as a part of that whole, named by its id
and amount ("of which"), never as another estimate of the total; the
article's figures are the article's, in its words; one date rule serves chart and table."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import re
import shutil

import pytest

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.analysis.amounts import per, range_text, span_text
from briefing.analysis.money import figure_date, in_sentence
from briefing.load import load
from briefing.schema import C


def _sections(data_dir=None, names=("money", "money_table")) -> tuple[A.View, dict]:
    """The money sections written from a dataset, the chart drawn as a blank SVG."""
    ds = load(data_dir) if data_dir else load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    doc = present.Report(v)
    env = present.environment()
    real = env.globals["charts"]

    class Blank:
        def __getattr__(self, name):
            constant = getattr(charts, name)
            if not callable(constant):
                return constant
            return lambda *a, **k: ('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" '
                                    'height="10pt"></svg>')

    env.globals["charts"] = Blank()
    try:
        out = {name: present.markup(doc.section(name, A.money_facts(v))) for name in names}
    finally:
        env.globals["charts"] = real
    return v, out


def _text(markup: str) -> str:
    markup = re.sub(r"<img[^>]*>", "", markup)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
    return " ".join(text.split())


def _paragraphs(markup: str) -> list[str]:
    return [_text(p) for p in re.findall(r"<p\b.*?</p>", markup, flags=re.S)]


def _with_parts(tmp_path):
    """The other dataset with a total the article leaves out (M3's cost of rebuilding) given
    by two sources, and a part of the World Bank's (R7, part_of R6)."""
    data = tmp_path / "data"
    shutil.copytree(paths.FIXTURES_DIR / "other_dataset", data)
    path = data / "reference" / "money_context.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [*rows[0], *(["part_of"] if "part_of" not in rows[0] else [])]
    base = {"from_party": "not stated", "from_code": "", "to_party": "Mozambique",
            "to_code": "MOZ", "currency": "USD", "claim_id": "C9", "source_id": "S3",
            "kind": "other"}
    rows += [
        {**base, "reference_money_id": "R5", "description": "Cost of rebuilding, per the "
         "ministry: roads and bridges", "low": "900000000", "high": "900000000",
         "precision": "approximate", "as_stated": "about $900m", "date": "2025-03-10"},
        {**base, "reference_money_id": "R6", "description": "Cost of rebuilding, per the "
         "World Bank: roads and bridges", "low": "1000000000", "high": "1000000000",
         "precision": "exact", "as_stated": "$1bn", "date": "2025-03-12"},
        {**base, "reference_money_id": "R7", "description": "Share of the cost for the "
         "bridges: the bridges alone", "low": "300000000", "high": "300000000",
         "precision": "approximate", "as_stated": "about $300m", "date": "2025-03-12",
         "part_of": "R6"},
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return data


def test_a_part_is_what_the_data_says_is_part_of_another_figure():
    """part_of, not the description's wording, makes a figure a part."""
    ds = load()
    figures = A.money_figures(ds.tables["money"], ds.tables["money_context"])
    parts = figures[figures["part"]]
    assert list(parts["id"]) == ["R04"] and list(parts[C.PART_OF]) == ["R02"]
    assert (figures.loc[~figures["part"], C.PART_OF] == "").all()
    assert per("Central bank’s foreign reserves, per Ajmal Ahmady") == "Ajmal Ahmady"
    assert per("Gross reserves, per the IMF") == "the IMF"
    assert per("Pledges at the Geneva ministerial meeting") == ""


def test_span_text_states_the_range_the_words_allow():
    row = {C.CURRENCY: "USD", C.PRECISION: "approximate", C.LOW: 9e9, C.HIGH: 9e9}
    exact = {**row, C.PRECISION: "exact", C.LOW: 9.4e9, C.HIGH: 9.4e9}
    assert span_text([row, exact]) == "about $9bn–$9.4bn"
    assert span_text([exact, exact]) == "$9.4bn"
    assert span_text([row]) == ""
    assert span_text([row, {**exact, C.PRECISION: "lower_bound"}]) == ""
    assert span_text([row, {**exact, C.CURRENCY: "EUR"}]) == ""


def test_range_text_never_spans_an_amount_to_itself():
    yuan = {C.CURRENCY: "USD", C.PRECISION: "approximate", C.LOW: 31e6, C.HIGH: 31e6,
            "amount": "about $31m"}
    stated = {**yuan, C.PRECISION: "exact", C.LOW: 31e6, C.HIGH: 31e6, "amount": "$31m"}
    floor = {**stated, C.PRECISION: "lower_bound", C.LOW: 1.2e9, C.HIGH: None,
             "amount": "more than $1.2bn"}
    assert range_text([yuan, stated]) == "each about $31m"
    assert range_text([stated, stated]) == "each $31m"
    assert range_text([yuan, floor]) == "from about $31m to more than $1.2bn"
    assert range_text([stated]) == "$31m" and range_text([]) == ""


def test_in_sentence_lowers_an_opening_article_not_a_name():
    assert in_sentence("The arms are worth billions.") == "the arms are worth billions."
    assert in_sentence("China has said ...") == "China has said ..."
    assert in_sentence("Putin said ...") == "Putin said ..."


def test_one_date_rule_for_every_figure():
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    day = dt.date(2021, 9, 17)
    for _, r in v.figures.iterrows():
        got = figure_date(r, day)
        if r["layer"] == A.ARTICLE:
            assert got == day, r["id"]  # the article's figures: the article's date
        else:
            assert got == (None if r[C.DATE] is None or r[C.DATE] != r[C.DATE]
                           else r[C.DATE]), r["id"]
    dated = A.money.with_dates(v.figures, day)
    assert (dated.loc[dated["layer"] == A.ARTICLE, C.DATE] == day).all()


def test_a_reports_count_is_dated_by_the_day_it_counts_to():
    """A report's count (the Pentagon's, which SIGAR's later report cites) is dated by the
    day it counts to, not the day the report came out: one count, one date."""
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    rows = v.figures.set_index("id")
    assert rows.loc["R06", C.DATE] == dt.date(2021, 8, 30)
    assert "30 Aug 2021" in rows.loc["R06", C.DESCRIPTION]
    published = ds.tables["sources"].set_index(C.SOURCE_ID).loc[rows.loc["R06", C.SOURCE_ID],
                                                                 C.DATE]
    assert str(published) != "2021-08-30"  # the report came out later
    # one count is one row: no second row for the same count as another report cites it
    equipment = rows[(rows[C.KIND] == "equipment") & (rows["layer"] == A.REFERENCE)
                     & ~rows["disputed"]]
    assert len(equipment) == 1


def test_the_money_table_and_the_chart_give_the_same_dates():
    v, sections = _sections()
    table = sections["money_table"]
    rows = dict(re.findall(r'<tr id="([MR]\d+)">(.*?)</tr>', table, flags=re.S))
    assert set(rows) == set(v.figures["id"])
    for _, r in v.figures.iterrows():
        cell = _text(re.findall(r'<td class="date"[^>]*>(.*?)</td>', rows[r["id"]],
                                flags=re.S)[0])
        date = figure_date(r, v.article_date)
        assert cell == (A.day(date) if date else "—"), r["id"]
    caption = _text(table.split("</p>", 1)[0])
    assert "Date: the day each figure refers to" in caption
    assert "the article’s own figures carry the article’s date, 17 Sep 2021" in caption
    figure_caption = _text(re.findall(r"<figcaption>.*?</figcaption>", sections["money"],
                                      flags=re.S)[0])
    assert "says how figures are dated" in figure_caption  # the rule: the annex's caption


def test_the_article_figures_are_the_articles_and_its_framing_is_attributed():
    """The article's figure is reported as the article's (never in the briefing's own
    voice); what the sources that qualify the claim say of it is said once, in the checks
    table, which the money section points to (review 15: not twice word for word)."""
    v, sections = _sections()
    paragraphs = [p for p in _paragraphs(sections["money"])
                  if re.search(r"\[C\d+", p)]
    assert len(paragraphs) == len(v.comparisons)
    for p in paragraphs:
        assert p.startswith("The article reports"), p
    aid = next(p for p in paragraphs if "[C49]" in p)
    assert aid.startswith("The article reports that China has said it will provide $31m")
    framing = "‘economic aid to the Islamist regime’ is the article’s own framing"
    assert framing not in aid and "emergency humanitarian aid" not in aid
    assert "As the checks below set out, a source qualifies the claim itself [S59]." in aid
    assert 'href="#check-C49"' in sections["money"]
    checks = present.markup(present.Report(v).section("checks", A.checks_facts(v)))
    row = re.search(r'<tr id="check-C49">(.*?)</tr>', checks, flags=re.S)
    assert row and framing in _text(row.group(1)) and "emergency humanitarian aid" in \
        _text(row.group(1))
    money = v.figures.set_index("id")
    assert "in the article’s words" in money.loc["M01", "label"]
    assert "economic aid" not in money.loc["R01", "label"]


def test_a_part_of_the_reserves_is_stated_as_part_of_the_total():
    v, sections = _sections()
    assets = next(p for p in _paragraphs(sections["money"]) if "[C32]" in p)
    given = re.search(r"The sources give (.*?in total: .*?)\. ", assets)
    assert given, assets
    assert "R04" not in given.group(1)  # the part is not listed as an estimate of the total
    assert re.search(r"\$9bn to nearly \$9\.5bn in total", given.group(1))  # "nearly": a ceiling
    # three estimates of the total are listed: the part names the one it is part of
    assert re.search(r"Of Ajmal Ahmady’s \$9bn \(R02\), about \$7bn \(R04, 18 Aug 2021\) "
                     r"was held at the New York Fed \[S64\]\.", assets), assets
    assert "Of the whole" not in assets and "Of that total" not in assets


@pytest.mark.parametrize("dataset", ["shipped", "other"])
def test_every_part_is_stated_as_a_part_in_any_dataset(tmp_path, dataset):
    data = None if dataset == "shipped" else _with_parts(tmp_path)
    v, sections = _sections(data)
    parts = [c for c in v.comparisons if c.parts]
    assert parts
    paragraphs = _paragraphs(sections["money"])
    for c in parts:
        p = next(p for p in paragraphs if f"[{c.figure[C.CLAIM_ID]}]" in p)
        for g in c.part_groups:
            marker = f" ({g['whole']['id']}), "
            before, _, after = p.partition(f"{g['whole']['amount']}{marker}")
            assert after and before.endswith(" Of " + (f"{g['per']}’s " if g["per"] else
                                                       "the ")), p
            for r in g["parts"]:
                assert f"({r['id']}" in after and f"({r['id']}" not in before, p
        for r in c.giving:
            assert f"({r['id']}" in p.split(" Of ")[0], p
        if c.total:
            assert f"{c.total} in total" in p
    if dataset == "other":
        p = next(p for p in paragraphs if "[C9]" in p)
        assert "about $900m–$1bn in total" in p
        assert ("Of the World Bank’s $1bn (R6), about $300m is the share of the cost for "
                "the bridges (R7") in p

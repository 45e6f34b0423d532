"""From review 11: a briefing over data a person has not confirmed says so, and a briefing
whose reference layer gives no borders counts nothing by border.

Rows still marked for review (a draft's) put a "Draft, not reviewed" notice on the cover;
with no border in the reference data, no sentence, finding or chart title says that none of
the states border the subject country (the data does not say), and a cover with no
reference source says so plainly instead of "what no reference sources say"."""

from __future__ import annotations

import base64
import csv
import html
import re

from briefing import analysis as A
from briefing import present
from briefing.load import load


def _text(data_dir, name: str, facts=None, **context) -> str:
    ds = load(data_dir)
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    markup = present.markup(present.Report(v).section(name, facts(v) if facts else v,
                                                      **context))
    markup = re.sub(r"<(p|li|tr|td|th|h\d|figcaption)\b[^>]*>", "\n", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
                    .split())


def _rewrite(path, change) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_rows_marked_for_review_put_a_draft_notice_on_the_cover(data_copy):
    assert "Draft, not reviewed" not in _text(data_copy, "cover", title="", author="A",
                                               series="S")

    def mark(rows):
        for row in rows[1:4]:
            row[rows[0].index("review")] = "draft: check the speaker"
        return rows

    _rewrite(data_copy / "claims.csv", mark)
    text = _text(data_copy, "cover", title="", author="A", series="S")
    assert ("Draft, not reviewed. Three rows of the data are still marked for review: what "
            "this briefing says rests on them as drafted.") in text


def test_without_borders_in_the_reference_data_nothing_is_counted_by_border(data_copy):
    _rewrite(data_copy / "reference" / "borders.csv", lambda rows: rows[:1])
    section = _text(data_copy, "membership", A.membership_facts)
    assert ("The reference data does not say which of the ten states counted as members of "
            "the SCO or the CSTO on 17 Sep 2021, as the article lists them, border "
            "Afghanistan.") in section
    assert not re.search(r"\b(none|neither|only|both|all \w+) (of the \w+ )?(members|states)?"
                         r".{0,40}\bborders? Afghanistan", section), section
    ds = load(data_copy)
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    markup = present.markup(present.Report(v).section("membership", A.membership_facts(v)))
    chart = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"',
                                       markup).group(1)).decode()
    assert "Who belongs to the SCO and the CSTO, state by state" in chart  # its title
    findings = _text(data_copy, "key_judgements", A.judgement_facts)
    assert "share an internationally recognised land border" not in findings


def test_a_cover_without_reference_sources_says_so(data_copy):
    _rewrite(data_copy / "reference" / "sources.csv", lambda rows: rows[:1])
    for name in ("membership_timeline", "borders", "money_context", "qualifications"):
        _rewrite(data_copy / "reference" / f"{name}.csv", lambda rows: rows[:1])
    (data_copy / "judgements.csv").unlink()  # optional: judgements cite sources
    text = _text(data_copy, "cover", title="", author="A", series="S")
    assert "what it means (no reference source checks it yet)" in text
    assert "what no reference sources say" not in text


def test_the_money_chart_dates_an_article_figure_as_reported_that_day():
    """China's $31m: pledged on 8 Sep (its source, R01), reported by the article on 17 Sep
    (M01); the chart must not read as two announcements nine days apart."""
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    markup = present.markup(present.Report(v).section("money", A.money_facts(v)))
    charts = [base64.b64decode(src).decode() for src in
              re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', markup)]
    assert len(charts) == 2  # wide and narrow
    for svg in charts:
        text = html.unescape(" ".join(re.findall(r">([^<>]+)</text>", svg)))
        assert "reported 17 Sep 2021" in text
        assert "8 Sep 2021" in text and "reported 8 Sep" not in text

"""Money, from a fresh review: "billions" is at least two billion and no figure; "nearly" is
kept where a source says it; one figure reported twice is shown as one; a comparison of
scale is not a share; a disputed figure is compared with the figures it is out of line with,
not with a median of two; the chart's disputed mark and its legend glyph are one glyph."""

from __future__ import annotations

import csv
import html as html_lib
import re

import matplotlib.pyplot as plt
import pytest

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.analysis.amounts import amount_text, hedge, span_text
from briefing.charts.money import DISPUTED_MARKER, twins
from briefing.load import load
from briefing.schema import C


@pytest.fixture(scope="module")
def view():
    ds = load()
    return A.build_view(ds.tables, ds.meta, article=ds.article)


@pytest.fixture(scope="module")
def money_text(view):
    """The money section as a reader reads it (the chart's SVG left out)."""
    markup = present.markup(present.Report(view).section("money", A.money_facts(view)))
    markup = re.sub(r"<svg\b.*?</svg>|<img[^>]*>", "", markup, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")
    return " ".join(text.split()), markup


def _words(fig) -> dict[str, str]:
    """The words after each figure, by the figure's first line of words."""
    from matplotlib.text import Annotation

    return [t.get_text() for ax in fig.axes if ax.axison for t in ax.texts
            if isinstance(t, Annotation) and t.get_text()]


def test_billions_is_at_least_two_billion_in_the_data():
    with (paths.DATA_DIR / "money.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r[C.PRECISION] == "order_of_magnitude" and re.match(r"billions\b", r[C.AS_STATED]):
            assert float(r[C.LOW]) == 2e9 and not r[C.HIGH], r[C.MONEY_ID]  # plural: two up


def test_vague_wording_is_drawn_as_its_words_allow_without_a_dot(view):
    fig = charts.money_chart(view.figures, article_date=view.article_date)
    vague = view.figures[view.figures[C.PRECISION] == "order_of_magnitude"]
    assert len(vague)
    words = _words(fig)
    dots = {float(x) for ax in fig.axes for c in ax.collections for x, _ in c.get_offsets()}
    for _, r in vague.iterrows():
        said = [w for w in words if w.startswith(f"‘{r[C.AS_STATED]}’")]
        assert said and "no figure given" in said[0], r["id"]
        assert r[C.LOW] not in dots, r["id"]  # no point value put in the speaker's mouth
    assert not any("$1bn or more" in w for w in words)
    plt.close(fig)


def test_nearly_is_kept_where_the_source_says_it(view, money_text):
    assert hedge("nearly $9.5bn") == "nearly" and hedge("about $7bn") == "about"
    assert hedge("200 million yuan (30.96 million US dollars)") == "about"
    assert amount_text(9.5e9, 9.5e9, "approximate", "USD", "nearly $9.5bn") == "nearly $9.5bn"
    f = view.figures
    nearly = f[f[C.AS_STATED].str.lower().str.startswith("nearly ")]
    assert len(nearly) >= 2
    for _, r in nearly.iterrows():
        assert r["amount"].startswith("nearly "), r["id"]
    rows = [dict(r) for _, r in f[f["id"].isin(["R02", "R03", "R05"])].iterrows()]
    assert span_text(rows) == "$9bn to nearly $9.5bn"
    text, _ = money_text
    assert "about $9.5bn" not in text and "about $7.2bn" not in text
    assert "nearly $9.5bn" in text and "nearly $7.2bn" in text
    table = present.markup(present.Report(view).section("money_table", A.money_facts(view)))
    assert "nearly $9.5bn" in table and "about $9.5bn" not in table
    fig = charts.money_chart(f, article_date=view.article_date)
    words = _words(fig)
    assert any(w.startswith("nearly $7.2bn") for w in words)
    plt.close(fig)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_two_accounts_of_one_figure_are_shown_as_one(view, narrow):
    assert twins(view.figures) == {"R01": "M01"}  # the same claim, the same amount
    other = load(paths.FIXTURES_DIR / "other_dataset")
    other_view = A.build_view(other.tables, other.meta, article=other.article)
    assert set(twins(other_view.figures).items()) <= {("R3", "M1")}
    fig = charts.money_chart(view.figures, article_date=view.article_date, narrow=narrow)
    words = _words(fig)
    assert any(w.startswith("about $31m") and "same figure as M01" in w for w in words)
    assert sum("same figure as" in w for w in words) == 1
    plt.close(fig)


def test_the_account_comes_right_under_its_figure(view):
    from briefing.charts.money import _money_rows

    order = [i for _, g in _money_rows(view.figures, twins(view.figures)) for i in g["id"]]
    assert order.index("R01") == order.index("M01") + 1


def test_a_comparison_of_scale_is_not_read_as_a_share(view, money_text):
    text, _ = money_text
    assert "Like for like, $31m is" not in text
    assert "For scale, China’s $31m equals 5.1% of the $606m appeal (R10, 7 Sep 2021)" in text
    # the chart's title, as the template gives it to the chart: a plain string, no entity
    env = present.environment()
    real, titles = env.globals["charts"], []

    class Recording:
        def __getattr__(self, name):
            found = getattr(real, name)
            if name != "money_chart":
                return found
            return lambda *a, **k: titles.append(k["title"]) or found(*a, **k)

    env.globals["charts"] = Recording()
    try:
        present.Report(view).section("money", A.money_facts(view))
    finally:
        env.globals["charts"] = real
    assert titles == ["China’s $31m of aid equals 5.1% of the $606m appeal"]


def test_plain_words_for_what_the_sources_make_of_billions(money_text):
    text, _ = money_text
    assert "fall within the range its words allow" not in text
    assert "median" not in text
    assert ("The sources’ figures fit the article’s ‘billions of dollars’: $7.12bn (R06, "
            "30 Aug 2021)") in text
    assert ("The circulated figure for US gear left with the Taliban, $85bn (R08) [S92], is "
            "about twelve times the other sources’ figures ($7.12bn and nearly $7.2bn): so far "
            "out of line with them that it is marked as disputed.") in text


def test_the_disputed_glyph_is_the_same_in_the_chart_and_its_legend(view):
    fig = charts.money_chart(view.figures, article_date=view.article_date)
    disputed = view.figures[view.figures["disputed"]]
    assert len(disputed)
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    handle = next(h for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
                  if t.get_text() == "Disputed by the other sources")
    assert (handle.get_marker().vertices == DISPUTED_MARKER.vertices).all()
    marks = [c for ax in fig.axes for c in ax.collections
             if any(float(x) in set(disputed[C.LOW]) for x, _ in c.get_offsets())]
    assert marks
    for c in marks:
        assert len(c.get_paths()[0].vertices) == len(
            DISPUTED_MARKER.vertices)  # the ring and the cross, drawn as one marker
    words = _words(fig)
    undated = disputed[disputed[C.DATE].isna()]
    for _, r in undated.iterrows():
        assert any(w.startswith(r["amount"]) and "undated · disputed" in w for w in words)
    plt.close(fig)

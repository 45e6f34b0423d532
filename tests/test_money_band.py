"""A vague amount with no top ("billions of dollars": low 2e9, no high) is drawn as a band
from the least its words mean to the next order they do not reach (under $1tn), ticked at
both ends, with no arrow, wide and narrow alike; the legend says what is drawn. (Until review
12 the band ran to the edge of the plotting area, past $1tn, in an arrowhead.)"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Annotation

from briefing import analysis as A
from briefing import charts
from briefing.charts.common import VAGUE_COLOUR
from briefing.charts.money_marks import BAND_PT, vague
from briefing.load import load
from briefing.schema import C


@pytest.fixture(scope="module")
def view():
    ds = load()
    return A.build_view(ds.tables, ds.meta, article=ds.article)


def _arrows(fig) -> list[tuple]:
    """Each drawn arrow of a panel (an annotation with no words) as (axes, its extent from
    left to right in data coordinates, its floor)."""
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        if not ax.axison or ax.get_xscale() != "log":
            continue
        for t in ax.texts:
            if isinstance(t, Annotation) and not t.get_text() and t.arrow_patch is not None:
                box = t.arrow_patch.get_window_extent(renderer)
                (x0, _), (x1, _) = ax.transData.inverted().transform([(box.x0, box.y0),
                                                                       (box.x1, box.y1)])
                out.append((ax, x0, x1, t.xy[0]))
    return out


def _bands(fig) -> list[tuple]:
    """What is drawn from each floor (a band and its arrowhead, or an arrow), as one extent:
    (axes, leftmost, rightmost in data coordinates, the floor)."""
    out: dict[tuple, list] = {}
    for ax, x0, x1, floor in _arrows(fig):
        out.setdefault((id(ax), floor), [ax, x0, x1, floor])
        seen = out[id(ax), floor]
        seen[1], seen[2] = min(seen[1], x0), max(seen[2], x1)
    return [tuple(v) for v in out.values()]


def _vague_bands(fig) -> list[tuple]:
    """Each vague band drawn (a thick line in the vague colour), as (axes, left, right)."""
    return [(ax, min(line.get_xdata()), max(line.get_xdata())) for ax in fig.axes
            for line in ax.lines if line.get_color() == VAGUE_COLOUR
            and line.get_linewidth() == BAND_PT]


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_a_vague_band_with_no_top_ends_below_the_next_order(view, narrow):
    rows = view.figures
    no_top = [r for _, r in rows.iterrows() if vague(r) and pd.isna(r[C.HIGH])]
    assert no_top, "the shipped data has 'billions of dollars' (M02)"
    fig = charts.money_chart(rows, article_date=view.article_date, narrow=narrow)
    fig.canvas.draw()
    for r in no_top:
        drawn = [(ax, x0, x1) for ax, x0, x1 in _vague_bands(fig) if x0 == r[C.LOW]]
        assert len(drawn) == 1, r["id"]
        ax, x0, x1 = drawn[0]
        assert x1 == 1e12  # 'billions' stay under a trillion ...
        assert x1 < ax.get_xlim()[1] / 1.5  # ... and the band ends well inside the axis
        # no arrow from its floor: an arrow says "no upper end"
        assert not [floor for a, *_, floor in _bands(fig) if a is ax and floor == r[C.LOW]]
        # every figure of its group at or above the floor lies within the band
        same = rows[(rows["group"] == r["group"]) & (rows[C.LOW] >= r[C.LOW])
                    & (rows["id"] != r["id"])]
        assert {"R06", "R08"} <= set(same["id"])  # the Pentagon's $7.12bn, the $85bn
        for value in same[C.LOW]:
            assert x0 <= value <= x1, value
    plt.close(fig)


def test_the_band_ends_where_its_words_do_however_wide_the_axis(view):
    """The band's end is an amount, not the plotting area's edge: widening the axis (as the
    chart does to fit the words) leaves it at $1tn."""
    fig = charts.money_chart(view.figures, article_date=view.article_date)
    ax, _, _ = _vague_bands(fig)[0]
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * 1000)
    fig.canvas.draw()
    assert [x1 for a, x0, x1 in _vague_bands(fig) if a is ax and x0 == 2e9] == [1e12]
    plt.close(fig)


def test_a_more_than_floor_stays_a_short_arrow_from_its_dot(view):
    """'More than $1.2bn' is a dot at its floor and a short arrow, a marker of direction
    the legend names as a floor: it neither reaches the edge nor has an upper end."""
    rows = view.figures
    floor = rows[rows[C.PRECISION] == "lower_bound"]
    assert len(floor)
    fig = charts.money_chart(rows, article_date=view.article_date)
    fig.canvas.draw()
    for _, r in floor.iterrows():
        drawn = [(ax, x1) for ax, _, x1, at in _bands(fig) if at == r[C.LOW]]
        assert drawn
        for ax, x1 in drawn:
            assert x1 < ax.get_xlim()[1] / 3, r["id"]
    plt.close(fig)


def test_the_legend_says_what_the_band_is(view):
    fig = charts.money_chart(view.figures, article_date=view.article_date)
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    texts = [t.get_text() for t in legend.get_texts()]
    assert "Vague wording, no figure: the range its words allow" in texts
    assert "‘More than’: a floor, no upper end" in texts
    assert not [t for t in texts if "no upper end" in t and "Vague" in t]
    plt.close(fig)

"""A vague amount with no top ("billions of dollars": low 2e9, no high) is drawn as a band
that runs to the right edge of the plotting area, wide and narrow alike, so every figure at
or above its floor lies within it; the legend says what is drawn."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Annotation

from briefing import analysis as A
from briefing import charts
from briefing.charts.money_marks import open_ended, vague
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


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_an_open_ended_vague_band_reaches_the_edge_of_the_axis(view, narrow):
    rows = view.figures
    open_vague = [r for _, r in rows.iterrows() if vague(r) and open_ended(r)]
    assert open_vague, "the shipped data has 'billions of dollars' (M02)"
    fig = charts.money_chart(rows, article_date=view.article_date, narrow=narrow)
    fig.canvas.draw()
    for r in open_vague:
        drawn = [(ax, x0, x1) for ax, x0, x1, floor in _bands(fig) if floor == r[C.LOW]]
        assert drawn, r["id"]
        for ax, x0, x1 in drawn:
            lo, hi = ax.get_xlim()
            assert x0 == pytest.approx(r[C.LOW], rel=0.05), r["id"]  # from its floor ...
            assert x1 == pytest.approx(hi, rel=0.05), r["id"]  # ... to the axis's end
        # every figure of its group at or above the floor lies within the band
        same = rows[(rows["group"] == r["group"]) & (rows[C.LOW] >= r[C.LOW])
                    & (rows["id"] != r["id"])]
        assert {"R06", "R07"} <= set(same["id"])  # the sources' $7.12bn and ~$7.2bn
        for value in same[C.LOW]:
            assert any(x0 <= value <= x1 for _, x0, x1 in drawn), value
    plt.close(fig)


def test_the_band_follows_the_axis_however_far_it_is_extended(view):
    """The band's end is the plotting area's edge, not a length: widening the axis (as the
    chart does to fit the words) moves the end with it."""
    fig = charts.money_chart(view.figures, article_date=view.article_date)
    fig.canvas.draw()
    ax = next(ax for ax, *_ in _bands(fig))
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * 1000)
    fig.canvas.draw()
    ends = [x1 for a, _, x1, floor in _bands(fig) if a is ax and floor == 2e9]
    assert ends and all(x1 == pytest.approx(hi * 1000, rel=0.05) for x1 in ends)
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
    assert "Vague wording, no figure: from the least it means, no upper end" in texts
    assert "‘More than’: a floor, no upper end" in texts
    plt.close(fig)

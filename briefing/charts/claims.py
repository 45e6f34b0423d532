"""Claims by speaker, split by type of statement (or topic)."""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from .. import analysis as A
from ..schema import CLAIM_TYPES, C
from .common import (
    CATEGORY_FILLS,
    EDGE_IN,
    NARROW_WIDTH_IN,
    SOURCE_CHARS,
    WIDTH_IN,
    _figure,
    _fit_title,
    _source_line,
    with_narrow_variant,
)

BAR = 0.62  # a bar's height, in rows

#: Characters a line of a speaker's name (the bars' labels), wide and narrow: a long name
#: ("Malawi's disaster-management commissioner") takes two lines, not a third of the width.
SPEAKER_CHARS = {False: 24, True: 18}


@with_narrow_variant
def claims_chart(by_speaker: pd.DataFrame, claims: pd.DataFrame, by: str = C.CLAIM_TYPE,
                 title: str = "", narrow: bool = False) -> Figure:
    """Horizontal stacked bars: claims per speaker, split by claim type (or topic).
    ``by_speaker`` comes from :func:`analysis.claims_by_speaker`."""
    cats = [c for c in by_speaker.columns if c != "total"]
    if by == C.CLAIM_TYPE:
        cats = [c for c in CLAIM_TYPES if c in cats] + [c for c in cats if c not in CLAIM_TYPES]
    speakers = list(by_speaker.index)
    labels = [_speaker(s, narrow) for s in speakers]
    # a row takes the longest name's lines (2 in 0.3 in, as before; 3 in 0.36 in ...)
    row = max([0.3] + [0.12 * (label.count("\n") + 1) for label in labels])
    width = NARROW_WIDTH_IN if narrow else WIDTH_IN
    fig = _figure(1.9 + row * len(speakers) + (0.2 * len(cats) + 0.4 if narrow else 0.0),
                  width)
    ax = fig.add_subplot()
    ys = list(range(len(speakers)))[::-1]
    left = [0] * len(speakers)
    for i, cat in enumerate(cats):  # one collection of bars per category, not one per bar
        vals = list(by_speaker[cat])
        boxes = [[(x, y - BAR / 2), (x + v, y - BAR / 2), (x + v, y + BAR / 2), (x, y + BAR / 2)]
                 for y, x, v in zip(ys, left, vals, strict=True) if v]
        colour, hatch = CATEGORY_FILLS[i % len(CATEGORY_FILLS)]
        ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="white",
                                         linewidths=0.5, hatch=hatch or None,
                                         hatchcolor="white", label=A.label(cat)))
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.autoscale_view()
    for y, total in zip(ys, by_speaker["total"], strict=True):
        ax.text(total + 0.2, y, str(int(total)), va="center", fontsize=7.5)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels)
    ax.set_xlabel("Number of claims")
    what = "type of statement" if by == C.CLAIM_TYPE else "topic"
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(left + [1]) * 1.08 + 0.5)
    ax.grid(axis="x", color="#E0E0E0", lw=0.6)
    ax.set_axisbelow(True)
    if narrow:  # under the chart, from the figure's left edge (the names take the axes' left)
        ax.legend(loc="upper left", bbox_to_anchor=(EDGE_IN / width, -0.14), ncol=2,
                  bbox_transform=blended_transform_factory(fig.transFigure, ax.transAxes),
                  title=what.capitalize(), title_fontsize=7.5)
    else:
        ax.legend(loc="lower right", ncol=1 if len(cats) < 6 else 2, title=what.capitalize(),
                  title_fontsize=7.5)
    _source_line(fig, f"Source: claims.csv ({len(claims)} claims, {_range(claims)})."
                 + _counted_twice(claims, int(by_speaker["total"].sum())),
                 SOURCE_CHARS[narrow])
    _fit_title(ax, title or f"Who says what: claims by speaker and {what}", narrow)
    return fig


def _speaker(name: str, narrow: bool) -> str:
    """A speaker's name as its bar's label: in full, over as many lines as it needs (at a
    space or after a hyphen, never inside a word)."""
    return "\n".join(textwrap.wrap(str(name), SPEAKER_CHARS[narrow],
                                    break_long_words=False)) or str(name)


def _counted_twice(claims: pd.DataFrame, bars: int) -> str:
    """Why the bars add up to more than the claims: a statement credited to several
    speakers counts once for each of them (named when few)."""
    speakers = A.credited(claims).groupby(C.CLAIM_ID)["who"].nunique()
    several = speakers[speakers > 1]
    if several.empty:
        return ""
    ids = sorted(several.index, key=A.ref_key)
    how_many = A.count_word(int(several.max())) if several.nunique() == 1 else "several"
    if len(ids) > 4:
        who = f" {len(ids)} claims are credited to {how_many} speakers each"
    elif len(ids) > 1:
        who = f" {A.join_names(ids)} are credited to {how_many} speakers each"
    else:
        who = f" {ids[0]} is credited to {how_many} speakers"
    return f"{who} and counted once per speaker, so the bars add up to {bars}."


def _range(claims: pd.DataFrame) -> str:
    ids = sorted(claims[C.CLAIM_ID], key=A.ref_key)
    return f"{ids[0]}–{ids[-1]}" if ids else "none"

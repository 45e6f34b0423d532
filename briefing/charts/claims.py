"""Claims by speaker, split by type of statement (or topic)."""

from __future__ import annotations

import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .. import analysis as A
from ..schema import CLAIM_TYPES, C
from .common import (
    NARROW_WIDTH_IN,
    PALETTE,
    SOURCE_CHARS,
    WIDTH_IN,
    _figure,
    _source_line,
    _title,
    _wrap,
    with_narrow_variant,
)

BAR = 0.62  # a bar's height, in rows


@with_narrow_variant
def claims_chart(by_speaker: pd.DataFrame, claims: pd.DataFrame, by: str = C.CLAIM_TYPE,
                 title: str = "", narrow: bool = False) -> Figure:
    """Horizontal stacked bars: claims per speaker, split by claim type (or topic).
    ``by_speaker`` comes from :func:`analysis.claims_by_speaker`."""
    cats = [c for c in by_speaker.columns if c != "total"]
    if by == C.CLAIM_TYPE:
        cats = [c for c in CLAIM_TYPES if c in cats] + [c for c in cats if c not in CLAIM_TYPES]
    speakers = list(by_speaker.index)
    fig = _figure(1.9 + 0.3 * len(speakers) + (0.2 * len(cats) + 0.4 if narrow else 0.0),
                  NARROW_WIDTH_IN if narrow else WIDTH_IN)
    ax = fig.add_subplot()
    ys = list(range(len(speakers)))[::-1]
    left = [0] * len(speakers)
    for i, cat in enumerate(cats):  # one collection of bars per category, not one per bar
        vals = list(by_speaker[cat])
        boxes = [[(x, y - BAR / 2), (x + v, y - BAR / 2), (x + v, y + BAR / 2), (x, y + BAR / 2)]
                 for y, x, v in zip(ys, left, vals, strict=True) if v]
        ax.add_collection(PolyCollection(boxes, facecolors=PALETTE[i % len(PALETTE)],
                                         edgecolors="white", linewidths=0.5,
                                         label=A.label(cat)))
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.autoscale_view()
    for y, total in zip(ys, by_speaker["total"], strict=True):
        ax.text(total + 0.2, y, str(int(total)), va="center", fontsize=7.5)
    ax.set_yticks(ys)
    ax.set_yticklabels([_wrap(s, 18) for s in speakers] if narrow else speakers)
    ax.set_xlabel("Number of claims")
    what = "type of statement" if by == C.CLAIM_TYPE else "topic"
    ax.set_ylabel("Speaker")
    _title(ax, title or f"Who says what: claims by speaker and {what}", narrow)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(left + [1]) * 1.08 + 0.5)
    ax.grid(axis="x", color="#E0E0E0", lw=0.6)
    ax.set_axisbelow(True)
    if narrow:
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=2,
                  title=what.capitalize(), title_fontsize=7.5)
    else:
        ax.legend(loc="lower right", ncol=1 if len(cats) < 6 else 2, title=what.capitalize(),
                  title_fontsize=7.5)
    _source_line(fig, f"Source: claims.csv ({len(claims)} claims, {_range(claims)})."
                 + _counted_twice(claims, int(by_speaker["total"].sum())),
                 SOURCE_CHARS[narrow])
    return fig


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

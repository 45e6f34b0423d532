"""Overlaps of two or more organisations: a Venn diagram (two) and an UpSet plot (any)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from .common import OKABE_ITO, WIDTH_IN, _figure, _source_line


def venn2(overlap_frame: pd.DataFrame, organisations: Sequence[str],
          focus_name: str | None = None) -> Figure:
    """Two-set Venn diagram with the states named in each region (two organisations only)."""
    orgs = list(organisations)
    if len(orgs) != 2:
        raise ValueError("a two-set Venn diagram needs exactly two organisations")
    regions = {combo: row for combo, row in zip(overlap_frame["combination"],
                                                 overlap_frame.itertuples(), strict=True)}
    fig = _figure(3.3)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    colours = (OKABE_ITO["blue"], OKABE_ITO["orange"])
    for cx, colour in zip((-0.55, 0.55), colours, strict=True):
        ax.add_patch(Circle((cx, 0), 1.0, facecolor=colour, alpha=0.18, edgecolor=colour,
                            lw=1.6))

    def names(combo) -> tuple[int, str]:
        row = regions.get(tuple(combo))
        if row is None:
            return 0, ""
        listed = [f"{c}" if c != focus_name else f"{c} ★" for c in row.countries]
        return row.n, "\n".join(listed)

    for x, combo in ((-1.0, (orgs[0],)), (0.0, tuple(orgs)), (1.0, (orgs[1],))):
        count, text = names(combo)
        ax.text(x, 0.55, str(count), ha="center", va="center", fontsize=13,
                fontweight="bold")
        ax.text(x, 0.35, text, ha="center", va="top", fontsize=7.2, linespacing=1.15)
    for cx, org, colour in zip((-0.95, 0.95), orgs, colours, strict=True):
        ax.text(cx, 1.1, org, ha="center", va="bottom", fontsize=10, fontweight="bold",
                color=colour)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.1, 1.35)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Number of states in each region, and their names")
    ax.set_title(f"States in {orgs[0]} only, in both, and in {orgs[1]} only")
    _source_line(fig, "Counts of states from the membership grid (same statuses and date)."
                 + (" ★ marks the focus country." if focus_name else ""))
    return fig


def upset(overlap_frame: pd.DataFrame, organisations: Sequence[str]) -> Figure:
    """UpSet plot: a bar per exclusive combination of organisations, the combination shown
    as joined dots beneath it. Scales to any number of organisations."""
    orgs = list(organisations)
    k = max(len(overlap_frame), 1)
    fig = _figure(1.8 + 0.3 * len(orgs) + 1.2, width=WIDTH_IN if k > 5 else 5.0)
    gs = fig.add_gridspec(2, 1, height_ratios=[2.2, 0.35 * len(orgs) + 0.3])
    top = fig.add_subplot(gs[0])
    bottom = fig.add_subplot(gs[1], sharex=top)
    xs = list(range(len(overlap_frame)))
    top.bar(xs, overlap_frame["n"], color=OKABE_ITO["blue"], width=0.6)
    for x, v in zip(xs, overlap_frame["n"], strict=True):
        top.text(x, v, str(v), ha="center", va="bottom", fontsize=8)
    top.set_ylabel("States (count)")
    top.set_title("States per combination of organisations")
    top.tick_params(labelbottom=False)
    for x, combo in zip(xs, overlap_frame["combination"], strict=True):
        ys = [len(orgs) - 1 - orgs.index(o) for o in combo]
        bottom.scatter([x] * len(orgs), range(len(orgs)), s=40, color="#DDDDDD", zorder=1)
        bottom.scatter([x] * len(ys), ys, s=45, color=OKABE_ITO["black"], zorder=2)
        if len(ys) > 1:
            bottom.plot([x, x], [min(ys), max(ys)], color=OKABE_ITO["black"], lw=1.5)
    bottom.set_yticks(range(len(orgs)))
    bottom.set_yticklabels(orgs[::-1])
    bottom.set_xticks(xs)
    bottom.set_xticklabels([""] * len(xs))
    bottom.set_xlabel("Combination of organisations (dots joined = member of each)")
    bottom.set_ylim(-0.6, len(orgs) - 0.4)
    for spine in bottom.spines.values():
        spine.set_visible(False)
    bottom.tick_params(length=0)
    _source_line(fig, "Counts of states from the membership grid (same statuses and date).")
    return fig

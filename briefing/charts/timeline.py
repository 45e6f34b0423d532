"""A country's statuses over time, one lane per organisation, to the end of the data."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath

from .. import analysis as A
from ..schema import C
from .common import (
    NARROW_WIDTH_IN,
    SOURCE_CHARS,
    STATUS_STYLE,
    WIDTH_IN,
    _figure,
    _fit_title,
    _footer,
    _footer_height,
    _short_refs,
    with_narrow_variant,
)

#: The narrowest bar a status gets (one that began on the last day of the data would have
#: none) and the length of the arrow of one still held, in points: the same on any span.
STUB_PT, ARROW_PT = 5.0, 14.0


def _plot_width_pt(width_in: float, lanes: list[str]) -> float:
    """About how wide the plot area will be: the figure less the organisation names and the
    axis label on its left. Marks sized in points are laid out in days from it."""
    return width_in * 72 - 40 - 5.0 * max((len(str(o)) for o in lanes), default=4)


def _legend_columns(labels: list[str], most: int, room_pt: float) -> int:
    """The most columns, up to ``most``, whose legend fits in ``room_pt``: one wider than
    the plot area would squeeze the chart to make room for it."""
    rc = matplotlib.rcParams
    size = rc["legend.fontsize"]
    prop, measure = FontProperties(size=size), TextToPath()
    widths = np.array([measure.get_text_width_height_descent(label, prop, ismath=False)[0]
                       for label in labels])
    entry = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * size
    for ncol in range(min(most, len(labels)), 1, -1):
        # matplotlib fills a legend column by column, as array_split splits
        texts = sum(column.max() + entry for column in np.array_split(widths, ncol))
        gaps = (ncol - 1) * rc["legend.columnspacing"] + 2 * rc["legend.borderpad"]
        if texts + gaps * size <= room_pt:
            return ncol
    return 1


def _overlaps(rows: pd.DataFrame, last: dt.date) -> bool:
    """Whether any two status intervals of one organisation overlap in time."""
    spans = sorted((r[C.START_DATE], r[C.END_DATE] or last) for _, r in rows.iterrows())
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))


@with_narrow_variant
def timeline_chart(intervals: pd.DataFrame, country: str, article_date: dt.date | None,
                   as_of: dt.date | None = None, end: dt.date | None = None,
                   title: str = "", narrow: bool = False) -> Figure:
    """One lane per organisation: a bar per status interval, coloured by status.

    Intervals still open run to ``end`` (the end of the data, the view's information
    cut-off; default: the latest date in the data shown, so the chart never depends on
    today's date) and end in an arrow; the axis runs to ``end``. A start only known as
    'on or before' is drawn with a dotted lead-in. A bar is never narrower than a stub of
    a few points, so a status that began on the last day of the data still shows.
    """
    import matplotlib.dates as mdates

    orgs = list(dict.fromkeys(intervals[C.ORGANISATION]))
    dates = [d for d in list(intervals[C.START_DATE]) + list(intervals[C.END_DATE]) if d]
    dates += [d for d in (article_date, as_of, end) if d]
    last = max(dates) if dates else dt.date(2000, 1, 1)
    first = min(dates) - dt.timedelta(days=365) if dates else dt.date(1990, 1, 1)
    width_in = NARROW_WIDTH_IN if narrow else WIDTH_IN
    # days a point of the plot area spans, with room right of the end for a stub and arrow
    plot_pt = _plot_width_pt(width_in, orgs)
    room_pt = STUB_PT + ARROW_PT + 6
    day_per_pt = (last - first).days / (plot_pt - room_pt)
    stub_days, arrow_days = STUB_PT * day_per_pt, ARROW_PT * day_per_pt
    statuses = list(dict.fromkeys(intervals[C.STATUS]))
    lead_in = bool((intervals[C.START_PRECISION] == "on_or_before").any())
    labels = [A.label(s) for s in statuses]
    labels += ["Began on or before the date shown"] if lead_in else []
    source = ("Source: reference/membership_timeline.csv; sources "
              f"{_short_refs(list(intervals[C.SOURCE_ID]))}. Arrows: still held at the end of "
              f"the data ({A.day(last)}).")
    main_h = 0.9 + 0.4 * max(len(orgs), 1) + (0.3 if narrow else 0.0)
    chars = SOURCE_CHARS[narrow]
    ncol = _legend_columns(labels, 2 if narrow else 4, plot_pt)
    foot_h = _footer_height(len(labels), ncol, source, chars)
    fig = _figure(main_h + foot_h, width_in)
    # the footer row is drawn flat: what hangs from it takes the room it needs
    gs = fig.add_gridspec(2, 1, height_ratios=[main_h, 0.01])
    ax = fig.add_subplot(gs[0])
    lanes = {o: len(orgs) - 1 - i for i, o in enumerate(orgs)}
    # statuses held in parallel (e.g. member and participation frozen) get sub-lanes
    sub: dict[tuple[str, str], tuple[float, float]] = {}
    for org in orgs:
        held = list(dict.fromkeys(intervals.loc[intervals[C.ORGANISATION] == org, C.STATUS]))
        overlapping = _overlaps(intervals[intervals[C.ORGANISATION] == org], last)
        k = len(held) if overlapping else 1
        h = 0.6 / k
        for i, status in enumerate(held):
            offset = (0.3 - h / 2 - i * h) if overlapping else 0.0
            sub[(org, status)] = (lanes[org] + offset, h * 0.9)
    for _, r in intervals.iterrows():
        y, height = sub[(r[C.ORGANISATION], r[C.STATUS])]
        start = mdates.date2num(r[C.START_DATE])
        stop = max(mdates.date2num(r[C.END_DATE] or last), start + stub_days)
        _, face, edge = STATUS_STYLE.get(r[C.STATUS], ("o", "#777777", "#777777"))
        colour = edge if face == "white" else face
        ax.barh(y, stop - start, left=start, height=height, color=colour, alpha=0.85,
                hatch="//" if face == "white" else None, edgecolor=colour)
        if r[C.START_PRECISION] == "on_or_before":
            lead = r[C.START_DATE] - dt.timedelta(days=540)
            ax.plot([mdates.date2num(lead), start], [y, y], ls=":", color=colour, lw=2)
        if r[C.END_DATE] is None:
            tail = max(mdates.date2num(last), stop)
            ax.annotate("", xy=(tail + arrow_days, y), xytext=(tail, y),
                        arrowprops={"arrowstyle": "->", "color": colour})
    marks = [(d, w, st) for d, w, st in ((article_date, "article", "--"), (as_of, "as of", ":"))
             if d]
    for i, (d, words, style) in enumerate(marks):
        ax.axvline(mdates.date2num(d), color="#333333", ls=style, lw=1)
        # the label goes on the side with more room (the first of two on the left)
        left_side = (i == 0 and len(marks) > 1) or (len(marks) == 1
                                                    and (d - first) > (last - d))
        ax.text(mdates.date2num(d), len(orgs) - 0.45,
                f"{words} {A.day(d)} " if left_side else f" {words} {A.day(d)}",
                fontsize=7, va="bottom", ha="right" if left_side else "left")
    ax.set_yticks(list(lanes.values()))
    ax.set_yticklabels(list(lanes))
    ax.set_ylim(-0.95, max(len(orgs), 1) - 0.2)
    ax.axvline(mdates.date2num(last), color="#777777", ls="-", lw=0.6)
    ax.text(mdates.date2num(last), -0.88, f"end of data {A.day(last)} ", fontsize=7,
            va="bottom", ha="right", color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6}, zorder=5)
    ax.set_xlim(mdates.date2num(first), mdates.date2num(last) + room_pt * day_per_pt)
    span_years = max((last - first).days / 365.25, 1.0)
    ax.xaxis.set_major_locator(mdates.YearLocator(
        base=max(1, math.ceil(span_years / (4 if narrow else 8)))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("Year")
    ax.set_ylabel("Organisation")
    _fit_title(ax, title or f"{country}: status in each organisation over time", narrow)
    handles = []
    for s in statuses:
        _, face, edge = STATUS_STYLE.get(s, ("o", "#777777", "#777777"))
        colour = edge if face == "white" else face
        handles.append(Patch(facecolor=colour, edgecolor=colour,
                             hatch="//" if face == "white" else None, label=A.label(s)))
    if lead_in:
        handles.append(Line2D([], [], ls=":", color="#333333", lw=2, label=labels[-1]))
    _footer(fig.add_subplot(gs[1]), handles, ncol, source, chars)
    return fig

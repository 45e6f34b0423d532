"""A country's statuses over time, one lane per organisation, to the end of the data."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

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
    SMALLEST_PT,
    SOURCE_CHARS,
    STATUS_STYLE,
    WIDTH_IN,
    _axes_room,
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

#: The dated lines' labels (article, as of, end of data): their size, their gap from their
#: line and from any other line or label (points), and the height of a row of them (in
#: lanes). Rows sit above the lanes (band 1) and below them (-1).
LABEL_PT, LABEL_GAP_PT, LABEL_ROW = SMALLEST_PT, 2.5, 0.42
#: The height a lane adds to the chart, in inches.
LANE_IN = 0.4
#: The lanes' extent (the bars are 0.6 of a lane high, centred on each) and where the first
#: row of labels begins above and below them, in lanes.
LANES_BELOW, FIRST_ROW_ABOVE, FIRST_ROW_BELOW = -0.45, 0.55, -0.88


@dataclass(frozen=True)
class _DateLine:
    """A dated vertical line and its label: where it is (``x``) and the label's width, in
    days; where the label would best go."""

    x: float
    width: float
    band: int  # 1: above the lanes, -1: below them
    side: str  # "left" or "right" of the line


def _label_places(lines: list[_DateLine], lo: float, hi: float, gap: float,
                  rows: int = 3) -> list[tuple[int, int, str]]:
    """Where each line's label goes: (band, row, side), so that no label is crossed by
    another line or overlaps another label, and none runs past the plot (``lo``, ``hi``).
    A label stands ``gap`` (days) from its line, and keeps as much from any other.

    A line runs through the lanes and on into its own label's band, up to its label's row,
    and no further: a label in a band is crossed only by the lines whose labels sit in that
    band, in its row or beyond. Of the placements that cross nothing, the one with the
    fewest rows, then the most labels where they would best go; if none crosses nothing
    (labels wider than the plot), the one with the fewest crossings."""
    options = [(band, row, side) for row in range(rows) for band in (1, -1)
               for side in ("left", "right")]

    def extent(line: _DateLine, side: str) -> tuple[float, float]:
        """The label's text, from left to right."""
        if side == "left":
            return line.x - gap - line.width, line.x - gap
        return line.x + gap, line.x + gap + line.width

    def faults(places) -> int:
        count = 0
        spans = [extent(line, side) for line, (_, _, side) in zip(lines, places, strict=True)]
        for i, (line, (band, row, _)) in enumerate(zip(lines, places, strict=True)):
            left, right = spans[i]
            count += left < lo or right > hi
            for j, (other, (band_j, row_j, _)) in enumerate(zip(lines, places, strict=True)):
                if j == i:
                    continue
                if other.x != line.x and band_j == band and row_j >= row \
                        and left - gap < other.x < right + gap:
                    count += 1  # the other line runs through this label, or touches it
                if j > i and (band_j, row_j) == (band, row) \
                        and spans[j][0] < right + gap and left < spans[j][1] + gap:
                    count += 1  # two labels on top of each other
        return count

    def cost(places) -> tuple:
        extra = sum(max((row for band_k, row, _ in places if band_k == band), default=0)
                    for band in (1, -1))
        missed = sum((band != line.band) * 2 + (side != line.side)
                     for line, (band, _, side) in zip(lines, places, strict=True))
        return faults(places), extra, missed

    return list(min(itertools.product(options, repeat=len(lines)), key=cost)) if lines else []


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
    main_h = 0.9 + LANE_IN * max(len(orgs), 1) + (0.3 if narrow else 0.0)
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
    ax.set_yticks(list(lanes.values()))
    ax.set_yticklabels(list(lanes))
    ax.set_xlim(mdates.date2num(first), mdates.date2num(last) + room_pt * day_per_pt)
    span_years = max((last - first).days / 365.25, 1.0)
    ax.xaxis.set_major_locator(mdates.YearLocator(
        base=max(1, math.ceil(span_years / (4 if narrow else 8)))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("Year")
    ax.set_ylabel("Organisation")
    extra_rows = _date_lines(ax, max(len(orgs), 1), [
        (d, f"{words} {A.day(d)}", style)
        for d, words, style in ((article_date, "article", {"ls": "--", "color": "#333333",
                                                           "lw": 1.0}),
                                (as_of, "as of", {"ls": ":", "color": "#333333", "lw": 1.0}),
                                (last, "end of data", {"ls": "-", "color": "#777777",
                                                       "lw": 0.6}))
        if d], first, last)
    if extra_rows:  # the figure grows by the rows of labels: the lanes keep their height
        grow = LANE_IN * LABEL_ROW * extra_rows
        gs.set_height_ratios([main_h + grow, 0.01])
        fig.set_figheight(fig.get_figheight() + grow)
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


def _date_lines(ax, n_lanes: int, marks: list[tuple[dt.date, str, dict]], first: dt.date,
                last: dt.date) -> int:
    """The dated lines (``marks``: day, label, line style) and their labels, placed by
    :func:`_label_places` so that no line runs through a label and no two labels overlap,
    on the wide chart and the narrow one alike: a label goes above the lanes (the article's,
    an as-of date's) or below them (the end of the data's), on the side of its line with
    more room, and moves to the other band or side, or to a row further out, where a line
    or label is in the way. Returns the rows of labels beyond the first above and below,
    for which the figure must grow. Call it once the y tick labels and axis label are set:
    the plot's width is measured from them."""
    import matplotlib.dates as mdates

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    lo, hi = ax.get_xlim()
    days_per_px = (hi - lo) / _axes_room(ax, renderer)
    px_per_pt = fig.dpi / 72
    gap = LABEL_GAP_PT * px_per_pt * days_per_px
    texts, lines = [], []
    for d, words, _ in marks:
        text = ax.annotate(words, (mdates.date2num(d), 0.0), xytext=(0, 0),
                           textcoords="offset points", fontsize=LABEL_PT, va="bottom",
                           color="#333333", annotation_clip=False)
        width = text.get_window_extent(renderer).width * days_per_px
        below = d == last
        texts.append(text)
        lines.append(_DateLine(
            mdates.date2num(d), width, -1 if below else 1,
            "left" if below or (d - first) > (last - d) else "right"))
    places = _label_places(lines, lo, hi, gap)
    rows_above = max((row + 1 for band, row, _ in places if band == 1), default=1)
    rows_below = max((row + 1 for band, row, _ in places if band == -1), default=1)
    top = n_lanes - 1 + FIRST_ROW_ABOVE
    ax.set_ylim(FIRST_ROW_BELOW - 0.07 - LABEL_ROW * (rows_below - 1),
                top + 0.25 + LABEL_ROW * (rows_above - 1))
    for text, line, (band, row, side), (_, _, style) in zip(texts, lines, places, marks,
                                                            strict=True):
        y = top + LABEL_ROW * row if band == 1 else FIRST_ROW_BELOW - LABEL_ROW * row
        text.xy = (line.x, y)
        text.set_position((-LABEL_GAP_PT if side == "left" else LABEL_GAP_PT, 0))
        text.set_horizontalalignment("right" if side == "left" else "left")
        # the line runs through the lanes and on to its label's row, beside the label
        ends = (LANES_BELOW, y + LABEL_ROW * 0.75) if band == 1 else (y, top - 0.1)
        ax.plot([line.x, line.x], list(ends), zorder=1.5, **style)
    return rows_above + rows_below - 2

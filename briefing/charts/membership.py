"""The membership grid: states by organisation, with the border column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.patheffects import withStroke

from .. import analysis as A
from ..schema import MEMBERSHIP_STATUSES, C
from .common import (
    BORDER_STYLE,
    BORDER_WORDS,
    FOCUS_BAND,
    GLYPH_HANDLERS,
    NARROW_WIDTH_IN,
    OKABE_ITO,
    SOURCE_CHARS,
    STATUS_STYLE,
    WIDTH_IN,
    Glyph,
    _figure,
    _fit_title,
    _short_refs,
    _source_line,
    _wrap,
    with_narrow_variant,
)

#: The small hollow ring of a state that holds none of the statuses shown in an
#: organisation: a mid grey, 3.9:1 against white (WCAG's 3:1 for graphics), so that it
#: prints, yet smaller and thinner than any status's marker.
NO_STATUS = {"s": 26, "marker": "o", "facecolor": "white", "edgecolor": "#808080",
             "linewidth": 1.0}

#: The line joining a state's organisations, and what it does at a grey ring between two of
#: them: it stops this far (points) from the ring's centre, the ring's radius and a clear gap
#: each side, so the ring stands alone and never looks threaded on the line like a member.
JOIN = {"color": "#555555", "lw": 1.2}
RING_GAP_PT = NO_STATUS["s"] ** 0.5 / 2 + NO_STATUS["linewidth"] / 2 + 4.0

#: The mark beside a border the reference data notes something about (the text says it).
NOTED_BORDER = "‡"

#: The mark beside a status the reference timeline alone gives on the article's date (the
#: article does not mention it), as the annex's table marks it.
FROM_REFERENCE = "*"
#: Its legend entry: the annex's words for the mark.
FROM_REFERENCE_WORDS = "From the reference timeline: the article does not mention it"


def _no_status_words(statuses: Sequence[str]) -> str:
    """What the light dot means, unless the caller words it: with members alone shown,
    simply not a member."""
    if set(statuses) <= set(A.MEMBER_STATUSES):
        return "Not a member"
    return "None of these statuses"


def _layer_words(long: pd.DataFrame, as_of: dt.date | None = None) -> str:
    """Where the statuses drawn come from, as ``long``'s ``layer`` records it for each: the
    article (members.csv), the reference timeline, or the article completed from the
    timeline (the statuses the article does not mention, marked *). The timeline is named
    too where it only dates the article's own statuses (``also``): the evidence then cites
    its sources. ``as_of``, when given, dates the timeline; with no status to draw,
    an as-of date's view is the timeline's."""
    layers = set(long["layer"]) if len(long) and "layer" in long.columns else set()
    if len(long) and "layers" in long.columns:
        layers |= {layer for row in long["layers"] for layer in row}
    from_article = A.ARTICLE in layers
    from_timeline = A.REFERENCE in layers or (not layers and as_of is not None)
    article = "the article (members.csv)"
    timeline = ("the reference timeline" + (f" on {A.day(as_of)}" if as_of else "")
                + " (reference/membership_timeline.csv)")
    if from_article and from_timeline:
        return f"{article}, completed from {timeline}, marked {FROM_REFERENCE}"
    if from_article and "also" in layers:
        return f"{article}, with sources from {timeline}"
    return timeline if from_timeline else article


def _join(ax, y: float, first: int, last: int, rings: Sequence[int]) -> None:
    """The line joining a state's organisations, columns ``first`` to ``last`` on row ``y``:
    one line, or, across a column where the state has a grey ring (``rings``), a line
    broken around it, each piece stopping RING_GAP_PT short of the ring."""
    between = sorted(i for i in rings if first < i < last)
    if not between:
        ax.plot([first, last], [y, y], zorder=1, **JOIN)
        return
    stops = [first, *between, last]
    for a, b in zip(stops, stops[1:], strict=False):
        ax.add_patch(FancyArrowPatch((a, y), (b, y), arrowstyle="-", zorder=1,
                                     shrinkA=RING_GAP_PT if a in between else 0.0,
                                     shrinkB=RING_GAP_PT if b in between else 0.0,
                                     capstyle="butt", **JOIN))


#: Where a cell's mark (†, *) sits from its marker's centre, in points: to the right, a little up,
#: clear of a marker (60 pt², some 4 pt across) whatever the columns' spacing.
MARK_OFFSET_PT = (5.5, 1.5)


def _cell_mark(ax, x: float, y: float, glyph: str, color: str, size: float) -> None:
    """A mark beside the marker of cell (``x``, ``y``), in a thin white halo so that the line
    joining a state's organisations, which runs through the cell, never crosses it."""
    ax.annotate(glyph, (x, y), xytext=MARK_OFFSET_PT, textcoords="offset points",
                fontsize=size, fontweight="bold", color=color, ha="left", va="center",
                zorder=3, path_effects=[withStroke(linewidth=2.5, foreground="white")])


#: Characters a line of a legend entry in the narrow (phone) variant, two entries a row.
LEGEND_CHARS_NARROW = 22


@with_narrow_variant
def membership_grid(matrix: pd.DataFrame, long: pd.DataFrame, organisations: Sequence[str],
                    subject_name: str | None = None, focus: str | None = None,
                    as_of: dt.date | None = None, title: str = "",
                    no_status: str = "", from_article: bool | None = None,
                    narrow: bool = False) -> Figure:
    """States (rows) x organisations (columns): a marker per status, lines joining a
    state's organisations (as in an UpSet matrix, but broken around a grey ring between
    two of them: never threaded through it), states grouped by their combination,
    an extra column for the border with the subject country, the focus state highlighted.
    A status the reference sources qualify (``long``'s ``flag``) carries a dagger; a small
    grey ring marks a state without a status in an organisation, ``no_status`` its legend
    entry (the caption's words for it); a border the reference data notes something about
    (``matrix``'s ``border_note``, for a recognised border) carries a double
    dagger, as the text says the note. On the article's date (``from_article``; by default,
    when ``long`` holds any of the article's statuses), a status the reference timeline
    alone gives (``long``'s ``layer``) carries an asterisk, as in the annex's table.

    ``matrix`` comes from :func:`briefing.analysis.membership_matrix` (with
    :func:`briefing.analysis.add_borders` when ``subject_name`` is given).
    """
    orgs = list(organisations)
    n = max(len(matrix), 1)
    show_border = subject_name is not None and C.BORDER_STATUS in matrix.columns
    fig = _figure(1.6 + 0.24 * n + (0.9 if narrow else 0.0),
                  NARROW_WIDTH_IN if narrow else WIDTH_IN)
    ax = fig.add_subplot()
    columns = orgs + ([f"Borders\n{subject_name}"] if show_border else [])
    ys = list(range(n))[::-1]
    unknown_border = False
    absent = False  # a grey ring drawn: a state without a status in an organisation
    noted = False  # a border carries a note
    # one scatter per marker style, not per cell: the same marks, far fewer artists to draw
    marks: dict[tuple, tuple[list[float], list[float]]] = {}

    def mark(x: float, y: float, **style) -> None:
        xs_ys = marks.setdefault(tuple(sorted(style.items())), ([], []))
        xs_ys[0].append(x)
        xs_ys[1].append(y)

    for y, (_, row) in zip(ys, matrix.iterrows(), strict=False):
        if focus and row[C.COUNTRY_CODE] == focus:
            ax.add_patch(Rectangle((-0.6, y - 0.5), len(columns) + 0.2, 1.0,
                                   color=FOCUS_BAND, zorder=0, lw=0))
        xs = [i for i, o in enumerate(orgs) if row[o]]
        if len(xs) > 1:
            _join(ax, y, min(xs), max(xs), [i for i, o in enumerate(orgs) if not row[o]])
        for i, o in enumerate(orgs):
            status = row[o]
            if not status:
                mark(i, y, zorder=2, **NO_STATUS)
                absent = True
                continue
            marker, face, edge = STATUS_STYLE.get(status, ("o", "#777777", "#777777"))
            mark(i, y, s=60, marker=marker, facecolor=face, edgecolor=edge, linewidth=1.4,
                 zorder=2)
        if show_border:
            b = row[C.BORDER_STATUS]
            x = len(orgs)
            if A.said_border_note(row):
                ax.text(x + 0.2, y + 0.1, NOTED_BORDER, fontsize=9, color="#333333",
                        ha="left", va="center")
                noted = True
            if b in BORDER_STYLE:
                marker, face, edge = BORDER_STYLE[b]
                if marker in ("_", "|", "x", "+", "*"):  # unfilled markers take one colour
                    mark(x, y, s=55, marker=marker, color=edge, linewidth=1.4, zorder=2)
                else:
                    mark(x, y, s=55, marker=marker, facecolor=face, edgecolor=edge,
                         linewidth=1.4, zorder=2)
            else:
                ax.text(x, y, "?", ha="center", va="center", color="#555555")
                unknown_border = True
    for style, (mx, my) in marks.items():
        ax.scatter(mx, my, **dict(style))
    # separators between combinations
    combos = list(matrix["combination"]) if not matrix.empty else []
    for k in range(1, len(combos)):
        if combos[k] != combos[k - 1]:
            y = ys[k] + 0.5
            ax.axhline(y, color="#BBBBBB", lw=0.6, ls=(0, (2, 2)), zorder=0)
    ax.set_yticks(ys[: len(matrix)])
    ax.set_yticklabels(list(matrix[C.COUNTRY]) if not matrix.empty else [])
    if focus:
        for tick, code in zip(ax.get_yticklabels(), matrix[C.COUNTRY_CODE], strict=False):
            if code == focus:
                tick.set_fontweight("bold")
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels(columns)
    ax.xaxis.tick_top()  # the column heads, above the grid: no axis title over them
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.7, n - 0.3)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    flagged = long[long["flag"] != ""] if "flag" in long.columns else long.iloc[0:0]
    row_of = {code: y for y, code in zip(ys, matrix[C.COUNTRY_CODE], strict=False)}
    for _, r in flagged.iterrows():
        if r[C.COUNTRY_CODE] in row_of and r[C.ORGANISATION] in orgs:
            _cell_mark(ax, orgs.index(r[C.ORGANISATION]), row_of[r[C.COUNTRY_CODE]], "†",
                       OKABE_ITO["vermillion"], 10)
    if from_article is None:
        from_article = len(long) > 0 and "layer" in long.columns and bool(
            (long["layer"] == A.ARTICLE).any())
    added = long[long["layer"] == A.REFERENCE] if from_article and len(long) \
        and "layer" in long.columns else long.iloc[0:0]
    starred = 0  # statuses drawn with the asterisk
    for _, r in added.iterrows():
        if r[C.COUNTRY_CODE] in row_of and r[C.ORGANISATION] in orgs:
            _cell_mark(ax, orgs.index(r[C.ORGANISATION]), row_of[r[C.COUNTRY_CODE]],
                       FROM_REFERENCE, "#333333", 11)
            starred += 1
    _fit_title(ax, title or f"Who belongs to {A.join_names(orgs)}, state by state", narrow,
               pad=8)
    statuses = [s for s in MEMBERSHIP_STATUSES if s in set(long[C.STATUS])] if len(long) else []
    handles = [Line2D([], [], ls="", marker=STATUS_STYLE[s][0],
                      markerfacecolor=STATUS_STYLE[s][1], markeredgecolor=STATUS_STYLE[s][2],
                      markeredgewidth=1.4, markersize=7, label=A.label(s))
               for s in statuses if s in STATUS_STYLE]
    if absent:
        handles.append(Line2D([], [], ls="", marker=NO_STATUS["marker"],
                              markerfacecolor=NO_STATUS["facecolor"],
                              markeredgecolor=NO_STATUS["edgecolor"],
                              markeredgewidth=NO_STATUS["linewidth"],
                              markersize=NO_STATUS["s"] ** 0.5,
                              label=no_status or _no_status_words(statuses)))
    if show_border:
        present = set(matrix[C.BORDER_STATUS])
        for b in ("recognised", "claimed", "none", "subject"):
            if b in present:
                m, f, e = BORDER_STYLE[b]
                words = (f"{subject_name} itself" if b == A.SUBJECT
                         else BORDER_WORDS[b].capitalize())
                handles.append(Line2D([], [], ls="", marker=m, markerfacecolor=f,
                                      markeredgecolor=e, markeredgewidth=1.4, markersize=7,
                                      label=words))
    if noted:
        handles.append(Glyph(NOTED_BORDER, "#333333", fontsize=9,
                             label="Border noted in the text"))
    if unknown_border:
        handles.append(Glyph("?", "#555555", label="Border not in the reference data"))
    if focus and not matrix.empty and focus in set(matrix[C.COUNTRY_CODE]):
        handles.append(Patch(color=FOCUS_BAND, label="Focus country"))
    if len(flagged):
        handles.append(Glyph("†", OKABE_ITO["vermillion"], fontsize=10, fontweight="bold",
                             label="Status the sources qualify"))
    if starred:
        handles.append(Glyph(FROM_REFERENCE, "#333333", fontsize=11, fontweight="bold",
                             label=FROM_REFERENCE_WORDS))
    if handles and narrow:  # two a row: a long label on two lines, not past the edge
        for handle in handles:
            handle.set_label(_wrap(handle.get_label(), LEGEND_CHARS_NARROW))
    if handles:
        rows = -(-len(handles) // (2 if narrow else 5))  # up to five a row (two if narrow)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02),
                  ncol=-(-len(handles) // rows),  # the rows as even as they can be
                  handler_map=GLYPH_HANDLERS)
    refs = list(long["evidence"].explode().dropna()) if len(long) else []
    if show_border:
        refs += [s for s in matrix.get("border_source", []) if s]
    files = [_layer_words(long, as_of)] + (["reference/borders.csv"] if show_border else [])
    _source_line(fig, f"Source: {'; '.join(files)}; evidence {_short_refs(refs)}.",
                 SOURCE_CHARS[narrow])
    return fig

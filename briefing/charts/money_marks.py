"""One money figure's mark in the money chart: its glyph on the axis, the words after it and
the height of its row; :mod:`.money` orders the rows and lays them out in panels.

A figure is a dot (filled: the article's; open: a reference source's), a range, or a dot at its
floor and a short arrow for "more than X" (a marker of direction, never an invented upper
end); vague wording ("billions") is a band over the range its words allow, written in its own
words with "no figure given", never a dot. Where the data sets no top, the words do: the band
runs from the least they mean to the next order they do not reach ("billions": under a
trillion, :func:`analysis.amounts.vague_top`) and ends there, ticked like its floor, with no
arrow (billions are never a trillion); words with no next order a reader would know
("trillions") are open-ended: a tick at their floor and an arrow, like "more than X", in the
band's colour. A disputed figure's dot is a ring with a cross inside
it; an article figure whose claim the sources could not verify (or contradict) has a mark
before its words. The words after a figure, its amount and under it its notes (date or
"undated", "disputed", "same figure as ...", "part of ..."), are set at a fixed distance in
points from the glyph's right end (above a band whose top the words set)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.path import Path
from matplotlib.transforms import offset_copy

from .. import analysis as A
from ..analysis.amounts import vague_top
from ..analysis.money import figure_date
from ..schema import C
from .common import ARTICLE_COLOUR, OKABE_ITO, REFERENCE_COLOUR, VAGUE_COLOUR, _wrap

#: The size of every word the chart draws but its source line: labels, group headings,
#: amounts, ticks, axis label and legend (8.5 pt at least on paper; 12 CSS px on screen,
#: where a point is 4/3 px and the chart is shown at its own size).
MONEY_PT = 8.5

#: Characters per line of a row's label: wide (the y axis's labels, about a third of the
#: width) and narrow (across the panel, above the figure).
MONEY_LABEL_CHARS = {False: 34, True: 46}

#: The gap between rows, in units (a unit is the height of a line of label text).
MONEY_GAP_UNITS = 0.1

#: Distances along a row, in points: from a dot's centre to the words after it, and the
#: length of the arrow of an open-ended amount.
DOT_GAP_PT = 7.0

ARROW_PT = 18.0

#: A vague band: its thickness, in points; the room under a row's words for a band whose
#: top the words set, in units.
BAND_PT = 5.0

BAND_UNITS = 1.0

#: A dot's size (matplotlib's marker area, points squared).
DOT_AREA = 40

#: The mark of a disputed figure, in the chart and its legend alike: a ring with a cross
#: inside it, its arms √(16/40) ≈ 0.63 of the ring's radius: a 16 pt² cross inside a
#: DOT_AREA dot, clear of the words after it.
DISPUTED_MARKER = Path.make_compound_path(
    Path.unit_circle(),
    Path([(-0.63, -0.63), (0.63, 0.63)], [Path.MOVETO, Path.LINETO]),
    Path([(-0.63, 0.63), (0.63, -0.63)], [Path.MOVETO, Path.LINETO]))

#: The mark of an article figure by the sources' verdict on its claim (facts.money_facts'
#: ``claim_flag``), in the chart and its legend (common.Glyph) alike: (the character, the
#: legend's words). Set between the glyph and its words, FLAG_PT wide: a mark, not a note,
#: so that the row keeps its height and the words their length.
CLAIM_FLAGS = {
    "contradicted": ("!", "The article’s claim contradicted by the sources"),
    "not_verified": ("?", "The article’s claim not verified by the sources"),
}

FLAG_COLOUR = OKABE_ITO["reddish_purple"]

FLAG_PT = 9.0


#: A white ground under a figure's words, so the scale's gridlines stop at them.
LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def _money_label(row, narrow: bool = False) -> str:
    """A row's label as the chart shows it, with its id: the analysis's label (the
    description's first clause); a figure that is part of another is labelled "of which"."""
    label = str(row["label"])
    if _whole(row):
        label = f"of which: {label[:1].lower()}{label[1:]}"
    return _wrap(f"{row['id']}  {label}", MONEY_LABEL_CHARS[narrow])


#: Notes a line of the words after a figure holds (wide): its date and one more ("disputed");
#: a third goes on a line of its own, so that the words never push the axis far out.
NOTES_A_LINE = 2


def claim_flag(row) -> str:
    """The sources' verdict on an article figure's claim that marks it (CLAIM_FLAGS), or ''."""
    flag = row.get("claim_flag", "")
    return flag if flag in CLAIM_FLAGS else ""


def _notes(row, same_as: str | None = None) -> int:
    """How many notes a figure's words carry under its amount: its date (or "undated"),
    and "no figure given", "disputed", "same figure as ..." and "part of ..." where they
    apply."""
    return 1 + vague(row) + bool(row["disputed"]) + bool(same_as) + bool(_whole(row))


def _whole(row) -> str:
    """The id of the figure a row is part of ('' for none)."""
    whole = row.get(C.PART_OF, "")
    return whole if isinstance(whole, str) else ""


def band_units(row) -> float:
    """The room a row keeps under its words for a band whose top the words set, in units
    (none for vague words with no top: :func:`vague_open`)."""
    return BAND_UNITS if vague(row) and pd.isna(row[C.HIGH]) and not vague_open(row) else 0.0


def _words_lines(row, narrow: bool = False, same_as: str | None = None) -> int:
    """Lines of the words after a figure: its amount, and its notes NOTES_A_LINE to a line
    (wide), or (narrow, where the words must stay short, and vague words with no top, whose
    words after an arrow would push the axis far out) each note on a line of its own."""
    notes = _notes(row, same_as)
    one_a_line = narrow or vague_open(row)
    return 1 + notes if one_a_line and notes > 1 else 1 + -(-notes // NOTES_A_LINE)


def _row_units(row, narrow: bool = False, same_as: str | None = None) -> float:
    """The height of a row in units: its label's lines beside its figure and words (wide)
    or above them (narrow), and the gap after it."""
    lines = _money_label(row, narrow).count("\n") + 1
    words = _words_lines(row, narrow, same_as)
    return (lines + words if narrow else max(lines, words)) + band_units(row) \
        + MONEY_GAP_UNITS


def open_ended(row) -> bool:
    """An amount with a floor and no top: "more than X" (vague words with none, "trillions",
    are :func:`vague_open`)."""
    return row[C.PRECISION] == "lower_bound" and pd.isna(row[C.HIGH])


def vague(row) -> bool:
    """Vague wording ("billions", "tens of millions"): a range its words allow, no figure."""
    return row[C.PRECISION] == "order_of_magnitude" and pd.notna(row[C.LOW])


def vague_open(row) -> bool:
    """Vague words with no top, the data's or their own ("trillions": no next order a reader
    would know, :data:`analysis.amounts.VAGUE_TOP_MAX`): drawn open-ended, like a floor."""
    return vague(row) and pd.isna(row[C.HIGH]) and \
        vague_top(row[C.LOW], row.get(C.AS_STATED)) is None


def band_top(row) -> float | None:
    """Where a vague band ends: the data's top, else the amount its words stay under
    ("billions": a trillion); None for a figure that is not vague or has no top
    (:func:`vague_open`)."""
    if not vague(row):
        return None
    return float(row[C.HIGH]) if pd.notna(row[C.HIGH]) else \
        vague_top(row[C.LOW], row.get(C.AS_STATED))


def _band(ax, low: float, high: float, y: float, tick: float = 0.2) -> None:
    """A vague band from ``low`` to ``high``, ticked at both ends (``tick``: half a tick's
    height, in units); no arrow: the words set its top."""
    for end in (low, high):
        ax.plot([end, end], [y - tick, y + tick], color=VAGUE_COLOUR, lw=1.2)
    ax.plot([low, high], [y, y], color=VAGUE_COLOUR, lw=BAND_PT, solid_capstyle="butt",
            alpha=0.55)


def _arrow(ax, low: float, y: float, colour: str) -> None:
    """The arrow of an open-ended amount: from its floor, ARROW_PT long, pointing up."""
    ax.annotate("", xy=(low, y), xytext=(ARROW_PT, 0), textcoords="offset points",
                arrowprops={"arrowstyle": "<|-", "color": colour, "lw": 1.2,
                            "shrinkA": 0, "shrinkB": 3.5, "mutation_scale": 8},
                annotation_clip=False)


def _money_mark(ax, r, y: float, left: float, article_date: dt.date | None = None,
                same_as: str | None = None, narrow: bool = False):
    """One figure's glyph and the words after it (amount, date or "undated", "disputed",
    "same figure as" the article's figure it is an account of, "part of" the figure it is
    part of), set at a fixed distance in points from the glyph's right end; ``y`` is the
    words' middle. Vague wording is written in its own words ("‘billions of dollars’", then
    "no figure given"); with no top, above its band (:func:`band_units` under the words).
    Returns (words, anchor value, offset in points)."""
    is_ref = r["layer"] == A.REFERENCE
    colour = REFERENCE_COLOUR if is_ref else ARTICLE_COLOUR
    face = "white" if is_ref else colour
    low, high, precision = r[C.LOW], r[C.HIGH], r[C.PRECISION]
    date = figure_date(r, article_date)
    # an article's figure carries the day the article reported it, not the day it was
    # pledged or counted (China's $31m: 8 Sep in its source, 17 Sep in the article)
    dated = ("undated" if not date else A.day(date) if is_ref else f"reported {A.day(date)}")
    if precision == "not_stated" or pd.isna(low):
        text = ax.annotate(_words("amount not stated", [dated]), xy=(left, y), xytext=(2, 0),
                           textcoords="offset points", va="center", ha="left",
                           fontsize=MONEY_PT, style="italic", color="#333333",
                           annotation_clip=False, in_layout=False, linespacing=1.15,
                           bbox=LABEL_BOX)
        return text, left, 2.0
    anchor, offset = low, DOT_GAP_PT
    amount = r["amount"]
    if vague(r):
        # the range the words allow: a band from the least they can mean to their top,
        # ticked at both ends; never a dot. A top only the words set ("billions": under a
        # trillion) puts the band under its words, which start at its floor
        amount = f"‘{r[C.AS_STATED]}’"
        if vague_open(r):
            # no top at all ("trillions"): a tick at the floor and an arrow of fixed length,
            # as for "more than X", in the band's colour; no end is drawn, none is implied
            ax.plot([low, low], [y - 0.2, y + 0.2], color=VAGUE_COLOUR, lw=1.2)
            _arrow(ax, low, y, VAGUE_COLOUR)
            offset = ARROW_PT + 4
        elif band_units(r):
            under = y - (_words_lines(r, narrow, same_as) + BAND_UNITS) / 2
            _band(ax, low, band_top(r), under, tick=0.3)
            offset = 3.0
        else:
            _band(ax, low, high, y)
            anchor, offset = high, 5.0
    elif open_ended(r):
        # a floor and an arrow of fixed length: no upper end is drawn, none is implied
        _arrow(ax, low, y, colour)
        offset = ARROW_PT + 4
    elif pd.notna(high) and high > low:
        ax.plot([low, high], [y, y], color=colour, lw=2, solid_capstyle="butt")
        anchor = high
    if not vague(r):
        disputed = bool(r["disputed"])
        ax.scatter([low], [y], s=DOT_AREA, marker=DISPUTED_MARKER if disputed else "o",
                   facecolor=face, lw=1.3 if disputed else 1.4, zorder=3,
                   edgecolor=OKABE_ITO["vermillion"] if disputed else colour)
    flag = claim_flag(r)
    if flag:
        # the mark first, then the words
        ax.text(anchor, y, CLAIM_FLAGS[flag][0], va="center", ha="left",
                fontsize=MONEY_PT + 3, fontweight="bold", color=FLAG_COLOUR, clip_on=False,
                in_layout=False, transform=offset_copy(ax.transData, fig=ax.figure, x=offset,
                                                       units="points"))
        offset += FLAG_PT
    after = ["no figure given" if vague(r) else "", dated, "disputed" if r["disputed"] else "",
             f"same figure as {same_as}" if same_as else "",
             f"part of {_whole(r)}" if _whole(r) else ""]
    words = _words(amount, [w for w in after if w], narrow or vague_open(r))
    text = ax.annotate(words, xy=(anchor, y), xytext=(offset, 0), textcoords="offset points",
                       va="center", ha="left", fontsize=MONEY_PT, annotation_clip=False,
                       in_layout=False, linespacing=1.15, bbox=LABEL_BOX,
                       color=OKABE_ITO["vermillion"] if r["disputed"] else "#222222")
    return text, anchor, offset


def _words(amount: str, notes: list[str], narrow: bool = False) -> str:
    """The words after a figure: its amount, and under it its notes (date, "disputed" ...),
    NOTES_A_LINE to a line, or (narrow) each on its own line when there are several."""
    if not notes:
        return amount
    if narrow:
        return "\n".join([amount, *notes])
    lines = [" · ".join(notes[i:i + NOTES_A_LINE]) for i in range(0, len(notes), NOTES_A_LINE)]
    return "\n".join([amount, *lines])

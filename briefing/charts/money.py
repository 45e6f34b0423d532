"""The money chart: every figure as a dot or a range on a logarithmic axis, one panel per
currency, grouped by kind, each with a short label, its amount and its date.

The full description of each figure is the annex table's; the chart keeps to the label (the
description's first clause), so the axis keeps most of the width. "More than X" is a dot at
its floor and a short arrow, never an invented upper end; vague wording ("billions") is a
band over the range its words allow, from the least they can mean to the next order they do
not reach where the data sets no top ("billions": under a trillion), written in its own
words with "no figure given": no dot puts a figure in a speaker's mouth. An article figure
whose claim the sources could not verify, or contradict, is marked before its words. A
source's account of the very figure the article states (the same claim, the same amount) is
drawn right under it and marked as the same figure, so the two are never read as two
sums; a part of a figure (``part_of``) is drawn right under its whole, "of which". Every
amount is written after its figure, at a fixed distance, and the axis is extended until the
longest fits: nothing flips side or collides.

Each figure's glyph, its words and its row's height are :mod:`.money_marks`'s; this module
orders the rows, lays them out in a panel per currency, fits the axes to the words and
draws the legend."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory

from .. import analysis as A
from ..analysis.amounts import floor_word
from ..schema import C
from .common import (
    ARTICLE_COLOUR,
    NARROW_WIDTH_IN,
    OKABE_ITO,
    REFERENCE_COLOUR,
    SOURCE_CHARS,
    TITLE_CHARS,
    VAGUE_COLOUR,
    WIDTH_IN,
    Glyph,
    _figure,
    _fit_title,
    _footer,
    _short_refs,
    _wrap,
    with_narrow_variant,
)
from .money_marks import (
    BAND_PT,
    CLAIM_FLAGS,
    DISPUTED_MARKER,
    FLAG_COLOUR,
    MONEY_GAP_UNITS,
    MONEY_PT,
    _money_label,
    _money_mark,
    _row_units,
    _words_lines,
    band_top,
    band_units,
    claim_flag,
    open_ended,
    vague,
    vague_open,
)

#: The height of a line of label text (one unit of the panel's vertical axis), in inches;
#: the height of a group's heading, in units.
MONEY_UNIT_IN = MONEY_PT * 1.32 / 72

#: Characters a line of a legend entry in the narrow (phone) variant, one entry a row.
LEGEND_CHARS_NARROW = 40

MONEY_HEADER_UNITS = 1.3


def _money_tick(value: float, _pos=None, currency: str = "USD") -> str:
    return A.format_amount(value, currency) if value > 0 else ""


def _money_units(rows: pd.DataFrame, narrow: bool = False,
                 accounts: dict[str, str] | None = None) -> float:
    """The height of a currency's panel in units (lines of label text)."""
    accounts = accounts or {}
    return (sum(_row_units(r, narrow, accounts.get(r["id"])) for _, r in rows.iterrows())
            + MONEY_HEADER_UNITS * rows["group"].nunique())


_CURRENCY_WORDS = {"USD": "US dollars", "EUR": "euros", "GBP": "pounds sterling",
                   "JPY": "yen", "CNY": "yuan", "RUB": "roubles", "DKK": "Danish kroner",
                   "MWK": "Malawian kwacha", "NOK": "Norwegian kroner"}


def currency_words(code: str) -> str:
    """How an axis names a currency: common ones in plain words, others by their ISO 4217
    name (pycountry), else the code itself."""
    if code in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[code]
    import pycountry

    found = pycountry.currencies.get(alpha_3=code)
    return found.name if found is not None else code


def twins(figures: pd.DataFrame) -> dict[str, str]:
    """Each source's account of the very figure the article states (the same claim, the same
    amount: :attr:`analysis.money.Comparison.twins`), mapped to the article figure's id."""
    return {r["id"]: c.figure["id"] for c in A.comparisons(figures) for r in c.twins}


def _rank(row, article: list[str], accounts: dict[str, str]) -> tuple:
    """Where a row comes in its group: an article figure, then the sources' accounts of it,
    then the other reference figures (each by id)."""
    if row["id"] in article:
        return article.index(row["id"]), 0, row["id"]
    if accounts.get(row["id"]) in article:
        return article.index(accounts[row["id"]]), 1, row["id"]
    return len(article), 2, row["id"]


def _parts_under_wholes(ids: list[str], whole_of: dict) -> list[str]:
    """``ids`` in their order, each part (``whole_of``: part id -> whole id) moved to right
    under its whole, after the whole's earlier parts; a part whose whole is not among them
    stays where it is (and a cycle of parts is shown once)."""
    under: dict[str, list[str]] = {}
    for i in ids:
        if whole_of.get(i) in ids:
            under.setdefault(whole_of[i], []).append(i)
    out: list[str] = []

    def place(i: str) -> None:
        if i not in out:
            out.append(i)
            for j in under.get(i, []):
                place(j)

    for i in ids:
        if whole_of.get(i) not in ids:
            place(i)
    return out + [i for i in ids if i not in out]


def _money_rows(rows: pd.DataFrame, accounts: dict[str, str] | None = None
                ) -> list[tuple[str, pd.DataFrame]]:
    """(group label, rows) in the order shown: groups as analysis.KIND_GROUPS orders them,
    in each the article's figures first, each followed by the sources' accounts of it
    (``accounts``: :func:`twins`), then the other reference figures; a part of a figure
    (``part_of``) right under its whole (after its other parts), wherever it would rank."""
    accounts = accounts or {}
    out = []
    order = {g[0]: i for i, g in enumerate(A.KIND_GROUPS)}
    for _, group in sorted(rows.groupby("group", sort=False), key=lambda kv: order.get(kv[0],
                                                                                         99)):
        article = sorted(group.loc[group["layer"] == A.ARTICLE, "id"])
        ranked = sorted(group.iterrows(), key=lambda kv: _rank(kv[1], article, accounts))
        index = {r["id"]: i for i, r in ranked}
        whole_of = {r["id"]: r.get(C.PART_OF) for _, r in ranked}
        shown = [index[i] for i in _parts_under_wholes(list(index), whole_of)]
        out.append((group["group_label"].iloc[0], group.loc[shown]))
    return out


def _money_panel(ax, rows: pd.DataFrame, currency: str, article_date: dt.date | None = None,
                 narrow: bool = False, accounts: dict[str, str] | None = None) -> list:
    """One currency's figures on a log axis: a dot per figure (filled: the article's; open:
    the reference sources'), a bar for a vague range, a dot and an arrow for an open-ended
    amount, a cross inside a disputed figure's dot, the amount and date written after it.
    Returns the words written after the figures, as (text, anchor value, offset in points)
    triples, for :func:`_fit_words`.

    Wide, the labels are the y axis's; narrow, each label runs across the panel above its
    figure and the group headings are set the same way. A source's account of an article
    figure (``accounts``, :func:`twins`) comes right under it and says "same figure as"
    it."""
    accounts = accounts or {}
    values = [v for col in (C.LOW, C.HIGH) for v in rows[col] if pd.notna(v) and v > 0]
    lo = 10 ** math.floor(math.log10(min(values)) - 0.2) if values else 1e6
    hi = 10 ** math.ceil(math.log10(max(values)) + 0.3) if values else 1e10
    # a band whose top only its words set ends inside the axis, clear of its edge
    tops = [band_top(r) for _, r in rows.iterrows() if band_units(r)]
    hi = max([hi, *(top * 10 ** 0.35 for top in tops if top)])
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    y, ticks, headers, words = 0.0, [], set(), []
    at_left = blended_transform_factory(ax.transAxes, ax.transData)
    for group_label, group in _money_rows(rows, accounts):
        y -= MONEY_HEADER_UNITS / 2
        headers.add(len(ticks))
        ticks.append((y, group_label))
        y -= MONEY_HEADER_UNITS / 2
        for _, r in group.iterrows():
            label = _money_label(r, narrow)
            lines = label.count("\n") + 1
            if narrow:
                ax.text(0.0, y - MONEY_GAP_UNITS / 2, label, fontsize=MONEY_PT, va="top",
                        ha="left", transform=at_left, color="#222222", in_layout=False,
                        linespacing=1.15)
                same_as = accounts.get(r["id"])
                half = _words_lines(r, narrow, same_as) / 2
                y -= lines + MONEY_GAP_UNITS / 2 + half
                words.append(_money_mark(ax, r, y, lo, article_date, same_as, narrow))
                y -= half + band_units(r) + MONEY_GAP_UNITS / 2
                continue
            height = _row_units(r, same_as=accounts.get(r["id"]))
            y -= height / 2
            words.append(_money_mark(ax, r, y + band_units(r) / 2, lo, article_date,
                                     accounts.get(r["id"])))
            ticks.append((y, label))
            y -= height / 2
    ax.set_ylim(y, 0)
    if narrow:
        for t, text in ticks:
            ax.text(0.0, t, text, fontsize=MONEY_PT, fontweight="bold", color=ARTICLE_COLOUR,
                    va="center", ha="left", transform=at_left, in_layout=False)
        ticks = []
    ax.set_yticks([t for t, _ in ticks])
    ax.set_yticklabels([text for _, text in ticks])
    for i, tick in enumerate(ax.get_yticklabels()):
        tick.set_fontsize(MONEY_PT)
        tick.set_linespacing(1.15)
        if i in headers:
            tick.set_fontweight("bold")
            tick.set_color(ARTICLE_COLOUR)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=MONEY_PT)
    # narrow, at most about five labels: a decade apart, or further apart on a long axis
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=5 if narrow else 16))
    # minor ticks at 2x and 5x each decade (the 1-2-5 scale), not at every multiple
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0), numticks=16))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, p: _money_tick(v, p, currency)))
    ax.grid(axis="x", color="#E6E6E6", lw=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    unit = currency_words(currency)
    named = f"{unit} ({currency})" if unit != currency else currency
    ax.set_xlabel(_wrap(f"Amount in {named}, logarithmic scale: each step is ten "
                        "times the last", 44 if narrow else 110), fontsize=MONEY_PT)
    return [w for w in words if w is not None]


def _fit_words(fig: Figure, panels: list[tuple]) -> None:
    """Extend each panel's axis to the right until the words after every figure end inside
    it: they are set at a fixed distance from their figure, so only the axis can make room
    (never a flip to the other side, never a collision with the next figure)."""
    fig.get_layout_engine().execute(fig)
    renderer = fig.canvas.get_renderer()
    for ax, words in panels:
        lo, hi = ax.get_xlim()
        width = ax.get_window_extent(renderer).width
        span = math.log10(hi / lo)
        for text, anchor, offset in words:
            used = (text.get_window_extent(renderer).width + (offset + 4) * fig.dpi / 72)
            room = 1 - used / width
            if room <= 0.05:
                room = 0.05
            span = max(span, math.log10(anchor / lo) / room)
        ax.set_xlim(lo, lo * 10 ** span)


@with_narrow_variant
def money_chart(figures: pd.DataFrame, title: str = "",
                article_date: dt.date | None = None, narrow: bool = False) -> Figure:
    """Every money figure as a dot (or a range) on a logarithmic axis, one panel per
    currency (amounts in different currencies never share an axis), grouped by kind with
    short labels, each with its date as :func:`analysis.money.figure_date` gives it (an
    article figure: ``article_date``; a reference figure whose source gives no day: none).
    ``figures`` comes from :func:`analysis.money_figures`."""
    rows = figures.reset_index(drop=True)
    accounts = twins(rows)
    currencies = list(dict.fromkeys(rows[C.CURRENCY])) or ["USD"]
    heights = [MONEY_UNIT_IN * _money_units(rows[rows[C.CURRENCY] == currency], narrow,
                                            accounts)
               + (0.85 if narrow else 0.6) for currency in currencies]
    handles = [Line2D([], [], ls="", marker="o", color=ARTICLE_COLOUR, markersize=6,
                      label="Stated in the article"),
               Line2D([], [], ls="", marker="o", markerfacecolor="white",
                      markeredgecolor=REFERENCE_COLOUR, markersize=6,
                      label="Reference source (context, not the article)")]
    if any(vague(r) and not vague_open(r) for _, r in rows.iterrows()):
        # every band ends where its words do ('billions': under a trillion): no arrow
        handles.append(Line2D([], [], color=VAGUE_COLOUR, lw=BAND_PT, alpha=0.55,
                              label="Vague wording, no figure: the range its words allow"))
    if any(vague_open(r) for _, r in rows.iterrows()):
        # words with no next order ('trillions'): their floor and an arrow, no band
        handles.append(Line2D([], [], color=VAGUE_COLOUR, marker=">", markersize=4,
                              label="Vague wording, no figure: the least it means, "
                                    "no upper end"))
    floors = list(dict.fromkeys(floor_word(r[C.AS_STATED]) for _, r in rows.iterrows()
                                if open_ended(r)))
    if floors:
        said = " or ".join(f"‘{w}’" for w in floors)
        handles.append(Line2D([], [], color="#444444", marker=">", markersize=4,
                              label=f"{said[:2].upper()}{said[2:]}: a floor, no upper end"))
    if rows["disputed"].any():
        handles.append(Line2D([], [], ls="", marker=DISPUTED_MARKER, markersize=6,
                              markerfacecolor="white", markeredgewidth=1.3,
                              markeredgecolor=OKABE_ITO["vermillion"],
                              label="Disputed figure"))
    flags = {claim_flag(r) for _, r in rows.iterrows()}
    for flag, (marker, words) in CLAIM_FLAGS.items():
        if flag in flags:
            handles.append(Glyph(marker, FLAG_COLOUR, words, fontsize=MONEY_PT + 3,
                                 fontweight="bold"))
    claim_refs = [c for c in rows[C.CLAIM_ID] if c]
    src_refs = [s for s in rows[C.SOURCE_ID] if s]
    source = (f"Source: the article’s money figures (claims {_short_refs(claim_refs)})"
              + (f"; reference sources {_short_refs(src_refs)}" if src_refs else "") + ".")
    ncol, chars = (1, SOURCE_CHARS[True]) if narrow else (2, SOURCE_CHARS[False])
    if narrow:  # one entry a row: a long one on two lines, not past the figure's edge
        for handle in handles:
            handle.set_label(_wrap(handle.get_label(), LEGEND_CHARS_NARROW))
    legend_rows = math.ceil(len(handles) / ncol)
    extra = sum(h.get_label().count("\n") for h in handles)
    foot_h = (0.14 + 0.21 * legend_rows + 0.12 * extra
              + 0.12 * len(_wrap(source, chars).splitlines()))
    title = _wrap(title or "Money in the article and in the reference sources",
                  TITLE_CHARS[narrow])
    fig = _figure(sum(heights) + foot_h + 0.08 + 0.17 * (title.count("\n") + 1),
                  NARROW_WIDTH_IN if narrow else WIDTH_IN)
    gs = fig.add_gridspec(len(currencies) + 1, 1, height_ratios=[*heights, foot_h])
    panels = []
    for i, currency in enumerate(currencies):
        ax = fig.add_subplot(gs[i])
        panels.append((ax, _money_panel(ax, rows[rows[C.CURRENCY] == currency], currency,
                                        article_date, narrow, accounts)))
        if i == 0 and not narrow:
            ax.set_title(title)
        elif i == 0:  # on a phone, wrapped to the panel's width (after the figures' labels)
            _fit_title(ax, title.replace("\n", " "), narrow)
            added = ax.get_title().count("\n") - title.count("\n")
            if added > 0:
                fig.set_figheight(fig.get_figheight() + 0.17 * added)
    foot = fig.add_subplot(gs[-1])
    _footer(foot, handles, ncol, source, chars)
    for text in foot.get_legend().get_texts():
        text.set_fontsize(MONEY_PT)
    _fit_words(fig, panels)
    return fig

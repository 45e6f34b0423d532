"""The money chart: every figure as a dot or a range on a logarithmic axis, one panel per
currency, grouped by kind, each with its amount and date."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory

from .. import analysis as A
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
    _figure,
    _footer,
    _footer_height,
    _short_refs,
    _wrap,
    with_narrow_variant,
)


def _money_tick(value: float, _pos=None, currency: str = "USD") -> str:
    return A.format_amount(value, currency) if value > 0 else ""

#: Characters per line of a money row's label; the height of a line of it (one unit of the
#: panel's vertical axis), of the gap between rows and of a group's heading, in units.
MONEY_LABEL_CHARS = 66

#: ... in the narrow variant, where the label runs across the panel above its figure
MONEY_NARROW_CHARS = 60

MONEY_UNIT_IN = 0.118

MONEY_GAP_UNITS = 0.45

MONEY_HEADER_UNITS = 1.5

#: How a description that marks its figure as part of another opens ("Share of the reserves
#: held at ..."): the row is labelled "of which".
SUBSET_OPENINGS = ("share of ", "part of ", "of which")


def _money_label(row, narrow: bool = False) -> str:
    """A row's label as the chart shows it, with its id: the description's first clause,
    as the analysis labels it, but never just an attribution ("Pentagon report to Congress
    (Mar 2022)" before a colon): then the clause after the colon follows. A figure the
    description marks as part of another is labelled "of which"."""
    label, description = str(row["label"]), str(row[C.DESCRIPTION])
    head, colon, rest = description.partition(":")
    if colon and len(label.split()) < 8 and len(label) <= len(head) + 1:
        label = f"{label}: {A.first_clause(rest.strip())}"
    if description.lower().startswith(SUBSET_OPENINGS):
        label = f"of which: {label[:1].lower()}{label[1:]}"
    return _wrap(f"{row['id']}  {label}", MONEY_NARROW_CHARS if narrow else MONEY_LABEL_CHARS)


def _money_units(rows: pd.DataFrame, narrow: bool = False) -> float:
    """The height of a currency's panel in units (lines of label text; in the narrow
    variant, a line more for the figure under its label)."""
    lines = sum(_money_label(r, narrow).count("\n") + 1 + MONEY_GAP_UNITS + int(narrow)
                for _, r in rows.iterrows())
    return lines + MONEY_HEADER_UNITS * rows["group"].nunique()

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


def _money_rows(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(group label, rows) in the order shown: groups as analysis.KIND_GROUPS orders them,
    in each the article's figures first, then the reference sources'."""
    out = []
    order = {g[0]: i for i, g in enumerate(A.KIND_GROUPS)}
    for _, group in sorted(rows.groupby("group", sort=False), key=lambda kv: order.get(kv[0],
                                                                                         99)):
        group = group.assign(_l=(group["layer"] != A.ARTICLE).astype(int)).sort_values(
            ["_l", "id"])
        out.append((group["group_label"].iloc[0], group.drop(columns="_l")))
    return out


def _money_panel(ax, rows: pd.DataFrame, currency: str, article_date: dt.date | None = None,
                 narrow: bool = False) -> list[tuple[float, str]]:
    """One currency's figures on a log axis: a dot per figure (filled: the article's; open:
    the reference sources'), a range for a vague amount, an arrow for 'more than', a cross
    over a disputed figure, the amount and date written beside it. Returns the y ticks.

    Wide, the labels are the y axis's; narrow, each label runs across the panel above its
    figure and the group headings are set the same way."""
    values = [v for col in (C.LOW, C.HIGH) for v in rows[col] if pd.notna(v) and v > 0]
    lo = 10 ** math.floor(math.log10(min(values)) - 0.2) if values else 1e6
    hi = 10 ** math.ceil(math.log10(max(values)) + 0.9) if values else 1e10
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    y, ticks, headers = 0.0, [], set()
    at_left = blended_transform_factory(ax.transAxes, ax.transData)
    for group_label, group in _money_rows(rows):
        y -= MONEY_HEADER_UNITS / 2
        headers.add(len(ticks))
        ticks.append((y, group_label))
        y -= MONEY_HEADER_UNITS / 2
        for _, r in group.iterrows():
            label = _money_label(r, narrow)
            lines = label.count("\n") + 1
            if narrow:
                ax.text(0.0, y - MONEY_GAP_UNITS / 2, label, fontsize=7.2, va="top",
                        ha="left", transform=at_left, color="#222222", in_layout=False)
                y -= lines + MONEY_GAP_UNITS / 2 + 0.5
                y -= _money_mark(ax, r, y, lo, article_date, (lo, hi)) + 0.5
                continue
            height = lines + MONEY_GAP_UNITS
            y -= height / 2
            _money_mark(ax, r, y, lo, article_date)
            ticks.append((y, label))
            y -= height / 2
    ax.set_ylim(y, 0)
    if narrow:
        for t, words in ticks:
            ax.text(0.0, t, words, fontsize=7.2, fontweight="bold", color=ARTICLE_COLOUR,
                    va="center", ha="left", transform=at_left, in_layout=False)
        ticks = []
    ax.set_yticks([t for t, _ in ticks])
    ax.set_yticklabels([words for _, words in ticks])
    for i, tick in enumerate(ax.get_yticklabels()):
        tick.set_fontsize(7.2)
        if i in headers:
            tick.set_fontweight("bold")
            tick.set_color(ARTICLE_COLOUR)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
    # minor ticks at 2x and 5x each decade (the 1-2-5 scale), not at every multiple
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0), numticks=12))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, p: _money_tick(v, p, currency)))
    ax.grid(axis="x", color="#E6E6E6", lw=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    unit = currency_words(currency)
    named = f"{unit} ({currency})" if unit != currency else currency
    ax.set_xlabel(_wrap(f"Amount in {named}, logarithmic scale: each step is ten "
                        "times the last", 52 if narrow else 130))
    return ticks


def _money_date(r, article_date: dt.date | None) -> str:
    """The date a figure is shown with: its own; an article figure's is the article's; a
    reference figure without one is "undated" (no date is made up)."""
    if r[C.DATE] is not None and not pd.isna(r[C.DATE]):
        return A.day(r[C.DATE])
    if r["layer"] != A.REFERENCE:
        return A.day(article_date) if article_date else ""
    return "undated"


def _money_words(ax, start: float, end: float, y: float, words: str,
                 span: tuple[float, float] | None, **style) -> float:
    """The amount and date beside a figure: after its end. In the narrow variant (``span``
    the axis's limits) before its start when they would run off the axis after it, and on
    a line of their own under the figure when neither side has room. Returns the height
    of that extra line (in label lines), or 0."""
    if span is not None:
        lo, hi = span
        style["in_layout"] = False  # placed to fit: the axis keeps the panel's width
        decades = len(words) * 0.5 * 7.5 * math.log10(hi / lo) / (NARROW_WIDTH_IN * 72 - 16)
        if decades > math.log10(hi / (end * 1.3)):
            if decades <= math.log10(start / 1.3 / lo):
                ax.text(start / 1.3, y, words, va="center", ha="right", fontsize=7.5, **style)
                return 0.0
            ax.text(lo * 1.05, y - 1.0, words, va="center", ha="left", fontsize=7.5, **style)
            return 1.0
    ax.text(end * 1.3, y, words, va="center", fontsize=7.5, **style)
    return 0.0


def _money_mark(ax, r, y: float, left: float, article_date: dt.date | None = None,
                span: tuple[float, float] | None = None) -> float:
    is_ref = r["layer"] == A.REFERENCE
    colour = REFERENCE_COLOUR if is_ref else ARTICLE_COLOUR
    face = "white" if is_ref else colour
    low, high, precision = r[C.LOW], r[C.HIGH], r[C.PRECISION]
    date = _money_date(r, article_date)
    words = r["amount"] + (f" · {date}" if date else "")
    if precision == "not_stated" or pd.isna(low):
        ax.text(left * 1.3, y, "amount not stated" + (f" · {date}" if date else ""),
                va="center", fontsize=7.5, style="italic", color="#333333",
                in_layout=span is None)
        return 0.0
    if precision == "order_of_magnitude":
        top = high if pd.notna(high) else low * 10
        ax.plot([low, top], [y, y], color=VAGUE_COLOUR, lw=5, solid_capstyle="butt",
                alpha=0.55)
        ax.plot([low, low], [y - 0.18, y + 0.18], color=VAGUE_COLOUR, lw=1.2)
        if pd.isna(high):
            ax.annotate("", xy=(top * 2.2, y), xytext=(top, y),
                        arrowprops={"arrowstyle": "->", "color": VAGUE_COLOUR, "lw": 1.2})
            top *= 2.2
        else:
            ax.plot([top, top], [y - 0.18, y + 0.18], color=VAGUE_COLOUR, lw=1.2)
        return _money_words(ax, low, top / 1.3 * 1.25, y, words, span)
    end = low
    if precision == "lower_bound":
        ax.annotate("", xy=(low * 2.2, y), xytext=(low, y),
                    arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2})
        end = low * 2.2
    if precision == "approximate" and pd.notna(high) and high > low:
        ax.plot([low, high], [y, y], color=colour, lw=2)
        end = high
    ax.scatter([low], [y], s=34, marker="o", facecolor=face, edgecolor=colour, lw=1.4,
               zorder=3)
    if r["disputed"]:
        ax.scatter([low], [y], s=70, marker="x", color=OKABE_ITO["vermillion"], lw=1.6,
                   zorder=4)
        words += " · disputed"
    return _money_words(ax, low, end, y, words, span,
                 color=OKABE_ITO["vermillion"] if r["disputed"] else "#222222")


@with_narrow_variant
def money_chart(figures: pd.DataFrame, title: str = "",
                article_date: dt.date | None = None, narrow: bool = False) -> Figure:
    """Every money figure as a dot (or a range) on a logarithmic axis, one panel per
    currency (amounts in different currencies never share an axis), grouped by kind with
    full labels, each with its date (an article figure: ``article_date``; a reference
    figure without one: "undated"). ``figures`` comes from
    :func:`analysis.money_figures`."""
    rows = figures.reset_index(drop=True)
    currencies = list(dict.fromkeys(rows[C.CURRENCY])) or ["USD"]
    heights = [MONEY_UNIT_IN * _money_units(rows[rows[C.CURRENCY] == currency], narrow)
               + (0.75 if narrow else 0.55) for currency in currencies]
    handles = [Line2D([], [], ls="", marker="o", color=ARTICLE_COLOUR, markersize=6,
                      label="Stated in the article"),
               Line2D([], [], ls="", marker="o", markerfacecolor="white",
                      markeredgecolor=REFERENCE_COLOUR, markersize=6,
                      label="Reference source (context, not the article)")]
    if (rows[C.PRECISION] == "order_of_magnitude").any():
        handles.append(Line2D([], [], color=VAGUE_COLOUR, lw=5, alpha=0.55,
                              label="Vague amount: the range its words allow"))
    if (rows[C.PRECISION] == "lower_bound").any():
        handles.append(Line2D([], [], color="#444444", marker=">", markersize=4,
                              label="'More than': a floor"))
    if rows["disputed"].any():
        handles.append(Line2D([], [], ls="", marker="x", color=OKABE_ITO["vermillion"],
                              markersize=6, label="Disputed by the other sources"))
    claim_refs = [c for c in rows[C.CLAIM_ID] if c]
    src_refs = [s for s in rows[C.SOURCE_ID] if s]
    source = (f"Source: the article's money figures (claims {_short_refs(claim_refs)})"
              + (f"; reference sources {_short_refs(src_refs)}" if src_refs else "") + ".")
    ncol, chars = (1, SOURCE_CHARS[True]) if narrow else (2, SOURCE_CHARS[False])
    foot_h = _footer_height(len(handles), ncol, source, chars)
    title = _wrap(title or "Money in the article and in the reference sources",
                  TITLE_CHARS[narrow])
    fig = _figure(sum(heights) + foot_h + 0.2 + 0.15 * (title.count("\n") + 1),
                  NARROW_WIDTH_IN if narrow else WIDTH_IN)
    gs = fig.add_gridspec(len(currencies) + 1, 1, height_ratios=[*heights, foot_h])
    for i, currency in enumerate(currencies):
        ax = fig.add_subplot(gs[i])
        _money_panel(ax, rows[rows[C.CURRENCY] == currency], currency, article_date, narrow)
        if i == 0:
            ax.set_title(title)
    _footer(fig.add_subplot(gs[-1]), handles, ncol, source, chars)
    return fig

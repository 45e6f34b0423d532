"""The briefing's charts: matplotlib figures from the analysis frames (no file I/O).

Every chart has a title, labelled axes with units, a source line naming the claim or source
ids it is drawn from, and uses the Okabe–Ito colour-blind-safe palette. :func:`to_svg`
serialises a figure deterministically (fixed hash salt, no date) and closes it; its text stays
selectable text, with subsets of the fonts it uses embedded (:func:`embed_fonts`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import fontTools.subset  # noqa: E402, F401  (to_svg subsets fonts: import with the rest)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle, Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from . import analysis as A  # noqa: E402
from . import fonts  # noqa: E402
from .schema import CLAIM_TYPES, MEMBERSHIP_STATUSES, C  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficits.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
    "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
    "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "grey": "#999999",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                  "reddish_purple", "sky_blue", "yellow", "black", "grey")]

#: Marker, face colour and edge colour per membership status (shape AND colour differ).
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "member": ("o", OKABE_ITO["blue"], OKABE_ITO["blue"]),
    "participation_frozen": ("X", OKABE_ITO["vermillion"], OKABE_ITO["vermillion"]),
    "acceding": ("D", OKABE_ITO["orange"], OKABE_ITO["orange"]),
    "observer": ("o", "white", OKABE_ITO["sky_blue"]),
    "dialogue_partner": ("^", OKABE_ITO["bluish_green"], OKABE_ITO["bluish_green"]),
    "partner": ("s", OKABE_ITO["reddish_purple"], OKABE_ITO["reddish_purple"]),
}
BORDER_STYLE: dict[str, tuple[str, str, str]] = {
    "recognised": ("s", OKABE_ITO["black"], OKABE_ITO["black"]),
    "claimed": ("s", "white", OKABE_ITO["black"]),
    "none": ("_", OKABE_ITO["grey"], OKABE_ITO["grey"]),
    "subject": ("*", OKABE_ITO["vermillion"], OKABE_ITO["vermillion"]),
}
BORDER_WORDS = {"recognised": "recognised land border", "claimed": "claimed border only",
                "none": "no land border", "unknown": "not in the reference data",
                "subject": "the subject country itself"}
FOCUS_BAND = "#F7F0B0"  # a pale tint of Okabe–Ito yellow
REFERENCE_COLOUR = OKABE_ITO["grey"]
ARTICLE_COLOUR = OKABE_ITO["blue"]
VAGUE_COLOUR = OKABE_ITO["orange"]

WIDTH_IN = 6.7  # A4 text width at 18 mm margins, in inches
#: The smallest text any chart draws (source lines, legends), in points.
SMALLEST_PT = 7.0


def _register_typefaces() -> None:
    """Make the kit's own typefaces the ones matplotlib finds for their families.

    A system copy of the same family (perhaps another version, with other metrics) is set
    aside, as it could win a tie; the files are added once, though the module may be
    imported again in a reused kernel."""
    manager = font_manager.fontManager
    shipped = sorted(fonts.TYPEFACES.glob("*.ttf"))
    if {str(path) for path in shipped} <= {entry.fname for entry in manager.ttflist}:
        return
    families = {font_manager.get_font(path).family_name for path in shipped}
    manager.ttflist = [entry for entry in manager.ttflist if entry.name not in families]
    for path in shipped:
        manager.addfont(path)


_register_typefaces()

RC = {
    # The kit's IBM Plex Sans (Latin, Greek, Cyrillic) sets the charts' text. Characters it
    # lacks come from the generic sans-serif: Noto Sans CJK for Chinese, Japanese and Korean
    # where installed (Debian's fonts-noto-cjk), else DejaVu Sans, which matplotlib ships, as
    # it does for the other scripts (Arabic, Hebrew ...). The list is the same on every
    # machine (the SVGs name it), and matplotlib always has one of its faces: no warnings.
    "font.family": ["IBM Plex Sans", "sans-serif", "DejaVu Sans"],
    "font.sans-serif": ["Noto Sans CJK JP", "DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "svg.hashsalt": "briefing",
    "text.parse_math": False,  # '$' in data text is a dollar sign, never TeX
    # Text stays text (selectable, searchable, ~3x smaller SVG, ~4x faster to draw in the PDF);
    # to_svg embeds subsets of the faces it uses so every reader sees matplotlib's metrics.
    "svg.fonttype": "none",
    "figure.dpi": 100,
}
matplotlib.rcParams.update(RC)


def to_svg(fig: Figure) -> str:
    """SVG text of ``fig`` (deterministic: fixed hash salt, no date metadata); closes it.

    Text is written as ``<text>`` with the fonts it uses embedded (:func:`embed_fonts`)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight",
                    pad_inches=0.08)
    plt.close(fig)
    return embed_fonts(_keep_spaces(buffer.getvalue()))


def _keep_spaces(svg: str) -> str:
    """Mark the SVG's whitespace as significant: matplotlib measured the text with its runs
    of spaces and its leading and trailing ones, which SVG would otherwise collapse and strip.
    ``xml:space`` on the root is inherited (WeasyPrint reads it); browsers follow the CSS."""
    at = svg.index("<svg") + len("<svg")
    return _add_css(svg[:at] + ' xml:space="preserve"' + svg[at:], "text { white-space: pre }")


def _add_css(svg: str, css: str) -> str:
    """``svg`` with ``css`` at the start of its (first) stylesheet, one made if it has none."""
    opening = '<style type="text/css">'
    at = svg.find(opening)
    if at >= 0:
        at += len(opening)
        return svg[:at] + css + "\n" + svg[at:]
    at = svg.index(">", svg.index("<svg")) + 1
    return svg[:at] + f"<defs>{opening}{css}\n</style></defs>" + svg[at:]


_SVG = "{http://www.w3.org/2000/svg}"


def _style(declarations: str | None) -> dict[str, str]:
    pairs = (d.partition(":") for d in (declarations or "").split(";"))
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip()}


def svg_text_faces(svg: str) -> dict[tuple[str, str, str], str]:
    """The text of ``svg`` grouped by face: ``(family, style, weight) -> characters``
    (sorted, each once); ``family`` is the first name of the text's ``font-family`` list,
    as matplotlib writes it."""
    from xml.etree import ElementTree as ET

    faces: dict[tuple[str, str, str], set[str]] = {}

    def walk(node, inherited: dict[str, str]) -> None:
        style = inherited | _style(node.get("style"))
        for name in ("font-family", "font-style", "font-weight"):
            if node.get(name):
                style[name] = node.get(name)
        is_text = node.tag in (f"{_SVG}text", f"{_SVG}tspan")
        if is_text and node.text:
            _add(style, node.text)
        for child in node:
            walk(child, style)
            if is_text and child.tail:
                _add(style, child.tail)

    def _add(style: dict[str, str], text: str) -> None:
        family = style.get("font-family", "").split(",")[0].strip().strip("'\"")
        key = (family, style.get("font-style", "normal"), style.get("font-weight", "400"))
        faces.setdefault(key, set()).update(text)

    walk(ET.fromstring(svg.encode("utf-8")), {})
    return {key: "".join(sorted(chars)) for key, chars in sorted(faces.items())}


def _face_file(family: str, style: str, weight: str):
    """The font file matplotlib laid ``family`` out with, or None if it has none."""
    from matplotlib import font_manager

    try:
        props = font_manager.FontProperties(family=[family], style=style,
                                            weight=int(weight) if weight.isdigit() else weight)
        path = font_manager.findfont(props, fallback_to_default=False)
    except ValueError:
        return None
    if font_manager.get_font(path).family_name != family:
        return None
    return path


def embed_fonts(svg: str) -> str:
    """``svg`` with a ``@font-face`` rule for each face its text uses: a ``data:`` WOFF2
    subset of the file matplotlib measured the text with, holding exactly the characters
    that face shows. An SVG drawn as an ``<img>`` cannot see the page's fonts, so without
    these a reader's browser would substitute its own and the layout could break.

    Characters the face lacks (other scripts, drawn from the fallbacks in RC: Chinese from
    Noto Sans CJK, a font of megabytes) are not embedded: browsers and WeasyPrint take them
    from the next family named in the SVG, or from the system."""
    from pathlib import Path

    rules = []
    for (family, style, weight), text in svg_text_faces(svg).items():
        path = _face_file(family, style, weight)
        if path is None:
            continue
        have = fonts.codepoints(Path(path))
        covered = "".join(ch for ch in text if ord(ch) in have)
        if not covered.strip():
            continue
        woff = fonts.subset_woff(Path(path), covered, layout=False)
        rules.append(fonts.font_face(family, style, weight, woff))
    if not rules:
        return svg
    return _add_css(svg, "\n".join(rules))


def _figure(height: float, width: float = WIDTH_IN) -> Figure:
    with matplotlib.rc_context(RC):
        return plt.figure(figsize=(width, height), layout="constrained")


def _source_line(fig: Figure, text: str) -> None:
    wrapped = "\n".join(textwrap.wrap(text, 130))
    fig.get_layout_engine().set(h_pad=0.04)
    fig.supxlabel(wrapped, fontsize=SMALLEST_PT, color="#444444", x=0.0, ha="left")


def _footer_height(n_handles: int, ncol: int, source: str) -> float:
    rows = math.ceil(n_handles / max(ncol, 1)) if n_handles else 0
    lines = len(textwrap.wrap(source, 130)) or 1
    return 0.12 + 0.19 * rows + 0.12 * lines


def _footer(ax, handles, ncol: int, source: str) -> None:
    """Legend and source line in their own (axis-less) row under the chart, so neither can
    overlap the axis labels whatever the chart's height."""
    ax.axis("off")
    if handles:
        ax.legend(handles=handles, loc="upper center", ncol=ncol, borderaxespad=0.0)
    from matplotlib.transforms import blended_transform_factory

    ax.text(0.01, 0.0, "\n".join(textwrap.wrap(source, 130)), fontsize=SMALLEST_PT, color="#444444",
            ha="left", va="bottom",
            transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes))


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` characters, in full: never cut short."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def smallest_text_pt(svg: str) -> float:
    """The size of the smallest text in an SVG drawn by this module, in points (the SVG's
    user unit is the point): what decides how narrow the chart may be shown."""
    sizes = [float(m) for m in re.findall(r"font(?:-size)?:[^;\"']*?([\d.]+)px", svg)]
    return min(sizes) if sizes else float(RC["font.size"])


def _short_refs(refs: Sequence[str], limit: int = 12) -> str:
    refs = sorted(dict.fromkeys(r for r in refs if r), key=A.ref_key)
    if len(refs) <= limit:
        return ", ".join(refs)
    return ", ".join(refs[:limit]) + f" and {len(refs) - limit} more"


def _layer_words(long: pd.DataFrame, as_of: dt.date | None) -> str:
    if as_of is None:
        return "the article (members.csv)"
    return f"the reference timeline on {as_of.isoformat()} (membership_timeline.csv)"


# ---------------------------------------------------------------------------------------
# Membership
# ---------------------------------------------------------------------------------------


def membership_grid(matrix: pd.DataFrame, long: pd.DataFrame, organisations: Sequence[str],
                    subject_name: str | None = None, focus: str | None = None,
                    as_of: dt.date | None = None, title: str = "") -> Figure:
    """States (rows) x organisations (columns): a marker per status, lines joining a
    state's organisations (as in an UpSet matrix), states grouped by their combination,
    an extra column for the border with the subject country, the focus state highlighted.
    A status the reference sources qualify (``long``'s ``flag``) carries a dagger.

    ``matrix`` comes from :func:`briefing.analysis.membership_matrix` (with
    :func:`briefing.analysis.add_borders` when ``subject_name`` is given).
    """
    orgs = list(organisations)
    n = max(len(matrix), 1)
    show_border = subject_name is not None and C.BORDER_STATUS in matrix.columns
    fig = _figure(1.6 + 0.24 * n)
    ax = fig.add_subplot()
    columns = orgs + ([f"Borders\n{subject_name}"] if show_border else [])
    ys = list(range(n))[::-1]
    unknown_border = False
    for y, (_, row) in zip(ys, matrix.iterrows(), strict=False):
        if focus and row[C.COUNTRY_CODE] == focus:
            ax.add_patch(Rectangle((-0.6, y - 0.5), len(columns) + 0.2, 1.0,
                                   color=FOCUS_BAND, zorder=0, lw=0))
        xs = [i for i, o in enumerate(orgs) if row[o]]
        if len(xs) > 1:
            ax.plot([min(xs), max(xs)], [y, y], color="#555555", lw=1.2, zorder=1)
        for i, o in enumerate(orgs):
            status = row[o]
            if not status:
                ax.scatter([i], [y], s=22, marker="o", facecolor="#E6E6E6",
                           edgecolor="#E6E6E6", zorder=1)
                continue
            marker, face, edge = STATUS_STYLE.get(status, ("o", "#777777", "#777777"))
            ax.scatter([i], [y], s=60, marker=marker, facecolor=face, edgecolor=edge,
                       linewidth=1.4, zorder=2)
        if show_border:
            b = row[C.BORDER_STATUS]
            x = len(orgs)
            if b in BORDER_STYLE:
                marker, face, edge = BORDER_STYLE[b]
                if marker in ("_", "|", "x", "+", "*"):  # unfilled markers take one colour
                    ax.scatter([x], [y], s=55, marker=marker, color=edge, linewidth=1.4,
                               zorder=2)
                else:
                    ax.scatter([x], [y], s=55, marker=marker, facecolor=face,
                               edgecolor=edge, linewidth=1.4, zorder=2)
            else:
                ax.text(x, y, "?", ha="center", va="center", color="#555555")
                unknown_border = True
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
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.7, n - 0.3)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Organisation" + (" and border" if show_border else ""))
    flagged = long[long["flag"] != ""] if "flag" in long.columns else long.iloc[0:0]
    row_of = {code: y for y, code in zip(ys, matrix[C.COUNTRY_CODE], strict=False)}
    for _, r in flagged.iterrows():
        if r[C.COUNTRY_CODE] in row_of and r[C.ORGANISATION] in orgs:
            ax.text(orgs.index(r[C.ORGANISATION]) + 0.2, row_of[r[C.COUNTRY_CODE]] + 0.1, "†",
                    fontsize=10, fontweight="bold", color=OKABE_ITO["vermillion"],
                    ha="left", va="center")
    ax.set_title(title or f"Who belongs to {A.join_names(orgs)}, state by state", pad=8)
    statuses = [s for s in MEMBERSHIP_STATUSES if s in set(long[C.STATUS])] if len(long) else []
    handles = [Line2D([], [], ls="", marker=STATUS_STYLE[s][0],
                      markerfacecolor=STATUS_STYLE[s][1], markeredgecolor=STATUS_STYLE[s][2],
                      markeredgewidth=1.4, markersize=7, label=A.label(s))
               for s in statuses if s in STATUS_STYLE]
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
    if unknown_border:
        handles.append(Line2D([], [], ls="", marker="$?$", color="#555555", markersize=7,
                              label="Border not in the reference data"))
    if focus and not matrix.empty and focus in set(matrix[C.COUNTRY_CODE]):
        handles.append(Patch(color=FOCUS_BAND, label="Focus country"))
    if len(flagged):
        handles.append(Line2D([], [], ls="", marker="$†$", color=OKABE_ITO["vermillion"],
                              markersize=8, label="Status the sources qualify"))
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02),
                  ncol=min(4, len(handles)))
    refs = list(long["evidence"].explode().dropna()) if len(long) else []
    if show_border:
        refs += [s for s in matrix.get("border_source", []) if s]
    _source_line(fig, f"Source: {_layer_words(long, as_of)}"
                 + (" and reference/borders.csv" if show_border else "")
                 + f"; evidence {_short_refs(refs)}.")
    return fig


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


# ---------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------


def _money_tick(value: float, _pos=None, currency: str = "USD") -> str:
    return A.format_amount(value, currency) if value > 0 else ""


#: Characters per line of a money row's label; the height of a line of it (one unit of the
#: panel's vertical axis), of the gap between rows and of a group's heading, in units.
MONEY_LABEL_CHARS = 66
MONEY_UNIT_IN = 0.118
MONEY_GAP_UNITS = 0.45
MONEY_HEADER_UNITS = 1.5


def _money_units(rows: pd.DataFrame) -> float:
    """The height of a currency's panel in units (lines of label text)."""
    lines = sum(_wrap(f"{i}  {lab}", MONEY_LABEL_CHARS).count("\n") + 1 + MONEY_GAP_UNITS
                for i, lab in zip(rows["id"], rows["label"], strict=True))
    return lines + MONEY_HEADER_UNITS * rows["group"].nunique()
_CURRENCY_WORDS = {"USD": "US dollars", "EUR": "euros", "GBP": "pounds sterling",
                   "JPY": "yen", "CNY": "yuan", "RUB": "roubles", "DKK": "Danish kroner"}


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


def _money_panel(ax, rows: pd.DataFrame, currency: str) -> list[tuple[float, str]]:
    """One currency's figures on a log axis: a dot per figure (filled: the article's; open:
    the reference sources'), a range for a vague amount, an arrow for 'more than', a cross
    over a disputed figure, the amount and date written beside it. Returns the y ticks."""
    values = [v for col in (C.LOW, C.HIGH) for v in rows[col] if pd.notna(v) and v > 0]
    lo = 10 ** math.floor(math.log10(min(values)) - 0.2) if values else 1e6
    hi = 10 ** math.ceil(math.log10(max(values)) + 0.9) if values else 1e10
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    y, ticks, headers = 0.0, [], set()
    for group_label, group in _money_rows(rows):
        y -= MONEY_HEADER_UNITS / 2
        headers.add(len(ticks))
        ticks.append((y, group_label))
        y -= MONEY_HEADER_UNITS / 2
        for _, r in group.iterrows():
            label = _wrap(f"{r['id']}  {r['label']}", MONEY_LABEL_CHARS)
            height = label.count("\n") + 1 + MONEY_GAP_UNITS
            y -= height / 2
            _money_mark(ax, r, y, lo)
            ticks.append((y, label))
            y -= height / 2
    ax.set_ylim(y, 0)
    ax.set_yticks([t for t, _ in ticks])
    ax.set_yticklabels([words for _, words in ticks])
    for i, tick in enumerate(ax.get_yticklabels()):
        tick.set_fontsize(7.2)
        if i in headers:
            tick.set_fontweight("bold")
            tick.set_color(ARTICLE_COLOUR)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, p: _money_tick(v, p, currency)))
    ax.grid(axis="x", color="#E6E6E6", lw=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    unit = _CURRENCY_WORDS.get(currency, currency)
    ax.set_xlabel(f"Amount in {unit} ({currency}), logarithmic scale: each step is ten "
                  "times the last")
    return ticks


def _money_mark(ax, r, y: float, left: float) -> None:
    is_ref = r["layer"] == A.REFERENCE
    colour = REFERENCE_COLOUR if is_ref else ARTICLE_COLOUR
    face = "white" if is_ref else colour
    low, high, precision = r[C.LOW], r[C.HIGH], r[C.PRECISION]
    date = A.day(r[C.DATE]) if r[C.DATE] is not None and not pd.isna(r[C.DATE]) else ""
    words = r["amount"] + (f" · {date}" if date else "")
    if precision == "not_stated" or pd.isna(low):
        ax.text(left * 1.3, y, "amount not stated", va="center", fontsize=7.5,
                style="italic", color="#333333")
        return
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
        ax.text(top * 1.25, y, words, va="center", fontsize=7.5)
        return
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
    ax.text(end * 1.3, y, words, va="center", fontsize=7.5,
            color=OKABE_ITO["vermillion"] if r["disputed"] else "#222222")


def money_chart(figures: pd.DataFrame, title: str = "") -> Figure:
    """Every money figure as a dot (or a range) on a logarithmic axis, one panel per
    currency (amounts in different currencies never share an axis), grouped by kind with
    full labels. ``figures`` comes from :func:`analysis.money_figures`."""
    rows = figures.reset_index(drop=True)
    currencies = list(dict.fromkeys(rows[C.CURRENCY])) or ["USD"]
    heights = [MONEY_UNIT_IN * _money_units(rows[rows[C.CURRENCY] == currency]) + 0.55
               for currency in currencies]
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
    foot_h = _footer_height(len(handles), 2, source)
    fig = _figure(sum(heights) + foot_h + 0.35)
    gs = fig.add_gridspec(len(currencies) + 1, 1, height_ratios=[*heights, foot_h])
    for i, currency in enumerate(currencies):
        ax = fig.add_subplot(gs[i])
        _money_panel(ax, rows[rows[C.CURRENCY] == currency], currency)
        if i == 0:
            ax.set_title(title or "Money in the article and in the reference sources")
    _footer(fig.add_subplot(gs[-1]), handles, 2, source)
    return fig


# ---------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------


def claims_chart(by_speaker: pd.DataFrame, claims: pd.DataFrame, by: str = C.CLAIM_TYPE,
                 title: str = "") -> Figure:
    """Horizontal stacked bars: claims per speaker, split by claim type (or topic).
    ``by_speaker`` comes from :func:`analysis.claims_by_speaker`."""
    cats = [c for c in by_speaker.columns if c != "total"]
    if by == C.CLAIM_TYPE:
        cats = [c for c in CLAIM_TYPES if c in cats] + [c for c in cats if c not in CLAIM_TYPES]
    speakers = list(by_speaker.index)
    fig = _figure(1.9 + 0.3 * len(speakers))
    ax = fig.add_subplot()
    ys = list(range(len(speakers)))[::-1]
    left = [0] * len(speakers)
    for i, cat in enumerate(cats):
        vals = list(by_speaker[cat])
        ax.barh(ys, vals, left=left, color=PALETTE[i % len(PALETTE)], height=0.62,
                label=A.label(cat), edgecolor="white", lw=0.5)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    for y, total in zip(ys, by_speaker["total"], strict=True):
        ax.text(total + 0.2, y, str(int(total)), va="center", fontsize=7.5)
    ax.set_yticks(ys)
    ax.set_yticklabels(speakers)
    ax.set_xlabel("Number of claims")
    what = "type of statement" if by == C.CLAIM_TYPE else "topic"
    ax.set_ylabel("Speaker")
    ax.set_title(title or f"Who says what: claims by speaker and {what}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max(left + [1]) * 1.08 + 0.5)
    ax.grid(axis="x", color="#E0E0E0", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", ncol=1 if len(cats) < 6 else 2, title=what.capitalize(),
              title_fontsize=7.5)
    _source_line(fig, f"Source: claims.csv ({len(claims)} claims, {_range(claims)}).")
    return fig


def _overlaps(rows: pd.DataFrame, last: dt.date) -> bool:
    """Whether any two status intervals of one organisation overlap in time."""
    spans = sorted((r[C.START_DATE], r[C.END_DATE] or last) for _, r in rows.iterrows())
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))


def _range(claims: pd.DataFrame) -> str:
    ids = sorted(claims[C.CLAIM_ID], key=A.ref_key)
    return f"{ids[0]}–{ids[-1]}" if ids else "none"


# ---------------------------------------------------------------------------------------
# Country profile: statuses over time
# ---------------------------------------------------------------------------------------


def timeline_chart(intervals: pd.DataFrame, country: str, article_date: dt.date | None,
                   as_of: dt.date | None = None, end: dt.date | None = None,
                   title: str = "") -> Figure:
    """One lane per organisation: a bar per status interval, coloured by status.

    Intervals still open run to ``end`` (default: the latest date in the data shown, so the
    chart never depends on today's date) and end in an arrow. A start only known as
    'on or before' is drawn with a dotted lead-in.
    """
    import matplotlib.dates as mdates

    orgs = list(dict.fromkeys(intervals[C.ORGANISATION]))
    dates = [d for d in list(intervals[C.START_DATE]) + list(intervals[C.END_DATE]) if d]
    dates += [d for d in (article_date, as_of) if d]
    last = end or (max(dates) + dt.timedelta(days=365) if dates else dt.date(2000, 1, 1))
    first = min(dates) - dt.timedelta(days=365) if dates else dt.date(1990, 1, 1)
    statuses = list(dict.fromkeys(intervals[C.STATUS]))
    n_handles = len(statuses) + int((intervals[C.START_PRECISION] == "on_or_before").any())
    source = ("Source: reference/membership_timeline.csv; sources "
              f"{_short_refs(list(intervals[C.SOURCE_ID]))}. Arrows: still held at the end of "
              "the data.")
    main_h = 0.9 + 0.4 * max(len(orgs), 1)
    foot_h = _footer_height(n_handles, 4, source)
    fig = _figure(main_h + foot_h)
    gs = fig.add_gridspec(2, 1, height_ratios=[main_h, foot_h])
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
    seen: list[str] = []
    for _, r in intervals.iterrows():
        y, height = sub[(r[C.ORGANISATION], r[C.STATUS])]
        start, stop = r[C.START_DATE], r[C.END_DATE] or last
        _, face, edge = STATUS_STYLE.get(r[C.STATUS], ("o", "#777777", "#777777"))
        colour = edge if face == "white" else face
        ax.barh(y, mdates.date2num(stop) - mdates.date2num(start), left=mdates.date2num(start),
                height=height, color=colour, alpha=0.85,
                hatch="//" if face == "white" else None, edgecolor=colour)
        if r[C.START_PRECISION] == "on_or_before":
            lead = start - dt.timedelta(days=540)
            ax.plot([mdates.date2num(lead), mdates.date2num(start)], [y, y], ls=":",
                    color=colour, lw=2)
        if r[C.END_DATE] is None:
            ax.annotate("", xy=(mdates.date2num(last + dt.timedelta(days=200)), y),
                        xytext=(mdates.date2num(last), y),
                        arrowprops={"arrowstyle": "->", "color": colour})
        if r[C.STATUS] not in seen:
            seen.append(r[C.STATUS])
    marks = [(d, w, st) for d, w, st in ((article_date, "article", "--"), (as_of, "as of", ":"))
             if d]
    for i, (d, words, style) in enumerate(marks):
        ax.axvline(mdates.date2num(d), color="#333333", ls=style, lw=1)
        left_side = i == 0 and len(marks) > 1
        ax.text(mdates.date2num(d), len(orgs) - 0.45,
                f"{words} {d.isoformat()} " if left_side else f" {words} {d.isoformat()}",
                fontsize=7, va="bottom", ha="right" if left_side else "left")
    ax.set_yticks(list(lanes.values()))
    ax.set_yticklabels(list(lanes))
    ax.set_ylim(-0.7, max(len(orgs), 1) - 0.2)
    ax.set_xlim(mdates.date2num(first), mdates.date2num(last + dt.timedelta(days=400)))
    span_years = max((last - first).days / 365.25, 1.0)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=max(1, math.ceil(span_years / 8))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("Year")
    ax.set_ylabel("Organisation")
    ax.set_title(title or f"{country}: status in each organisation over time")
    handles = []
    for s in seen:
        _, face, edge = STATUS_STYLE.get(s, ("o", "#777777", "#777777"))
        colour = edge if face == "white" else face
        handles.append(Patch(facecolor=colour, edgecolor=colour,
                             hatch="//" if face == "white" else None, label=A.label(s)))
    if (intervals[C.START_PRECISION] == "on_or_before").any():
        handles.append(Line2D([], [], ls=":", color="#333333", lw=2,
                              label="Began on or before the date shown"))
    _footer(fig.add_subplot(gs[1]), handles, min(4, len(handles) or 1), source)
    return fig

"""What every chart shares: the typefaces, the Okabe–Ito palette and the status styles,
matplotlib's settings, the figure, its title, source line and legend, and the narrow (phone)
variant every chart function can draw."""

from __future__ import annotations

import functools
import math
import re
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend_handler import HandlerBase  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from .. import analysis as A  # noqa: E402
from .. import fonts  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": safe for the common colour-vision deficits.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
    "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
    "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "grey": "#999999",
}

PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                  "reddish_purple", "sky_blue", "yellow", "black", "grey")]

#: Fills, as (colour, hatch), for categories any two of which may meet (a stacked bar's
#: segments): the Okabe–Ito colours but vermillion, hard to tell from orange (amber) beside
#: it; past eight, the colours a white hatching shows on, hatched. No two alike up to
#: fifteen categories (eleven claim types, fourteen topics).
CATEGORY_FILLS: list[tuple[str, str]] = (
    [(OKABE_ITO[k], "") for k in ("blue", "orange", "bluish_green", "reddish_purple",
                                  "sky_blue", "yellow", "black", "grey")]
    + [(OKABE_ITO[k], "////") for k in ("blue", "bluish_green", "reddish_purple", "orange",
                                        "black", "sky_blue", "grey")])

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

BORDER_WORDS = {"recognised": "internationally recognised border", "claimed": "claimed border only",
                "none": "no land border", "unknown": "not in the reference data",
                "subject": "the subject country itself"}

FOCUS_BAND = "#F7F0B0"  # a pale tint of Okabe–Ito yellow

REFERENCE_COLOUR = OKABE_ITO["grey"]

ARTICLE_COLOUR = OKABE_ITO["blue"]

VAGUE_COLOUR = OKABE_ITO["orange"]

WIDTH_IN = 6.7  # A4 text width at 18 mm margins, in inches

#: The narrow (phone) variant's width: 346 CSS px, shown at about its own size on a 360 px
#: screen, so its smallest text stays above 8 CSS px.
NARROW_WIDTH_IN = 3.6

#: Characters per line of a source line and of a title, wide and narrow.
SOURCE_CHARS = {False: 130, True: 62}

TITLE_CHARS = {False: 100, True: 44}

#: The smallest text any chart draws (source lines, legends), in points.
SMALLEST_PT = 7.0

#: A figure's margin, in inches, for a chart whose saved image must be no wider than the
#: figure: to_svg's own margin (its ``pad_inches``), kept clear by the layout.
EDGE_IN = 0.08


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
    # Text stays text (selectable, searchable, a smaller SVG, quicker to draw in the PDF);
    # to_svg embeds subsets of the faces it uses so every reader sees matplotlib's metrics.
    "svg.fonttype": "none",
    "figure.dpi": 100,
}


matplotlib.rcParams.update(RC)


class Glyph(Artist):
    """A legend handle drawn as the character the chart itself draws ("?", "†"): a text
    marker ("$?$") goes through mathtext, which this module turns off, and garbles."""

    def __init__(self, text: str, color: str, label: str, fontsize: float = 8.5,
                 fontweight: str = "normal") -> None:
        super().__init__()
        self.text, self.color, self.fontsize, self.fontweight = text, color, fontsize, fontweight
        self.set_label(label)


class _GlyphHandler(HandlerBase):
    """Draws a :class:`Glyph` in the legend, centred where a marker would be."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height,
                       fontsize, trans):
        return [Text(width / 2 - xdescent, height / 2 - ydescent, orig_handle.text,
                     color=orig_handle.color, fontsize=orig_handle.fontsize,
                     fontweight=orig_handle.fontweight, ha="center", va="center",
                     transform=trans)]

GLYPH_HANDLERS = {Glyph: _GlyphHandler()}


def _figure(height: float, width: float = WIDTH_IN) -> Figure:
    """A chart's figure, its layout keeping EDGE_IN clear at either side: the image to_svg
    saves (bbox_inches="tight", its margin EDGE_IN) is then the figure's width, never wider,
    which a page or a phone would show scaled down, its text smaller than set."""
    with matplotlib.rc_context(RC):
        fig = plt.figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(w_pad=EDGE_IN)
    return fig


def with_narrow_variant(chart):
    """A chart function whose (wide) figure carries ``narrow_variant``: a callable that draws
    the same chart for a phone (``narrow=True``: portrait, fewer columns, wrapped text),
    drawn only when asked for."""

    @functools.wraps(chart)
    def wide_or_narrow(*args, narrow: bool = False, **kwargs) -> Figure:
        fig = chart(*args, narrow=narrow, **kwargs)
        if not narrow:
            fig.narrow_variant = functools.partial(wide_or_narrow, *args, narrow=True,
                                                   **kwargs)
        return fig

    return wide_or_narrow


def _fit_title(ax, text: str, narrow: bool, **kwargs) -> None:
    """``ax``'s title, wrapped to the width of the axes as laid out (and at most
    ``TITLE_CHARS[narrow]`` characters a line), its lines balanced: no word left alone on
    the last. Call it once the y tick labels and label are set (the axes' width is measured
    from them, :func:`_axes_room`): a title that ran past the axes would run past the
    figure's edge, where the image saved with ``bbox_inches="tight"`` grows wider than the
    page and is shown scaled down, all its text with it."""
    fig = ax.figure
    title = ax.set_title("", **kwargs)
    renderer = fig.canvas.get_renderer()
    words = str(text).split()

    def width(line: str) -> float:
        title.set_text(line)
        return title.get_window_extent(renderer).width

    # each word measured once; a line's width is its words' and spaces' (the real widths
    # are checked at the end): a chart's title is wrapped in a few text measurements
    sizes = [width(word) for word in words]
    space = width("x x") - 2 * width("x")

    def wrap(room: float) -> list[list[int]]:
        lines: list[list[int]] = []
        used = 0.0
        for i in range(len(words)):
            if lines and used + space + sizes[i] <= room and \
                    len(" ".join(words[j] for j in [*lines[-1], i])) <= TITLE_CHARS[narrow]:
                lines[-1].append(i)
                used += space + sizes[i]
            else:
                lines.append([i])
                used = sizes[i]
        return lines

    room = _axes_room(ax, renderer)
    lines = wrap(room)
    low = max(sizes, default=room)
    if len(lines) > 1 and low < room:  # balanced: the narrowest room needing no more lines
        widest = room
        for _ in range(12):
            mid = (low + widest) / 2
            if len(wrap(mid)) > len(lines):
                low = mid
            else:
                widest = mid
        lines = wrap(widest)
    texts = [" ".join(words[i] for i in line) for line in lines]
    if any(width(t) > room for t in texts):  # the sum was short of the set width
        texts = [" ".join(words[i] for i in line) for line in wrap(room * 0.95)]
    title.set_text("\n".join(texts) or str(text))


def _axes_room(ax, renderer) -> float:
    """The width, in pixels, ``ax`` will have once the (constrained) layout has placed it,
    measured without laying the figure out (which would draw the whole figure):
    the figure's width less its padding on either side, the y tick labels, their ticks and
    pads and the y axis label, less 3 % to spare."""
    fig = ax.figure
    pad = fig.get_layout_engine().get()["w_pad"] * fig.dpi
    labels = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()
                  if t.get_text()), default=0.0)
    ylabel = ax.yaxis.label.get_window_extent(renderer).width if ax.get_ylabel() else 0.0
    points = (matplotlib.rcParams["ytick.major.size"] + matplotlib.rcParams["ytick.major.pad"]
              + ax.yaxis.labelpad)
    return 0.97 * (fig.bbox.width - 2 * pad - labels - ylabel - points * fig.dpi / 72)


def _source_line(fig: Figure, text: str, chars: int = SOURCE_CHARS[False]) -> None:
    """The source line under the figure, from its margin (EDGE_IN) rightwards."""
    wrapped = "\n".join(textwrap.wrap(text, chars))
    fig.get_layout_engine().set(h_pad=0.04)
    fig.supxlabel(wrapped, fontsize=SMALLEST_PT, color="#444444",
                  x=EDGE_IN / fig.get_figwidth(), ha="left")


def _footer_height(n_handles: int, ncol: int, source: str,
                   chars: int = SOURCE_CHARS[False]) -> float:
    """About the height (inches) the legend and source line of :func:`_footer` take."""
    rows = math.ceil(n_handles / max(ncol, 1)) if n_handles else 0
    lines = len(textwrap.wrap(source, chars)) or 1
    return 0.1 + 0.21 * rows + 0.12 * lines


def _footer(ax, handles, ncol: int, source: str, chars: int = SOURCE_CHARS[False]) -> None:
    """Legend and source line in their own (axis-less) row under the chart, so neither can
    overlap the axis labels whatever the chart's height. The legend hangs from the row's
    top and the source line from the legend's foot, so the two never overlap however many
    rows the legend takes; the layout makes room for both even in a row drawn flat."""
    ax.axis("off")
    fig = ax.figure
    # centred on the figure and the source line from its margin (EDGE_IN), so that neither
    # runs past the figure's edge (the saved image would grow wider than the page)
    above = ax.legend(handles=handles, loc="upper center", ncol=ncol, borderaxespad=0.0,
                      bbox_to_anchor=(0.5, 1.0),
                      bbox_transform=blended_transform_factory(fig.transFigure, ax.transAxes),
                      handler_map=GLYPH_HANDLERS) if handles else ax
    ax.annotate("\n".join(textwrap.wrap(source, chars)),
                xy=(EDGE_IN / fig.get_figwidth(), 0.0 if handles else 1.0),
                xycoords=(ax.figure.transFigure, above), xytext=(0, -3),
                textcoords="offset points", fontsize=SMALLEST_PT, color="#444444",
                ha="left", va="top")


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

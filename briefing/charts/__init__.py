"""The briefing's charts: matplotlib figures from the analysis frames (no file I/O).

Every chart has a title, labelled axes with units, a source line naming the claim or source
ids it is drawn from, and uses the Okabe–Ito colour-blind-safe palette. Each chart function
also draws a narrow variant for a phone's width (``narrow=True``, or the wide figure's
``narrow_variant()``). :func:`to_svg` serialises a figure deterministically (fixed hash salt,
no date) and closes it; its text stays selectable text, with subsets of the fonts it uses
embedded (:func:`embed_fonts`).

One module per chart (``membership``, ``money``, ``claims``, ``timeline``; one money
figure's glyph, words and row height in ``money_marks``), what they share in ``common``
(imported first: it selects matplotlib's backend) and the SVG writer in ``svg``.
"""

from . import common  # noqa: F401  (first: it selects matplotlib's Agg backend)
from .claims import claims_chart
from .common import (
    ARTICLE_COLOUR,
    BORDER_STYLE,
    BORDER_WORDS,
    FOCUS_BAND,
    GLYPH_HANDLERS,
    NARROW_WIDTH_IN,
    OKABE_ITO,
    PALETTE,
    RC,
    REFERENCE_COLOUR,
    SMALLEST_PT,
    STATUS_STYLE,
    VAGUE_COLOUR,
    WIDTH_IN,
    Glyph,
    smallest_text_pt,
    with_narrow_variant,
)
from .common import (
    _figure as _figure,
)
from .membership import membership_grid
from .money import money_chart
from .svg import _face_file as _face_file
from .svg import embed_fonts, svg_text_faces, to_svg
from .timeline import timeline_chart

__all__ = [
    "ARTICLE_COLOUR", "BORDER_STYLE", "BORDER_WORDS", "FOCUS_BAND", "GLYPH_HANDLERS",
    "NARROW_WIDTH_IN", "OKABE_ITO", "PALETTE", "RC", "REFERENCE_COLOUR", "SMALLEST_PT",
    "STATUS_STYLE", "VAGUE_COLOUR", "WIDTH_IN", "Glyph", "claims_chart", "embed_fonts",
    "membership_grid", "money_chart", "smallest_text_pt", "svg_text_faces", "timeline_chart",
    "to_svg", "with_narrow_variant",
]

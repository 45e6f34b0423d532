"""The briefing's charts: matplotlib figures from the analysis frames (no file I/O).

Every chart has a title, labelled axes with units, a source line naming the claim or source
ids it is drawn from, and uses the Okabe–Ito colour-blind-safe palette. Each chart function
also draws a narrow variant for a phone's width (``narrow=True``, or the wide figure's
``narrow_variant()``). :func:`to_svg` serialises a figure deterministically (fixed hash salt,
no date) and closes it; its text stays selectable text, with subsets of the fonts it uses
embedded.

One module per chart (``membership``, ``money``, ``claims``, ``timeline``; one money
figure's glyph, words and row height in ``money_marks``), what they share in ``common``
(imported first: it selects matplotlib's backend) and the SVG writer in ``svg``. This
package re-exports what the templates, notebooks and tests use through it.
"""

from . import common  # first: it selects matplotlib's Agg backend
from .claims import claims_chart
from .common import (
    BORDER_WORDS,
    NARROW_WIDTH_IN,
    OKABE_ITO,
    PALETTE,
    RC,
    SMALLEST_PT,
    STATUS_STYLE,
    WIDTH_IN,
    _figure,
    smallest_text_pt,
)
from .membership import membership_grid
from .money import money_chart
from .svg import _face_file, svg_text_faces, to_svg
from .timeline import timeline_chart

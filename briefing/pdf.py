"""Typeset the exported HTML page as a PDF: one WeasyPrint pass, CSS paged media.

Only ``data:`` and ``file:`` URLs may be fetched (the page is self-contained; anything else
is a RenderError naming the URL). The PDF is tagged (structure for screen readers, the
page's language) and has no creation date and no file identifier, and its fonts' timestamps
are fixed (:data:`FONT_TIMESTAMP`), so the same HTML always gives the same bytes.

The bytes depend on one thing outside the kit: WeasyPrint subsets the embedded fonts again
with HarfBuzz where the system has libharfbuzz-subset and with fontTools where it has not,
and the two write different font tables (same text, same pixels). Embedding the page's own
subsets as they are (``full_fonts``) would avoid that, but then WeasyPrint maps glyphs back to
text from the font's cmap alone, and a ligature ("fi") extracts as the wrong letter.

No file identifier (the trailer's optional ``/ID``): pydyf derives one by serialising and
compressing every object a second time; PDF 1.7 requires it only of encrypted files, and
PDF/UA not at all.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from . import paths
from .errors import RenderError


def _local_fetcher():
    """A WeasyPrint URL fetcher that reads only ``data:`` and ``file:`` URLs and remembers
    every URL it could not fetch, so the error can name it."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=True)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            try:
                return super().fetch(url, headers)
            except Exception:
                self.refused.append(url)
                raise

    return LocalFetcher()


#: The time fontTools stamps on the fonts WeasyPrint decodes from the page's WOFF subsets
#: (``head.modified``): without it, the clock's, so two PDFs of the same HTML would differ.
#: fontTools reads it from SOURCE_DATE_EPOCH, the reproducible-builds convention; a value the
#: caller set is kept. 2021-01-01T00:00:00Z.
FONT_TIMESTAMP = "1609459200"


@contextlib.contextmanager
def _reproducible_font_stamps():
    """SOURCE_DATE_EPOCH set for one export, unless the caller set one."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def export_pdf(html: str, base_url: Path | str) -> bytes:
    """The PDF of ``html`` (print media): tagged, deterministic, nothing fetched."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _local_fetcher()
    try:
        # WeasyPrint allocates hundreds of thousands of short-lived objects
        with paths.collector_paused("collector"), _reproducible_font_stamps():
            return HTML(string=html, base_url=str(Path(base_url).resolve()) + os.sep,
                        url_fetcher=fetcher).write_pdf(pdf_tags=True)
    except FatalURLFetchingError as exc:
        url = fetcher.refused[0] if fetcher.refused else str(exc)
        raise RenderError(f"PDF export failed: the HTML refers to {url[:200]!r}; only data: "
                          "and file: URLs may be used (nothing is fetched from the network)"
                          ) from None
    except Exception as exc:  # WeasyPrint raises several types; all are a failed render
        raise RenderError(f"PDF export failed: {type(exc).__name__}: {exc}") from None

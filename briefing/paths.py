"""Where things live. No heavy imports: the CLI imports this before anything else."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "briefing"
DATA_DIR = ROOT / "data"
REFERENCE_DIR_NAME = "reference"
NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMS_DIR = ROOT / "params"
REPORTS_DIR = ROOT / "reports"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TYPEFACES_DIR = PACKAGE_DIR / "typefaces"  # the fonts shipped with the kit (IBM Plex, OFL)
TESTS_DIR = ROOT / "tests"
FIXTURES_DIR = TESTS_DIR / "fixtures"

BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "briefing.ipynb"
PROFILE_NOTEBOOK = NOTEBOOKS_DIR / "country_profile.ipynb"

ARTICLE_FILE = "article.txt"
ARTICLE_META_FILE = "article.json"


def display_path(path: Path | str) -> str:
    """A path as the user should see it in messages: relative to the repo when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def switched_off(mechanism: str, by_all: bool = True) -> bool:
    """``BRIEFING_NO_WARM=prestart,reuse,preload,collector,columns`` (or ``1``/``all``) turns
    the speed mechanisms off: the kernel started before the parent's imports and the kernel
    reused in a batch (briefing.kernels), the parent's imports and exporter preparation while
    the kernel works (render.preload), Python's cyclic garbage collector paused during the
    PDF's export and, in a one-off render, until the process exits (briefing.pdf,
    briefing.cli), the PDF's computed table column widths (briefing.columns; the PDF's tables
    are then laid out by WeasyPrint's automatic layout, so its bytes differ).

    An escape hatch, and how bench/ measures what each mechanism is worth; but for
    ``columns``, the outputs are the same bytes either way. ``by_all=False``: only the
    mechanism's own name turns it off, not ``1``/``all`` (a switch that changes bytes).
    """
    value = os.environ.get("BRIEFING_NO_WARM", "").lower()
    flags = {v.strip() for v in value.split(",") if v.strip()}
    return bool(flags & ({"1", "all", "true", "yes", mechanism} if by_all else {mechanism}))

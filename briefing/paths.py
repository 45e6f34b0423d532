"""Where things live. No heavy imports: the CLI imports this before anything else."""

from __future__ import annotations

import contextlib
import gc
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
    """Whether ``BRIEFING_NO_WARM`` (a comma-separated list of names, or ``1``/``all``) turns
    the speed mechanism ``mechanism`` off (the README lists them): an escape hatch, and how
    bench/ measures what each is worth. ``by_all=False``: only the mechanism's own name turns
    it off, not ``1``/``all`` (for a switch that changes bytes)."""
    value = os.environ.get("BRIEFING_NO_WARM", "").lower()
    flags = {v.strip() for v in value.split(",") if v.strip()}
    return bool(flags & ({"1", "all", "true", "yes", mechanism} if by_all else {mechanism}))


@contextlib.contextmanager
def collector_paused(mechanism: str | None = None):
    """Python's cyclic garbage collector off inside the block, and as it was after; left on
    when ``mechanism`` is named and :func:`switched_off`. For code that builds a great many
    short-lived containers: each automatic collection would also walk everything the
    process holds, and the cyclic garbage is left to the collector's next run."""
    if not gc.isenabled() or (mechanism and switched_off(mechanism)):
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

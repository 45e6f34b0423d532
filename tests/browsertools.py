"""Debian's Chromium, driven by Playwright (no browser download): where it is and how the
browser tests launch it. The ``browser`` fixture (conftest) skips when it is not installed."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

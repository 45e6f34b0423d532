"""Shared fixtures: copies of the shipped data and small synthetic datasets to break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import synthetic
from browsertools import ARGS, CHROMIUM
from hypothesis import settings

from briefing import paths

# Shared machines are noisy: no per-example deadline. In CI (CI=true) the examples are
# derandomised so a landing is reproducible; a developer's run explores new examples.
settings.register_profile("briefing", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("briefing")


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may change freely."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target)
    return target


@pytest.fixture
def synthetic_dir(tmp_path) -> Path:
    """A small valid synthetic dataset (tests/synthetic.py) written to a temporary folder."""
    target = tmp_path / "synthetic"
    synthetic.write_dataset(synthetic.base(), target)
    return target


# --------------------------------------------------------------------------- rendered once
# Each distinct input is rendered once per test session (a render takes seconds): tests read
# these folders and never write into them.

RENDERS = {
    "default": [],
    "other": ["--data-dir", str(paths.FIXTURES_DIR / "other_dataset")],
    "profile": ["--notebook", "country_profile", "-p", "country", "TJK"],
    **{f"params-{f.stem}": ["-f", str(f)] for f in sorted(paths.PARAMS_DIR.glob("*.yaml"))},
}


def _render_once(factory, name: str) -> dict:
    import subprocess
    import sys

    out = factory.mktemp(f"report-{name}")
    proc = subprocess.run([sys.executable, "-m", "briefing", "render", "--out", str(out),
                           *RENDERS[name]], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr
    stem = "TJK" if name == "profile" else "briefing"
    return {"out": out, "stem": stem, "stderr": proc.stderr, "stdout": proc.stdout,
            "html": out / f"{stem}.html", "pdf": out / f"{stem}.pdf",
            "ipynb": out / f"{stem}.ipynb"}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """``rendered(name)``: the report of RENDERS[name], rendered by the command line the
    first time a test asks for it in this session, then shared (read it, never write)."""
    done: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in done:
            done[name] = _render_once(tmp_path_factory, name)
        return done[name]

    return get


@pytest.fixture(scope="session")
def default_report(rendered) -> dict:
    """The default briefing, HTML + PDF + .ipynb, rendered once by the command line."""
    return rendered("default")


@pytest.fixture(scope="session")
def other_report(rendered) -> dict:
    """The briefing of tests/fixtures/other_dataset, rendered once."""
    return rendered("other")


@pytest.fixture(scope="session")
def profile_report(rendered) -> dict:
    """The Tajikistan country profile, rendered once."""
    return rendered("profile")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a module's tests (skipped where it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed (Debian package chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()

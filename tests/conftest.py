"""Shared fixtures: copies of the shipped data and small synthetic datasets to break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import synthetic
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

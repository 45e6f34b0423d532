"""Shared fixtures: copies of the shipped data and small synthetic datasets to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import synthetic

from briefing import paths


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

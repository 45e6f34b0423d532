"""The analyst's judgements are data too (issue 14): validated like the rest, every
evidence id they cite must exist, and the ids a judgement's text names are among its
evidence."""

from __future__ import annotations

import csv
import re
import shutil

import pytest

from briefing import paths
from briefing.errors import DataError
from briefing.load import load
from briefing.schema import TABLES
from briefing.validate import validate


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target)
    return target


@pytest.mark.parametrize(("column", "value"), [("claim_ids", "C01;C999"),
                                               ("source_ids", "S01;S999")])
def test_a_judgement_citing_evidence_that_does_not_exist_is_refused(data_copy, column,
                                                                     value):
    path = data_copy / TABLES["judgements"].path
    rows = _rows(path)
    rows[1][column] = value
    _write(path, rows)
    with pytest.raises(DataError) as err:
        validate(data_copy)
    problems = [p for p in err.value.problems if "judgements.csv" in str(p)]
    assert problems and value.split(";")[1] in str(problems[0]) and column in str(problems[0])


def test_a_likelihood_outside_the_scale_is_refused(data_copy):
    path = data_copy / TABLES["judgements"].path
    rows = _rows(path)
    rows[2]["likelihood"] = "probable-ish"
    _write(path, rows)
    with pytest.raises(DataError, match="likelihood"):
        validate(data_copy)


def test_a_dataset_without_judgements_is_valid(data_copy):
    (data_copy / TABLES["judgements"].path).unlink()
    ds = load(data_copy)
    assert "judgements" not in ds.tables


def test_every_id_a_judgement_names_in_its_text_is_among_its_evidence():
    ids = re.compile(r"\b[CS]\d{2,}\b")
    for row in _rows(paths.DATA_DIR / TABLES["judgements"].path):
        evidence = {*row["claim_ids"].split(";"), *row["source_ids"].split(";")}
        named = set(ids.findall(row["basis"] + " " + row["implication"]))
        assert named <= evidence, (row["judgement_id"], named - evidence)


def test_there_is_one_bottom_line_and_every_key_judgement_says_what_to_watch():
    rows = _rows(paths.DATA_DIR / TABLES["judgements"].path)
    assert [r["kind"] for r in rows].count("bottom_line") == 1
    for row in rows:
        if row["kind"] == "key_judgement":
            assert row["implication"] and row["indicators"], row["judgement_id"]

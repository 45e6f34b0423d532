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


@pytest.mark.parametrize(("column", "named", "message"), [
    ("basis", "C50", "names C50, which is not among the judgement's claim_ids"),
    ("implication", "S99", "names S99, which is not among the judgement's source_ids"),
    ("indicators", "C999", "names C999, which is not among the judgement's claim_ids"),
    ("judgement", "J99", "names a judgement that is not in judgements.csv"),
], ids=["claim-not-listed", "source-not-listed", "in-a-list-field", "no-such-judgement"])
def test_an_id_a_judgement_names_but_does_not_list_is_refused(data_copy, column, named,
                                                              message):
    """The briefing links every id in a judgement's prose and lists its evidence from
    claim_ids and source_ids: an id named but not listed is a link to nothing, or evidence
    missing from the list. ``check`` says where, in one line, and exits 2."""
    import subprocess
    import sys

    path = data_copy / TABLES["judgements"].path
    rows = _rows(path)
    row = rows[2]
    assert named not in row["claim_ids"].split(";") + row["source_ids"].split(";")
    row[column] = f"{row[column]};see {named}" if column == "indicators" else \
        f"{row[column]} ({named})"
    _write(path, rows)
    with pytest.raises(DataError) as err:
        validate(data_copy)
    assert len(err.value.problems) == 1
    problem = str(err.value.problems[0])
    assert message in problem and f"judgements.csv:4: column '{column}'" in problem, problem
    proc = subprocess.run([sys.executable, "-m", "briefing", "check", "--data-dir",
                           str(data_copy)], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=60)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr
    assert lines[0].startswith("error: ")


def test_sources_named_in_a_file_without_source_ids_are_one_line_a_judgement(data_copy):
    """Without a source_ids column there is nothing to list a source in: one line a
    judgement says so and names the sources, not one line an id."""
    path = data_copy / TABLES["judgements"].path
    rows = [{k: v for k, v in r.items() if k != "source_ids"} for r in _rows(path)]
    _write(path, rows)
    with pytest.raises(DataError) as err:
        validate(data_copy)
    naming = [r for r in rows if re.search(r"\bS\d{2,}", " ".join(r.values()))]
    assert len(err.value.problems) == len(naming) > 1
    first = str(err.value.problems[0])
    assert "but the file has no source_ids column" in first and "S01" in first, first


def test_there_is_one_bottom_line_and_every_key_judgement_says_what_to_watch():
    rows = _rows(paths.DATA_DIR / TABLES["judgements"].path)
    assert [r["kind"] for r in rows].count("bottom_line") == 1
    for row in rows:
        if row["kind"] == "key_judgement":
            assert row["implication"] and row["indicators"], row["judgement_id"]


# -- review 15: the bottom line's estimate labels its forecast alone -----------------------


def _bottom_line_box(implication=None) -> str:
    """The bottom-line box as written from the shipped data (its implication replaced by
    ``implication`` when given)."""
    from briefing import analysis as A
    from briefing import present

    ds = load()
    if implication is not None:
        frame = ds.tables["judgements"].copy()
        frame.loc[frame["kind"] == "bottom_line", "implication"] = implication
        ds.tables["judgements"] = frame
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    markup = present.markup(present.Report(v).section("key_judgements", A.judgement_facts(v)))
    return re.search(r'<section class="bottom-line".*?</section>', markup, re.S).group(0)


def test_the_bottom_lines_implication_follows_its_estimate_in_a_paragraph_of_its_own():
    ds = load()
    bottom = ds.tables["judgements"].set_index("kind").loc["bottom_line"]
    assert bottom["implication"].startswith("The article overstates")
    box = _bottom_line_box()
    paragraphs = re.findall(r"<p\b.*?</p>", box, re.S)
    assert len(paragraphs) == 2
    # the forecast and its estimate first; then the facts, unlabelled, and the evidence of
    # the whole box after them (second reading of review 15: under the estimate, the borders
    # and the appeal read as evidence for the forecast)
    assert "Through 2027" in paragraphs[0] and 'class="estimate"' in paragraphs[0]
    assert 'class="refs"' not in paragraphs[0]
    assert "The article overstates" in paragraphs[1] and "estimate" not in paragraphs[1]
    assert 'class="refs"' in paragraphs[1] and 'href="#S86"' in paragraphs[1]
    assert 'href="#J03"' in paragraphs[1]  # its ids link like the forecast's


@pytest.mark.parametrize("implication", ["", float("nan")], ids=["empty", "missing"])
def test_a_bottom_line_without_an_implication_has_nothing_after_its_estimate(implication):
    box = _bottom_line_box(implication)
    assert len(re.findall(r"<p\b", box)) == 1
    assert 'class="refs"' in box  # the evidence after the forecast, then
    assert not re.search(r"\bnan\b", re.sub(r"<[^>]+>", " ", box), re.I)

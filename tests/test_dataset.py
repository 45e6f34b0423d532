"""The shipped dataset: it validates, every row carries its provenance, the dictionary in
data/README.md is exactly the one generated from the schema (STYLE.md practices 5-7).

The provenance walk reads the loaded DataFrames on its own, without the validator's
foreign-key machinery, so a gap in one cannot hide a gap in the other.
"""

from __future__ import annotations

import re

import pytest

from briefing import paths
from briefing.load import load
from briefing.schema import DICTIONARY_BEGIN, DICTIONARY_END, TABLES, C, dictionary_markdown
from briefing.validate import validate


@pytest.fixture(scope="module")
def data():
    return load(paths.DATA_DIR)


def test_shipped_data_validates_without_warnings():
    v = validate(paths.DATA_DIR)
    assert v.warnings == []
    for name in TABLES:
        assert v.count(name) > 0, f"{name} has no rows"


def test_files_are_plain_utf8_comma_separated():
    """What the data dictionary promises: UTF-8 without BOM, commas, one line ending."""
    for table in TABLES.values():
        raw = (paths.DATA_DIR / table.path).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{table.path} starts with a BOM"
        raw.decode("utf-8")
        header = raw.split(b"\n", 1)[0].rstrip(b"\r").decode()
        assert header == ",".join(table.field_names), table.path


ARTICLE_TABLES = [t for t in TABLES.values() if t.layer == "article" and t.name != "claims"]
REFERENCE_TABLES = [t for t in TABLES.values() if t.layer == "reference"
                    and t.name != "sources"]


def _assert_every_row_refers(frame, column: str, targets: set, path: str, what: str) -> None:
    for i, value in enumerate(frame[column]):
        assert isinstance(value, str) and value, f"{path} row {i + 1}: no {column}"
        assert value in targets, f"{path} row {i + 1}: {column} {value} is not {what}"


@pytest.mark.parametrize("table", ARTICLE_TABLES, ids=lambda t: t.name)
def test_every_article_row_points_at_the_claim_that_states_it(data, table):
    _assert_every_row_refers(data.tables[table.name], C.CLAIM_ID, set(data.claims[C.CLAIM_ID]),
                             table.path, "a claim")


@pytest.mark.parametrize("table", REFERENCE_TABLES, ids=lambda t: t.name)
def test_every_reference_row_points_at_its_source(data, table):
    frame = data.tables[table.name]
    _assert_every_row_refers(frame, C.SOURCE_ID, set(data.sources[C.SOURCE_ID]), table.path,
                             "a source")
    if C.CLAIM_ID in frame.columns:  # optional link to the claim it qualifies
        linked = [c for c in frame[C.CLAIM_ID] if isinstance(c, str) and c]
        assert set(linked) <= set(data.claims[C.CLAIM_ID])


def test_every_source_says_where_it_comes_from(data):
    for _, row in data.sources.iterrows():
        assert row[C.PUBLISHER] and row[C.TITLE], row[C.SOURCE_ID]
        url = row[C.URL]
        if isinstance(url, str):
            assert re.fullmatch(r"https?://\S+", url), (row[C.SOURCE_ID], url)


def test_every_claim_is_anchored_in_the_article(data):
    for _, row in data.claims.iterrows():
        start, end = row[C.EVIDENCE_START], row[C.EVIDENCE_END]
        assert data.article[start:end] == row[C.EVIDENCE], row[C.CLAIM_ID]


def test_every_country_has_one_name_everywhere(data):
    names = data.country_names
    assert len(set(names.values())) == len(names)
    for table in TABLES.values():
        for f in table.fields:
            if f.names_code:
                frame = data.tables[table.name]
                for code, name in zip(frame[f.names_code], frame[f.name], strict=True):
                    if isinstance(code, str):
                        assert names[code] == name, (table.path, code, name)


def test_readme_holds_exactly_the_generated_dictionary():
    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert readme.count(DICTIONARY_BEGIN) == 1 and readme.count(DICTIONARY_END) == 1
    start = readme.index(DICTIONARY_BEGIN)
    end = readme.index(DICTIONARY_END) + len(DICTIONARY_END)
    assert readme[start:end] == dictionary_markdown(), (
        "data/README.md is out of step with briefing/schema.py: replace the part between "
        "the markers with the output of `python -m briefing dictionary`")

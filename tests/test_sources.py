"""Sources a reader can cite, and a schema that fits any article (issue 15).

* The shipped reference layer: every source has a publisher, its real title, an http(s)
  address, a date (a continuously updated reference work excepted) and a kind; none is on a
  weak domain; no curator's note stands in for a title.
* :mod:`briefing.source_rules`: what ``check`` reports about sources (errors and warnings).
* Shapes another article needs: free-form ids, event and quote claims, topic ``other``,
  forums, unions and alliances, speakers known by role, applicants, spending, an undated
  article with no single subject country; amounts written as plain numbers.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from synthetic import base, find, problems_of, write_dataset

from briefing import paths, source_rules
from briefing.load import load
from briefing.schema import (
    ARTICLE_META_OPTIONAL,
    SOURCE_KINDS,
    WEAK_DOMAINS,
    C,
    dictionary_markdown,
)
from briefing.validate import validate

OTHER = paths.FIXTURES_DIR / "other_dataset"


@pytest.fixture(scope="module")
def shipped():
    return load(paths.DATA_DIR)


# ---------------------------------------------------------------------------------------
# The shipped sources
# ---------------------------------------------------------------------------------------


def test_every_shipped_source_is_citable(shipped):
    for _, row in shipped.sources.iterrows():
        sid = row[C.SOURCE_ID]
        assert row[C.PUBLISHER] and row[C.TITLE], sid
        assert isinstance(row[C.URL], str) and row[C.URL].startswith(("http://", "https://")), sid
        assert row[C.KIND] in SOURCE_KINDS, sid
        if row[C.KIND] != "reference_work":
            assert pd.notna(row[C.DATE]), sid
        assert source_rules.weak_domain(row[C.URL]) is None, (sid, row[C.URL])


def test_shipped_titles_are_titles(shipped):
    for _, row in shipped.sources.iterrows():
        title = row[C.TITLE].lower()
        assert not any(m in title for m in source_rules.CURATION_MARKERS), row[C.SOURCE_ID]
        assert not title.rstrip().endswith(source_rules.TRUNCATION_MARKS), row[C.SOURCE_ID]


def test_every_shipped_source_id_a_row_cites_exists_and_every_source_has_a_use(shipped):
    cited = set()
    for name in ("membership_timeline", "borders", "money_context", "qualifications"):
        cited |= set(shipped.tables[name][C.SOURCE_ID])
    ids = set(shipped.sources[C.SOURCE_ID])
    assert cited <= ids
    for _, row in shipped.sources.iterrows():  # an uncited source says what it backs up
        if row[C.SOURCE_ID] not in cited:
            assert isinstance(row[C.NOTE], str) and row[C.NOTE], row[C.SOURCE_ID]


def test_borders_are_the_current_factbook_figures(shipped):
    b = shipped.borders.set_index(C.COUNTRY_CODE)
    expected = {"CHN": 91, "IRN": 921, "PAK": 2670, "TJK": 1357, "TKM": 804, "UZB": 144}
    for code, km in expected.items():
        assert b.at[code, C.LENGTH_KM] == km, code
        assert b.at[code, C.BORDER_STATUS] == "recognised", code
    kinds = shipped.sources.set_index(C.SOURCE_ID)[C.KIND]
    assert {kinds[s] for s in b.loc[list(expected), C.SOURCE_ID]} == {"reference_work"}


def test_the_narrated_joint_pledge_is_attributed_to_the_leaders(shipped):
    c01 = shipped.claims.set_index(C.CLAIM_ID).loc["C01"]
    assert c01[C.SPEAKER_KIND] == "narration"
    assert tuple(c01[C.ATTRIBUTED_TO]) == ("Xi Jinping", "Vladimir Putin")


# ---------------------------------------------------------------------------------------
# What check says about sources
# ---------------------------------------------------------------------------------------


def _with_sources(tmp_path, *rows: dict):
    ds = base()
    ds.tables["sources"] = [{**ds.tables["sources"][0], **r} for r in rows]
    for table in ("membership_timeline", "money_context", "qualifications", "borders"):
        for row in ds.tables[table]:
            row[C.SOURCE_ID] = rows[0][C.SOURCE_ID]
    write_dataset(ds, tmp_path)
    return tmp_path


def test_weak_domain_is_a_warning_not_an_error(tmp_path):
    data_dir = _with_sources(tmp_path, {C.SOURCE_ID: "S01",
                                        C.URL: "https://en.wikipedia.org/wiki/Kabul"})
    v = validate(data_dir)  # loads
    [w] = [w for w in v.warnings if "wikipedia.org" in w]
    assert "sources.csv:2" in w and "column 'url'" in w and "a wiki" in w
    assert source_rules.weak_domain("http://afghanairlines.tripod.com/x") == "tripod.com"
    assert source_rules.weak_domain("https://notwikipedia.org/x") is None
    assert source_rules.weak_domain(None) is None
    assert set(WEAK_DOMAINS) >= {"wikipedia.org", "tripod.com", "blogspot.com", "defence.pk"}


def test_a_curation_note_as_title_is_an_error(tmp_path):
    data_dir = _with_sources(tmp_path, {
        C.SOURCE_ID: "S01", C.TITLE: "Dushanbe hosts summits (title not given in the facts sheet)"})
    [p] = find(problems_of(data_dir), "sources.csv", C.TITLE)
    assert p.line == 2 and "curator's note" in p.message and "note column" in p.expected


def test_an_address_without_a_host_name_is_an_error(tmp_path):
    data_dir = _with_sources(tmp_path, {C.SOURCE_ID: "S01", C.URL: "https://kremlin"})
    [p] = find(problems_of(data_dir), "sources.csv", C.URL)
    assert p.message == "address has no host name" and p.value == "https://kremlin"


@pytest.mark.parametrize("column,value", [(C.URL, "ftp://example.org/x"),
                                          (C.DATE, "17 Sep 2021"), (C.KIND, "blog"),
                                          (C.TITLE, "")])
def test_the_schema_checks_address_date_kind_and_title(tmp_path, column, value):
    data_dir = _with_sources(tmp_path, {C.SOURCE_ID: "S01", column: value})
    [p] = find(problems_of(data_dir), "sources.csv", column)
    assert p.line == 2


def test_missing_address_date_kind_and_a_cut_title_are_warnings(tmp_path):
    data_dir = _with_sources(
        tmp_path,
        {C.SOURCE_ID: "S01", C.URL: "", C.DATE: "", C.KIND: "", C.TITLE: "Leaders of SCO…"},
        {C.SOURCE_ID: "S02", C.DATE: "", C.KIND: "reference_work", C.TITLE: "Atlas"})
    warnings = validate(data_dir).warnings
    line2 = [w for w in warnings if "sources.csv:2:" in w]
    assert {w.split("column '")[1].split("'")[0] for w in line2} == {
        C.URL, C.DATE, C.KIND, C.TITLE}
    assert not [w for w in warnings if "sources.csv:3:" in w]  # a reference work: no date


def test_the_dictionary_documents_source_kinds_and_weak_domains():
    text = dictionary_markdown()
    for kind in SOURCE_KINDS:
        assert f"`{kind}`" in text
    assert "tripod.com" in text and "briefing.source_rules" in text


# ---------------------------------------------------------------------------------------
# A schema that fits another article
# ---------------------------------------------------------------------------------------


def test_new_shapes_validate(tmp_path):
    ds = base()
    claims = ds.tables["claims"]
    old, new = claims[0][C.CLAIM_ID], "claim-intro_1"
    claims[0].update({C.CLAIM_ID: new, C.CLAIM_TYPE: "event", C.TOPIC: "other",
                      C.SPEAKER: "the defence minister", C.SPEAKER_KIND: "role"})
    claims[1].update({C.CLAIM_TYPE: "quote", C.SPEAKER: "article", C.SPEAKER_KIND: "narration",
                      C.ATTRIBUTED_TO: "Ann Lee;Bo Berg"})
    for table in ("organisations", "members", "money", "qualifications"):
        for row in ds.tables[table]:
            if row.get(C.CLAIM_ID) == old:
                row[C.CLAIM_ID] = new
    for row in ds.tables["judgements"]:
        row["claim_ids"] = ";".join(new if c == old else c for c in row["claim_ids"].split(";"))
        row["basis"] = row["basis"].replace(old, new)  # the ids its text names are listed
    ds.tables["organisations"][0][C.KIND] = "forum"
    ds.tables["organisations"][1][C.KIND] = "alliance"
    ds.tables["members"][0][C.STATUS] = "applicant"
    ds.tables["money"][0].update({C.KIND: "spending", C.CURRENCY: "NOK"})
    write_dataset(ds, tmp_path)
    data = load(tmp_path)
    row = data.claims.set_index(C.CLAIM_ID).loc[new]
    assert (row[C.CLAIM_TYPE], row[C.SPEAKER_KIND], row[C.TOPIC]) == ("event", "role", "other")
    assert tuple(data.claims[C.ATTRIBUTED_TO][1]) == ("Ann Lee", "Bo Berg")


def test_an_undated_article_without_a_subject_country_validates(tmp_path):
    target = tmp_path / "other"
    shutil.copytree(OTHER, target)
    meta = json.loads((target / paths.ARTICLE_META_FILE).read_text(encoding="utf-8"))
    for key in ARTICLE_META_OPTIONAL:
        meta.pop(key, None)
    (target / paths.ARTICLE_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    v = validate(target)
    assert v.meta.keys().isdisjoint({"published", "subject_country_code", "title_note"})
    assert ARTICLE_META_OPTIONAL == {"published", "subject_country_code", "title_note",
                                    "review"}


def test_a_required_meta_key_is_still_required(tmp_path):
    target = tmp_path / "other"
    shutil.copytree(OTHER, target)
    meta = json.loads((target / paths.ARTICLE_META_FILE).read_text(encoding="utf-8"))
    del meta["event_date"]
    (target / paths.ARTICLE_META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    [p] = find(problems_of(target), paths.ARTICLE_META_FILE)
    assert p.column == "event_date" and p.message == "missing or not a string"


@pytest.mark.parametrize("value,plain", [("150000000.0", "150000000"), ("31000000.00", "31000000")])
def test_an_amount_with_a_spurious_decimal_part_is_refused(tmp_path, value, plain):
    ds = base()
    ds.tables["money"][0][C.LOW] = ds.tables["money"][0][C.HIGH] = value
    write_dataset(ds, tmp_path)
    problems = find(problems_of(tmp_path), "money.csv", C.LOW)
    assert problems and f"did you mean {plain}?" in problems[0].expected


def test_the_second_dataset_uses_the_new_shapes_and_passes_check():
    v = validate(OTHER)
    assert v.warnings == []
    claims = v.columns["claims"]
    assert {"event", "quote"} <= set(claims[C.CLAIM_TYPE])
    assert "role" in set(claims[C.SPEAKER_KIND])
    assert any(a for a in claims[C.ATTRIBUTED_TO])
    assert not all(cid[1:].isdigit() and len(cid) >= 3 for cid in claims[C.CLAIM_ID])
    assert "published" not in v.meta  # undated
    assert "applicant" in set(v.columns["members"][C.STATUS])
    assert "spending" in set(v.columns["money"][C.KIND])
    assert len(set(v.columns["money"][C.CURRENCY])) >= 3
    assert {"union", "economic_union"} <= set(v.columns["organisations"][C.KIND])

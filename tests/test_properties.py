"""Property-based tests of the loader (hypothesis).

* Any valid generated dataset loads, text intact (quotes, commas, line breaks, markup,
  non-Latin scripts), evidence offsets pointing at the evidence, rows on the lines an
  editor shows.
* Any single corruption of such a dataset -- an emptied required cell, a value of the wrong
  type, a misspelt allowed value, a reference to nothing, evidence not in the article, a
  duplicated id, a missing column or file -- raises DataError with a problem naming the
  right file and column (and line, where a cell is at fault); never another exception.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from synthetic import base, cell_line, csv_text, write_dataset

from briefing.errors import DataError
from briefing.load import load
from briefing.schema import CLAIM_TYPES, EVIDENCE_ID, FREE_TEXT, SPEAKER_KINDS, TABLES, TOPICS, C
from briefing.validate import validate

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Countries the generator picks from (real ISO codes: the validator checks them).
POOL = ["FRA", "DEU", "ITA", "ESP", "NOR", "POL", "PRT", "RUS", "CHN", "SAU", "TJK", "IND"]
MARKER = "§"  # never generated: text with it cannot be in the article
# Bidi controls and zero-width characters: refused in names and codes (and all but the
# joiners in prose), so a valid dataset has none; the "hidden" corruption inserts one.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
HIDDEN = BIDI + ZERO_WIDTH

# Format characters (Cf: soft hyphen, invisible operators, tags ...) and the blank fillers
# are refused in names and codes (review 15), so a valid dataset has none there either.
FILLERS = "\u034f\u115f\u1160\u3164\uffa0"
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"),
                       blacklist_characters=MARKER + HIDDEN + FILLERS + "\ufeff")
_specials = st.sampled_from(['"', ",", ";", "\n", "“", "”", "’", "'", "<script>", "=", "@",
                             "  ", "Путин", "习近平", "محمد", "&amp;", "\t"])
_fragment = st.one_of(st.text(_chars, min_size=1, max_size=12), _specials)


@st.composite
def free_text(draw, max_parts: int = 6) -> str:
    """Text a person might type in a cell: never empty once stripped, and naming no claim,
    source or judgement id ('C00'): an id in a note must exist, which is another test's."""
    parts = draw(st.lists(_fragment, min_size=1, max_size=max_parts))
    text = "".join(parts)
    assume(not EVIDENCE_ID.search(text))
    return text if text.strip() else text + "x"


@st.composite
def datasets(draw):
    codes = draw(st.lists(st.sampled_from(POOL), min_size=3, max_size=6, unique=True))
    names = draw(st.lists(free_text(3), min_size=len(codes), max_size=len(codes),
                          unique_by=str.strip))
    countries = {c: n.strip() for c, n in zip(codes, names, strict=True)}
    sentences = draw(st.lists(free_text(), min_size=2, max_size=6))
    article = "\n".join(sentences)
    n_claims = draw(st.integers(1, 6))
    evidence = []
    for _ in range(n_claims):
        a = draw(st.integers(0, len(article) - 1))
        b = draw(st.integers(a + 1, len(article)))
        span = article[a:b].strip()
        evidence.append(span if span else article.strip()[:10] or "x")
    if not all(e in article for e in evidence):  # the "x" fallback on blank articles
        article += "\nx"
    ds = base(article=article, countries=countries, evidence=evidence)
    for row in ds.tables["claims"]:
        row[C.SPEAKER] = draw(free_text(3))
        row[C.STATEMENT] = draw(free_text())
        row[C.SPEAKER_KIND] = draw(st.sampled_from(list(SPEAKER_KINDS)))
        row[C.CLAIM_TYPE] = draw(st.sampled_from(list(CLAIM_TYPES)))
        row[C.TOPIC] = draw(st.sampled_from(list(TOPICS)))
        row[C.IS_DIRECT_QUOTE] = draw(st.sampled_from(["true", "false", "TRUE", "No", "1"]))
        row[C.COUNTRIES] = ";".join(draw(st.lists(st.sampled_from(codes), max_size=3)))
    for row in ds.tables["sources"]:
        row[C.TITLE] = draw(free_text())
        row[C.NOTE] = draw(st.one_of(st.just(""), free_text()))
    for row in ds.tables["qualifications"]:
        row[C.NOTE] = draw(free_text())
    return ds


def _write(ds) -> tuple[Path, dict[str, list[int]]]:
    folder = Path(tempfile.mkdtemp(prefix="briefing-prop-"))
    return folder, write_dataset(ds, folder)


@SETTINGS
@given(datasets())
def test_any_valid_dataset_loads_intact(ds):
    folder, lines = _write(ds)
    try:
        v = validate(folder)
        data = load(folder)
    finally:
        shutil.rmtree(folder)
    assert v.lines["claims"] == lines["claims"]
    claims = data.claims
    assert claims[C.SPEAKER].tolist() == [r[C.SPEAKER].strip() for r in ds.tables["claims"]]
    assert claims[C.STATEMENT].tolist() == [r[C.STATEMENT].strip()
                                            for r in ds.tables["claims"]]
    assert data.country_names == {r[C.COUNTRY_CODE]: r[C.NAME]
                                  for r in ds.tables["countries"]}
    for _, row in claims.iterrows():
        assert data.article[row[C.EVIDENCE_START]:row[C.EVIDENCE_END]] == row[C.EVIDENCE]
    assert data.sources[C.TITLE].tolist() == [r[C.TITLE].strip() for r in ds.tables["sources"]]


@SETTINGS
@given(datasets(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans())
def test_spreadsheet_dialects_load_the_same(ds, delimiter, newline, bom):
    """BOM or not, any line ending, comma/semicolon/tab: the same data, the same lines."""
    plain, lines = _write(ds)
    saved, _ = _write(ds)
    try:
        for name in TABLES:
            text, dialect_lines = csv_text(ds.header(name), ds.tables[name],
                                           delimiter=delimiter, newline=newline)
            assert dialect_lines == lines[name]
            raw = text.encode("utf-8-sig" if bom else "utf-8")
            (saved / TABLES[name].path).write_bytes(raw)
        a, b = load(plain), load(saved)
        assert validate(saved).lines == validate(plain).lines
    finally:
        shutil.rmtree(plain)
        shutil.rmtree(saved)
    for name in TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


# ---------------------------------------------------------------------------------------
# Single corruptions
# ---------------------------------------------------------------------------------------

REQUIRED = [(t.name, f.name) for t in TABLES.values() for f in t.fields if f.required]
TYPED = [(t.name, f.name, f.type) for t in TABLES.values() for f in t.fields
         if f.type in ("integer", "number", "boolean", "date")]
ENUMS = [(t.name, f.name) for t in TABLES.values() for f in t.fields if f.enum]
FOREIGN = [(t.name, fk.field, fk.table) for t in TABLES.values() for fk in t.foreign_keys]
UNIQUE = [(t.name, f.name) for t in TABLES.values() for f in t.fields if f.unique]
TEXT = [(t.name, f.name) for t in TABLES.values() for f in t.fields
        if f.type in ("string", "list")]
NOWHERE = {"countries": "NZL", "claims": "C99", "sources": "S99", "organisations": "ZETA",
           "money_context": "R99"}
WRONG = {"integer": "12a", "number": "1,5 million", "boolean": "perhaps",
         "date": "31/31/2021"}


@st.composite
def corruptions(draw):
    """(dataset, description, table, column or None, row index or None) of one defect."""
    ds = draw(datasets())
    kind = draw(st.sampled_from(["empty_cell", "wrong_type", "misspelt", "dangling",
                                 "evidence", "duplicate", "no_column", "no_file",
                                 "hidden"]))
    if kind == "empty_cell":
        table, column = draw(st.sampled_from(REQUIRED))
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        ds.tables[table][k][column] = draw(st.sampled_from(["", " ", "\t"]))
    elif kind == "wrong_type":
        table, column, ftype = draw(st.sampled_from(TYPED))
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        ds.tables[table][k][column] = WRONG[ftype]
    elif kind == "misspelt":
        table, column = draw(st.sampled_from(ENUMS))
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        ds.tables[table][k][column] += draw(st.sampled_from(["s", "zz", "_"]))
    elif kind == "dangling":
        table, column, target = draw(st.sampled_from(FOREIGN))
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        ds.tables[table][k][column] = NOWHERE[target]
    elif kind == "evidence":
        table, column = "claims", C.EVIDENCE
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        ds.tables[table][k][column] = MARKER + ds.tables[table][k][column]
    elif kind == "duplicate":
        table, column = draw(st.sampled_from(UNIQUE))
        rows = ds.tables[table]
        if len(rows) < 2:
            rows.append(dict(rows[0]))
        rows[1][column] = rows[0][column]
        k = 1
    elif kind == "hidden":
        table, column = draw(st.sampled_from(TEXT))
        k = draw(st.integers(0, len(ds.tables[table]) - 1))
        allowed_in = "" if column not in FREE_TEXT else "\u200c\u200d"
        char = draw(st.sampled_from([c for c in HIDDEN if c not in allowed_in]))
        text = ds.tables[table][k][column]
        at = draw(st.integers(0, len(text)))
        ds.tables[table][k][column] = text[:at] + char + text[at:]
    elif kind == "no_column":
        table, column = draw(st.sampled_from(REQUIRED))
        ds.columns[table] = [n for n in TABLES[table].field_names if n != column]
        k = None
    else:  # no_file: a file the dataset must have (judgements.csv may be left out)
        table = draw(st.sampled_from([t for t in TABLES if not TABLES[t].optional]))
        column, k = None, None
    return ds, kind, table, column, k


@SETTINGS
@given(corruptions())
def test_any_single_corruption_is_reported(case):
    ds, kind, table, column, k = case
    folder, lines = _write(ds)
    try:
        if kind == "no_file":
            (folder / TABLES[table].path).unlink()
        try:
            validate(folder)
        except DataError as exc:
            problems = exc.problems
        else:
            raise AssertionError(f"{kind} in {table}.{column} was not reported")
    finally:
        shutil.rmtree(folder)
    path = TABLES[table].path
    ours = [p for p in problems if p.file.replace("\\", "/").endswith(path)
            and p.column == column]
    assert ours, f"{kind}: no problem for {path} column {column}: " + "; ".join(
        map(str, problems))
    if k is not None:
        row = ds.tables[table][k]
        expected_line = cell_line(ds, table, lines[table][k], row, column)
        assert expected_line in [p.line for p in ours], (kind, [str(p) for p in ours])
    elif kind == "no_column":
        assert ours[0].line == 1
    for p in problems:  # every problem renders as one readable line per defect
        assert str(p).startswith(p.file)


@SETTINGS
@given(st.sampled_from([t.path for t in TABLES.values()] + ["article.txt", "article.json"]),
       st.one_of(st.binary(max_size=600),
                 st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.lists(st.lists(free_text(2), max_size=14), max_size=6).map(
                     lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8"))))
def test_any_bytes_in_any_file_are_reported_not_crashed_on(name, raw):
    """Whatever a file holds, the answer is a validated dataset or a DataError."""
    folder, _ = _write(base())
    try:
        (folder / name).write_bytes(raw)
        try:
            validate(folder)
        except DataError as exc:
            assert exc.problems and all(str(p) for p in exc.problems)
    finally:
        shutil.rmtree(folder)

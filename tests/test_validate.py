"""The validator catches every defect kind, located as a person sees it in an editor.

One fixture per defect (issue 2): each test copies the shipped data, breaks one thing, and
checks the problem names the right file, line, column, bad value and expected value. Rows are
picked by what they contain, never by the article's content, so the tests hold for any
dataset. Unit tests of the reading helpers follow.
"""

from __future__ import annotations

import pytest
from synthetic import base, csv_text, find, problems_of, read_table, rewrite_table, write_dataset

from briefing import constraints, decode, rules
from briefing import validate as V
from briefing.errors import DataError, Problem
from briefing.load import load
from briefing.schema import TABLES, C
from briefing.validate import validate


def _edit(data_dir, table, row_index, column, value):
    """Set one cell; return (line of that row, old value) after rewriting the file."""
    header, rows = read_table(data_dir, table)
    old = rows[row_index][column]
    rows[row_index][column] = value
    lines = rewrite_table(data_dir, table, header, rows)
    return lines[row_index], old


def _only(problems, file_end, column=None, line=None) -> Problem:
    found = find(problems, file_end, column, line)
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


# ---------------------------------------------------------------------------------------
# One defect per test, on a copy of the shipped data
# ---------------------------------------------------------------------------------------


def test_shipped_copy_is_valid(data_copy):
    validate(data_copy)


def test_missing_required_column(data_copy):
    header, rows = read_table(data_copy, "claims")
    header.remove(C.TOPIC)
    rewrite_table(data_copy, "claims", header, rows)
    p = _only(problems_of(data_copy), "claims.csv", C.TOPIC)
    assert p.line == 1 and "required column is missing" in p.message
    assert C.TOPIC in p.expected and C.CLAIM_ID in p.expected


def test_misnamed_column_is_pointed_at(data_copy):
    header, rows = read_table(data_copy, "members")
    header[header.index(C.STATUS)] = "Status "
    for row in rows:
        row["Status "] = row.pop(C.STATUS)
    rewrite_table(data_copy, "members", header, rows)
    p = _only(problems_of(data_copy), "members.csv", C.STATUS)
    assert "the header has 'Status' instead?" in p.message


def test_bad_enum_suggests_closest(data_copy):
    line, old = _edit(data_copy, "members", 1, C.STATUS, "memebr")
    assert old == "member"
    p = _only(problems_of(data_copy), "members.csv", C.STATUS)
    assert (p.line, p.value) == (line, "memebr")
    assert "did you mean 'member'?" in p.message and "dialogue_partner" in p.expected


def test_bad_claim_type_suggests_closest(data_copy):
    line, _ = _edit(data_copy, "claims", 2, C.CLAIM_TYPE, "Forecast ")
    p = _only(problems_of(data_copy), "claims.csv", C.CLAIM_TYPE)
    assert (p.line, p.value) == (line, "Forecast") and "did you mean 'forecast'?" in p.message


def test_duplicate_claim_id(data_copy):
    header, rows = read_table(data_copy, "claims")
    rows[4][C.CLAIM_ID] = rows[1][C.CLAIM_ID]
    lines = rewrite_table(data_copy, "claims", header, rows)
    p = _only(problems_of(data_copy), "claims.csv", C.CLAIM_ID)
    assert p.line == lines[4] and p.value == rows[1][C.CLAIM_ID]
    assert f"duplicate value (first on line {lines[1]})" in p.message


def test_dangling_claim_id(data_copy):
    line, _ = _edit(data_copy, "members", 0, C.CLAIM_ID, "C999")
    p = _only(problems_of(data_copy), "members.csv", C.CLAIM_ID)
    assert (p.line, p.value) == (line, "C999")
    assert "not in claims.csv" in p.message and "claim_id from claims.csv" in p.expected


@pytest.mark.parametrize(("table", "column", "named", "path"), [
    ("sources", C.NOTE, "S999", "reference/sources.csv"),
    ("qualifications", C.NOTE, "C99", "claims.csv"),
    ("money_context", C.DESCRIPTION, "S998", "reference/sources.csv"),
    ("membership_timeline", C.EVENT, "J42", "judgements.csv"),
])
def test_an_id_a_note_names_must_exist(data_copy, table, column, named, path):
    """A source named in a note counts as cited and is looked for in the sources list: a
    curator's note, description or event may name only ids that exist."""
    header, rows = read_table(data_copy, table)
    line, _ = _edit(data_copy, table, 1, column, f"{rows[1][column]} Corroborated by {named}.")
    p = _only(problems_of(data_copy), TABLES[table].path, column)
    assert (p.line, p.value) == (line, named), p
    assert p.message == f"names {named}, which is not in {path}"


def test_a_judgement_named_in_a_note_needs_judgements(data_copy):
    (data_copy / TABLES["judgements"].path).unlink()
    header, rows = read_table(data_copy, "borders")
    _edit(data_copy, "borders", 0, C.NOTE, f"{rows[0][C.NOTE]} See J01.")
    p = _only(problems_of(data_copy), "reference/borders.csv", C.NOTE)
    assert p.value == "J01" and "judgements.csv" in p.message


def test_dangling_source_id(data_copy):
    line, _ = _edit(data_copy, "borders", 0, C.SOURCE_ID, "S999")
    p = _only(problems_of(data_copy), "reference/borders.csv", C.SOURCE_ID)
    assert (p.line, p.value) == (line, "S999") and "reference/sources.csv" in p.message


def test_evidence_not_in_article(data_copy):
    line, old = _edit(data_copy, "claims", 3, C.EVIDENCE, "words the article never used")
    p = _only(problems_of(data_copy), "claims.csv", C.EVIDENCE)
    assert (p.line, p.value) == (line, "words the article never used")
    assert "not found verbatim in article.txt" in p.message
    assert "quotation marks" not in p.message


def test_evidence_with_straight_quotes_is_a_named_near_miss(data_copy):
    header, rows = read_table(data_copy, "claims")
    curly = "\u2019\u2018\u201c\u201d"
    k = next(i for i, r in enumerate(rows) if any(q in r[C.EVIDENCE] for q in curly))
    straight = rows[k][C.EVIDENCE].translate(rules.CURLY)
    rows[k][C.EVIDENCE] = straight
    lines = rewrite_table(data_copy, "claims", header, rows)
    p = _only(problems_of(data_copy), "claims.csv", C.EVIDENCE)
    assert (p.line, p.value) == (lines[k], straight)
    assert "differs only in quotation marks" in p.message and "curly" in p.message


def test_evidence_offsets_that_point_elsewhere(data_copy):
    header, rows = read_table(data_copy, "claims")
    k = next(i for i, r in enumerate(rows) if r[C.EVIDENCE_START])
    right = int(rows[k][C.EVIDENCE_START])
    rows[k][C.EVIDENCE_START] = str(right + 1)
    lines = rewrite_table(data_copy, "claims", header, rows)
    p = _only(problems_of(data_copy), "claims.csv", C.EVIDENCE_START)
    assert p.line == lines[k] and p.expected.startswith(f"{right}-")


def test_non_numeric_amount(data_copy):
    header, rows = read_table(data_copy, "money")
    k = next(i for i, r in enumerate(rows) if r[C.LOW])
    rows[k][C.LOW] = "$31m"
    lines = rewrite_table(data_copy, "money", header, rows)
    problems = problems_of(data_copy)
    p = _only(problems, "money.csv", C.LOW)
    assert (p.line, p.value, p.message) == (lines[k], "$31m", "not a number")
    assert "no currency sign" in p.expected and "did you mean 31000000?" in p.expected


def test_thousands_separator_is_explained(data_copy):
    header, rows = read_table(data_copy, "money")
    k = next(i for i, r in enumerate(rows) if r[C.HIGH])
    rows[k][C.HIGH] = "1,000,000"
    rewrite_table(data_copy, "money", header, rows)
    p = find(problems_of(data_copy), "money.csv", C.HIGH)[0]
    assert p.value == "1,000,000" and "did you mean 1000000?" in p.expected


def test_unknown_country_code(data_copy):
    line, _ = _edit(data_copy, "members", 2, C.COUNTRY_CODE, "ZZZ")
    problems = problems_of(data_copy)
    p = _only(problems, "members.csv", C.COUNTRY_CODE)
    assert (p.line, p.value) == (line, "ZZZ") and "not in countries.csv" in p.message


def test_country_name_in_the_code_column_suggests_the_code(data_copy):
    header, rows = read_table(data_copy, "members")
    code, name = rows[0][C.COUNTRY_CODE], rows[0][C.COUNTRY]
    rows[0][C.COUNTRY_CODE] = name
    lines = rewrite_table(data_copy, "members", header, rows)
    p = _only(problems_of(data_copy), "members.csv", C.COUNTRY_CODE)
    assert p.line == lines[0] and f"did you mean {code!r}?" in p.message


def test_country_not_in_iso_3166(data_copy):
    header, rows = read_table(data_copy, "countries")
    rows.append({C.COUNTRY_CODE: "ZZZ", C.NAME: "Nowhereland"})
    lines = rewrite_table(data_copy, "countries", header, rows)
    p = _only(problems_of(data_copy), "countries.csv", C.COUNTRY_CODE)
    assert (p.line, p.value) == (lines[-1], "ZZZ") and "ISO 3166-1" in p.message


def test_country_spelled_two_ways(data_copy):
    header, rows = read_table(data_copy, "members")
    canonical = rows[1][C.COUNTRY]
    rows[1][C.COUNTRY] = canonical.upper() if canonical != canonical.upper() else "x"
    lines = rewrite_table(data_copy, "members", header, rows)
    p = _only(problems_of(data_copy), "members.csv", C.COUNTRY)
    assert p.line == lines[1] and "not the canonical name" in p.message
    assert p.expected.startswith(repr(canonical))


def test_country_name_of_another_code(data_copy):
    _, countries = read_table(data_copy, "countries")
    header, rows = read_table(data_copy, "members")
    other = next(c for c in countries if c[C.COUNTRY_CODE] != rows[0][C.COUNTRY_CODE])
    rows[0][C.COUNTRY] = other[C.NAME]
    rewrite_table(data_copy, "members", header, rows)
    p = _only(problems_of(data_copy), "members.csv", C.COUNTRY)
    assert f"is the name of {other[C.COUNTRY_CODE]}" in p.message


def test_non_iso_date(data_copy):
    line, _ = _edit(data_copy, "membership_timeline", 0, C.START_DATE, "17/09/2021")
    p = _only(problems_of(data_copy), "membership_timeline.csv", C.START_DATE)
    assert (p.line, p.value, p.message) == (line, "17/09/2021", "not a date")
    assert "YYYY-MM-DD" in p.expected and "did you mean 2021-09-17?" in p.expected


def test_ambiguous_date_gives_both_readings(data_copy):
    _edit(data_copy, "membership_timeline", 0, C.START_DATE, "03/04/2021")
    p = _only(problems_of(data_copy), "membership_timeline.csv", C.START_DATE)
    assert "2021-03-04 or 2021-04-03" in p.expected


def test_empty_file(data_copy):
    (data_copy / "claims.csv").write_bytes(b"")
    problems = problems_of(data_copy)
    p = _only(problems, "claims.csv")
    assert p.line == 1 and p.message == "file is empty" and C.CLAIM_ID in p.expected


def test_missing_file(data_copy):
    (data_copy / "money.csv").unlink()
    p = _only(problems_of(data_copy), "money.csv")
    assert p.message == "file is missing" and C.MONEY_ID in p.expected


def test_header_only(data_copy):
    header, _ = read_table(data_copy, "organisations")
    rewrite_table(data_copy, "organisations", header, [])
    problems = problems_of(data_copy)
    p = _only(problems, "organisations.csv")
    assert (p.line, p.message) == (2, "has a header but no data rows")


def test_byte_order_mark_is_read(data_copy):
    path = data_copy / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    v = validate(data_copy)
    assert v.warnings == []
    assert v.count("claims") == len(read_table(data_copy, "claims")[1])


def test_byte_order_mark_keeps_line_numbers(data_copy):
    line, _ = _edit(data_copy, "claims", 5, C.TOPIC, "weather")
    path = data_copy / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    p = _only(problems_of(data_copy), "claims.csv", C.TOPIC)
    assert (p.line, p.value) == (line, "weather")


def test_every_problem_at_once(data_copy):
    """Defects in five files are all reported in one error, not only the first."""
    _edit(data_copy, "members", 0, C.STATUS, "memebr")
    _edit(data_copy, "claims", 1, C.TOPIC, "weather")
    _edit(data_copy, "claims", 2, C.IS_DIRECT_QUOTE, "maybe")
    _edit(data_copy, "borders", 0, C.SOURCE_ID, "S999")
    (data_copy / "money.csv").write_bytes(b"")
    _edit(data_copy, "qualifications", 0, C.VERDICT, "true")
    with pytest.raises(DataError) as info:
        validate(data_copy)
    files = {(p.file.rsplit("/", 1)[-1], p.column) for p in info.value.problems}
    assert files >= {("members.csv", C.STATUS), ("claims.csv", C.TOPIC),
                     ("claims.csv", C.IS_DIRECT_QUOTE), ("borders.csv", C.SOURCE_ID),
                     ("money.csv", None), ("qualifications.csv", C.VERDICT)}
    text = str(info.value)
    assert text.startswith(f"{len(info.value.problems)} problems in the data:")
    assert "Traceback" not in text


# ---------------------------------------------------------------------------------------
# Line numbers as an editor shows them
# ---------------------------------------------------------------------------------------


def test_lines_count_line_breaks_inside_quoted_cells(synthetic_dir):
    ds = base()
    ds.tables["claims"][0][C.STATEMENT] = "first line,\nsecond line,\nthird line"
    ds.tables["claims"][1][C.STATEMENT] = "one\ntwo"
    ds.tables["claims"][1][C.TOPIC] = "weather"
    ds.tables["claims"][2][C.CLAIM_TYPE] = "facts"
    lines = write_dataset(ds, synthetic_dir)
    assert lines["claims"] == [2, 5, 7]
    problems = problems_of(synthetic_dir)
    # the topic cell comes before the statement: on the row's first line
    assert _only(problems, "claims.csv", C.TOPIC).line == 5
    assert _only(problems, "claims.csv", C.CLAIM_TYPE).line == 7
    v_problem = _only(problems, "claims.csv", C.CLAIM_TYPE)
    assert "did you mean 'fact'?" in v_problem.message


def test_cell_after_a_multi_line_cell_is_on_its_own_line(synthetic_dir):
    ds = base()
    ds.tables["claims"][1][C.STATEMENT] = "one\ntwo\nthree"
    ds.tables["claims"][1][C.EVIDENCE] = "not in the article"
    write_dataset(ds, synthetic_dir)
    p = _only(problems_of(synthetic_dir), "claims.csv", C.EVIDENCE)
    # row 2 starts on line 3; the statement spans lines 3-5; the evidence is on line 5
    assert p.line == 5


def test_windows_line_endings_and_multi_line_cells(synthetic_dir):
    ds = base()
    ds.tables["claims"][0][C.STATEMENT] = "a\nb"
    ds.tables["claims"][2][C.SPEAKER_KIND] = "persn"
    header = ds.header("claims")
    text, lines = csv_text(header, ds.tables["claims"], newline="\r\n")
    raw = text.replace("a\nb", "a\r\nb").encode("utf-8")
    (synthetic_dir / "claims.csv").write_bytes(raw)
    problems = problems_of(synthetic_dir)
    p = _only(problems, "claims.csv", C.SPEAKER_KIND)
    assert p.line == 5 and "did you mean 'person'?" in p.message


def test_multi_line_evidence_matches_an_article_with_windows_line_endings(synthetic_dir):
    article = "First paragraph, first line\nsecond line.\n\nSecond paragraph."
    ds = base(article=article, evidence=["first line\nsecond line", "Second paragraph"])
    write_dataset(ds, synthetic_dir)
    (synthetic_dir / "article.txt").write_bytes(article.replace("\n", "\r\n").encode())
    claims = synthetic_dir / "claims.csv"
    claims.write_bytes(claims.read_bytes().replace(b"line\nsecond", b"line\r\nsecond"))
    data = load(synthetic_dir)
    assert data.claims[C.EVIDENCE].tolist() == ["first line\nsecond line", "Second paragraph"]
    start, end = data.claims.loc[0, [C.EVIDENCE_START, C.EVIDENCE_END]]
    assert data.article[start:end] == "first line\nsecond line"


def test_unclosed_quote_points_at_the_row_where_it_opens(synthetic_dir):
    text, lines = csv_text(list(TABLES["sources"].field_names),
                           base().tables["sources"])
    broken = text.replace('Example Office', '"Example Office', 1)
    (synthetic_dir / "reference" / "sources.csv").write_text(broken, encoding="utf-8")
    p = _only(problems_of(synthetic_dir), "sources.csv")
    assert p.line == lines[1] and "never closed" in p.message


def test_stray_quote_is_malformed_and_other_rows_still_checked(synthetic_dir):
    ds = base()
    write_dataset(ds, synthetic_dir)
    path = synthetic_dir / "countries.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].split(",")[0] + ',"Fr"ance'
    rows[3] = rows[3].split(",")[0] + ",  "
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    problems = problems_of(synthetic_dir)
    assert any(p.line == 2 and "malformed CSV" in p.message
               for p in find(problems, "countries.csv"))
    assert _only(problems, "countries.csv", C.NAME).line == 4


def test_extra_cells_in_a_row_are_reported(synthetic_dir):
    path = synthetic_dir / "countries.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2] + ",surplus"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    p = _only(problems_of(synthetic_dir), "countries.csv")
    assert p.line == 3 and p.value == "surplus" and "quote cells" in p.expected


def test_trailing_empty_cells_and_blank_rows_are_ignored(synthetic_dir):
    path = synthetic_dir / "countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ","] + [line + "," for line in lines[1:]] + [",", "", ",,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    v = validate(synthetic_dir)
    assert v.count("countries") == len(base().tables["countries"])


# ---------------------------------------------------------------------------------------
# The reading helpers
# ---------------------------------------------------------------------------------------


def test_suggest():
    assert constraints.suggest("memebr", ["member", "observer"]) == " (did you mean 'member'?)"
    assert constraints.suggest("Dialogue partner", ["member", "dialogue_partner"]) == \
        " (did you mean 'dialogue_partner'?)"
    assert constraints.suggest("zzz", ["member", "observer"]) == ""
    many = [f"C{i:06d}" for i in range(constraints.SUGGEST_LIMIT + 1)]
    assert constraints.suggest("c000001", many) == " (did you mean 'C000001'?)"


def test_decode_variants():
    warnings: list[str] = []
    assert decode.decode("a,é\n".encode("utf-8-sig"), "f.csv", warnings) == "a,é\n"
    assert decode.decode("a,é\n".encode("utf-16"), "f.csv", warnings) == "a,é\n"
    assert "UTF-16" in warnings.pop()
    assert decode.decode("Café, “x” – 5 €\n".encode("cp1252"), "f.csv", warnings) == \
        "Café, “x” – 5 €\n"
    assert "read as Windows-1252" in warnings.pop() and warnings == []


@pytest.mark.parametrize("text,encoding", [("Путин, Москва", "cp1251"),
                                           ("习近平", "gbk"), ("محمد", "cp1256")])
def test_decode_refuses_to_guess_other_encodings(text, encoding):
    with pytest.raises(DataError) as info:
        decode.decode(f"name\n{text}\n".encode(encoding), "f.csv", [])
    p = info.value.problems[0]
    assert p.line == 2 and "not UTF-8" in p.message and "UTF-8" in p.expected


def test_decode_rejects_binary():
    with pytest.raises(DataError, match="NUL bytes"):
        decode.decode(b"PK\x03\x04\x00\x00binary", "f.csv", [])


def test_sniff_delimiter():
    assert decode.sniff_delimiter("a,b,c") == ","
    assert decode.sniff_delimiter("a;b;c") == ";"
    assert decode.sniff_delimiter("a\tb\tc") == "\t"
    assert decode.sniff_delimiter("a,b;c") == ","


def test_hints():
    assert "did you mean 2021-09-17?" in constraints._date_hint("17.09.2021")
    assert "2021-09-17" in constraints._date_hint("44456")
    assert constraints._date_hint("yesterday") == ""
    assert "did you mean 1500000?" in constraints._number_hint("1.5m")
    assert "decimal comma" in constraints._number_hint("31,5")
    with pytest.raises(ValueError, match=r"did you mean 112\?"):
        constraints._convert_integer("112.0")
    with pytest.raises(ValueError, match="finite"):
        constraints._convert_number("nan")


def test_many_problems_in_one_column_are_capped(synthetic_dir):
    ds = base(n_claims=V.MAX_PER_COLUMN + 30)
    for row in ds.tables["claims"]:
        row[C.TOPIC] = "weather"
    lines = write_dataset(ds, synthetic_dir)
    problems = find(problems_of(synthetic_dir), "claims.csv", C.TOPIC)
    assert len(problems) == V.MAX_PER_COLUMN + 1
    last = problems[-1]
    assert "… and 30 more problems in this column" in last.message
    assert f"lines {lines['claims'][V.MAX_PER_COLUMN]}–{lines['claims'][-1]}" in last.message


def test_validated_rows_and_columns_agree(synthetic_dir):
    v = validate(synthetic_dir)
    rows = v.rows["claims"]
    assert [r[C.CLAIM_ID] for r in rows] == v.columns["claims"][C.CLAIM_ID]
    assert [r["__line__"] for r in rows] == v.lines["claims"] == [2, 3, 4]
    assert rows[0][C.IS_DIRECT_QUOTE] is False and rows[0][C.COUNTRIES] == ("FRA", "DEU")
    assert v.country_names["FRA"] == "France"
    assert set(v.rows) == set(TABLES)


def test_load_types(synthetic_dir):
    data = load(synthetic_dir)
    assert str(data.claims[C.EVIDENCE_START].dtype) == "Int64"
    assert str(data.claims[C.IS_DIRECT_QUOTE].dtype) == "boolean"
    assert str(data.money[C.LOW].dtype) == "float64"
    assert str(data.membership_timeline[C.START_DATE].dtype).startswith("datetime64")
    assert data.money[C.HIGH].isna().tolist() == [False, True]
    assert list(data.claims.columns) == list(TABLES["claims"].field_names)
    ev = data.claims.loc[0, C.EVIDENCE]
    start, end = data.claims.loc[0, [C.EVIDENCE_START, C.EVIDENCE_END]]
    assert data.article[start:end] == ev


def test_data_error_keeps_the_warnings(synthetic_dir):
    header, rows = read_table(synthetic_dir, "countries")
    rows[0][C.NAME] = "Françe"
    text, _ = csv_text(header, rows)
    (synthetic_dir / "countries.csv").write_bytes(text.encode("cp1252"))
    with pytest.raises(DataError) as info:
        validate(synthetic_dir)
    assert any("read as Windows-1252" in w for w in info.value.warnings)
    assert find(info.value.problems, "members.csv", C.COUNTRY)  # 'France' vs 'Françe'


def test_blank_lines_above_the_header_keep_line_numbers(synthetic_dir):
    ds = base()
    ds.tables["members"][1][C.STATUS] = "membr"
    text, lines = csv_text(ds.header("members"), ds.tables["members"])
    (synthetic_dir / "members.csv").write_text("\n  \r\n" + text, encoding="utf-8")
    p = _only(problems_of(synthetic_dir), "members.csv", C.STATUS)
    assert p.line == lines[1] + 2


def test_list_separated_by_commas_is_explained(synthetic_dir):
    ds = base()
    ds.tables["claims"][0][C.COUNTRIES] = "FRA, DEU"
    lines = write_dataset(ds, synthetic_dir)
    p = _only(problems_of(synthetic_dir), "claims.csv", C.COUNTRIES)
    assert p.line == lines["claims"][0] and "separate the items of a list with ';'" in p.message


def test_date_with_a_time_is_explained(synthetic_dir):
    ds = base()
    ds.tables["sources"][0][C.DATE] = "2021-01-02 00:00:00"
    write_dataset(ds, synthetic_dir)
    p = _only(problems_of(synthetic_dir), "sources.csv", C.DATE)
    assert "a date without the time: 2021-01-02?" in p.expected


# ---------------------------------------------------------------------------------------
# The module layout: decode -> constraints -> rules -> validate
# ---------------------------------------------------------------------------------------


def test_hidden_character():
    assert constraints.hidden_character("Tajikistan") is None
    assert constraints.hidden_character("می\u200cخواهم", free_text=True) is None
    message, shown, expected = constraints.hidden_character("می\u200cخواهم")
    assert message.startswith("contains U+200C ZERO WIDTH NON-JOINER, an invisible")
    assert "without invisible or direction-changing characters" in expected
    message, shown, _ = constraints.hidden_character("Russia\u202e", free_text=True)
    assert message.startswith("contains U+202E RIGHT-TO-LEFT OVERRIDE") and shown == \
        "Russia\u202e"
    message, _, expected = constraints.hidden_character("Caf\udce9")
    assert "a byte 0xe9 that is not UTF-8" in message and "UTF-8" in expected
    assert constraints.without_hidden("C\u200bH\u2066N\ufeff") == "CHN"


def test_rules_are_one_list_a_new_rule_joins(synthetic_dir, monkeypatch):
    """The place rules are called is one list: a new rule module adds its function."""
    seen = []

    def extra_rule(data: rules.Checked) -> list[Problem]:
        seen.append(sorted(data.tables))
        read = data.tables["sources"]
        return [Problem(read.file, "an extra rule", line=read.line(0), column=C.SOURCE_ID)]

    monkeypatch.setattr(V, "RULES", (*V.RULES, extra_rule))
    p = _only(problems_of(synthetic_dir), "sources.csv", C.SOURCE_ID)
    assert p.message == "an extra rule" and seen == [sorted(TABLES)]


def test_a_header_cell_over_two_lines_then_an_unclosed_quote_is_reported(synthetic_dir):
    """A header record that spans lines (a quoted line break) is one record to skip, not one
    per line: the unclosed quote after it is an error line, never a csv.Error (found by
    test_properties: b'"\\n"\\n"')."""
    (synthetic_dir / "countries.csv").write_bytes(
        b'country_code,name,"review\n"\nAFG,"Afghanistan,\n')
    problems = find(problems_of(synthetic_dir), "countries.csv")
    assert any("never closed" in p.message and p.line == 3 for p in problems), \
        "\n".join(map(str, problems))

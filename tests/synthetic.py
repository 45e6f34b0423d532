"""Small, valid, synthetic datasets that follow :mod:`briefing.schema`, for tests.

Nothing here is about the shipped article: the kit must work on any dataset following the
schema, so the hostile-input and property-based tests build their own. ``write_dataset``
returns, for every table, the line on which each row starts in the written file, so tests
can assert the line numbers the validator reports.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from briefing import paths
from briefing.schema import TABLES, C

COUNTRIES = {
    "FRA": "France", "DEU": "Germany", "ITA": "Italy", "ESP": "Spain", "NOR": "Norway",
    "POL": "Poland", "PRT": "Portugal",
}

SENTENCES = [
    "The Alpha Council met in Lisbon on Friday.",
    "“We will work together,” the chair said, “for as long as it takes.”",
    "Analysts said the pact, signed in 2019, was largely symbolic.",
    "Norway pledged $12m in aid, while Poland promised “several million”.",
    "Germany is a member of both the Alpha Council and the Beta Pact.",
]


@dataclass
class Synthetic:
    """A dataset in memory: article text, metadata and rows (raw strings) per table."""

    article: str
    meta: dict[str, str]
    tables: dict[str, list[dict[str, str]]]
    columns: dict[str, list[str]] = field(default_factory=dict)

    def header(self, table: str) -> list[str]:
        return self.columns.get(table) or list(TABLES[table].field_names)


def base(article: str | None = None, countries: dict[str, str] | None = None,
         n_claims: int = 3, evidence: list[str] | None = None) -> Synthetic:
    """A small valid dataset. ``evidence`` spans must be substrings of ``article``."""
    article = article if article is not None else "\n\n".join(SENTENCES)
    countries = countries or dict(list(COUNTRIES.items())[:4])
    codes = list(countries)
    if evidence is None:
        evidence = [SENTENCES[i % len(SENTENCES)] for i in range(n_claims)]
    claim_ids = [f"C{i + 1:02d}" for i in range(len(evidence))]
    claims = [
        {C.CLAIM_ID: cid, C.SPEAKER: "article", C.SPEAKER_KIND: "narration",
         C.CLAIM_TYPE: "fact", C.TOPIC: "meeting", C.STATEMENT: f"Statement {cid}.",
         C.EVIDENCE: ev, C.IS_DIRECT_QUOTE: "false", C.COUNTRIES: ";".join(codes[:2]),
         C.ORGANISATIONS: "ALPHA", C.EVIDENCE_START: "", C.EVIDENCE_END: ""}
        for cid, ev in zip(claim_ids, evidence, strict=True)
    ]
    first = claim_ids[0]
    tables = {
        "countries": [{C.COUNTRY_CODE: c, C.NAME: n} for c, n in countries.items()],
        "sources": [
            {C.SOURCE_ID: "S01", C.PUBLISHER: "Example Press", C.TITLE: "Members",
             C.URL: "https://example.org/members", C.DATE: "2021-01-02", C.KIND: "news",
             C.NOTE: ""},
            {C.SOURCE_ID: "S02", C.PUBLISHER: "Example Office", C.TITLE: "Borders",
             C.URL: "", C.DATE: "", C.KIND: "official",
             C.NOTE: "used for borders"},
        ],
        "claims": claims,
        "organisations": [
            {C.CODE: "ALPHA", C.NAME: "Alpha Council", C.KIND: "political_security_forum",
             C.LEAD_COUNTRY_CODE: codes[0], C.DESCRIPTION: "a forum", C.CLAIM_ID: first},
            {C.CODE: "BETA", C.NAME: "Beta Pact", C.KIND: "military_alliance",
             C.LEAD_COUNTRY_CODE: "", C.DESCRIPTION: "a pact", C.CLAIM_ID: first},
        ],
        "members": [
            {C.ORGANISATION: org, C.COUNTRY_CODE: c, C.COUNTRY: countries[c],
             C.STATUS: "member", C.CLAIM_ID: first}
            for org in ("ALPHA", "BETA") for c in codes[:2]
        ],
        "money": [
            {C.MONEY_ID: "M01", C.KIND: "aid", C.DESCRIPTION: "aid", C.FROM_PARTY:
             countries[codes[0]], C.FROM_CODE: codes[0], C.TO_PARTY: "the council",
             C.TO_CODE: "", C.LOW: "12000000", C.HIGH: "12000000", C.CURRENCY: "USD",
             C.PRECISION: "exact", C.AS_STATED: "$12m", C.CLAIM_ID: first},
            {C.MONEY_ID: "M02", C.KIND: "aid", C.DESCRIPTION: "more aid", C.FROM_PARTY:
             countries[codes[1]], C.FROM_CODE: codes[1], C.TO_PARTY: "", C.TO_CODE: "",
             C.LOW: "1000000", C.HIGH: "", C.CURRENCY: "USD",
             C.PRECISION: "order_of_magnitude", C.AS_STATED: "several million",
             C.CLAIM_ID: first},
        ],
        "membership_timeline": [
            {C.ORGANISATION: "ALPHA", C.COUNTRY_CODE: c, C.COUNTRY: countries[c],
             C.STATUS: "member", C.START_DATE: "2001-06-15", C.START_PRECISION: "exact",
             C.END_DATE: "", C.EVENT: "founding member", C.SOURCE_ID: "S01"}
            for c in codes[:2]
        ],
        "borders": [
            {C.NEIGHBOUR_CODE: codes[0], C.COUNTRY_CODE: c, C.COUNTRY: countries[c],
             C.BORDER_STATUS: "recognised", C.LENGTH_KM: "120.5", C.NOTE: "",
             C.SOURCE_ID: "S02"}
            for c in codes[1:3]
        ],
        "money_context": [
            {C.REFERENCE_MONEY_ID: "R01", C.KIND: "assets", C.DESCRIPTION: "reserves",
             C.FROM_PARTY: "a bank", C.FROM_CODE: "", C.TO_PARTY: countries[codes[0]],
             C.TO_CODE: codes[0], C.LOW: "9000000000", C.HIGH: "9500000000",
             C.CURRENCY: "USD", C.PRECISION: "approximate", C.AS_STATED: "about $9bn",
             C.DATE: "2021-08-31", C.CLAIM_ID: "", C.SOURCE_ID: "S01"},
        ],
        "qualifications": [
            {C.REF_ID: "Q01", C.CLAIM_ID: first, C.VERDICT: "confirmed",
             C.NOTE: "The sources agree.", C.SOURCE_ID: "S01"},
        ],
        "judgements": [
            {"judgement_id": "J00", "kind": "bottom_line", "headline": "Bottom line",
             "judgement": "The council is likely to stay a forum.", "likelihood": "likely",
             "confidence": "moderate", "basis": f"Summarises J01 ({first}).",
             "implication": "", "indicators": "", "claim_ids": first, "source_ids": ""},
            {"judgement_id": "J01", "kind": "key_judgement", "headline": "A forum, not a pact",
             "judgement": "Members will talk more than they act.",
             "likelihood": "roughly_even_chance", "confidence": "low",
             "basis": f"The pact was called symbolic ({claim_ids[-1]}, S01).",
             "implication": "Expect statements, not operations.",
             "indicators": "a joint exercise;a common budget",
             "claim_ids": ";".join(claim_ids[-2:]), "source_ids": "S01"},
        ],
    }
    for name, rows in tables.items():  # optional columns present, empty
        for row in rows:
            for column in TABLES[name].field_names:
                row.setdefault(column, "")
    meta = {"title": "A synthetic article", "outlet": "Example Times", "republished_by": "",
            "published": "2021-09-17", "event_date": "2021-09-17", "language": "en-GB",
            "subject_country_code": codes[0]}
    return Synthetic(article=article, meta=meta, tables=tables)


def csv_text(header: list[str], rows: list[dict[str, str]], delimiter: str = ",",
             newline: str = "\n") -> tuple[str, list[int]]:
    """CSV text and the 1-based line on which each row starts (header on line 1)."""
    out = io.StringIO(newline="")
    row_buf = io.StringIO(newline="")
    # csv quotes a cell holding the characters of ``lineterminator`` only: with old-Mac
    # "\r" endings a cell with "\n" would go out unquoted, so quote every cell then.
    quoting = csv.QUOTE_ALL if newline == "\r" else csv.QUOTE_MINIMAL
    writer = csv.writer(row_buf, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    out.write(row_buf.getvalue())
    starts = []
    line = 2
    for row in rows:
        row_buf.seek(0)
        row_buf.truncate()
        writer.writerow([row.get(name, "") for name in header])
        record = row_buf.getvalue()
        out.write(record)
        starts.append(line)
        line += len(record.replace("\r\n", "\n").replace("\r", "\n").split("\n")) - 1
    return out.getvalue(), starts


def write_dataset(ds: Synthetic, data_dir: Path) -> dict[str, list[int]]:
    """Write ``ds`` under ``data_dir``; return each table's row start lines."""
    data_dir = Path(data_dir)
    (data_dir / paths.REFERENCE_DIR_NAME).mkdir(parents=True, exist_ok=True)
    (data_dir / paths.ARTICLE_FILE).write_text(ds.article, encoding="utf-8", newline="")
    (data_dir / paths.ARTICLE_META_FILE).write_text(json.dumps(ds.meta, indent=1),
                                                    encoding="utf-8")
    lines = {}
    for name, rows in ds.tables.items():
        text, lines[name] = csv_text(ds.header(name), rows)
        (data_dir / TABLES[name].path).write_text(text, encoding="utf-8", newline="")
    return lines


def cell_line(ds: Synthetic, table: str, row_start: int, row: dict, column: str) -> int:
    """The line a cell is on: its row's start plus line breaks in the cells before it."""
    line = row_start
    for name in ds.header(table):
        if name == column:
            return line
        line += row.get(name, "").count("\n")
    raise KeyError(column)


def read_table(data_dir: Path, table: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (raw strings) of a table in ``data_dir`` (UTF-8 CSV)."""
    with open(Path(data_dir) / TABLES[table].path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def rewrite_table(data_dir: Path, table: str, header: list[str],
                  rows: list[dict[str, str]]) -> list[int]:
    """Write rows back as plain UTF-8 CSV; return the line each row starts on."""
    text, lines = csv_text(header, rows)
    (Path(data_dir) / TABLES[table].path).write_text(text, encoding="utf-8", newline="")
    return lines


def data_with_claim_text(root: Path, text: str, rows: int = 1) -> Path:
    """A copy of the shipped data in ``root/data`` whose first ``rows`` claim statements
    are ``text`` (e.g. markup that must stay inert)."""
    import shutil

    data = Path(root) / "data"
    shutil.copytree(paths.DATA_DIR, data)
    header, claims = read_table(data, "claims")
    for row in claims[:rows]:
        row[C.STATEMENT] = text
    rewrite_table(data, "claims", header, claims)
    return data


def problems_of(data_dir: Path) -> list:
    """The problems ``validate`` reports for ``data_dir`` (fails if it validates)."""
    from briefing.errors import DataError
    from briefing.validate import validate

    try:
        validate(data_dir)
    except DataError as exc:
        return exc.problems
    raise AssertionError(f"{data_dir} validated, but a DataError was expected")


def find(problems: list, file_end: str, column: str | None = None, line: int | None = None):
    """The problems for a file (path ending), optionally a column and a line."""
    return [p for p in problems if p.file.replace("\\", "/").endswith(file_end)
            and (column is None or p.column == column)
            and (line is None or p.line == line)]

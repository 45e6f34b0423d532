"""Decoding the input files: the article, its metadata and CSVs as spreadsheets save them.

The bytes come from :func:`briefing.limits.read_limited` (regular files under a size limit).
CSV files are read the way spreadsheets save them: UTF-8 with or without byte-order mark,
UTF-16 with a mark, Windows-1252/Latin-1 when that reading is unambiguous (with a warning),
Windows or old Mac line endings, comma-, semicolon- or tab-separated (with a warning), Excel's
``sep=`` first line. :func:`read_csv` returns the header and the records, each located by the
line an editor shows (also inside quoted multi-line cells); what the cells must hold is
:mod:`briefing.constraints`' job.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import DataError, Problem
from .limits import (
    MAX_ARTICLE_BYTES,
    MAX_CSV_BYTES,
    MAX_CSV_LINES,
    MAX_META_BYTES,
    FileRefused,
    read_limited,
    sha256,
    too_many_lines,
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")
_SEP_LINE = re.compile(r"sep=(.)\s*")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF8_HELP = ("the file saved as UTF-8 (Excel: 'CSV UTF-8'; LibreOffice: character set "
              "'Unicode (UTF-8)')")


def decode_utf8(raw: bytes, expected: str) -> str:
    """``raw`` as UTF-8 (a leading byte-order mark dropped); FileRefused naming the line."""
    if raw.startswith(_UTF8_BOM):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileRefused(f"not valid UTF-8 (byte 0x{raw[exc.start:exc.start + 1].hex()})",
                          expected, line=line) from None


# ---------------------------------------------------------------------------------------
# The article: article.txt and article.json
# ---------------------------------------------------------------------------------------


@dataclass
class ArticleFiles:
    """The article text, its metadata as parsed (a dict, maybe with wrong values: the
    rules check them), the checksums of the files read and the problems found."""

    text: str = ""
    meta: dict = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_article(data_dir: Path, meta_keys: str) -> ArticleFiles:
    """Read article.txt (UTF-8) and article.json (a JSON object with ``meta_keys``)."""
    out = ArticleFiles()
    text_path = data_dir / paths.ARTICLE_FILE
    file = paths.display_path(text_path)
    try:
        raw = read_limited(text_path, MAX_ARTICLE_BYTES, "the article text",
                           "the article body as UTF-8 text")
        out.checksums[paths.ARTICLE_FILE] = sha256(raw)
        text = decode_utf8(raw, "the article saved as UTF-8")
    except FileRefused as exc:
        out.problems.append(exc.problem(file))
    else:
        # Line endings as Python's text mode reads them, so that evidence cells (whose
        # line breaks are normalised to \n) match an article saved with Windows endings.
        out.text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not out.text.strip():
            out.problems.append(Problem(file, "file is empty", expected="the article body"))
    meta_path = data_dir / paths.ARTICLE_META_FILE
    file = paths.display_path(meta_path)
    expected = f"a JSON object with keys {meta_keys}"
    try:
        raw = read_limited(meta_path, MAX_META_BYTES, "the article metadata", expected)
        out.checksums[paths.ARTICLE_META_FILE] = sha256(raw)
        meta = json.loads(decode_utf8(raw, "the metadata saved as UTF-8"))
    except FileRefused as exc:
        out.problems.append(exc.problem(file))
        return out
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number
        out.problems.append(Problem(file, f"not valid JSON: {getattr(exc, 'msg', exc)}",
                                    line=getattr(exc, "lineno", None),
                                    expected="a JSON object"))
        return out
    if not isinstance(meta, dict):
        out.problems.append(Problem(file, "must be a JSON object", value=type(meta).__name__,
                                    expected="a JSON object {...}"))
        return out
    out.meta = meta
    return out


# ---------------------------------------------------------------------------------------
# Decoding a CSV the way spreadsheets save them
# ---------------------------------------------------------------------------------------

_LEGACY_PUNCTUATION = set("€‚„…†‡‰‹›‘’“”•–—™¡¢£¥§©«®°±²³µ¶·¹º»¼½¾¿×÷\u00a0\u00ad")


def _legacy_doubt(text: str) -> tuple[str, int]:
    """Why ``text`` (read as Windows-1252) is probably in another encoding, and where."""
    run = 0
    for i, ch in enumerate(text):
        if ch < "\x80":
            run = 0
            continue
        run += 1
        if run >= 3:
            return ("runs of accented letters and symbols such as this usually mean another "
                    "encoding, e.g. Cyrillic (Windows-1251) or Chinese (GBK)", i)
        if not (unicodedata.category(ch).startswith("L") or ch in _LEGACY_PUNCTUATION):
            return f"it would contain the unlikely character U+{ord(ch):04X}", i
    return "", -1


def decode(raw: bytes, file: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; Windows-1252 when unambiguous.

    A legacy (Windows-1252/Latin-1) file is read with a warning only if every non-ASCII
    byte reads as a plausible Western European letter or typographic sign; otherwise the
    encoding is reported as a problem: guessing would silently garble names.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError([Problem(file, f"not valid UTF-16 text ({exc.reason})",
                                     expected=_UTF8_HELP)]) from None
        warnings.append(f"{file}: read as UTF-16 (the kit expects UTF-8)")
        return text
    has_bom = raw.startswith(_UTF8_BOM)
    body = raw[3:] if has_bom else raw
    if b"\x00" in body[:4096]:
        raise DataError([Problem(
            file, "contains NUL bytes: not a text CSV (UTF-16 without a byte-order mark, "
            "or a spreadsheet's own format such as .xlsx)", line=1, expected=_UTF8_HELP)])
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        bad = body[exc.start: exc.start + 1].hex()
        if has_bom:
            raise DataError([Problem(
                file, f"starts with a UTF-8 byte-order mark but byte 0x{bad} is not UTF-8",
                line=line, expected=_UTF8_HELP)]) from None
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError as legacy:
            doubt, at = ("it has bytes that are not text in Windows-1252 or Latin-1 either",
                         legacy.start)
        else:
            doubt, at = _legacy_doubt(text)
        if doubt:
            doubt_line = body[:at].count(b"\n") + 1  # one byte per character in cp1252
            first = f"; first at line {line}" if doubt_line != line else ""
            raise DataError([Problem(
                file, f"not UTF-8 (byte 0x{bad}{first}) and not plainly Windows-1252/"
                f"Latin-1: {doubt}", line=doubt_line, expected=_UTF8_HELP)]) from None
        warnings.append(f"{file}:{line}: not UTF-8 (byte 0x{bad}); read as Windows-1252 "
                        "(Latin-1) — save the file as UTF-8 to be sure every character is "
                        "right")
        return text


def sniff_delimiter(header: str) -> str:
    """Comma, unless the header is plainly semicolon- or tab-separated (spreadsheets)."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 and counts[","] == 0 else ","


def _breaks(cell: str) -> int:
    """Line breaks inside a cell as an editor counts them (CRLF, LF or CR)."""
    return cell.count("\n") + cell.count("\r") - cell.count("\r\n")


# ---------------------------------------------------------------------------------------
# The records of a CSV, located by line
# ---------------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One CSV as read: the header, the records (padded to the header), where they start.

    ``offsets`` holds, for records spanning several lines, the line offset of each cell
    from the record's first line, so a problem points at the line of the cell itself.
    ``header_line`` is the line of the header row, ``sha256`` the checksum of the file.
    """

    file: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    offsets: dict[int, list[int]] = field(default_factory=dict)
    header_line: int = 1
    sha256: str = ""

    def line(self, row: int, column: str | None = None) -> int:
        offsets = self.offsets.get(row)
        if offsets is None or column not in self.header:
            return self.lines[row]
        return self.lines[row] + offsets[self.header.index(column)]


def _records(text: str, delimiter: str, reader, line_base: int, file: str
             ) -> tuple[list[tuple[list[str], int, bool]], list[Problem]]:
    """(record, first line, spans several lines) for every record after the header.

    Fast path: parse everything at once; when there are as many records as physical lines
    (no quoted line breaks, no malformed quoting), line numbers follow by counting. Else
    parse again record by record, asking the reader where each one ended.
    """
    after_header = reader.line_num
    try:
        body = list(reader)
    except csv.Error:
        body = None
    if body is not None and reader.line_num - after_header == len(body):
        first = after_header + 1 + line_base
        return [(rec, first + k, False) for k, rec in enumerate(body)], []
    problems: list[Problem] = []
    out = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    next(reader, None)  # the header (already read): one record, however many lines it spans
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            msg = str(exc)
            if "end of data" in msg:
                problems.append(Problem(
                    file, "a quoted cell is never closed (a \" is missing)",
                    line=start + line_base, expected='every opening " closed by another "'))
                break
            if "field larger than field limit" in msg:
                limit = csv.field_size_limit()
                problems.append(Problem(
                    file, f"a cell is longer than {limit:,} characters",
                    line=start + line_base,
                    expected=f"cells of at most {limit:,} characters (an unclosed \" makes "
                             "the rest of the file one cell)"))
                break
            problems.append(Problem(
                file, f"malformed CSV: {msg}", line=reader.line_num + line_base,
                expected='a quote inside a cell written twice ("") and the cell quoted'))
            start = reader.line_num + 1
            continue
        out.append((record, start + line_base, reader.line_num > start))
        start = reader.line_num + 1
    return out, problems


def _export_width(body: list[tuple[list[str], int, bool]], width: int) -> int | None:
    """The number of cells of a spreadsheet export's rows when the file has empty columns
    beyond its header (most rows end in the same number of empty cells): those are dropped.
    Else None: a row with more cells than the header then has a delimiter too many (a cell
    not quoted), even when its extra cells are empty."""
    lengths = Counter(len(record) for record, _, _ in body
                      if len(record) > width and not "".join(record[width:]).strip())
    if not lengths:
        return None
    cells, rows = lengths.most_common(1)[0]
    return cells if 2 * rows > len(body) else None


def read_csv(path: Path, expected_header: str, warnings: list[str], *,
             may_be_empty: str = "") -> tuple[Sheet | None, list[Problem]]:
    """Read ``path``; return the sheet (None when unusable) and the problems found.

    ``expected_header`` (``a,b,c``) is named in the messages about a missing or empty file.
    ``may_be_empty``: what a header without rows means for a table that may have none (the
    reference layer of a new dataset); it is then a warning saying so, not a problem.
    """
    file = paths.display_path(path)
    try:
        raw = read_limited(path, MAX_CSV_BYTES, "a CSV data file",
                           f"a CSV with the header {expected_header}")
    except FileRefused as exc:
        return None, [exc.problem(file)]
    checksum = sha256(raw)
    try:
        text = decode(raw, file, warnings)
    except DataError as exc:
        return None, exc.problems
    del raw
    lines = _breaks(text) + (not text.endswith(("\n", "\r")))
    if lines > MAX_CSV_LINES:  # counted before any record is built: memory stays bounded
        return None, [too_many_lines(lines).problem(file)]
    if not text.strip():
        return None, [Problem(file, "file is empty", line=1,
                              expected=f"a header row: {expected_header}")]
    blank = _LEADING_BLANK_LINES.match(text).end()  # blank lines above the header
    line_base = _breaks(text[:blank])
    text = text[blank:]
    end = _LINE_BREAK.search(text)  # the header's end: LF, CRLF or an old Mac's CR
    first_line = text[:end.start()] if end else text
    sep = _SEP_LINE.fullmatch(first_line)
    if sep:  # Excel's "sep=;" hint line
        delimiter = sep.group(1)
        text = text[end.end():] if end else ""
        line_base += 1
    else:
        delimiter = sniff_delimiter(first_line)
        if delimiter != ",":
            warnings.append(f"{file}: read as {'semicolon' if delimiter == ';' else 'tab'}"
                            "-separated (the kit writes comma-separated CSV)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return None, [Problem(file, "file is empty", line=1 + line_base,
                              expected=f"a header row: {expected_header}")]
    except csv.Error as exc:
        return None, [Problem(file, f"cannot read the header row: {exc}", line=1 + line_base)]
    header = [h.strip().lstrip("\ufeff") for h in header]
    width = len(header)
    body, problems = _records(text, delimiter, reader, line_base, file)
    del text
    records: list[list[str]] = []
    lines: list[int] = []
    offsets: dict[int, list[int]] = {}
    padded = _export_width(body, width)
    for record, line, span in body:
        if len(record) != width or not "".join(record).strip():
            if not "".join(record).strip():
                continue  # a blank line, or a row of empty cells
            extra = [cell for cell in record[width:] if cell.strip()]
            if len(record) > width and (extra or len(record) != padded):
                # the first extra cell that holds something, else the row itself: an
                # unquoted delimiter in a row ending in empty cells shifts them all
                problems.append(Problem(
                    file, f"row has {len(record)} cells but the header has {width} columns",
                    line=line, value=extra[0] if extra else delimiter.join(record),
                    expected=f"quote cells that contain the delimiter {delimiter!r}"))
                continue
            del record[width:]
            record += [""] * (width - len(record))
        if span:  # a quoted cell spans several lines
            cell_offsets, at = [], 0
            for i, cell in enumerate(record):
                cell_offsets.append(at)
                if "\r" in cell or "\n" in cell:
                    at += _breaks(cell)
                    record[i] = cell.replace("\r\n", "\n").replace("\r", "\n")
            offsets[len(records)] = cell_offsets
        records.append(record)
        lines.append(line)
    header_line = 1 + line_base
    if not records and not problems:
        if may_be_empty:
            warnings.append(f"{file}: has a header but no data rows: {may_be_empty}")
        else:
            problems.append(Problem(file, "has a header but no data rows",
                                    line=header_line + 1,
                                    expected="at least one row under the header"))
    return Sheet(file, header, records, lines, offsets, header_line, checksum), problems

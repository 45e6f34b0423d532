"""Read and validate a data directory against :mod:`briefing.schema`, in pure Python.

No pandas here: ``python -m briefing check`` and the CLI's pre-flight validation must answer
fast (100,000 claims in about a second). :mod:`briefing.load` turns the validated columns into
DataFrames.

Every problem in the dataset is collected (not only the first) and raised together as one
:class:`~briefing.errors.DataError`, each located by file, line (as an editor shows it, also
inside quoted multi-line cells), column, the bad value and what was expected. When one column
has very many bad cells, the first :data:`MAX_PER_COLUMN` are listed and one more line counts
the rest, so a message stays readable.

Files are read the way spreadsheets save them: UTF-8 with or without byte-order mark, UTF-16
with a mark, Windows-1252/Latin-1 when that reading is unambiguous (with a warning), Windows or
old Mac line endings, comma-, semicolon- or tab-separated (with a warning), Excel's ``sep=``
first line. Columns the schema does not know are ignored with a warning.

The checks are written column by column (one tight loop per column with the pattern, the
allowed set and the converter chosen once), because a per-cell function call costs more than
the check itself at 100,000 rows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import gc
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import DataError, Problem
from .schema import ARTICLE_META, ARTICLE_META_DATES, TABLES, C, Field, Table

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f"}
_BOOLEANS = {**dict.fromkeys(TRUE, True), **dict.fromkeys(FALSE, False)}
CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u00ab": '"', "\u00bb": '"', "\u201e": '"', "\u201a": "'"})
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-",
                        "\u2011": "-", "\u00a0": " "})
MAX_PER_COLUMN = 50
"""Problems listed per file and column before the rest are counted in one line."""
SUGGEST_LIMIT = 5000
"""Closest-match suggestions are only computed against at most this many choices."""

_INTEGER = re.compile(r"[+-]?\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_SEP_LINE = re.compile(r"sep=(.)\s*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF8_HELP = ("the file saved as UTF-8 (Excel: 'CSV UTF-8'; LibreOffice: character set "
              "'Unicode (UTF-8)')")


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------


class _Rows(Mapping):
    """``table name -> list of row dicts``, built from the columns on first access."""

    def __init__(self, columns: dict[str, dict[str, list]], lines: dict[str, list[int]]):
        self._columns, self._lines, self._built = columns, lines, {}

    def __getitem__(self, name: str) -> list[dict]:
        if name not in self._built:
            cols = self._columns[name]
            names = list(cols)
            lines = self._lines.get(name) or [None] * len(next(iter(cols.values()), []))
            self._built[name] = [dict(zip(names, values, strict=True), __line__=line)
                                 for *values, line in zip(*cols.values(), lines, strict=True)]
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class Validated:
    """Every table, typed, plus the article and what was noticed on the way.

    The tables are held column by column (``columns[table][column]`` is a list, one typed
    value per row; ``lines[table]`` the line each row starts on); ``rows`` gives the same
    data as one dict per row (with ``__line__``), built on first use.
    """

    def __init__(self, data_dir: Path, article: str, meta: dict[str, str],
                 rows: Mapping[str, list[dict]] | None = None,
                 checksums: dict[str, str] | None = None, warnings: list[str] | None = None,
                 *, columns: dict[str, dict[str, list]] | None = None,
                 lines: dict[str, list[int]] | None = None):
        self.data_dir = Path(data_dir)
        self.article = article
        self.meta = meta
        self.checksums = checksums or {}
        self.warnings = warnings if warnings is not None else []
        if columns is None:
            rows = rows or {}
            columns = {name: _columns_of(name, table_rows) for name, table_rows in rows.items()}
            lines = {name: [r.get("__line__") for r in table_rows]
                     for name, table_rows in rows.items()}
        self.columns = columns
        self.lines = lines or {}
        self.rows = rows if rows is not None else _Rows(columns, self.lines)

    def count(self, table: str) -> int:
        """Number of rows in ``table``."""
        cols = self.columns.get(table) or {}
        return len(next(iter(cols.values()), []))

    @property
    def country_names(self) -> dict[str, str]:
        cols = self.columns.get("countries") or {}
        return dict(zip(cols.get(C.COUNTRY_CODE, []), cols.get(C.NAME, []), strict=True))


def _columns_of(name: str, rows: list[dict]) -> dict[str, list]:
    names = TABLES[name].field_names if name in TABLES else (list(rows[0]) if rows else [])
    return {n: [r.get(n) for r in rows] for n in names if n != "__line__"}


# ---------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------


def suggest(value: str, choices, cutoff: float = 0.6) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''.

    A case or spacing variant is always suggested; otherwise the closest choice at least
    ``cutoff`` similar (difflib ratio)."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    key = value.lower()
    if key in lowered and lowered[key] != value:
        return f" (did you mean {lowered[key]!r}?)"
    squashed = re.sub(r"[\s\-]+", "_", key.strip())
    if squashed in lowered and lowered[squashed] != value:
        return f" (did you mean {lowered[squashed]!r}?)"
    if len(choices) > SUGGEST_LIMIT:
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=cutoff)
    if not close:
        close = difflib.get_close_matches(key, list(lowered), n=1, cutoff=cutoff)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""


def choices_text(choices, limit: int = 12) -> str:
    choices = [str(c) for c in choices]
    shown = ", ".join(choices[:limit])
    return f"one of {shown}" + (f" … ({len(choices)} in all)" if len(choices) > limit else "")


def _cap(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PER_COLUMN problems per (file, column); one more line counts the rest.

    The result is ordered by file, then line (as a person fixes them, top to bottom)."""
    problems = sorted(problems, key=lambda p: (p.file, p.line or 0))
    counts: dict[tuple, list[Problem]] = {}
    out: list[Problem] = []
    for p in problems:
        group = counts.setdefault((p.file, p.column), [])
        group.append(p)
        if len(group) <= MAX_PER_COLUMN:
            out.append(p)
    for (file, column), group in counts.items():
        rest = group[MAX_PER_COLUMN:]
        if rest:
            lines = [p.line for p in rest if p.line is not None]
            span = f" (lines {min(lines)}–{max(lines)})" if lines else ""
            out.append(Problem(file, f"… and {len(rest)} more problems in this column{span}, "
                               "not listed", column=column))
    return out


# ---------------------------------------------------------------------------------------
# Reading a CSV the way spreadsheets save them
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


@dataclass
class Sheet:
    """One CSV as read: the header, the records (padded to the header), where they start.

    ``offsets`` holds, for records spanning several lines, the line offset of each cell
    from the record's first line, so a problem points at the line of the cell itself.
    """

    file: str
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    offsets: dict[int, list[int]] = field(default_factory=dict)

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
    for _ in range(after_header):
        next(reader, None)  # the header (already read)
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
            problems.append(Problem(
                file, f"malformed CSV: {msg}", line=reader.line_num + line_base,
                expected='a quote inside a cell written twice ("") and the cell quoted'))
            start = reader.line_num + 1
            continue
        out.append((record, start + line_base, reader.line_num > start))
        start = reader.line_num + 1
    return out, problems


def read_csv(path: Path, table: Table, warnings: list[str]
             ) -> tuple[Sheet | None, list[Problem]]:
    """Read ``path``; return the sheet (None when unusable) and the problems found."""
    file = paths.display_path(path)
    expected_header = ",".join(table.field_names)
    if not path.exists():
        return None, [Problem(file, "file is missing",
                              expected=f"a CSV with the header {expected_header}")]
    if path.is_dir():
        return None, [Problem(file, "is a folder, not a file", expected="a CSV file")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, f"cannot be read: {exc.strerror}")]
    try:
        text = decode(raw, file, warnings)
    except DataError as exc:
        return None, exc.problems
    del raw
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
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        return None, [Problem(file, "file is empty", line=1 + line_base,
                              expected=f"a header row: {expected_header}")]
    except csv.Error as exc:
        return None, [Problem(file, f"cannot read the header row: {exc}", line=1 + line_base)]
    header_line = 1 + line_base
    header = [h.strip().lstrip("\ufeff") for h in header]
    unknown = [h for h in header if h and h not in table.field_names]
    missing = [n for n in table.required_names if n not in header]
    for name in missing:
        close = suggest(name, unknown) if unknown else ""
        hint = (f"; the header has {close[len(' (did you mean '):-2]} instead?"
                if close else "")
        problems.append(Problem(file, f"required column is missing{hint}", line=header_line,
                                column=name, expected=f"a header with {expected_header}"))
    seen: set[str] = set()
    for name in header:
        if name in seen and name:
            problems.append(Problem(file, "column appears twice in the header",
                                    line=header_line, column=name))
        seen.add(name)
    for name in unknown:
        warnings.append(f"{file}:{header_line}: unknown column '{name}' ignored"
                        + suggest(name, table.field_names))
    if missing:
        return None, problems
    width = len(header)
    body, problems_in_body = _records(text, delimiter, reader, line_base, file)
    del text
    problems += problems_in_body
    records: list[list[str]] = []
    lines: list[int] = []
    offsets: dict[int, list[int]] = {}
    for record, line, span in body:
        if len(record) != width or not "".join(record).strip():
            if len(record) > width and "".join(record[width:]).strip():
                value = next(cell for cell in record[width:] if cell.strip())
                problems.append(Problem(
                    file, f"row has {len(record)} cells but the header has {width} columns",
                    line=line, value=value,
                    expected=f"quote cells that contain the delimiter {delimiter!r}"))
                continue
            if not "".join(record).strip():
                continue  # a blank line, or a row of empty cells
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
    if not records and not problems:
        problems.append(Problem(file, "has a header but no data rows", line=header_line + 1,
                                expected="at least one row under the header"))
    sheet = Sheet(file, header, records, lines, offsets)
    return sheet, problems


# ---------------------------------------------------------------------------------------
# Cell-level checks, one column at a time
# ---------------------------------------------------------------------------------------


def _date_hint(text: str) -> str:
    """A likely ISO reading of a spreadsheet-style date, or ''."""
    m = _DATE_TIME.fullmatch(text)
    if m:
        return f" (a date without the time: {m.group(1)}?)"
    m = _DMY.fullmatch(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        readings = set()
        for day, month in ((a, b), (b, a)):
            try:
                readings.add(dt.date(year, month, day).isoformat())
            except ValueError:
                pass
        if len(readings) == 1:
            return f" (did you mean {readings.pop()}?)"
        if readings:
            return f" (day/month or month/day? write {' or '.join(sorted(readings))})"
    if text.isdigit() and 20000 <= int(text) <= 80000:
        serial = dt.date(1899, 12, 30) + dt.timedelta(days=int(text))
        return f" (a spreadsheet date serial? that is {serial.isoformat()})"
    return ""


def _number_hint(text: str) -> str:
    cleaned = re.sub(r"[$€£¥\s]|USD|EUR|GBP", "", text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        return f" (did you mean {cleaned.replace(',', '')}?)"
    if re.fullmatch(r"\d+,\d+", cleaned):
        return f" (a decimal comma? write {cleaned.replace(',', '.')})"
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(k|m|bn|b|mn|million|billion)", cleaned.lower())
    if m:
        scale = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
                 "billion": 1e9}[m.group(2)]
        return f" (did you mean {float(m.group(1)) * scale:.15g}?)"
    return ""


def _convert_number(text: str):
    try:
        value = float(text)
    except ValueError:
        raise ValueError("a number such as 31000000 (no currency sign, units or thousands "
                         "separators)" + _number_hint(text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("a finite number")
    return value


def _convert_integer(text: str):
    if not _INTEGER.fullmatch(text):
        hint = ""
        if re.fullmatch(r"[+-]?\d+\.0+", text):
            hint = f" (did you mean {text.split('.')[0]}?)"
        raise ValueError("a whole number" + hint)
    return int(text)


def _convert_boolean(text: str):
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError("true or false")
    return value


def _convert_date(text: str):
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("an ISO date YYYY-MM-DD" + _date_hint(text)) from None


CONVERTERS = {"integer": _convert_integer, "number": _convert_number,
              "boolean": _convert_boolean, "date": _convert_date}


def _expected(f: Field) -> str:
    if f.enum:
        return choices_text(f.enum)
    if f.example:
        return f"{f.description}, e.g. {f.example}"
    return f.description


def _form_hint(f: Field, item: str, code_by_name: dict[str, str]) -> str:
    if f.pattern and f.pattern == r"^[A-Z]{3}$" and item in code_by_name:
        return f" (did you mean {code_by_name[item]!r}? this column takes the ISO code)"
    if f.pattern and re.match(f.pattern, item.upper()):
        return f" (did you mean {item.upper()!r}?)"
    return ""


def _parse_list(text: str) -> tuple[str, ...]:
    return tuple(s for s in map(str.strip, text.split(";")) if s)


def check_cells(table: Table, sheet: Sheet, code_by_name: dict[str, str] | None = None
                ) -> tuple[dict[str, list], list[Problem], set[tuple[int, str]]]:
    """Types, required, enums, patterns, minimum, uniqueness.

    Returns the typed columns, the problems and the (row, column) of every bad cell (so
    that rules across columns stay quiet about them). A bad or empty cell becomes ``None``
    (``()`` for an empty list cell). Each distinct
    text of a column is converted and checked once; rows are visited again only to place
    the problems found.
    """
    code_by_name = code_by_name or {}
    file, n = sheet.file, len(sheet.records)
    problems: list[tuple[int, int, Problem]] = []  # (row, field order, problem) for sorting
    columns: dict[str, list] = {}
    invalid: set[tuple[int, str]] = set()
    position = {name: i for i, name in enumerate(sheet.header)}
    raw_columns = list(zip(*sheet.records, strict=True)) if n else []

    def report(j: int, order: int, f: Field, message: str, value: str | None,
               expected: str | None) -> None:
        problems.append((j, order, Problem(file, message, line=sheet.line(j, f.name),
                                           column=f.name, value=value, expected=expected)))

    for order, f in enumerate(table.fields):
        empty = () if f.type == "list" else None
        if f.name not in position or not n:  # an optional column left out
            columns[f.name] = [empty] * n
            continue
        texts = list(map(str.strip, raw_columns[position[f.name]]))
        if f.required and not all(texts):
            for j in [j for j, t in enumerate(texts) if not t]:
                report(j, order, f, "required value is empty", None, _expected(f))
        if f.type == "string" and not (f.enum or f.pattern or f.unique):
            columns[f.name] = texts if all(texts) else [t or None for t in texts]
            continue
        # 1. convert each distinct text once; remember why the bad ones are bad
        distinct = set(texts)
        distinct.discard("")
        failed: dict[str, tuple[str, str]] = {}  # text -> (message, expected)
        if f.type == "string":
            typed = {t: t for t in distinct}
        elif f.type == "list":
            typed = {t: _parse_list(t) for t in distinct}
        else:
            convert, typed = CONVERTERS[f.type], {}
            for t in distinct:
                try:
                    typed[t] = convert(t)
                except ValueError as exc:
                    article = "an" if f.type == "integer" else "a"
                    failed[t] = (f"not {article} {f.type}", str(exc))
        # 2. constraints on the typed value (each item, for a list)
        if f.enum or f.pattern or f.minimum is not None:
            allowed = set(f.enum) if f.enum else None
            match = re.compile(f.pattern).match if f.pattern else None
            for t, value in typed.items():
                for item in value if f.type == "list" else (value,):
                    if allowed is not None and item not in allowed:
                        failed[t] = ("value is not allowed" + suggest(str(item), f.enum),
                                     choices_text(f.enum), str(item))
                    elif match is not None and not match(str(item)):
                        hint = f" such as {f.example}" if f.example else ""
                        failed[t] = ("value has the wrong form"
                                     + _form_hint(f, str(item), code_by_name),
                                     f"a value matching {f.pattern}{hint}", str(item))
                    elif f.minimum is not None and item < f.minimum:
                        failed[t] = ("value is too small", f"at least {f.minimum:g}")
                    else:
                        continue
                    break
        for t in failed:
            typed.pop(t, None)
        typed[""] = empty
        values = list(map(typed.get, texts))  # None for the failed texts
        if failed:
            for j, t in enumerate(texts):
                why = failed.get(t)
                if why is not None:
                    report(j, order, f, why[0], why[2] if len(why) > 2 else t, why[1])
                    values[j] = empty
                    invalid.add((j, f.name))
        if f.unique:
            present = [v for v in values if v is not None]
            if len(set(present)) != len(present):
                first_seen: dict = {}
                for j, value in enumerate(values):
                    if value is None:
                        continue
                    first = first_seen.setdefault(value, j)
                    if first != j:
                        report(j, order, f, f"duplicate value (first on line "
                               f"{sheet.line(first, f.name)})", texts[j],
                               "a value unique in the column")
        columns[f.name] = values
    if len(table.primary_key) > 1 and n:
        order = len(table.fields)
        last = table.get(table.primary_key[-1])
        seen: dict[tuple, int] = {}
        for j, key in enumerate(zip(*(columns[k] for k in table.primary_key), strict=True)):
            if None in key:
                continue
            first = seen.setdefault(key, j)
            if first != j:
                report(j, order, last, f"duplicate row for {', '.join(table.primary_key)} "
                       f"(first on line {sheet.lines[first]})", " / ".join(map(str, key)),
                       "one row per key")
    problems.sort(key=lambda t: (t[0], t[1]))
    return columns, [p for _, _, p in problems], invalid


# ---------------------------------------------------------------------------------------
# Cross-table checks
# ---------------------------------------------------------------------------------------


@dataclass
class _Read:
    """A table as read and typed: its sheet (for line numbers) and columns."""

    table: Table
    sheet: Sheet
    columns: dict[str, list]
    invalid: set[tuple[int, str]] = field(default_factory=set)

    @property
    def file(self) -> str:
        return self.sheet.file

    def line(self, row: int, column: str | None = None) -> int:
        return self.sheet.line(row, column)


def check_references(tables: dict[str, _Read]) -> list[Problem]:
    """Every foreign-key value (each item of a list) exists in the table it refers to."""
    problems: list[Problem] = []
    code_by_name = {}
    if "countries" in tables:
        cols = tables["countries"].columns
        code_by_name = {n: c for c, n in zip(cols[C.COUNTRY_CODE], cols[C.NAME], strict=True)
                        if c and n}
    targets_of: dict[tuple[str, str], set] = {}
    for read in tables.values():
        table = read.table
        for fk in table.foreign_keys:
            target = tables.get(fk.table)
            if target is None:
                continue  # the referenced table itself failed; reported there
            key = (fk.table, fk.ref_field)
            if key not in targets_of:
                targets_of[key] = {v for v in target.columns[fk.ref_field] if v is not None}
            targets = targets_of[key]
            is_list = table.get(fk.field).type == "list"
            column = read.columns[fk.field]
            dangling = {v for v in set(column) if v is not None and v != () and any(
                item not in targets for item in (v if is_list else (v,)))}
            if not dangling:
                continue
            country = fk.table == "countries"
            ref_path = TABLES[fk.table].path
            for j, value in enumerate(column):
                if value not in dangling:
                    continue
                for item in value if is_list else (value,):
                    if item in targets:
                        continue
                    if country and item in code_by_name:
                        hint = f" (did you mean {code_by_name[item]!r}?)"
                    elif is_list and ("," in item or " " in item):
                        hint = " (separate the items of a list with ';')"
                    else:
                        hint = suggest(str(item), sorted(targets))
                    problems.append(Problem(
                        read.file, f"refers to a {fk.ref_field} that is not in {ref_path}"
                        + hint, line=read.line(j, fk.field), column=fk.field,
                        value=str(item), expected=f"a {fk.ref_field} from {ref_path}"))
    return problems


def check_country_names(tables: dict[str, _Read]) -> list[Problem]:
    """A country-name column must hold the canonical name of its code (one spelling)."""
    if "countries" not in tables:
        return []
    cols = tables["countries"].columns
    names = {c: n for c, n in zip(cols[C.COUNTRY_CODE], cols[C.NAME], strict=True) if c and n}
    by_name = {v: k for k, v in names.items()}
    problems: list[Problem] = []
    for read in tables.values():
        for f in read.table.fields:
            if not f.names_code:
                continue
            for j, (name, code) in enumerate(zip(read.columns[f.name],
                                                 read.columns[f.names_code], strict=True)):
                if name is None or code is None or code not in names or names[code] == name:
                    continue
                other = by_name.get(name)
                why = (f"is the name of {other}, not of {code}" if other else
                       f"is not the canonical name of {code} (one spelling per country)")
                problems.append(Problem(read.file, f"country name {why}",
                                        line=read.line(j, f.name), column=f.name, value=name,
                                        expected=f"{names[code]!r} (countries.csv)"))
    return problems


def check_iso_codes(read: _Read) -> list[Problem]:
    """Country codes must be real ISO 3166-1 alpha-3 codes (pycountry's table)."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry is pinned in requirements.txt
        return []
    problems = []
    for j, code in enumerate(read.columns[C.COUNTRY_CODE]):
        if code and pycountry.countries.get(alpha_3=code) is None:
            problems.append(Problem(read.file, "not an ISO 3166-1 alpha-3 country code",
                                    line=read.line(j, C.COUNTRY_CODE), column=C.COUNTRY_CODE,
                                    value=code,
                                    expected="an ISO 3166-1 alpha-3 code such as TJK"))
    return problems


_NEAR_MISSES = (
    (lambda s: s.translate(CURLY),
     "it differs only in quotation marks: the article uses curly quotes (’ “ ”) where the "
     "evidence has straight ones (' \"), or the other way round"),
    (lambda s: s.translate(DASHES),
     "it differs only in dashes or non-breaking spaces (– — vs -)"),
    (lambda s: " ".join(s.translate(CURLY).translate(DASHES).split()),
     "it differs only in spaces or line breaks"),
    (lambda s: " ".join(s.translate(CURLY).translate(DASHES).split()).casefold(),
     "it differs only in capital letters"),
)


def check_evidence(read: _Read, article: str) -> list[Problem]:
    """Every evidence span is in the article verbatim; offsets, when given, point at it.

    Fills in ``evidence_start``/``evidence_end`` when both are empty.
    """
    problems: list[Problem] = []
    cols = read.columns
    evidence, starts, ends = cols[C.EVIDENCE], cols[C.EVIDENCE_START], cols[C.EVIDENCE_END]
    found: dict[str, int] = {}
    folded: dict[int, str] = {}
    for j, ev in enumerate(evidence):
        if not ev:
            continue
        where = found.get(ev)
        if where is None:
            where = found[ev] = article.find(ev)
        start, end = starts[j], ends[j]
        if where >= 0:
            if start is None and end is None:
                starts[j], ends[j] = where, where + len(ev)
            elif start is None or end is None:
                missing = C.EVIDENCE_START if start is None else C.EVIDENCE_END
                problems.append(Problem(
                    read.file, "give both evidence_start and evidence_end or neither",
                    line=read.line(j, missing), column=missing, value="",
                    expected=str(where if start is None else where + len(ev))))
            elif article[start:end] != ev:
                problems.append(Problem(
                    read.file, "evidence_start/evidence_end do not point at the evidence",
                    line=read.line(j, C.EVIDENCE_START), column=C.EVIDENCE_START,
                    value=f"{start}-{end}",
                    expected=f"{where}-{where + len(ev)} (or leave both empty)"))
            continue
        hint = "is not found verbatim in article.txt"
        for k, (fold, why) in enumerate(_NEAR_MISSES):
            if k not in folded:
                folded[k] = fold(article)
            if fold(ev) in folded[k]:
                hint += f" — {why}"
                break
        else:
            best = _closest_span(ev, article)
            if best:
                hint += f" — closest passage: {best!r}"
        problems.append(Problem(read.file, hint, line=read.line(j, C.EVIDENCE),
                                column=C.EVIDENCE, value=ev,
                                expected="a span copied exactly from article.txt"))
    return problems


def _closest_span(ev: str, article: str) -> str:
    """The article passage of the same length that best matches ``ev`` (cheap heuristic)."""
    words = ev.split()
    if not words:
        return ""
    anchor = max(words, key=len)
    at = article.find(anchor)
    if at < 0:
        return ""
    lo = max(0, at - len(ev))
    window = article[lo: at + len(ev)]
    matcher = difflib.SequenceMatcher(None, window, ev, autojunk=False)
    block = max(matcher.get_matching_blocks(), key=lambda b: b.size)
    begin = max(0, block.a - block.b)
    return window[begin: begin + len(ev)]


def _num(x: float) -> str:
    """A number as a person would type it: 31000000, not 3.1e+07."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_money(read: _Read) -> list[Problem]:
    """Amounts agree with their precision label; low <= high."""
    problems: list[Problem] = []
    cols = read.columns
    file = read.file

    def add(j: int, message: str, column: str, value: str, expected: str) -> None:
        problems.append(Problem(file, message, line=read.line(j, column), column=column,
                                value=value, expected=expected))

    for j, (low, high, prec) in enumerate(zip(cols[C.LOW], cols[C.HIGH], cols[C.PRECISION],
                                              strict=True)):
        if read.invalid and any((j, c) in read.invalid for c in (C.LOW, C.HIGH, C.PRECISION)):
            continue  # the bad cell is reported already
        if low is not None and high is not None and low > high:
            add(j, "low is greater than high", C.HIGH, _num(high), f"at least low ({_num(low)})")
        if prec == "exact" and (low is None or high is None or low != high):
            add(j, "an exact amount needs low = high", C.HIGH,
                "" if high is None else _num(high), "the same value as low")
        elif prec == "not_stated" and (low is not None or high is not None):
            column, value = (C.LOW, low) if low is not None else (C.HIGH, high)
            add(j, "precision not_stated needs low and high empty", column, _num(value),
                "an empty cell")
        elif prec in ("order_of_magnitude", "lower_bound"):
            if low is None:
                add(j, f"precision {prec} needs a lower bound", C.LOW, "",
                    "the least amount the wording allows")
            elif high is not None and high == low:
                add(j, f"precision {prec} is a range, not a point value", C.HIGH,
                    _num(high), "empty or more than low")
        elif prec == "approximate" and low is None:
            add(j, "an approximate amount needs low", C.LOW, "", "the amount")
    return problems


def check_intervals(read: _Read) -> list[Problem]:
    problems = []
    cols = read.columns
    for j, (start, end) in enumerate(zip(cols[C.START_DATE], cols[C.END_DATE], strict=True)):
        if start and end and end <= start:
            problems.append(Problem(read.file, "end_date is not after start_date",
                                    line=read.line(j, C.END_DATE), column=C.END_DATE,
                                    value=end.isoformat(),
                                    expected=f"a date after {start.isoformat()}"))
    return problems


def check_article(data_dir: Path) -> tuple[str, dict, list[Problem]]:
    problems: list[Problem] = []
    text_path = data_dir / paths.ARTICLE_FILE
    meta_path = data_dir / paths.ARTICLE_META_FILE
    article, meta = "", {}
    file = paths.display_path(text_path)
    if not text_path.is_file():
        problems.append(Problem(file, "file is missing",
                                expected="the article body as UTF-8 text"))
    else:
        raw = text_path.read_bytes()
        if raw.startswith(_UTF8_BOM):
            raw = raw[3:]
        try:
            article = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(file, f"not valid UTF-8 (byte "
                                    f"0x{raw[exc.start:exc.start + 1].hex()})", line=line,
                                    expected="the article saved as UTF-8"))
        # Line endings as Python's text mode reads them, so that evidence cells (whose
        # line breaks are normalised to \n) match an article saved with Windows endings.
        article = article.replace("\r\n", "\n").replace("\r", "\n")
        if not article.strip() and not problems:
            problems.append(Problem(file, "file is empty", expected="the article body"))
    file = paths.display_path(meta_path)
    if not meta_path.is_file():
        problems.append(Problem(file, "file is missing",
                                expected=f"a JSON object with keys {', '.join(ARTICLE_META)}"))
        return article, meta, problems
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, ...
        line = getattr(exc, "lineno", None)
        problems.append(Problem(file, f"not valid JSON: {getattr(exc, 'msg', exc)}",
                                line=line, expected="a JSON object"))
        return article, {}, problems
    if not isinstance(meta, dict):
        problems.append(Problem(file, "must be a JSON object", value=type(meta).__name__,
                                expected="a JSON object {...}"))
        return article, {}, problems
    for key in ARTICLE_META:
        value = meta.get(key)
        if not isinstance(value, str):
            problems.append(Problem(file, "missing or not a string", column=key,
                                    value=None if value is None else str(value),
                                    expected=ARTICLE_META[key]))
        elif key in ARTICLE_META_DATES:
            try:
                _convert_date(value)
            except ValueError as exc:
                problems.append(Problem(file, "not an ISO date", column=key, value=value,
                                        expected=str(exc)))
    return article, meta, problems


def checksums(data_dir: Path) -> dict[str, str]:
    """sha256 of every input file, keyed by its path relative to the data directory."""
    files = [data_dir / paths.ARTICLE_FILE, data_dir / paths.ARTICLE_META_FILE]
    files += [data_dir / t.path for t in TABLES.values()]
    return {
        p.relative_to(data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files if p.is_file()
    }


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: building a million small containers would
    otherwise trigger it again and again (half the time of a large file). Nothing built
    here is cyclic, so reference counting frees it all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(data_dir: Path | str = paths.DATA_DIR) -> Validated:
    """Validate every file of ``data_dir``; raise DataError listing all problems."""
    with _no_gc():
        return _validate(Path(data_dir))


def _validate(data_dir: Path) -> Validated:
    if not data_dir.is_dir():
        raise DataError([Problem(paths.display_path(data_dir), "data directory not found",
                                 expected="a folder with article.txt, article.json and "
                                 "the CSVs of the schema")])
    warnings: list[str] = []
    article, meta, problems = check_article(data_dir)
    tables: dict[str, _Read] = {}
    code_by_name: dict[str, str] = {}
    for table in TABLES.values():
        sheet, read_problems = read_csv(data_dir / table.path, table, warnings)
        problems += read_problems
        if sheet is None:
            continue
        columns, cell_problems, invalid = check_cells(table, sheet, code_by_name)
        sheet.records = []  # the typed columns hold what is needed; free the raw cells
        problems += cell_problems
        tables[table.name] = read = _Read(table, sheet, columns, invalid)
        if table.name == "countries":
            problems += check_iso_codes(read)
            code_by_name = {n: c for c, n in zip(columns[C.COUNTRY_CODE], columns[C.NAME],
                                                  strict=True) if c and n}
    problems += check_references(tables)
    problems += check_country_names(tables)
    if article and "claims" in tables:
        problems += check_evidence(tables["claims"], article)
    for name in ("money", "money_context"):
        if name in tables:
            problems += check_money(tables[name])
    if "membership_timeline" in tables:
        problems += check_intervals(tables["membership_timeline"])
    subject = meta.get("subject_country_code") if isinstance(meta, dict) else None
    if isinstance(subject, str) and subject and "countries" in tables and subject not in set(
            tables["countries"].columns[C.COUNTRY_CODE]):
        problems.append(Problem(paths.display_path(data_dir / paths.ARTICLE_META_FILE),
                                "country code is not in countries.csv",
                                column="subject_country_code", value=subject,
                                expected="a country_code from countries.csv"))
    if problems:
        error = DataError(_cap(problems))
        error.warnings = warnings  # e.g. "read as Windows-1252": may explain a problem
        raise error
    return Validated(data_dir, article, meta, checksums=checksums(data_dir), warnings=warnings,
                     columns={name: read.columns for name, read in tables.items()},
                     lines={name: read.sheet.lines for name, read in tables.items()})

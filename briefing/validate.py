"""Read and validate a data directory against :mod:`briefing.schema`, in pure Python.

No pandas here: ``python -m briefing check`` and the CLI's pre-flight validation must answer
in well under a second. :mod:`briefing.load` turns the validated rows into DataFrames.

Every problem in the dataset is collected (not only the first) and raised together as one
:class:`~briefing.errors.DataError`, each located by file, line (as an editor shows it),
column, the bad value and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import DataError, Problem
from .schema import ARTICLE_META, ARTICLE_META_DATES, TABLES, C, Field, Table

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f"}
CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass
class Validated:
    """Rows of every table, typed, plus the article and what was noticed on the way."""

    data_dir: Path
    article: str
    meta: dict[str, str]
    rows: dict[str, list[dict]]
    checksums: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def country_names(self) -> dict[str, str]:
        return {r[C.COUNTRY_CODE]: r[C.NAME] for r in self.rows["countries"]}


def suggest(value: str, choices) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return f" (did you mean {lowered[value.lower()]!r}?)"
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""


def choices_text(choices, limit: int = 12) -> str:
    choices = [str(c) for c in choices]
    shown = ", ".join(choices[:limit])
    return f"one of {shown}" + (f" … ({len(choices)} in all)" if len(choices) > limit else "")


# ---------------------------------------------------------------------------------------
# Reading a CSV the way spreadsheets save them
# ---------------------------------------------------------------------------------------


def decode(raw: bytes, file: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM); Windows-1252/Latin-1 accepted with a warning."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError([Problem(file, f"not valid UTF-16 text ({exc.reason})",
                                     expected="a CSV saved as UTF-8")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start: exc.start + 1]
        for legacy in ("cp1252", "latin-1"):
            try:
                text = raw.decode(legacy)
            except UnicodeDecodeError:
                continue
            warnings.append(
                f"{file}:{line}: not UTF-8 (byte 0x{bad.hex()}); read as {legacy} — "
                "save the file as UTF-8 to be sure every character is right")
            return text
        raise DataError([Problem(file, f"not valid UTF-8 (byte 0x{bad.hex()})", line=line,
                                 expected="a CSV saved as UTF-8")]) from None


def sniff_delimiter(header: str) -> str:
    """Comma, unless the header is plainly semicolon- or tab-separated (spreadsheets)."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 and counts[","] == 0 else ","


def read_csv(path: Path, table: Table, warnings: list[str]) -> tuple[list[dict], list[Problem]]:
    """Rows as dicts of raw strings, each with its start line under key ``__line__``."""
    file = paths.display_path(path)
    if not path.exists():
        return [], [Problem(file, "file is missing",
                            expected=f"a CSV with columns {', '.join(table.required_names)}")]
    raw = path.read_bytes()
    text = decode(raw, file, warnings)
    if not text.strip():
        return [], [Problem(file, "file is empty", line=1,
                            expected=f"a header row: {','.join(table.field_names)}")]
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    if delimiter != ",":
        warnings.append(f"{file}: read as {'semicolon' if delimiter == ';' else 'tab'}"
                        "-separated (the kit writes comma-separated CSV)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except csv.Error as exc:
        return [], [Problem(file, f"cannot read the header row: {exc}", line=1)]
    header = [h.strip() for h in header]
    missing = [n for n in table.required_names if n not in header]
    for name in missing:
        problems.append(Problem(file, "required column is missing", line=1, column=name,
                                expected=f"header {','.join(table.field_names)}"))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, "column appears twice in the header", line=1,
                                    column=name))
        seen.add(name)
        if name and name not in table.field_names:
            warnings.append(f"{file}:1: unknown column '{name}' ignored"
                            + suggest(name, table.field_names))
    if missing:
        return [], problems
    rows: list[dict] = []
    index = {name: header.index(name) for name in table.field_names if name in header}
    start = reader.line_num + 1
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                problems.append(Problem(file, f"row has {len(record)} cells but the header "
                                        f"has {len(header)} columns", line=line,
                                        value=record[len(header)],
                                        expected="quote cells that contain the delimiter"))
                continue
            record = record + [""] * (len(header) - len(record))
            row = {name: record[i] for name, i in index.items()}
            row["__line__"] = line
            rows.append(row)
    except csv.Error as exc:
        problems.append(Problem(file, f"malformed CSV: {exc}", line=reader.line_num))
    if not rows and not problems:
        problems.append(Problem(file, "has a header but no data rows", line=2,
                                expected="at least one row"))
    return rows, problems


# ---------------------------------------------------------------------------------------
# Cell-level checks
# ---------------------------------------------------------------------------------------


def _convert(f: Field, text: str):
    """Typed value of ``text`` for field ``f``; raises ValueError with what was expected."""
    if f.type == "string":
        return text
    if f.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError("a whole number")
        return int(text)
    if f.type == "number":
        cleaned = text.replace("_", "")
        try:
            value = float(cleaned)
        except ValueError:
            raise ValueError("a number such as 31000000 (no units, no thousands "
                             "separators)") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("a finite number")
        return value
    if f.type == "boolean":
        low = text.lower()
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        raise ValueError("true or false")
    if f.type == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("an ISO date YYYY-MM-DD") from None
    if f.type == "list":
        return tuple(item.strip() for item in text.split(";") if item.strip())
    raise AssertionError(f"unknown field type {f.type}")


def check_cells(table: Table, rows: list[dict], file: str) -> list[Problem]:
    """Types, required, enums, patterns, minimum, uniqueness. Converts rows in place."""
    problems: list[Problem] = []
    compiled = {f.name: re.compile(f.pattern) for f in table.fields if f.pattern}
    seen_unique: dict[str, dict] = {f.name: {} for f in table.fields if f.unique}
    for row in rows:
        line = row["__line__"]
        for f in table.fields:
            text = row.get(f.name, "").strip()
            if text == "":
                if f.required:
                    problems.append(Problem(file, "required value is empty", line=line,
                                            column=f.name, expected=_expected(f)))
                row[f.name] = None if f.type != "list" else ()
                continue
            try:
                value = _convert(f, text)
            except ValueError as exc:
                problems.append(Problem(file, f"not {f.type}", line=line, column=f.name,
                                        value=text, expected=str(exc)))
                row[f.name] = None
                continue
            items = value if f.type == "list" else (value,)
            ok = True
            for item in items:
                if f.enum and item not in f.enum:
                    problems.append(Problem(
                        file, "value is not allowed" + suggest(str(item), f.enum),
                        line=line, column=f.name, value=str(item),
                        expected=choices_text(f.enum)))
                    ok = False
                elif f.name in compiled and not compiled[f.name].match(str(item)):
                    hint = f" such as {f.example}" if f.example else ""
                    problems.append(Problem(file, "value has the wrong form", line=line,
                                            column=f.name, value=str(item),
                                            expected=f"a value matching {f.pattern}{hint}"))
                    ok = False
                elif f.minimum is not None and item < f.minimum:
                    problems.append(Problem(file, "value is too small", line=line,
                                            column=f.name, value=text,
                                            expected=f"at least {f.minimum:g}"))
                    ok = False
            if ok and f.unique:
                first = seen_unique[f.name].setdefault(value, line)
                if first != line:
                    problems.append(Problem(file, f"duplicate value (first on line {first})",
                                            line=line, column=f.name, value=text,
                                            expected="a value unique in the column"))
            row[f.name] = value if ok else None
    if len(table.primary_key) > 1:
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row.get(k) for k in table.primary_key)
            if None in key:
                continue
            first = seen.setdefault(key, row["__line__"])
            if first != row["__line__"]:
                problems.append(Problem(
                    file, f"duplicate row for {', '.join(table.primary_key)} "
                    f"(first on line {first})", line=row["__line__"],
                    column=table.primary_key[-1], value=" / ".join(map(str, key))))
    return problems


def _expected(f: Field) -> str:
    if f.enum:
        return choices_text(f.enum)
    if f.example:
        return f"{f.description}, e.g. {f.example}"
    return f.description


# ---------------------------------------------------------------------------------------
# Cross-table checks
# ---------------------------------------------------------------------------------------


def check_references(tables: dict[str, list[dict]], files: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    keys = {
        (t.name, f.name): {r[f.name] for r in tables.get(t.name, ()) if r.get(f.name)}
        for t in TABLES.values() for f in t.fields if f.unique
    }
    for table in TABLES.values():
        for fk in table.foreign_keys:
            targets = keys.get((fk.table, fk.ref_field))
            if targets is None or not tables.get(fk.table):
                continue  # the referenced table itself failed; reported there
            f = table.get(fk.field)
            for row in tables.get(table.name, ()):
                value = row.get(fk.field)
                items = value if f.type == "list" else (value,)
                for item in items or ():
                    if item is not None and item not in targets:
                        problems.append(Problem(
                            files[table.name],
                            f"refers to a {fk.ref_field} that is not in {fk.table}"
                            + suggest(str(item), sorted(targets)),
                            line=row["__line__"], column=fk.field, value=str(item),
                            expected=f"a {fk.ref_field} from {TABLES[fk.table].path}"))
    return problems


def check_country_names(tables: dict[str, list[dict]], files: dict[str, str]) -> list[Problem]:
    """A country-name column must hold the canonical name of its code (one spelling)."""
    names = {r[C.COUNTRY_CODE]: r[C.NAME] for r in tables.get("countries", ())
             if r.get(C.COUNTRY_CODE) and r.get(C.NAME)}
    by_name = {v: k for k, v in names.items()}
    problems: list[Problem] = []
    for table in TABLES.values():
        for f in table.fields:
            if not f.names_code:
                continue
            for row in tables.get(table.name, ()):
                name, code = row.get(f.name), row.get(f.names_code)
                if name is None or code is None or code not in names:
                    continue
                if names[code] != name:
                    other = by_name.get(name)
                    why = (f"is the name of {other}, not of {code}" if other else
                           f"is not the canonical name of {code}")
                    problems.append(Problem(files[table.name], f"country name {why}",
                                            line=row["__line__"], column=f.name, value=name,
                                            expected=f"{names[code]!r} (countries.csv)"))
    return problems


def check_iso_codes(rows: list[dict], file: str) -> list[Problem]:
    """Country codes must be real ISO 3166-1 alpha-3 codes (pycountry's table)."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry is pinned in requirements.txt
        return []
    problems = []
    for row in rows:
        code = row.get(C.COUNTRY_CODE)
        if code and pycountry.countries.get(alpha_3=code) is None:
            problems.append(Problem(file, "not an ISO 3166-1 alpha-3 country code",
                                    line=row["__line__"], column=C.COUNTRY_CODE, value=code,
                                    expected="an ISO 3166-1 alpha-3 code such as TJK"))
    return problems


def check_evidence(rows: list[dict], article: str, file: str) -> list[Problem]:
    """Every evidence span is in the article verbatim; offsets, when given, point at it."""
    problems: list[Problem] = []
    folded = None
    for row in rows:
        ev = row.get(C.EVIDENCE)
        if not ev:
            continue
        line = row["__line__"]
        start, end = row.get(C.EVIDENCE_START), row.get(C.EVIDENCE_END)
        if start is not None and end is not None:
            if article[start:end] == ev:
                continue
            where = article.find(ev)
            if where >= 0:
                problems.append(Problem(
                    file, "evidence_start/evidence_end do not point at the evidence",
                    line=line, column=C.EVIDENCE_START, value=f"{start}-{end}",
                    expected=f"{where}-{where + len(ev)} (or leave both empty)"))
                continue
        where = article.find(ev)
        if where >= 0:
            if start is None and end is None:
                row[C.EVIDENCE_START], row[C.EVIDENCE_END] = where, where + len(ev)
            elif (start is None) != (end is None):
                problems.append(Problem(file, "give both evidence_start and evidence_end "
                                        "or neither", line=line, column=C.EVIDENCE_END,
                                        value=str(end), expected=str(where + len(ev))))
            continue
        if folded is None:
            folded = article.translate(CURLY)
        hint = "is not found verbatim in article.txt"
        if ev.translate(CURLY) in folded:
            hint += (" — it differs only in quotation marks: the article uses curly "
                     "quotes (’ “ ”) where the evidence has straight ones (' \")")
        elif " ".join(ev.split()) in " ".join(article.split()):
            hint += " — it differs only in spaces or line breaks"
        else:
            best = _closest_span(ev, article)
            if best:
                hint += f" — closest passage: {best!r}"
        problems.append(Problem(file, hint, line=line, column=C.EVIDENCE, value=ev,
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


def check_money(table: Table, rows: list[dict], file: str) -> list[Problem]:
    """Amounts agree with their precision label; low <= high."""
    problems: list[Problem] = []
    for row in rows:
        low, high, prec = row.get(C.LOW), row.get(C.HIGH), row.get(C.PRECISION)
        line = row["__line__"]
        if low is not None and high is not None and low > high:
            problems.append(Problem(file, "low is greater than high", line=line,
                                    column=C.HIGH, value=f"{high:g}",
                                    expected=f"at least low ({low:g})"))
        if prec == "exact" and (low is None or high is None or low != high):
            problems.append(Problem(file, "an exact amount needs low = high", line=line,
                                    column=C.HIGH, value="" if high is None else f"{high:g}",
                                    expected="the same value as low"))
        elif prec == "not_stated" and (low is not None or high is not None):
            problems.append(Problem(file, "precision not_stated needs low and high empty",
                                    line=line, column=C.LOW, value=str(low),
                                    expected="an empty cell"))
        elif prec in ("order_of_magnitude", "lower_bound"):
            if low is None:
                problems.append(Problem(file, f"precision {prec} needs a lower bound",
                                        line=line, column=C.LOW, value="",
                                        expected="the least amount the wording allows"))
            elif high is not None and high == low:
                problems.append(Problem(
                    file, f"precision {prec} is a range, not a point value", line=line,
                    column=C.HIGH, value=f"{high:g}",
                    expected="empty or more than low"))
        elif prec == "approximate" and low is None:
            problems.append(Problem(file, "an approximate amount needs low", line=line,
                                    column=C.LOW, value="", expected="the amount"))
    return problems


def check_intervals(rows: list[dict], file: str) -> list[Problem]:
    problems = []
    for row in rows:
        start, end = row.get(C.START_DATE), row.get(C.END_DATE)
        if start and end and end <= start:
            problems.append(Problem(file, "end_date is not after start_date",
                                    line=row["__line__"], column=C.END_DATE,
                                    value=end.isoformat(),
                                    expected=f"a date after {start.isoformat()}"))
    return problems


def check_article(data_dir: Path) -> tuple[str, dict, list[Problem]]:
    problems: list[Problem] = []
    text_path = data_dir / paths.ARTICLE_FILE
    meta_path = data_dir / paths.ARTICLE_META_FILE
    article, meta = "", {}
    if not text_path.exists():
        problems.append(Problem(paths.display_path(text_path), "file is missing",
                                expected="the article body as UTF-8 text"))
    else:
        try:
            article = text_path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(Problem(paths.display_path(text_path),
                                    f"not valid UTF-8 ({exc.reason})",
                                    expected="the article saved as UTF-8"))
        if not article.strip() and not problems:
            problems.append(Problem(paths.display_path(text_path), "file is empty",
                                    expected="the article body"))
    file = paths.display_path(meta_path)
    if not meta_path.exists():
        problems.append(Problem(file, "file is missing",
                                expected=f"a JSON object with keys {', '.join(ARTICLE_META)}"))
        return article, meta, problems
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        problems.append(Problem(file, f"not valid JSON: {getattr(exc, 'msg', exc)}",
                                line=line))
        return article, {}, problems
    if not isinstance(meta, dict):
        problems.append(Problem(file, "must be a JSON object", value=type(meta).__name__))
        return article, {}, problems
    for key in ARTICLE_META:
        value = meta.get(key)
        if not isinstance(value, str):
            problems.append(Problem(file, "missing or not a string", column=key,
                                    value=None if value is None else str(value),
                                    expected=ARTICLE_META[key]))
        elif key in ARTICLE_META_DATES:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                problems.append(Problem(file, "not an ISO date", column=key, value=value,
                                        expected="YYYY-MM-DD"))
    return article, meta, problems


def checksums(data_dir: Path) -> dict[str, str]:
    """sha256 of every input file, keyed by its path relative to the data directory."""
    files = [data_dir / paths.ARTICLE_FILE, data_dir / paths.ARTICLE_META_FILE]
    files += [data_dir / t.path for t in TABLES.values()]
    return {
        str(p.relative_to(data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files if p.exists()
    }


def validate(data_dir: Path | str = paths.DATA_DIR) -> Validated:
    """Validate every file of ``data_dir``; raise DataError listing all problems."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError([Problem(paths.display_path(data_dir), "data directory not found",
                                 expected="a folder with article.txt, article.json and "
                                 "the CSVs of the schema")])
    warnings: list[str] = []
    article, meta, problems = check_article(data_dir)
    tables: dict[str, list[dict]] = {}
    files: dict[str, str] = {}
    for table in TABLES.values():
        path = data_dir / table.path
        file = files[table.name] = paths.display_path(path)
        try:
            rows, read_problems = read_csv(path, table, warnings)
        except DataError as exc:
            problems += exc.problems
            continue
        problems += read_problems
        problems += check_cells(table, rows, file)
        tables[table.name] = rows
    problems += check_iso_codes(tables.get("countries", []), files["countries"])
    problems += check_references(tables, files)
    problems += check_country_names(tables, files)
    if article:
        problems += check_evidence(tables.get("claims", []), article, files["claims"])
    for name in ("money", "money_context"):
        problems += check_money(TABLES[name], tables.get(name, []), files[name])
    problems += check_intervals(tables.get("membership_timeline", []),
                                files["membership_timeline"])
    subject = meta.get("subject_country_code")
    if subject and tables.get("countries") and subject not in {
            r[C.COUNTRY_CODE] for r in tables["countries"]}:
        problems.append(Problem(paths.display_path(data_dir / paths.ARTICLE_META_FILE),
                                "country code is not in countries.csv",
                                column="subject_country_code", value=subject,
                                expected="a country_code from countries.csv"))
    if problems:
        raise DataError(problems)
    return Validated(data_dir=data_dir, article=article, meta=meta, rows=tables,
                     checksums=checksums(data_dir), warnings=warnings)

"""What each cell must hold, driven by :mod:`briefing.schema`: one column at a time.

Header (required, unknown and repeated columns), type conversion, required values, allowed
values, patterns, minimum, uniqueness, composite keys, and the characters a reader cannot
see: bidirectional controls (U+202E turns ``Russia`` into ``aissuR`` and reorders the names
around it in the report) and zero-width characters (a code that looks right and matches
nothing). Names, codes and identifiers may hold none of them; prose columns
(:data:`briefing.schema.FREE_TEXT`) may keep the joiners ZWJ and ZWNJ that some scripts need.

The checks are written column by column (one tight loop per column with the pattern, the
allowed set and the converter chosen once), because a per-cell function call costs more than
the check itself at 100,000 rows. Rules across columns and tables are in
:mod:`briefing.rules`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata

from .decode import Sheet
from .errors import Problem
from .schema import FREE_TEXT, Field, Table

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f"}
_BOOLEANS = {**dict.fromkeys(TRUE, True), **dict.fromkeys(FALSE, False)}
SUGGEST_LIMIT = 5000
"""Closest-match suggestions are only computed against at most this many choices."""
MAX_INTEGER_DIGITS = 18
"""An integer cell fits a 64-bit integer (pandas ``Int64``): at most 18 digits."""

_INTEGER = re.compile(r"[+-]?\d+")
_ZERO_FRACTION = re.compile(r"[+-]?\d+\.0+")  # 150000000.0: a spreadsheet float
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")


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


# ---------------------------------------------------------------------------------------
# Characters a reader cannot see
# ---------------------------------------------------------------------------------------

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Arabic letter mark, LRM/RLM, embeddings and overrides (U+202A-E), isolates (U+2066-9)."""
JOINERS = "\u200c\u200d"
"""ZWNJ and ZWJ: invisible, but needed inside words of Persian, Indic scripts, emoji."""
INVISIBLE = (f"{BIDI_CONTROLS}\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
             "\u2028\u2029")
"""The bidi controls, the zero-width space, the word joiner, the invisible operators, the
deprecated format controls, the BOM, the interlinear annotation marks and the line and
paragraph separators (not the joiners): refused in any text, shown escaped on the page."""
IN_NAMES_ONLY = ("\u00ad\u034f\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
                 "\u180e\u3164\uffa0\U000110bd\U000110cd\U00013430-\U0001343f"
                 "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
"""The rest of Unicode's format characters (category Cf: soft hyphen, prepended number
signs, shorthand and musical format controls, tags) and the blank fillers (combining
grapheme joiner, Hangul fillers): a name or code holding one looks right but matches nothing;
prose in some scripts uses them, so text fields may."""
_SURROGATES = "\ud800-\udfff"  # a byte that was not UTF-8 (Python's surrogateescape)
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""C0 and C1 control characters but tab, line feed and carriage return (BEL, ESC ...): no
text means them, a terminal acts on them, and XML (the PDF's metadata, SVG) forbids most."""
_IN_NAMES = re.compile(f"[{INVISIBLE}{IN_NAMES_ONLY}{JOINERS}{_SURROGATES}{CONTROLS}]")
_IN_TEXT = re.compile(f"[{INVISIBLE}{_SURROGATES}{CONTROLS}]")
_SHOWN_AROUND = 20  # characters shown either side of the one at fault


def hidden_character(text: str, free_text: bool = False) -> tuple[str, str, str] | None:
    """(message, the value around the character, expected) when ``text`` holds a
    character that reorders the text around it, cannot be seen, or cannot be written as
    UTF-8; else None. ``free_text`` allows ZWJ and ZWNJ (prose in some scripts needs them).
    """
    found = (_IN_TEXT if free_text else _IN_NAMES).search(text)
    if found is None:
        return None
    at, ch = found.start(), found.group()
    code = f"U+{ord(ch):04X}"
    if "\ud800" <= ch <= "\udfff":
        byte = f" 0x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ""
        message = (f"contains {code}, a lone surrogate: a byte{byte} that is not UTF-8 "
                   "text, which cannot be written into the report")
        expected = ("UTF-8 text (save the file as UTF-8, or set the terminal's encoding to "
                    "UTF-8)")
    elif re.match(f"[{CONTROLS}]", ch):
        message = f"contains {code}, a control character, which no text of a report may hold"
        expected = "text without control characters (tab and line breaks may stay)"
    else:
        message = (f"contains {code} {unicodedata.name(ch, 'a format character')}, "
                   + ("an invisible control that reverses or reorders the text around it "
                      "in the report" if re.match(f"[{BIDI_CONTROLS}]", ch) else
                      "an invisible character: the value looks right but matches nothing"))
        expected = ("text without direction controls (U+202A–U+202E, U+2066–U+2069, "
                    "U+200E, U+200F, U+061C) or invisible spaces; ZWJ and ZWNJ may stay"
                    if free_text else
                    "a name, code or identifier without invisible or direction-changing "
                    "characters (delete the character, or retype the value)")
    start, end = max(0, at - _SHOWN_AROUND), at + _SHOWN_AROUND + 1
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return message, shown, expected


def without_hidden(text: str) -> str:
    """``text`` without the characters :func:`hidden_character` refuses in a name."""
    return _IN_NAMES.sub("", text)


def _hidden_in(texts: list[str], free_text: bool) -> dict[str, tuple[str, str, str]]:
    """The texts of a column holding a hidden character, each with its message."""
    pattern = _IN_TEXT if free_text else _IN_NAMES
    if pattern.search("".join(texts)) is None:  # one scan of the whole column
        return {}
    found = {}
    for t in set(texts):
        why = hidden_character(t, free_text)
        if why is not None:
            found[t] = (why[0], why[2], why[1])  # (message, expected, value shown)
    return found


# ---------------------------------------------------------------------------------------
# Converters, with the hint a spreadsheet user needs
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
    if len(text) == 5 and text.isascii() and text.isdigit() and 20000 <= int(text) <= 80000:
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
    if _ZERO_FRACTION.fullmatch(text):
        raise ValueError(f"a plain number, no spurious .0 (did you mean {text.split('.')[0]}?)")
    return value


def _convert_integer(text: str):
    if not _INTEGER.fullmatch(text):
        hint = ""
        if re.fullmatch(r"[+-]?\d+\.0+", text):
            hint = f" (did you mean {text.split('.')[0]}?)"
        raise ValueError("a whole number" + hint)
    if len(text.lstrip("+-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a whole number of at most {MAX_INTEGER_DIGITS} digits (this one "
                         f"has {len(text.lstrip('+-')):,})")
    return int(text)


def _convert_boolean(text: str):
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError("true or false")
    return value


def convert_date(text: str) -> dt.date:
    """An ISO date ``YYYY-MM-DD``; ValueError naming what was expected (with a hint)."""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("an ISO date YYYY-MM-DD" + _date_hint(text)) from None


CONVERTERS = {"integer": _convert_integer, "number": _convert_number,
              "boolean": _convert_boolean, "date": convert_date}


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


# ---------------------------------------------------------------------------------------
# The header, then the cells
# ---------------------------------------------------------------------------------------


def check_header(table: Table, sheet: Sheet, warnings: list[str]) -> tuple[list[Problem], bool]:
    """Problems of the header row, and whether the cells can be checked (no required
    column missing). Columns the schema does not know are ignored with a warning."""
    file, header, line = sheet.file, sheet.header, sheet.header_line
    expected_header = ",".join(table.field_names)
    unknown = [h for h in header if h and h not in table.field_names]
    missing = [n for n in table.required_names if n not in header]
    problems: list[Problem] = []
    for name in missing:
        close = suggest(name, unknown) if unknown else ""
        hint = (f"; the header has {close[len(' (did you mean '):-2]} instead?"
                if close else "")
        problems.append(Problem(file, f"required column is missing{hint}", line=line,
                                column=name, expected=f"a header with {expected_header}"))
    seen: set[str] = set()
    twice = False
    for name in header:
        if name in seen and name:
            twice = True
            problems.append(Problem(file, "column appears twice in the header", line=line,
                                    column=name, expected=f"each column once: {expected_header}"))
        seen.add(name)
    for name in unknown:
        warnings.append(f"{file}:{line}: unknown column '{name}' ignored"
                        + suggest(name, table.field_names))
    # a column twice: which of the two holds the values is a guess, and every row's cells
    # would be checked against it: the header's problem is the one to fix first
    return problems, not missing and not twice


def check_cells(table: Table, sheet: Sheet, code_by_name: dict[str, str] | None = None
                ) -> tuple[dict[str, list], list[Problem], dict[tuple[int, str], str]]:
    """Types, required, hidden characters, enums, patterns, minimum, uniqueness.

    Returns the typed columns, the problems and the text of every bad cell by (row, column)
    (so that rules across columns stay quiet about them). A bad or empty cell becomes ``None``
    (``()`` for an empty list cell). Each distinct text of a column is converted and
    checked once; rows are visited again only to place the problems found.
    """
    code_by_name = code_by_name or {}
    file, n = sheet.file, len(sheet.records)
    problems: list[tuple[int, int, Problem]] = []  # (row, field order, problem) for sorting
    columns: dict[str, list] = {}
    invalid: dict[tuple[int, str], str] = {}
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
        # text -> (message, expected[, value shown]) for the texts that fail
        failed = (_hidden_in(texts, f.name in FREE_TEXT)
                  if f.type in ("string", "list") else {})
        if f.type == "string" and not (f.enum or f.pattern or f.unique or failed):
            columns[f.name] = texts if all(texts) else [t or None for t in texts]
            continue
        # 1. convert each distinct text once; remember why the bad ones are bad
        distinct = set(texts) - failed.keys()
        distinct.discard("")
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
                    invalid[j, f.name] = t
        if f.unique:
            _check_unique(f, order, values, texts, sheet, report)
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


def _check_unique(f: Field, order: int, values: list, texts: list[str], sheet: Sheet,
                  report) -> None:
    present = [v for v in values if v is not None]
    if len(set(present)) == len(present):
        return
    first_seen: dict = {}
    for j, value in enumerate(values):
        if value is None:
            continue
        first = first_seen.setdefault(value, j)
        if first != j:
            report(j, order, f, f"duplicate value (first on line {sheet.line(first, f.name)})",
                   texts[j], "a value unique in the column")

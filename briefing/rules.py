"""Domain rules across columns, tables and files, run once every cell has its type.

Each rule takes the :class:`Checked` data (the typed tables, the article and its metadata)
and returns the problems it finds; :data:`briefing.validate.RULES` lists them in order.
A rule skips the cells :mod:`briefing.constraints` already reported (``TypedTable.invalid``)
and the tables that could not be read, so one mistake gives one message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .constraints import suggest, without_hidden
from .decode import Sheet
from .errors import Problem
from .schema import (
    EVIDENCE_ID,
    TABLES,
    C,
    Table,
)

CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u00ab": '"', "\u00bb": '"', "\u201e": '"', "\u201a": "'"})
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-",
                        "\u2011": "-", "\u00a0": " "})


@dataclass
class TypedTable:
    """A table as read and typed: its sheet (for line numbers), its columns, and the text
    of each cell reported already by (row, column)."""

    table: Table
    sheet: Sheet
    columns: dict[str, list]
    invalid: dict[tuple[int, str], str] = field(default_factory=dict)
    #: Read in part (an unclosed quote, a row of the wrong length, an over-long cell):
    #: references into it are not checked, or every row after the break would be reported.
    partial: bool = False

    @property
    def file(self) -> str:
        return self.sheet.file

    def line(self, row: int, column: str | None = None) -> int:
        return self.sheet.line(row, column)

    def keys(self, column: str) -> set:
        """The values of a key column, counting a key reported already for a hidden
        character ('CH\u200bN') as the key it was meant to be: one message, not one more
        for every row that refers to it."""
        found = {v for v in self.columns[column] if v is not None}
        found |= {without_hidden(text) for (_, name), text in self.invalid.items()
                  if name == column}
        return found


@dataclass
class Checked:
    """What the rules see: the tables that could be read, the article and its metadata."""

    data_dir: Path
    article: str
    meta: dict
    tables: dict[str, TypedTable]

    def code_by_name(self) -> dict[str, str]:
        """Country name -> ISO code, from countries.csv (empty when it failed)."""
        if "countries" not in self.tables:
            return {}
        cols = self.tables["countries"].columns
        return {n: c for c, n in zip(cols[C.COUNTRY_CODE], cols[C.NAME], strict=True)
                if c and n}


def _pycountry():
    """pycountry, or None in a Python without the kit's requirements (``check`` needs no
    other package: it then checks the codes' form only, and says so)."""
    try:
        import pycountry
    except ImportError:
        return None
    return pycountry


def check_iso_codes(data: Checked) -> list[Problem]:
    """Country codes must be real ISO 3166-1 alpha-3 codes and currency codes real ISO 4217
    codes (pycountry's tables); a currency typo gets the closest code suggested."""
    pycountry = _pycountry()
    if pycountry is None:
        return []
    problems = []
    read = data.tables.get("countries")
    for j, code in enumerate(read.columns[C.COUNTRY_CODE] if read is not None else ()):
        if code and pycountry.countries.get(alpha_3=code) is None:
            problems.append(Problem(read.file, "not an ISO 3166-1 alpha-3 country code",
                                    line=read.line(j, C.COUNTRY_CODE), column=C.COUNTRY_CODE,
                                    value=code,
                                    expected="an ISO 3166-1 alpha-3 code such as TJK"))
    known = {c.alpha_3 for c in pycountry.currencies} | set(HISTORIC_CURRENCIES)
    tables = [read for read in data.tables.values() if C.CURRENCY in read.columns]
    used = {code for read in tables for code in read.columns[C.CURRENCY] if code in known}
    for read in tables:
        for j, code in enumerate(read.columns[C.CURRENCY]):
            if code and code not in known:
                problems.append(Problem(
                    read.file, "not an ISO 4217 currency code"
                    + _currency_hint(code, known, used), line=read.line(j, C.CURRENCY),
                    column=C.CURRENCY, value=code,
                    expected="an ISO 4217 currency code such as USD, EUR or GBP"))
    return problems


#: Withdrawn ISO 4217 codes an article about the past may name (pycountry lists only the
#: current ones): the euro's predecessors, the old afghani and the Soviet-era roubles.
HISTORIC_CURRENCIES = ("ATS", "BEF", "DEM", "ESP", "FIM", "FRF", "GRD", "IEP", "ITL", "LUF",
                       "NLG", "PTE", "XEU", "AFA", "SUR", "RUR", "TJR", "CSK", "YUD", "ZWD",
                       "TRL", "VEB")


#: Currencies an article most often names: preferred when a typo is one letter from several.
MAJOR_CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CNY", "CHF", "RUB", "INR", "CAD", "AUD")


def _currency_hint(code: str, known: set[str], used: set[str]) -> str:
    """' (did you mean 'EUR'?)' for a code one typo from a real one: two letters swapped or
    one letter wrong; a currency the data uses elsewhere first, then a major one."""
    def swapped(other: str) -> bool:
        return any(code[:i] + code[i + 1] + code[i] + code[i + 2:] == other
                   for i in range(len(code) - 1))

    near = [c for c in known if len(c) == len(code)
            and (swapped(c) or sum(a != b for a, b in zip(c, code, strict=True)) == 1)]
    if not near:
        return ""
    best = min(near, key=lambda c: (c not in used, c not in MAJOR_CURRENCIES,
                                    not swapped(c), c))
    return f" (did you mean {best!r}?)"


def unchecked_codes() -> list[str]:
    """The warning that country and currency codes were checked for their form only."""
    if _pycountry() is not None:
        return []
    return ["pycountry is not installed in this Python: country and currency codes were "
            "checked for their form only (run make setup and use .venv/bin/python)"]


def check_references(data: Checked) -> list[Problem]:
    """Every foreign-key value (each item of a list) exists in the table it refers to."""
    tables = data.tables
    problems: list[Problem] = []
    code_by_name = data.code_by_name()
    targets_of: dict[tuple[str, str], set] = {}
    for read in tables.values():
        table = read.table
        for fk in table.foreign_keys:
            target = tables.get(fk.table)
            if target is None or target.partial:
                continue  # the referenced table itself failed, or in part; reported there
            key = (fk.table, fk.ref_field)
            if key not in targets_of:
                targets_of[key] = target.keys(fk.ref_field)
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


def check_country_names(data: Checked) -> list[Problem]:
    """A country-name column must hold the canonical name of its code (one spelling)."""
    if "countries" not in data.tables:
        return []
    cols = data.tables["countries"].columns
    names = {c: n for c, n in zip(cols[C.COUNTRY_CODE], cols[C.NAME], strict=True) if c and n}
    by_name = {v: k for k, v in names.items()}
    problems: list[Problem] = []
    for read in data.tables.values():
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


def _num(x: float) -> str:
    """A number as a person would type it: 31000000, not 3.1e+07."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def check_money(data: Checked) -> list[Problem]:
    """Amounts agree with their precision label; low <= high (money and money_context); a
    part (money_context's part_of) fits its whole."""
    problems: list[Problem] = []
    for name in ("money", "money_context"):
        if name in data.tables:
            problems += _check_amounts(data.tables[name])
    if "money_context" in data.tables:
        problems += _check_parts(data.tables["money_context"])
    return problems


def _check_parts(read: TypedTable) -> list[Problem]:
    """A part (``part_of``) names another figure of the file (an unknown id is
    :func:`check_references`'), in the same currency, and is not larger than it: its least
    amount is not above the most the whole's wording allows."""
    cols = read.columns
    ids = cols[C.REFERENCE_MONEY_ID]
    row_of = {rid: j for j, rid in enumerate(ids) if rid is not None}
    problems: list[Problem] = []
    for j, whole in enumerate(cols[C.PART_OF]):
        if whole is None or whole not in row_of:
            continue
        k = row_of[whole]
        if k == j:
            message, expected = ("a figure is not part of itself",
                                 "the reference_money_id of another row (the whole)")
        elif cols[C.CURRENCY][k] != cols[C.CURRENCY][j]:
            message = f"the whole ({whole}) is in {cols[C.CURRENCY][k]}, this part in " \
                      f"{cols[C.CURRENCY][j]}"
            expected = f"a whole in {cols[C.CURRENCY][j]}"
        else:
            low, top = cols[C.LOW][j], cols[C.HIGH][k]
            top = cols[C.LOW][k] if top is None and cols[C.PRECISION][k] in (
                "exact", "approximate") else top
            if low is None or top is None or low <= top:
                continue
            message = f"the part is larger than its whole ({whole}: {_num(top)})"
            expected = f"a whole of at least {_num(low)} (this row's low)"
        problems.append(Problem(read.file, message, line=read.line(j, C.PART_OF),
                                column=C.PART_OF, value=whole, expected=expected))
    return problems


def _check_amounts(read: TypedTable) -> list[Problem]:
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


#: The table and key column an id of each letter names.
_ID_TABLES = {"C": ("claims", C.CLAIM_ID), "S": ("sources", C.SOURCE_ID),
              "J": ("judgements", "judgement_id")}


def _path(letter: str) -> str:
    """The file an id of ``letter`` (C, S, J) must be in."""
    return TABLES[_ID_TABLES[letter][0]].path


#: A judgement's prose, where the ids it cites are named (and linked in the briefing).
JUDGEMENT_PROSE = ("headline", "judgement", "basis", "against", "implication",
                   "indicators")
#: Where a judgement lists the claims and sources its prose names, by the id's letter.
_LISTED_IN = {"C": "claim_ids", "S": "source_ids"}


def check_judgement_citations(data: Checked) -> list[Problem]:
    """Every id a judgement's prose (:data:`JUDGEMENT_PROSE`) names is evidence it lists: a
    claim among its claim_ids, a source among its source_ids, a judgement in judgements.csv.
    The briefing links each named id to the annex and lists the judgement's evidence from
    those columns: an id named but not listed would be a link to nothing, or evidence left
    off the list. Without a source_ids column, one line a judgement names its sources."""
    read = data.tables.get("judgements")
    if read is None:
        return []
    cols = read.columns
    judgements = read.keys("judgement_id")
    problems: list[Problem] = []
    for j in range(len(cols["judgement_id"])):
        listed = {letter: set(cols[own][j] or ()) for letter, own in _LISTED_IN.items()}
        unlisted: dict[str, dict[str, None]] = {}  # letter -> ids named, its column absent
        for column in JUDGEMENT_PROSE:
            value = cols[column][j]
            if value is None or (j, column) in read.invalid:
                continue
            text = " ".join(value) if isinstance(value, tuple) else str(value)
            for ident in dict.fromkeys(EVIDENCE_ID.findall(text)):
                letter = ident[0]
                if letter == "J":
                    if ident not in judgements:
                        problems.append(Problem(
                            read.file, f"names a judgement that is not in {_path('J')}",
                            line=read.line(j, column), column=column, value=ident,
                            expected=f"a judgement_id from {_path('J')}"))
                    continue
                own = _LISTED_IN[letter]
                if own not in read.sheet.header:
                    unlisted.setdefault(letter, {})[ident] = None
                elif ident not in listed[letter]:
                    mine = ";".join(sorted(listed[letter])) or "empty"
                    problems.append(Problem(
                        read.file, f"names {ident}, which is not among the judgement's {own}",
                        line=read.line(j, column), column=column, value=ident,
                        expected=f"an id listed in {own} ({mine}), or {ident} added there "
                                 f"(it must be in {_path(letter)})"))
        for letter, named in unlisted.items():  # one line a row, not one an id
            own = _LISTED_IN[letter]
            problems.append(Problem(
                read.file, f"the judgement's text names {', '.join(named)}, but the file has "
                f"no {own} column", line=read.line(j), column=own,
                value=";".join(named),
                expected=f"a {own} column listing them (ids from {_path(letter)})"))
    return problems


#: The curator's own prose in any table, where an evidence id may be named ("Corroborated by
#: S45", "(S101)"): each must exist. Titles and the article's words are other people's text.
CURATED_PROSE = (C.NOTE, C.DESCRIPTION, C.EVENT)


def check_ids_in_notes(data: Checked) -> list[Problem]:
    """Every claim, source or judgement id a note, description or event names exists: the
    briefing counts a source named in a note as cited, and a reader must be able to find it.
    """
    keys: dict[str, set | None] = {}
    for letter, (name, column) in _ID_TABLES.items():
        target = data.tables.get(name)
        if target is not None:
            keys[letter] = target.keys(column)
        else:  # a table that failed is reported there; an optional one left out has no ids
            absent = TABLES[name].optional and not (data.data_dir / TABLES[name].path).exists()
            keys[letter] = set() if absent else None
    problems: list[Problem] = []
    for read in data.tables.values():
        for column in CURATED_PROSE:
            if column not in read.columns:
                continue
            for j, value in enumerate(read.columns[column]):
                if not value or (j, column) in read.invalid:
                    continue
                for ident in dict.fromkeys(EVIDENCE_ID.findall(str(value))):
                    known = keys[ident[0]]
                    if known is None or ident in known:  # a table that failed: reported there
                        continue
                    problems.append(Problem(
                        read.file, f"names {ident}, which is not in {_path(ident[0])}",
                        line=read.line(j, column), column=column, value=ident,
                        expected=f"a {_ID_TABLES[ident[0]][1]} from {_path(ident[0])}"))
    return problems


def check_intervals(data: Checked) -> list[Problem]:
    """A membership interval's end_date, when given, is after its start_date."""
    read = data.tables.get("membership_timeline")
    if read is None:
        return []
    problems = []
    cols = read.columns
    for j, (start, end) in enumerate(zip(cols[C.START_DATE], cols[C.END_DATE], strict=True)):
        if start and end and end <= start:
            problems.append(Problem(read.file, "end_date is not after start_date",
                                    line=read.line(j, C.END_DATE), column=C.END_DATE,
                                    value=end.isoformat(),
                                    expected=f"a date after {start.isoformat()}"))
    return problems

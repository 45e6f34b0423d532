"""Validate a data directory against :mod:`briefing.schema`, in pure Python.

No pandas here: ``python -m briefing check`` and the CLI's pre-flight validation must answer
fast. :mod:`briefing.load` turns the validated columns into DataFrames.

:mod:`briefing.decode` reads the files, :mod:`briefing.constraints` checks every cell
against its column's schema, and the :data:`RULES` check across columns, tables and files.
Every problem is collected (not only the first) and raised together as one
:class:`~briefing.errors.DataError`, at most :data:`MAX_PER_COLUMN` per column, so that a
message stays readable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from . import article_rules, evidence_rules, paths, rules, source_rules
from .constraints import check_cells, check_header
from .decode import read_article, read_csv
from .errors import DataError, Problem
from .schema import ARTICLE_META, TABLES, C

MAX_PER_COLUMN = 50
"""Problems listed per file and column before the rest are counted in one line."""

RULES: tuple[Callable[[rules.Checked], list[Problem]], ...] = (
    rules.check_iso_codes,
    rules.check_references,
    rules.check_country_names,
    evidence_rules.check_evidence,  # also fills in empty evidence_start/evidence_end
    rules.check_money,
    rules.check_intervals,
    rules.check_judgement_citations,
    rules.check_ids_in_notes,
    article_rules.check_article_meta,
    source_rules.check_sources,
)
"""The rules across columns, tables and files, run in this order once every cell is typed."""


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

    def __init__(self, data_dir: Path, article: str, meta: dict[str, str], *,
                 columns: dict[str, dict[str, list]], lines: dict[str, list[int]],
                 checksums: dict[str, str] | None = None, warnings: list[str] | None = None):
        self.data_dir = Path(data_dir)
        self.article = article
        self.meta = meta
        self.checksums = checksums or {}
        self.warnings = warnings if warnings is not None else []
        self.columns = columns
        self.lines = lines
        self.rows = _Rows(columns, lines)

    def count(self, table: str) -> int:
        """Number of rows in ``table``."""
        cols = self.columns.get(table) or {}
        return len(next(iter(cols.values()), []))

    @property
    def country_names(self) -> dict[str, str]:
        cols = self.columns.get("countries") or {}
        return dict(zip(cols.get(C.COUNTRY_CODE, []), cols.get(C.NAME, []), strict=True))


# ---------------------------------------------------------------------------------------
# Validating
# ---------------------------------------------------------------------------------------


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


def validate(data_dir: Path | str = paths.DATA_DIR) -> Validated:
    """Validate every file of ``data_dir``; raise DataError listing all problems."""
    # a large file builds a million small containers, none cyclic: reference counting
    # frees them, and the collector would only walk them again and again
    with paths.collector_paused():
        return _validate(Path(data_dir))


def review_note(meta: Mapping) -> str:
    """article.json's ``review`` note, stripped: ``""`` once a person has confirmed the
    details (the key emptied or removed). The one test of "still marked for review" for
    article.json, shared by this check's warning and the briefing's cover
    (:func:`briefing.analysis.unreviewed_rows`)."""
    note = meta.get(C.REVIEW)
    return note.strip() if isinstance(note, str) else ""


def _unreviewed(data: rules.Checked) -> list[str]:
    """One warning per file whose rows are still marked for review (``draft`` marks every
    row it writes), and one for article.json's ``review`` key (the draft's guesses and
    placeholders): the data checks, but a person has not confirmed it yet."""
    out = []
    note = review_note(data.meta)
    if note:
        file = paths.display_path(data.data_dir / paths.ARTICLE_META_FILE)
        out.append(f"{file}: still marked for review ({_review_keys(note)}): confirm, then "
                   "remove the review key")
    for read in data.tables.values():
        marked = [j for j, note in enumerate(read.columns.get(C.REVIEW, ())) if note]
        if marked:
            lines = ", ".join(str(read.line(j)) for j in marked[:5])
            more = f" and {len(marked) - 5:,} more" if len(marked) > 5 else ""
            out.append(f"{read.file}: {len(marked):,} of {len(read.sheet.lines):,} rows still "
                       f"marked for review (lines {lines}{more}): confirm each row, then "
                       "empty its review cell")
    return out


def _review_keys(note: str) -> str:
    """The keys a review note of article.json names (``draft: check title: …; outlet: …``
    gives ``title, outlet``), or the note itself, shortened, when it names none."""
    parts = (p.strip() for p in note.strip().removeprefix("draft:").strip()
             .removeprefix("check").split(";"))
    keys = [key for key in dict.fromkeys(p.partition(":")[0].strip() for p in parts)
            if key in ARTICLE_META and key != C.REVIEW]
    if keys:
        return ", ".join(keys)
    text = " ".join(note.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _validate(data_dir: Path) -> Validated:
    if not data_dir.is_dir():
        raise DataError([Problem(paths.display_path(data_dir), "data directory not found",
                                 expected="a folder with article.txt, article.json and "
                                 "the CSVs of the schema")])
    warnings: list[str] = []
    article = read_article(data_dir, ", ".join(ARTICLE_META))
    problems = list(article.problems)
    checksums = dict(article.checksums)
    data = rules.Checked(data_dir, article.text, article.meta, {})
    code_by_name: dict[str, str] = {}
    for table in TABLES.values():
        if table.optional and not (data_dir / table.path).exists():
            continue  # a file the dataset may leave out
        empty = ("the briefing shows no reference context of this kind until rows with a "
                 "source_id are added" if table.layer == "reference" else "")
        sheet, read_problems = read_csv(data_dir / table.path, ",".join(table.field_names),
                                        warnings, may_be_empty=empty)
        if sheet is None:
            problems += read_problems
            continue
        checksums[table.path] = sheet.sha256
        header_problems, usable = check_header(table, sheet, warnings)
        problems += header_problems
        if not usable:
            continue  # the records cannot be read as this table: the header says why
        problems += read_problems
        columns, cell_problems, invalid = check_cells(table, sheet, code_by_name)
        sheet.records = []  # the typed columns hold what is needed; free the raw cells
        problems += cell_problems
        data.tables[table.name] = rules.TypedTable(table, sheet, columns, invalid,
                                                   partial=bool(read_problems))
        if table.name == "countries":
            code_by_name = data.code_by_name()
    for rule in RULES:
        problems += rule(data)
    warnings += map(str, source_rules.source_warnings(data))
    warnings += map(str, article_rules.unknown_meta_keys(data))
    warnings += map(str, article_rules.implausible_dates(data))
    warnings += rules.unchecked_codes()
    warnings += _unreviewed(data)
    if problems:
        error = DataError(_cap(problems))
        error.warnings = warnings  # e.g. "read as Windows-1252": may explain a problem
        raise error
    return Validated(data_dir, data.article, data.meta, checksums=checksums,
                     warnings=warnings,
                     columns={name: read.columns for name, read in data.tables.items()},
                     lines={name: read.sheet.lines for name, read in data.tables.items()})

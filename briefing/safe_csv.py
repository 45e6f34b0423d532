"""CSV files written for people to open in a spreadsheet, safe from formula injection.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before looking for those) is run as a formula by Excel, LibreOffice
and Google Sheets: a claim whose text begins ``=HYPERLINK(...)`` or ``@SUM(...)`` would become
live when an analyst opens the register. Following the OWASP "CSV Injection" advice, such a
cell is written with a leading single quote (``'=HYPERLINK(...)``), which spreadsheets show
as the literal text; every cell is quoted, embedded quotes doubled. Plain numbers (``-5``,
``+3.5``) are left alone: they are not formulas, and a quote would turn them into text.

The files are UTF-8 with a byte-order mark (so Excel reads Cyrillic, Chinese or Arabic names
correctly) and Windows line endings (RFC 4180). :mod:`briefing.validate` reads them back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .schema import C

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

REGISTER_COLUMNS: tuple[str, ...] = (
    C.CLAIM_ID, C.SPEAKER, C.SPEAKER_KIND, C.ATTRIBUTED_TO, C.CLAIM_TYPE, C.TOPIC,
    C.STATEMENT, C.EVIDENCE, C.IS_DIRECT_QUOTE, C.COUNTRIES, C.ORGANISATIONS,
    C.EVIDENCE_START, C.EVIDENCE_END,
)
"""Columns of the claims register: the claims table, in schema order. ``attributed_to``
is among them so that a statement the speaker only reports is credited, as the briefing
credits it, to those whose claim it is, not to the narration."""


def neutralise(value: object) -> str:
    """The text of ``value`` as it is safe to put in a spreadsheet cell.

    ``None`` and NaN become the empty string; tuples and lists are joined with ``;`` (as in
    the data files); text starting with a formula prefix gets a leading ``'``.
    """
    if (value is None or (isinstance(value, float) and value != value)
            or type(value).__name__ == "NAType"):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join("" if v is None else str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object] | Sequence]) -> str:
    """CSV text (no BOM) with a header row; every cell neutralised and quoted."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        cells = ([row.get(c) for c in columns] if isinstance(row, Mapping) else list(row))
        writer.writerow([neutralise(v) for v in cells])
    return buf.getvalue()


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, object] | Sequence]) -> bytes:
    """:func:`csv_text` encoded as UTF-8 with a byte-order mark, ready to write."""
    return csv_text(columns, rows).encode("utf-8-sig")


def register_rows(claims, country: str | None = None) -> list[dict[str, object]]:
    """Rows of the claims register, from the claims DataFrame or a list of row dicts
    (``Validated.rows["claims"]``); with ``country``, only the claims that name it."""
    records = claims.to_dict("records") if hasattr(claims, "to_dict") else list(claims)
    out = []
    for rec in records:
        if country is not None and country not in (rec.get(C.COUNTRIES) or ()):
            continue
        row = {}
        for c in REGISTER_COLUMNS:
            value = rec.get(c)
            try:
                missing = value is None or bool(value != value)  # None, NaN, pd.NA
            except (TypeError, ValueError):  # pd.NA and arrays refuse to be truth-tested
                missing = value is not None and str(value) == "<NA>"
            row[c] = None if missing else value
        out.append(row)
    return out


def claims_register_bytes(source, country: str | None = None) -> bytes:
    """The claims register as spreadsheet-safe CSV bytes.

    ``source`` is a :class:`~briefing.load.Dataset`, a
    :class:`~briefing.validate.Validated` (no pandas needed) or a data directory.
    """
    if isinstance(source, str | Path):
        from .validate import validate

        source = validate(source)
    claims = source.claims if hasattr(source, "tables") else source.rows["claims"]
    return csv_bytes(REGISTER_COLUMNS, register_rows(claims, country))


def register_path(out_dir: Path, stem: str) -> Path:
    """Where the register of the report ``<stem>`` goes: ``claims_register.csv`` for the
    default briefing, ``<stem>.claims_register.csv`` otherwise (one folder may hold several
    reports, e.g. the country profiles)."""
    name = "claims_register.csv" if stem == "briefing" else f"{stem}.claims_register.csv"
    return Path(out_dir) / name

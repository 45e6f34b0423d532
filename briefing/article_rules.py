"""Rules for ``article.json`` and for dates that are most likely typos.

:func:`check_article_meta` (errors): every key a string, dates ISO, no hidden characters, the
subject country in ``countries.csv``. :func:`unknown_meta_keys` and
:func:`implausible_dates` (warnings, on the terminal only: the data still loads, and the
report never depends on the day it was rendered).
"""

from __future__ import annotations

import datetime as dt

from . import paths
from .constraints import convert_date, hidden_character, suggest
from .errors import Problem
from .rules import Checked
from .schema import ARTICLE_META, ARTICLE_META_DATES, ARTICLE_META_OPTIONAL, FREE_TEXT, C


def check_article_meta(data: Checked) -> list[Problem]:
    """article.json: every key a string, dates ISO, no hidden characters, and the subject
    country in countries.csv."""
    file = paths.display_path(data.data_dir / paths.ARTICLE_META_FILE)
    meta = data.meta
    if not meta:
        return []  # missing or not an object: reported when it was read
    problems: list[Problem] = []
    for key in ARTICLE_META:
        value = meta.get(key)
        if value is None and key in ARTICLE_META_OPTIONAL:
            continue
        if not isinstance(value, str):
            problems.append(Problem(file, "missing or not a string", column=key,
                                    value=None if value is None else str(value),
                                    expected=ARTICLE_META[key]))
            continue
        hidden = hidden_character(value, free_text=key in FREE_TEXT)
        if hidden is not None:
            message, shown, expected = hidden
            problems.append(Problem(file, message, column=key, value=shown,
                                    expected=expected))
            meta = {**meta, key: None}  # reported: no second message about it
        elif key in ARTICLE_META_DATES:
            try:
                convert_date(value)
            except ValueError as exc:
                problems.append(Problem(file, "not an ISO date", column=key, value=value,
                                        expected=str(exc)))
    subject = meta.get("subject_country_code")
    countries = data.tables.get("countries")
    if (isinstance(subject, str) and subject and countries is not None
            and subject not in countries.keys(C.COUNTRY_CODE)):
        problems.append(Problem(file, "country code is not in countries.csv",
                                column="subject_country_code", value=subject,
                                expected="a country_code from countries.csv"))
    return problems


# ---------------------------------------------------------------------------------------
# Warnings: the data loads, but a person should look
# ---------------------------------------------------------------------------------------


def unknown_meta_keys(data: Checked) -> list[Problem]:
    """A key of article.json the schema does not know (``titel``, ``publised``): ignored,
    with the closest known key, as an unknown CSV column is."""
    file = paths.display_path(data.data_dir / paths.ARTICLE_META_FILE)
    return [Problem(file, f"unknown key {key!r} ignored" + suggest(str(key), ARTICLE_META))
            for key in data.meta if key not in ARTICLE_META]


def _article_dates(data: Checked) -> dict[str, dt.date]:
    """article.json's dates that are valid ISO dates, by key."""
    out = {}
    for key in ARTICLE_META_DATES:
        value = data.meta.get(key)
        if isinstance(value, str):
            try:
                out[key] = convert_date(value)
            except ValueError:
                pass  # reported by check_article_meta
    return out


#: The dates of the tables that tell of the past: a source's publication, the start of a
#: status. (An end_date or a figure's date may lie ahead: a planned exit, a 2030 budget.)
PAST_DATES = (("sources", C.DATE), ("membership_timeline", C.START_DATE))
#: Rows listed by line in one warning about a column's dates.
LINES_SHOWN = 5


def implausible_dates(data: Checked, today: dt.date | None = None) -> list[Problem]:
    """Dates that are most likely typos (2031 for 2021), as warnings: article.json's
    event_date after its publication date, and a publication, event, source or status start
    after ``today``. Warnings only, on the terminal: the report never depends on the day it
    was rendered."""
    today = today or dt.date.today()
    file = paths.display_path(data.data_dir / paths.ARTICLE_META_FILE)
    out: list[Problem] = []
    dates = _article_dates(data)
    later = "a typo (2031 for 2021)?"
    published = dates.get("published")
    for key, day in dates.items():
        reasons = []
        if key == "event_date" and published and day > published:
            reasons.append(f"after the publication date ({published.isoformat()})")
        if day > today:
            reasons.append(f"after today ({today.isoformat()})")
        if reasons:
            keep = ("" if day > today else
                    " (an article announcing an event to come may keep it)")
            out.append(Problem(file, f"date is {' and '.join(reasons)}: {later}{keep}",
                               column=key, value=day.isoformat()))
    for name, column in PAST_DATES:
        read = data.tables.get(name)
        if read is None:
            continue
        rows = [j for j, day in enumerate(read.columns[column]) if day is not None
                and day > today]
        if len(rows) == 1:
            j = rows[0]
            out.append(Problem(read.file, f"date is after today ({today.isoformat()}): {later}",
                               line=read.line(j, column), column=column,
                               value=read.columns[column][j].isoformat()))
        elif rows:
            lines = ", ".join(str(read.line(j, column)) for j in rows[:LINES_SHOWN])
            more = f" and {len(rows) - LINES_SHOWN:,} more" if len(rows) > LINES_SHOWN else ""
            out.append(Problem(read.file, f"{len(rows):,} dates are after today "
                               f"({today.isoformat()}), lines {lines}{more}: {later}",
                               column=column, value=read.columns[column][rows[0]].isoformat()))
    return out

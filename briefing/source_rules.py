"""Rules for ``reference/sources.csv``: every source a reader can cite.

The constraints a single cell carries come from the schema and are checked with every other
cell (:mod:`briefing.constraints`): an http(s) address, an ISO date, a non-empty title, a
``kind`` from :data:`briefing.schema.SOURCE_KINDS`. What a cell's type cannot say is checked
here, once the table is typed (like the rules of :mod:`briefing.rules`):

* :func:`check_sources` (errors): a title that is a curator's note rather than the source's
  title; an address with no host name.
* :func:`source_warnings` (warnings, the dataset still loads): an address on a known weak
  domain (:data:`briefing.schema.WEAK_DOMAINS`), a source with no address, date (a reference
  work updated continuously may have none) or kind, a title that looks cut short.
  Incomplete sources are allowed while a dataset is being curated, but a reader cannot
  check them; the shipped data has none (its test requires no warnings).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import Problem
from .rules import Checked, TypedTable
from .schema import SOURCE_KINDS, WEAK_DOMAINS, C

#: Words that mark a title as a curator's note (compared in lower case). Such a note belongs
#: in the ``note`` column; the reader sees the title in the sources table.
CURATION_MARKERS: tuple[str, ...] = ("title not given", "facts sheet", "from the url",
                                     "from the address", "title unknown")

#: Kinds of source that may have no single date: a reference work updated continuously
#: (its edition goes in ``note``).
UNDATED_KINDS: tuple[str, ...] = ("reference_work",)

#: Endings of a title that was cut short when it was copied.
TRUNCATION_MARKS: tuple[str, ...] = ("…", "...")


def weak_domain(url: str | None) -> str | None:
    """The entry of :data:`WEAK_DOMAINS` that ``url``'s host is, or is a subdomain of."""
    host = _host(url)
    if not host:
        return None
    for domain in WEAK_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. an invalid IPv6 literal
        return ""


def _rows(data: Checked):
    """(table, row index, title, url, date, kind) of every sources row; nothing when the
    table could not be read."""
    read = data.tables.get("sources")
    if read is None:
        return
    cols = read.columns
    for j, row in enumerate(zip(cols[C.TITLE], cols[C.URL], cols[C.DATE], cols[C.KIND],
                                strict=True)):
        yield (read, j, *row)


def _problem(read: TypedTable, j: int, column: str, message: str, value: str | None,
             expected: str) -> Problem:
    return Problem(read.file, message, line=read.line(j, column), column=column, value=value,
                   expected=expected)


def check_sources(data: Checked) -> list[Problem]:
    """Errors: a title that reads as a curation note; an address without a host name."""
    problems: list[Problem] = []
    for read, j, title, url, _date, _kind in _rows(data):
        if title and any(m in title.lower() for m in CURATION_MARKERS):
            problems.append(_problem(
                read, j, C.TITLE, "title reads as a curator's note, not the source's title",
                title, "the title as published; put the note in the note column"))
        if url and (j, C.URL) not in read.invalid and "." not in _host(url):
            problems.append(_problem(read, j, C.URL, "address has no host name", url,
                                     "a full address such as https://www.example.org/page"))
    return problems


def source_warnings(data: Checked) -> list[Problem]:
    """Warnings: a weak domain; no address, date or kind; a title that looks cut short."""
    out: list[Problem] = []
    kinds = ", ".join(SOURCE_KINDS)
    for read, j, title, url, date, kind in _rows(data):
        domain = weak_domain(url)
        if domain:
            out.append(_problem(
                read, j, C.URL, f"address is on {domain}, {WEAK_DOMAINS[domain]}", url,
                "the original publisher's page, or a second, decent source"))
        if url is None and (j, C.URL) not in read.invalid:
            out.append(_problem(read, j, C.URL, "source has no address: a reader cannot "
                                "look it up", "", "the http(s) address of the page"))
        if date is None and (j, C.DATE) not in read.invalid and kind not in UNDATED_KINDS:
            out.append(_problem(read, j, C.DATE, "source has no date", "",
                                "the publication date, or a reference work's edition date"))
        if kind is None and (j, C.KIND) not in read.invalid:
            out.append(_problem(read, j, C.KIND, "source has no kind", "", f"one of {kinds}"))
        if title and title.rstrip().endswith(TRUNCATION_MARKS):
            out.append(_problem(read, j, C.TITLE, "title looks cut short", title,
                                "the full title as published"))
    return out

"""``python -m briefing draft ARTICLE.txt --out DIR``: a first, complete data directory.

Curating an article by hand is the expensive step. The draft does the mechanical part —
claims with verbatim evidence and offsets, speakers, countries as ISO codes, organisations
and their members, every amount with its precision — and marks every row for review
(``review`` column, ``review.html``). Rule-based and deterministic: the same text gives
the same bytes; no model and no download.

One module per job: :mod:`.text` (read, refuse), :mod:`.claims` (sentences, clauses, type,
topic), :mod:`.speakers` (attribution), :mod:`.countries`, :mod:`.organisations` (and
members), :mod:`.money`, :mod:`.assemble` (rows and review points), :mod:`.review` (page,
README) and :mod:`.write` (atomic folder).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .. import schema
from ..constraints import convert_date
from ..errors import ParameterError
from ..schema import ARTICLE_META, TABLES
from . import assemble, review
from .claims import MIN_WORDS, draft_claims, sentences
from .countries import CountryIndex
from .money import find_amounts, find_unstated
from .organisations import find_members, find_organisations, unexpanded_acronyms
from .speakers import Attributor, People
from .text import Article, read_article
from .write import check_target, csv_text, json_text, write_folder

#: article.json needs a date; an undated text gets this one, flagged for review.
PLACEHOLDER_DATE = "1970-01-01"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")


@dataclass(frozen=True)
class Drafted:
    out: Path
    counts: dict[str, int]

    @property
    def summary(self) -> str:
        shown = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"wrote {self.out} ({shown}); open {self.out / 'review.html'} to review it"


def _options(published: str | None) -> None:
    if published is not None:
        try:
            convert_date(published)
        except ValueError:
            raise ParameterError(f"--published: not a date (got {published!r}; expected "
                                 "YYYY-MM-DD, e.g. 2021-09-17)") from None


def date_in_text(text: str) -> str:
    """The first full date the text states (17 September 2021, September 17, 2021,
    2021-09-17) as YYYY-MM-DD, or ""."""
    import datetime as dt

    months = {m: k for k, m in enumerate(_MONTHS.split("|"), 1)}
    for match in re.finditer(rf"\b(?:(\d{{1,2}}) ({_MONTHS}),? (\d{{4}})|({_MONTHS}) "
                             rf"(\d{{1,2}}),? (\d{{4}})|(\d{{4}})-(\d{{2}})-(\d{{2}}))\b", text):
        g = match.groups()
        try:
            if g[0]:
                return dt.date(int(g[2]), months[g[1]], int(g[0])).isoformat()
            if g[3]:
                return dt.date(int(g[5]), months[g[3]], int(g[4])).isoformat()
            return dt.date(int(g[6]), int(g[7]), int(g[8])).isoformat()
        except ValueError:
            continue
    return ""


def language_of(text: str) -> str:
    """en-GB or en-US from spelling where it tells (organisation/organization …), else en."""
    british = len(re.findall(r"(?i)\b\w+is(?:e|ed|ing|ation)s?\b|colour|favour|labour|"
                             r"centre|defence|co-operation", text))
    american = len(re.findall(r"(?i)\b\w+iz(?:e|ed|ing|ation)s?\b|\bcolor|favor|labor|"
                              r"center|defense", text))
    return "en-GB" if british > american else "en-US" if american > british else "en"


def article_meta(article: Article, subject: str, title: str | None, outlet: str | None,
                 published: str | None) -> dict:
    """article.json: the schema's keys only (the briefing reads no other), with what was
    guessed listed under ``review``."""
    notes = []
    if title is None:
        title = article.headline or "[title not given]"
        notes.append("title: " + ("the text's first line" if article.headline else
                                  "not given (--title)"))
    if outlet is None:
        outlet = "[outlet not given]"
        notes.append("outlet: not given (--outlet)")
    if published is None:
        published = date_in_text(article.text)
        notes.append("published: " + ("the first date in the text" if published else
                                      "not given (--published)"))
    notes += ["event_date: " + ("set to the publication date" if published else
                                f"{PLACEHOLDER_DATE} is a placeholder"),
              "language: guessed from spelling",
              "subject_country_code: of the states the headline names, the one the "
              "text names most often"]
    meta = {"title": title, "outlet": outlet, "republished_by": "",
            "published": published or PLACEHOLDER_DATE,
            "event_date": published or PLACEHOLDER_DATE, "language": language_of(article.text),
            "subject_country_code": subject, "review": "draft: check " + "; ".join(notes)}
    if not published and "published" in schema.ARTICLE_META_OPTIONAL:
        del meta["published"]  # an undated text: the key is left out, as the schema allows
    if not subject and "subject_country_code" in schema.ARTICLE_META_OPTIONAL:
        del meta["subject_country_code"]
    return {k: meta[k] for k in sorted(meta)}


def draft(article_path: Path, out: Path, *, title: str | None = None,
          outlet: str | None = None, published: str | None = None,
          force: bool = False) -> Drafted:
    """Draft a data directory from ``article_path`` into ``out``; ParameterError (exit 2)
    for bad input, an occupied ``out`` (without ``force``) or a folder that cannot be
    written."""
    _options(published)
    check_target(Path(out), force)  # fail before the work, not after
    article = read_article(Path(article_path))
    text = article.text
    countries = CountryIndex(text)
    organisations = find_organisations(text, countries)
    people = People(text, countries, [span for o in organisations for span in o.spans])
    paragraphs = sentences(text, article.paragraphs)
    claims, short = draft_claims(text, paragraphs, Attributor(text, people))
    if not claims:
        raise ParameterError(f"{article_path}: no sentence of four words or more to draft a "
                             "claim from (expected an article in English)")
    flat = [span for spans in paragraphs for span in spans]
    body = flat[0][0]
    members = find_members(text, flat, countries, organisations)
    states = [(m.start, m.code) for m in countries.mentions]
    amounts = [a for a in find_amounts(text, states) if a.start >= body]
    currencies = Counter(a.currency for a in amounts)  # a tie: the currency stated first
    currency = max(currencies, key=currencies.__getitem__) if currencies else "USD"
    amounts += find_unstated(text, flat, amounts, currency)
    subject = subject_country(countries, article.headline if title is None else title)

    claim_rows, claim_items = assemble.claim_rows(text, claims, countries, organisations,
                                                  members, amounts, people.alias)
    claim_for = assemble.ClaimIndex(claims)
    org_rows, org_items = assemble.organisation_rows(organisations, claim_for, members)
    member_rows, member_items = assemble.member_rows(members, claim_for)
    money_rows, money_items = assemble.money_rows(text, amounts, claim_for, countries, subject)
    used = {r["from_code"] for r in money_rows} | {r["to_code"] for r in money_rows}
    used |= {r["lead_country_code"] for r in org_rows} | {subject}
    country_rows, country_items = assemble.country_rows(countries, sorted(used - {""}))
    meta = article_meta(article, subject, title, outlet, published)

    items = [assemble.Item("Article details", 2, "article.json", note.split(":")[0],
                           note.split(":", 1)[1].strip())
             for note in meta["review"].removeprefix("draft: check ").split("; ")]
    items += money_items + member_items + org_items + claim_items + country_items
    items += [assemble.Item("Not drafted", 1, "article.txt", f"{acronym}: an acronym",
                            "not spelled out in the article: add an organisations row if "
                            "it is one") for acronym in
              unexpanded_acronyms(text, organisations, countries)]
    items += [assemble.Item("Not drafted", 1, f"article.txt at {start}",
                            f"“{text[start:end]}”", f"fewer than {MIN_WORDS} words and not a "
                            "quotation with a speaker: add a claim by hand if it states "
                            "something") for start, end in short]
    tables = {"claims": claim_rows, "countries": country_rows, "organisations": org_rows,
              "members": member_rows, "money": money_rows}
    counts = {name: len(rows) for name, rows in tables.items()}
    files = {name: csv_text(name, tables.get(name, [])).encode("utf-8")
             for name, table in TABLES.items()
             if name in tables or not table.optional}
    files = {TABLES[name].path: data for name, data in files.items()}
    files["article.txt"] = article.raw
    files["article.json"] = json_text({k: meta[k] for k in meta
                                       if k in ARTICLE_META or k == "review"}
                                      ).encode("utf-8")
    files["review.html"] = review.review_page(meta, counts, items).encode("utf-8")
    files["README.md"] = review.readme(meta, counts, Path(article_path).name).encode("utf-8")
    write_folder(Path(out), files, force)
    return Drafted(Path(out), counts)


def subject_country(countries: CountryIndex, title: str) -> str:
    """Of the states the headline names (or, if it names none, of all), the one the text
    names most often by name; demonyms and capitals count half ("Moscow's stance" is about
    Russia's view of another state). A tie goes to the state named first."""
    in_title = {m.code for m in CountryIndex(title).mentions} if title else set()
    score: dict[str, float] = {}
    for mention in countries.mentions:
        if in_title and mention.code not in in_title:
            continue
        weight = 1.0 if mention.kind in ("name", "short_name") else 0.5
        score[mention.code] = score.get(mention.code, 0.0) + weight
    return max(score, key=score.__getitem__) if score else ""

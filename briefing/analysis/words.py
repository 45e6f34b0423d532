"""The pieces of a sentence that depend on the data: labels, counts, lists, articles.

The templates write the prose; these helpers give them what a template cannot know: a
schema code as a reader should see it (``weapons_crime`` -> "Weapons and crime"), whether
an organisation takes "the" ("the SCO" but "NATO"), the possessive of a name ("the United
States'"), a count in words at the start of a sentence, a list joined with "and".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from ..schema import EVIDENCE_ID

# Readable labels for schema codes whose words read badly when only de-underscored.
_LABELS = {
    "security_cooperation": "Security co-operation",
    "aid_economy": "Aid and economy",
    "assets_finance": "Assets and finance",
    "weapons_crime": "Weapons and crime",
    "change_of_power": "Change of power",
    "humanitarian": "Humanitarian needs",
    "domestic_politics": "Domestic politics",
    "regional_influence": "Regional influence",
    "dialogue_partner": "Dialogue partner",
    "participation_frozen": "Member (participation frozen)",
    "not_verified": "Not verified",
    "not_stated": "Not stated",
    "order_of_magnitude": "Order of magnitude",
    "lower_bound": "Lower bound",
    "almost_no_chance": "Almost no chance",
    "very_unlikely": "Very unlikely",
    "roughly_even_chance": "Roughly even chance",
    "very_likely": "Very likely",
    "almost_certain": "Almost certain",
}


def label(code: object) -> str:
    """A schema code as a reader should see it: ``weapons_crime`` -> ``Weapons and crime``."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    text = str(code)
    if text in _LABELS:
        return _LABELS[text]
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


def lower_label(code: object) -> str:
    """The label inside a sentence: ``dialogue_partner`` -> ``dialogue partner``."""
    text = label(code)
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def items(value: object) -> tuple[str, ...]:
    """The items of a list cell: a tuple (as loaded), a ';'-separated string, or empty."""
    if value is None:
        return ()
    if isinstance(value, float) and math.isnan(value):
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v is not None and str(v) != "")
    return (str(value),)


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve")


def count_word(n: int, capital: bool = False) -> str:
    """A small count in words (``4`` -> ``four``); 13 and up stay digits, grouped by
    thousands (``4,992``)."""
    word = _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"
    return word[:1].upper() + word[1:] if capital else word


def how_many(k: int, n: int) -> str:
    """How many of ``n`` a sentence says ``k`` are, before its verb: ``none`` (``neither``
    of two), ``only four`` (fewer than half), else the count (``six``)."""
    if not k:
        return "neither" if n == 2 else "none"
    return ("only " if k * 2 < n else "") + count_word(k)


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``1, 'figure'`` -> ``figure``; ``2, 'figure'`` -> ``figures``."""
    return singular if n == 1 else (many or singular + "s")


def join_names(names: Sequence[str], conj: str = "and") -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    # a serial comma where an item has its own "and": "assets and finance, and weapons"
    serial = "," if len(names) > 2 and any(f" {conj} " in n for n in names) else ""
    return f"{', '.join(names[:-1])}{serial} {conj} {names[-1]}"


# Country names that take "the" in running text.
_THE_WORDS = ("United ", "Republic", "Islands", "Kingdom", "Emirates", "Federation")
_THE_NAMES = {"Netherlands", "Philippines", "Maldives", "Bahamas", "Gambia", "Comoros",
              "Seychelles", "Holy See", "Vatican"}


def the_country(name: str) -> str:
    """A country's name as it reads in a sentence: ``United States`` -> ``the United
    States``; most names take no article."""
    name = str(name)
    if name in _THE_NAMES or any(w in name for w in _THE_WORDS):
        return f"the {name}"
    return name


def possessive(name: str) -> str:
    """``Russia`` -> ``Russia’s``; ``the United States`` -> ``the United States’`` (the
    typographic apostrophe, as the data's prose has it)."""
    name = str(name)
    return name + ("’" if name.endswith("s") else "’s")


_VOWELS = set("AEIOU")


def _said_as_a_word(code: str) -> bool:
    """An acronym read as a word (NATO, COMESA, ASEAN) takes no article; an initialism
    (SCO, CSTO, EAC) does. Letters only, four or more, two vowels, no two consonants
    together."""
    if not code.isalpha() or len(code) < 4:
        return False
    letters = code.upper()
    if sum(ch in _VOWELS for ch in letters) < 2:
        return False
    return not any(a not in _VOWELS and b not in _VOWELS for a, b in zip(letters, letters[1:],
                                                                          strict=False))


def takes_article(code: str, text: str = "") -> bool:
    """Whether an organisation's code reads with "the": as the article itself writes it
    when it uses the code, else by the way the code is said."""
    pattern = re.escape(code)
    total = len(re.findall(rf"(?<![\w]){pattern}(?![\w])", text))
    if total:
        with_the = len(re.findall(rf"\bthe\s+{pattern}(?![\w])", text, re.I))
        return with_the * 2 >= total
    return not _said_as_a_word(code)


def sorted_refs(refs: Iterable[str]) -> list[str]:
    """Evidence ids de-duplicated, judgements, claims, then sources, each in number order."""
    order = {"J": 0, "C": 1, "S": 2}
    unique = {str(r) for r in refs if r and not (isinstance(r, float) and math.isnan(r))}
    return sorted(unique, key=lambda r: (order.get(r[:1], 3), *ref_key(r)))


def ref_key(ref: str) -> tuple[str, int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (ref[:1], int(digits) if digits else 0, ref)


def to_date(value) -> dt.date | None:
    """A date from a cell: ``datetime.date``, a pandas timestamp, ISO text, or None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    return dt.date.fromisoformat(text) if text else None


def day(value) -> str:
    """A date as a reader reads it: ``2021-09-17`` -> ``17 Sep 2021`` ('' when none)."""
    date = to_date(value)
    return f"{date.day} {date:%b %Y}" if date else ""


#: A day as the ``day`` filter writes it ('3 Jul 2025'), in the data's prose
_DAY = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})\b")


def unbroken(value):
    """``value`` with each day in it ('3 Jul 2025') made one word (no-break spaces), as the
    ``day`` filter writes the briefing's own dates; anything but text unchanged."""
    return _DAY.sub("\\1\u00a0\\2\u00a0\\3", value) if isinstance(value, str) else value


def km(value) -> str:
    """A length as a reader reads it, never broken from its unit: ``1357`` -> ``1,357 km``
    (a no-break space)."""
    return f"{float(value):,.0f}\u00a0km"


def without_asides(text: str, longer_than: int = 90) -> str:
    """A long label without its parenthetical asides, except those that date it (a year):
    "UN flash appeal (11 million people), launched ..." -> "UN flash appeal, launched ..."."""
    if len(text) <= longer_than:
        return text
    out = re.sub(r"\s*\((?![^()]*\b(?:19|20)\d\d\b)[^()]*\)", "", text)
    return re.sub(r"\s+([,;.])", r"\1", out).strip()


def first_clause(text: str) -> str:
    """A description up to its first top-level ';' or ':' (never inside parentheses or
    quotes), without a final full stop: the label of a row, never cut mid-word."""
    depth, quote = 0, False
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "'" and (i == 0 or not text[i - 1].isalnum()):
            quote = True
        elif ch == "'" and quote and (i + 1 == len(text) or not text[i + 1].isalnum()):
            quote = False
        elif ch in ";:" and depth == 0 and not quote and i > 15:
            return text[:i].rstrip(" .")
    return text.strip().rstrip(" .")


def after_label(text: str) -> str:
    """What a description says after its label (:func:`first_clause`), without the ';' or
    ':' that ends the label and the final full stop: "Circulated figure ...: circulated in
    Aug–Sep 2021; not supported ..." -> "circulated in Aug–Sep 2021; not supported ..."
    ('' when the description is its label)."""
    text = str(text).strip()
    rest = text[len(first_clause(text)):].lstrip(" .;:")
    return rest.strip().rstrip(" .")


#: Where a label says a part of a sum is held: "Share of the reserves held at the New York
#: Fed" -> "held at the New York Fed".
_HELD = re.compile(r"\b(held (?:at|by|in) .+)$")


def held_where(label: str) -> str:
    """Where a label says its sum is held ("held at the New York Fed"), else ''."""
    found = _HELD.search(str(label).strip())
    return found.group(1).strip() if found else ""


class Piece(str):
    """A piece of a running text: an evidence id (``is_id``) or the text between ids."""

    is_id: bool = False

    @property
    def text(self) -> str:
        return str(self)


def split_ids(text: str) -> list[Piece]:
    """``'as the sources say (S16, S26).'`` -> pieces, the ids marked, so that a template
    can make each id a link and escape the rest."""
    out: list[Piece] = []
    for i, part in enumerate(EVIDENCE_ID.split(str(text))):
        if part:
            piece = Piece(part)
            piece.is_id = i % 2 == 1
            out.append(piece)
    return out


#: First words of a label that are common nouns or adjectives, read after "the".
_COMMON_STARTS = {"economic", "value", "pledges", "total", "gross", "share", "emergency",
                  "reconstruction", "cost", "estimated", "amount", "money", "aid", "reserves",
                  "assets", "equipment", "weapons", "arms", "damage", "funds", "loans",
                  "humanitarian", "circulated", "reported", "claimed"}


def as_noun(text: str) -> str:
    """A row's label as a noun phrase in a sentence: "Economic aid China has said ..." ->
    "the economic aid China has said ..."; "UN flash appeal ..." -> "the UN flash appeal
    ..."; a label that starts with a possessive ("China's emergency aid") stays as it is."""
    text = str(text).strip()
    first = text.split(" ", 1)[0]
    if first.endswith(("'s", "’s")) or first.lower() == "the":
        return text
    if first.lower() in _COMMON_STARTS:
        return "the " + text[:1].lower() + text[1:]
    return "the " + text


def evidence_pair(claim: str, source: str) -> tuple[str, ...]:
    """A row's evidence: its claim and its source, whichever it has."""
    return tuple(r for r in (claim, source) if r and isinstance(r, str))


#: Words that open a name as a title, never the part of it used alone.
TITLES = frozenset(("President", "Prime", "Minister", "Premier", "Chancellor", "Secretary",
                    "Foreign", "General", "King", "Queen", "Prince", "Princess", "Emir",
                    "Sheikh", "Sir", "Dame", "Dr", "Mr", "Mrs", "Ms", "Lord", "Lady"))


def short_name(name: str, texts: Iterable[str], others: Sequence[str] = ()) -> str:
    """The part of a person's name the texts use alone ("Vladimir Putin" -> "Putin", "Xi
    Jinping" -> "Xi": its first or its last word, titles aside, whichever they use more
    often outside the full name), for a mention after the first; the full name when they
    never use one alone, or when that word is also part of one of ``others`` (another
    speaker's name), or both are used alone equally often."""
    words_ = [w for w in str(name).split() if w.strip(".") not in TITLES]
    if len(words_) < 2:
        return str(name)
    text = " ".join(str(t) for t in texts)
    full = len(re.findall(rf"\b{re.escape(str(name))}\b", text))
    taken = {w for other in others for w in str(other).split()}
    counts = {w: len(re.findall(rf"\b{re.escape(w)}\b", text)) - full
              for w in dict.fromkeys((words_[0], words_[-1]))
              if w[:1].isupper() and w not in taken}
    ranked = sorted(counts.values(), reverse=True) + [0, 0]
    if ranked[0] <= 0 or ranked[0] == ranked[1]:
        return str(name)  # never used alone, or two of its words as often: no guess
    return next(w for w, n in counts.items() if n == ranked[0])

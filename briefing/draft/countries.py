"""Which states an article names: by name, short name, demonym, or a capital standing for it.

Names come from pycountry (ISO 3166-1, territories left out) plus ``names.csv`` beside this
module: the short names, demonyms, capitals and seats of government ("the Kremlin") that
ISO does not list, and regions that must not be read as a state ("Central Asian",
"Latin America"). Matching is case-sensitive and longest-first, so "Kazakhstan" is never
"Kazakh" and "South Africa" is never "Africa".

A capital counts as its state only where it plainly stands for it: "Moscow's rhetoric",
"Beijing has expressed", "Tokyo would provide". "In Dushanbe" or "into Kabul" is a place;
such places are kept apart (:attr:`CountryIndex.places`) for the review page to ask about.
A capital that seats an international body its paragraph names ("Brussels would put up
€1.5bn" next to the European Commission) stands for that body, not the state
(:attr:`CountryIndex.seats`), and is listed for review too.
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

NAMES_FILE = Path(__file__).with_name("names.csv")

# ISO 3166-1 entries that are territories, not states: never drafted as a country.
TERRITORIES = frozenset(
    "ABW AIA ALA ASM ATA ATF BES BLM BMU BVT CCK COK CUW CXR CYM ESH FLK FRO GGY GIB GLP "
    "GRL GUF GUM HKG HMD IMN IOT JEY MAC MAF MNP MSR MTQ MYT NCL NFK NIU PCN PRI PYF REU SGS "
    "SHN SJM SPM SXM TCA TKL UMI VGB VIR WLF".split())
# ISO names too ambiguous to read as one state ("Congo": which of the two?).
AMBIGUOUS = frozenset({"Congo"})

# A place, not the state: "in Kabul", "the streets of Moscow".
_PLACE_WORDS = frozenset("in into at from to near outside inside via around across through "
                         "towards toward of visited visiting reached left".split())
# Words after a capital that make it the actor: "Moscow has", "Beijing would", "Tokyo said".
_ACTOR_WORDS = frozenset("has have had is are was were will would could can may might must "
                         "should shall did does do also says say said wants hopes fears sees "
                         "insists believes expects claims plans seeks appears remains "
                         "government authorities regime administration".split())
# Capitals that seat an international body: where the paragraph names that body (and not
# the state itself), "Brussels would put up €1.5bn" is the EU speaking, not Belgium.
SEATS = {
    "Brussels": r"\bEU\b|European (?:Union|Commission|Council|Parliament)|\bNATO\b|"
                r"North Atlantic Treaty",
    "Addis Ababa": r"African Union|\bAU\b",
    "Jakarta": r"\bASEAN\b|Association of Southeast Asian Nations",
    "Abuja": r"\bECOWAS\b|Economic Community of West African States",
    "Gaborone": r"\bSADC\b|Southern African Development Community",
    "Vienna": r"\bOPEC\b|\bIAEA\b|\bOSCE\b",
}
_POSSESSIVE = re.compile(r"[’']s?(?!\w)")
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Mention:
    """One state named in the text at ``start:end`` (code ``""`` for a non-state region)."""

    start: int
    end: int
    code: str
    kind: str  # name, short_name, demonym, capital, seat, not_a_state
    text: str


@functools.lru_cache(maxsize=1)
def name_table() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """``{surface text: (code, kind)}`` and ``{code: canonical short name}``."""
    import pycountry

    surface: dict[str, tuple[str, str]] = {}
    canonical: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        if code in TERRITORIES:
            continue
        common = getattr(country, "common_name", "")
        official = getattr(country, "official_name", "")
        plain = country.name if not re.search(r"[,(]", country.name) else ""
        canonical[code] = common or plain or country.name.split(",")[0]
        for text in (country.name, common, official):
            text = re.sub(r"^the ", "", text or "")
            if text and not re.search(r"[,(]", text) and text not in AMBIGUOUS:
                surface.setdefault(text, (code, "name"))
    with NAMES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, kind, text = row["code"], row["kind"], row["text"]
            if kind == "short_name":
                canonical[code] = text
            surface[text] = (code, kind)
            if kind == "demonym" and not re.search(r"(s|sh|ch|ese|z)$", text):
                surface.setdefault(text + "s", (code, kind))  # "Afghans", "Tajiks"
    return surface, canonical


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    surface, _ = name_table()
    names = sorted(surface, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def canonical_name(code: str) -> str:
    return name_table()[1].get(code, code)


def _words_before(text: str, start: int, count: int = 2) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(0, start - 40):start])][-count:]


def _word_after(text: str, end: int) -> str:
    match = _WORD.match(text, end + len(text[end:]) - len(text[end:].lstrip()))
    return match.group(0).lower() if match else ""


def _coordinated(text: str, raw: list[Mention], i: int) -> tuple[int, int]:
    """The run of mentions joined as a list around ``raw[i]`` ("A, B and C"): first, last.

    A comma alone is not a list ("in Maputo, Japan's minister"): the run counts only when
    an "and" joins two of its names.
    """
    def joined(j: int) -> str:
        gap = text[raw[j].end:raw[j + 1].start]
        return gap if re.fullmatch(r",? and |, ", gap) else ""

    first = last = i
    while first > 0 and joined(first - 1):
        first -= 1
    while last + 1 < len(raw) and joined(last):
        last += 1
    if not any("and" in joined(j) for j in range(first, last)):
        return i, i
    return first, last


class CountryIndex:
    """Every state mention of ``text``, with look-ups by span."""

    def __init__(self, text: str):
        surface, _ = name_table()
        found = [Mention(m.start(), m.end(), *surface[m.group(0)], m.group(0))
                 for m in _pattern().finditer(text)]
        raw = [m for m in found if m.code]  # a region ("Central Asia") only blocks a match
        self.regions = [m for m in found if not m.code]
        self.text = text
        self.places: list[Mention] = []
        self.mentions: list[Mention] = []
        self.seats: list[tuple[Mention, str]] = []  # (capital, the body it stands for)
        for i, mention in enumerate(raw):
            if mention.kind == "capital" and not self._stands_for_state(raw, i):
                self.places.append(mention)
            elif mention.kind == "capital" and self._seated_body(raw, mention):
                self.seats.append((mention, self._seated_body(raw, mention)))
            else:
                self.mentions.append(mention)
        self._starts = [m.start for m in self.mentions]
        self._by_start = {m.start: m for m in self.mentions}

    def _stands_for_state(self, raw: list[Mention], i: int) -> bool:
        """A capital is the state when it acts or owns, not when it is where things happen.

        Coordinated names ("Beijing and Moscow's concern") are judged together: the words
        before the first and after the last decide.
        """
        text = self.text
        first, last = _coordinated(text, raw, i)
        if any(_POSSESSIVE.match(text, raw[j].end) for j in range(first, last + 1)):
            return True  # "of Moscow's rhetoric" is still Moscow's
        before = _words_before(text, raw[first].start)
        if before and before[-1] in _PLACE_WORDS:
            return False
        after = text[raw[last].end:raw[last].end + 12]
        if re.match(r"-(?:led|backed|brokered|allied|friendly)\b", after):
            return True
        word = _word_after(text, raw[last].end)
        if word == "also":
            word = _word_after(text, raw[last].end + text[raw[last].end:].find("also") + 4)
        return word in _ACTOR_WORDS or (word.endswith("ed") and len(word) > 4
                                        and not after.startswith(","))

    def _seated_body(self, raw: list[Mention], mention: Mention) -> str:
        """The international body a seat capital stands for: one its paragraph names while
        not naming the state itself by name; else ""."""
        if mention.text not in SEATS:
            return ""
        text = self.text
        start = text.rfind("\n\n", 0, mention.start) + 1
        end = text.find("\n\n", mention.end)
        end = len(text) if end < 0 else end
        if any(m.code == mention.code and m.kind != "capital" and start <= m.start < end
               for m in raw):
            return ""
        body = re.search(SEATS[mention.text], text[start:end])
        return body.group(0) if body else ""

    def seats_between(self, start: int, end: int) -> list[tuple[Mention, str]]:
        """The seat capitals read as a body (:attr:`seats`) inside ``start:end``."""
        return [(m, body) for m, body in self.seats if start <= m.start < end]

    def codes_in(self, start: int, end: int) -> list[str]:
        """Codes of the states named inside ``start:end``, in order of first mention."""
        return list(dict.fromkeys(m.code for m in self.between(start, end) if m.end <= end))

    def between(self, start: int, end: int) -> list[Mention]:
        """The mentions that start inside ``start:end``, in order."""
        return self.mentions[bisect.bisect_left(self._starts, start):
                             bisect.bisect_left(self._starts, end)]

    def at(self, start: int) -> Mention | None:
        return self._by_start.get(start)

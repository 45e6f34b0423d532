"""Organisations an article names, and the memberships its lists state.

An organisation is a capitalised name with a head word ("… Organisation", "… Community",
"… Market for …"); its code is the acronym the article pairs with it ("Shanghai Cooperation
Organisation (SCO)", or "SCO" used elsewhere when its letters spell the name), else the
name's initials; a common noun that only opens the sentence ("Leaders of the African
Union") is not part of the name. Members come from list patterns ("The CSTO includes A, B
and C", "The East African Community (EAC), which also includes …", "the eight members of
X, A, B …", "begun the process of admitting D", "E and F have joined as discussion
partners") and are always drafted as low confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..schema import MEMBERSHIP_STATUSES, ORGANISATION_KINDS
from .countries import CountryIndex

HEADS = ("Organisation|Organization|Community|Union|Alliance|Association|Council|Bank|Fund|"
         "Forum|Market|Agency|Commission|League|Pact|Federation|Conference|Court|Secretariat|"
         "Parliament|Assembly|Programme|Institute|Partnership|Network|Bloc|Group")
_CONNECTORS = frozenset({"of", "for", "and", "on", "de", "the"})
_TOKEN = re.compile(r"[A-Z][\w’'-]*|of|for|and|on|de|the")
_ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,7}(?![\w-])")
_NUMBERS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten "
                                       "eleven twelve thirteen fourteen fifteen sixteen "
                                       "seventeen eighteen nineteen twenty".split())}


@dataclass
class Organisation:
    code: str
    name: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # every mention
    full_at: int = -1  # first mention of the full name
    kind: str = "other"
    lead: str = ""
    description: str = ""
    stated_members: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Membership:
    organisation: str
    code: str
    status: str
    start: int  # the list's span, for the claim that states it
    end: int
    cue: str


def _words(name: str) -> list[str]:
    out = []
    for word in name.split():
        if word in _CONNECTORS:
            continue
        out += [p for p in word.split("-") if p[:1].isupper()]
    return out


def abbreviates(acronym: str, name: str) -> bool:
    """True when each word of ``name`` (connectors aside) gives ``acronym`` a prefix of one
    to three letters, in order: SCO, CSTO, COMESA (COmmon Market … Eastern … Southern Africa)."""
    words = [w.upper() for w in _words(name)]

    def fits(rest: str, k: int) -> bool:
        if k == len(words):
            return not rest
        return any(rest[:n] == words[k][:n] and fits(rest[n:], k + 1)
                   for n in range(1, min(3, len(rest)) + 1))

    return len(words) >= 2 and fits(acronym, 0)


def _names(text: str, countries: CountryIndex) -> list[tuple[int, int]]:
    """Spans of capitalised names that contain a head word ("… Organisation")."""
    states = {m.start: m.end for m in countries.mentions}
    regions = [(m.start, m.end) for m in countries.regions]  # "Soviet Union" is no body
    out = []
    for run in re.finditer(r"[A-Z][\w’'-]*(?:[ ](?:[A-Z][\w’'-]*|of|for|and|on|de|the))*", text):
        tokens = [(m.start() + run.start(), m.group(0)) for m in _TOKEN.finditer(run.group(0))]
        cut = []
        for k, (_, token) in enumerate(tokens):  # "World Bank and IMF": two names
            if token == "and" and k and re.fullmatch(HEADS + "|[A-Z0-9]+", tokens[k - 1][1]):
                cut.append(k)
        for piece in _split(tokens, cut):
            while piece and (piece[0][1].lower() in _CONNECTORS or piece[0][0] in states
                             or re.search(r"-(?:led|backed)$", piece[0][1])
                             or _common_opening(text, piece)):
                piece = piece[1:]
            while piece and piece[-1][1] in _CONNECTORS:
                piece = piece[:-1]
            if len(piece) >= 2 and any(re.fullmatch(HEADS, t) for _, t in piece):
                span = (piece[0][0], piece[-1][0] + len(piece[-1][1]))
                if not any(a < span[1] and span[0] < b for a, b in regions):
                    out.append(span)
    return out


def _common_opening(text: str, piece: list[tuple[int, str]]) -> bool:
    """A common noun capitalised only because it opens the sentence, before "of"/"for":
    "Leaders of the African Union" names the African Union, not a body "LAU". A head word
    ("Bank of England", "Council of Europe") is kept."""
    if len(piece) < 3 or piece[1][1] not in _CONNECTORS or re.fullmatch(HEADS, piece[0][1]):
        return False
    start, word = piece[0]
    if not re.search(r"(?:^|[.!?][\"”’)]?\s+|\n\s*)$", text[max(0, start - 4):start]):
        return False  # inside a sentence, a capital belongs to the name
    return bool(re.search(r"[^s]s$", word)) or bool(re.search(
        rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text))


def _split(tokens: list, cuts: list[int]) -> list[list]:
    pieces, last = [], 0
    for k in cuts:
        pieces.append(tokens[last:k])
        last = k + 1
    return pieces + [tokens[last:]]


def _initials(name: str) -> str:
    code = "".join(w[0] for w in _words(name)).upper()
    return code[:10] if len(code) >= 2 else (name[:3].upper() + "X")[:3]


def find_organisations(text: str, countries: CountryIndex) -> list[Organisation]:
    """Every organisation named, in order of first mention, with all its mentions."""
    found: dict[str, Organisation] = {}
    acronyms = {m.group(0) for m in _ACRONYM.finditer(text)}
    for start, end in _names(text, countries):
        name = text[start:end]
        paired = re.match(r"\s*\((?P<acr>[A-Z][A-Z0-9]{1,9})\)", text[end:])
        if paired:
            code = paired.group("acr")
        else:
            code = next((a for a in sorted(acronyms) if abbreviates(a, name)), "")
            code = code or _initials(name)
        org = found.get(code)
        if org is None:
            org = found[code] = Organisation(code, name, full_at=start)
            if not paired and code not in acronyms:
                org.notes.append(f"code {code} made from the initials of '{name}'")
        org.spans.append((start, end))
    for org in found.values():
        org.spans += [(m.start(), m.end()) for m in re.finditer(
            rf"(?<![\w-]){re.escape(org.code)}(?![\w-])", text)]
        org.spans.sort()
        _describe(org, text, countries)
    return sorted(found.values(), key=lambda o: o.full_at)


def unexpanded_acronyms(text: str, organisations: list[Organisation],
                        countries: CountryIndex) -> list[str]:
    """Acronyms the article uses without spelling them out ("IMF"): maybe organisations."""
    known = {o.code for o in organisations}
    states = {m.text for m in countries.mentions}
    return sorted({m.group(0) for m in _ACRONYM.finditer(text)} - known - states)


def _describe(org: Organisation, text: str, countries: CountryIndex) -> None:
    start = org.full_at
    end = start + len(org.name)
    lead = re.search(r"(?P<who>[\w’'-]+)-led\s+(?:the\s+)?$", text[max(0, start - 30):start])
    if lead:
        mention = countries.at(start - len(text[max(0, start - 30):start]) + lead.start())
        org.lead = mention.code if mention else ""
    after = re.match(r"\s*(?:\([A-Z0-9]+\))?\s*(?:—|–|,)\s*(?P<desc>(?:a|an)\s[^—–.;]+?)"
                     r"\s*(?=—|–|;|\.|$)", text[end:end + 300])
    org.description = after.group("desc") if after else ""
    words = f"{org.description} {org.name}".lower()
    for kind, cue in (("military_alliance", r"military|defen[cs]e|alliance|treaty"),
                      ("economic_union", r"econom|trade|market|customs|development"),
                      ("union", r"\bunion\b|community"),
                      ("political_security_forum", r"forum|security|political|cooperation"),
                      ("forum", r"forum|dialogue|summit")):
        if kind in ORGANISATION_KINDS and re.search(cue, words):
            org.kind = kind
            break
    sentence_end = text.find(".", end)
    window = text[max(0, text.rfind(".", 0, start)):sentence_end if sentence_end > 0 else None]
    count = re.search(r"\b(?P<n>\d+|" + "|".join(_NUMBERS) + r")(?:-member|\s+(?:member "
                      r"states|members|member countries))\b", window)
    if count:
        n = count.group("n")
        org.stated_members = int(n) if n.isdigit() else _NUMBERS[n]


def _status(*candidates: str) -> str:
    return next((c for c in candidates if c in MEMBERSHIP_STATUSES), "member")


_SEPARATOR = re.compile(r",\s+(?:and\s+)?|\s+and\s+|\s+as well as\s+|\s+plus\s+")


def read_list(text: str, countries: CountryIndex, at: int) -> tuple[list[str], int]:
    """Country codes listed from ``at`` ("China, Russia and India"); and where the list ends."""
    codes, end = [], at
    while True:
        mention = countries.at(at)
        if mention is None:
            return codes, end
        codes.append(mention.code)
        end = mention.end
        gap = _SEPARATOR.match(text, end)
        if not gap:
            return codes, end
        at = gap.end()
        if countries.at(at) is None and text.startswith("the ", at):
            at += 4  # "… and the Democratic Republic of the Congo"


# Between a name and its verb: "(EAC)", ", which", an adverb ("The EAC also includes").
_BEFORE_VERB = (r"(?:\s*\([A-Z][A-Z0-9]{1,9}\))?(?:,\s+(?:which|that)\b)?"
                r"(?:\s+(?:also|now|currently|still|already|today))?")
_PATTERNS = (  # (regex whose "list" group starts a country list, status candidates)
    (rf"(?P<org>ORG)(?:’s|'s)?{_BEFORE_VERB}\s+(?:includes?|comprises?|is composed of|"
     r"(?:is|are) made up of|consists? of|groups|brings together|members (?:are|include))"
     r"\s*:?\s+(?P<list>)", ("member",)),
    (r"members of (?:the )?(?P<org>ORG),?\s+(?:namely\s+|are\s+|include\s+)?(?P<list>)",
     ("member",)),
    (r"(?P<org>ORG),\s+of\s+(?P<list>)", ("member",)),
    (r"(?P<org>ORG)\s*(?:—|–|,)?\s*[^.;]{0,80}?of which\s+(?P<list>)", ("member",)),
    (r"(?:process of admitting|begun admitting|started admitting|the accession of|process of "
     r"accession for)\s+(?P<list>)", ("acceding", "applicant")),
    (r"(?<!\w)(?P<list>)(?=(?P<cue>[A-Z][^.;]{0,120}?\bjoined (?:(?:the )?(?P<org>ORG) )?as "
     r"(?:discussion|dialogue) partners?))", ("dialogue_partner", "partner")),
    (r"(?<!\w)(?P<list>)(?=(?P<cue>[A-Z][^.;]{0,80}?\b(?:has|have) (?:formally |also )?"
     r"applied (?:to join|for membership (?:of|in)) (?:the )?(?P<org>ORG)))",
     ("applicant", "acceding")),
    (r"(?<!\w)(?P<list>)(?=(?P<cue>[A-Z][^.;]{0,80}?\b(?:is|are|became|become) (?:an? )?"
     r"observers?\b))", ("observer", "partner")),
)


def find_members(text: str, sentences: list[tuple[int, int]], countries: CountryIndex,
                 organisations: list[Organisation]) -> list[Membership]:
    """Memberships from list patterns, sentence by sentence. The organisation of a list
    without one ("It has also begun …") is the last one named before it."""
    if not organisations:
        return []
    by_code = {o.code: o for o in organisations}
    org_names = "|".join(re.escape(x) for o in organisations for x in (o.name, o.code))
    mentions = sorted((s, o.code) for o in organisations for s, _ in o.spans)
    out: list[Membership] = []
    seen: set[tuple[str, str, str]] = set()
    patterns = [(re.compile(regex.replace("ORG", f"(?:{org_names})")), statuses)
                for regex, statuses in _PATTERNS]
    for start, end in sentences:
        sentence = text[start:end]
        for pattern, statuses in patterns:
            for match in pattern.finditer(sentence):
                at = start + match.start("list")
                codes, list_end = read_list(text, countries, at)
                if not codes or (len(codes) < 2 and statuses == ("member",)
                                 and "of which" not in match.group(0)):
                    continue
                named = match.groupdict().get("org")
                if named:
                    org = by_code.get(named) or next(o for o in organisations
                                                     if o.name == named)
                else:
                    before = [c for s, c in mentions if s < at]
                    if not before:
                        continue
                    org = by_code[before[-1]]
                status = _status(*statuses)
                cue = " ".join((match.groupdict().get("cue") or match.group(0)).split())
                for code in codes:
                    if (org.code, code, status) not in seen:
                        seen.add((org.code, code, status))
                        out.append(Membership(org.code, code, status, at, list_end, cue))
    return out

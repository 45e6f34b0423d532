"""Claims: one per checkable sentence or clause, with verbatim evidence and a guessed type.

Sentences come from pysbd (rule-based, no model), paragraph by paragraph. Each sentence is
split into who-says-what parts (:mod:`.speakers`) and each part into clauses at the seams
where a second statement starts: a spaced dash, a semicolon, ", while", ", calling for",
"and" before a verb, a comma before "it is". A relative clause (", which …", ", where …")
is no seam: it stays with the noun it describes. Evidence is the clause itself, trimmed of
its connective and final punctuation; offsets are exact (``text[start:end] == evidence``).
A clause that starts with its verb ("… and retook power") carries the sentence's subject
for its statement. A clause of fewer than MIN_WORDS words is a claim only when it is a
quotation with a speaker; the others are returned for the review page to list. Claim type
and topic are guesses from cue words, kept within the schema's allowed values whatever
they are when the draft runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..schema import CLAIM_TYPES, TOPICS
from .speakers import NARRATION, Attributor, Part, Speaker

_AUX = ("has|have|had|is|are|was|were|will|would|could|can|may|might|must|should|also|"
        "called|praised|urged|warned|added|announced|agreed|signed|pledged|promised|vowed|"
        "insisted|accused|rejected|retook|took|swept|seized|sent|met|held|sees|saw|"
        "expressed|launched|declared|threatened|returned|began|became|remained|approved|"
        "plans|wants|seeks|hopes|says|said|calls|urges|warns|expects")
# A relative clause (", which …", ", where …", "— which in turn …") stays with the noun it
# describes: on its own it would be a claim without a subject ("Includes Kenya, …").
_AUX_WORDS = frozenset(_AUX.split("|"))
_SEAM = re.compile(
    r"\s+[—–]\s+(?!(?:which|where|who|whose|of which)\b)|;\s+"
    r"|,\s+(?=(?:while|whereas|but|although|though|adding|calling for|calling on|urging|"
    r"saying)\b)"
    r"|(?<=[a-z][.!?])\s+(?=[A-Z“])"
    r"|,\s+(?=at (?:a|an|the)\s)|,\s+and\s+(?=(?:every|each|both|it|this|"
    r"they|he|she|we|there)\s)"
    r"|,\s+(?=(?:it|this|that|they|there|we|he|she)\s+(?:is|are|was|were|has|have|had|will|"
    r"would|can|could|must|should|may|might)\b)"
    rf"|\s+and\s+(?=(?:{_AUX}|for)\b)")
_LEADING = re.compile(r"^(?:and|but|while|whereas|although|though|adding that|adding|"
                      r"saying that|saying|which in turn|which)\s+", re.I)
_SUBORDINATE = re.compile(r"(?:while|although|though|whereas)\s+[^,]{8,}?,\s+")
_TRAILING = ".,;:!? \n\t"
MIN_WORDS = 4
_WORD = re.compile(r"[\w’'-]+")
_NOT_VERBS = frozenset("including during according following regarding concerning something "
                       "nothing anything everything morning evening hundred united limited "
                       "need speed bring king thing ring spring string ceiling wedding "
                       "building meeting funding spending training opening shed bed seed "
                       "feed proceed exceed succeed indeed sibling".split())
# -ing forms whose simple past is not the -ed form ("speaking" → "spoke").
_IRREGULAR_PAST = {
    "speaking": "spoke", "saying": "said", "making": "made", "taking": "took",
    "giving": "gave", "telling": "told", "meeting": "met", "holding": "held",
    "sending": "sent", "leading": "led", "bringing": "brought", "coming": "came",
    "going": "went", "running": "ran", "setting": "set", "putting": "put",
    "keeping": "kept", "leaving": "left", "seeking": "sought", "seeing": "saw",
    "writing": "wrote", "buying": "bought", "building": "built", "lending": "lent",
    "spending": "spent", "winning": "won", "losing": "lost", "beginning": "began",
    "becoming": "became", "knowing": "knew", "thinking": "thought", "doing": "did",
    "having": "had", "getting": "got", "standing": "stood", "fighting": "fought",
    "choosing": "chose", "drawing": "drew", "striking": "struck", "paying": "paid",
    "selling": "sold", "finding": "found", "being": "was"}

TYPE_CUES: tuple[tuple[str, str], ...] = (
    ("warning", r"\bwarn(?:s|ed)?\b|\bwarning that|\bmay push|could spread|\brisk of|"
                r"threat|danger"),
    ("proposal", r"call(?:ed|ing)? (?:for|on)|\burg|suggest|propos|\bshould\b|\bmust\b|"
                 r"essential to|need to|have to"),
    ("pledge", r"pledg|promis|\bvow|will provide|would provide|would add|announced plans|"
               r"commit"),
    ("forecast", r"expected to|\blikely\b|\bwill\b|\bwould\b"),
    ("assessment", r"signal|\bshows?\b|showed|measure of|important|poignant|hardly|praised|"
                   r"efficient|concern|significant|indicating|shift|softening"),
    ("position", r"\bhopes?\b|believ|\bsees\b|has called|\bview\b|\bwants?\b"),
)
MEMBERSHIP_CUE = (r"\bmembers?\b|includes?\b|composed of|made up of|consists of|comprises|"
                  r"\bjoined\b|admitting|accession|acceding|observers?\b|partners\b")
EVENT_CUE = (r"\b(?:swept|took|retook|met|held|signed|launched|attacked|killed|ousted|"
             r"conducted|seized|arrived|visited|gained|opened|closed|struck)\b")
TOPIC_CUES: dict[str, str] = {
    "membership": MEMBERSHIP_CUE,
    "change_of_power": r"takeover|took power|retook|coup|ousted|seized|swept into|came to "
                       r"power|coming to power|regime change",
    "recognition": r"recogni[sz]|legitima|work with it",
    "weapons_crime": r"weapon|\barms\b|drugs|crime|terroris|trafficking",
    "assets_finance": r"assets|funds|treasury|\bIMF\b|World Bank|unfreez|frozen|\bbank\b|"
                      r"\bcost\b|rebuilding",
    "aid_economy": r"\baid\b|econom|trade|invest|copper|lithium|relief|reconstruction|"
                   r"Belt and Road|\$|€|£",
    "regional_influence": r"influence|dominance|hegemony|leverage|rivalry|vied|competed",
    "security_cooperation": r"security|intelligence|stability|peace|co-?operation|military|"
                            r"border|exercise|terror|warning|spill",
    "meeting": r"meeting|summit|forum|talks|\bevent\b|conference|video link|discussion",
    "conflict": r"\bwar\b|fighting|troops|offensive|killed|casualt|ceasefire|shelling",
    "humanitarian": r"humanitarian|refugee|famine|cholera|disaster|displaced|shelter|\bfood\b",
    "domestic_politics": r"election|parliament|opposition|protest|corruption|constitution",
    "environment": r"climate|drought|cyclone|flood|storm|emission|environment",
}


@dataclass
class Claim:
    start: int
    end: int
    speaker: Speaker
    direct: bool
    subject: str = ""  # the sentence's subject, for a clause that starts with its verb
    claim_type: str = "fact"
    topic: str = ""
    countries: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    claim_id: str = ""


def allowed(candidates: tuple[str, ...], values: dict[str, str], fallback: str) -> str:
    """The first candidate the schema allows (enums change while the draft is in use)."""
    return next((c for c in candidates if c in values), fallback)


#: pysbd's time grows with the square of the text it is given: a longer paragraph is cut
#: into pieces of at most this many characters at a likely sentence end first.
PIECE = 2000
_LIKELY_END = re.compile(r"[.!?][”\"’)]?\s+(?=[“\"A-Z])")


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    while end - start > PIECE:
        cuts = [m.end() for m in _LIKELY_END.finditer(text, start, start + PIECE)]
        cut = cuts[-1] if cuts else (text.rfind(" ", start, start + PIECE) + 1 or
                                     start + PIECE)
        out.append((start, cut))
        start = cut
    return out + [(start, end)]


def sentences(text: str, paragraphs) -> list[list[tuple[int, int]]]:
    """Sentence spans, trimmed of surrounding white space, grouped by paragraph."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    out = []
    for paragraph in paragraphs:
        spans = []
        for start, end in _pieces(text, *paragraph):
            for span in segmenter.segment(text[start:end]):
                piece = text[start + span.start:start + span.end]
                lead = len(piece) - len(piece.lstrip())
                s, e = start + span.start + lead, start + span.start + len(piece.rstrip())
                if e > s:
                    spans.append((s, e))
        out.append(spans)
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop connectives, final punctuation, unpaired quotation marks and leading characters
    a spreadsheet would read as a formula (= + - @)."""
    for _ in range(4):
        piece = text[start:end]
        lead = _LEADING.match(piece)
        if lead:
            start += lead.end()
        piece = text[start:end]
        stripped = piece.lstrip(" \n\t=+-@")
        start += len(piece) - len(stripped)
        end = start + len(stripped.rstrip(_TRAILING))
        piece = text[start:end]
        opened, closed = piece.count("“"), piece.count("”")
        if piece.startswith("“") and opened > closed or piece.startswith('"') and (
                piece.count('"') % 2):
            start += 1
        elif piece.endswith("”") and closed > opened or piece.endswith('"') and (
                piece.count('"') % 2):
            end -= 1
    return start, max(start, end)


_ASIDE = re.compile(r"\s+[—–]\s+(?P<aside>[^—–]+?)\s+[—–]\s+")


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one part into clauses; a clause of fewer than MIN_WORDS words joins its
    neighbour. An aside between two dashes ("X — an aside — Y") gives its own clauses
    and leaves the sentence around it whole, as the statement is X … Y."""
    aside = _ASIDE.search(text, start, end)
    inner: list[tuple[int, int]] = []
    if aside:
        inner = clauses(text, aside.start("aside"), aside.end("aside"))
    pieces, at = [], start
    sub = _SUBORDINATE.match(text, start, end)
    if sub:  # "while the regime could …, other nations would …": two statements
        pieces.append((start + len(sub.group(0).split()[0]) + 1, sub.end()))
        at = sub.end()
    for seam in _SEAM.finditer(text, at, end):
        if aside and aside.start() <= seam.start() < aside.end():
            continue
        pieces.append((at, seam.start()))
        at = seam.end()
    pieces.append((at, end))
    if inner:
        return sorted(_merge(text, pieces) + inner)
    return _merge(text, pieces)


def verb_like(word: str) -> bool:
    """A lower-case word that reads as a verb ("retook", "has", "calling", "praised")."""
    return word not in _NOT_VERBS and (word in _AUX_WORDS or bool(
        re.fullmatch(r"[a-z]{2,}(?:ed|ing)", word)))


def past_tense(participle: str) -> str:
    """"calling" → "called", "speaking" → "spoke"; other words unchanged."""
    word = participle.lower()
    if word in _IRREGULAR_PAST:
        past = _IRREGULAR_PAST[word]
    elif re.fullmatch(r"[a-z]{2,}ing", word):
        stem = word[:-3]
        past = stem + ("d" if stem.endswith("e") else "ed")
    else:
        return participle
    return past.capitalize() if participle[:1].isupper() else past


def _subject_before(text: str, start: int, end: int) -> str:
    """The subject of the verb that follows ``start``: the words before the first verb-like
    word up to ``end``, "" when there is none. "X, the role, said": X; "On Friday, China
    pledged": China; a phrase that does not start like a noun phrase is not a subject."""
    for word in _WORD.finditer(text, start, end):
        if not verb_like(word.group(0)):
            continue
        before = text[start:word.start()]
        segments = [seg.strip() for seg in before.split(",")]
        if len(segments) > 1 and not segments[-1]:
            candidates = segments[:1]  # "Klaus Berger, Germany's minister …, said"
        else:
            candidates = segments[::-1]
        for seg in candidates:
            if seg and len(seg.split()) <= 8 and re.match(
                    r"(?:[A-Z]|(?:the|a|an)\s)", seg):
                return seg
        return ""
    return ""


def fragment_subject(text: str, sentence: tuple[int, int], start: int, end: int) -> str:
    """The subject a clause lacks because it starts with its verb ("… and retook power":
    the Islamist group; "Indicating a shift …, Putin said": Putin), else ""."""
    first = _WORD.match(text, start)
    if first is None:
        return ""
    word = first.group(0)
    if verb_like(word):  # a second verb of the sentence's subject
        return _subject_before(text, sentence[0], start)
    if (start == sentence[0] and verb_like(word.lower()) and word.lower().endswith("ing")
            and text.startswith(",", end)):
        return _subject_before(text, end, sentence[1])  # an opening participle clause
    return ""


def _merge(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    trimmed = [_trim(text, s, e) for s, e in pieces]
    merged: list[tuple[int, int]] = []
    for s, e in trimmed:
        if e <= s:
            continue
        if merged and len(text[s:e].split()) < MIN_WORDS:
            merged[-1] = (merged[-1][0], e)
        elif merged and len(text[slice(*merged[-1])].split()) < MIN_WORDS:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def guess_type(evidence: str, speaker: Speaker, direct: bool, figure: bool,
               membership: bool, money: bool = False) -> tuple[str, str]:
    """(claim type, why): first matching cue, within the schema's values. An amount makes a
    figure unless it is pledged ("will provide $31m": a pledge); money mentioned without an
    amount makes a figure only when nothing else is said."""
    if membership and "membership" in CLAIM_TYPES:
        return "membership", "a membership cue"
    lowered = evidence.lower()
    pledge = re.search(dict(TYPE_CUES)["pledge"], lowered)
    if figure and "figure" in CLAIM_TYPES and not (pledge and "pledge" in CLAIM_TYPES):
        return "figure", "an amount of money"
    for kind, cue in TYPE_CUES:
        match = re.search(cue, lowered)
        if match and kind in CLAIM_TYPES:
            return kind, f"'{match.group(0).strip()}'"
    if money and "figure" in CLAIM_TYPES:
        return "figure", "money mentioned without an amount"
    if speaker.kind == "group" and "assessment" in CLAIM_TYPES:
        return "assessment", f"said by {speaker.name}"
    if speaker.kind == "narration" and "event" in CLAIM_TYPES:
        match = re.search(EVENT_CUE, lowered)
        if match:
            return "event", f"'{match.group(0)}'"
    return allowed(("fact",), CLAIM_TYPES, next(iter(CLAIM_TYPES))), "no cue: the default"


def guess_topic(evidence: str, previous: str) -> str:
    best, score = "", 0
    for topic, cue in TOPIC_CUES.items():
        if topic not in TOPICS:
            continue
        hits = len(re.findall(cue, evidence, flags=re.I))
        if hits > score:
            best, score = topic, hits
    return best or previous or allowed(("other",), TOPICS, next(iter(TOPICS)))


def draft_claims(text: str, paragraphs: list[list[tuple[int, int]]],
                 attributor: Attributor) -> tuple[list[Claim], list[tuple[int, int]]]:
    """Claims in article order, numbered C01, C02 …; and the clauses too short to be a
    claim (fewer than MIN_WORDS words, not a quotation with a speaker), for the review
    page to list."""
    claims: list[Claim] = []
    short: list[tuple[int, int]] = []
    for spans in paragraphs:
        parts = [(s, e, part) for s, e in spans for part in attributor.parts(s, e)]
        claims += _paragraph_claims(text, parts, attributor, short)
    width = max(2, len(str(len(claims))))
    for number, claim in enumerate(claims, 1):
        claim.claim_id = f"C{number:0{width}d}"
    return claims, short


def _untagged(parts: list[tuple[int, int, Part]], k: int, last: Speaker | None) -> Speaker:
    """The speaker of an untagged quotation: the paragraph's last speaker, else its next."""
    found = last or next((p.speaker for _, _, p in parts[k + 1:]
                          if p.speaker and p.speaker.kind != "narration"), None)
    if found is None:
        return Speaker("article", "narration", "an untagged quotation, no speaker in the "
                       "paragraph", False)
    return Speaker(found.name, found.kind, "an untagged quotation: speaker taken from the "
                   "paragraph", False)


def _paragraph_claims(text: str, parts: list[tuple[int, int, Part]],
                      attributor: Attributor, short: list[tuple[int, int]]) -> list[Claim]:
    out: list[Claim] = []
    last: Speaker | None = None
    subjects: dict[int, Speaker | None] = {}
    for k, (s, e, part) in enumerate(parts):
        speaker = part.speaker or _untagged(parts, k, last)
        if speaker.kind != "narration":
            last = speaker
        for cs, ce in clauses(text, part.start, part.end):
            who = speaker
            if speaker is NARRATION and re.match(r"(?:calling|urging) (?:for|on)\b",
                                                 text[cs:ce]):
                if s not in subjects:
                    subjects[s] = attributor.subject(s, e)
                subject = subjects[s]
                if subject is not None and subject.kind != "narration":
                    who = Speaker(subject.name, subject.kind, "the subject of the sentence "
                                  f"('{text[s:cs].strip()[:40]}…')", False)
            # A quotation with its speaker is a claim however short ("“No,” said X").
            if len(text[cs:ce].split()) >= MIN_WORDS or (part.direct and
                                                        who.kind != "narration"):
                out.append(Claim(cs, ce, who, part.direct,
                                 fragment_subject(text, (s, e), cs, ce)))
            else:
                short.append((cs, ce))
    return out

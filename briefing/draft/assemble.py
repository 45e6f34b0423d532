"""Turn what the readers found into the schema's rows, each with what is left to review.

Every row gets a ``review`` cell saying what a person has to confirm, and the same points
become :class:`Item` entries for the review page, ranked by how much a wrong value would
cost the briefing: article details and money first, then memberships and organisations,
then speakers, then the claims' guessed types and topics, then country names.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from ..schema import SPEAKER_KINDS, C
from .claims import MEMBERSHIP_CUE, Claim, guess_topic, guess_type, past_tense, verb_like
from .countries import CountryIndex, canonical_name
from .money import Amount
from .organisations import Membership, Organisation

SECTIONS = ("Article details", "Money", "Memberships", "Organisations", "Speakers",
            "Claims", "Countries", "Not drafted")


@dataclass(frozen=True)
class Item:
    """One thing to confirm on the review page."""

    section: str
    rank: int  # higher first within its section
    where: str  # file and row, e.g. "money.csv M01"
    what: str
    detail: str = ""


def plain_number(value: Decimal | None) -> str:
    """31000000, 1500000000, 30960000, 0.5: never 3.1e+07 or 1500000000.0."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.split(".")[0] if "." in text and not text.split(".")[1].strip("0") else text


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


class ClaimIndex:
    """Finds the claim that states a span, without scanning every claim each time."""

    def __init__(self, claims: list[Claim]):
        self.claims = sorted(claims, key=lambda c: (c.start, c.end))
        self.starts = [c.start for c in self.claims]
        self.longest = max((c.end - c.start for c in claims), default=0)

    def __call__(self, start: int, end: int) -> Claim:
        """The claim whose evidence covers most of ``start:end`` (else the nearest one)."""
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_right(self.starts, end)
        near = self.claims[max(0, low - 1):min(len(self.claims), high + 1)]
        return max(near, key=lambda c: (_overlap((c.start, c.end), (start, end)),
                                        -min(abs(c.start - start), abs(c.end - end))))

    def smallest(self, start: int, end: int) -> Claim | None:
        """The shortest claim whose evidence holds all of ``start:end``."""
        near = self.claims[bisect.bisect_left(self.starts, start - self.longest):
                           bisect.bisect_right(self.starts, start)]
        holding = [c for c in near if c.start <= start and end <= c.end]
        return min(holding, key=lambda c: c.end - c.start) if holding else None

    def own_words(self, text: str, claim: Claim) -> str:
        """The claim's evidence without the asides drafted as claims of their own."""
        own = text[claim.start:claim.end]
        for inner in self.claims[bisect.bisect_left(self.starts, claim.start):
                                 bisect.bisect_left(self.starts, claim.end)]:
            if inner is not claim and inner.end <= claim.end:
                own = own.replace(text[inner.start:inner.end], " ")
        return own


def _starting_in(spans: list[tuple], start: int, end: int) -> list[tuple]:
    """The items of sorted ``spans`` (start, end, ...) that start inside ``start:end``."""
    return spans[bisect.bisect_left(spans, (start,)):bisect.bisect_left(spans, (end,))]


def named_people(evidence: str, aliases: dict[str, str]) -> list[str]:
    """Full names of the persons ``evidence`` names ("Putin" is Vladimir Putin), in order."""
    found: dict[str, int] = {}
    for alias, name in aliases.items():
        match = re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", evidence)
        if match:
            found[name] = min(found.get(name, match.start()), match.start())
    return sorted(found, key=found.__getitem__)


def claim_rows(text: str, claims: list[Claim], countries: CountryIndex,
               organisations: list[Organisation], members: list[Membership],
               amounts: list[Amount], aliases: dict[str, str]
               ) -> tuple[list[dict], list[Item]]:
    rows, items = [], []
    previous_topic = ""
    figures = sorted((a.start, a.end) for a in amounts if a.low is not None)
    mentions = sorted((a.start, a.end) for a in amounts if a.low is None)
    names = sorted((s, e, o.code) for o in organisations for s, e in o.spans)
    # A list states a membership in the smallest claim that holds it, not in a sentence-
    # long claim around an aside ("… Organisation — of which Russia is also a member — …").
    index = ClaimIndex(claims)
    stating = {index.smallest(s, e).claim_id for s, e in {(m.start, m.end) for m in members}
               if index.smallest(s, e) is not None}
    for claim in claims:
        span = (claim.start, claim.end)
        evidence = text[claim.start:claim.end]
        claim.countries = countries.codes_in(*span)
        if claim.speaker.code and claim.speaker.code not in claim.countries:
            claim.countries.insert(0, claim.speaker.code)  # "China has said it will …"
        claim.organisations = list(dict.fromkeys(
            code for s, e, code in _starting_in(names, *span) if e <= claim.end))
        figure = any(e <= claim.end for s, e, *_ in _starting_in(figures, *span))
        money = any(e <= claim.end for s, e, *_ in _starting_in(mentions, *span))
        own = index.own_words(text, claim)
        membership = claim.claim_id in stating or bool(
            claim.organisations and re.search(MEMBERSHIP_CUE, own))
        claim.claim_type, why = guess_type(own, claim.speaker, claim.direct, figure,
                                           membership, money)
        claim.topic = previous_topic = guess_topic(own, previous_topic)
        speaker = claim.speaker
        kind = speaker.kind if speaker.kind in SPEAKER_KINDS else "person"
        notes = [f"speaker: {speaker.how}"] if not speaker.sure else []
        notes += [f"type {claim.claim_type} ({why})", f"topic {claim.topic}",
                  f"statement copies the evidence{_AS_DRAFTED[claim.subject != '']}: "
                  "rewrite it"]
        reported = []  # narration reporting someone's pledge or stance: whose it is
        if kind == "narration" and claim.claim_type in ("pledge", "position", "proposal"):
            reported = named_people(evidence, aliases)
            if reported:
                notes.append("attributed_to: the persons the clause names")
        rows.append({
            C.CLAIM_ID: claim.claim_id, C.SPEAKER: speaker.name, C.SPEAKER_KIND: kind,
            C.CLAIM_TYPE: claim.claim_type, C.TOPIC: claim.topic,
            C.STATEMENT: statement(evidence, speaker.name, kind, claim.subject),
            C.EVIDENCE: evidence, C.IS_DIRECT_QUOTE: "true" if claim.direct else "false",
            C.ATTRIBUTED_TO: ";".join(reported), C.COUNTRIES: ";".join(claim.countries),
            C.ORGANISATIONS: ";".join(claim.organisations),
            C.EVIDENCE_START: str(claim.start), C.EVIDENCE_END: str(claim.end),
            C.REVIEW: "draft: check " + "; ".join(notes),
        })
        if not speaker.sure:
            items.append(Item("Speakers", 2, f"claims.csv {claim.claim_id}",
                              f"speaker {speaker.name} ({kind})", f"{speaker.how}: “{evidence}”"))
        elif kind != "narration":
            items.append(Item("Speakers", 1, f"claims.csv {claim.claim_id}",
                              f"speaker {speaker.name} ({kind})", f"“{evidence}”"))
        rank = 2 if claim.claim_type in ("figure", "membership", "pledge") else 1
        items.append(Item("Claims", rank, f"claims.csv {claim.claim_id}",
                          f"{claim.claim_type} · {claim.topic}",
                          f"{why}; “{evidence}”"))
    return rows, items


_AS_DRAFTED = ("", " after the sentence's subject")


def statement(evidence: str, speaker: str, kind: str, subject: str = "") -> str:
    """A first paraphrase: the evidence as a sentence, with its speaker. To be rewritten.

    A clause that starts with its verb gets the sentence's subject ("retook power …": "The
    Islamist group retook power …"; "calling for …": "Putin called for …"); without one it
    stays a visible fragment ("… retook power …"), never a capitalised verb."""
    body = " ".join(re.sub(r"[“”\"]", "", evidence).split())
    first = body.split(" ", 1)
    if subject:
        verb = past_tense(first[0]) if first[0].lower().endswith("ing") else first[0]
        body = " ".join([subject, verb.lower() if verb[1:].islower() else verb, *first[1:]])
    elif first[0].islower() and verb_like(first[0]):
        body = "… " + body[:1].lower() + body[1:]
    body = (body[:1].upper() + body[1:]).rstrip(".") + "."
    return body if kind == "narration" else f"{speaker[:1].upper()}{speaker[1:]}: {body}"


def organisation_rows(organisations: list[Organisation], claim_for: ClaimIndex,
                      members: list[Membership]) -> tuple[list[dict], list[Item]]:
    rows, items = [], []
    for org in organisations:
        start = org.full_at
        claim = claim_for(start, start + len(org.name))
        listed = sorted({m.code for m in members if m.organisation == org.code
                         and m.status == "member"})
        notes = list(org.notes)
        if not org.description:
            notes.append("no description found in the text")
        if org.stated_members is not None and org.stated_members != len(listed):
            notes.append(f"the article speaks of {org.stated_members} members; "
                         f"{len(listed)} drafted")
        notes.append(f"kind {org.kind} guessed")
        rows.append({
            C.CODE: org.code, C.NAME: org.name, C.KIND: org.kind,
            C.LEAD_COUNTRY_CODE: org.lead,
            C.DESCRIPTION: org.description or f"named in the article as {org.name}",
            C.CLAIM_ID: claim.claim_id, C.REVIEW: "draft: check " + "; ".join(notes),
        })
        items.append(Item("Organisations", 2 if len(notes) > 1 else 1,
                          f"organisations.csv {org.code}", f"{org.code}: {org.name}",
                          "; ".join(notes)))
    return rows, items


def member_rows(members: list[Membership], claim_for: ClaimIndex
                ) -> tuple[list[dict], list[Item]]:
    rows, items = [], []
    for m in members:
        claim = claim_for(m.start, m.end)
        name = canonical_name(m.code)
        rows.append({
            C.ORGANISATION: m.organisation, C.COUNTRY_CODE: m.code, C.COUNTRY: name,
            C.STATUS: m.status, C.CLAIM_ID: claim.claim_id,
            C.REVIEW: f"draft, low confidence: read from the list “{m.cue}”; check "
                      "organisation and status",
        })
        items.append(Item("Memberships", 1, f"members.csv {m.organisation} {m.code}",
                          f"{name}: {m.status} ({m.organisation})", f"read from “{m.cue}”"))
    return rows, items


def money_rows(text: str, amounts: list[Amount], claim_for: ClaimIndex,
               countries: CountryIndex, subject: str) -> tuple[list[dict], list[Item]]:
    rows, items = [], []
    width = max(2, len(str(len(amounts))))
    for number, amount in enumerate(sorted(amounts, key=lambda a: a.start), 1):
        money_id = f"M{number:0{width}d}"
        claim = claim_for(amount.start, amount.end)
        notes = list(amount.notes)
        source, owner, how = parties(text, amount, countries, subject)
        notes.append(how)
        rows.append({
            C.MONEY_ID: money_id, C.KIND: amount.kind,
            C.DESCRIPTION: money_description(amount, source, owner),
            C.FROM_PARTY: canonical_name(source) if source else "not stated",
            C.FROM_CODE: source, C.TO_PARTY: canonical_name(owner) if owner else "",
            C.TO_CODE: owner, C.LOW: plain_number(amount.low),
            C.HIGH: plain_number(amount.high), C.CURRENCY: amount.currency,
            C.PRECISION: amount.precision, C.AS_STATED: amount.as_stated,
            C.CLAIM_ID: claim.claim_id,
            C.REVIEW: "draft: check kind, description, parties; " + "; ".join(notes),
        })
        shown = f"{plain_number(amount.low) or '—'} to {plain_number(amount.high) or '—'}"
        items.append(Item("Money", 2 if amount.low is not None else 1, f"money.csv {money_id}",
                          f"“{amount.as_stated}”: {amount.precision}, {amount.currency} "
                          f"{shown}", "; ".join(notes)))
    return rows, items


NOUNS = {"aid": "aid", "spending": "spending", "equipment": "value of weapons or equipment",
         "assets": "assets", "pledges": "pledges", "appeal": "appeal"}


def money_description(amount: Amount, source: str, owner: str) -> str:
    """A noun phrase ("aid from Japan to Mozambique"): the briefing writes it into prose."""
    noun = NOUNS.get(amount.kind, "money")
    if amount.kind == "assets":
        return f"{noun} of {canonical_name(owner)}" if owner else noun
    if amount.kind == "spending" and source:
        return f"{noun} by {canonical_name(source)}"
    text = noun + (f" from {canonical_name(source)}" if source else "")
    return text + (f" to {canonical_name(owner)}" if owner else "")


def parties(text: str, amount: Amount, countries: CountryIndex,
            subject: str) -> tuple[str, str, str]:
    """(from_code, to_code, how): the donor is the first state named before the amount in
    its sentence; the recipient a state after "to"/"for", an owner ("Afghanistan's
    assets"), else the article's subject country."""
    start = max(text.rfind("\n", 0, amount.start) + 1, amount.start - 400)
    stop = text.find("\n", amount.end, amount.end + 400)
    stop = min(len(text), amount.end + 400) if stop < 0 else stop
    before = [m for m in countries.between(start, amount.start)
              if text.rfind(".", m.end, amount.start) < 0]
    owner = next((m.code for m in countries.between(amount.start, amount.end)
                  if re.match(r"[’']s", text[m.end:m.end + 2])), "")
    after = next((m.code for m in countries.between(amount.end, stop)
                  if re.search(r"\b(?:to|for)\s+(?:the\s+)?$", text[amount.end:m.start])),
                 "")
    # An owner ("Afghanistan's assets") says nothing of who holds or gives the money.
    source = before[0].code if before and not owner else ""
    target = owner or after
    how = "parties guessed: donor = first state named before the amount"
    seats = [(m, body) for m, body in countries.seats_between(start, amount.start)
             if text.rfind(".", m.end, amount.start) < 0]
    if seats and not source:
        seat, body = seats[0]
        how += (f"; '{seat.text}' before the amount read as {body} (not a state): the "
                "donor may be that body")
    if amount.kind == "spending" and source and not target:
        return source, source, how + "; spending: the state spends on itself"
    if not target and subject and subject != source:
        target = subject
        how += "; recipient = the article's subject country (not named with the amount)"
    return source, target, how


def country_rows(countries: CountryIndex, extra: list[str]) -> tuple[list[dict], list[Item]]:
    rows, items = [], []
    forms: dict[str, list[str]] = {}
    for mention in countries.mentions:
        forms.setdefault(mention.code, [])
        if mention.text not in forms[mention.code]:
            forms[mention.code].append(mention.text)
    for code in sorted(set(forms) | set(extra)):
        named = ", ".join(f"‘{f}’" for f in forms.get(code, [])) or "not named in the text"
        rows.append({C.COUNTRY_CODE: code, C.NAME: canonical_name(code),
                     C.REVIEW: f"draft: named as {named}; check the name"})
        items.append(Item("Countries", 1, f"countries.csv {code}", canonical_name(code),
                          f"named as {named}"))
    for seat, body in countries.seats:
        state = canonical_name(seat.code)
        items.append(Item("Not drafted", 2, f"article.txt at {seat.start}",
                          f"{seat.text}: read as {body}, not as {state}",
                          f"{seat.text} seats {body}, which its paragraph names, so no state "
                          f"was drafted for it; if {state}'s government is meant, add {state} "
                          "to countries.csv and to the claim's countries"))
    for place in countries.places:
        items.append(Item("Not drafted", 1, f"article.txt at {place.start}",
                          f"{place.text} ({canonical_name(place.code)}) as a place",
                          "a capital read as where something happens, not as the state: "
                          "add the state to the claim's countries if it stands for it"))
    return rows, items

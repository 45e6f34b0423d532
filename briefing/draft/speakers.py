"""Who says what: the people an article names, and the attribution of each sentence.

Attribution is read from the sentence's own words: a quotation and its tag ("“…,” Xi told
the summit"), reported speech ("Putin said that …", "according to X"), a trailing source
(", analysts say"), or a subject with a verb of saying ("He suggested …"). A quotation
without a tag continues the paragraph's last speaker. "He"/"she" is the last person who
spoke; "Russia's leader" is the person the article introduced as Russian; "Mr Ruto" is the
"Kenyan President William Ruto" introduced earlier (the name without its title). "The
minister said" is a role; "officials familiar with the talks" and "Tanzanian officials" are
groups, named as written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..schema import SPEAKER_KINDS
from .countries import CountryIndex, canonical_name

ROLE_WORDS = ("leader|president|premier|prime minister|minister|counterpart|secretary-general|"
              "secretary|spokesman|spokeswoman|spokesperson|chief|head|director|ambassador|"
              "envoy|governor|mayor|chairman|chair|official|adviser|advisor|professor|"
              "economist|founder|commander|king|queen|emir|prince|chancellor|commissioner|"
              "spokesperson|representative|negotiator|diplomat")
GROUP_NOUNS = ("analysts|experts|officials|diplomats|observers|critics|sources|residents|"
               "economists|investors|researchers|activists|witnesses|people|commentators|"
               "scholars|lawmakers|politicians|campaigners|aid workers")
SAY = ("said|says|say|told|tells|warned|warns|added|adds|argued|argues|noted|notes|insisted|"
       "insists|stressed|stresses|explained|claimed|claims|declared|wrote|writes|believes|"
       "believe|predicted|predicts|cautioned|acknowledged|admitted|replied|believed")
# Verbs whose subject is the speaker and whose words stay in the evidence ("suggested the
# SCO mandate should …"): proposals, praise and criticism are statements by their subject.
ACT_OF_SAYING = ("echoed|suggested|praised|called for|called on|urged|proposed|demanded|"
                 "criticised|criticized|welcomed|condemned|rejected|denied|accused|vowed|"
                 "promised|appealed")
PRONOUNS = {"he": "person", "she": "person"}
_NAME_TOKEN = r"[A-Z][\w’'-]*[\w]"
_PARTICLES = r"(?:al|bin|de|van|von|der|da|di|el|ibn|la|le|bin)"
_NAME_RUN = re.compile(rf"(?<![\w’'-]){_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|{_PARTICLES}))"
                       rf"{{1,3}}(?![\w-])")
_STOP_FIRST = frozenset("The A An In On At Since Speaking Indicating Members Today This That "
                        "These Those It He She They We I As For But And Or If While When "
                        "After Before According Lacking Every Analysts Mr Mrs Ms Dr Sir "
                        "President Prime Minister Foreign Secretary General Chancellor "
                        "King Queen Prince Emir Sheikh".split())
_ALONE = re.compile(rf"(?<![\w’'-]){_NAME_TOKEN}(?![\w-])(?! {_NAME_TOKEN})")
_TITLES = re.compile(r"^(?:(?:President|Prime Minister|(?:[A-Z][a-z]+ )?Minister|"
                     r"(?:[A-Z][a-z]+ )?Secretary|General|Chancellor|Mr|Mrs|Ms|Dr|Sir|King|"
                     r"Queen|Prince|Emir|Sheikh)\.?\s+)+")


def _kind(*candidates: str) -> str:
    """The first speaker kind the schema allows."""
    return next((k for k in candidates if k in SPEAKER_KINDS), candidates[-1])


@dataclass(frozen=True)
class Speaker:
    name: str
    kind: str  # a key of schema.SPEAKER_KINDS
    how: str = ""  # why the draft thinks so, for the review page
    sure: bool = True
    code: str = ""  # the state's ISO code, for a government


NARRATION = Speaker("article", "narration", "no attribution found: the article's own voice")


class People:
    """The persons an article names, their short forms and, where stated, their state."""

    def __init__(self, text: str, countries: CountryIndex, blocked: list[tuple[int, int]]):
        self.text = text
        self.countries = countries
        self.full: list[str] = []
        self.alias: dict[str, str] = {}
        self.country: dict[str, str] = {}
        taken = bytearray(len(text))  # characters already read as a state, place or body
        for a, b in [(m.start, m.end) for m in countries.mentions + countries.places
                     + countries.regions] + blocked:
            taken[a:b] = b"\x01" * (b - a)
        # How often each capitalised word stands alone ("Putin said"), not followed by
        # another one: a full name whose first or last word also stands alone is a person.
        self._alone = Counter(m.group(0) for m in _ALONE.finditer(text))
        ending_alone: Counter = Counter()  # full-name occurrences that end a run
        for match in _NAME_RUN.finditer(text):
            run, start, state = match.group(0), match.start(), ""
            lead = countries.at(start)  # "Kenyan President William Ruto": William Ruto
            if lead is not None and _TITLES.match(run[lead.end - start:].lstrip()):
                state = lead.code
                start = lead.end + len(run[lead.end - start:]) - len(
                    run[lead.end - start:].lstrip())
                run = text[start:match.end()]
            name = _TITLES.sub("", run)
            start += len(run) - len(name)
            name = re.sub(r"[’']s$", "", name)
            tokens = name.split()
            end = start + len(name)
            if len(tokens) < 2 or tokens[0] in _STOP_FIRST or any(taken[start:end]):
                continue
            ends_run = not re.match(rf" {_NAME_TOKEN}", text[end:end + 40])
            if state or self._looks_like_a_person(name, start, end, ends_run):
                self._add(name, start, end, state)
                ending_alone[name] += ends_run
        for name in self.full:
            first, last = name.split()[0], name.split()[-1]
            if self._alone[last] > ending_alone[name]:
                self.alias.setdefault(last, name)
            if self._alone[first]:
                self.alias.setdefault(first, name)

    def _looks_like_a_person(self, name: str, start: int, end: int, ends_run: bool) -> bool:
        text = self.text
        before, after = text[max(0, start - 60):start], text[end:end + 60]
        tokens = name.split()
        return bool(
            re.search(rf"\b(?:{ROLE_WORDS}),?\s+$", before)
            or re.search(r"\bsaid\s+$", before)
            or re.match(rf"\s*(?:,\s*(?:his|her|the|a|an)?\s*[\w’'-]*\s*(?:{ROLE_WORDS})|"
                        rf"(?:also\s+)?(?:{SAY}|{ACT_OF_SAYING})\b)", after)
            or self._alone[tokens[0]] or self._alone[tokens[-1]] > ends_run)

    def _add(self, name: str, start: int, end: int, state: str = "") -> None:
        """Record ``name``; its state is the one before its title (``state``), or the
        owner of its role ("Tanzania's trade minister, X"), or its apposition."""
        if name not in self.alias:
            self.full.append(name)
            self.alias[name] = name
        if name in self.country:
            return
        if state:
            self.country[name] = state
            return
        before, after = self.text[max(0, start - 80):start], self.text[end:end + 50]
        owner = re.search(rf"[’']s\s+(?:[\w-]+\s+){{0,3}}(?:{ROLE_WORDS}),?\s+$", before)
        if owner:
            mention = self._mention_ending(start - len(before) + owner.start())
            if mention:
                self.country[name] = mention
                return
        apposition = re.match(r",\s*(?:his|her|the)?\s*", after)
        if apposition:
            mention = self.countries.at(end + apposition.end())
            if mention is not None:
                self.country[name] = mention.code

    def _mention_ending(self, position: int) -> str:
        for mention in self.countries.mentions:
            if mention.end == position:
                return mention.code
        return ""

    def resolve(self, who: str, start: int, last_person: str) -> Speaker | None:
        """The speaker meant by ``who`` (text at ``start``), or None if it names nobody."""
        named = re.sub(r",.*", "", who.strip(), flags=re.S)  # as written, for a role
        who = re.sub(r"^(?:the|a|an|some|many|several|other)\s+", "", who.strip(),
                     flags=re.I)
        who = _TITLES.sub("", who)
        head = re.sub(r",.*", "", who, flags=re.S)
        if not head or len(head.split()) > 8:
            return None
        low = head.lower()
        if low in PRONOUNS:
            if last_person:
                return Speaker(last_person, "person", f"'{who}' read as {last_person}", False)
            return None
        if low in ("they", "we", "it", "i", "you"):
            return None
        if head in self.alias:
            name = self.alias[head]
            how = "" if head == name else f"'{head}' read as {name}"
            return Speaker(name, "person", how)
        for name in sorted(self.full, key=len, reverse=True):  # "Japan's minister Yoko Tanaka"
            if re.search(rf"(?<![\w-]){re.escape(name)}$", head):
                return Speaker(name, "person")
        role = re.fullmatch(rf"(.+?)[’']s?\s+(?:[\w-]+\s+){{0,3}}?({ROLE_WORDS}|government|"
                            r"authorities|administration|officials)", head)
        if role:
            mention = self.countries.at(start + who.find(role.group(1)))
            if mention is not None:
                if role.group(2) in ("government", "authorities", "administration"):
                    return Speaker(canonical_name(mention.code), "government",
                                   code=mention.code)
                people = [p for p in self.full if self.country.get(p) == mention.code]
                if len(people) == 1:
                    return Speaker(people[0], "person", f"'{head}' read as {people[0]}", False)
                return Speaker(head, _kind("role", "person"), f"'{head}': a role, the "
                               "person is not named", False)
        if re.fullmatch(rf"(?:[\w-]+\s+){{0,2}}(?:{GROUP_NOUNS})(?:\s+{_QUALIFIER}\s+.+)?", low):
            return Speaker(self._group_name(head, start + who.find(head)), "group")
        role = re.fullmatch(rf"(?P<det>(?:the|a|an)\s+)?(?:[\w-]+\s+){{0,3}}(?:{ROLE_WORDS})",
                            named, flags=re.I)
        if role and role.group("det"):  # "the minister said": an unnamed official
            name = named[:1].lower() + named[1:]
            return Speaker(name, _kind("role", "person"), f"'{name}': a role, the person is "
                           "not named", False)
        mention = self.countries.at(start + who.find(head))
        if mention is not None and mention.end - mention.start >= len(head) - 12:
            return Speaker(canonical_name(mention.code), "government",
                           f"'{head}' read as the government of "
                           f"{canonical_name(mention.code)}", code=mention.code)
        if re.fullmatch(rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,3}}", head):
            return Speaker(head, "person", f"'{head}' is not introduced elsewhere", False)
        return None


    def _group_name(self, head: str, start: int) -> str:
        """"Analysts" opening a sentence is "analysts"; "Tanzanian officials" keeps the
        capital of a state's demonym or of a word the text capitalises mid-sentence."""
        first = head.split()[0]
        proper = self.countries.at(start) is not None or re.search(
            rf"[a-z,;]\s+{re.escape(first)}(?![\w-])", self.text)
        return head if proper else head[:1].lower() + head[1:]


# What narrows a group: "officials familiar with the negotiations", "diplomats close to …".
_QUALIFIER = (r"(?:familiar with|close to|with knowledge of|involved in|briefed on|from|at|"
              r"in|of|who|at the)")


@dataclass(frozen=True)
class Part:
    """A stretch of a sentence with one speaker: what is said, without the tag saying who.

    ``speaker`` is None for a quotation with no tag of its own (filled in from the
    paragraph); ``direct`` marks the speaker's own words inside quotation marks.
    """

    start: int
    end: int
    speaker: Speaker | None
    direct: bool = False


_OPEN = {"“": "”", '"': '"', "‘": "’"}
_WHO = r"(?P<who>[^,.;:“”\"]{2,60}?)"
_TAG_AFTER_QUOTE = re.compile(rf"\s*,?\s*{_WHO}\s+(?:also\s+)?(?:{SAY})\b[^“”\"]*$")
_TAG_SAID_WHO = re.compile(r"\s*,?\s*(?:said|says|added|told)\s+(?P<who>[^,.;“”\"]+)")
_HEAD_THEN_QUOTE = re.compile(rf"{_WHO}\s+(?:also\s+)?(?:{SAY})(?:\s+[^“”\",:]{{0,40}})?[:,]"
                              r"\s*(?=[“\"])")
_TAIL = re.compile(rf",\s+{_WHO}\s+(?:also\s+)?(?:said|says|say|added|warned|argued|noted|"
                   r"believe|believes)(?:\s+(?:on|last|this|in)\s+\w+)?\s*[.!?]?$")
_TAIL_SAID_WHO = re.compile(r",\s+(?:said|says|according to)\s+(?P<who>[^“”\"]+?)\s*[.!?]?$")
_MID = re.compile(rf",\s+{_WHO}\s+(?:said|say|says),\s+(?:adding|saying)(?:\s+that)?\s+")
_ACCORDING = re.compile(r"According to (?P<who>[^,]{2,60}),\s+")
_SAYING = (rf"\s+(?:(?:also|has|had|have|on \w+)\s+)*(?:{SAY})(?:\s+(?:reporters|journalists|"
           r"the\s+[\w-]+|[A-Z][\w-]+)\s+that|\s+that)?\s+(?=\w|[“\"])")
_HEAD = re.compile(_WHO + _SAYING)
_HEAD_APPOSITION = re.compile(r"(?P<who>[^,.;:“”\"]{2,40}),\s+(?P<role>[^,.;:“”\"]{2,80}),"
                              + _SAYING)
_ACT = re.compile(rf"{_WHO}\s+(?:(?:also|has|had|have)\s+)*(?:{ACT_OF_SAYING})\b")
_SUBJECT = re.compile(rf"{_WHO}\s+(?:(?:also|has|had|have|on \w+)\s+)*[a-z]+ed\b")


class Attributor:
    """Reads sentence after sentence, remembering who spoke last."""

    def __init__(self, text: str, people: People):
        self.text = text
        self.people = people
        self.last_person = ""

    def _resolve(self, who: str, start: int) -> Speaker | None:
        speaker = self.people.resolve(who, start, self.last_person)
        if speaker is not None and speaker.kind == "person":
            self.last_person = speaker.name
        return speaker

    def _named(self, words: str, start: int) -> Speaker | None:
        """The person ``words`` name when they are a name the article introduces, else
        None (a role or a description is not a name)."""
        if words.strip() not in self.people.alias:
            return None
        return self._resolve(words, start)

    def subject(self, start: int, end: int) -> Speaker | None:
        """The sentence's subject when it is a speaker ("Putin also signalled …, calling
        for …": the call is Putin's)."""
        match = _SUBJECT.match(self.text, start, end)
        return self._resolve(match.group("who"), match.start("who")) if match else None

    def parts(self, start: int, end: int) -> list[Part]:
        text = self.text
        sentence = text[start:end]
        opener = sentence[:1]
        if opener in _OPEN:
            close = sentence.find(_OPEN[opener], 1)
            if close > 0:
                quote = Part(start + 1, start + close, None, True)
                tail = sentence[close + 1:]
                if not tail.strip(" .,!?"):
                    return [quote]
                for pattern in (_TAG_AFTER_QUOTE, _TAG_SAID_WHO):
                    match = pattern.match(tail)
                    if match:
                        at = start + close + 1 + match.start("who")
                        named = re.match(r",\s*(?P<name>[^,.;“”\"]+)", tail[match.end():])
                        speaker = None  # "said Tanzania's trade minister, Ashatu Kijaji"
                        if named and pattern is _TAG_SAID_WHO:
                            speaker = self._named(named.group("name"), start + close + 1
                                                  + match.end() + named.start("name"))
                        speaker = speaker or self._resolve(match.group("who"), at)
                        if speaker is not None:
                            return [Part(quote.start, quote.end, speaker, True)]
        match = _HEAD_THEN_QUOTE.match(sentence)
        if match:
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            opener = sentence[match.end()]
            close = sentence.find(_OPEN[opener], match.end() + 1)
            if speaker is not None and close > 0:
                return [Part(start + match.end() + 1, start + close, speaker, True)]
        return self._reported(start, end)

    def _reported(self, start: int, end: int) -> list[Part]:
        text = self.text
        sentence = text[start:end]
        match = _MID.search(sentence)
        if match:
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            if speaker is not None:
                return [Part(start, start + match.start(), speaker),
                        Part(start + match.end(), end, speaker)]
        for pattern in (_TAIL, _TAIL_SAID_WHO):
            match = pattern.search(sentence)
            if match:
                who = match.group("who")
                speaker = self._resolve(who, start + match.start("who"))
                if speaker is not None:
                    parts = [Part(start, start + match.start(), speaker)]
                    if ", " in who and speaker.kind == "person":  # "said X, secretary of …"
                        parts.append(Part(start + match.start("who"), start + match.end("who"),
                                          NARRATION))
                    return parts
        match = _ACCORDING.match(sentence)
        if match:
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            if speaker is not None:
                return [Part(start + match.end(), end, speaker)]
        match = _HEAD.match(sentence)
        if match:
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            if speaker is not None:
                return [Part(start + match.end(), end, speaker)]
        match = _HEAD_APPOSITION.match(sentence)
        if match:  # "Klaus Berger, Germany's minister for …, said …"
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            if speaker is None or speaker.kind != "person":  # "Its chairman, X Y, said"
                speaker = self._named(match.group("role"), start + match.start("role"))
            if speaker is not None and speaker.kind == "person":
                return [Part(start, start + match.end("role"), NARRATION),
                        Part(start + match.end(), end, speaker)]
        for comma in re.finditer(r",\s+", sentence):  # "Indicating a shift …, Putin said …"
            match = _HEAD.match(sentence, comma.end())
            if match:
                speaker = self._resolve(match.group("who"), start + match.start("who"))
                if speaker is not None:
                    return [Part(start, start + comma.start(), NARRATION),
                            Part(start + match.end(), end, speaker)]
        match = _ACT.match(sentence)
        if match:
            speaker = self._resolve(match.group("who"), start + match.start("who"))
            if speaker is not None:
                return [Part(start, end, speaker)]
        return [Part(start, end, NARRATION)]

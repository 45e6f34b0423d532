"""A country profile's facts: the state's statuses over time, its border with the article's
subject country, the claims that name it and the money that involves it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..schema import C
from .amounts import best_value, range_text
from .claims import claims_mentioning, credited, speakers_by_claim
from .facts import information_cutoff
from .judgements import BOTTOM_LINE, CLAIM_IDS, JUDGEMENT_ID, KIND, PROSE
from .membership import ALL_STATUSES, country_timeline, membership, undocumented
from .money import money_involving, with_dates
from .view import View
from .words import items


@dataclass
class Profile:
    code: str
    name: str
    #: statuses on the day shown: the article's (completed by the reference timeline), or
    #: the as-of date's (reference timeline)
    on_article_date: pd.DataFrame
    #: statuses at the end of the data (reference timeline)
    at_end: pd.DataFrame
    end: dt.date | None
    timeline: pd.DataFrame
    border: dict | None
    is_subject: bool
    claims: pd.DataFrame
    n_claims: int
    #: claims whose countries name the state (``claims`` also holds those its memberships
    #: and money rest on)
    n_naming: int
    #: the money figures that involve the state, dated as the briefing's (figure_date)
    money: pd.DataFrame
    #: per organisation the state is a member of on the day shown: how many members it has
    #: then and which of them share a recognised land border with the subject country
    fellow_neighbours: list[dict] = None  # type: ignore[assignment]
    #: nothing changed from the day shown to the end of the data: the same statuses on both
    #: days, and none of the state's intervals begins or ends in between (said once)
    unchanged: bool = False
    #: the state's statuses on the article's date (the article's, one row an organisation)
    #: in the organisations the reference timeline holds no row for it in: on any other day
    #: (an as-of date, the information cut-off) the data does not say what it was there
    undocumented: pd.DataFrame | None = None
    #: the analyst's judgements that name the state or cite a claim that does
    #: (:func:`judgements_naming`)
    judgements: list[dict] = None  # type: ignore[assignment]

    @property
    def steady(self) -> pd.DataFrame:
        """The statuses of the day shown, each with the day it began (the reference
        timeline's, at the end of the data) and the evidence of both days, oldest first:
        what the summary says once when nothing changed (:attr:`unchanged`)."""
        began = self.at_end.set_index(C.ORGANISATION)
        out = self.on_article_date.copy()
        out[C.START_DATE] = out[C.ORGANISATION].map(began[C.START_DATE])
        out[C.START_PRECISION] = out[C.ORGANISATION].map(began[C.START_PRECISION])
        out["evidence"] = [tuple(dict.fromkeys([*mine, *began.at[org, "evidence"]]))
                           for org, mine in zip(out[C.ORGANISATION], out["evidence"],
                                                strict=True)]
        return out.sort_values(C.START_DATE, kind="stable").reset_index(drop=True)

    @property
    def money_groups(self) -> list[dict]:
        """The money summarised by group of kinds, in what the words allow: how many
        figures and how many of them the article's; the claim they all report, when they
        report one; the range of the stated amounts, only where it compares like with like
        (one kind, whole sums, none disputed); and apart, the disputed figures, the parts of
        a total and those that give no single amount."""
        out = []
        for label, g in self.money.groupby("group_label", sort=False):
            rows = [dict(r) for _, r in g.iterrows()]
            valued = sorted((r for r in rows if best_value(r) is not None), key=best_value)
            wholes = [r for r in valued if not r["disputed"] and not r["part"]]
            claims = {r[C.CLAIM_ID] for r in rows}
            out.append({
                "label": label, "n": len(rows), "ids": tuple(g["id"]),
                "article": sum(r["layer"] == "article" for r in rows),
                "claim": next(iter(claims)) if len(claims) == 1 and "" not in claims
                and len(rows) > 1 else "",
                "range": range_text(wholes) if len({r[C.KIND] for r in wholes}) == 1 else "",
                "disputed": [r["amount"] for r in rows if r["disputed"]],
                "parts": sum(1 for r in valued if r["part"] and not r["disputed"]),
                "vague": sum(1 for r in rows if best_value(r) is None and not r["disputed"])})
        return out


def profile_facts(v: View, code: str) -> Profile:
    """Everything a country profile states about ``code``."""
    t = v.tables
    on_day = membership(t["members"], v.timeline, v.as_of, ALL_STATUSES, None,
                        article_date=v.article_date,
                        qualifications=qualifications_about(t["qualifications"], code))
    end = information_cutoff(v)
    at_end = membership(t["members"], v.timeline, end, ALL_STATUSES) if end else on_day.iloc[:0]
    if end is not None and end == v.article_date:
        # on the article's own date, the article's statuses completed from the timeline
        # (as the day shown without an as-of date), never the timeline's alone; each
        # begun when the timeline says
        began = {(o, c, st): (d, pr) for o, c, st, d, pr in zip(
            at_end[C.ORGANISATION], at_end[C.COUNTRY_CODE], at_end[C.STATUS],
            at_end[C.START_DATE], at_end[C.START_PRECISION], strict=True)}
        at_end = membership(t["members"], v.timeline, None, ALL_STATUSES,
                            article_date=v.article_date)
        known = [began.get((o, c, st), (None, "")) for o, c, st in zip(
            at_end[C.ORGANISATION], at_end[C.COUNTRY_CODE], at_end[C.STATUS], strict=True)]
        at_end[C.START_DATE] = [d if d is not None else k[0] for d, k in
                                zip(at_end[C.START_DATE], known, strict=True)]
        at_end[C.START_PRECISION] = [pr or k[1] for pr, k in
                                     zip(at_end[C.START_PRECISION], known, strict=True)]
    border = v.borders[v.borders[C.COUNTRY_CODE] == code]
    fellows = _fellow_neighbours(on_day, v, code)
    on_day = on_day[on_day[C.COUNTRY_CODE] == code].reset_index(drop=True)
    common = _common_words(v) if (on_day["flag_note"] != "").any() else frozenset()
    on_day["flag_clause"] = on_day["flag_note"].map(
        lambda note: after_colon(note.strip().rstrip("."), common) if note else "")
    at_end = at_end[at_end[C.COUNTRY_CODE] == code].reset_index(drop=True)
    timeline = country_timeline(v.timeline, code)
    at_end["succeeds"] = [_succeeds(timeline, org, start) for org, start
                          in zip(at_end[C.ORGANISATION], at_end[C.START_DATE], strict=True)]
    article_day = on_day if v.as_of is None else membership(
        t["members"], v.timeline, None, ALL_STATUSES, None, article_date=v.article_date)
    silent = undocumented(article_day[article_day[C.COUNTRY_CODE] == code], v.timeline)
    money = with_dates(money_involving(v.figures, code), v.article_date).reset_index(drop=True)
    cited = {e for ev in on_day["evidence"] for e in ev} | set(money[C.CLAIM_ID])
    naming = set(claims_mentioning(v.all_claims, code)[C.CLAIM_ID])
    mentions = v.all_claims[v.all_claims[C.CLAIM_ID].isin(naming | cited)].copy()
    who = speakers_by_claim(credited(mentions))
    mentions["who"] = [who[claim] for claim in mentions[C.CLAIM_ID]]
    return Profile(
        code=code, name=v.country_names.get(code, code),
        on_article_date=on_day, at_end=at_end, end=end, timeline=timeline,
        border=dict(border.iloc[0]) if len(border) else None,
        is_subject=code == v.subject, claims=mentions, n_claims=len(v.all_claims),
        n_naming=len(naming), money=money,
        fellow_neighbours=fellows,
        # the same "no status" on both days is not a steady state where the timeline is
        # silent: the article's statuses are not known there
        unchanged=_unchanged(on_day, at_end, timeline, v.date_shown, end) and not (
            len(silent) and v.as_of is not None),
        undocumented=silent,
        # the subject country's profile: every judgement is about it (the briefing's own)
        judgements=[] if code == v.subject else judgements_naming(
            v.judgements, v.country_names.get(code, code), naming))


#: A judgement's prose in which it may name a state (its indicators are things to watch).
JUDGEMENT_PROSE = tuple(c for c in PROSE if c != "indicators")
#: A parenthesised list of ids, the briefing's cross-references: "(J04)", "(J02, J05)".
_ID_LIST = re.compile(r"\s*\((?:[A-Z]\d+(?:,\s*|\s+and\s+)?)+\)")


def judgements_naming(judgements: pd.DataFrame, name: str, naming: set[str]) -> list[dict]:
    """The analyst's judgements (judgements.csv, in its order) whose prose names the state
    (``name``, a whole word) or that cite a claim naming it (``naming``): id, headline, the
    judgement, likelihood and confidence. The judgement's parenthesised ids are left out: a
    profile holds neither the other judgements nor all their evidence (the briefing does).

    The bottom line sums up the others: it is listed only where a paragraph of it names the
    state, and with that paragraph (its forecast, with the estimate; else its second
    paragraph, the implication, without the estimate, which labels the forecast)."""
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    out = []
    for _, r in judgements.iterrows():
        text, estimate = str(r.get("judgement", "")), True
        if r.get(KIND, "") == BOTTOM_LINE:
            implication = r.get("implication")
            if not word.search(text):
                if not (isinstance(implication, str) and word.search(implication)):
                    continue
                text, estimate = implication, False
        else:
            prose = [r[c] for c in JUDGEMENT_PROSE if isinstance(r.get(c), str)]
            if not (any(word.search(t) for t in prose)
                    or set(items(r.get(CLAIM_IDS, ""))) & naming):
                continue
        out.append({"judgement_id": r[JUDGEMENT_ID], "kind": r.get(KIND, ""),
                    "headline": r.get("headline", ""), "judgement": _ID_LIST.sub("", text),
                    "likelihood": r.get("likelihood", "") if estimate else "",
                    "confidence": r.get("confidence", "") if estimate else ""})
    return out


def qualifications_about(qualifications: pd.DataFrame, code: str) -> pd.DataFrame:
    """The rows of ``qualifications.csv`` about ``code``: those whose ``countries`` name it,
    and those that name no state (about the whole claim). A profile carries only these: a
    note on another state the same claim names (Qatar's memorandum, on a claim about Egypt,
    Qatar and Saudi Arabia) is not about it."""
    if C.COUNTRIES not in qualifications.columns:
        return qualifications
    about = qualifications[C.COUNTRIES].map(lambda named: not items(named)
                                            or code in items(named))
    return qualifications[about.astype(bool)]


def _unchanged(on_day: pd.DataFrame, at_end: pd.DataFrame, timeline: pd.DataFrame,
               shown: dt.date | None, end: dt.date | None) -> bool:
    """Whether the state held the same statuses on ``shown`` and at ``end`` (later), with
    no interval of its own beginning or ending in between."""
    if shown is None or end is None or not shown < end:
        return False
    moves = [d for column in (C.START_DATE, C.END_DATE) for d in timeline[column] if d]
    if any(shown < d <= end for d in moves):
        return False

    def held(frame: pd.DataFrame) -> set:
        return {(org, status, tuple(also)) for org, status, also in zip(
            frame[C.ORGANISATION], frame[C.STATUS], frame["statuses_held"], strict=True)}

    return held(on_day) == held(at_end)


def _succeeds(timeline: pd.DataFrame, organisation: str, start: dt.date | None) -> str:
    """The status in ``organisation`` that ended the day this one began ('' when none):
    what a status begun on the last day of the data took the place of."""
    if start is None:
        return ""
    before = timeline[(timeline[C.ORGANISATION] == organisation)
                      & (timeline[C.END_DATE] == start)]
    return str(before[C.STATUS].iloc[-1]) if len(before) else ""


#: A word as the data's prose writes it ("dialogue-partner", "Qatar's").
_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def _common_words(v: View) -> frozenset[str]:
    """The words the data's own prose (statements, notes, events) writes in lower case
    somewhere: common words, not names, whatever their case at the start of a sentence."""
    texts = list(v.all_claims[C.STATEMENT].astype(str))
    for name, column in (("qualifications", C.NOTE), ("membership_timeline", C.EVENT),
                         ("sources", C.NOTE), ("borders", C.NOTE)):
        frame = v.tables.get(name)
        if frame is not None and column in frame.columns:
            texts += [t for t in frame[column] if isinstance(t, str)]
    return frozenset(w for text in texts for w in _WORD.findall(text) if w.islower())


def after_colon(text: str, common: frozenset[str]) -> str:
    """``text`` as it reads after a colon mid-sentence: its first letter in lower case when
    its first word is a common word (``common``: "Dialogue-partner status ..." ->
    "dialogue-partner status ..."), never a name's ("Qatar signed ...")."""
    first = _WORD.match(text)
    if first is None:
        return text
    word = first.group()
    lowered = word[:1].lower() + word[1:]
    return lowered + text[len(word):] if lowered != word and lowered in common else text


def _fellow_neighbours(on_day: pd.DataFrame, v: View, code: str) -> list[dict]:
    """For each organisation ``code`` is a member of in ``on_day``: its members then, and
    those with a recognised land border with the subject country (sorted by name)."""
    if not v.subject or code == v.subject:
        return []
    recognised = set(v.borders.loc[v.borders[C.BORDER_STATUS] == "recognised",
                                   C.COUNTRY_CODE])
    members = on_day[on_day[C.STATUS] == "member"]
    out = []
    for org in members.loc[members[C.COUNTRY_CODE] == code, C.ORGANISATION]:
        codes = set(members.loc[members[C.ORGANISATION] == org, C.COUNTRY_CODE])
        bordering = sorted(codes & recognised, key=lambda c: v.country_names.get(c, c))
        out.append({"organisation": org, "n_members": len(codes),
                    "bordering": [v.country_names.get(c, c) for c in bordering],
                    "borders_itself": code in recognised})
    return out




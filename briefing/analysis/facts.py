"""The facts each section of the briefing states: small records the templates turn into
sentences, and the frames its figures and tables show.

Every number a sentence states is computed here from the same frame its table shows, so
the two cannot disagree; nothing here writes a sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..schema import C
from ..validate import review_note
from .claims import (
    STANCE_TYPES,
    VERDICT_ORDER,
    claim_verdicts,
    claims_by_speaker,
    credited,
    positions,
    severity,
    speakers_by_claim,
    top_speakers,
)
from .judgements import BOTTOM_LINE, KIND, evidence, indicators, not_shown
from .membership import REFERENCE, SUBJECT, border_summary, in_all, said_border_note
from .money import with_dates
from .view import View
from .words import (
    items,
    short_name,
    sorted_refs,
    split_ids,
    to_date,
    unbroken,
)


@dataclass
class Group:
    """Some states that share something, with the evidence for it."""

    names: list[str]
    refs: tuple[str, ...] = ()
    organisation: str = ""
    status: str = ""
    note: str = ""
    verdict: str = ""


def _refs(*columns) -> tuple[str, ...]:
    out: list[str] = []
    for column in columns:
        for value in column:
            out.extend(items(value))
    return tuple(sorted_refs(out))


def information_cutoff(v: View) -> dt.date | None:
    """The latest date in the data: what the briefing can know about."""
    dates = [to_date(v.meta.get("published")), to_date(v.meta.get("event_date"))]
    for frame, columns in ((v.timeline, (C.START_DATE, C.END_DATE)), (v.sources, (C.DATE,)),
                           (v.tables.get("money_context", pd.DataFrame()), (C.DATE,))):
        for column in columns:
            if column in frame.columns:
                dates.extend(to_date(d) for d in frame[column])
    dates = [d for d in dates if d]
    return max(dates) if dates else None


@dataclass(frozen=True)
class Unreviewed:
    """What is still marked for review: article.json's details (its ``review`` key holds a
    note) and the number of rows of the data (a non-empty ``review`` cell). False when
    nothing is."""

    details: bool
    rows: int

    def __bool__(self) -> bool:
        return self.details or self.rows > 0


def unreviewed_rows(v: View) -> Unreviewed:
    """What of the data is still marked for review: a draft's rows until a person confirms
    them, and article.json's details while its ``review`` key holds a note (the same test
    as ``check``'s warning, :func:`briefing.validate.review_note`). The cover says so: the
    briefing is a draft."""
    return Unreviewed(details=bool(review_note(v.meta)), rows=sum(
        int(frame[C.REVIEW].fillna("").astype(str).str.strip().ne("").sum())
        for frame in v.tables.values() if C.REVIEW in getattr(frame, "columns", ())))


def cited_sources(v: View) -> list[str]:
    """The reference sources the rows the briefing shows cite: the borders and statuses of
    the states shown, the money figures, the checks, the judgements shown (their evidence
    and the ids in their text), the changes to the as-of date. The cover counts these, not
    every source the data holds."""
    refs: list[str] = []
    if len(v.matrix):
        refs += [r for r in v.matrix["border_source"] if r]
    for frame, columns in ((v.long, ("evidence", "flag_refs")), (v.figures, (C.SOURCE_ID,)),
                           (v.qualified, (C.SOURCE_ID,)), (v.changes, ("evidence",)),
                           (v.unknown, (C.SOURCE_ID,))):
        for column in columns:
            if len(frame) and column in frame.columns:
                refs += _refs(frame[column])
    for _, r in v.judgements.iterrows():
        refs += evidence(r)
        for value in r.to_dict().values():
            if isinstance(value, str):
                refs += [p.text for p in split_ids(value) if p.is_id]
    known = set(v.sources[C.SOURCE_ID])
    return [r for r in sorted_refs(refs) if r in known]


# ---------------------------------------------------------------------------------------
# Key judgements
# ---------------------------------------------------------------------------------------


def claims_left_out(v: View, ids=None) -> tuple[int, list[str]]:
    """(how many of the article's claims the organisations filter leaves out, the
    organisations they concern as they read in a sentence, in the data's order): of every
    claim left out, or of those among ``ids``. A claim is left out only when it names
    organisations and none of them is shown, so these are all it concerns."""
    left = v.all_claims[~v.all_claims[C.CLAIM_ID].isin(set(v.claims[C.CLAIM_ID]))]
    if ids is not None:
        left = left[left[C.CLAIM_ID].isin(set(ids))]
    named = {o for value in left[C.ORGANISATIONS] for o in items(value)}
    order = list(v.organisation_refs)
    return len(left), [v.org(o) for o in sorted(named, key=lambda o: (
        order.index(o) if o in order else len(order), o))]


@dataclass
class Judgements:
    bottom_line: dict | None
    judgements: list[dict]
    #: the claims the judgements cite that the briefing does not show (an organisations
    #: filter left them out): named as plain text, never as a link
    not_shown: list[str] = field(default_factory=list)
    #: the organisations those claims concern, as they read in a sentence
    not_shown_organisations: list[str] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        """The analyst wrote none (judgements.csv has no row): the section states the
        findings computed from the data instead."""
        return self.bottom_line is None and not self.judgements


def judgement_facts(v: View) -> Judgements:
    """Every judgement as the analyst wrote it, with its evidence, whatever the
    organisations filter (the claims it cites that the filter leaves out:
    :func:`judgements.not_shown`); a date in their prose is one word (:func:`unbroken`)."""
    rows = []
    for _, r in v.judgements.iterrows():
        rows.append({**{k: unbroken(x) for k, x in r.to_dict().items()},
                     "evidence": tuple(sorted_refs(evidence(r))), "watch": indicators(r)})
    bottom = next((r for r in rows if r[KIND] == BOTTOM_LINE), None)
    rest = [r for r in rows if r[KIND] != BOTTOM_LINE]
    hidden = not_shown(v.judgements, v.claims, v.all_claims)
    return Judgements(bottom, rest, hidden, claims_left_out(v, hidden)[1])


# ---------------------------------------------------------------------------------------
# Membership and geography
# ---------------------------------------------------------------------------------------


@dataclass
class Focus:
    """The focus country as the membership section states it: its border with the subject
    country and, per organisation it is counted in, how many of the states counted there
    border the subject too (so that the sentence says what sets it apart)."""

    name: str
    #: it is the subject country itself
    is_subject: bool
    #: counted in any organisation shown
    shown: bool
    #: recognised / claimed / none / unknown ('' for the subject itself)
    border: str = ""
    length: float | None = None
    refs: tuple[str, ...] = ()
    #: (organisation, its status there, states counted there that border the subject,
    #: itself included)
    organisations: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def only_in(self) -> list[str]:
        """The organisations in which it alone borders the subject country."""
        return [org for org, _, n in self.organisations
                if self.border == "recognised" and n == 1]

    @property
    def one_of(self) -> list[tuple[str, int]]:
        """(organisation, how many border the subject there) where it is one of several."""
        return [(org, n) for org, _, n in self.organisations
                if self.border == "recognised" and n > 1]


@dataclass
class Membership:
    date: dt.date | None
    from_article: bool
    n_states: int
    in_all: Group
    bordering: Group
    claimed: Group
    not_bordering: Group
    unknown_border: Group
    #: per organisation: (code, states shown other than the subject, of them bordering the
    #: subject, whether the subject itself is shown in it)
    per_organisation: list[tuple[str, int, int, bool]]
    flagged: list[Group]
    added_from_reference: list[Group]
    frozen: Group
    changes: list[dict]
    earlier: bool
    #: statuses only known from a later date (``note``: that date), not counted
    unknown: list[Group]
    focus_shown: bool
    lengths: dict[str, float] = field(default_factory=dict)
    #: the subject country's own statuses, (organisation, status), when it is counted
    subject_status: list[tuple[str, str]] = field(default_factory=list)
    #: the states in every organisation shown, grouped by their statuses there
    #: (``status``: a tuple of (organisation, status), ``names``: the states)
    in_all_by_status: list[Group] = field(default_factory=list)
    #: the subject country is among the states shown (the counts leave it out)
    subject_shown: bool = False
    #: the reference data's note on a shown state's recognised border with the subject
    #: country (:func:`said_border_note`), in its words without the closing full stop, by
    #: state name (states without one left out)
    border_notes: dict[str, str] = field(default_factory=dict)
    #: the focus country, when one is chosen
    focus: Focus | None = None
    #: the source of each noted border (:attr:`border_notes`), by state name
    border_note_refs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: on the article's date, which statuses shown the article lists: "all", "some" (the
    #: reference timeline completes the list) or "none" (all from the reference timeline);
    #: '' on an as-of date or with no state shown
    article_lists: str = ""
    #: with an as-of date, the states the article counts (``status``, in ``organisation``;
    #: ``refs``: its claims) for which the reference timeline holds no row there: the
    #: as-of day is not known for them, and they are not counted
    undocumented: list[Group] = field(default_factory=list)
    #: with an as-of date, the (organisation, state) pairs counted on the article's date
    #: (of which :attr:`undocumented` the timeline holds no row for)
    n_on_article_date: int = 0
    #: per organisation (code), the states counted there that share a recognised border
    #: with the subject country, in the grid's order (a lone one is named in the text)
    bordering_in: dict[str, list[str]] = field(default_factory=dict)

    @property
    def members_of_all(self) -> bool:
        """Every state in all the organisations is a full member of each."""
        return all(all(status == "member" for _, status in g.status)
                   for g in self.in_all_by_status)


def membership_facts(v: View) -> Membership:
    m, long = v.matrix, v.long
    others = m[m[C.BORDER_STATUS] != SUBJECT] if len(m) else m
    groups = border_summary(others) if len(others) else {k: [] for k in
                                                          ("recognised", "claimed", "none",
                                                           "unknown")}
    said = {r[C.COUNTRY]: said_border_note(r) for _, r in others.iterrows()} \
        if len(others) else {}
    notes = {name: note.rstrip(". ") for name, note in said.items() if note}

    lengths = {r[C.COUNTRY]: float(r[C.LENGTH_KM]) for _, r in others.iterrows()
               if r[C.BORDER_STATUS] in ("recognised", "claimed")
               and pd.notna(r[C.LENGTH_KM])} if len(others) else {}

    def group(status: str) -> Group:
        """The states of one border status; those with a border, longest first (those
        without a length after them, in the grid's order)."""
        rows = others[others[C.BORDER_STATUS] == status] if len(others) else others
        names = sorted(groups.get(status, []), key=lambda n: -lengths.get(n, -1.0))
        return Group(names, _refs(rows["border_source"]) if len(rows) else ())

    both = in_all(m, v.organisations)
    per_org = []
    bordering_in: dict[str, list[str]] = {}
    for org in v.organisations:
        mine = others[others[org] != ""] if len(others) else others
        subject_in = bool(len(m)) and bool((m.loc[m[C.BORDER_STATUS] == SUBJECT, org]
                                            != "").any())
        per_org.append((org, len(mine), int((mine[C.BORDER_STATUS] == "recognised").sum())
                        if len(mine) else 0, subject_in))
        bordering_in[org] = list(mine.loc[mine[C.BORDER_STATUS] == "recognised", C.COUNTRY]) \
            if len(mine) else []
    by_status: dict[tuple, list[str]] = {}
    for _, r in both.iterrows():
        statuses = tuple((org, long.loc[(long[C.COUNTRY_CODE] == r[C.COUNTRY_CODE])
                                        & (long[C.ORGANISATION] == org), C.STATUS].iloc[0])
                         for org in v.organisations)
        by_status.setdefault(statuses, []).append(r[C.COUNTRY])
    in_all_by_status = sorted((Group(names, status=statuses) for statuses, names in
                               by_status.items()),
                              key=lambda g: (not all(s == "member" for _, s in g.status),
                                             -len(g.names)))
    flagged = [Group(list(g[C.COUNTRY]), tuple(sorted_refs(g["flag_refs"].iloc[0])),
                     org, status, unbroken(g["flag_note"].iloc[0]), g["flag"].iloc[0])
               for (org, status), g in long[long["flag"] != ""].groupby(
                   [C.ORGANISATION, C.STATUS], sort=False)] if len(long) else []
    added = []
    if v.as_of is None and len(long):
        ref = long[long["layer"] == REFERENCE]
        added = [Group(list(g[C.COUNTRY]), _refs(g["evidence"]), org, status)
                 for (org, status), g in ref.groupby([C.ORGANISATION, C.STATUS], sort=False)]
    frozen = long[long[C.STATUS] == "participation_frozen"] if len(long) else long
    changes = [dict(r) for _, r in v.changes.iterrows()] if v.as_of is not None else []
    layers = set(long["layer"]) if v.as_of is None and len(long) else set()
    lists = ("" if not layers else "all" if REFERENCE not in layers
             else "none" if layers == {REFERENCE} else "some")
    silent = v.undocumented
    undocumented = [Group(list(g[C.COUNTRY]), _refs(g["evidence"]), org, status)
                    for (org, status), g in silent.groupby([C.ORGANISATION, C.STATUS],
                                                           sort=False)] if len(silent) else []
    unknown = [Group(list(g[C.COUNTRY]), _refs(g[C.SOURCE_ID]), org, status,
                     to_date(start).isoformat())
               for (org, status, start), g in v.unknown.groupby(
                   [C.ORGANISATION, C.STATUS, C.START_DATE], sort=True)]
    return Membership(
        date=v.date_shown, from_article=v.as_of is None, n_states=len(m),
        in_all=Group(list(both[C.COUNTRY]), _refs(long[long[C.COUNTRY_CODE].isin(
            both[C.COUNTRY_CODE])]["evidence"]) if len(both) else ()),
        bordering=group("recognised"), claimed=group("claimed"),
        not_bordering=group("none"), unknown_border=group("unknown"),
        per_organisation=per_org, flagged=flagged, added_from_reference=added,
        frozen=Group(list(frozen[C.COUNTRY]), _refs(frozen["evidence"]) if len(frozen)
                     else ()),
        changes=changes,
        earlier=bool(v.as_of and v.article_date and v.as_of < v.article_date),
        unknown=unknown,
        focus_shown=bool(v.focus) and v.focus in set(m[C.COUNTRY_CODE]) if len(m) else False,
        lengths=lengths,
        subject_status=[(r[C.ORGANISATION], r[C.STATUS]) for _, r in
                        long[long[C.COUNTRY_CODE] == v.subject].iterrows()] if len(long) else [],
        in_all_by_status=in_all_by_status,
        subject_shown=bool(len(m)) and bool((m[C.BORDER_STATUS] == SUBJECT).any()),
        border_notes=notes, focus=focus_facts(v, per_org),
        border_note_refs={r[C.COUNTRY]: _refs([r["border_source"]]) for _, r in
                          others.iterrows() if r[C.COUNTRY] in notes} if len(others) else {},
        article_lists=lists, undocumented=undocumented,
        n_on_article_date=len(v.article_long) if v.as_of is not None else 0,
        bordering_in=bordering_in)


def focus_facts(v: View, per_organisation: list[tuple[str, int, int, bool]]) -> Focus | None:
    """The focus country's border with the subject country (from the reference data, shown
    or not) and, per organisation it is counted in, how many states counted there border
    the subject (:class:`Focus`)."""
    if not v.focus:
        return None
    name = v.focus_name or v.focus
    if v.focus == v.subject:
        return Focus(name, is_subject=True, shown=bool(len(v.long)) and bool(
            (v.long[C.COUNTRY_CODE] == v.focus).any()))
    row = v.borders[v.borders[C.COUNTRY_CODE] == v.focus]
    border = str(row[C.BORDER_STATUS].iloc[0]) if len(row) else "unknown"
    length = row[C.LENGTH_KM].iloc[0] if len(row) else None
    mine = v.long[v.long[C.COUNTRY_CODE] == v.focus] if len(v.long) else v.long
    status = dict(zip(mine[C.ORGANISATION], mine[C.STATUS], strict=True))
    return Focus(name, is_subject=False, shown=bool(status), border=border,
                 length=float(length) if length is not None and pd.notna(length) else None,
                 refs=tuple(sorted_refs(row[C.SOURCE_ID])) if len(row) else (),
                 organisations=[(org, status[org], bordering) for org, _, bordering, _
                                in per_organisation if org in status])


# ---------------------------------------------------------------------------------------
# Claims, positions and checks
# ---------------------------------------------------------------------------------------


@dataclass
class Claims:
    frame: pd.DataFrame
    by_speaker: pd.DataFrame
    n_quotes: int
    n_reported: int
    #: the article's claims the organisations filter leaves out: (how many, the
    #: organisations they concern), :func:`claims_left_out`
    left_out: tuple[int, list[str]] = (0, [])


def claims_facts(v: View) -> Claims:
    c = v.claims
    frame = credited(c)
    who = speakers_by_claim(frame)
    out = c.copy()
    out["who"] = [who[claim] for claim in c[C.CLAIM_ID]]
    quotes = int(c[C.IS_DIRECT_QUOTE].fillna(False).astype(bool).sum())
    return Claims(out, claims_by_speaker(c), quotes, int(frame["reported"].sum()),
                  claims_left_out(v))


@dataclass
class Positions:
    speakers: list[str]
    table: pd.DataFrame
    counts: dict[str, int]
    shared: list[str]
    only: dict[str, list[str]]
    #: speaker -> their claims that are not stances (facts, figures ...), as (claim id,
    #: claim type): counted among their claims elsewhere (the register), not in the table
    others: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: speaker -> the name a sentence uses after the first mention: a person's name as the
    #: article's claims use it alone ("Putin"), else the name itself (:func:`short_name`)
    short: dict[str, str] = field(default_factory=dict)


def positions_facts(v: View) -> Positions:
    speakers = top_speakers(v.claims)
    if len(speakers) < 2:
        return Positions(speakers, pd.DataFrame(), {}, [], {})
    table = positions(v.claims, speakers)
    counts = {s: int(sum(len(x) for x in table[s])) for s in speakers}
    shared = [t for t, *cells in zip(table[C.TOPIC], *(table[s] for s in speakers),
                                     strict=True) if all(cells)]
    # "only X speaks on T": no other of the speakers says anything on T, in a claim of any
    # type (a quote on a topic is speaking on it, though not a stance)
    every = credited(v.claims)
    spoken = {s: set(every.loc[every["who"] == s, C.TOPIC]) for s in speakers}
    only = {s: [t for t, cell in zip(table[C.TOPIC], table[s], strict=True)
                if cell and not any(t in spoken[o] for o in speakers if o != s)]
            for s in speakers}
    others = {s: list(every.loc[(every["who"] == s) & ~every[C.CLAIM_TYPE].isin(STANCE_TYPES),
                                [C.CLAIM_ID, C.CLAIM_TYPE]].itertuples(index=False, name=None))
              for s in speakers}
    people = set(v.all_claims.loc[v.all_claims[C.SPEAKER_KIND] == "person", C.SPEAKER])
    texts = list(v.all_claims[C.STATEMENT]) if len(v.all_claims) else []
    everyone = set(v.all_claims[C.SPEAKER]) if len(v.all_claims) else set()
    short = {s: short_name(s, texts, sorted(everyone - {s})) if s in people else s
             for s in speakers}
    return Positions(speakers, table, counts, shared, only, others, short)


@dataclass
class Checks:
    per_claim: pd.DataFrame
    #: verdict -> number of claims whose most serious verdict it is (adds up to n_claims)
    counts: dict[str, int]
    n_claims: int
    n_rows: int
    #: one row per claim checked, most serious verdict first: that verdict and every
    #: (verdict, note, source) the sources give, most serious first
    checked: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the claims shown, checked or not: what the claims checked are a part of
    n_shown: int = 0
    #: a verdict the table shows that no claim counts under (each claim counts once, under
    #: its most serious) -> the claims the sources also give it, so the summary names it
    also: dict[str, list[str]] = field(default_factory=dict)
    #: claim -> its speaker, for the claims checked that the article quotes or reports from
    #: a speaker (not its own narration)
    speakers: dict[str, str] = field(default_factory=dict)
    #: the direct quotes among the claims checked that a source could not verify -> whom
    #: the article quotes ('' for its own narration)
    unverified_quotes: dict[str, str] = field(default_factory=dict)
    #: the article's claims the organisations filter leaves out: (how many, the
    #: organisations they concern), :func:`claims_left_out`
    left_out: tuple[int, list[str]] = (0, [])

    @property
    def ids_by_verdict(self) -> dict[str, list[str]]:
        """verdict -> the claims counted under it, in the table's order."""
        out: dict[str, list[str]] = {}
        for claim, verdict in zip(self.checked[C.CLAIM_ID], self.checked[C.VERDICT],
                                  strict=True) if len(self.checked) else ():
            out.setdefault(verdict, []).append(claim)
        return out

    @property
    def n_unchecked(self) -> int:
        """The claims shown that no source checked: they rest on the article alone."""
        return self.n_shown - self.n_claims

    @property
    def quoted_speakers(self) -> list[str]:
        """Whom the unverified direct quotes are from (each once, the narration left out)."""
        return list(dict.fromkeys(s for s in self.unverified_quotes.values() if s))

    @property
    def quotes_among_also(self) -> bool:
        """The unverified quotes are exactly the claims also given "not verified": the
        summary says why where it names them, not in a sentence of its own."""
        quotes = sorted(self.unverified_quotes)
        return bool(quotes) and quotes == sorted(self.also.get("not_verified", []))

    @property
    def contradicted_speakers(self) -> list[str]:
        """The claims the sources contradict that the article reports from a speaker, in the
        table's order: what is contradicted is the speaker's claim, not the report of it."""
        contradicted = self.checked.loc[self.checked[C.VERDICT] == "contradicted", C.CLAIM_ID] \
            if len(self.checked) else []
        return [c for c in contradicted if c in self.speakers]


def checks_facts(v: View) -> Checks:
    per_claim = claim_verdicts(v.qualified)
    counts = {}
    for verdict in VERDICT_ORDER:
        n = int((per_claim[C.VERDICT] == verdict).sum()) if len(per_claim) else 0
        if n:
            counts[verdict] = n
    found = dict(zip(per_claim[C.CLAIM_ID], per_claim["verdicts"], strict=True))
    also: dict[str, list[str]] = {}
    for claim, verdicts in found.items():
        for verdict in verdicts[1:]:
            if verdict not in counts:
                also.setdefault(verdict, []).append(claim)
    claims = v.claims.set_index(C.CLAIM_ID)  # every claim checked is among them
    speakers = {c: claims.at[c, C.SPEAKER] for c in sorted_refs(found)
                if claims.at[c, C.SPEAKER_KIND] != "narration"}
    quoted = claims[C.IS_DIRECT_QUOTE].fillna(False).astype(bool)
    unverified_quotes = {c: speakers.get(c, "") for c in sorted_refs(found)
                         if "not_verified" in found[c] and quoted[c]}
    statements = dict(zip(v.qualified[C.CLAIM_ID], v.qualified[C.STATEMENT], strict=True))
    verdict_of = dict(zip(per_claim[C.CLAIM_ID], per_claim[C.VERDICT], strict=True)) \
        if len(per_claim) else {}
    rows = []
    for claim, g in v.qualified.groupby(C.CLAIM_ID, sort=False):
        rows.append({C.CLAIM_ID: claim, C.STATEMENT: statements[claim],
                     C.VERDICT: verdict_of.get(claim, ""),
                     "notes": tuple(zip(g[C.VERDICT], g[C.NOTE].map(unbroken), g[C.SOURCE_ID],
                                        strict=True))})
    rows.sort(key=lambda r: severity(r[C.VERDICT]))  # stable: claim order
    return Checks(per_claim, counts, len(per_claim), len(v.qualified),
                  pd.DataFrame(rows, columns=[C.CLAIM_ID, C.STATEMENT, C.VERDICT, "notes"]),
                  n_shown=len(v.claims), also=also, speakers=speakers,
                  unverified_quotes=unverified_quotes, left_out=claims_left_out(v))


# ---------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------


@dataclass
class Money:
    #: every figure, its date the one it is shown with (:func:`money.figure_date`)
    figures: pd.DataFrame
    comparisons: list
    currencies: list[str]
    disputed: pd.DataFrame
    n_article: int
    #: per claim, the sources' verdicts on it as the checks table gives them, most serious
    #: first: (verdict, its sources)
    verdicts: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)

    @property
    def claim_groups(self) -> list[list]:
        """The comparisons by the claim that states their figures, in the order of each
        claim's first figure: a claim that states two sums (M05 and M06, both from C17) is
        one paragraph, never the same sentence twice; a figure with no claim is one of its
        own."""
        groups: dict[str, list] = {}
        for i, c in enumerate(self.comparisons):
            groups.setdefault(c.figure[C.CLAIM_ID] or f"#{i}", []).append(c)
        return list(groups.values())

    @property
    def table_descriptions(self) -> list[str]:
        """Each figure's description as the annex's table gives it: a part of another figure
        (``part_of``) names its whole first ("Part of R02 ($9bn). Share of ..."); a date in
        it is one word (:func:`unbroken`)."""
        amounts = dict(zip(self.figures["id"], self.figures["amount"], strict=True))
        return [(f"Part of {whole} ({amounts[whole]}). " if whole in amounts else "")
                + unbroken(text) for whole, text in
                zip(self.figures[C.PART_OF], self.figures[C.DESCRIPTION], strict=True)]


def claim_verdict_sources(qualified: pd.DataFrame) -> dict[str, list[tuple[str, tuple]]]:
    """Each claim's verdicts, most serious first, with the sources that give each."""
    out: dict[str, list[tuple[str, tuple]]] = {}
    for claim, g in qualified.groupby(C.CLAIM_ID, sort=False):
        found = sorted(set(g[C.VERDICT]), key=severity)
        out[claim] = [(verdict, tuple(sorted_refs(g.loc[g[C.VERDICT] == verdict,
                                                          C.SOURCE_ID])))
                      for verdict in found]
    return out


#: The verdicts on an article figure's claim that mark the figure in the chart and the
#: table, most serious first (a qualification is the section's to explain, not a mark).
FLAGGED_VERDICTS = ("contradicted", "not_verified")


def money_facts(v: View) -> Money:
    """Every figure with the date it is shown with, its evidence and ``claim_flag``: the
    most serious of :data:`FLAGGED_VERDICTS` the sources give the claim that states an
    article figure ('' for none, and for a source's own figure)."""
    f = with_dates(v.figures, v.article_date)  # the chart's and the tables' one date rule
    f["evidence"] = [tuple(r for r in (c, s) if r) for c, s in
                     zip(f[C.CLAIM_ID], f[C.SOURCE_ID], strict=True)]
    verdicts = claim_verdict_sources(v.qualified) if len(v.qualified) else {}
    f["claim_flag"] = [next((w for w in FLAGGED_VERDICTS if any(
        verdict == w for verdict, _ in verdicts.get(claim, ()))), "")
        if layer == "article" else "" for claim, layer in
        zip(f[C.CLAIM_ID], f["layer"], strict=True)]
    return Money(f, v.comparisons, list(dict.fromkeys(f[C.CURRENCY])), f[f["disputed"]],
                 int((f["layer"] == "article").sum()), verdicts)


def membership_table(v: View) -> pd.DataFrame:
    """The membership grid as a table: per organisation the status, whether the reference
    layer disputes it (``<org>_flag``) and whether it comes from the reference layer where
    the rest is the article's (``<org>_layer``); the border and the evidence."""
    out = v.matrix.copy()
    for org in v.organisations:
        mine = v.long[v.long[C.ORGANISATION] == org]
        for column in ("flag", "layer"):
            found = dict(zip(mine[C.COUNTRY_CODE], mine[column], strict=True))
            out[f"{org}_{column}"] = [found.get(c, "") for c in out[C.COUNTRY_CODE]]
    evidence = {code: _refs(g["evidence"]) for code, g in v.long.groupby(C.COUNTRY_CODE)}
    out["evidence"] = [tuple(sorted_refs([*evidence.get(c, ()), s])) for c, s in
                       zip(out[C.COUNTRY_CODE], out["border_source"], strict=True)] \
        if len(out) else []
    return out

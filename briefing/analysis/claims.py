"""The article's claims: who says what, side by side, and what the sources make of it.

A claim's *speaker* is whoever makes the statement; the article's narration only reports
most of them. Where the data names who a narrated statement is attributed to (the
attribution column, when the schema has one), positions are credited to them, not to the
reporter.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..schema import TOPICS, C
from .words import items, ref_key

#: Claim types that express where a speaker stands (used for "positions side by side").
STANCE_TYPES: tuple[str, ...] = ("position", "proposal", "pledge", "warning", "assessment")

#: Speaker kinds that are not a speaker with positions of their own.
NON_SPEAKER_KINDS: tuple[str, ...] = ("narration", "group")

#: The most serious verdict first.
VERDICT_ORDER: tuple[str, ...] = ("contradicted", "qualified", "not_verified", "confirmed")


def severity(verdict: str) -> int:
    """Sort key: the most serious verdict first (:data:`VERDICT_ORDER`), an unknown one last."""
    return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER)


#: Candidate names of the column that credits a reported statement to whoever made it.
ATTRIBUTION_COLUMNS = ("attributed_to", "attribution", "said_by")

NARRATION = "The article (narration)"

#: The column of :func:`positions` that holds the statements the speakers make together.
JOINT = "joint"


def speaker_label(speaker: str, kind: str | None = None) -> str:
    """The article's own narration is labelled as such, not as a person called 'article'."""
    if kind == "narration" or speaker == "article":
        return NARRATION
    text = str(speaker)
    # a label starts with a capital: "analysts" -> "Analysts" (a name keeps its own case)
    return text[:1].upper() + text[1:]


def attribution_column(claims: pd.DataFrame) -> str | None:
    return next((c for c in ATTRIBUTION_COLUMNS if c in claims.columns), None)


def credited(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, speaker credited with it): the attributed speakers where the data
    names them, else the speaker. Column ``who`` holds the readable name."""
    column = attribution_column(claims)
    names = [items(v) if column else () for v in
             (claims[column] if column else [None] * len(claims))]
    labels = [speaker_label(s, k) for s, k in
              zip(claims[C.SPEAKER], claims[C.SPEAKER_KIND], strict=True)]
    who = [list(n) if n else [label] for n, label in zip(names, labels, strict=True)]
    out = claims.assign(who=who, reported=[bool(n) for n in names]).explode("who")
    return out.reset_index(drop=True)


def speakers_by_claim(credits: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Each claim's credited speakers, in order, from :func:`credited`'s rows: claim id ->
    names."""
    out: dict[str, list[str]] = {}
    for claim, name in zip(credits[C.CLAIM_ID], credits["who"], strict=True):
        out.setdefault(claim, []).append(name)
    return {claim: tuple(names) for claim, names in out.items()}


def claims_by_speaker(claims: pd.DataFrame, by: str = C.CLAIM_TYPE) -> pd.DataFrame:
    """Speakers x ``by`` (claim type or topic): counts, speakers with most claims first.

    A statement attributed to several speakers counts once for each. The index holds the
    speaker labels; a ``total`` column is added.
    """
    if claims.empty:
        return pd.DataFrame(columns=["total"])
    c = credited(claims)
    table = pd.crosstab(c["who"].rename("speaker"), c[by])
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    table = table.assign(_name=table.index).sort_values(["total", "_name"],
                                                        ascending=[False, True])
    return table.drop(columns="_name")


def top_speakers(claims: pd.DataFrame, n: int = 2, types: Sequence[str] = STANCE_TYPES,
                 exclude_kinds: Sequence[str] = NON_SPEAKER_KINDS) -> list[str]:
    """The ``n`` speakers credited with most stance claims (positions, proposals, pledges,
    warnings, assessments); ties broken by total claims, then by name. The narration and
    unnamed groups are left out, unless a statement is attributed to a named speaker."""
    c = credited(claims)
    c = c[c["reported"] | ~c[C.SPEAKER_KIND].isin(list(exclude_kinds))]
    if c.empty:
        return []
    stance = c[c[C.CLAIM_TYPE].isin(list(types))].groupby("who").size()
    total = c.groupby("who").size()
    frame = pd.DataFrame({"stance": stance, "total": total}).fillna(0)
    frame = frame[frame["stance"] > 0]
    frame = frame.assign(_name=frame.index).sort_values(["stance", "total", "_name"],
                                                        ascending=[False, False, True])
    return list(frame.index[:n])


def positions(claims: pd.DataFrame, speakers: Sequence[str],
              types: Sequence[str] = STANCE_TYPES) -> pd.DataFrame:
    """Topic x speaker: each cell the speaker's stance claims on that topic as a tuple of
    ``(claim_id, claim_type, statement)``; topics in the schema's order.

    A statement credited to more than one of ``speakers`` (the narration's "the two
    leaders announced") is theirs together: it sits once, in the :data:`JOINT` column,
    and in none of the speakers' own, so that no statement is shown or counted twice.
    """
    c = credited(claims)
    c = c[c["who"].isin(list(speakers)) & c[C.CLAIM_TYPE].isin(list(types))]
    together = c[C.CLAIM_ID].map(c.groupby(C.CLAIM_ID)["who"].nunique()) > 1
    topics = [t for t in TOPICS if t in set(c[C.TOPIC])]
    topics += sorted(set(c[C.TOPIC]) - set(topics))

    def stances(sub: pd.DataFrame) -> tuple:
        return tuple(zip(sub[C.CLAIM_ID], sub[C.CLAIM_TYPE], sub[C.STATEMENT], strict=True))

    rows = []
    for topic in topics:
        here = c[C.TOPIC] == topic
        row = {C.TOPIC: topic}
        for s in speakers:
            row[s] = stances(c[here & ~together & (c["who"] == s)])
        row[JOINT] = stances(c[here & together].drop_duplicates(C.CLAIM_ID))
        rows.append(row)
    return pd.DataFrame(rows, columns=[C.TOPIC, *speakers, JOINT])


def claims_mentioning(claims: pd.DataFrame, code: str) -> pd.DataFrame:
    """Claims whose ``countries`` list names ``code``."""
    return claims[claims[C.COUNTRIES].map(lambda v: code in items(v))]


def claims_about(claims: pd.DataFrame, organisations: Sequence[str] | None) -> pd.DataFrame:
    """Claims that name none of the organisations, or at least one of those shown."""
    if not organisations:
        return claims
    chosen = set(organisations)
    mask = claims[C.ORGANISATIONS].map(lambda v: not items(v) or bool(set(items(v)) & chosen))
    return claims[mask]


def qualified_claims(qualifications: pd.DataFrame, claims: pd.DataFrame,
                     sources: pd.DataFrame) -> pd.DataFrame:
    """Each qualification of a claim in ``claims`` with the claim and its source, most
    serious first."""
    cl = claims[[C.CLAIM_ID, C.SPEAKER, C.SPEAKER_KIND, C.STATEMENT]]
    src = sources[[C.SOURCE_ID, C.PUBLISHER, C.TITLE, C.URL, C.DATE]]
    out = qualifications.merge(cl, on=C.CLAIM_ID, how="inner").merge(src, on=C.SOURCE_ID,
                                                                       how="left")
    out["_v"] = out[C.VERDICT].map(severity)
    out["_c"] = out[C.CLAIM_ID].map(ref_key)
    return out.sort_values(["_v", "_c", C.REF_ID]).drop(columns=["_v", "_c"]
                                                        ).reset_index(drop=True)


def claim_verdicts(qualified: pd.DataFrame) -> pd.DataFrame:
    """One row per claim checked, with its most serious verdict (a claim two sources judge
    differently counts once, under the more serious): so the counts add up to the claims
    checked."""
    if qualified.empty:
        return pd.DataFrame(columns=[C.CLAIM_ID, C.VERDICT, "verdicts"])
    rows = []
    for claim, g in qualified.groupby(C.CLAIM_ID, sort=False):
        found = sorted(set(g[C.VERDICT]), key=severity)
        rows.append({C.CLAIM_ID: claim, C.VERDICT: found[0], "verdicts": tuple(found)})
    return pd.DataFrame(rows)

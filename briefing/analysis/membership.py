"""Who belongs to which organisation on a given day, and how that differs between layers.

On the article's own date the article's statements come first (members.csv, each row with
its claim); the sourced reference timeline adds the (organisation, state) pairs the article
does not mention, so that observers and partners appear when their status is asked for.
Where the reference layer qualifies or contradicts the article's statement about a row, the
row is flagged, with the sources, so that every section says the same thing about it.
On any other date (``as_of``) the reference timeline alone decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from ..schema import MEMBERSHIP_STATUSES, C
from .claims import VERDICT_ORDER, severity
from .words import items, to_date

ARTICLE = "article"
REFERENCE = "reference"
#: Border status of the subject country itself (it does not border itself).
SUBJECT = "subject"

#: Every status of the schema (a country profile shows them all).
ALL_STATUSES: tuple[str, ...] = tuple(MEMBERSHIP_STATUSES)

#: Which status a state shows when it holds several at once (most specific first).
STATUS_PRECEDENCE: tuple[str, ...] = (
    "participation_frozen", "member", "acceding", "observer", "partner", "dialogue_partner")

MEMBERSHIP_COLUMNS = [C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, C.STATUS, "statuses_held",
                      "unstated", "layer", "layers", "evidence", "status_evidence", C.EVENT,
                      C.START_DATE, C.START_PRECISION, "flag", "flag_note", "flag_refs"]


#: The statuses that make a state a member: a state whose participation is frozen is
#: formally still one.
MEMBER_STATUSES: tuple[str, ...] = ("member", "participation_frozen")


def counted_statuses(statuses: Iterable[str] | None) -> tuple[str, ...]:
    """The statuses that count: a frozen participation whenever ``member`` does (flagged
    as frozen; see :data:`MEMBER_STATUSES`)."""
    chosen = list(statuses) if statuses else ["member"]
    chosen += [s for s in MEMBER_STATUSES if "member" in chosen and s not in chosen]
    return tuple(chosen)


def status_rank(status: str) -> int:
    if status in STATUS_PRECEDENCE:
        return STATUS_PRECEDENCE.index(status)
    return len(STATUS_PRECEDENCE) + (list(MEMBERSHIP_STATUSES).index(status)
                                     if status in MEMBERSHIP_STATUSES else 99)


def organisation_order(organisations: pd.DataFrame, chosen: Sequence[str] | None = None
                       ) -> list[str]:
    """Organisation codes to show, in the order chosen (default: as in organisations.csv)."""
    all_codes = list(organisations[C.CODE])
    if not chosen:
        return all_codes
    return [c for c in chosen if c in all_codes]


def active_on(timeline: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    """Reference intervals that hold on ``date`` (``start <= date < end``). A start only
    known 'on or before' a date counts from that date on."""
    starts = timeline[C.START_DATE].map(to_date)
    ends = timeline[C.END_DATE].map(to_date)
    mask = [s is not None and s <= date and (e is None or date < e)
            for s, e in zip(starts, ends, strict=True)]
    return rows_where(timeline, mask)


def rows_where(frame: pd.DataFrame, mask: Sequence[bool]) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` is true (an empty mask selects no rows, never
    the columns a plain list would select)."""
    return frame[pd.Series(list(mask), index=frame.index, dtype=bool)]


def _article_rows(members: pd.DataFrame) -> pd.DataFrame:
    frame = members.copy()
    frame["layer"] = ARTICLE
    frame["evidence"] = frame[C.CLAIM_ID]
    frame[C.EVENT] = ""
    frame[C.START_DATE] = None
    frame[C.START_PRECISION] = ""
    return frame


def _reference_rows(timeline: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    frame = active_on(timeline, date).copy()
    frame["layer"] = REFERENCE
    frame["evidence"] = frame[C.SOURCE_ID]
    return frame


def claim_flags(qualifications: pd.DataFrame | None) -> dict[str, tuple[str, str, tuple]]:
    """claim_id -> (verdict, note, source ids) for claims the reference layer does not simply
    confirm (the most serious verdict first; its notes and sources together)."""
    if qualifications is None or qualifications.empty:
        return {}
    out = {}
    serious = qualifications[qualifications[C.VERDICT].isin(VERDICT_ORDER[:-1])]  # not confirmed
    for claim, group in serious.groupby(C.CLAIM_ID, sort=False):
        ranked = sorted(group.itertuples(), key=lambda r: severity(getattr(r, C.VERDICT)))
        out[claim] = (getattr(ranked[0], C.VERDICT),
                      " ".join(dict.fromkeys(getattr(r, C.NOTE) for r in ranked)),
                      tuple(dict.fromkeys(getattr(r, C.SOURCE_ID) for r in ranked)))
    return out


def membership(members: pd.DataFrame, timeline: pd.DataFrame | None = None,
               as_of: dt.date | str | None = None, statuses: Iterable[str] | None = None,
               organisations: Sequence[str] | None = None, *,
               article_date: dt.date | str | None = None,
               qualifications: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who belongs to which organisation: one row per (organisation, state).

    Parameters
    ----------
    members, timeline
        ``members.csv`` (article layer) and ``reference/membership_timeline.csv``.
    as_of
        None: as the article states it, on ``article_date``; the timeline (when given with
        ``article_date``) adds the pairs the article does not mention. A date: the reference
        intervals active that day.
    statuses
        Statuses that count (default: members only); see :func:`counted_statuses`.
    organisations
        Organisation codes to keep (default: all).
    qualifications
        ``reference/qualifications.csv``: rows stated by a claim the sources qualify or
        contradict are flagged (on the article's date only).

    Returns
    -------
    DataFrame with the shown ``status`` (the most specific the state holds), every counted
    status it holds (``statuses_held``; ``unstated``: those of them no article row states,
    which only the reference timeline gives), the ``layer`` (of the shown status; ``layers``:
    of every row behind the state's statuses, ``also`` for a timeline row of a pair the
    article states), the ``evidence`` ids (claims for the
    article layer, sources for the reference layer; ``status_evidence``: those of the shown
    status alone) and the ``flag`` (verdict), its note and
    sources where the reference layer disagrees with the article.
    """
    counted = counted_statuses(statuses)
    as_of, article_date = to_date(as_of), to_date(article_date)
    flags = claim_flags(qualifications)
    article = _article_rows(members)
    if as_of is None:
        frame = article
        if timeline is not None and article_date is not None:
            extra = _reference_rows(timeline, article_date)
            told = article[article[C.STATUS].isin(counted)]
            stated = set(zip(told[C.ORGANISATION], told[C.COUNTRY_CODE], strict=True))
            keep = [(o, c) not in stated for o, c in zip(extra[C.ORGANISATION],
                                                        extra[C.COUNTRY_CODE], strict=True)]
            # the reference layer's statuses of a pair the article states are held too
            # (Iran acceding, and an observer), behind the article's own row
            also = rows_where(extra, [not k for k in keep]).assign(layer="also")
            frame = pd.concat([article, rows_where(extra, keep), also], ignore_index=True)
    else:
        if timeline is None:
            raise ValueError("a membership timeline is needed for an as-of date")
        frame = _reference_rows(timeline, as_of)
    frame = frame[frame[C.STATUS].isin(counted)]
    if organisations:
        frame = frame[frame[C.ORGANISATION].isin(list(organisations))]
    # The article's claim about a row, for its flag: on the article's own date only.
    on_article_date = as_of is None or as_of == article_date
    stated_by = {(r[C.ORGANISATION], r[C.COUNTRY_CODE], r[C.STATUS]): r[C.CLAIM_ID]
                 for _, r in article.iterrows()} if on_article_date else {}
    rows = []
    for (org, code), group in frame.groupby([C.ORGANISATION, C.COUNTRY_CODE], sort=False):
        group = group.assign(_rank=group[C.STATUS].map(status_rank),
                             _also=group["layer"] == "also").sort_values(["_also", "_rank"])
        top = group.iloc[0]
        held = tuple(dict.fromkeys(group.sort_values("_rank")[C.STATUS]))
        told_here = set(group.loc[group["layer"] == ARTICLE, C.STATUS])
        claim = stated_by.get((org, code, top[C.STATUS]))
        verdict, note, refs = flags.get(claim, ("", "", ())) if claim else ("", "", ())
        rows.append({
            C.ORGANISATION: org, C.COUNTRY_CODE: code, C.COUNTRY: top[C.COUNTRY],
            C.STATUS: top[C.STATUS],
            "statuses_held": held,
            "unstated": tuple(st for st in held if st not in told_here),
            "layer": top["layer"],
            "layers": tuple(dict.fromkeys(group["layer"])),
            "evidence": tuple(dict.fromkeys(str(e) for e in group["evidence"] if e)),
            "status_evidence": tuple(dict.fromkeys(
                str(e) for e in group.loc[group[C.STATUS] == top[C.STATUS], "evidence"] if e)),
            C.EVENT: top[C.EVENT] if isinstance(top[C.EVENT], str) else "",
            C.START_DATE: to_date(top[C.START_DATE]),
            C.START_PRECISION: top[C.START_PRECISION] or "",
            "flag": verdict, "flag_note": note, "flag_refs": refs,
        })
    out = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    order = {o: i for i, o in enumerate(organisations or sorted(set(out[C.ORGANISATION])))}
    out["_o"] = out[C.ORGANISATION].map(lambda o: order.get(o, len(order)))
    return out.sort_values(["_o", C.COUNTRY]).drop(columns="_o").reset_index(drop=True)


def unknown_before(timeline: pd.DataFrame, as_of: dt.date | str | None,
                   organisations: Sequence[str] | None = None,
                   statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """Timeline rows of the counted statuses only known 'on or before' a start date later
    than ``as_of``: the status may already have held on ``as_of``, but the sources cannot
    say. One row per (organisation, state, status)."""
    as_of = to_date(as_of)
    if as_of is None or timeline.empty:
        return timeline.iloc[0:0]
    starts = timeline[C.START_DATE].map(to_date)
    mask = (timeline[C.START_PRECISION] == "on_or_before") & starts.map(
        lambda s: s is not None and s > as_of)
    out = timeline[mask & timeline[C.STATUS].isin(counted_statuses(statuses))]
    if organisations:
        out = out[out[C.ORGANISATION].isin(list(organisations))]
    return out.sort_values([C.ORGANISATION, C.COUNTRY]).reset_index(drop=True)


def membership_matrix(long: pd.DataFrame, organisations: Sequence[str]) -> pd.DataFrame:
    """States x organisations: the status shown in each cell ('' when none).

    Rows are sorted so that states with the same set of organisations sit together: most
    organisations first, then by the combination, then by name. Columns: ``country_code``,
    ``country``, one per organisation, ``n_organisations``, ``combination`` (a tuple).
    """
    orgs = list(organisations)
    if long.empty:
        return pd.DataFrame(columns=[C.COUNTRY_CODE, C.COUNTRY, *orgs, "n_organisations",
                                     "combination"])
    wide = long.pivot_table(index=[C.COUNTRY_CODE, C.COUNTRY], columns=C.ORGANISATION,
                            values=C.STATUS, aggfunc="first")
    wide = wide.reindex(columns=orgs).astype(object)
    wide = wide.where(wide.notna(), "").reset_index()
    wide.columns.name = None
    wide["combination"] = [tuple(o for o in orgs if row[o]) for _, row in wide.iterrows()]
    wide["n_organisations"] = wide["combination"].map(len)
    wide["_combo"] = wide["combination"].map(lambda c: tuple(orgs.index(o) for o in c))
    wide = wide.sort_values(["n_organisations", "_combo", C.COUNTRY],
                            ascending=[False, True, True])
    return wide.drop(columns="_combo").reset_index(drop=True)


def in_all(matrix: pd.DataFrame, organisations: Sequence[str]) -> pd.DataFrame:
    """States that belong to every organisation shown."""
    n = len(list(organisations))
    if matrix.empty or n == 0:
        return matrix.iloc[0:0]
    return matrix[matrix["n_organisations"] == n]


def subject_borders(borders: pd.DataFrame, subject: str) -> pd.DataFrame:
    """Rows of ``borders.csv`` about the subject country, indexed by the other state."""
    out = borders[borders[C.NEIGHBOUR_CODE] == subject]
    return out.set_index(C.COUNTRY_CODE)


def said_border_note(row) -> str:
    """The note on a state's border (a row of :func:`add_borders`) that the briefing says
    and marks: only a recognised border's, which the note qualifies (the Durand Line); a
    claimed border is said to be none in practice, and no border needs no note."""
    return (row.get("border_note") or "") if row.get(C.BORDER_STATUS) == "recognised" else ""


def add_borders(matrix: pd.DataFrame, borders: pd.DataFrame, subject: str) -> pd.DataFrame:
    """Adds ``border_status`` (recognised / claimed / none / unknown, or ``subject`` for the
    subject country itself), ``length_km``, the border row's ``source_id``
    (``border_source``) and its ``note`` (``border_note``, '' when none) to a matrix (any
    frame with ``country_code``)."""
    b = subject_borders(borders, subject)
    out = matrix.copy()
    codes = out[C.COUNTRY_CODE]
    out[C.BORDER_STATUS] = codes.map(lambda c: b.at[c, C.BORDER_STATUS] if c in b.index
                                     else SUBJECT if c == subject else "unknown")
    out[C.LENGTH_KM] = codes.map(lambda c: b.at[c, C.LENGTH_KM] if c in b.index else None)
    out["border_source"] = codes.map(lambda c: b.at[c, C.SOURCE_ID] if c in b.index else "")
    notes = b[C.NOTE] if C.NOTE in b.columns else pd.Series(dtype=object)
    out["border_note"] = codes.map(lambda c: notes[c].strip() if c in notes.index
                                   and isinstance(notes[c], str) else "")
    return out


def border_summary(matrix_b: pd.DataFrame) -> dict[str, list[str]]:
    """Names of the states shown, grouped by border status with the subject country."""
    return {status: list(matrix_b.loc[matrix_b[C.BORDER_STATUS] == status, C.COUNTRY])
            for status in ("recognised", "claimed", "none", "unknown", SUBJECT)}


def membership_changes(before: pd.DataFrame, after: pd.DataFrame,
                       held_before: pd.DataFrame | None = None) -> pd.DataFrame:
    """What differs between two membership views (e.g. the article's date and an as-of
    date): one row per (organisation, state) whose shown status differs, with ``before``
    and ``after`` ('' when not counted) and ``change`` one of ``joined`` (counted only
    after), ``left`` (counted only before) or ``status``. The evidence is that of the status
    the ``after`` view shows (not of a status the state held all along: Armenia's freeze is
    sourced to the freeze, not to its founding membership), or the ``before`` view's for a
    state that left.

    ``held_before``, a view of the ``before`` day with every status (not only those
    counted), gives ``before_held``: all the statuses the state held that day, ``before``
    first (Iran, an observer and acceding to the SCO on the article's date, when only the
    observer status is counted); without it, ``before`` alone."""
    key = [C.ORGANISATION, C.COUNTRY_CODE]
    left = before[[*key, C.COUNTRY, C.STATUS, "evidence"]]
    right = after[[*key, C.COUNTRY, C.STATUS, "status_evidence"]].rename(
        columns={"status_evidence": "evidence"})
    merged = left.merge(right, on=key, how="outer", suffixes=("_before", "_after"))
    every = {} if held_before is None else {
        (o, c): tuple(h) for o, c, h in zip(held_before[C.ORGANISATION],
                                             held_before[C.COUNTRY_CODE],
                                             held_before["statuses_held"], strict=True)}
    rows = []
    for _, r in merged.iterrows():
        b = r[f"{C.STATUS}_before"] if isinstance(r[f"{C.STATUS}_before"], str) else ""
        a = r[f"{C.STATUS}_after"] if isinstance(r[f"{C.STATUS}_after"], str) else ""
        if a == b:
            continue
        change = "joined" if not b else "left" if not a else "status"
        name = r[f"{C.COUNTRY}_after"] if a else r[f"{C.COUNTRY}_before"]
        ev = r["evidence_after"] if a else r["evidence_before"]
        held = every.get((r[C.ORGANISATION], r[C.COUNTRY_CODE]), ())
        rows.append({C.ORGANISATION: r[C.ORGANISATION], C.COUNTRY_CODE: r[C.COUNTRY_CODE],
                     C.COUNTRY: name, "before": b, "after": a, "change": change,
                     "before_held": tuple(dict.fromkeys(
                         [s for s in (b,) if s] + [s for s in held if s != a])),
                     "evidence": tuple(items(ev))})
    out = pd.DataFrame(rows, columns=[C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, "before",
                                      "after", "change", "before_held", "evidence"])
    return out.sort_values([C.ORGANISATION, "change", C.COUNTRY]).reset_index(drop=True)


def undocumented(shown: pd.DataFrame, timeline: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``shown`` (a membership view, the article's date's) whose (organisation,
    state) the reference timeline holds no row for, whatever the status: on any other day
    the reference data does not say what the state was there. A state the article counts
    is never said to have left, or not yet to have joined, for want of a timeline row."""
    known = set(zip(timeline[C.ORGANISATION], timeline[C.COUNTRY_CODE], strict=True))
    mask = [(o, c) not in known for o, c in zip(shown[C.ORGANISATION],
                                                shown[C.COUNTRY_CODE], strict=True)]
    return rows_where(shown, mask).reset_index(drop=True)


def country_timeline(timeline: pd.DataFrame, code: str) -> pd.DataFrame:
    """A state's status intervals, oldest first (start/end as ``datetime.date``)."""
    out = timeline[timeline[C.COUNTRY_CODE] == code].copy()
    out[C.START_DATE] = out[C.START_DATE].map(to_date)
    out[C.END_DATE] = out[C.END_DATE].map(to_date)
    return out.sort_values([C.ORGANISATION, C.START_DATE]).reset_index(drop=True)

"""The briefing's analysis: pure functions over the loaded DataFrames (no plotting, no I/O).

Every function takes plain DataFrames that follow :mod:`briefing.schema` (so the tests can
build small ones by hand) and returns DataFrames or small records that carry the claim ids
(article layer) or source ids (reference layer) behind every figure, so that every number a
reader sees can be traced back to its evidence.

Nothing here knows which article, organisations or countries the data is about.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .schema import MEMBERSHIP_STATUSES, VERDICTS, C

ARTICLE = "article"
REFERENCE = "reference"
#: Border status of the subject country itself (it does not border itself).
SUBJECT = "subject"

#: Every status of the schema (a country profile shows them all).
ALL_STATUSES: tuple[str, ...] = tuple(MEMBERSHIP_STATUSES)

#: Which status a state shows when it holds several at once (most specific first).
STATUS_PRECEDENCE: tuple[str, ...] = (
    "participation_frozen", "member", "acceding", "observer", "partner", "dialogue_partner")

#: Claim types that express where a speaker stands (used for "positions side by side").
STANCE_TYPES: tuple[str, ...] = ("position", "proposal", "pledge", "warning")

#: Speaker kinds that are not a speaker with positions of their own.
NON_SPEAKER_KINDS: tuple[str, ...] = ("narration", "group")

VERDICT_ORDER: tuple[str, ...] = ("contradicted", "qualified", "not_verified", "confirmed")

# Readable labels for schema codes whose words read badly when only de-underscored.
_LABELS = {
    "security_cooperation": "Security co-operation",
    "aid_economy": "Aid and economy",
    "assets_finance": "Assets and finance",
    "weapons_crime": "Weapons and crime",
    "dialogue_partner": "Dialogue partner",
    "participation_frozen": "Member (participation frozen)",
    "not_verified": "Not verified",
    "not_stated": "Not stated",
    "order_of_magnitude": "Order of magnitude",
    "lower_bound": "Lower bound",
}


#: How a status reads in a sentence: "Tajikistan is {phrase} the CSTO".
STATUS_PHRASES = {
    "member": ("a member of", "members of"),
    "participation_frozen": ("a member, with its participation frozen, of",
                             "members, with their participation frozen, of"),
    "acceding": ("acceding to", "acceding to"),
    "observer": ("an observer of", "observers of"),
    "dialogue_partner": ("a dialogue partner of", "dialogue partners of"),
    "partner": ("a partner of", "partners of"),
}


def status_phrase(status: str, plural: bool = False) -> str:
    """``member`` -> ``a member of`` (or ``members of``)."""
    single, many = STATUS_PHRASES.get(status, (f"{label(status).lower()} of",) * 2)
    return many if plural else single


def short_description(text: str, limit: int = 70) -> str:
    """The head of a long description: up to the first parenthesis, semicolon or colon."""
    text = str(text).strip()
    for mark in (" (", "; ", ": "):
        at = text.find(mark)
        if at > 15:
            text = text[:at]
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text.rstrip(". ,")


def label(code: object) -> str:
    """A schema code as a reader should see it: ``weapons_crime`` -> ``Weapons and crime``."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    text = str(code)
    if text in _LABELS:
        return _LABELS[text]
    text = text.replace("_", " ")
    return text[:1].upper() + text[1:]


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


_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
          "Eleven", "Twelve")


def count_word(n: int, capital: bool = True) -> str:
    """A count as a word for the start of a sentence: 4 -> 'Four' (13 and up stay digits)."""
    if 0 <= n < len(_WORDS):
        word = _WORDS[n]
        return word if capital else word.lower()
    return str(n)


#: A status as a plural noun: "members", "acceding states"...
STATUS_NOUNS = {"member": "members", "acceding": "acceding states", "observer": "observers",
                "dialogue_partner": "dialogue partners", "partner": "partners",
                "participation_frozen": "members with participation frozen"}


STATUS_NOUN = {"member": "a member", "acceding": "an acceding state",
               "observer": "an observer", "dialogue_partner": "a dialogue partner",
               "partner": "a partner", "participation_frozen": "a member with participation frozen"}


def statuses_noun(statuses: Iterable[str], plural: bool = True) -> str:
    """``['member', 'acceding']`` -> ``'members or acceding states'`` (or ``'a member or an
    acceding state'``)."""
    nouns = STATUS_NOUNS if plural else STATUS_NOUN
    statuses = list(statuses)
    if "member" in statuses:  # a frozen participation is a kind of membership
        statuses = [s for s in statuses if s != "participation_frozen"]
    return join_names([nouns.get(s, label(s).lower()) for s in statuses], "or")


def join_names(names: Sequence[str], conj: str = "and") -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conj} {names[-1]}"


def refs_text(refs: Iterable[str]) -> str:
    """Sorted, de-duplicated evidence ids as ``C36, C37, S02``."""
    return ", ".join(sorted({r for r in refs if r}, key=_ref_key))


def _ref_key(ref: str) -> tuple[str, int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (ref[:1], int(digits) if digits else 0, ref)


def _to_date(value) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    return dt.date.fromisoformat(text) if text else None


# ---------------------------------------------------------------------------------------
# Membership
# ---------------------------------------------------------------------------------------


def counted_statuses(statuses: Iterable[str] | None) -> tuple[str, ...]:
    """The statuses that count. A state whose participation is frozen is formally still a
    member, so it counts whenever ``member`` does (and is flagged as frozen)."""
    chosen = list(statuses) if statuses else ["member"]
    if "member" in chosen and "participation_frozen" not in chosen:
        chosen.append("participation_frozen")
    return tuple(chosen)


def _status_rank(status: str) -> int:
    if status in STATUS_PRECEDENCE:
        return STATUS_PRECEDENCE.index(status)
    return len(STATUS_PRECEDENCE) + list(MEMBERSHIP_STATUSES).index(status) \
        if status in MEMBERSHIP_STATUSES else 99


def organisation_order(organisations: pd.DataFrame, chosen: Sequence[str] | None = None
                       ) -> list[str]:
    """Organisation codes to show, in the order chosen (default: as in organisations.csv)."""
    all_codes = list(organisations[C.CODE])
    if not chosen:
        return all_codes
    return [c for c in chosen if c in all_codes]


MEMBERSHIP_COLUMNS = [C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, C.STATUS, "statuses_held",
                      "layer", "evidence", C.EVENT, C.START_DATE, C.START_PRECISION]


def membership(members: pd.DataFrame, timeline: pd.DataFrame | None = None,
               as_of: dt.date | str | None = None, statuses: Iterable[str] | None = None,
               organisations: Sequence[str] | None = None) -> pd.DataFrame:
    """Who belongs to which organisation: one row per (organisation, state).

    Parameters
    ----------
    members, timeline
        ``members.csv`` (article layer) and ``reference/membership_timeline.csv``.
    as_of
        None: memberships as the article states them. A date: the reference intervals
        active that day (``start_date <= as_of < end_date``, or no end). A row whose
        ``start_precision`` is ``on_or_before`` is only known from its start date on.
    statuses
        Statuses that count (default: members only); see :func:`counted_statuses`.
    organisations
        Organisation codes to keep (default: all).

    Returns
    -------
    DataFrame with the shown ``status`` (the most specific the state holds), every counted
    status it holds (``statuses_held``), the ``layer`` and the ``evidence`` ids (claim ids
    for the article layer, source ids for the reference layer).
    """
    counted = counted_statuses(statuses)
    as_of = _to_date(as_of)
    if as_of is None:
        frame = members.copy()
        frame["layer"] = ARTICLE
        frame["evidence"] = frame[C.CLAIM_ID]
        frame[C.EVENT] = ""
        frame[C.START_DATE] = None
        frame[C.START_PRECISION] = ""
    else:
        if timeline is None:
            raise ValueError("a membership timeline is needed for an as-of date")
        frame = timeline.copy()
        starts = frame[C.START_DATE].map(_to_date)
        ends = frame[C.END_DATE].map(_to_date)
        active = [s is not None and s <= as_of and (e is None or as_of < e)
                  for s, e in zip(starts, ends, strict=True)]
        frame = frame[active].copy()
        frame["layer"] = REFERENCE
        frame["evidence"] = frame[C.SOURCE_ID]
    frame = frame[frame[C.STATUS].isin(counted)]
    if organisations:
        frame = frame[frame[C.ORGANISATION].isin(list(organisations))]
    rows = []
    for (org, code), group in frame.groupby([C.ORGANISATION, C.COUNTRY_CODE], sort=False):
        group = group.assign(_rank=group[C.STATUS].map(_status_rank)).sort_values("_rank")
        top = group.iloc[0]
        rows.append({
            C.ORGANISATION: org, C.COUNTRY_CODE: code, C.COUNTRY: top[C.COUNTRY],
            C.STATUS: top[C.STATUS],
            "statuses_held": tuple(dict.fromkeys(group[C.STATUS])),
            "layer": top["layer"],
            "evidence": tuple(dict.fromkeys(str(e) for e in group["evidence"] if e)),
            C.EVENT: top[C.EVENT] if isinstance(top[C.EVENT], str) else "",
            C.START_DATE: _to_date(top[C.START_DATE]),
            C.START_PRECISION: top[C.START_PRECISION] or "",
        })
    out = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    order = {o: i for i, o in enumerate(organisations or sorted(set(out[C.ORGANISATION])))}
    out["_o"] = out[C.ORGANISATION].map(lambda o: order.get(o, len(order)))
    return (out.sort_values(["_o", C.COUNTRY]).drop(columns="_o")
            .reset_index(drop=True))


def unknown_before(timeline: pd.DataFrame, as_of: dt.date | str | None,
                   organisations: Sequence[str] | None = None) -> pd.DataFrame:
    """Timeline rows only known 'on or before' a start date later than ``as_of``: the
    status may already have held on ``as_of``, but the sources cannot say."""
    as_of = _to_date(as_of)
    if as_of is None or timeline.empty:
        return timeline.iloc[0:0]
    starts = timeline[C.START_DATE].map(_to_date)
    mask = (timeline[C.START_PRECISION] == "on_or_before") & starts.map(
        lambda s: s is not None and s > as_of)
    out = timeline[mask]
    if organisations:
        out = out[out[C.ORGANISATION].isin(list(organisations))]
    return out


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
    wide = wide.reindex(columns=orgs).fillna("").reset_index()
    wide.columns.name = None
    wide["combination"] = [tuple(o for o in orgs if row[o]) for _, row in wide.iterrows()]
    wide["n_organisations"] = wide["combination"].map(len)
    wide["_combo"] = wide["combination"].map(lambda c: tuple(orgs.index(o) for o in c))
    wide = wide.sort_values(["n_organisations", "_combo", C.COUNTRY],
                            ascending=[False, True, True])
    return wide.drop(columns="_combo").reset_index(drop=True)


def overlap(matrix: pd.DataFrame, organisations: Sequence[str]) -> pd.DataFrame:
    """The exclusive intersections (UpSet's bars): one row per combination of organisations
    with at least one state, with the count and the states' names."""
    rows = []
    if not matrix.empty:
        for combo, group in matrix.groupby("combination", sort=False):
            if not combo:
                continue
            rows.append({"combination": combo, "label": " + ".join(combo),
                         "n": len(group), "countries": tuple(group[C.COUNTRY]),
                         "country_codes": tuple(group[C.COUNTRY_CODE])})
    out = pd.DataFrame(rows, columns=["combination", "label", "n", "countries",
                                      "country_codes"])
    if out.empty:
        return out
    out["_deg"] = out["combination"].map(len)
    return (out.sort_values(["_deg", "n", "label"], ascending=[False, False, True])
            .drop(columns="_deg").reset_index(drop=True))


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


def add_borders(matrix: pd.DataFrame, borders: pd.DataFrame, subject: str) -> pd.DataFrame:
    """Adds ``border_status`` (recognised / claimed / none / unknown, or ``subject`` for the
    subject country itself), ``length_km`` and the border row's ``source_id`` to a matrix
    (any frame with ``country_code``)."""
    b = subject_borders(borders, subject)
    out = matrix.copy()
    codes = out[C.COUNTRY_CODE]
    out[C.BORDER_STATUS] = codes.map(lambda c: b.at[c, C.BORDER_STATUS] if c in b.index
                                     else SUBJECT if c == subject else "unknown")
    out[C.LENGTH_KM] = codes.map(lambda c: b.at[c, C.LENGTH_KM] if c in b.index else None)
    out["border_source"] = codes.map(lambda c: b.at[c, C.SOURCE_ID] if c in b.index else "")
    out["border_note"] = codes.map(
        lambda c: (b.at[c, C.NOTE] or "") if c in b.index and isinstance(b.at[c, C.NOTE], str)
        else "")
    return out


def border_summary(matrix_b: pd.DataFrame) -> dict[str, list[str]]:
    """Names of the states shown, grouped by border status with the subject country."""
    out: dict[str, list[str]] = {}
    for status in ("recognised", "claimed", "none", "unknown"):
        out[status] = list(matrix_b.loc[matrix_b[C.BORDER_STATUS] == status, C.COUNTRY])
    return out


def membership_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """What differs between two membership views (e.g. the article's and an as-of date's):
    one row per (organisation, state) whose shown status differs, with ``change`` one of
    ``joined``, ``left``, ``status``."""
    key = [C.ORGANISATION, C.COUNTRY_CODE]
    left = before[[*key, C.COUNTRY, C.STATUS, "evidence"]]
    right = after[[*key, C.COUNTRY, C.STATUS, "evidence"]]
    merged = left.merge(right, on=key, how="outer", suffixes=("_before", "_after"))
    rows = []
    for _, r in merged.iterrows():
        b = r[f"{C.STATUS}_before"] if isinstance(r[f"{C.STATUS}_before"], str) else ""
        a = r[f"{C.STATUS}_after"] if isinstance(r[f"{C.STATUS}_after"], str) else ""
        if a == b:
            continue
        change = "joined" if not b else "left" if not a else "status"
        name = r[f"{C.COUNTRY}_after"] if a else r[f"{C.COUNTRY}_before"]
        ev = tuple(r["evidence_after"]) if a else ()
        rows.append({C.ORGANISATION: r[C.ORGANISATION], C.COUNTRY_CODE: r[C.COUNTRY_CODE],
                     C.COUNTRY: name, "before": b, "after": a, "change": change,
                     "evidence": ev})
    out = pd.DataFrame(rows, columns=[C.ORGANISATION, C.COUNTRY_CODE, C.COUNTRY, "before",
                                      "after", "change", "evidence"])
    return out.sort_values([C.ORGANISATION, "change", C.COUNTRY]).reset_index(drop=True)


def country_timeline(timeline: pd.DataFrame, code: str) -> pd.DataFrame:
    """A state's status intervals, oldest first (start/end as ``datetime.date``)."""
    out = timeline[timeline[C.COUNTRY_CODE] == code].copy()
    out[C.START_DATE] = out[C.START_DATE].map(_to_date)
    out[C.END_DATE] = out[C.END_DATE].map(_to_date)
    return out.sort_values([C.ORGANISATION, C.START_DATE]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def format_amount(value: float | None, currency: str = "USD") -> str:
    """``31000000, 'USD'`` -> ``$31m``; ``1.2e9`` -> ``$1.2bn``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    prefix = _SYMBOLS.get(currency, f"{currency} ") if currency else ""
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            return f"{prefix}{value / size:.3g}{suffix}"
    return f"{prefix}{value:,.0f}"


def amount_text(low, high, precision: str, currency: str = "USD") -> str:
    """What the wording allows, honestly: never a point value for a vague amount."""
    lo, hi = format_amount(low, currency), format_amount(high, currency)
    if precision == "not_stated" or (not lo and not hi):
        return "amount not stated"
    if precision == "exact":
        return lo
    if precision == "approximate":
        return f"about {lo}" if not hi or hi == lo else f"about {lo}–{hi}"
    if precision == "lower_bound":
        return f"more than {lo}" + (f" (up to {hi})" if hi else "")
    if precision == "order_of_magnitude":
        return f"{lo}–{hi}, unspecified" if hi else f"{lo} or more, unspecified"
    return lo if lo == hi or not hi else f"{lo}–{hi}"


MONEY_COLUMNS = ["id", "layer", C.KIND, C.DESCRIPTION, C.FROM_PARTY, C.FROM_CODE,
                 C.TO_PARTY, C.TO_CODE, C.LOW, C.HIGH, C.CURRENCY, C.PRECISION, C.AS_STATED,
                 "amount", C.CLAIM_ID, C.SOURCE_ID, C.DATE]


def money_figures(money: pd.DataFrame, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every money figure: the article's (``layer='article'``, with its claim) then the
    reference context (``layer='reference'``, with its source, and the claim it puts in
    context if any). ``amount`` is the honest wording of the amount."""
    parts = []
    a = money.copy()
    a["id"] = a[C.MONEY_ID]
    a["layer"] = ARTICLE
    a[C.SOURCE_ID] = ""
    a[C.DATE] = None
    parts.append(a)
    if context is not None and not context.empty:
        r = context.copy()
        r["id"] = r[C.REFERENCE_MONEY_ID]
        r["layer"] = REFERENCE
        r[C.DATE] = r[C.DATE].map(_to_date)
        parts.append(r)
    out = pd.concat([p.reindex(columns=MONEY_COLUMNS[:-4] + MONEY_COLUMNS[-3:])
                     for p in parts], ignore_index=True)
    out["amount"] = [amount_text(lo, hi, p, cur) for lo, hi, p, cur in
                     zip(out[C.LOW], out[C.HIGH], out[C.PRECISION], out[C.CURRENCY],
                         strict=True)]
    out[C.CLAIM_ID] = out[C.CLAIM_ID].fillna("")
    out[C.SOURCE_ID] = out[C.SOURCE_ID].fillna("")
    return out[MONEY_COLUMNS]


def best_value(row) -> float | None:
    """A single value for comparisons, only where the wording gives one (exact/approximate,
    or the stated floor of a lower bound). Vague and unstated amounts give None."""
    if row[C.PRECISION] in ("exact", "approximate", "lower_bound"):
        low = row[C.LOW]
        return None if low is None or pd.isna(low) else float(low)
    return None


def money_involving(figures: pd.DataFrame, code: str) -> pd.DataFrame:
    """Figures where ``code`` is the donor/holder or the recipient/owner."""
    return figures[(figures[C.FROM_CODE] == code) | (figures[C.TO_CODE] == code)]


#: Kinds of money that are compared with one another first (flows, then stocks).
KIND_GROUPS: tuple[tuple[str, ...], ...] = (("aid", "pledges", "appeal"), ("assets",),
                                            ("equipment",), ("other",))


def _kind_group(kind: str) -> int:
    for i, group in enumerate(KIND_GROUPS):
        if kind in group:
            return i
    return len(KIND_GROUPS)


def money_comparisons(figures: pd.DataFrame) -> pd.DataFrame:
    """Each article figure with a value against reference figures with a value in the same
    currency: ``ratio`` = article / reference.

    Reference rows that source the very same article claim are the figure itself, not a
    comparison, and are skipped. Rows are ranked for each article figure: reference figures
    of the same group of kinds first (aid, pledges and appeals are flows; assets are a
    stock; equipment is a value), then the other groups; within a group the largest first.
    """
    rows = []
    art = figures[figures["layer"] == ARTICLE]
    ref = figures[figures["layer"] == REFERENCE]
    for _, a in art.iterrows():
        av = best_value(a)
        if av is None:
            continue
        own = _kind_group(a[C.KIND])
        for _, r in ref.iterrows():
            rv = best_value(r)
            if rv is None or rv == 0 or r[C.CURRENCY] != a[C.CURRENCY]:
                continue
            if r[C.CLAIM_ID] and r[C.CLAIM_ID] == a[C.CLAIM_ID]:
                continue  # the same figure, sourced: not a comparison
            group = _kind_group(r[C.KIND])
            rows.append({"article_id": a["id"], "reference_id": r["id"], "ratio": av / rv,
                         "article_amount": a["amount"], "reference_amount": r["amount"],
                         "article_description": a[C.DESCRIPTION],
                         "reference_description": r[C.DESCRIPTION],
                         "reference_precision": r[C.PRECISION],
                         C.CLAIM_ID: a[C.CLAIM_ID], C.SOURCE_ID: r[C.SOURCE_ID],
                         "reference_value": rv, "article_value": av,
                         "group_rank": 0 if group == own else 1 + group})
    columns = ["article_id", "reference_id", "ratio", "article_amount", "reference_amount",
               "article_description", "reference_description", "reference_precision",
               C.CLAIM_ID, C.SOURCE_ID, "reference_value", "article_value", "group_rank"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["article_value", "article_id", "group_rank", "reference_value",
                            "reference_id"], ascending=[False, True, True, False, True]
                           ).reset_index(drop=True)


def headline_comparisons(comparisons: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    """For the first article figure: the largest reference figure of each of the ``n``
    best-ranked groups of kinds (see :func:`money_comparisons`)."""
    if comparisons.empty:
        return comparisons
    first = comparisons[comparisons["article_id"] == comparisons.iloc[0]["article_id"]]
    return first.drop_duplicates("group_rank").head(n)


def format_share(ratio: float, reference_precision: str = "exact") -> str:
    """0.0033 -> 'about 0.33%'; 3.5 -> 'about 3.5 times'. Against a 'more than' figure the
    share is an upper bound ('less than 2.6%')."""
    approx = "less than" if reference_precision == "lower_bound" else "about"
    if ratio >= 1:
        return f"{approx} {ratio:.2g} times"
    pct = ratio * 100
    return f"{approx} {pct:.2g}%" if pct >= 0.01 else "less than 0.01%"


# ---------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------


def speaker_label(speaker: str, kind: str | None = None, short: bool = False) -> str:
    """The article's own narration is labelled as such, not as a person called 'article'."""
    if kind == "narration" or speaker == ARTICLE:
        return "Narration" if short else "The article (narration)"
    return speaker


def claims_by_speaker(claims: pd.DataFrame, by: str = C.CLAIM_TYPE) -> pd.DataFrame:
    """Speakers x ``by`` (claim type or topic): counts, speakers with most claims first.

    The index holds the speaker labels (see :func:`speaker_label`); a ``total`` column is
    added. Columns follow the order of first appearance in the schema's enum when known.
    """
    if claims.empty:
        return pd.DataFrame(columns=["total"])
    labels = [speaker_label(s, k) for s, k in zip(claims[C.SPEAKER], claims[C.SPEAKER_KIND],
                                                   strict=True)]
    table = pd.crosstab(pd.Series(labels, name="speaker", index=claims.index), claims[by])
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    table = table.assign(_name=table.index).sort_values(["total", "_name"],
                                                        ascending=[False, True])
    return table.drop(columns="_name")


def top_speakers(claims: pd.DataFrame, n: int = 2, types: Sequence[str] = STANCE_TYPES,
                 exclude_kinds: Sequence[str] = NON_SPEAKER_KINDS) -> list[str]:
    """The ``n`` speakers with most stance claims (position, proposal, pledge, warning);
    ties broken by total claims, then by name. The narration and unnamed groups are left
    out: they have no position of their own."""
    c = claims[~claims[C.SPEAKER_KIND].isin(list(exclude_kinds))]
    if c.empty:
        return []
    stance = c[c[C.CLAIM_TYPE].isin(list(types))].groupby(C.SPEAKER).size()
    total = c.groupby(C.SPEAKER).size()
    frame = pd.DataFrame({"stance": stance, "total": total}).fillna(0)
    frame = frame[frame["stance"] > 0]
    frame = frame.assign(_name=frame.index).sort_values(["stance", "total", "_name"],
                                                        ascending=[False, False, True])
    return list(frame.index[:n])


def positions(claims: pd.DataFrame, speakers: Sequence[str],
              types: Sequence[str] = STANCE_TYPES) -> pd.DataFrame:
    """Topic x speaker: each cell the speaker's stance claims on that topic as a tuple of
    ``(claim_id, claim_type, statement)``; topics in the schema's order."""
    c = claims[claims[C.SPEAKER].isin(list(speakers)) & claims[C.CLAIM_TYPE].isin(list(types))]
    from .schema import TOPICS

    topics = [t for t in TOPICS if t in set(c[C.TOPIC])]
    topics += sorted(set(c[C.TOPIC]) - set(topics))
    rows = []
    for topic in topics:
        row = {C.TOPIC: topic}
        for s in speakers:
            sub = c[(c[C.TOPIC] == topic) & (c[C.SPEAKER] == s)]
            row[s] = tuple(zip(sub[C.CLAIM_ID], sub[C.CLAIM_TYPE], sub[C.STATEMENT],
                               strict=True))
        rows.append(row)
    return pd.DataFrame(rows, columns=[C.TOPIC, *speakers])


def claims_mentioning(claims: pd.DataFrame, code: str) -> pd.DataFrame:
    """Claims whose ``countries`` list names ``code``."""
    mask = claims[C.COUNTRIES].map(lambda v: code in items(v))
    return claims[mask]


def claims_about(claims: pd.DataFrame, organisations: Sequence[str] | None) -> pd.DataFrame:
    """Claims that name none of the organisations, or at least one of those shown."""
    if not organisations:
        return claims
    chosen = set(organisations)
    mask = claims[C.ORGANISATIONS].map(lambda v: not items(v) or bool(set(items(v)) & chosen))
    return claims[mask]


def cap(frame: pd.DataFrame, max_rows: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows shown, the rows left out) for a table capped at ``max_rows``."""
    if max_rows is None or max_rows <= 0 or len(frame) <= max_rows:
        return frame, frame.iloc[0:0]
    return frame.iloc[:max_rows], frame.iloc[max_rows:]


# ---------------------------------------------------------------------------------------
# Article vs reference
# ---------------------------------------------------------------------------------------


def qualified_claims(qualifications: pd.DataFrame, claims: pd.DataFrame,
                     sources: pd.DataFrame, verdicts: Sequence[str] | None = None
                     ) -> pd.DataFrame:
    """Each qualification with the claim it is about and its source, most serious first
    (contradicted, qualified, not verified, confirmed)."""
    q = qualifications
    if verdicts:
        q = q[q[C.VERDICT].isin(list(verdicts))]
    cl = claims[[C.CLAIM_ID, C.SPEAKER, C.SPEAKER_KIND, C.STATEMENT]]
    src = sources[[C.SOURCE_ID, C.PUBLISHER, C.TITLE, C.URL, C.DATE]]
    out = q.merge(cl, on=C.CLAIM_ID, how="left").merge(src, on=C.SOURCE_ID, how="left")
    order = {v: i for i, v in enumerate(VERDICT_ORDER)}
    out["_v"] = out[C.VERDICT].map(lambda v: order.get(v, len(order)))
    out["_c"] = out[C.CLAIM_ID].map(_ref_key)
    return out.sort_values(["_v", "_c", C.REF_ID]).drop(columns=["_v", "_c"]
                                                        ).reset_index(drop=True)


def verdict_counts(qualified: pd.DataFrame) -> dict[str, int]:
    """Number of distinct claims per verdict, in the schema's order."""
    out = {}
    for v in VERDICTS:
        n = qualified.loc[qualified[C.VERDICT] == v, C.CLAIM_ID].nunique()
        if n:
            out[v] = int(n)
    return out


# ---------------------------------------------------------------------------------------
# Key judgements
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """One bullet of the key judgements: plain text and the evidence ids behind it."""

    text: str
    refs: tuple[str, ...] = ()


def _evidence(frame: pd.DataFrame, column: str = "evidence") -> tuple[str, ...]:
    out: list[str] = []
    for v in frame[column]:
        out.extend(items(v))
    return tuple(dict.fromkeys(out))


def judge_overlap(matrix: pd.DataFrame, long: pd.DataFrame, organisations: Sequence[str],
                  statuses: Sequence[str]) -> Judgement | None:
    """How many states belong to all the organisations shown, and which."""
    orgs = list(organisations)
    if len(orgs) < 2 or matrix.empty:
        return None
    both = in_all(matrix, orgs)
    what = "both" if len(orgs) == 2 else f"all {len(orgs)}"
    nouns = statuses_noun(statuses)
    names = join_names(list(both[C.COUNTRY]))
    refs = _evidence(long[long[C.COUNTRY_CODE].isin(both[C.COUNTRY_CODE])])
    n_states = len(matrix)
    multi = matrix[matrix["n_organisations"] >= 2]
    if both.empty:
        text = f"No state counts in {what} of {join_names(orgs)} (as {nouns})"
        if len(multi):
            text += (f"; {count_word(len(multi), False)} of the {n_states} states shown count "
                     f"in two: {join_names(list(multi[C.COUNTRY]))}.")
            return Judgement(text, _evidence(long[long[C.COUNTRY_CODE].isin(
                multi[C.COUNTRY_CODE])]))
        return Judgement(text + f"; each of the {n_states} states shown counts in one only.",
                         _evidence(long))
    multi = matrix[matrix["n_organisations"] >= 2]
    extra = ""
    if len(orgs) > 2 and len(multi) > len(both):
        extra = f" {count_word(len(multi))} count in two or more."
    verb = f"are {nouns}" if len(both) != 1 else f"is {statuses_noun(statuses, False)}"
    text = (f"{count_word(len(both))} of the {n_states} states shown {verb} of "
            f"{what} {join_names(orgs)}: {names}.{extra}")
    return Judgement(text, refs)


def judge_borders(matrix_b: pd.DataFrame, subject_name: str) -> Judgement | None:
    """How many of the states shown actually border the subject country."""
    if matrix_b.empty:
        return None
    groups = border_summary(matrix_b)
    others = matrix_b[matrix_b[C.BORDER_STATUS] != SUBJECT]
    n = len(others)
    if n == 0:
        return None
    rec = groups["recognised"]
    refs = tuple(dict.fromkeys(s for s in matrix_b.loc[
        matrix_b[C.BORDER_STATUS].isin(["recognised", "claimed", "none"]), "border_source"]
        if s))
    shown = "states shown" if n == len(matrix_b) else "other states shown"
    text = (f"Only {count_word(len(rec), False)} of the {n} {shown} share a recognised "
            f"land border with {subject_name}" if len(rec) < n else
            f"All {n} {shown} share a recognised land border with {subject_name}")
    text += f" ({join_names(rec)})" if rec and len(rec) < n else ""
    if groups["claimed"]:
        text += f"; {join_names(groups['claimed'])} only claims one"
    if groups["none"]:
        text += f"; {join_names(groups['none'])} {'has' if len(groups['none']) == 1 else 'have'}"
        text += " none"
    if groups["unknown"]:
        text += f"; the reference data says nothing of {join_names(groups['unknown'])}"
    return Judgement(text + ".", refs)


_LOWER_WHEN_JOINED = {"The", "A", "An", "It", "Its", "This", "These", "Those", "They",
                      "There", "Their", "Both", "Each", "Some", "Other"}


def clause(statement: str) -> str:
    """A statement as a clause of a longer sentence: no final full stop, and a sentence-initial
    common word ("The two leaders ...") lower-cased; names ("China ...") keep their capital."""
    text = statement.strip().rstrip(". ")
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in _LOWER_WHEN_JOINED else text


def judge_pledges(claims: pd.DataFrame, limit: int = 3) -> Judgement | None:
    """Who pledged what: the pledge claims (their statements name who pledged)."""
    p = claims[claims[C.CLAIM_TYPE] == "pledge"]
    if p.empty:
        return None
    parts = [clause(st) for st in p[C.STATEMENT]][:limit]
    more = len(p) - len(parts)
    text = (f"{count_word(len(p))} pledge{'s are' if len(p) != 1 else ' is'} reported: "
            + "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + ".")
    return Judgement(text, tuple(p[C.CLAIM_ID][:limit]))


def _quoted(description: str) -> str:
    return short_description(description, 100)


def judge_money(figures: pd.DataFrame) -> Judgement | None:
    """The article's stated figures against the reference context."""
    art = figures[figures["layer"] == ARTICLE]
    if art.empty:
        return None
    heads = headline_comparisons(money_comparisons(figures))
    vague = art[art[C.PRECISION].isin(["order_of_magnitude", "not_stated"])]
    vague_txt = ""
    if not vague.empty:
        vague_txt = (f" {count_word(len(vague))} other figure{'s' if len(vague) != 1 else ''}"
                     f" in the article {'have' if len(vague) != 1 else 'has'} no precise "
                     "amount (" + "; ".join(vague["amount"]) + ").")
    refs = tuple(art[C.CLAIM_ID])
    if heads.empty:
        stated = "; ".join(f"{_quoted(d)}: {amt}" for d, amt in
                           zip(art[C.DESCRIPTION], art["amount"], strict=True))
        return Judgement(f"Money in the article — {stated}.", refs)
    first = heads.iloc[0]
    rel = join_names([f"{format_share(r.ratio, r.reference_precision)} of "
                      f"{r.reference_amount} ({_quoted(r.reference_description)})"
                      for r in heads.itertuples()])
    text = (f"The article's {first['article_amount']} ({_quoted(first['article_description'])})"
            f" is {rel}, according to reference sources." + vague_txt)
    refs = tuple(dict.fromkeys([first[C.CLAIM_ID], *heads[C.SOURCE_ID],
                                *vague[C.CLAIM_ID]]))
    return Judgement(text, refs)


def judge_qualifications(qualified: pd.DataFrame, limit: int = 3) -> Judgement | None:
    """Which statements the reference sources qualify or contradict."""
    serious = qualified[qualified[C.VERDICT].isin(["contradicted", "qualified",
                                                   "not_verified"])]
    if serious.empty:
        if qualified.empty:
            return None
        n = qualified[C.CLAIM_ID].nunique()
        return Judgement(f"The reference sources confirm all {n} statements checked.",
                         tuple(qualified[C.CLAIM_ID]))
    counts = verdict_counts(qualified)
    count_txt = join_names([f"{n} {label(v).lower()}" for v, n in counts.items()])
    firsts = serious.drop_duplicates(C.CLAIM_ID).head(limit)
    examples = " ".join(
        f"{label(verdict)}: " + "; ".join(clause(st) for st in g[C.STATEMENT]) + "."
        for verdict, g in firsts.groupby(C.VERDICT, sort=False))
    n_claims = qualified[C.CLAIM_ID].nunique()
    several = (" (some statements get more than one verdict, from different sources)"
               if sum(counts.values()) > n_claims else "")
    text = (f"Of {n_claims} article statements checked against reference sources: "
            f"{count_txt}{several}. {examples}")
    refs = tuple(dict.fromkeys([*firsts[C.CLAIM_ID], *firsts[C.SOURCE_ID]]))
    return Judgement(text, refs)


def judge_changes(changes: pd.DataFrame, as_of: dt.date, article_date: str
                  ) -> Judgement | None:
    """What changed in membership between the article's date and ``as_of``."""
    if changes.empty:
        return None
    bits = []
    for (org, change), g in changes.groupby([C.ORGANISATION, "change"], sort=True):
        names = join_names(list(g[C.COUNTRY]))
        plural = len(g) > 1
        if change == "joined":
            after = g["after"].iloc[0] if g["after"].nunique() == 1 else "member"
            bits.append(f"{names} {'are' if plural else 'is'} now "
                        f"{status_phrase(after, plural)} the {org}")
        elif change == "left":
            bits.append(f"{names} no longer count{'' if plural else 's'} in the {org}")
        else:
            for r in g.itertuples():
                bits.append(f"{r.country} is now {status_phrase(r.after)} the {org} "
                            f"(was {status_phrase(r.before)[:-3].strip()})")
    text = (f"As of {as_of.isoformat()}, compared with the article ({article_date}): "
            + "; ".join(bits) + ".")
    return Judgement(text, _evidence(changes))


def memberships_phrase(rows: pd.DataFrame) -> str:
    """``a member of the CSTO and the SCO; acceding to the XYZ`` from membership rows."""
    parts = []
    for status, g in rows.groupby(C.STATUS, sort=False):
        orgs = join_names([f"the {o}" for o in g[C.ORGANISATION]])
        parts.append(f"{status_phrase(status)} {orgs}")
    return "; ".join(parts)


def judge_focus(code: str, name: str, long: pd.DataFrame, matrix_b: pd.DataFrame,
                claims: pd.DataFrame, subject_name: str,
                borders: pd.DataFrame | None = None, lead: str = "Focus — ") -> Judgement:
    """A sentence on the focus country: memberships, border, mentions. The border comes
    from the matrix, or from ``borders`` (already about the subject) when the state is not
    in the matrix."""
    mine = long[long[C.COUNTRY_CODE] == code]
    memb = "is " + memberships_phrase(mine) if not mine.empty else \
        "belongs to none of the organisations shown"
    refs = list(_evidence(mine))
    row = matrix_b[matrix_b[C.COUNTRY_CODE] == code]
    status, source = "unknown", ""
    if not row.empty:
        status, source = row.iloc[0][C.BORDER_STATUS], row.iloc[0]["border_source"]
    elif borders is not None:
        b = borders[borders[C.COUNTRY_CODE] == code]
        if not b.empty:
            status, source = b.iloc[0][C.BORDER_STATUS], b.iloc[0][C.SOURCE_ID]
    if name == subject_name:
        status = SUBJECT
    border = {"recognised": f"; it borders {subject_name}",
              SUBJECT: "; it is the country the article is about",
              "claimed": f"; it claims a border with {subject_name}",
              "none": f"; it does not border {subject_name}"}.get(status, "")
    if source:
        refs.append(source)
    mentions = claims_mentioning(claims, code)
    text = (f"{lead}{name} {memb}{border}; the article names it in {len(mentions)} "
            f"claim{'s' if len(mentions) != 1 else ''}.")
    return Judgement(text, tuple(dict.fromkeys([*refs, *mentions[C.CLAIM_ID][:5]])))


# ---------------------------------------------------------------------------------------
# Everything a briefing shows, computed once
# ---------------------------------------------------------------------------------------


@dataclass
class View:
    """The analysis behind one briefing: what the parameters select from the dataset."""

    meta: dict
    organisations: list[str]
    organisation_names: dict[str, str]
    statuses: tuple[str, ...]
    as_of: dt.date | None
    subject: str
    subject_name: str
    focus: str | None
    focus_name: str | None
    long: pd.DataFrame
    matrix: pd.DataFrame
    overlap: pd.DataFrame
    article_long: pd.DataFrame
    changes: pd.DataFrame
    unknown: pd.DataFrame
    figures: pd.DataFrame
    claims: pd.DataFrame
    qualified: pd.DataFrame
    speakers: list[str]
    borders: pd.DataFrame

    @property
    def date_shown(self) -> str:
        """The date the membership is shown for (as-of date, else the article's)."""
        return self.as_of.isoformat() if self.as_of else self.meta.get("event_date", "")


def build_view(tables: dict[str, pd.DataFrame], meta: dict,
               organisations: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None, as_of: dt.date | str | None = None,
               focus: str | None = None) -> View:
    """Compute every frame the briefing shows from the dataset's tables and the parameters."""
    orgs_df = tables["organisations"]
    orgs = organisation_order(orgs_df, organisations)
    names = dict(zip(tables["countries"][C.COUNTRY_CODE], tables["countries"][C.NAME],
                     strict=True))
    statuses = tuple(statuses) if statuses else ("member",)
    as_of = _to_date(as_of)
    long = membership(tables["members"], tables["membership_timeline"], as_of, statuses, orgs)
    subject = meta.get("subject_country_code", "")
    matrix = add_borders(membership_matrix(long, orgs), tables["borders"], subject)
    article_long = membership(tables["members"], None, None, statuses, orgs)
    changes = (membership_changes(article_long, long) if as_of is not None
               else membership_changes(long, long))
    claims = claims_about(tables["claims"], orgs)
    return View(
        meta=dict(meta), organisations=orgs,
        organisation_names=dict(zip(orgs_df[C.CODE], orgs_df[C.NAME], strict=True)),
        statuses=statuses, as_of=as_of, subject=subject,
        subject_name=names.get(subject, subject), focus=focus or None,
        focus_name=names.get(focus) if focus else None, long=long, matrix=matrix,
        overlap=overlap(matrix, orgs), article_long=article_long, changes=changes,
        unknown=unknown_before(tables["membership_timeline"], as_of, orgs),
        figures=money_figures(tables["money"], tables["money_context"]), claims=claims,
        qualified=qualified_claims(tables["qualifications"], tables["claims"],
                                   tables["sources"]),
        speakers=top_speakers(claims),
        borders=tables["borders"][tables["borders"][C.NEIGHBOUR_CODE] == subject],
    )


def key_judgements(v: View) -> list[Judgement]:
    """The 4–6 bullets at the top of the briefing, each computed from the view."""
    found = [
        judge_overlap(v.matrix, v.long, v.organisations, v.statuses),
        judge_borders(v.matrix, v.subject_name),
        judge_changes(v.changes, v.as_of, v.meta.get("event_date", "")) if v.as_of else None,
        judge_pledges(v.claims),
        judge_money(v.figures),
        judge_qualifications(v.qualified),
    ]
    out = [j for j in found if j is not None]
    if v.focus:
        focus = judge_focus(v.focus, v.focus_name or v.focus, v.long, v.matrix, v.claims,
                            v.subject_name, v.borders)
        return [*out[:5], focus]
    return out[:6]

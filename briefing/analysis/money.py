"""Money figures: honest about precision, grouped by kind, compared like with like.

A figure is compared only with figures of the same group of kinds (aid with appeals and
pledges, reserves with reserves) and the same currency; a reference figure that sources the
very same article claim is the figure itself, confirmed or corrected, never a comparison.
A reference figure far out of line with at least two other sources for the same claim (more
than five times their median) is marked as disputed, as is one the data marks so (its
source finds it wrong: ``disputed``); of two sources alone, nothing says which is wrong.
A figure the data marks as part of another (``part_of``: the share of the reserves held at
one bank) is a part of that whole, never another estimate of it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from ..schema import C
from .amounts import amount_text, best_value, per, span_text, vague_top
from .membership import ARTICLE, REFERENCE
from .words import first_clause, to_date, without_asides

#: Groups of kinds, in the order they are shown; within the aid group, what a figure is best
#: compared with comes first (what was asked for, then what was pledged, then other aid).
KIND_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("aid", "Aid, pledges and appeals", ("appeal", "pledges", "aid")),
    ("assets", "Reserves and assets", ("assets",)),
    ("equipment", "Weapons and equipment", ("equipment",)),
    ("other", "Other amounts", ("spending", "other")),
)
#: A reference figure more than this many times the median of the other sources for the
#: same claim and kind is out of line with them (disputed).
OUTLIER_FACTOR = 5.0
#: A column the data may carry to mark a figure its sources dispute (true/false).
DISPUTED = "disputed"

MONEY_COLUMNS = ["id", "layer", C.KIND, "group", "group_label", C.DESCRIPTION, "label",
                 C.FROM_PARTY, C.FROM_CODE, C.TO_PARTY, C.TO_CODE, C.LOW, C.HIGH, C.CURRENCY,
                 C.PRECISION, C.AS_STATED, "amount", C.CLAIM_ID, C.SOURCE_ID, C.DATE,
                 "disputed", "out_of_line", C.PART_OF, "part"]


def kind_group(kind: str) -> tuple[int, str, str]:
    """(order, group code, group label) of a money kind."""
    for i, (code, words, kinds) in enumerate(KIND_GROUPS):
        if kind in kinds:
            return i, code, words
    return len(KIND_GROUPS), "other", "Other amounts"


def _out_of_line(frame: pd.DataFrame) -> pd.Series:
    """How many times the median of the other reference figures for the same claim and kind
    each reference figure is, where that is more than OUTLIER_FACTOR (else NaN): with at least
    two others, so that they outvote it. Only a figure too large is out of line."""
    out = pd.Series(math.nan, index=frame.index)
    ref = frame[(frame["layer"] == REFERENCE) & (frame[C.CLAIM_ID] != "") & ~frame["part"]]
    for _, group in ref.groupby([C.CLAIM_ID, C.KIND, C.CURRENCY]):
        values = {i: best_value(r) for i, r in group.iterrows()}
        values = {i: v for i, v in values.items() if v}
        if len(values) < 3:
            continue
        for i, v in values.items():
            others = sorted(x for j, x in values.items() if j != i)
            median = others[len(others) // 2] if len(others) % 2 else \
                (others[len(others) // 2 - 1] + others[len(others) // 2]) / 2
            if median and v / median > OUTLIER_FACTOR:
                out[i] = v / median
    return out


def money_figures(money: pd.DataFrame, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every money figure: the article's (``layer='article'``, with its claim) then the
    reference context (``layer='reference'``, with its source, and the claim it puts in
    context if any), each with its group of kinds, a label (its description up to the
    first semicolon or colon), the honest wording of the amount, the figure it is part of
    (``part_of``, '' for none; ``part`` whether there is one) and whether the sources
    dispute it."""
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
        r[C.DATE] = r[C.DATE].map(to_date)
        parts.append(r)
    keep = [c for c in MONEY_COLUMNS if c not in ("group", "group_label", "label", "amount",
                                                  "disputed", "out_of_line", "part")]
    marked = [p[DISPUTED] if DISPUTED in p.columns else pd.Series(False, index=p.index)
              for p in parts]
    out = pd.concat([p.reindex(columns=keep) for p in parts], ignore_index=True)
    out["disputed"] = pd.concat(marked, ignore_index=True).fillna(False).astype(bool)
    groups = out[C.KIND].map(kind_group)
    out["group"] = groups.map(lambda g: g[1])
    out["group_label"] = groups.map(lambda g: g[2])
    out["_g"] = groups.map(lambda g: g[0])
    out["label"] = out[C.DESCRIPTION].map(lambda d: without_asides(first_clause(str(d))))
    out["amount"] = [amount_text(lo, hi, p, cur, words) for lo, hi, p, cur, words in
                     zip(out[C.LOW], out[C.HIGH], out[C.PRECISION], out[C.CURRENCY],
                         out[C.AS_STATED], strict=True)]
    out[C.CLAIM_ID] = out[C.CLAIM_ID].fillna("")
    out[C.SOURCE_ID] = out[C.SOURCE_ID].fillna("")
    # not fillna(""): the column is float (all NaN) when no figure is part of another
    out[C.PART_OF] = [w if isinstance(w, str) else "" for w in out[C.PART_OF]]
    out["part"] = out[C.PART_OF] != ""
    out["out_of_line"] = _out_of_line(out)
    out["disputed"] = out["disputed"] | out["out_of_line"].notna()
    return out.drop(columns="_g")[MONEY_COLUMNS]


def money_involving(figures: pd.DataFrame, code: str) -> pd.DataFrame:
    """Figures where ``code`` is the donor/holder or the recipient/owner."""
    return figures[(figures[C.FROM_CODE] == code) | (figures[C.TO_CODE] == code)]


@dataclass
class Comparison:
    """One article figure with what the reference layer says about it.

    ``same``: reference figures that source the same claim (the figure confirmed,
    corrected or put in numbers); ``versus``: the reference figure it is best compared with
    (same group of kinds, same currency, not the same claim), ``ratio`` the article figure
    over it (None when either has no single value)."""

    figure: dict
    same: list[dict] = field(default_factory=list)
    versus: dict | None = None
    ratio: float | None = None
    #: the claim's statement (the article figure in a sentence of its own)
    statement: str = ""
    #: the figures its parts are part of (``part_of``), by id
    whole_of: dict[str, dict] = field(default_factory=dict)

    @property
    def wholes(self) -> list[dict]:
        """Sourced counterparts that are estimates of the figure itself, not parts of it."""
        return [r for r in self.same if not r["part"]]

    @property
    def agreeing(self) -> list[dict]:
        """Sourced counterparts that agree with the article: the same amount (within 5%),
        or inside the range a vague amount allows."""
        return [r for r in self.wholes if relation(self.figure, r) in ("match", "within")
                and not r["disputed"]]

    @property
    def differing(self) -> list[dict]:
        """Sourced counterparts that do not agree (disputed ones aside)."""
        return [r for r in self.wholes if relation(self.figure, r) == "outside"
                and not r["disputed"]]

    @property
    def consistent(self) -> list[dict]:
        """Sourced counterparts that say "more than" an amount the article's figure
        exceeds: consistent with it, not the same amount."""
        return [r for r in self.wholes if relation(self.figure, r) == "consistent"
                and not r["disputed"]]

    @property
    def floors(self) -> list[dict]:
        """Sourced counterparts that say "more than" the article's own amount (within 5%):
        the same amount given as a floor, which the article's round figure does not
        contradict."""
        return [r for r in self.wholes if relation(self.figure, r) == "floor"
                and not r["disputed"]]

    @property
    def giving(self) -> list[dict]:
        """Sourced counterparts that give an amount the article does not state, of the same
        kind as the article's figure (like for like: never a different kind of money offered
        as the amount the article leaves out)."""
        return [r for r in self.wholes if relation(self.figure, r) == "gives"
                and not r["disputed"] and r[C.KIND] == self.figure[C.KIND]]

    @property
    def parts(self) -> list[dict]:
        """Sourced figures for part of the amount ("of which"), of the same kind and with an
        amount: stated as parts of the total, never as other estimates of it."""
        return [r for r in self.same if r["part"] and best_value(r) is not None
                and not r["disputed"] and r[C.KIND] == self.figure[C.KIND]]

    @property
    def part_groups(self) -> list[dict]:
        """The :attr:`parts` under the figure each is part of, in the order of those wholes
        (by id): ``whole`` (its row), ``per`` (whose figure the whole is, from its label:
        :func:`per`) and ``parts``. A part whose whole is not in the data is left out."""
        out: dict[str, dict] = {}
        for r in self.parts:
            whole = self.whole_of.get(r[C.PART_OF])
            if whole is not None:
                out.setdefault(whole["id"], {"whole": whole, "per": per(whole["label"]),
                                             "parts": []})["parts"].append(r)
        return [out[k] for k in sorted(out)]

    @property
    def total(self) -> str:
        """The span of the amounts the sources give for a total the article leaves out
        ("about $9bn–$9.5bn"), where two or more give one; else ''."""
        return span_text(self.giving)

    @property
    def twins(self) -> list[dict]:
        """Sourced counterparts that are the article's figure itself in another account
        (the same claim, the same amount within 5%): one sum, never two to add up."""
        return [r for r in self.agreeing if relation(self.figure, r) == "match"]

    def against_others(self, row: dict) -> dict | None:
        """How a disputed figure for the article's claim compares with the other sources'
        figures for it (same kind and currency, whole sums, not disputed): ``others`` (the
        rows, smallest first) and ``times`` (its size over the largest and over the
        smallest of them, rounded: one number when both round alike), ``about`` whether
        rounding was needed. None when it has no single amount or they have none."""
        value = best_value(row)
        others = sorted((r for r in self.wholes if r["id"] != row["id"] and not r["disputed"]
                         and r[C.KIND] == row[C.KIND] and r[C.CURRENCY] == row[C.CURRENCY]
                         and best_value(r)), key=best_value)
        if not value or not others:
            return None
        ratios = [value / best_value(others[-1]), value / best_value(others[0])]
        times = sorted({round(x) for x in ratios})
        return {"others": others, "times": times,
                "about": any(abs(x - round(x)) > 0.05 for x in ratios)}

    @property
    def upper_bound(self) -> bool:
        """The ratio is at most what it says: the reference figure is 'more than'."""
        return bool(self.versus) and self.versus[C.PRECISION] == "lower_bound"


def relation(article: dict, reference: dict) -> str:
    """How a reference figure for the same claim relates to the article's: ``match`` (the
    same amount within 5%), ``within`` (inside the range a vague amount allows), ``gives``
    (the article states no amount), ``consistent`` (a "more than" the article's figure
    exceeds), ``floor`` (a "more than" the article's own amount, within 5%), ``outside`` or
    '' (the reference gives none)."""
    value = best_value(reference)
    if value is None:
        return ""
    if article[C.PRECISION] == "not_stated" or pd.isna(article[C.LOW]):
        return "gives"
    low = float(article[C.LOW])
    high = article[C.HIGH]
    if article[C.PRECISION] in ("order_of_magnitude", "lower_bound"):
        if high is not None and not pd.isna(high):
            return "within" if low <= value <= float(high) else "outside"
        # "billions" stays under a trillion; "more than X" has no top
        top = vague_top(low, article.get(C.AS_STATED)) \
            if article[C.PRECISION] == "order_of_magnitude" else None
        return "within" if low <= value and (top is None or value < top) else "outside"
    if reference[C.PRECISION] == "lower_bound":
        # "more than X" is never the same amount as X: consistent when the article's
        # figure is above the floor; at the floor, the same amount given as a floor
        if low > value:
            return "consistent"
        return "floor" if value and abs(value - low) / value <= 0.05 else "outside"
    return "match" if low and abs(value - low) / low <= 0.05 else "outside"


def _versus_rank(row: dict, group_kinds: tuple[str, ...]) -> tuple:
    kind = row[C.KIND]
    precise = 0 if row[C.PRECISION] in ("exact", "approximate") else 1
    return (group_kinds.index(kind) if kind in group_kinds else len(group_kinds), precise,
            -(best_value(row) or 0), row["id"])


def _account_of(row, mine: list) -> str:
    """The id of the article figure a reference figure for the same claim is an account of,
    of ``mine`` (the claim's article figures): the claim's one figure; of several (a claim
    that states two sums), the one in the same currency, then of the same kind, then the
    nearest in amount, then the first."""
    if len(mine) < 2:
        return mine[0]["id"] if mine else ""
    value = best_value(row)

    def distance(a) -> float:
        other = best_value(a)
        return abs(math.log(value / other)) if value and other else math.inf

    return min(mine, key=lambda a: (a[C.CURRENCY] != row[C.CURRENCY],
                                    a[C.KIND] != row[C.KIND], distance(a)))["id"]


def comparisons(figures: pd.DataFrame, claims: pd.DataFrame | None = None
                ) -> list[Comparison]:
    """For every article figure, its sourced counterparts and its like-for-like comparison
    (see :class:`Comparison`), in the order of the figures. A source's figure for a claim
    that states several sums is the counterpart of one of them (:func:`_account_of`),
    never of each."""
    statements = dict(zip(claims[C.CLAIM_ID], claims[C.STATEMENT], strict=True)) \
        if claims is not None else {}
    out = []
    art = figures[figures["layer"] == ARTICLE]
    ref = [r for _, r in figures[figures["layer"] == REFERENCE].iterrows()]
    by_id = {r["id"]: dict(r) for r in ref}
    article = [a for _, a in art.iterrows()]
    of_claim: dict[str, list] = {}
    for a in article:
        if a[C.CLAIM_ID]:
            of_claim.setdefault(a[C.CLAIM_ID], []).append(a)
    account = {r["id"]: _account_of(r, of_claim.get(r[C.CLAIM_ID], [])) for r in ref
               if r[C.CLAIM_ID]}
    for a in article:
        own = kind_group(a[C.KIND])
        same = [dict(r) for r in ref if a[C.CLAIM_ID] and r[C.CLAIM_ID] == a[C.CLAIM_ID]
                and account.get(r["id"]) == a["id"]]
        value = best_value(a)
        candidates = [dict(r) for r in ref
                      if kind_group(r[C.KIND])[1] == own[1] and r[C.CURRENCY] == a[C.CURRENCY]
                      and not (a[C.CLAIM_ID] and r[C.CLAIM_ID] == a[C.CLAIM_ID])
                      and best_value(r) and not r["disputed"] and not r["part"]]
        kinds = KIND_GROUPS[own[0]][2] if own[0] < len(KIND_GROUPS) else ()
        versus = min(candidates, key=lambda r: _versus_rank(r, kinds)) if candidates else None
        ratio = value / best_value(versus) if versus is not None and value else None
        wholes = {r[C.PART_OF]: by_id[r[C.PART_OF]] for r in same
                  if r.get(C.PART_OF) in by_id}
        out.append(Comparison(dict(a), same, versus, ratio,
                              str(statements.get(a[C.CLAIM_ID], "")).strip().rstrip("."),
                              wholes))
    return out


def figure_date(row, article_date: dt.date | None = None) -> dt.date | None:
    """The date a figure is shown with, in the chart and the tables alike: the day it
    refers to, as its source gives it (a report's count: the day it counts to, not the day
    the report came out); the article's own figures carry the article's date, the day it
    states them. None where the source gives no day: no date is made up."""
    if row["layer"] != REFERENCE:
        return article_date
    return to_date(row[C.DATE]) if not pd.isna(row[C.DATE]) else None


def with_dates(figures: pd.DataFrame, article_date: dt.date | None = None) -> pd.DataFrame:
    """The figures with the date each is shown with (:func:`figure_date`)."""
    out = figures.copy()
    out[C.DATE] = [figure_date(r, article_date) for _, r in out.iterrows()]
    return out


def in_sentence(text: str) -> str:
    """A statement inside a sentence ("The article reports that ..."): an opening article,
    pronoun or conjunction in lower case ("The arms ..." -> "the arms ..."), a name as it is
    ("China has said ..."); '' for a statement that opens with a relative word ("Where
    officials hope ...", "Which ..."): a fragment no "that" can introduce, which the caller
    names by its label instead."""
    text = str(text).strip()
    first = text.split(" ", 1)[0]
    if first.strip(",;:").lower() in _RELATIVE_WORDS:
        return ""
    if first in _OPENING_WORDS:
        return first.lower() + text[len(first):]
    return text


#: Words that open a statement and are no name: lower case inside a sentence ("The article
#: reports that the arms ...", "... that when ...").
_OPENING_WORDS = ("The", "A", "An", "Its", "Their", "This", "These", "Those", "It", "They",
                  "He", "She", "We", "There", "When", "While", "Some", "Most",
                  "Both", "All", "Each")

#: Relative words: a statement that opens with one is a fragment (a relative clause left
#: whole), never a clause "that" introduces.
_RELATIVE_WORDS = frozenset(("where", "which", "who", "whom", "whose", "whereby", "wherein"))

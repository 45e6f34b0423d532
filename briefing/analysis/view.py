"""Everything one briefing shows, computed once from the dataset and the parameters.

One filter serves every section: the ``organisations`` chosen select the memberships, the
claims (those naming none of the organisations, or one shown), and through the claims the
money figures and the checks, so that no section cites a claim the claims register leaves
out. The analyst's judgements are never filtered: the claims they cite that the register
leaves out are named without a link (:func:`briefing.analysis.judgements.not_shown`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..schema import C
from .claims import claims_about, qualified_claims
from .judgements import judgements_frame
from .membership import (
    ALL_STATUSES,
    ARTICLE,
    add_borders,
    counted_statuses,
    membership,
    membership_changes,
    membership_matrix,
    organisation_order,
    rows_where,
    undocumented,
    unknown_before,
)
from .money import Comparison, comparisons, money_figures
from .words import takes_article, to_date


@dataclass
class View:
    """The analysis behind one briefing: what the parameters select from the dataset."""

    meta: dict
    article_date: dt.date | None
    as_of: dt.date | None
    organisations: list[str]
    organisation_names: dict[str, str]
    #: "the SCO", "NATO": each organisation as it reads in a sentence
    organisation_refs: dict[str, str]
    statuses: tuple[str, ...]
    subject: str
    subject_name: str
    focus: str | None
    focus_name: str | None
    country_names: dict[str, str]
    long: pd.DataFrame
    matrix: pd.DataFrame
    article_long: pd.DataFrame
    changes: pd.DataFrame
    unknown: pd.DataFrame
    #: with an as-of date: the article's date's statuses (``article_long``'s rows) of the
    #: (organisation, state) pairs the reference timeline holds no row for, so that the
    #: as-of day cannot be told for them (not counted, and not a change); else empty
    undocumented: pd.DataFrame
    figures: pd.DataFrame
    comparisons: list[Comparison]
    claims: pd.DataFrame
    all_claims: pd.DataFrame
    qualified: pd.DataFrame
    judgements: pd.DataFrame
    borders: pd.DataFrame
    timeline: pd.DataFrame
    sources: pd.DataFrame
    tables: dict = field(repr=False, default_factory=dict)

    @property
    def date_shown(self) -> dt.date | None:
        """The day the membership is shown for: the as-of date, else the article's."""
        return self.as_of or self.article_date

    @property
    def layer(self) -> str:
        return ARTICLE if self.as_of is None else "reference"

    @property
    def organisation_words(self) -> list[str]:
        """The organisations shown as they read in a sentence."""
        return [self.org(o) for o in self.organisations]

    def org(self, code: str) -> str:
        """An organisation as it reads in a sentence: "the SCO", "NATO"."""
        return self.organisation_refs.get(code, code)


def _visible_figures(figures: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Figures whose claim is shown (reference figures tied to no claim always are)."""
    shown = set(claims[C.CLAIM_ID])
    return figures[figures[C.CLAIM_ID].map(lambda c: not c or c in shown)].reset_index(
        drop=True)


def build_view(tables: dict[str, pd.DataFrame], meta: dict,
               organisations: Sequence[str] | None = None,
               statuses: Sequence[str] | None = None, as_of: dt.date | str | None = None,
               focus: str | None = None, article: str = "") -> View:
    """Compute every frame the briefing shows from the dataset's tables and the parameters.

    ``article`` (the article's text) decides how organisations read in a sentence.
    """
    orgs_df = tables["organisations"]
    orgs = organisation_order(orgs_df, organisations)
    names = dict(zip(tables["countries"][C.COUNTRY_CODE], tables["countries"][C.NAME],
                     strict=True))
    statuses = tuple(statuses) if statuses else ("member",)
    as_of = to_date(as_of)
    article_date = to_date(meta.get("event_date"))
    timeline, quals = tables["membership_timeline"], tables["qualifications"]
    subject = meta.get("subject_country_code", "")
    counted = counted_statuses(statuses)
    long = membership(tables["members"], timeline, as_of, counted, orgs,
                      article_date=article_date, qualifications=quals)
    article_long = long if as_of is None else membership(
        tables["members"], timeline, None, counted, orgs, article_date=article_date,
        qualifications=quals)
    matrix = add_borders(membership_matrix(long, orgs), tables["borders"], subject)
    unknown = unknown_before(timeline, as_of, orgs, counted)
    # every status held on the article's date, for what a state was before it changed
    held_before = membership(tables["members"], timeline, None, ALL_STATUSES, orgs,
                             article_date=article_date) if as_of is not None else None
    changes = membership_changes(article_long, long, held_before)
    # no timeline row for a pair the article counts: the as-of day is not known for it
    silent = undocumented(article_long, timeline) if as_of is not None \
        else article_long.iloc[0:0]
    gaps = set(zip(silent[C.ORGANISATION], silent[C.COUNTRY_CODE], strict=True))
    changes = rows_where(changes, [(o, c) not in gaps for o, c in zip(
        changes[C.ORGANISATION], changes[C.COUNTRY_CODE], strict=True)])
    # a status only known from a later date may already have held: not a change
    doubtful = set(zip(unknown[C.ORGANISATION], unknown[C.COUNTRY_CODE], unknown[C.STATUS],
                       strict=True))
    changes = rows_where(changes, [(o, c, b) not in doubtful for o, c, b in zip(
        changes[C.ORGANISATION], changes[C.COUNTRY_CODE], changes["before"], strict=True)])
    all_claims = tables["claims"]
    claims = claims_about(all_claims, orgs if organisations else None)
    figures = _visible_figures(money_figures(tables["money"], tables["money_context"]),
                               claims)
    text = " ".join([article, *all_claims[C.STATEMENT].astype(str)])
    return View(
        meta=dict(meta), article_date=article_date, as_of=as_of, organisations=orgs,
        organisation_names=dict(zip(orgs_df[C.CODE], orgs_df[C.NAME], strict=True)),
        organisation_refs={o: ("the " if takes_article(o, text) else "") + o
                           for o in orgs_df[C.CODE]},
        statuses=statuses, subject=subject, subject_name=names.get(subject, subject),
        focus=focus or None, focus_name=names.get(focus) if focus else None,
        country_names=names, long=long, matrix=matrix,
        article_long=article_long, changes=changes,
        unknown=unknown, undocumented=silent,
        figures=figures, comparisons=comparisons(figures, all_claims), claims=claims,
        all_claims=all_claims,
        qualified=qualified_claims(quals, claims, tables["sources"]),
        judgements=judgements_frame(tables),
        borders=tables["borders"][tables["borders"][C.NEIGHBOUR_CODE] == subject],
        timeline=timeline, sources=tables["sources"], tables=tables,
    )

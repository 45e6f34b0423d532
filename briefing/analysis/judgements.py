"""The analyst's judgements: data like the rest, each citing the evidence it rests on.

``judgements.csv`` holds the bottom line and the key judgements, each with a likelihood in
words of estimative probability, a confidence level, its basis, the evidence against it,
its implication and the indicators to watch. Every judgement is always shown: an
``organisations`` filter narrows the charts and tables, never the analyst's judgements. A
claim a judgement cites that the filter leaves out (:func:`not_shown`) is named, not linked,
and the briefing says once where it is.
"""

from __future__ import annotations

import pandas as pd

from ..schema import LIKELIHOODS, C
from .words import items, sorted_refs, split_ids

#: Words of estimative probability (US ICD 203) and the chances they stand for.
LIKELIHOOD_RANGES: dict[str, str] = {
    word: meaning[meaning.rindex("(") + 1:-1] for word, meaning in LIKELIHOODS.items()}
"""Each likelihood word's range of chances ("55–80%"), as the schema gives it."""

JUDGEMENT_ID = "judgement_id"
KIND = "kind"
BOTTOM_LINE = "bottom_line"
CLAIM_IDS = "claim_ids"
SOURCE_IDS = "source_ids"
COLUMNS = (JUDGEMENT_ID, KIND, "headline", "judgement", "likelihood", "confidence", "basis",
           "against", "implication", "indicators", CLAIM_IDS, SOURCE_IDS)


def judgements_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The judgements table, or an empty one with its columns when the dataset has none."""
    frame = tables.get("judgements")
    if frame is None:
        return pd.DataFrame(columns=list(COLUMNS))
    return frame.reset_index(drop=True)


def evidence(row) -> tuple[str, ...]:
    """A judgement's evidence ids: its claims, then its sources."""
    return (*items(row[CLAIM_IDS]), *items(row.get(SOURCE_IDS)))


#: The columns of a judgement whose text is shown, and may name evidence ids.
PROSE = ("headline", "judgement", "basis", "against", "implication", "indicators")


def cited(row) -> tuple[str, ...]:
    """Every id a judgement cites: its evidence, then the ids in its prose, each once."""
    named = [p.text for column in PROSE if isinstance(row.get(column), str)
             for p in split_ids(row[column]) if p.is_id]
    return tuple(dict.fromkeys((*evidence(row), *named)))


def not_shown(judgements: pd.DataFrame, claims: pd.DataFrame,
              all_claims: pd.DataFrame) -> list[str]:
    """The claims the judgements cite (as evidence or in their prose) that are in the data
    but not among the ``claims`` the briefing shows, in id order: shown as plain text, never
    as a link to a row the briefing does not have."""
    hidden = set(all_claims[C.CLAIM_ID]) - set(claims[C.CLAIM_ID])
    return sorted_refs({i for _, row in judgements.iterrows() for i in cited(row)
                        if i in hidden})


def indicators(row) -> tuple[str, ...]:
    """The indicators to watch, one item each."""
    return items(row.get("indicators"))

"""The analyst's judgements: data like the rest, each citing the evidence it rests on.

``judgements.csv`` holds the bottom line and the key judgements, each with a likelihood in
words of estimative probability, a confidence level, its basis, the evidence against it,
its implication and the indicators to watch. A judgement is shown only when every claim it
cites is shown (an ``organisations`` filter can leave claims out): never with evidence the
reader cannot see.
"""

from __future__ import annotations

import pandas as pd

from ..schema import LIKELIHOODS, C
from .words import items

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


def visible(judgements: pd.DataFrame, claims: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                     pd.DataFrame]:
    """(judgements shown, judgements left out): shown when every claim cited is shown."""
    shown_claims = set(claims[C.CLAIM_ID])
    mask = judgements[CLAIM_IDS].map(lambda v: set(items(v)) <= shown_claims) \
        if len(judgements) else pd.Series([], dtype=bool)
    return judgements[mask], judgements[~mask]


def indicators(row) -> tuple[str, ...]:
    """The indicators to watch, one item each."""
    return items(row.get("indicators"))

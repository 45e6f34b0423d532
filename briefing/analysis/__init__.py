"""The briefing's analysis: pure functions over the loaded DataFrames (no plotting, no prose,
no I/O), in one module per concern:

``words``        labels, counts, lists, articles: the data-dependent pieces of a sentence
``membership``   who belongs to which organisation on a day; borders; changes over time
``money``        money figures honest about precision, compared like with like
``claims``       who says what (credited to the speaker, not the reporter); the checks
``judgements``   the analyst's judgements, each with its evidence
``view``         everything one briefing shows, computed once from the parameters
``facts``        what each section states, for the templates
``profile``      what a country profile states

Every frame carries the claim ids (article layer) or source ids (reference layer) behind
its figures, so every number a reader sees can be traced to its evidence. Nothing here
knows which article, organisations or countries the data is about.
"""

from .amounts import amount_text, best_value, format_amount, share
from .claims import (
    JOINT,
    NARRATION,
    VERDICT_ORDER,
    claim_verdicts,
    claims_by_speaker,
    claims_mentioning,
    credited,
    positions,
    top_speakers,
)
from .facts import (
    Checks,
    Claims,
    Judgements,
    Membership,
    Money,
    Positions,
    checks_facts,
    cited_sources,
    claims_facts,
    information_cutoff,
    judgement_facts,
    membership_facts,
    membership_table,
    money_facts,
    positions_facts,
    unreviewed_rows,
)
from .judgements import LIKELIHOOD_RANGES
from .membership import (
    ALL_STATUSES,
    ARTICLE,
    MEMBER_STATUSES,
    REFERENCE,
    SUBJECT,
    add_borders,
    border_summary,
    counted_statuses,
    country_timeline,
    in_all,
    membership,
    membership_changes,
    membership_matrix,
    organisation_order,
    said_border_note,
    unknown_before,
)
from .money import (
    KIND_GROUPS,
    comparisons,
    figure_date,
    in_sentence,
    kind_group,
    money_figures,
    money_involving,
)
from .profile import Profile, profile_facts
from .view import View, build_view
from .words import (
    count_word,
    day,
    evidence_pair,
    first_clause,
    items,
    join_names,
    label,
    lower_label,
    plural,
    possessive,
    ref_key,
    split_ids,
    takes_article,
    the_country,
)

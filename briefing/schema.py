"""One schema per CSV: the single source of truth for the loader, tests and data dictionary.

The schemas follow the Frictionless Table Schema vocabulary (field ``type``, ``constraints``
with ``required``/``enum``/``pattern``/``unique``/``minimum``, ``primaryKey``, ``foreignKeys``).
They are plain Python data so that validating a dataset needs no heavy import (fast failure
before any kernel).

Column names are referred to through the constants below (``C.CLAIM_ID`` ...), not scattered
string literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------
# Enumerations (each documented in data/README.md, generated from here)
# ---------------------------------------------------------------------------------------

CLAIM_TYPES: dict[str, str] = {
    "fact": "a narrated state of affairs the article presents as true",
    "event": "something that happened and is reported as such: a meeting, a signing, an "
             "attack, a disaster",
    "figure": "a statement whose substance is a number or an amount of money",
    "membership": "who belongs to, joins, applies to or partners an organisation",
    "position": "a stance or view a speaker states or is reported to hold",
    "pledge": "a commitment to act (including announced plans)",
    "proposal": "a call or suggestion that others act",
    "assessment": "an evaluative judgement about a situation or an actor",
    "forecast": "an expectation about what an actor will do or what will happen",
    "warning": "a statement that something bad may happen",
    "quote": "a remark reported for its own words (a slogan, an image, a retort) rather than "
             "for a checkable statement",
}

TOPICS: dict[str, str] = {
    "meeting": "the meeting, summit or other event reported: format, participants, "
               "significance",
    "security_cooperation": "joint security, intelligence sharing, military ties, spill-over "
                            "of instability",
    "change_of_power": "a takeover, election or other change of government, and its history",
    "recognition": "whether and how to recognise or work with a government",
    "membership": "the organisations’ members, applicants, accessions and partners",
    "regional_influence": "rivalry and influence of outside powers in a region",
    "aid_economy": "aid, trade, investment, resources and economic presence",
    "assets_finance": "reserves, frozen assets, sanctions, budgets, IMF and World Bank "
                      "programmes",
    "weapons_crime": "weapons, drugs, organised crime and terrorism",
    "conflict": "armed conflict, military operations and their toll",
    "humanitarian": "disasters, refugees, food, health and other humanitarian needs",
    "domestic_politics": "a state’s internal politics, rights and governance",
    "environment": "climate, weather, water and the environment",
    "other": "anything the other topics do not cover",
}

SPEAKER_KINDS: dict[str, str] = {
    "person": "a named individual (quoted or reported)",
    "role": "an unnamed individual identified by role or office, e.g. ‘the defence minister’ "
            "or ‘a senior diplomat’",
    "government": "a state or its government speaking as such (e.g. ‘X has said’)",
    "organisation": "an international organisation or other body speaking as such (e.g. "
                    "‘the UN said’)",
    "group": "an unnamed group, e.g. ‘analysts’",
    "narration": "the article’s own narration (speaker `article`); when the narration "
                 "reports what others pledged or said, attributed_to names them",
}

MEMBERSHIP_STATUSES: dict[str, str] = {
    "member": "full member state",
    "applicant": "has applied to join; no accession procedure launched yet",
    "acceding": "accession procedure launched, not yet a full member",
    "observer": "observer state",
    "dialogue_partner": "dialogue partner (the article’s ‘discussion partners’)",
    "partner": "partner (one category merging observers and dialogue partners, where an "
               "organisation has it)",
    "participation_frozen": "formally a member, participation frozen by the state itself",
}

ORGANISATION_KINDS: dict[str, str] = {
    "forum": "a regional or international forum or dialogue format (summits, ministerial "
             "meetings) with no binding commitments",
    "political_security_forum": "a political and security forum of states (the article’s "
                                "words for the SCO)",
    "union": "a political or economic union or regional community of states",
    "economic_union": "an economic or trade union, common market or customs union",
    "alliance": "an alliance or coalition of states, without a collective-defence treaty",
    "military_alliance": "a military alliance with a collective-defence commitment",
    "other": "any other kind of organisation",
}

MONEY_KINDS: dict[str, str] = {
    "aid": "aid promised or delivered",
    "spending": "money spent or budgeted by a government or organisation on its own account",
    "equipment": "value of weapons or equipment",
    "assets": "reserves or assets held or frozen",
    "pledges": "amounts pledged by donors at a conference",
    "appeal": "amount sought by an appeal",
    "other": "any other amount of money",
}

PRECISIONS: dict[str, str] = {
    "exact": "a stated figure (low = high)",
    "approximate": "a figure given as ‘about’ (low = high, or a narrow range)",
    "lower_bound": "‘at least’ or ‘more than’ a figure (the briefing uses the words of "
                   "as_stated): low given, high empty",
    "order_of_magnitude": "a vague magnitude such as ‘billions’: a range, never a point",
    "not_stated": "the money is mentioned but no amount is given: low and high empty",
}

START_PRECISIONS: dict[str, str] = {
    "exact": "the status began on start_date",
    "on_or_before": "the status is only known to hold on start_date; it may have begun earlier",
}

BORDER_STATUSES: dict[str, str] = {
    "recognised": "an internationally recognised land border",
    "claimed": "a border claimed but not held (disputed, not de facto)",
    "none": "no land border",
}

VERDICTS: dict[str, str] = {
    "confirmed": "the reference sources confirm the article’s statement",
    "qualified": "true in part, or overstated: the sources add a needed qualification",
    "contradicted": "the reference sources contradict the statement",
    "not_verified": "the sources could not confirm the statement",
}

SOURCE_KINDS: dict[str, str] = {
    "official": "a government, parliament, court or international organisation speaking for "
                "itself: transcripts, statements, declarations, official reports (e.g. "
                "kremlin.ru, the SCO Secretariat, OCHA, SIGAR, a foreign ministry)",
    "news": "a news agency, newspaper or broadcaster reporting events (e.g. Reuters, AP, "
            "AFP, TASS, Xinhua, RFE/RL), including a fact-check by a news organisation",
    "research": "a think tank, university or research institute’s analysis",
    "reference_work": "a reference work compiled and updated by an institution (e.g. the CIA "
                      "World Factbook); give its edition or update date",
}

#: Web domains a professional briefing does not cite as evidence: wikis, blogs, forums,
#: content farms and sites that reprint other outlets' reports. A source on one of them
#: gives a warning (cite the original or a second, decent source). A subdomain counts too.
WEAK_DOMAINS: dict[str, str] = {
    "wikipedia.org": "a wiki anyone can edit",
    "tripod.com": "a personal home page host",
    "blogspot.com": "a blog host",
    "wordpress.com": "a blog host",
    "medium.com": "a blog platform",
    "reddit.com": "a discussion forum",
    "defence.pk": "a discussion forum",
    "michaelsavage.com": "a personal commentary site",
    "manchikoni.com": "a content farm",
    "pyknet.net": "a reprint blog",
    "ycnews.com": "a content farm",
    "exbulletin.com": "a content farm reprinting other outlets",
    "urdupoint.com": "an aggregator reprinting wire copy",
    "devdiscourse.com": "an aggregator reprinting wire copy",
    "space-travel.com": "an aggregator reprinting wire copy",
}

#: Words of estimative probability (US ICD 203, Analytic Standards), each a range of chances.
LIKELIHOODS: dict[str, str] = {
    "almost_no_chance": "almost no chance, remote (1–5%)",
    "very_unlikely": "very unlikely, highly improbable (5–20%)",
    "unlikely": "unlikely, improbable (20–45%)",
    "roughly_even_chance": "roughly even chance, roughly even odds (45–55%)",
    "likely": "likely, probable (55–80%)",
    "very_likely": "very likely, highly probable (80–95%)",
    "almost_certain": "almost certain, nearly certain (95–99%)",
}

CONFIDENCES: dict[str, str] = {
    "high": "several independent, reliable sources agree; little room for another reading",
    "moderate": "credible sources, but incomplete, single-sourced or open to another reading",
    "low": "fragmentary, doubtful or contested evidence",
}

JUDGEMENT_KINDS: dict[str, str] = {
    "bottom_line": "the briefing’s bottom line: what the reader must take away (one row)",
    "key_judgement": "a key judgement, shown in the order of the file",
}

ISO3_PATTERN = r"^[A-Z]{3}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]*$"
"""Any identifier a curator chooses (``C01``, ``c-12``, ``Q_3``): a letter, then letters,
digits, ``_`` or ``-``. The ids of the shipped data follow C01/S01/M01/R01/Q01 by habit only."""
#: A claim, judgement or source id in running text (C07, J02, S11): what a judgement's prose
#: cites, and what the briefing links to the annex.
EVIDENCE_ID = re.compile(r"\b([CJS]\d{2,})\b")


# ---------------------------------------------------------------------------------------
# Schema vocabulary
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One column. ``type`` is one of string, integer, number, boolean, date, list.

    ``list`` cells hold ``;``-separated values (e.g. ``CHN;RUS``). ``names_code`` marks a
    country-name column that must be the canonical name of the code in that other column.
    """

    name: str
    type: str
    description: str
    required: bool = True
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    unique: bool = False
    minimum: float | None = None
    names_code: str | None = None
    example: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``field`` (each item, for a list field) must exist in ``table.ref_field``."""

    field: str
    table: str
    ref_field: str


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    layer: str  # "article", "reference", "analysis" or "dictionary"
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: a file a dataset may leave out (the analyst's judgements): validated when present
    optional: bool = False

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def get(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _enum(values: dict[str, str]) -> tuple[str, ...]:
    return tuple(values)


# ---------------------------------------------------------------------------------------
# Column names
# ---------------------------------------------------------------------------------------


class C:
    """Column names used by code (single place to rename a column)."""

    CLAIM_ID = "claim_id"
    SPEAKER = "speaker"
    SPEAKER_KIND = "speaker_kind"
    ATTRIBUTED_TO = "attributed_to"
    CLAIM_TYPE = "claim_type"
    TOPIC = "topic"
    STATEMENT = "statement"
    EVIDENCE = "evidence"
    IS_DIRECT_QUOTE = "is_direct_quote"
    COUNTRIES = "countries"
    ORGANISATIONS = "organisations"
    EVIDENCE_START = "evidence_start"
    EVIDENCE_END = "evidence_end"

    COUNTRY_CODE = "country_code"
    COUNTRY = "country"
    ORGANISATION = "organisation"
    STATUS = "status"

    CODE = "code"
    NAME = "name"
    KIND = "kind"
    LEAD_COUNTRY_CODE = "lead_country_code"
    DESCRIPTION = "description"

    MONEY_ID = "money_id"
    FROM_PARTY = "from_party"
    FROM_CODE = "from_code"
    TO_PARTY = "to_party"
    TO_CODE = "to_code"
    LOW = "low"
    HIGH = "high"
    CURRENCY = "currency"
    PRECISION = "precision"
    AS_STATED = "as_stated"

    SOURCE_ID = "source_id"
    PUBLISHER = "publisher"
    TITLE = "title"
    URL = "url"
    DATE = "date"

    START_DATE = "start_date"
    START_PRECISION = "start_precision"
    END_DATE = "end_date"
    EVENT = "event"

    BORDERS_AFGHANISTAN = "borders_afghanistan"
    BORDER_STATUS = "border_status"
    LENGTH_KM = "length_km"
    NEIGHBOUR_CODE = "neighbour_code"

    REF_ID = "ref_id"
    VERDICT = "verdict"
    NOTE = "note"
    REFERENCE_MONEY_ID = "reference_money_id"
    PART_OF = "part_of"
    DISPUTED = "disputed"
    REVIEW = "review"


# Reusable field definitions -----------------------------------------------------------

def _claim_ref(required: bool = True,
               description: str = "the claim in claims.csv that states this row") -> Field:
    return Field(C.CLAIM_ID, "string", description,
                 required=required, pattern=ID_PATTERN, example="C27")


def _source_ref() -> Field:
    return Field(C.SOURCE_ID, "string", "the source in reference/sources.csv for this row",
                 pattern=ID_PATTERN, example="S03")


def _country_pair(prefix: str = "", what: str = "the country", required: bool = True
                  ) -> tuple[Field, Field]:
    code = f"{prefix}_code" if prefix else C.COUNTRY_CODE
    name = prefix or C.COUNTRY
    return (
        Field(code, "string", f"ISO 3166-1 alpha-3 code of {what}", required=required,
              pattern=ISO3_PATTERN, example="TJK"),
        Field(name, "string", f"canonical name of {what} (as in countries.csv)",
              required=required, names_code=code, example="Tajikistan"),
    )


def _date(name: str, description: str, required: bool = True) -> Field:
    return Field(name, "date", description + " (ISO 8601, YYYY-MM-DD)", required=required,
                 pattern=DATE_PATTERN, example="2021-09-17")


def _review() -> Field:
    return Field(C.REVIEW, "string", "what a person still has to confirm in a row written by "
                 "`python -m briefing draft`; empty once the row has been checked",
                 required=False, example="draft: check the speaker (‘he’ read as Putin)")


# Prose columns (and article.json keys): a joiner (ZWJ, ZWNJ) that some scripts need is
# allowed there. Every other text column is a name, code or identifier, where no invisible
# character is (briefing.constraints).
FREE_TEXT: frozenset[str] = frozenset({C.STATEMENT, C.EVIDENCE, C.DESCRIPTION, C.AS_STATED,
                                       C.TITLE, C.NOTE, C.EVENT,
                                       # the analyst's prose (judgements.csv)
                                       "headline", "judgement", "basis", "against",
                                       "implication", "indicators"})


# ---------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------

COUNTRIES = Table(
    name="countries",
    path="countries.csv",
    layer="dictionary",
    description="Every state named anywhere in the data: one canonical name per ISO code.",
    fields=(
        Field(C.COUNTRY_CODE, "string", "ISO 3166-1 alpha-3 code", pattern=ISO3_PATTERN,
              unique=True, example="KGZ"),
        Field(C.NAME, "string", "canonical English short name used everywhere in the data",
              unique=True, example="Kyrgyzstan"),
        _review(),
    ),
    primary_key=(C.COUNTRY_CODE,),
)

CLAIMS = Table(
    name="claims",
    path="claims.csv",
    layer="article",
    description="Every checkable statement in the article, one claim per row.",
    fields=(
        Field(C.CLAIM_ID, "string", "stable identifier of the claim: a letter, then "
              "letters, digits, `_` or `-`", pattern=ID_PATTERN, unique=True, example="C01"),
        Field(C.SPEAKER, "string", "who voices the claim in the text: a person, a role "
              "(‘the defence minister’), a government, ‘analysts’, or `article` for the "
              "article’s own narration", example="Vladimir Putin"),
        Field(C.SPEAKER_KIND, "string", "what kind of speaker it is",
              enum=_enum(SPEAKER_KINDS), example="person"),
        Field(C.ATTRIBUTED_TO, "list", "whose claim it is when the speaker only reports it: "
              "the actors whose pledge, position or words the narration (or another "
              "speaker) reports, `;`-separated; empty when the speaker speaks for itself",
              required=False, example="Xi Jinping;Vladimir Putin"),
        Field(C.CLAIM_TYPE, "string", "what kind of statement it is",
              enum=_enum(CLAIM_TYPES), example="pledge"),
        Field(C.TOPIC, "string", "what the claim is about", enum=_enum(TOPICS),
              example="security_cooperation"),
        Field(C.STATEMENT, "string", "a neutral one-line paraphrase of the claim",
              example="Xi and Putin pledged to join forces to prevent spill-over."),
        Field(C.EVIDENCE, "string", "the verbatim span of article.txt that supports the claim",
              example="on Friday pledged to join forces"),
        Field(C.IS_DIRECT_QUOTE, "boolean", "true when the evidence is the speaker’s own "
              "words inside quotation marks", example="false"),
        Field(C.COUNTRIES, "list", "ISO codes of the states the claim names, `;`-separated",
              required=False, example="CHN;RUS"),
        Field(C.ORGANISATIONS, "list", "codes of the organisations the claim names, "
              "`;`-separated", required=False, example="SCO;CSTO"),
        Field(C.EVIDENCE_START, "integer", "character offset in article.txt where the "
              "evidence starts (filled in by the loader when empty)", required=False,
              minimum=0, example="112"),
        Field(C.EVIDENCE_END, "integer", "character offset just past the evidence’s end "
              "(filled in by the loader when empty)", required=False, minimum=0,
              example="164"),
        _review(),
    ),
    primary_key=(C.CLAIM_ID,),
    foreign_keys=(
        ForeignKey(C.COUNTRIES, "countries", C.COUNTRY_CODE),
        ForeignKey(C.ORGANISATIONS, "organisations", C.CODE),
    ),
)

ORGANISATIONS = Table(
    name="organisations",
    path="organisations.csv",
    layer="article",
    description="The organisations as the article describes them.",
    fields=(
        Field(C.CODE, "string", "short code used everywhere in the data",
              pattern=r"^[A-Z][A-Z0-9]{1,9}$", unique=True, example="SCO"),
        Field(C.NAME, "string", "full name as the article gives it",
              example="Shanghai Cooperation Organisation"),
        Field(C.KIND, "string", "what kind of organisation the article says it is",
              enum=_enum(ORGANISATION_KINDS), example="political_security_forum"),
        Field(C.LEAD_COUNTRY_CODE, "string", "ISO code of the state the article says leads "
              "it (empty when the article names none)", required=False,
              pattern=ISO3_PATTERN, example="CHN"),
        Field(C.DESCRIPTION, "string", "the article’s own description, briefly",
              example="a Eurasian political and security forum"),
        _claim_ref(),
        _review(),
    ),
    primary_key=(C.CODE,),
    foreign_keys=(
        ForeignKey(C.LEAD_COUNTRY_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.CLAIM_ID, "claims", C.CLAIM_ID),
    ),
)

MEMBERS = Table(
    name="members",
    path="members.csv",
    layer="article",
    description="Memberships as the article states them, each with the claim stating it.",
    fields=(
        Field(C.ORGANISATION, "string", "organisation code (organisations.csv)",
              example="CSTO"),
        *_country_pair(),
        Field(C.STATUS, "string", "the status the article gives",
              enum=_enum(MEMBERSHIP_STATUSES), example="member"),
        _claim_ref(),
        _review(),
    ),
    primary_key=(C.ORGANISATION, C.COUNTRY_CODE, C.STATUS),
    foreign_keys=(
        ForeignKey(C.ORGANISATION, "organisations", C.CODE),
        ForeignKey(C.COUNTRY_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.CLAIM_ID, "claims", C.CLAIM_ID),
    ),
)

_MONEY_FIELDS = (
    Field(C.KIND, "string", "what the money is", enum=_enum(MONEY_KINDS), example="aid"),
    Field(C.DESCRIPTION, "string", "one-line description", example="Chinese aid"),
    Field(C.FROM_PARTY, "string", "donor, or holder of the assets, as named",
          example="China"),
    Field(C.FROM_CODE, "string", "ISO code of the donor/holder when it is a state",
          required=False, pattern=ISO3_PATTERN, example="CHN"),
    Field(C.TO_PARTY, "string", "recipient or owner, as named", required=False,
          example="Taliban-led Afghanistan"),
    Field(C.TO_CODE, "string", "ISO code of the recipient/owner when it is a state",
          required=False, pattern=ISO3_PATTERN, example="AFG"),
    Field(C.LOW, "number", "lowest amount the wording allows, in units of the currency, "
          "written as a plain number (31000000, not $31m, 31,000,000 or 31000000.0); empty "
          "when not stated", required=False, minimum=0, example="31000000"),
    Field(C.HIGH, "number", "highest amount the wording allows, written like low (empty "
          "when open-ended or not stated)", required=False, minimum=0, example="31000000"),
    Field(C.CURRENCY, "string", "ISO 4217 currency code", pattern=r"^[A-Z]{3}$",
          example="USD"),
    Field(C.PRECISION, "string", "how precise the amount is", enum=_enum(PRECISIONS),
          example="exact"),
    Field(C.AS_STATED, "string", "the amount in the source’s own words",
          example="$31m"),
)

MONEY = Table(
    name="money",
    path="money.csv",
    layer="article",
    description="Every money figure the article states, honest about its precision.",
    fields=(
        Field(C.MONEY_ID, "string", "stable identifier", pattern=ID_PATTERN, unique=True,
              example="M01"),
        *_MONEY_FIELDS,
        _claim_ref(),
        _review(),
    ),
    primary_key=(C.MONEY_ID,),
    foreign_keys=(
        ForeignKey(C.FROM_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.TO_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.CLAIM_ID, "claims", C.CLAIM_ID),
    ),
    notes=("precision `exact` needs low = high; `not_stated` needs low and high empty; "
           "`order_of_magnitude` needs a range (low < high or high empty); low <= high.",),
)

SOURCES = Table(
    name="sources",
    path="reference/sources.csv",
    layer="reference",
    description="Where the reference context comes from: every source citable by a reader "
                "(publisher, real title, address, date, kind); curation notes go in note.",
    fields=(
        Field(C.SOURCE_ID, "string", "stable identifier", pattern=ID_PATTERN, unique=True,
              example="S01"),
        Field(C.PUBLISHER, "string", "who published it (the original publisher; a reprint "
              "site is not a publisher)", example="TASS"),
        Field(C.TITLE, "string", "the real title or headline of the page or document, as "
              "published (never a curator’s description or note)",
              example="CSTO leaders suspend Uzbekistan’s membership"),
        Field(C.URL, "string", "address of the page (http or https); a source without one "
              "gives a warning", required=False, pattern=r"^https?://\S+$",
              example="http://tass.com/russia/687141"),
        _date(C.DATE, "publication date of the source, or the edition or update date of a "
              "reference work; a source without one gives a warning", required=False),
        Field(C.KIND, "string", "what kind of source it is; a source without one gives a "
              "warning", required=False, enum=_enum(SOURCE_KINDS), example="news"),
        Field(C.NOTE, "string", "curation note, not shown as the title: what the source was "
              "used for, corroborating sources, caveats (e.g. a title taken from the "
              "address)", required=False, example="CSTO members as of Dec 2012"),
    ),
    primary_key=(C.SOURCE_ID,),
    notes=("a title that reads as a curation note (‘title not given’, ‘from the URL’, "
           "‘facts sheet’) is an error; an address on a known weak domain "
           f"({', '.join(WEAK_DOMAINS)}), a source with no address, no kind or no date "
           "(a reference_work excepted), and a title that looks cut short (‘…’) give "
           "warnings (briefing.source_rules).",),
)

MEMBERSHIP_TIMELINE = Table(
    name="membership_timeline",
    path="reference/membership_timeline.csv",
    layer="reference",
    description="Sourced membership history: one row per status interval.",
    fields=(
        Field(C.ORGANISATION, "string", "organisation code (organisations.csv)",
              example="SCO"),
        *_country_pair(),
        Field(C.STATUS, "string", "status held during the interval",
              enum=_enum(MEMBERSHIP_STATUSES), example="member"),
        _date(C.START_DATE, "first day the status held"),
        Field(C.START_PRECISION, "string", "whether start_date is when the status began",
              enum=_enum(START_PRECISIONS), example="exact"),
        _date(C.END_DATE, "first day the status no longer held (empty: still holds)",
              required=False),
        Field(C.EVENT, "string", "what happened, briefly",
              example="Full member at the New Delhi virtual summit"),
        _source_ref(),
    ),
    primary_key=(C.ORGANISATION, C.COUNTRY_CODE, C.STATUS, C.START_DATE),
    foreign_keys=(
        ForeignKey(C.ORGANISATION, "organisations", C.CODE),
        ForeignKey(C.COUNTRY_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.SOURCE_ID, "sources", C.SOURCE_ID),
    ),
    notes=("end_date, when given, is after start_date.",),
)

BORDERS = Table(
    name="borders",
    path="reference/borders.csv",
    layer="reference",
    description="Land borders with the article’s subject country (subject_country_code).",
    fields=(
        Field(C.NEIGHBOUR_CODE, "string", "ISO code of the country whose borders are listed",
              pattern=ISO3_PATTERN, example="AFG"),
        *_country_pair(what="the bordering (or not bordering) state"),
        Field(C.BORDER_STATUS, "string", "kind of border", enum=_enum(BORDER_STATUSES),
              example="recognised"),
        Field(C.LENGTH_KM, "number", "border length in km (empty where sources disagree "
              "or give none)", required=False, minimum=0, example="1206"),
        Field(C.NOTE, "string", "qualification, e.g. differing figures", required=False,
              example="AFP (2021) gives 1,357 km"),
        _source_ref(),
    ),
    primary_key=(C.NEIGHBOUR_CODE, C.COUNTRY_CODE),
    foreign_keys=(
        ForeignKey(C.NEIGHBOUR_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.COUNTRY_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.SOURCE_ID, "sources", C.SOURCE_ID),
    ),
)

MONEY_CONTEXT = Table(
    name="money_context",
    path="reference/money_context.csv",
    layer="reference",
    description="Sourced money figures that put the article’s figures in context.",
    fields=(
        Field(C.REFERENCE_MONEY_ID, "string", "stable identifier", pattern=ID_PATTERN,
              unique=True, example="R01"),
        *_MONEY_FIELDS,
        _date(C.DATE, "date the figure refers to", required=False),
        Field(C.CLAIM_ID, "string", "the article claim this figure puts in context "
              "(empty when none)", required=False, pattern=ID_PATTERN, example="C33"),
        _source_ref(),
        Field(C.PART_OF, "string", "the reference_money_id of the whole figure this one is "
              "a part of (the share of the reserves held at one bank is part of the total "
              "reserves): stated and drawn as a part of it, never as another estimate of it; "
              "empty when it is part of none", required=False, pattern=ID_PATTERN,
              example="R02"),
        Field(C.DISPUTED, "boolean", "true when the row's source finds the figure wrong or "
              "unsupported (a fact check of a figure in circulation): shown as disputed, "
              "never compared; empty or false otherwise", required=False, example="true"),
    ),
    primary_key=(C.REFERENCE_MONEY_ID,),
    foreign_keys=(
        ForeignKey(C.FROM_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.TO_CODE, "countries", C.COUNTRY_CODE),
        ForeignKey(C.CLAIM_ID, "claims", C.CLAIM_ID),
        ForeignKey(C.SOURCE_ID, "sources", C.SOURCE_ID),
        ForeignKey(C.PART_OF, "money_context", C.REFERENCE_MONEY_ID),
    ),
    notes=(*MONEY.notes,
           "part_of, when given, names another row of this file in the same currency, "
           "whose amount is not below this one’s (a part is never larger than its whole)."),
)

QUALIFICATIONS = Table(
    name="qualifications",
    path="reference/qualifications.csv",
    layer="reference",
    description="What the reference sources say about article claims.",
    fields=(
        Field(C.REF_ID, "string", "stable identifier", pattern=ID_PATTERN, unique=True,
              example="Q01"),
        _claim_ref(description="the claim in claims.csv that this row checks"),
        Field(C.VERDICT, "string", "what the sources make of the claim",
              enum=_enum(VERDICTS), example="qualified"),
        Field(C.NOTE, "string", "the qualification in one or two sentences",
              example="Status only approved in Sep 2021; memoranda signed in 2022."),
        _source_ref(),
        Field(C.COUNTRIES, "list", "ISO codes of the states the note is about, "
              "`;`-separated, where the claim names several and the note concerns only some "
              "(a state's profile shows only the notes about it); empty: the note is about "
              "the whole claim", required=False, pattern=ISO3_PATTERN, example="QAT"),
    ),
    primary_key=(C.REF_ID,),
    foreign_keys=(
        ForeignKey(C.CLAIM_ID, "claims", C.CLAIM_ID),
        ForeignKey(C.SOURCE_ID, "sources", C.SOURCE_ID),
        ForeignKey(C.COUNTRIES, "countries", C.COUNTRY_CODE),
    ),
)

JUDGEMENTS = Table(
    name="judgements",
    path="judgements.csv",
    layer="analysis",
    description="The analyst’s bottom line and key judgements, each with its likelihood, "
                "confidence, basis, the evidence against it, implication and indicators, "
                "citing the evidence it rests on. Optional: without it the briefing states "
                "the findings computed from the data.",
    fields=(
        Field("judgement_id", "string", "stable identifier", pattern=ID_PATTERN, unique=True,
              example="J01"),
        Field("kind", "string", "bottom line or key judgement", enum=_enum(JUDGEMENT_KINDS),
              example="key_judgement"),
        Field("headline", "string", "the judgement in a few words", example="A joint "
              "platform, not yet a joint policy"),
        Field("judgement", "string", "the judgement in one or two sentences",
              example="China and Russia will co-ordinate on Afghanistan through the SCO."),
        Field("likelihood", "string", "how likely the judgement is, in words of estimative "
              "probability", enum=_enum(LIKELIHOODS), example="likely"),
        Field("confidence", "string", "the analyst’s confidence in the evidence behind it",
              enum=_enum(CONFIDENCES), example="moderate"),
        Field("basis", "string", "the evidence and reasoning, citing ids in the text "
              "(C04, S16) as in claim_ids and source_ids", example="Both leaders pledged to "
              "share intelligence (C04)."),
        Field("against", "string", "the evidence that cuts against the judgement, citing ids "
              "in the text as in claim_ids and source_ids; empty when the data holds none",
              required=False, example="Analysts describe decades of rivalry (C13)."),
        Field("implication", "string", "so what: what it means for the reader",
              required=False, example="Western initiatives will meet a joint line."),
        Field("indicators", "list", "what to watch: developments that would confirm or "
              "refute it, `;`-separated", required=False,
              example="a second joint meeting;SCO statements naming Afghan groups"),
        Field("claim_ids", "list", "the article claims it rests on, `;`-separated",
              example="C01;C04"),
        Field("source_ids", "list", "the reference sources it rests on, `;`-separated",
              required=False, example="S02;S16"),
    ),
    primary_key=("judgement_id",),
    foreign_keys=(
        ForeignKey("claim_ids", "claims", C.CLAIM_ID),
        ForeignKey("source_ids", "sources", C.SOURCE_ID),
    ),
    optional=True,
)

# Validation order matters: referenced tables first.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (COUNTRIES, SOURCES, CLAIMS, ORGANISATIONS, MEMBERS, MONEY,
              MEMBERSHIP_TIMELINE, BORDERS, MONEY_CONTEXT, QUALIFICATIONS, JUDGEMENTS)
}

# Article metadata (article.json): key -> description. Every value is a string.
ARTICLE_META: dict[str, str] = {
    "title": "headline of the article",
    "title_note": "a caveat on the headline, said on the cover next to where the text was "
                  "taken from (e.g. \"headline not verified\"); leave the key out when there "
                  "is none",
    "outlet": "original publisher",
    "republished_by": "where the text was taken from (empty if the original)",
    "published": "publication date (YYYY-MM-DD); leave the key out when the text is undated",
    "event_date": "date of the event reported (YYYY-MM-DD); the default as-of date",
    "language": "IETF language tag of the text, e.g. en-GB",
    "subject_country_code": "ISO code of the country the article is about, whose land "
                            "borders borders.csv lists; leave the key out when the article "
                            "has no single subject country (a regional forum, several "
                            "states)",
    "review": "what a person still has to confirm in the details above, as written by "
              "`python -m briefing draft` (guesses and placeholders); remove the key once "
              "they are right: until then `check` warns and the cover says “Draft, not "
              "reviewed”",
}
ARTICLE_META_DATES = ("published", "event_date")
ARTICLE_META_OPTIONAL: frozenset[str] = frozenset({"published", "subject_country_code",
                                                    "title_note", "review"})
"""Keys of article.json that may be left out (the others are required)."""


DICTIONARY_BEGIN = "<!-- BEGIN DATA DICTIONARY -->"
DICTIONARY_END = "<!-- END DATA DICTIONARY -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(f: Field) -> str:
    if f.enum:
        return ", ".join(f"`{v}`" for v in f.enum)
    bits = []
    if f.pattern:
        bits.append(f"pattern `{f.pattern}`")
    if f.minimum is not None:
        bits.append(f"≥ {f.minimum:g}")
    if f.unique:
        bits.append("unique")
    return "; ".join(bits)


def _references(table: Table, f: Field) -> str:
    for fk in table.foreign_keys:
        if fk.field == f.name:
            return f"→ `{TABLES[fk.table].path}`.{fk.ref_field}"
    if f.names_code:
        return f"canonical name of `{f.names_code}`"
    return ""


ENUM_DOCS: tuple[tuple[str, dict[str, str]], ...] = (
    ("claim_type", CLAIM_TYPES), ("topic", TOPICS), ("speaker_kind", SPEAKER_KINDS),
    ("status", MEMBERSHIP_STATUSES), ("kind (organisations)", ORGANISATION_KINDS),
    ("kind (money)", MONEY_KINDS), ("precision", PRECISIONS),
    ("start_precision", START_PRECISIONS), ("border_status", BORDER_STATUSES),
    ("verdict", VERDICTS), ("kind (sources)", SOURCE_KINDS),
    ("kind (judgements)", JUDGEMENT_KINDS), ("likelihood", LIKELIHOODS),
    ("confidence", CONFIDENCES),
)


def dictionary_markdown() -> str:
    """The data dictionary (markdown), generated from the schemas above."""
    out = [DICTIONARY_BEGIN, "", "## Data dictionary (generated from `briefing/schema.py`)", "",
           "Encoding: UTF-8, comma-separated, RFC 4180 quoting, header row; an empty cell is "
           "a missing value; booleans `true`/`false`; lists `;`-separated; dates "
           "`YYYY-MM-DD`.", ""]
    meta_rows = [f"| `{k}` | {_cell(v)} | {'no' if k in ARTICLE_META_OPTIONAL else 'yes'} |"
                 for k, v in ARTICLE_META.items()]
    out += ["### `article.json`", "", "A JSON object; every value a string.", "",
            "| key | meaning | required |", "|---|---|---|", *meta_rows, ""]
    for t in TABLES.values():
        optional = ", optional" if t.optional else ""
        out += [f"### `{t.path}` ({t.layer} layer{optional})", "", _cell(t.description), ""]
        if t.primary_key:
            out += [f"Key: {', '.join(f'`{k}`' for k in t.primary_key)}.", ""]
        out += ["| column | meaning | type | required | allowed values | refers to |",
                "|---|---|---|---|---|---|"]
        for f in t.fields:
            out.append(f"| `{f.name}` | {_cell(f.description)} | {f.type} | "
                       f"{'yes' if f.required else 'no'} | {_cell(_allowed(f))} | "
                       f"{_cell(_references(t, f))} |")
        for note in t.notes:
            out += ["", f"Rule: {_cell(note)}"]
        out.append("")
    out += ["### Allowed values", ""]
    for name, values in ENUM_DOCS:
        out += [f"`{name}`:", ""]
        out += [f"- `{k}`: {v}" for k, v in values.items()]
        out.append("")
    out.append(DICTIONARY_END)
    return "\n".join(out)

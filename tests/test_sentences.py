"""Every generated sentence agrees with the table it summarises (issue 14).

Each section of the briefing is written from its template for several parameter sets (the
named sets in params/, as-of dates before and after the article, an organisations filter,
observers and partners, a small max_table_rows) and both datasets, without a kernel and
with the charts stubbed out (their titles are kept and checked like sentences). The numbers
the sentences state are read back and compared with the frames the analysis computed; the
words are checked for grammar the data can break (articles before acronyms, possessives,
agreement in number), for codes where a name belongs, and every evidence link must land
on a row that is shown.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

import pytest

from briefing import analysis as A
from briefing import charts, paths, present
from briefing.load import load
from briefing.params import check, read_yaml
from briefing.schema import C

OTHER = str(paths.FIXTURES_DIR / "other_dataset")
ALL = ["member", "acceding", "observer", "dialogue_partner", "partner"]
CASES = {
    "default": {},
    "2024": read_yaml(paths.ROOT / "params" / "2024.yaml"),
    "partners": read_yaml(paths.ROOT / "params" / "partners.yaml"),
    "tajikistan": read_yaml(paths.ROOT / "params" / "tajikistan.yaml"),
    "on-the-day-with-observers": {"as_of": "2021-09-17",
                                  "statuses": ["member", "observer", "dialogue_partner"]},
    "before-the-article": {"as_of": "2021-01-01", "statuses": ["member", "acceding",
                                                               "observer"]},
    "csto-only": {"organisations": ["CSTO"]},
    "sco-everything": {"organisations": ["SCO"], "statuses": ALL},
    "short-tables": {"max_table_rows": 5, "focus_country": "RUS"},
    "other": {"data_dir": OTHER},
    "other-later": {"data_dir": OTHER, "as_of": "2025-12-31", "statuses": ALL,
                    "focus_country": "SOM"},
    "other-earlier": {"data_dir": OTHER, "as_of": "1995-01-01"},
    "other-eac": {"data_dir": OTHER, "organisations": ["EAC", "COMESA"]},
}
NUMBERS = {w: i for i, w in enumerate(("no", "one", "two", "three", "four", "five", "six",
                                       "seven", "eight", "nine", "ten", "eleven", "twelve"))}
N = r"(\d+|" + "|".join(NUMBERS) + ")"


def number(word: str) -> int:
    word = word.lower()
    return NUMBERS[word] if word in NUMBERS else int(word)


class StubCharts:
    """The charts module's drawing functions, returning a blank SVG at once; the titles
    the templates give them are kept (they state findings too)."""

    def __init__(self):
        self.titles: list[str] = []

    def __getattr__(self, name):
        constant = getattr(charts, name)
        if not callable(constant):  # the charts' words and styles, which the text shares
            return constant

        def draw(*args, title: str = "", **kwargs):
            self.titles.append(title)
            return '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt"></svg>'
        return draw


@dataclass
class Written:
    view: A.View
    sections: dict[str, str]
    titles: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        return "\n".join(self.sections.values())

    def text(self, name: str | None = None) -> str:
        markup = self.sections[name] if name else self.html
        markup = re.sub(r"<img[^>]*>", "", markup)
        # a capped table's note names the parameter that shows every row: an instruction
        markup = re.sub(r'<p class="table-note">.*?</p>', "", markup, flags=re.S)
        markup = re.sub(r"<(p|li|tr|td|th|h\d|figcaption|dt|dd)\b[^>]*>", "\n", markup)
        # a date's non-breaking spaces read as spaces
        return html_lib.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00a0", " ")


def write(given: dict) -> Written:
    params = check("briefing", dict(given))
    ds = load(params.data_dir)
    v = A.build_view(ds.tables, ds.meta, params.organisations, params.statuses, params.as_of,
                     params.focus_country, ds.article)
    doc = present.Report(v, max_rows=params.max_table_rows)
    env = present.environment()
    stub, real = StubCharts(), env.globals["charts"]
    env.globals["charts"] = stub
    try:
        names = [("cover", v, {"title": params.title, "author": params.author,
                               "series": params.series}),
                 ("key_judgements", A.judgement_facts(v), {}),
                 ("membership", A.membership_facts(v), {}),
                 ("money", A.money_facts(v), {}),
                 ("positions", A.positions_facts(v), {}),
                 ("checks", A.checks_facts(v), {}),
                 ("judgement_basis", A.judgement_facts(v), {}),
                 ("claims_register", A.claims_facts(v), {}),
                 ("membership_table", A.membership_facts(v), {}),
                 ("money_table", A.money_facts(v), {}),
                 ("sources", ds.sources, {})]
        sections = {name: present.markup(doc.section(name, facts, **extra))
                    for name, facts, extra in names}
    finally:
        env.globals["charts"] = real
    return Written(v, sections, stub.titles)


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def written(request) -> Written:
    return write(CASES[request.param])


# -- links -------------------------------------------------------------------------------


def test_every_evidence_link_lands_on_a_row_that_is_shown(written):
    targets = set(re.findall(r'\bid="([^"]+)"', written.html))
    links = set(re.findall(r'href="#([^"]+)"', written.html))
    assert links, "the sections cite their evidence"
    assert not links - targets


def test_a_filter_applies_to_every_section_alike(written):
    """No section cites a claim the claims register leaves out."""
    register = set(re.findall(r'<tr id="([^"]+)"', written.sections["claims_register"]))
    cited = {c for c in re.findall(r'href="#([^"]+)"', written.html)
             if c in set(written.view.all_claims[C.CLAIM_ID])}
    assert cited <= register
    assert register <= set(written.view.claims[C.CLAIM_ID])


# -- numbers -----------------------------------------------------------------------------


def _others(v: A.View):
    m = v.matrix
    return m[m[C.BORDER_STATUS] != A.SUBJECT] if len(m) else m


def _besides(v: A.View) -> str:
    """What a count says when the subject country is among the states shown: it is left
    out of every count, and the sentence says so."""
    shown = len(v.matrix) and (v.matrix[C.BORDER_STATUS] == A.SUBJECT).any()
    return f" other than {A.the_country(v.subject_name)}" if shown else ""


def _k_of_n(words: str) -> tuple[int, int | None]:
    """"four of the eight" -> (4, 8); "all six" -> (6, 6); "both" -> (2, 2); "none of the
    six" -> (0, 6); "the only" -> (1, 1)."""
    fixed = {"both": (2, 2), "the only": (1, 1)}
    if words in fixed:
        return fixed[words]
    if words.startswith("all "):
        return (number(words[4:]),) * 2
    k, n = re.fullmatch(rf"(none|{N[1:-1]}) of the ({N[1:-1]})", words).groups()
    return (0 if k == "none" else number(k), number(n))


def _per_organisation_clause(text: str, org: str, subject: str, subject_in: bool,
                             first: bool, members_only: bool):
    """(bordering, states, the lone bordering state's name or '') as the per-organisation
    sentence gives them for ``org``, or None: the first organisation in a clause of its own
    ("Four of the SCO's eight members border Afghanistan", "Of the CSTO's six members, only
    Tajikistan borders Afghanistan"), each other after a semicolon ("; of the CSTO's six,
    only Tajikistan")."""
    count = N.replace("(", "(?:", 1)
    poss = re.sub(r"^the", "[Tt]he", re.escape(A.possessive(org)))
    other = f" other than {subject}" if subject_in else ""
    group = rf"{poss} {count}(?: members?)?{other}"
    if not members_only:
        group += rf"|the (?:other )?{count}(?: states?)? (?:tied to|counted in) {re.escape(org)}"
    group = rf"(?P<g>{group})"

    def size(found) -> int:
        return number(re.search(rf"\b{N}\b", found.group("g")).group(1))

    if not first:
        found = re.search(rf"; of {group}, (?P<q>only (?P<name>[^;.]+?)|neither|none|both|all|"
                          rf"{count})[;.]", text)
        if not found:
            return None
        n, said = size(found), found.group("q")
        k = (1 if said.startswith("only ") else 0 if said in ("neither", "none")
             else n if said in ("both", "all") else number(said))
        return k, n, found.group("name") or ""
    found = re.search(rf"(?P<q>Neither|None|Both|All|(?i:{count})) of {group} "
                      rf"(?:borders|border) {subject}", text)
    if found:
        n, said = size(found), found.group("q")
        k = (0 if said in ("Neither", "None") else n if said.startswith(("Both", "All"))
             else number(said.lower()))
        return k, n, ""
    found = re.search(rf"Of {group}, only (?P<name>[^;.]+?) borders {subject}", text)
    if found:
        return 1, size(found), found.group("name")
    found = re.search(rf"{group}(?:, (?P<name>[^,]+),)? (?P<v>borders|does not border) "
                      rf"{subject}", text)
    if found:
        return (1 if found.group("v") == "borders" else 0), size(found), \
            found.group("name") or ""
    return None


def test_membership_sentences_count_what_the_grid_shows(written):
    """One denominator everywhere (the states shown, the subject country left out and said
    to be), "only" only for fewer than half, each count with its own subject."""
    v, text = written.view, " ".join(written.text("membership").split())
    others = _others(v)
    if not len(v.matrix):
        assert "No state is counted" in text
        return
    n = int(len(others))
    besides = re.escape(_besides(v))
    bordering = int((others[C.BORDER_STATUS] == "recognised").sum())
    stated = re.search(rf"(?:Of the|All) {N} states{besides} counted", text)
    assert stated and number(stated.group(1)) == n, text[:300]
    if bordering != n:
        share = re.search(rf", (only )?{N} shares? an internationally recognised land border", text)
        assert share and number(share.group(2)) == bordering
        assert ("shares" in share.group(0)) == (bordering == 1)
        assert bool(share.group(1)) == (bordering * 2 < n), "'only' for fewer than half"
    subject = re.escape(A.the_country(v.subject_name))
    members_only = set(v.statuses) <= {"member", "participation_frozen"}
    first = True
    for org, shown, borders, subject_in in A.membership_facts(v).per_organisation:
        mine = others[others[org] != ""]
        assert (shown, borders) == (len(mine), int((mine[C.BORDER_STATUS] == "recognised")
                                                   .sum()))
        if len(v.organisations) > 1 and shown:
            # one sentence for all: "Four of the SCO's eight members border Afghanistan; of
            # the CSTO's six, only Tajikistan." (a lone bordering state named)
            said = _per_organisation_clause(text, v.org(org), subject, subject_in, first,
                                            members_only)
            assert said, (org, text)
            k, of, name = said
            assert (k, of) == (borders, shown), (org, said)
            if k == 1 and name:
                assert [name] == list(mine.loc[mine[C.BORDER_STATUS] == "recognised",
                                               C.COUNTRY]), (org, name)
            first = False
    title = next(t for t in written.titles if "border" in t)
    counted = re.search(rf"^(?:All )?{N}(?: of the {N})? states{besides} border", title, re.I)
    assert counted and number(counted.group(1)) in (bordering, n)
    if counted.group(2):
        assert number(counted.group(2)) == n


def test_in_both_says_in_what_capacity(written):
    """"members of both" only for states that are full members of each organisation; a
    state tied to both in another status is named with its statuses."""
    v = written.view
    if len(v.organisations) < 2 or not len(v.matrix):
        return
    f = A.membership_facts(v)
    text = " ".join(written.text("membership").split())
    title = next(t for t in written.titles if "border" in t)
    both = "both" if len(v.organisations) == 2 else f"all {A.count_word(len(v.organisations))}"
    members = [n for g in f.in_all_by_status if all(s == "member" for _, s in g.status)
               for n in g.names]
    assert sorted(members + [n for g in f.in_all_by_status
                             if not all(s == "member" for _, s in g.status)
                             for n in g.names]) == sorted(f.in_all.names)
    if not f.in_all.names:
        return
    if len(members) == len(f.in_all.names):
        said = re.search(rf"{N} states? (?:is a member|are members) of {both}: ", text, re.I)
        assert said and number(said.group(1)) == len(members), text
        assert "tie to" not in text
    else:
        said = re.search(rf"{N} states? (?:has|have) a tie to {both}: ", text, re.I)
        assert said and number(said.group(1)) == len(f.in_all.names), text
        for g in f.in_all_by_status:
            if not all(s == "member" for _, s in g.status):
                for org, status in g.status:
                    assert present.status_role(status, v.org(org), len(g.names)) in text
        assert "are members of both" not in title and "is a member of both" not in title
    assert not re.search(r"\b(?:are|is) in (?:both|all)\b", text + " " + title)


def test_the_computed_findings_count_like_the_membership_section(written):
    """The key findings a dataset without judgements gets: the same denominator as the
    membership section, "only" for fewer than half, every claim the checks count cited."""
    f = A.judgement_facts(written.view)
    if not f.computed:
        return
    v = written.view
    text = " ".join(written.text("key_judgements").split())
    others = _others(v)
    if len(others):
        b = int((others[C.BORDER_STATUS] == "recognised").sum())
        if b != len(others):
            said = re.search(rf"(Only )?{N} of the {N} states shown{re.escape(_besides(v))} "
                             r"shares? an internationally recognised", text, re.I)
            assert said, text
            assert (number(said.group(2)), number(said.group(3))) == (b, len(others))
            assert bool(said.group(1)) == (b * 2 < len(others))
    per_claim = A.claim_verdicts(v.qualified)
    if len(per_claim):
        # "Four of the article’s 18 claims were checked", or under an organisations
        # filter (review 12: the claims shown are a part, not "about" what is shown) "This
        # briefing shows 16 of the article’s 18 claims (...). Of those, four were checked"
        said = re.search(rf"(?:{N} of the article’s {N} claims[^:;.]*|\. Of those, {N} "
                         r"(?:was|were)) checked against the reference sources: "
                         r"[^\[]*\[([^\]]*)\]", text, re.I)
        assert said, text
        assert number(said.group(1) or said.group(3)) == len(per_claim)
        assert set(said.group(4).split(", ")) == set(per_claim[C.CLAIM_ID])


def test_the_reference_data_says_whether_every_state_shown_borders_the_subject(written):
    """A curation gap is not shown to the reader: every state shown has a border row."""
    assert not A.membership_facts(written.view).unknown_border.names


def test_the_cover_counts_the_sources_the_briefing_cites(written):
    cover = " ".join(written.text("cover").split())
    said = re.search(rf"what {N} reference sources? says? about it", cover)
    assert said, cover
    linked = {i for i in re.findall(r'href="#(S[^"]+)"', written.html)
              if i in set(written.view.sources[C.SOURCE_ID])}
    assert number(said.group(1)) == len(A.cited_sources(written.view))
    # rows a short table leaves out still count as cited by the data shown
    assert number(said.group(1)) >= len(linked)
    if written.view.tables and not _short(written):
        assert number(said.group(1)) == len(linked)


def _short(written) -> bool:
    return "left out" in written.html and "max_table_rows" in written.html


def test_the_checks_add_up_to_the_statements_checked(written):
    v, text = written.view, " ".join(written.text("checks").split())
    per_claim = A.claim_verdicts(v.qualified)
    if per_claim.empty:
        return
    # how many of the claims shown were checked, and how many rest on the article alone
    checked = re.search(rf"(?:, {N} (?:was|were)|All {N} of the article’s [^.]* were|"
                        r"The article’s only claim was) checked against the reference sources",
                        text)
    assert checked, text
    assert next((number(g) for g in checked.groups() if g), 1) == len(per_claim)
    if len(per_claim) == 1:
        assert re.search(r"Its verdict: (contradicted|qualified|not verified|confirmed)", text)
        return
    said = re.search(rf"Of th(?:ose|em) {N},(.*?)(?:, each counted|;|\.)", text)
    assert said and number(said.group(1)) == len(per_claim), text
    counts = [number(n) for n in re.findall(rf"{N} (?:is |are )?(?:contradicted|qualified|"
                                           r"not verified|confirmed)", said.group(2))]
    assert sum(counts) == len(per_claim)
    expected = per_claim[C.VERDICT].value_counts()
    assert sorted(counts) == sorted(int(x) for x in expected)


def test_money_sentences_compare_like_with_like_and_state_the_right_share(written):
    v, text = written.view, " ".join(written.text("money").split())
    for c in v.comparisons:
        if c.ratio is None:
            continue
        assert A.kind_group(c.figure[C.KIND])[1] == A.kind_group(c.versus[C.KIND])[1]
        assert c.figure[C.CURRENCY] == c.versus[C.CURRENCY]
        said = re.search(rf"For scale, (?:\S+[’']s? )?{re.escape(c.figure['amount'])} equals "
                         rf"(at most )?([\d.]+)(%| times) of the "
                         rf"{re.escape(c.versus['amount'])}", text)
        assert said, c.figure["id"]
        stated = float(said.group(2)) / (100 if said.group(3) == "%" else 1)
        assert stated == pytest.approx(c.ratio, rel=0.06)
        assert bool(said.group(1)) == c.upper_bound
    assert "…" not in text


VERBS = {"contradicted": r"contradicts? the claim itself",
         "qualified": r"qualif(?:y|ies) the claim itself",
         "not_verified": r"cannot verify the claim itself",
         "confirmed": r"confirms? the claim itself"}


def _money_paragraphs(written) -> list[str]:
    html = written.sections["money"]
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", p)).split())
            for p in re.split(r"<p\b", html)[1:]]


def test_money_sentences_give_the_checks_verdicts_never_their_own(written):
    """What the money section says of a claim itself is the most serious verdict the checks
    table gives it short of a confirmation (contradict, qualify, not verified), pointing to
    the checks; never a "confirm", from the amounts or the checks (the amounts say that)."""
    v = written.view
    verdicts = {c: set(g[C.VERDICT]) for c, g in v.qualified.groupby(C.CLAIM_ID)} \
        if len(v.qualified) else {}
    paragraphs = _money_paragraphs(written)
    assert not any("sources confirm it:" in p for p in paragraphs)
    for c in v.comparisons:
        claim = c.figure[C.CLAIM_ID]
        mine = [p for p in paragraphs if f"[{claim}]" in p or f"[{claim}," in p]
        if not claim or not mine:
            continue
        paragraph = mine[0]
        said = [w for w in A.VERDICT_ORDER if w != "confirmed" and w in verdicts.get(claim, ())]
        for verdict, verb in VERBS.items():
            found = bool(re.search(rf"\b{verb}\b", paragraph))
            assert found == (bool(said) and verdict == said[0]), (claim, verdict, paragraph)
        assert ("the checks below set out" in paragraph) == bool(said), paragraph


def test_money_offered_as_the_amount_is_the_same_kind_of_money(written):
    """"The sources give X" for an amount the article leaves out: only money of the same
    kind as the article's figure (never flood damage for the cost of rebuilding)."""
    v = written.view
    kinds = dict(zip(v.figures["id"], v.figures[C.KIND], strict=True))
    for c in v.comparisons:
        for r in c.giving:
            assert r[C.KIND] == c.figure[C.KIND], (c.figure["id"], r["id"])
    for p in _money_paragraphs(written):
        for sentence in re.findall(r"The sources give (?!the same|a floor)([^.]*(?:\.\d[^.]*)*)\.",
                                   p):
            ids = re.findall(r"\((R[\w-]+)", sentence)
            article = [c for c in v.comparisons if f"[{c.figure[C.CLAIM_ID]}]" in p]
            assert ids and article
            assert {kinds[i] for i in ids} == {article[0].figure[C.KIND]}, sentence


def test_a_multiple_in_words_follows_its_numbers(written):
    """"about fifteen times", "more than N times" in the judgements and sentences: the
    words follow the amounts of the same sentence ("more than" only when the low end of
    every amount exceeds it)."""
    text = " ".join(written.text().split())
    unit = {"m": 1e6, "bn": 1e9, "tn": 1e12}
    money = r"\$([\d.]+)(m|bn|tn)?(?:–([\d.]+)(m|bn|tn))?"

    def values(sentence):
        out = []
        for lo, lo_unit, hi, hi_unit in re.findall(money, sentence):
            hi_unit = hi_unit or lo_unit
            lo_unit = lo_unit or hi_unit
            out.append(float(lo) * unit.get(lo_unit, 1))
            if hi:
                out.append(float(hi) * unit.get(hi_unit, 1))
        return out

    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z])", text):
        for said in re.finditer(rf"(more than|about|nearly|almost|at least) {N} times the "
                                rf"[^$]*{money}", sentence):
            multiple = number(said.group(2))
            base = float(said.group(3)) * unit.get(said.group(4) or "", 1)
            amounts = [x for x in values(sentence[:said.start()]) if x > base]
            assert amounts, sentence
            ratios = [x / base for x in amounts]
            if said.group(1) in ("more than", "at least"):
                assert min(ratios) > multiple, sentence
            else:
                assert min(ratios) - 0.5 <= multiple <= max(ratios) + 0.5, sentence


def test_positions_count_the_statements_in_their_table(written):
    facts = A.positions_facts(written.view)
    if len(facts.speakers) < 2:
        return
    text = " ".join(written.text("positions").split())
    first, second = facts.speakers
    said = re.search(rf"{re.escape(first)} sets out {N} positions? and "
                     rf"{re.escape(second)} ({N[1:-1]}|none)\b", text)
    assert said, text
    assert number(said.group(1)) == facts.counts[first], first
    assert number(said.group(2).replace("none", "no")) == facts.counts[second], second
    rows = written.sections["positions"].count('<p class="stance">')
    assert rows == sum(facts.counts.values())
    # statements made together: shown once each, as many as the sentence says
    joint = written.sections["positions"].count('<p class="stance joint">')
    together = re.search(rf"with {N} more set out together", text)
    assert joint == (number(together.group(1)) if together else 0), text
    assert joint == sum(len(c) for c in facts.table[A.JOINT])


def test_only_one_speaker_speaks_on_a_topic_in_any_claim(written):
    """"Only X speaks on T": the other speaker says nothing on T, in a claim of any type
    (a quote on T is speaking on it)."""
    v = written.view
    facts = A.positions_facts(v)
    if len(facts.speakers) < 2:
        return
    text = " ".join(written.text("positions").split())
    every = A.credited(v.claims)
    for speaker, topics in facts.only.items():
        for topic in topics:
            others = every[(every["who"] != speaker) & every["who"].isin(facts.speakers)]
            assert topic not in set(others[C.TOPIC]), (speaker, topic)
        if topics:
            # after the first mention, by the name the article uses alone ("Putin")
            assert re.search(rf"[Oo]nly {re.escape(facts.short[speaker])} speaks on", text)
    by_short = {facts.short[s]: s for s in facts.speakers}
    for said in re.finditer(r"[Oo]nly ([A-Z][\w' .-]+?) speaks on ([^.;]+)[.;]", text):
        assert said.group(1) in by_short and facts.only[by_short[said.group(1)]]


def test_as_of_reads_the_right_way_in_time(written):
    v, text = written.view, written.text("membership")
    if v.as_of is None or v.changes.empty:
        return
    if v.as_of < v.article_date:
        assert "became" not in text and "before the article" in text
    else:
        assert "not yet" not in text and f"Between the article ({A.day(v.article_date)})" \
            in text


def test_a_disputed_status_is_marked_the_same_way_everywhere(written):
    v = written.view
    flagged = v.long[v.long["flag"] != ""]
    for _, row in flagged.iterrows():
        # the box's heading follows the verdict: only a contradiction is a disagreement
        heading = {"contradicted": "Article and sources disagree.",
                   "qualified": "The sources qualify the article.",
                   "not_verified": "The sources cannot confirm the article."}[row["flag"]]
        assert heading in written.text("membership")
        assert row[C.COUNTRY] in written.text("membership")
        claim = v.article_long.loc[(v.article_long[C.COUNTRY_CODE] == row[C.COUNTRY_CODE])
                                   & (v.article_long[C.ORGANISATION] == row[C.ORGANISATION]),
                                   "evidence"].iloc[0][0]
        assert f'href="#{claim}"' in written.sections["checks"]
        assert "†" in written.sections["membership_table"]


# -- words -------------------------------------------------------------------------------


def test_sentences_have_no_codes_curation_notes_or_broken_grammar(written):
    v = written.view
    prose = " ".join(written.text(name) for name in ("cover", "key_judgements", "membership",
                                                      "money", "positions", "checks"))
    prose = " ".join(prose.split())
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", prose), "a schema code where words belong"
    assert not re.search(r"\bs[’']s\b|s[’']s\b", prose), "possessive of a name ending in s"
    assert not re.search(r"; (The|A|An|It|They|This)\b", prose), "a capital after ';'"
    assert not re.search(r"\b(nan|None|NaT|<NA>)\b", prose)
    assert "…" not in prose and " ," not in prose and "  " not in prose
    assert not re.search(r"[a-z\])]\.[A-Z]", prose), "no space after a full stop"
    assert not re.search(r": (The|A|An|It|They|This|Its|Dialogue|In|On)\b", prose), \
        "a capital after ':' mid-sentence"
    assert not re.search(r"\b(do|does)\.", prose), "'do' without its verb"
    for code in v.organisation_refs:
        if not v.org(code).startswith("the "):
            assert f"the {code}" not in prose, code
    codes = set(v.country_names) - {n.upper() for n in v.country_names.values()}
    found = {w for w in re.findall(r"\b[A-Z]{3}\b", prose) if w in codes}
    assert not found, f"ISO codes where a name belongs: {found}"
    for one in re.findall(r"\b(?:one|1) (\w+) (?:involve|share|are|have)\b", prose):
        pytest.fail(f"agreement in number: one {one} ...")
    annexes = " ".join(" ".join(written.text(name).split())
                       for name in ("claims_register", "membership_table", "money_table"))
    assert not re.search(r"\b[A-Z][\w-]*\d+ ?(?:–| to ) ?[A-Z][\w-]*\d+\b",
                         prose + " " + annexes), "a range of ids"
    assert not re.search(r"\b([A-Z][a-z]+(?: [a-z]+)*) · \1\b", annexes, re.I), \
        "a claim's topic repeating its type"
    assert not re.search(r"\b(analysts|experts|officials) ·", annexes), "a label in lower case"
    for code in v.organisation_refs:
        if v.org(code).startswith("the "):
            # one rule for an organisation: "the SADC" in running text, never "SADC" alone
            # where an article belongs ("in SADC", "of SADC")
            assert not re.search(rf"\b(?:in|of|to|with) {code}\b(?!'s| [A-Z])", prose), \
                code


def test_the_charts_titles_state_findings_not_captions(written):
    assert written.titles and all(written.titles)
    for title in written.titles:
        assert not title.lower().startswith(("figure", "chart of", "states counted"))


@pytest.mark.parametrize("given", [{}, {"as_of": "2022-01-01", "statuses": ALL}],
                         ids=["article", "as-of"])
def test_a_dataset_whose_reference_layer_is_empty_still_writes_true_sentences(
        tmp_path_factory, given):
    import shutil

    data = tmp_path_factory.mktemp("empty") / "data"
    shutil.copytree(paths.DATA_DIR, data)
    for name in ("membership_timeline", "borders", "money_context", "qualifications"):
        path = data / "reference" / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n",
                        encoding="utf-8")
    written = write({"data_dir": str(data), **given})
    targets = set(re.findall(r'\bid="([^"]+)"', written.html))
    assert not set(re.findall(r'href="#([^"]+)"', written.html)) - targets
    text = " ".join(written.text("membership").split())
    if written.view.matrix.empty:
        assert "No state is counted" in text
    else:  # no border in the data: no count by border
        assert "The reference data does not say which of the" in text
        assert "share an internationally recognised land border" not in text


# -- country profiles --------------------------------------------------------------------


def test_a_profile_says_which_fellow_members_border_the_subject_and_it_is_true():
    """"Of the six members of the CSTO on 17 Sep 2021, it is the only one that borders
    Afghanistan": the counts and names come from the membership and border tables."""
    params = check("briefing", {})
    ds = load(params.data_dir)
    v = A.build_view(ds.tables, ds.meta, params.organisations, params.statuses, params.as_of,
                     params.focus_country, ds.article)
    on_day = A.membership(ds.tables["members"], v.timeline, v.as_of, A.ALL_STATUSES, None,
                          article_date=v.article_date,
                          qualifications=ds.tables["qualifications"])
    members = on_day[on_day[C.STATUS] == "member"]
    recognised = set(v.borders.loc[v.borders[C.BORDER_STATUS] == "recognised",
                                   C.COUNTRY_CODE])
    checked = 0
    for code in sorted(set(members[C.COUNTRY_CODE])):
        for fact in A.profile_facts(v, code).fellow_neighbours:
            org = members[members[C.ORGANISATION] == fact["organisation"]]
            codes = set(org[C.COUNTRY_CODE])
            assert fact["n_members"] == len(codes)
            assert sorted(fact["bordering"]) == sorted(v.country_names[c]
                                                       for c in codes & recognised)
            assert fact["borders_itself"] == (code in recognised)
            checked += 1
    assert checked >= 10
    doc = present.Report(v)
    text = re.sub(r"<[^>]+>", " ", present.markup(doc.section(
        "profile_summary", A.profile_facts(v, "TJK"))))
    assert ("Of the six members of the CSTO on 17 Sep 2021, it is the only one that borders "
            "Afghanistan") in " ".join(text.split())


def test_the_money_section_repeats_no_note_of_the_checks_table(written):
    """What a source says of a claim is said once, in the checks table; the money section
    points there (review 15: the framing of China's aid and the Pentagon's count were
    printed twice, word for word)."""
    v = written.view
    money = " ".join(_money_paragraphs(written))
    for note in v.qualified[C.NOTE] if len(v.qualified) else []:
        words = " ".join(str(note).split()).rstrip(".")
        if len(words) > 40:
            assert words[:40] not in money, words

"""From review 13: ``python -m briefing draft`` on a new article (an AU–EU summit).

Short quotations are claims, and anything not drafted is listed on the review page (#5);
member lists read in their common phrasings, a relative clause stays with its noun and no
statement opens with a bare verb (#6); the article's address is not stored where nothing
reads it (#12); speakers, groups, roles, organisations, seats of government and negated
money read as a person would (#17)."""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import paths
from briefing.draft import draft
from briefing.schema import ARTICLE_META, TABLES, C

ARTICLE = """\
African Union and EU leaders agree €4bn green hydrogen pact in Nairobi

Leaders of the African Union and the European Union agreed on Tuesday to mobilise €4bn for \
green hydrogen projects across East Africa, at a two-day summit in Nairobi.

Kenyan President William Ruto, who hosted the meeting, said the agreement would "turn the sun \
and wind of the Rift Valley into jobs for a generation".

Ursula von der Leyen, president of the European Commission, told reporters that Brussels \
would put up "at least €1.5bn of its own". "This is not aid, it is an investment in a shared \
future," she said.

The East African Community, which includes Kenya, Tanzania, Uganda, Rwanda, Burundi, South \
Sudan and the Democratic Republic of the Congo, will coordinate the projects through a new \
secretariat in Arusha.

According to officials familiar with the negotiations, Germany and the Netherlands pressed \
for a clause guaranteeing that at least half of the hydrogen would be exported to Europe.

Tanzanian officials said the plan would divert traffic from Dar es Salaam. "Nobody consulted \
us," said Tanzania's trade minister, Ashatu Kijaji.

Mr Ruto said the next summit would be held in Kigali in 2026.

The African Union, which has 55 member states, was admitted as a permanent member of the G20 \
in 2023. Its commission chairman, Moussa Faki Mahamat, said the pact showed that "Africa is \
not a spectator in the energy transition but a producer".
"""


def rows(folder: Path, table: str) -> list[dict]:
    with (folder / TABLES[table].path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def drafted(tmp_path: Path, text: str, name: str = "out") -> Path:
    article = tmp_path / f"{name}.txt"
    article.write_text(text, encoding="utf-8")
    draft(article, tmp_path / name)
    return tmp_path / name


def claim_with(folder: Path, evidence: str) -> dict:
    found = [r for r in rows(folder, "claims") if r[C.EVIDENCE] == evidence]
    assert len(found) == 1, [r[C.EVIDENCE] for r in rows(folder, "claims")]
    return found[0]


def page_text(folder: Path) -> str:
    page = (folder / "review.html").read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def summit(tmp_path_factory) -> Path:
    return drafted(tmp_path_factory.mktemp("summit"), ARTICLE, "summit")


# --- 5: short quotations and the clauses not drafted ------------------------------------


def test_a_short_quotation_with_its_speaker_is_a_claim(tmp_path):
    folder = drafted(tmp_path, 'Ministers met in Lusaka on Monday to discuss trade.\n\n'
                     '"Nobody asked," said Ashatu Kijaji.\n\n"No," said Ashatu Kijaji.\n\n'
                     'Officials said the talks would continue in June.\n')
    for words in ("Nobody asked", "No"):
        claim = claim_with(folder, words)
        assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND], claim[C.IS_DIRECT_QUOTE]) == (
            "Ashatu Kijaji", "person", "true")


def test_a_short_sentence_not_drafted_is_listed_on_the_review_page(tmp_path):
    folder = drafted(tmp_path, "Ministers met in Lusaka on Monday to discuss trade.\n\n"
                     "It rained.\n\nOfficials said the talks would continue in June.\n")
    assert "It rained" not in {r[C.EVIDENCE] for r in rows(folder, "claims")}
    text = page_text(folder)
    section = text[text.index("Not drafted ("):]
    assert "“It rained” fewer than 4 words and not a quotation with a speaker" in section


def test_the_quotation_in_the_summit_article_is_attributed_to_the_minister(summit):
    claim = claim_with(summit, "Nobody consulted us")
    assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND], claim[C.IS_DIRECT_QUOTE]) == (
        "Ashatu Kijaji", "person", "true")


# --- 6: member lists, relative clauses, verb fragments ----------------------------------


@pytest.mark.parametrize("sentence", [
    "The East African Community (EAC) includes Kenya, Tanzania, Uganda and Rwanda.",
    "The East African Community, which includes Kenya, Tanzania, Uganda and Rwanda, met in "
    "Arusha.",
    "The East African Community (EAC) met. The EAC also includes Kenya, Tanzania, Uganda and "
    "Rwanda.",
    "The East African Community, which also includes Kenya, Tanzania, Uganda and the "
    "Democratic Republic of the Congo, met in Arusha.",
])
def test_member_lists_in_their_common_phrasings(tmp_path, sentence):
    folder = drafted(tmp_path, "Ministers met in Lusaka on Monday to discuss trade.\n\n"
                     f"{sentence}\n")
    members = {(r[C.ORGANISATION], r[C.COUNTRY_CODE]) for r in rows(folder, "members")}
    expected = {"KEN", "TZA", "UGA", "COD" if "Congo" in sentence else "RWA"}
    assert members == {("EAC", code) for code in expected}
    statements = [r[C.STATEMENT] for r in rows(folder, "claims")]
    assert not [s for s in statements if re.match(r"(?:The East African Community|The EAC)"
                                                  r"(?: \(EAC\))?\.$", s)], statements
    assert not [s for s in statements if s.startswith(("Includes", "Which"))], statements


def test_the_summit_draft_has_members_and_passes_check(summit):
    members = {r[C.COUNTRY_CODE] for r in rows(summit, "members") if r[C.ORGANISATION] == "EAC"}
    assert members == {"KEN", "TZA", "UGA", "RWA", "BDI", "SSD", "COD"}
    result = subprocess.run([sys.executable, "-m", "briefing", "check", "--data-dir",
                             str(summit)], cwd=paths.ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_relative_clause_stays_with_its_noun(summit):
    evidence = [r[C.EVIDENCE] for r in rows(summit, "claims")]
    assert ("The East African Community, which includes Kenya, Tanzania, Uganda, Rwanda, "
            "Burundi, South Sudan and the Democratic Republic of the Congo, will coordinate "
            "the projects through a new secretariat in Arusha") in evidence
    assert "The East African Community" not in evidence
    assert not [e for e in evidence if re.match(r"(?:which|where|includes)\b", e)], evidence


def test_no_statement_opens_with_a_bare_verb(tmp_path):
    folder = drafted(tmp_path, (
        "The Islamist group swept into Kabul in August and retook power 20 years after being "
        "ousted.\n\nBeijing has expressed interest in the reserves and sees the country as a "
        "missing piece.\n\nPutin also signalled a softening of Moscow's rhetoric, calling for "
        "regional leaders to align their positions.\n\nIndicating a shift in Moscow's stance, "
        "Putin said that other nations would have to work with the Taliban.\n"))
    statements = {r[C.EVIDENCE]: r[C.STATEMENT] for r in rows(folder, "claims")}
    assert statements["retook power 20 years after being ousted"] == (
        "The Islamist group retook power 20 years after being ousted.")
    assert statements["sees the country as a missing piece"] == (
        "Beijing sees the country as a missing piece.")
    assert statements["calling for regional leaders to align their positions"].endswith(
        "Putin called for regional leaders to align their positions.")
    assert statements["Indicating a shift in Moscow's stance"] == (
        "Putin indicated a shift in Moscow's stance.")


# --- 12: no key the briefing never reads -------------------------------------------------


def test_article_json_holds_only_the_keys_the_briefing_reads(summit):
    meta = json.loads((summit / paths.ARTICLE_META_FILE).read_text(encoding="utf-8"))
    assert set(meta) <= set(ARTICLE_META) | {"review"}


def test_draft_takes_no_address_it_would_not_use(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(TypeError):
        draft(article, tmp_path / "out", url="https://example.org/a")  # type: ignore[call-arg]


# --- 17: speakers, organisations, seats, negated money -----------------------------------


def test_mr_ruto_is_the_president_introduced_earlier(summit):
    quoted = claim_with(summit, 'the agreement would "turn the sun and wind of the Rift Valley '
                                'into jobs for a generation"')
    later = claim_with(summit, "the next summit would be held in Kigali in 2026")
    assert quoted[C.SPEAKER] == later[C.SPEAKER] == "William Ruto"
    assert "not introduced elsewhere" not in later[C.REVIEW]
    assert {r[C.SPEAKER] for r in rows(summit, "claims")} & {"Ruto", "Kenyan President "
                                                              "William Ruto"} == set()


def test_a_role_tag_after_a_quotation_is_the_speaker(tmp_path):
    folder = drafted(tmp_path, "Ministers met in Lusaka on Monday to discuss trade.\n\n"
                     '"The deal is fair," the minister said.\n')
    claim = claim_with(folder, "The deal is fair")
    assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND], claim[C.IS_DIRECT_QUOTE]) == (
        "the minister", "role", "true")
    assert "a role, the person is not named" in claim[C.REVIEW]


def test_according_to_a_group_and_a_chairman_named_after_his_role(summit):
    claim = claim_with(summit, "Germany and the Netherlands pressed for a clause guaranteeing "
                               "that at least half of the hydrogen would be exported to Europe")
    assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND]) == (
        "officials familiar with the negotiations", "group")
    claim = claim_with(summit, 'the pact showed that "Africa is not a spectator in the energy '
                               'transition but a producer"')
    assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND]) == ("Moussa Faki Mahamat", "person")


def test_a_group_keeps_the_capital_of_its_demonym(summit):
    claim = claim_with(summit, "the plan would divert traffic from Dar es Salaam")
    assert (claim[C.SPEAKER], claim[C.SPEAKER_KIND]) == ("Tanzanian officials", "group")


def test_a_sentence_opening_common_noun_is_not_part_of_a_name(summit):
    names = {r[C.CODE]: r[C.NAME] for r in rows(summit, "organisations")}
    assert "LAU" not in names and names["AU"] == "African Union"


def test_brussels_for_the_eu_is_not_belgium(summit):
    assert "BEL" not in {r[C.COUNTRY_CODE] for r in rows(summit, "countries")}
    pledge = next(r for r in rows(summit, "money") if r[C.AS_STATED] == "at least €1.5bn")
    assert (pledge[C.FROM_CODE], pledge[C.FROM_PARTY]) == ("", "not stated")
    assert "'Brussels' before the amount read as European Commission" in pledge[C.REVIEW]
    assert "Brussels: read as European Commission, not as Belgium" in page_text(summit)


def test_brussels_as_the_belgian_government_is_still_belgium(tmp_path):
    folder = drafted(tmp_path, "The EU met on Monday. Brussels has recalled its ambassador "
                     "from Kinshasa, and Belgium will review its aid.\n")
    assert "BEL" in {r[C.COUNTRY_CODE] for r in rows(folder, "countries")}


def test_negated_money_is_not_a_money_row(summit):
    assert "not aid" not in {r[C.AS_STATED] for r in rows(summit, "money")}
    claim = claim_with(summit, "This is not aid")
    assert claim[C.CLAIM_TYPE] != "figure"


def test_every_row_is_still_marked_for_review(summit):
    for table in ("claims", "countries", "organisations", "members", "money"):
        assert all(r[C.REVIEW].startswith("draft") for r in rows(summit, table)), table

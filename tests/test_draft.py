"""``python -m briefing draft``: quality against the curated datasets, safety, hostile input.

Quality is measured on the shipped article (``data/``) and on the second dataset
(``tests/fixtures/other_dataset``), each against its hand-curated tables:

- claim coverage: a curated claim is *covered* when one drafted claim's evidence span
  overlaps at least half of the curated evidence span's characters (offsets in the article
  as ``check`` reads it). At least 80 % of the curated claims must be covered. A stricter
  figure, *tight* coverage, also requires the overlap to be at least half of the drafted
  span (a whole paragraph drafted as one claim does not count); it is kept above 60 % so
  that clause splitting cannot silently degrade.
- countries: every country of the curated ``members.csv`` is in the drafted
  ``countries.csv``; every curated membership (organisation, country, status) is drafted.
- money: every curated money row has a drafted row with the same precision class whose
  ``as_stated`` overlaps the curated one in the text (and, for an amount, the same currency).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing import paths
from briefing.draft import draft
from briefing.schema import TABLES, C

DATASETS = {"shipped": paths.DATA_DIR, "other": paths.FIXTURES_DIR / "other_dataset"}
DRAFTED_TABLES = ("claims", "countries", "organisations", "members", "money")
REFERENCE_FILES = sorted(t.path for t in TABLES.values() if t.layer == "reference")


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=timeout)


def rows(folder: Path, table: str) -> list[dict]:
    with (folder / TABLES[table].path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def article_text(folder: Path) -> str:
    raw = (folder / paths.ARTICLE_FILE).read_bytes().removeprefix(b"\xef\xbb\xbf")
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def spans(folder: Path, text: str) -> list[tuple[int, int]]:
    out = []
    for row in rows(folder, "claims"):
        start = int(row[C.EVIDENCE_START]) if row[C.EVIDENCE_START] else text.find(
            row[C.EVIDENCE])
        out.append((start, start + len(row[C.EVIDENCE])))
    return out


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for name, source in DATASETS.items():
        target = tmp_path_factory.mktemp("drafts") / name
        draft(source / paths.ARTICLE_FILE, target)
        out[name] = target
    return out


# ---------------------------------------------------------------------------------------
# Quality against the curated data
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_claim_coverage(drafts, name):
    text = article_text(DATASETS[name])
    curated, drafted = spans(DATASETS[name], text), spans(drafts[name], text)
    covered = [c for c in curated
               if any(overlap(c, d) >= 0.5 * (c[1] - c[0]) for d in drafted)]
    tight = [c for c in curated
             if any(overlap(c, d) >= 0.5 * (c[1] - c[0]) and overlap(c, d) >= 0.5 * (d[1] - d[0])
                    for d in drafted)]
    assert len(covered) / len(curated) >= 0.8, (len(covered), len(curated))
    assert len(tight) / len(curated) >= 0.6, (len(tight), len(curated))


@pytest.mark.parametrize("name", DATASETS)
def test_every_member_country_and_membership_found(drafts, name):
    curated = rows(DATASETS[name], "members")
    countries = {r[C.COUNTRY_CODE] for r in rows(drafts[name], "countries")}
    assert {r[C.COUNTRY_CODE] for r in curated} <= countries
    found = {(r[C.ORGANISATION], r[C.COUNTRY_CODE], r[C.STATUS])
             for r in rows(drafts[name], "members")}
    assert {(r[C.ORGANISATION], r[C.COUNTRY_CODE], r[C.STATUS]) for r in curated} <= found


@pytest.mark.parametrize("name", DATASETS)
def test_every_money_figure_found_with_its_precision(drafts, name):
    text = article_text(DATASETS[name])
    drafted_claims = {r[C.CLAIM_ID]: s for r, s in
                      zip(rows(drafts[name], "claims"), spans(drafts[name], text), strict=True)}
    drafted = []
    for row in rows(drafts[name], "money"):
        claim_start = drafted_claims[row[C.CLAIM_ID]][0]
        at = text.find(row[C.AS_STATED], max(0, claim_start - 200))
        drafted.append((row, (at, at + len(row[C.AS_STATED]))))
    for row in rows(DATASETS[name], "money"):
        at = text.find(row[C.AS_STATED])
        assert at >= 0, row
        span = (at, at + len(row[C.AS_STATED]))
        hits = [d for d, where in drafted if overlap(span, where)
                and d[C.PRECISION] == row[C.PRECISION]
                and (row[C.PRECISION] == "not_stated" or d[C.CURRENCY] == row[C.CURRENCY])]
        assert hits, f"{row[C.MONEY_ID]} ({row[C.AS_STATED]!r}, {row[C.PRECISION]}) not drafted"


def test_amounts_read_exactly(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(
        "Denmark will give DKK 1.5bn to the fund, officials said. The bank holds €1bn in "
        "reserves. China promised 200m yuan in aid. The project will cost more than $2bn, "
        "analysts say. The war has cost several billion dollars so far. Losses are about "
        "£5 million. Donors pledged $31m on Monday.\n", encoding="utf-8")
    draft(article, tmp_path / "out")
    found = {r[C.AS_STATED]: (r[C.LOW], r[C.HIGH], r[C.CURRENCY], r[C.PRECISION])
             for r in rows(tmp_path / "out", "money")}
    assert found["DKK 1.5bn"] == ("1500000000", "1500000000", "DKK", "exact")
    assert found["€1bn"] == ("1000000000", "1000000000", "EUR", "exact")
    assert found["200m yuan"] == ("200000000", "200000000", "CNY", "exact")
    assert found["more than $2bn"] == ("2000000000", "", "USD", "lower_bound")
    assert found["several billion dollars"] == ("3000000000", "9000000000", "USD",
                                                "order_of_magnitude")
    assert found["about £5 million"] == ("5000000", "5000000", "GBP", "approximate")
    assert found["$31m"] == ("31000000", "31000000", "USD", "exact")


def test_countries_by_demonym_and_capital(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(
        "Chinese and Afghan officials met Tajik envoys. Moscow's stance has shifted, and "
        "Tokyo would provide aid. The talks were held in Brussels. Central Asian states "
        "gained independence from the Soviet Union.\n", encoding="utf-8")
    draft(article, tmp_path / "out")
    codes = [r[C.COUNTRY_CODE] for r in rows(tmp_path / "out", "countries")]
    assert codes == ["AFG", "CHN", "JPN", "RUS", "TJK"]  # Brussels is a place here
    page = (tmp_path / "out" / "review.html").read_text(encoding="utf-8")
    assert "Brussels (Belgium) as a place" in page


# ---------------------------------------------------------------------------------------
# The written folder
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_every_drafted_row_is_marked_for_review(drafts, name):
    for table in DRAFTED_TABLES:
        assert all(r[C.REVIEW].startswith("draft") for r in rows(drafts[name], table)), table
    meta = json.loads((drafts[name] / paths.ARTICLE_META_FILE).read_text(encoding="utf-8"))
    assert meta["review"].startswith("draft: check")
    for path in REFERENCE_FILES:  # present, header only
        assert (drafts[name] / path).read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.parametrize("name", DATASETS)
def test_article_kept_byte_for_byte_and_offsets_exact(drafts, name):
    source = DATASETS[name] / paths.ARTICLE_FILE
    assert (drafts[name] / paths.ARTICLE_FILE).read_bytes() == source.read_bytes()
    text = article_text(drafts[name])
    for row in rows(drafts[name], "claims"):
        start, end = int(row[C.EVIDENCE_START]), int(row[C.EVIDENCE_END])
        assert text[start:end] == row[C.EVIDENCE]


def test_check_accepts_the_draft_and_warns_of_the_empty_reference_layer(drafts):
    for folder in drafts.values():
        result = run("check", "--data-dir", str(folder))
        assert result.returncode == 0, result.stderr
        for path in REFERENCE_FILES:
            assert f"{path}: has a header but no data rows" in result.stderr, path


def test_two_drafts_are_byte_identical(tmp_path):
    source = DATASETS["shipped"] / paths.ARTICLE_FILE
    for name in ("one", "two"):
        result = run("draft", str(source), "--out", str(tmp_path / name), "--title", "T",
                     "--published", "2021-09-17")
        assert result.returncode == 0, result.stderr
    one = {p.relative_to(tmp_path / "one"): p.read_bytes()
           for p in sorted((tmp_path / "one").rglob("*")) if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes()
           for p in sorted((tmp_path / "two").rglob("*")) if p.is_file()}
    written = [t for t in TABLES.values() if not getattr(t, "optional", False)]
    assert one == two and len(one) == 2 + len(written) + 2


def test_never_overwrites_without_force(tmp_path):
    source = str(DATASETS["other"] / paths.ARTICLE_FILE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("draft", source, "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder
    result = run("draft", source, "--out", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert not (out / "notes.txt").exists() and (out / "claims.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("draft", source, "--out", str(empty)).returncode == 0


def test_refuses_the_curated_data_folder():
    result = run("draft", str(DATASETS["other"] / paths.ARTICLE_FILE), "--out",
                 str(paths.DATA_DIR), "--force")
    assert result.returncode == 2 and "curated data folder" in result.stderr


def test_review_page_is_self_contained_and_escaped(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("The ministry said <script>alert(1)</script> was sent to Kenya. "
                       "Kenya will provide $5m of aid to Uganda, officials said.\n",
                       encoding="utf-8")
    draft(article, tmp_path / "out")
    page = (tmp_path / "out" / "review.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "review.html" in readme and "reference/sources.csv" in readme


# ---------------------------------------------------------------------------------------
# Bad input: one line, exit 2, nothing written
# ---------------------------------------------------------------------------------------

HOSTILE = {
    "empty": b"",
    "blank": b" \n\n\t\n",
    "binary": bytes(range(256)) * 8,
    "utf16": "China and Russia met.".encode("utf-16"),
    "latin1": "Les ministres ont d\xe9cid\xe9 de se r\xe9unir.".encode("latin-1"),
    "cyrillic": ("Путин и Си Цзиньпин обсудили ситуацию в Афганистане. " * 20).encode(),
    "chinese": ("中国和俄罗斯领导人讨论了阿富汗局势。" * 20).encode(),
    "no sentence": b"Hello\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_one_error_line(tmp_path, name):
    article = tmp_path / "article.txt"
    article.write_bytes(HOSTILE[name])
    result = run("draft", str(article), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_ten_megabytes_is_refused_at_once(tmp_path):
    article = tmp_path / "article.txt"
    article.write_bytes(b"China and Russia met in Dushanbe on Friday. " * 240_000)
    start = time.perf_counter()
    result = run("draft", str(article), "--out", str(tmp_path / "out"))
    assert time.perf_counter() - start < 5
    assert result.returncode == 2 and "too long" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("option", [("--published", "17/09/2021")])
def test_bad_option_is_one_error_line(tmp_path, option):
    result = run("draft", str(DATASETS["other"] / paths.ARTICLE_FILE), "--out",
                 str(tmp_path / "out"), *option)
    assert result.returncode == 2 and result.stderr.startswith(f"error: {option[0]}")


def test_windows_line_endings_and_byte_order_mark(tmp_path):
    text = (DATASETS["other"] / paths.ARTICLE_FILE).read_bytes()
    article = tmp_path / "article.txt"
    article.write_bytes(b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    draft(article, tmp_path / "out")
    assert (tmp_path / "out" / paths.ARTICLE_FILE).read_bytes() == article.read_bytes()
    body = article_text(tmp_path / "out")
    for row in rows(tmp_path / "out", "claims"):
        assert body[int(row[C.EVIDENCE_START]):int(row[C.EVIDENCE_END])] == row[C.EVIDENCE]


def test_two_thousand_words_in_under_five_seconds(tmp_path):
    paragraphs = [p for name in DATASETS for p in
                  article_text(DATASETS[name]).split("\n\n") if p.strip()]
    words, body = 0, []
    while words < 2000:
        for paragraph in paragraphs:
            body.append(paragraph)
            words += len(paragraph.split())
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(body) + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = run("draft", str(article), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - start < 5


@pytest.mark.slow
def test_a_draft_renders(drafts, tmp_path):
    folder = tmp_path / "draft"
    shutil.copytree(drafts["other"], folder)
    result = run("render", "--data-dir", str(folder), "--out", str(tmp_path / "report"),
                 "--format", "html", timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report" / "briefing.html").exists()


def test_a_named_pipe_is_refused_not_read(tmp_path):
    """The article is read as the data files are (briefing.limits): a FIFO never blocks."""
    import os

    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    result = run("draft", str(fifo), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "is a named pipe (FIFO), not a regular file" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()

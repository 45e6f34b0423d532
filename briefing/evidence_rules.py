"""Rules for ``claims.csv``'s evidence: every span is in ``article.txt`` verbatim.

Run once the tables are typed, like the rules of :mod:`briefing.rules`. A span that is not
found gets a hint: why it almost matches (quotes, dashes, spaces, capitals) or the closest
passage of the article, for at most :data:`HINTED` cells so that a file where every cell
misses costs a bounded search. Empty ``evidence_start``/``evidence_end`` are filled in.
"""

from __future__ import annotations

import difflib

from .errors import Problem
from .rules import CURLY, DASHES, Checked
from .schema import C

_NEAR_MISSES = (
    (lambda s: s.translate(CURLY),
     "it differs only in quotation marks: the article uses curly quotes (’ “ ”) where the "
     "evidence has straight ones (' \"), or the other way round"),
    (lambda s: s.translate(DASHES),
     "it differs only in dashes or non-breaking spaces (– — vs -)"),
    (lambda s: " ".join(s.translate(CURLY).translate(DASHES).split()),
     "it differs only in spaces or line breaks"),
    (lambda s: " ".join(s.translate(CURLY).translate(DASHES).split()).casefold(),
     "it differs only in capital letters"),
)


def check_evidence(data: Checked) -> list[Problem]:
    """Every evidence span is in the article verbatim; offsets, when given, point at it.

    Fills in ``evidence_start``/``evidence_end`` when both are empty.
    """
    read, article = data.tables.get("claims"), data.article
    if read is None or not article:
        return []
    problems: list[Problem] = []
    cols = read.columns
    evidence, starts, ends = cols[C.EVIDENCE], cols[C.EVIDENCE_START], cols[C.EVIDENCE_END]
    found: dict[str, int] = {}
    folded: dict[int, str] = {}
    hinted = 0
    for j, ev in enumerate(evidence):
        if not ev:
            continue
        where = found.get(ev)
        if where is None:
            where = found[ev] = article.find(ev)
        start, end = starts[j], ends[j]
        if (j, C.EVIDENCE_START) in read.invalid or (j, C.EVIDENCE_END) in read.invalid:
            continue  # a bad offset is reported once, as a bad value
        if where >= 0:
            if start is None and end is None:
                starts[j], ends[j] = where, where + len(ev)
            elif start is None or end is None:
                missing = C.EVIDENCE_START if start is None else C.EVIDENCE_END
                problems.append(Problem(
                    read.file, "give both evidence_start and evidence_end or neither",
                    line=read.line(j, missing), column=missing, value="",
                    expected=str(where if start is None else where + len(ev))))
            elif article[start:end] != ev:
                problems.append(Problem(
                    read.file, "evidence_start/evidence_end do not point at the evidence",
                    line=read.line(j, C.EVIDENCE_START), column=C.EVIDENCE_START,
                    value=f"{start}-{end}",
                    expected=f"{where}-{where + len(ev)} (or leave both empty)"))
            continue
        hint = "is not found verbatim in article.txt"
        hinted += 1
        if hinted <= HINTED:
            hint += _near_miss(ev, article, folded)
        problems.append(Problem(read.file, hint, line=read.line(j, C.EVIDENCE),
                                column=C.EVIDENCE, value=ev,
                                expected="a span copied exactly from article.txt"))
    return problems


#: Evidence cells not found in the article that get a hint (near miss or closest passage):
#: as many as a message lists per column (briefing.validate.MAX_PER_COLUMN), so a file
#: where every cell misses costs a bounded search.
HINTED = 50
#: The longest words of an evidence cell looked up in the article, and the occurrences of
#: each tried, when looking for the closest passage.
ANCHORS, OCCURRENCES = 4, 40


def _near_miss(ev: str, article: str, folded: dict[int, str]) -> str:
    """' — why' when ``ev`` differs from the article only in quotes, dashes, spaces or
    capitals, else ' — closest passage: ...', or '' (``folded``: the article folded each
    way, filled on first use)."""
    for k, (fold, why) in enumerate(_NEAR_MISSES):
        if k not in folded:
            folded[k] = fold(article)
        if fold(ev) in folded[k]:
            return f" — {why}"
    best = _closest_span(ev, article)
    return f" — closest passage: {best!r}" if best else ""


def _closest_span(ev: str, article: str) -> str:
    """The article passage that best matches ``ev``: every occurrence (up to
    :data:`OCCURRENCES`) of each of its longest words (:data:`ANCHORS`) gives a candidate,
    the passage of ``ev``'s length placed so that the word falls where it does in ``ev``;
    the candidate most similar to ``ev`` wins, widened to whole words."""
    words = sorted({w.strip(".,;:!?\"'()[]«»“”‘’") for w in ev.split()},
                   key=lambda w: (-len(w), w))
    anchors = [w for w in words if len(w) >= 3][:ANCHORS] or [w for w in words if w][:1]
    candidates: set[int] = set()
    for anchor in anchors:
        offset = ev.find(anchor)
        at = article.find(anchor)
        for _ in range(OCCURRENCES):
            if at < 0:
                break
            candidates.add(max(0, at - offset))
            at = article.find(anchor, at + 1)
    if not candidates:
        return ""
    best, best_ratio = -1, 0.0
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(ev)
    for start in sorted(candidates):
        matcher.set_seq1(article[start: start + len(ev)])
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = start, ratio
    if best < 0:
        return ""
    return _whole_words(article, best, best + len(ev))


def _whole_words(text: str, start: int, end: int) -> str:
    """``text[start:end]`` widened to the words cut at either end (a few characters)."""
    limit = 24
    while start > 0 and limit and text[start - 1].isalnum() and text[start].isalnum():
        start, limit = start - 1, limit - 1
    limit = 24
    while end < len(text) and limit and text[end].isalnum() and text[end - 1].isalnum():
        end, limit = end + 1, limit - 1
    return text[start:end].strip()

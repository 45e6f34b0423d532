"""Read the article to draft from, refuse what cannot be an article, find its paragraphs.

The text is read exactly as ``python -m briefing check`` will read the drafted
``article.txt`` (a UTF-8 byte-order mark dropped, Windows or old Mac line endings read as
``\\n``), so that every offset drafted here points where the check looks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from ..limits import FileRefused, read_limited

#: Longer than any single article (about 150,000 words): a collection or a wrong file.
MAX_BYTES = 1_000_000
_BOM = b"\xef\xbb\xbf"
_BLOCK = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")  # lines up to a blank line
_END_OF_SENTENCE = re.compile(r"[.!?:;…\"”’)]\s*$")


@dataclass(frozen=True)
class Article:
    """The article as given (``raw``, written back byte for byte) and as read (``text``)."""

    raw: bytes
    text: str
    headline: str  # a title line at the top, not drafted as a claim ("" when none)
    paragraphs: tuple[tuple[int, int], ...]  # (start, end) of each body paragraph
    labels: tuple[str, ...]  # short lines that are not sentences ("Asia updates")


def _refuse(path: Path, message: str) -> ParameterError:
    return ParameterError(f"{path}: {message}")


def _main_script(text: str) -> tuple[str, float]:
    """The writing system of most letters, and the share of letters in Latin script."""
    counts: dict[str, int] = {}
    for char in text[:200_000]:
        if char.isalpha():
            try:
                script = unicodedata.name(char).split()[0]
            except ValueError:
                script = "UNKNOWN"
            counts[script] = counts.get(script, 0) + 1
    letters = sum(counts.values())
    if not letters:
        return "", 0.0
    main = max(sorted(counts), key=counts.__getitem__)
    return main, counts.get("LATIN", 0) / letters


def read_article(path: Path) -> Article:
    """Read ``path``; ParameterError (exit 2, one line) for anything that is not an article."""
    path = Path(path)
    try:  # a regular file under the limit: a named pipe or a device is refused, not read
        raw = read_limited(path, MAX_BYTES, "an article (a text this long is too long to "
                           "be one)", "the article as a UTF-8 text file")
    except FileRefused as exc:
        raise ParameterError(str(exc.problem(str(path)))) from None
    body = raw[len(_BOM):] if raw.startswith(_BOM) else raw
    if b"\x00" in body:
        raise _refuse(path, "contains NUL bytes: a binary file (or UTF-16), not text "
                      "(expected the article saved as UTF-8 text)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[:exc.start].count(b"\n") + 1
        raise _refuse(path, f"not valid UTF-8 (byte 0x{body[exc.start]:02x} on line {line}; "
                      "expected the article saved as UTF-8 text)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _refuse(path, "file is empty (expected the article's text)")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t")
    if controls > max(2, len(text) // 1000):
        raise _refuse(path, f"{controls} control characters: a binary file, not text "
                      "(expected the article saved as UTF-8 text)")
    script, latin = _main_script(text)
    if not script:
        raise _refuse(path, "has no words (expected the article's text)")
    if latin < 0.5:
        raise _refuse(path, f"the text is mostly in {script.title()} script ({latin:.0%} "
                      "Latin letters); the draft reads English articles only")
    return _structure(raw, text)


def _structure(raw: bytes, text: str) -> Article:
    """Paragraphs are blocks of lines between blank lines; a first block that is one short
    line without a full stop is the headline; other such lines are labels."""
    blocks = [(m.start(), m.end()) for m in _BLOCK.finditer(text)]
    headline = ""
    labels: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(blocks):
        block = text[start:end].strip()
        single_line = "\n" not in block
        unfinished = not _END_OF_SENTENCE.search(block)
        words = len(block.split())
        if k == 0 and len(blocks) > 1 and single_line and unfinished and words <= 25:
            headline = block
        elif single_line and unfinished and words < 6:
            labels.append(block)
        else:
            lead = len(text[start:end]) - len(text[start:end].lstrip())
            paragraphs.append((start + lead, start + len(text[start:end].rstrip())))
    return Article(raw, text, headline, tuple(paragraphs), tuple(labels))

"""Column widths for the PDF's tables, measured with the fonts' advance widths.

WeasyPrint's automatic table layout measures the narrowest and widest layout of every cell,
which was about a third of the PDF's layout time (``make bench``: PDF export of the briefing
with these widths against automatic layout). :func:`size_columns` follows the same rule (CSS
2.1 automatic layout) in Python and writes the result as a ``<colgroup>`` of ``col.wN``
(N %) that the print stylesheet (:func:`width_rules`) turns into a fixed layout.
"""

from __future__ import annotations

import math
import re

from . import fonts

#: The scale of :func:`size_columns`, in em of the tables' 8 pt type: the PDF's text width
#: (170 mm), a cell's left and right padding (0.45 rem of 10.5 pt each) and some slack
#: against kerning and rounding for the narrowest width a column may get.
_LINE_EM = 170 / 25.4 * 72 / 8
_CELL_PADDING_EM = 2 * 0.45 * 10.5 / 8
_SLACK_EM = 0.5
#: Cells the print stylesheet keeps on one line (``white-space: nowrap``; a status may
#: wrap between its words), cells whose long tokens may break anywhere (URLs), and the
#: faces and sizes of table text.
_NOWRAP = {"id", "date", "num", "number", "verdict"}
_BREAK_ANYWHERE = {"url"}
_BLOCKS = ("p", "li", "dt", "dd", "div", "pre", "blockquote")
#: Which embedded face measures which text: (family word, style, weight).
_FACES = {"sans": ("Sans", "normal", 400), "bold": ("Sans", "normal", 700),
          "serif": ("Serif", "normal", 400)}
_CODE_SIZE = 0.85  # code is set in the sans at the stylesheet's 0.85em


def _widths(face: str) -> dict[int, float]:
    """Advance widths of the embedded face that sets ``face`` text (empty if missing)."""
    word, style, weight = _FACES[face]
    for family, fstyle, fweight, name in fonts.EMBEDDED_FONTS:
        if word in family and fstyle == style and int(fweight) == weight:
            return fonts.advance_widths(name) or {}
    return {}


def _text_em(text: str, face: str) -> float:
    """Width of ``text`` set in ``face`` (a key of _FACES, or "mono"), in em."""
    if face == "mono":
        return _text_em(text, "sans") * _CODE_SIZE
    widths = _widths(face)
    return sum(widths.get(ord(ch), 1.0 if ord(ch) >= 0x2E80 else 0.556) for ch in text)


#: Where a line may break between words: ASCII white space, never a no-break space
#: (U+00A0, U+202F, U+2007: "17 Sep 2021" and "$31 m" are set on one line) as str.split() would.
_BREAKS = re.compile(r"[ \t\n\r\f]+")

_TITLE_BLOCK_SIZE = 0.82 * 10.5 / 8  # .title-block table: 0.82 rem instead of 8 pt


def _cell_widths(cell, one_line: bool = False, size: float = 1.0) -> tuple[float, float]:
    """(min-content, max-content) width of a table cell in em, measured with the fonts'
    own advance widths: its longest word, and its longest block of text (a paragraph, a
    list item, the whole cell); both the same for a cell kept on ``one_line``."""
    classes = set(cell.get("class") or [])
    one_line = one_line or bool(classes & _NOWRAP)
    base = "bold" if cell.name == "th" else "serif" if "quote" in classes else "sans"
    size *= 0.92 if classes & {"refs", "url"} else 1.05 if "quote" in classes else 1.0
    blocks = cell.find_all(_BLOCKS) if cell.find(_BLOCKS) is not None else [cell]
    longest = shortest = 0.0
    for block in blocks:
        line = 0.0
        for text in block.find_all(string=True):
            face, node = base, text.parent
            while node is not None and node is not cell:
                if node.name in ("code", "kbd", "pre"):
                    face = "mono"
                    break
                if node.name in ("strong", "b", "th") and face == "sans":
                    face = "bold"
                node = node.parent
            line += _text_em(str(text), face) * size
            if not one_line:
                for word in _BREAKS.split(str(text)):
                    shortest = max(shortest, _text_em(word, face) * size)
        longest = max(longest, line)
    if one_line:
        shortest = longest
    elif classes & _BREAK_ANYWHERE or cell.find("a") is not None:
        shortest = min(shortest, 8.0)
    low = shortest + _CELL_PADDING_EM + _SLACK_EM
    return low, max(longest + _CELL_PADDING_EM, low)


def _grid(table) -> list[tuple[object, int, int]]:
    """Every cell of ``table`` with its first column and the number of columns it spans,
    placed as HTML's table model does (past the columns a cell above still covers); empty
    when the rows do not make a full rectangle."""
    placed, taken = [], {}  # taken: row -> the columns its own and row-spanning cells cover
    rows = table.find_all("tr")
    for i, tr in enumerate(rows):
        j = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while j in taken.get(i, ()):
                j += 1
            try:
                span = max(1, int(cell.get("colspan") or 1))
                down = max(1, int(cell.get("rowspan") or 1))
            except ValueError:
                return []
            placed.append((cell, j, span))
            for r in range(i, i + down):
                taken.setdefault(r, set()).update(range(j, j + span))
            j += span
    n = max((j + span for _, j, span in placed), default=0)
    if not placed or any(taken.get(i, set()) != set(range(n)) for i in range(len(rows))):
        return []
    return placed


def size_columns(soup, *tables) -> None:
    """Give each of ``tables`` explicit column widths (``<colgroup>`` of ``col.wN``, N %)
    for the fixed table layout of the PDF; tables given together (the same number of
    columns) get the same widths, each column as wide as it needs to be in any of them.

    WeasyPrint's automatic table layout measures the narrowest and widest layout of every
    cell, which was about a third of the PDF's layout time. The widths computed here follow
    the same rule (CSS 2.1 automatic layout) with the fonts' advance widths: each column
    gets its longest word (its whole text when it is kept on one line), and the room left
    is shared in proportion to what each column would need to set its longest text on one
    line. A merged cell (colspan, rowspan) takes its place in the grid as in HTML; its
    longest word is shared out over the columns it spans. A table that has its own
    ``<col>`` elements, or that cannot be placed in a grid, is left to the browser.
    """
    needs = [(t, _needs(t)) for t in tables if not (t.find("colgroup") or t.find("col"))]
    needs = [(t, need) for t, need in needs if need is not None]
    if len({len(need[0]) for _, need in needs}) > 1:  # not alike: each on its own
        for table, _ in needs:
            size_columns(soup, table)
        return
    if not needs:
        return
    low = [max(column) for column in zip(*(need[0] for _, need in needs), strict=True)]
    high = [max(column) for column in zip(*(need[1] for _, need in needs), strict=True)]
    percents = _whole_percents(_share(low, high), low)
    for table, _ in needs:
        group = soup.new_tag("colgroup")
        for percent in percents:
            group.append(soup.new_tag("col", attrs={"class": f"w{percent}"}))
        caption = table.find("caption", recursive=False)
        if caption is not None:
            caption.insert_after(group)
        else:
            table.insert(0, group)
        table["class"] = [*(table.get("class") or []), "sized"]


def size_tables(soup, tables) -> None:
    """:func:`size_columns` for every table; tables that declare the same
    ``data-same-widths`` key (the data dictionary's, one per file) are sized together, so
    their columns line up from one table to the next."""
    alike: dict[str, list] = {}
    for table in tables:
        key = table.get("data-same-widths")
        if key:
            alike.setdefault(key, []).append(table)
        else:
            size_columns(soup, table)
    for group in alike.values():
        size_columns(soup, *group)


def _needs(table) -> tuple[list[float], list[float]] | None:
    """(narrowest, widest) width of each column of ``table`` in em: its longest word, its
    longest text on one line; None for a table that cannot be sized (no grid, or fewer than
    2 or more than 100 columns)."""
    placed = _grid(table)
    if not placed:
        return None
    n = max(j + span for _, j, span in placed)
    if not 2 <= n <= 100:
        return None
    header_one_line = "meta" in (table.get("class") or [])  # table.meta th: nowrap
    size = _TITLE_BLOCK_SIZE if table.find_parent(class_="title-block") else 1.0
    low, high = [0.0] * n, [0.0] * n
    spanning = []
    for cell, j, span in placed:
        a, b = _cell_widths(cell, one_line=header_one_line and cell.name == "th", size=size)
        if span == 1:
            low[j], high[j] = max(low[j], a), max(high[j], b)
        else:
            spanning.append((j, span, a))
    for j, span, a in spanning:  # a merged cell's longest word fits the columns it spans
        short = a - sum(low[j:j + span])
        if short > 0:
            for k in range(j, j + span):
                low[k] += short / span
                high[k] = max(high[k], low[k])
    return low, high


def _share(low: list[float], high: list[float]) -> list[float]:
    """Column widths from their narrowest and widest: the widest when all fit the line, the
    narrowest when even those do not, else the room left shared in proportion to need."""
    total_low, total_high = sum(low), sum(high)
    if total_high <= _LINE_EM or total_high <= total_low:
        return high
    if total_low >= _LINE_EM:
        return low
    share = (_LINE_EM - total_low) / (total_high - total_low)
    return [lo + (hi - lo) * share for lo, hi in zip(low, high, strict=True)]


def _whole_percents(widths: list[float], minimums: list[float] | None = None) -> list[int]:
    """``widths`` as whole percentages adding up to exactly 100, each at least 1.

    Every share is rounded up, then the excess is taken one point at a time from the column
    with the most room above its ``minimums`` (same unit as ``widths``; widest first on a
    tie), so a column set at its narrowest width keeps it whenever the table has room."""
    total = sum(widths) or 1.0
    percents = [max(1, math.ceil(w / total * 100 - 1e-9)) for w in widths]
    floor = [m / total * 100 for m in (minimums or [0.0] * len(widths))]
    order = sorted(range(len(widths)), key=lambda k: (-widths[k], k))
    while sum(percents) > 100:
        spare = [k for k in order if percents[k] > 1]
        if not spare:
            break
        k = max(spare, key=lambda i: (percents[i] - floor[i], widths[i], -i))
        percents[k] -= 1
    while sum(percents) < 100:
        percents[order[0]] += 1
    return percents


def width_rules() -> str:
    """Print rules for the widths of :func:`size_columns` (screens keep automatic layout)."""
    widths = "\n".join(f"  table.sized col.w{n} {{ width: {n}%; }}" for n in range(1, 101))
    return (f"/* column widths computed by briefing.columns.size_columns */\n"
            f"@media print {{\n  table.sized {{ table-layout: fixed; }}\n{widths}\n}}\n")

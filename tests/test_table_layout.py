"""The PDF's tables use the fixed layout with the widths briefing.columns.size_columns
computes: no text may run past its cell, and a cell the stylesheet keeps on one line must
stay on one line.

Checked on WeasyPrint's own layout of the briefing, of the fictional dataset and of a
country profile (whose title block has the meta table with one-line row headers).
"""

from __future__ import annotations

import pytest

from briefing import paths
from briefing.columns import _NOWRAP
from briefing.pdf import _local_fetcher

pytestmark = pytest.mark.slow

TOLERANCE_PX = 0.5


@pytest.fixture(scope="module", params=["default", "other", "profile"])
def laid_out(request):
    """(name, WeasyPrint document) of one rendered page (rendered once per session, see
    conftest), laid out for print."""
    from weasyprint import HTML

    name = request.param
    report = request.getfixturevalue(f"{name}_report")
    html = report["html"].read_text(encoding="utf-8")
    assert "table.sized" in html, "the print rules for computed widths are missing"
    base = str(paths.REPORTS_DIR) + "/"
    return name, HTML(string=html, base_url=base, url_fetcher=_local_fetcher()).render()


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def _cells(document):
    """(page number, classes of the cell's table, cell box) of every laid-out cell."""
    from weasyprint.formatting_structure import boxes

    for number, page in enumerate(document.pages, start=1):
        for table in _walk(page._page_box):
            if isinstance(table, boxes.TableBox):
                classes = set((table.element.get("class") or "").split())
                for box in _walk(table):
                    if isinstance(box, boxes.TableCellBox):
                        yield number, classes, box


def _label(cell) -> str:
    element = cell.element
    text = " ".join("".join(element.itertext()).split()) if element is not None else ""
    return text[:60]


def test_every_table_is_laid_out_with_computed_widths(laid_out):
    from weasyprint.formatting_structure import boxes

    name, document = laid_out
    tables = [box for page in document.pages for box in _walk(page._page_box)
              if isinstance(box, boxes.TableBox)]
    assert tables, f"{name}: no table laid out"
    for table in tables:
        classes = (table.element.get("class") or "").split()
        assert "sized" in classes, f"{name}: a table without computed widths ({classes})"
        assert table.style["table_layout"] == "fixed"


def test_no_text_runs_past_its_cell(laid_out):
    from weasyprint.formatting_structure import boxes

    name, document = laid_out
    problems = []
    checked = 0
    for number, _classes, cell in _cells(document):
        right = cell.content_box_x() + cell.width
        for box in _walk(cell):
            if isinstance(box, boxes.TextBox) and box.width:
                checked += 1
                over = box.position_x + box.width - right
                if over > TOLERANCE_PX:
                    problems.append(f"page {number}: {over:.1f} px past the cell: "
                                    f"{_label(cell)!r}")
                    break
    assert checked > 50, f"{name}: too few table texts laid out to check ({checked})"
    assert problems == [], f"{name}:\n" + "\n".join(problems)


def test_cells_kept_on_one_line_stay_on_one_line(laid_out):
    from weasyprint.formatting_structure import boxes

    name, document = laid_out
    problems = []
    seen = 0
    for number, table_classes, cell in _cells(document):
        element = cell.element
        if element is None:
            continue
        classes = set((element.get("class") or "").split())
        meta_header = element.tag.split("}")[-1] == "th" and "meta" in table_classes
        if not (classes & _NOWRAP or meta_header):
            continue
        # the cell's own lines (an inline-block inside, like a verdict label, has its own)
        lines = [b for b in cell.children if isinstance(b, boxes.LineBox)
                 and any(isinstance(t, boxes.TextBox) and t.text.strip() for t in _walk(b))]
        seen += 1
        if len(lines) > 1:
            problems.append(f"page {number}: {len(lines)} lines: {_label(cell)!r}")
    assert seen > 5, f"{name}: too few one-line cells to check ({seen})"
    assert problems == [], f"{name}:\n" + "\n".join(problems)

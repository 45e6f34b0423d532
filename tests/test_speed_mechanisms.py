"""The render's speed mechanisms change no output and leave nothing behind: column widths
for the PDF's fixed table layout, no collector during the PDF export, the kernel stopped
before the exports, the quick exit."""

from __future__ import annotations

import base64
import gc
import math
import os
import re
import subprocess
import sys
import uuid
from contextlib import nullcontext
from pathlib import Path

import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup
from hypothesis import example, given
from hypothesis import strategies as st

from briefing import audit, columns, execute, html, kernels, paths, pdf
from briefing.errors import RenderError

# --------------------------------------------------------------------------- helpers

def _table(html: str):
    """The first table of ``html`` after size_columns."""
    soup = BeautifulSoup(html, features="html.parser")
    columns.size_columns(soup, soup.table)
    return soup.table


def _percents(table) -> list[int]:
    cols = table.find("colgroup").find_all("col")
    return [int(re.fullmatch(r"w(\d+)", c["class"][0]).group(1)) for c in cols]


def _rows(*rows: list[str], first: str = "") -> str:
    """A table of ``rows``; ``first`` is the class of the first column's cells."""
    body = "".join(f'<tr><td class="{first}">{r[0]}</td>'
                   + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>" for r in rows)
    return f"<table>{body}</table>"


def _print_css(css: str) -> list[str]:
    """The text inside each ``@media print { ... }`` block of ``css`` (rules nest once)."""
    return re.findall(r"@media print\s*\{((?:[^{}]|\{[^{}]*\})*)\}", css)


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """The default briefing rendered as HTML by the command line, in a fresh TMPDIR and with
    an environment marker every process it starts inherits."""
    root = tmp_path_factory.mktemp("speed")
    tmp, out, marker = root / "tmp", root / "out", uuid.uuid4().hex
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_NO_WARM"}
    env.update(TMPDIR=str(tmp), BRIEFING_SPEED_TEST=marker)
    proc = subprocess.run([sys.executable, "-m", "briefing", "render", "--format", "html",
                           "--out", str(out)], cwd=paths.ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "marker": marker, "out": out,
            "html": (out / "briefing.html").read_text(encoding="utf-8")}


# --------------------------------------------------------------------------- column widths

@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=100))
@example([3.0] * 60).via("many columns")
@example([0.0] * 60).via("zero widths")
@example([0.0, 0.0, 7.5]).via("some zero widths")
@example([1e9] + [1.0] * 59).via("one column takes nearly all")
@example([5.0] * 99 + [1e6]).via("100 columns")
def test_whole_percents_are_whole_at_least_one_and_add_up_to_100(widths):
    percents = columns._whole_percents(widths)
    assert all(isinstance(p, int) and p >= 1 for p in percents)
    assert sum(percents) == 100 and len(percents) == len(widths)
    if sum(widths) > 0:  # rounding gives no column more than its share rounded up
        exact = [w / sum(widths) * 100 for w in widths]
        assert all(p <= max(1, math.ceil(e + 1e-6)) for p, e in zip(percents, exact, strict=True))


@pytest.mark.parametrize("html", [
    "<table><tr><td colspan='2'>a</td></tr><tr><td>b</td><td>c</td><td>d</td>"
    "</tr></table>",  # two columns, then three
    "<table><tr><td rowspan='2'>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
    # (the second row starts after a's column: three columns under two)
    "<table><colgroup><col><col></colgroup><tr><td>a</td><td>b</td></tr></table>",
    "<table><col><col><tr><td>a</td><td>b</td></tr></table>",
    _rows(["only"], ["one column"]),
    _rows(["a", "b"], ["ragged"]),
    "<table></table>",
], ids=["colspan", "rowspan", "colgroup", "col", "one-column", "ragged", "empty"])
def test_tables_that_cannot_be_sized_are_left_alone(html):
    before = str(BeautifulSoup(html, features="html.parser"))
    table = _table(html)
    assert str(table) == before
    assert "sized" not in (table.get("class") or [])


def test_merged_cells_take_their_place_in_the_grid():
    """A cell spanning two columns and one spanning two rows, as the positions table has:
    three columns, and the spanning cell's longest word fits the two it spans."""
    long = "internationalisation"
    table = _table("<table><tr><th>Topic</th><th>A</th><th>B</th></tr>"
                   f"<tr><td rowspan='2'>t</td><td colspan='2'>both {long}</td></tr>"
                   "<tr><td>a</td><td>b</td></tr></table>")
    assert "sized" in table["class"]
    percents = _percents(table)
    assert len(percents) == 3 and sum(percents) == 100
    needed = (columns._text_em(long, "serif") + columns._CELL_PADDING_EM) / columns._LINE_EM
    assert (percents[1] + percents[2]) / 100 >= needed * 0.9


@pytest.mark.parametrize("repeat", [1, 8], ids=["fits", "overflows"])
def test_longer_text_gets_a_wider_column(repeat):
    texts = [" ".join(["word"] * n * repeat) for n in (1, 3, 9)]
    percents = _percents(_table(_rows(texts, texts)))
    assert percents[0] < percents[1] < percents[2]


@pytest.mark.parametrize("others", [1, 5])
@pytest.mark.parametrize("cls", ["id", "num"])
def test_nowrap_column_gets_the_share_its_longest_text_needs(cls, others):
    value = "1 234 567 890 123 456 789"  # spaces: would wrap to its longest word if it could
    row = [value] + [" ".join(["wo"] * 40)] * others  # room: every word fits with the value
    nowrap, wrapping = _table(_rows(row, first=cls)), _table(_rows(row))
    assert sum(columns._cell_widths(c)[0] for c in nowrap("td")) < columns._LINE_EM
    needed = (columns._text_em(value, "sans") + columns._CELL_PADDING_EM) / columns._LINE_EM * 100
    assert _percents(nowrap)[0] >= needed
    assert _percents(wrapping)[0] < needed  # the class is what earns the room


def test_tables_sized_together_line_up_and_each_column_fits_all_of_them():
    """The data dictionary's tables (one per file) share their widths: each column is as
    wide as it must be in any of them, so columns line up from one table to the next."""
    long_name = ["reference_money_id", "string", "yes", "stable identifier"]
    long_meaning = ["code", "string", "no", " ".join(["meaning"] * 40)]
    page = (f'<table data-same-widths="d">{_rows(long_name)[7:]}'
            f'<table data-same-widths="d">{_rows(long_meaning)[7:]}{_rows(long_meaning)}')
    soup = BeautifulSoup(page, features="html.parser")
    first, second, apart = soup.find_all("table")
    columns.size_tables(soup, [first, second, apart])
    assert _percents(first) == _percents(second)
    narrowest = columns._needs(BeautifulSoup(_rows(long_name), "html.parser").table)[0]
    assert _percents(second)[0] >= narrowest[0] / columns._LINE_EM * 100  # the name fits
    assert _percents(apart) != _percents(first)  # a table outside the group: its own widths
    # tables given together but not alike (other column counts) are each sized alone
    odd = BeautifulSoup(_rows(long_name) + _rows(long_name[:2]), features="html.parser")
    columns.size_tables(odd, odd.find_all("table"))
    assert [len(_percents(t)) for t in odd.find_all("table")] == [4, 2]


def test_css_has_fixed_layout_and_every_width_for_print_only():
    css = html._css()
    printed = "\n".join(_print_css(css))
    assert re.search(r"table\.sized\s*\{\s*table-layout:\s*fixed;", printed)
    for n in range(1, 101):
        assert f"table.sized col.w{n} {{ width: {n}%; }}" in printed
    screen = css
    for block in _print_css(css):
        screen = screen.replace(block, "")
    assert "table-layout: fixed" not in screen and "col.w" not in screen


@pytest.mark.slow
def test_rendered_tables_are_sized_for_print(rendered):
    soup = BeautifulSoup(rendered["html"], features="html.parser")
    printed = "\n".join(_print_css("\n".join(s.get_text() for s in soup("style"))))
    sized = 0
    for table in soup.find_all("table"):
        placed = columns._grid(table)
        n = max((j + span for _, j, span in placed), default=0)
        if n < 2:
            assert "sized" not in (table.get("class") or [])
            continue
        counts = {n}
        assert "sized" in table["class"], table.get("id")
        children = [c.name for c in table.find_all(recursive=False)]
        first = ["caption", "colgroup"] if "caption" in children else ["colgroup"]
        assert children[:len(first)] == first  # a caption stays first
        percents = _percents(table)
        assert len(percents) == counts.pop() and sum(percents) == 100
        for p in percents:
            assert f"table.sized col.w{p} {{ width: {p}%; }}" in printed
        sized += 1
    assert sized >= 3


# --------------------------------------------------------------------------- collector

def test_collector_is_paused_inside_and_restored_after(monkeypatch):
    assert gc.isenabled()
    with paths.collector_paused("collector"):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), paths.collector_paused("collector"):
        raise ValueError("export failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with paths.collector_paused("collector"):
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
    monkeypatch.setenv("BRIEFING_NO_WARM", "collector")
    with paths.collector_paused("collector"):
        assert gc.isenabled()  # the bench's switch
    with paths.collector_paused():
        assert not gc.isenabled()  # validation's pause has no switch
    assert gc.isenabled()


@pytest.mark.parametrize(("switched_off", "collector_on"), [("", False), ("collector", True)])
def test_pdf_export_runs_without_collector_and_restores_it(monkeypatch, tmp_path,
                                                           switched_off, collector_on):
    import weasyprint

    monkeypatch.setenv("BRIEFING_NO_WARM", switched_off)

    seen = []

    class Failing:
        def __init__(self, **kwargs):
            seen.append(gc.isenabled())

        def write_pdf(self, **kwargs):
            raise RuntimeError("layout failed")

    monkeypatch.setattr(weasyprint, "HTML", Failing)
    with pytest.raises(RenderError, match="layout failed"):
        pdf.export_pdf("<p>x</p>", tmp_path)
    assert seen == [collector_on] and gc.isenabled()


# --------------------------------------------------------------------------- kernel stop

@pytest.mark.slow
@pytest.mark.parametrize("body", ["print(1)", "raise ValueError('boom')"], ids=["ok", "fails"])
def test_single_use_kernel_stops_once_the_notebook_ran(tmp_path, body):
    notebook = tmp_path / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(body)], metadata={
        "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}),
        notebook)
    with kernels.prestarted_kernel(modules=[]) as kernel:
        assert kernel is not None
        km = kernel.km
        pid = km.provisioner.process.pid
        ipc = Path(km.connection_file).parent
        with pytest.raises(RenderError, match="boom") if "raise" in body else nullcontext():
            execute.execute(notebook, {}, km=km, on_executed=kernel.shutdown_in_background)
        stopping = kernel._closing  # started by execute, before this block ends
        assert stopping is not None
        stopping.join(timeout=60)
        assert not stopping.is_alive() and not psutil.pid_exists(pid) and not ipc.exists()


@pytest.mark.slow
def test_render_leaves_no_kernel_and_no_kernel_folder(rendered):
    assert list(rendered["tmp"].glob("briefing-kernel-*")) == []
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline", "environ"])
            if (p.info["environ"] or {}).get("BRIEFING_SPEED_TEST") == rendered["marker"]]
    assert left == []  # the kernel carries the marker


# --------------------------------------------------------------------------- soup pass

@pytest.mark.slow
def test_exported_page_keeps_alt_text_and_stays_inert(rendered):
    soup = BeautifulSoup(rendered["html"], features="html.parser")
    assert soup("img") and all(len(img.get("alt") or "") > 10 for img in soup("img"))
    assert audit.unsafe_html(rendered["html"]) == []


def test_an_image_a_notebook_displays_without_alt_gets_one():
    """Any notebook can be rendered (--notebook): a plain image output has no alt text of
    its own, and the page must still describe it (nbconvert's skipped pass used to)."""
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode("ascii")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook"),
                nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
                    "display_data", data={"image/png": png, "text/plain": "<Figure>"})])]
    soup = BeautifulSoup(html.export_html(nb, "A notebook"), features="html.parser")
    images = soup("img")
    assert len(images) == 1
    assert images[0].get("alt", "").strip()


# --------------------------------------------------------------------------- fast exit

def test_the_command_line_runs_exit_handlers_and_flushes_before_its_fast_exit(tmp_path):
    """``python -m briefing`` leaves with os._exit to skip the interpreter's teardown: exit
    handlers must still run, buffered output must still arrive, the exit code must hold."""
    marker = tmp_path / "handler-ran"
    script = (
        "import atexit, runpy, sys\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
        "sys.argv = ['briefing', *sys.argv[1:]]\n"
        "runpy.run_module('briefing', run_name='__main__')\n")
    ok = subprocess.run([sys.executable, "-c", script, "check"], cwd=paths.ROOT,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("data: valid"), ok
    assert marker.read_text() == "ran"
    marker.unlink()
    bad = subprocess.run([sys.executable, "-c", script, "render", "-p", "nosuch", "1"],
                         cwd=paths.ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown parameter" in bad.stderr, bad
    assert marker.read_text() == "ran"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007"])
def test_a_no_break_space_joins_words_into_one_that_must_fit(space):
    from bs4 import BeautifulSoup

    joined = space.join(["17", "September", "2021"])
    cell = BeautifulSoup(f"<td>{joined} and more</td>", "html.parser").td
    narrowest, widest = columns._cell_widths(cell)
    room = columns._CELL_PADDING_EM + columns._SLACK_EM
    assert narrowest == pytest.approx(columns._text_em(joined, "sans") + room)
    assert widest > narrowest
    ordinary = BeautifulSoup("<td>17 September 2021 and more</td>", "html.parser").td
    assert columns._cell_widths(ordinary)[0] == pytest.approx(
        columns._text_em("September", "sans") + room)

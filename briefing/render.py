"""Execute a parameterised notebook with papermill and export it as HTML and PDF.

The pipeline is ``execute`` (papermill) -> ``export_html`` (nbconvert with the kit's
template, then a finishing pass that numbers headings, builds the table of contents and
checks that the page is self-contained and inert) -> ``export_pdf`` (WeasyPrint on the same
HTML, CSS paged media; a page with contents is laid out in parts on both cores and joined,
briefing.paged). ``render`` runs all three and writes the outputs atomically.

Outputs are reproducible: the same notebook, parameters and data give byte-identical
``.ipynb``, ``.html`` and ``.pdf`` files (no wall-clock time, random id or absolute path).

Outputs are written atomically: every format is rendered in memory, written to a uniquely
named temporary file in the output folder and moved into place only when every format
succeeded, so a failed or interrupted run leaves the previous report untouched.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import logging
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import paths
from .errors import RenderError
from .fonts import advance_widths, embed_page_fonts
from .kernels import left_by_dead_processes

REMOVED_TAGS = ("parameters", "injected-parameters")
PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "exception", "status")

#: A notebook may display ``{METADATA_MIMETYPE: {"title": ..., "author": ..., "description":
#: ..., "keywords": [...], "language": ...}}`` (``display(..., raw=True)``) to name the
#: document; the output itself is never shown. Every key is optional.
METADATA_MIMETYPE = "application/vnd.briefing.metadata+json"

#: Headings that get an id, a PDF bookmark and (h2) an entry in the table of contents.
TOC_LEVEL = 2
TEMPLATE_NAME = "briefing"


# --------------------------------------------------------------------------- atomic output

_TEMP_RE = re.compile(r"^\..+\.pid(\d+)\.[A-Za-z0-9_]+\.(tmp|ipynb)$")


def _temp_path(path: Path, suffix: str = ".tmp") -> Path:
    """A new, uniquely named hidden file next to ``path`` (never ``path`` itself).

    The name carries the process id, so a later run can recognise (and remove) what a
    killed run left behind without touching the files of a run still going on.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.pid{os.getpid()}.", suffix=suffix,
                               dir=path.parent)
    os.close(fd)
    return Path(tmp)


def remove_stale_temps(out_dir: Path) -> list[Path]:
    """Delete temporary files in ``out_dir`` left by renders that were killed (their
    process no longer exists); return what was removed."""
    removed = []
    for entry in left_by_dead_processes(out_dir, _TEMP_RE):
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while rendering, so that ``finally`` blocks
    run (temporary files removed, kernel shut down) and the caller reports it.
    Only the main thread can install signal handlers; elsewhere this does nothing."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    except KeyboardInterrupt:
        # nbclient's pending cell task dies with the kernel we just shut down; asyncio
        # would print its traceback ("Task exception was never retrieved") at exit
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write_temp(path: Path, data: bytes | str) -> Path:
    """Write ``data`` next to ``path`` under a unique hidden name; return that name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = _temp_path(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    write_all({Path(path): data})


def write_all(outputs: dict[Path, bytes | str]) -> None:
    """Write several files so that none is replaced unless all could be written.

    Every file goes to a unique temporary name first (so two renders into different
    folders, or even the same one, never share a temporary file); only then are they
    renamed into place, each rename being atomic.
    """
    temps: dict[Path, Path] = {}
    try:
        for path, data in outputs.items():
            temps[Path(path)] = _write_temp(Path(path), data)
        for path, tmp in temps.items():
            os.replace(tmp, path)
    except OSError as exc:
        raise RenderError(f"cannot write {paths.display_path(exc.filename or '')}: "
                          f"{exc.strerror or exc}") from None
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


# --------------------------------------------------------------------------- execution

def _clean_notebook(nb) -> None:
    """Remove what makes an executed notebook differ between identical runs."""
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        pm = cell.get("metadata", {}).get("papermill")
        if pm is not None:
            for key in PAPERMILL_VOLATILE:
                pm.pop(key, None)
            if not pm:
                cell["metadata"].pop("papermill")
        cell.get("metadata", {}).pop("execution", None)
        if "id" not in cell:
            cell["id"] = f"cell-{i}"
    meta = nb.metadata.get("papermill", {})
    for key in (*PAPERMILL_VOLATILE, "input_path", "output_path", "environment_variables",
                "version"):
        meta.pop(key, None)


_RUN = threading.local()  # the notebook being executed in this thread, and its running cell
ENGINE_NAME = "briefing"


def _engine_name() -> str:
    """Register (once) a papermill engine that remembers the executing notebook and cell
    in memory, so a kernel that dies mid-cell can still be reported by cell, with the
    partially executed notebook, without papermill saving after every cell."""
    from papermill.engines import NBClientEngine, papermill_engines

    class TrackingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            _RUN.nb_man, _RUN.cell = nb_man, None
            cell_start = nb_man.cell_start

            def track(cell, cell_index=None, **kw):
                _RUN.cell = cell
                return cell_start(cell, cell_index, **kw)

            nb_man.cell_start = track
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, TrackingEngine)
    return ENGINE_NAME


def _failed_cell(nb, notebook: Path, running=None) -> tuple[str, str]:
    """Locate the failing cell: (``"cell 7 of 20 (id cell-06)"``, ``"ValueError: boom"``).

    ``nb`` is the partially executed notebook; ``running`` the cell the kernel was
    executing when it died, if known.
    """
    import nbformat

    try:
        source = nbformat.read(notebook, as_version=4)
    except Exception:  # the notebook may have changed or vanished meanwhile
        source = nbformat.v4.new_notebook()
    index_of = {c.get("id"): i for i, c in enumerate(source.cells)}

    def where(cell) -> str:
        cid = cell.get("id", "")
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            return "the injected parameters cell"
        if cid in index_of:
            return f"cell {index_of[cid] + 1} of {len(source.cells)} (id {cid})"
        return f"cell id {cid}" if cid else "an unknown cell"

    for cell in (nb.cells if nb is not None else []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return where(cell), f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
    return (where(running) if running is not None else "an unknown cell"), ""


def _keep_failed(nb, failed: Path) -> str:
    """Save the partially executed notebook for debugging; the sentence saying where."""
    import nbformat

    if nb is None:
        return ""
    try:
        write_all({failed: nbformat.writes(nb)})
    except (RenderError, ValueError):
        return ""
    return f"\n  the partially executed notebook is kept in {paths.display_path(failed)}"


def execute(notebook: Path, parameters: dict, out_dir: Path, stem: str, km=None):
    """Run ``notebook`` with ``parameters``; return the executed, cleaned notebook node.

    On a failing cell the partially executed notebook is kept as ``<stem>.failed.ipynb``
    and a RenderError names the notebook, the cell (position and id) and the exception.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook, out_dir = Path(notebook), Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create the output folder {paths.display_path(out_dir)}: "
                          f"{exc.strerror or exc}") from None
    remove_stale_temps(out_dir)
    partial = _temp_path(out_dir / f"{stem}.partial", suffix=".ipynb")
    kwargs = {"km": km} if km is not None else {}
    _RUN.nb_man = _RUN.cell = None
    try:
        nb = pm.execute_notebook(
            str(notebook), str(partial), parameters=parameters, progress_bar=False,
            log_output=False, cwd=str(paths.ROOT), kernel_name="python3",
            # Not after every cell (~0.25 s a render): a failure is reported from the
            # notebook in memory, which the tracking engine keeps (see _engine_name).
            request_save_on_cell_execute=False, engine_name=_engine_name(), **kwargs)
    except PapermillExecutionError as exc:
        nb_man = getattr(_RUN, "nb_man", None)
        partial_nb = nb_man.nb if nb_man is not None else None
        where, error = _failed_cell(partial_nb, notebook, getattr(_RUN, "cell", None))
        error = error or f"{exc.ename}: {exc.evalue}"
        kept = _keep_failed(partial_nb, out_dir / f"{stem}.failed.ipynb")
        raise RenderError(f"{paths.display_path(notebook)}: {where} failed: {error}{kept}"
                          ) from None
    except Exception as exc:  # the kernel died, could not start, timed out, ...
        nb_man = getattr(_RUN, "nb_man", None)
        running = getattr(_RUN, "cell", None)
        where = "execution"
        kept = ""
        if nb_man is not None and running is not None:
            where = _failed_cell(None, notebook, running)[0]
            kept = _keep_failed(nb_man.nb, out_dir / f"{stem}.failed.ipynb")
        detail = " ".join(str(exc).split())[:300]
        raise RenderError(f"{paths.display_path(notebook)}: {where} failed: "
                          f"{type(exc).__name__}: {detail}{kept}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        release = getattr(km, "briefing_release", None)  # a single-use kernel: stop it now
        if release is not None:
            with contextlib.suppress(Exception):
                release()
    _clean_notebook(nb)
    return nb


# --------------------------------------------------------------------------- document info

@dataclass
class DocumentInfo:
    """What the page shell and the PDF metadata say about a document."""

    title: str = ""
    author: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "en"


def _literal_assignments(source: str) -> dict:
    """``name = literal`` and ``name: type = literal`` statements of a parameters cell."""
    values: dict = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return values
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError):
                values[target.id] = ast.literal_eval(value)
    return values


def notebook_parameters(nb) -> dict:
    """The parameter values a notebook ran with: declared defaults, then injected values."""
    values: dict = {}
    for tag in REMOVED_TAGS:
        for cell in nb.cells:
            if cell.cell_type == "code" and tag in cell.get("metadata", {}).get("tags", []):
                values.update(_literal_assignments(cell.source))
    return values


def _published_metadata(nb) -> dict:
    meta: dict = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if isinstance(data.get(METADATA_MIMETYPE), dict):
                meta.update(data[METADATA_MIMETYPE])
    return meta


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def document_info(nb, title: str | None = None, **overrides) -> DocumentInfo:
    """Title, author, description, keywords: explicit arguments, then what the notebook
    published under ``METADATA_MIMETYPE``, then its ``title``/``author`` parameters.
    A missing title is later taken from the page's first ``<h1>``."""
    params = notebook_parameters(nb)
    meta = _published_metadata(nb)
    info = DocumentInfo()
    info.title = _text(title or meta.get("title") or params.get("title") or "")
    info.author = _text(overrides.get("author") or meta.get("author")
                        or params.get("author") or "")
    info.description = _text(overrides.get("description") or meta.get("description") or "")
    keywords = overrides.get("keywords") or meta.get("keywords") or []
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    info.keywords = [k for k in (_text(k) for k in keywords) if k]
    info.language = _text(overrides.get("language") or meta.get("language") or "en")
    return info


# --------------------------------------------------------------------------- HTML export

def _prepare_outputs(nb, resources):
    """Preprocessor: keep only what a reader should see.

    Drops stderr streams (warnings, logging), error outputs, the metadata output,
    outputs only for other front ends (JavaScript, widgets) and ``Out[n]`` reprs that
    carry nothing but ``text/plain``.
    """
    keep_types = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                if out.get("name") == "stdout":
                    kept.append(out)
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if any(t in data for t in keep_types):
                    out["data"] = {t: v for t, v in data.items()
                                   if t in (*keep_types, "text/plain")}
                    kept.append(out)
        cell.outputs = kept
    return nb, resources


@functools.lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: its Jinja templates are compiled once (~0.1 s a render
    saved in a batch; kernels.warm_parent compiles them while the kernel starts)."""
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class Exporter(HTMLExporter):
        """nbconvert's HTML exporter without its last pass: parsing the whole page with
        BeautifulSoup to add a placeholder alt text to images that have none and tabindex to
        JupyterLab's cell wrappers. Our template has no such wrappers, every figure has its
        own alt text (present.Report.figure), and finish_html parses the page anyway:
        ~0.1 s a render."""

        def from_notebook_node(self, nb, resources=None, **kw):
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    exporter = Exporter(
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    exporter.register_preprocessor(_prepare_outputs, enabled=True)
    return exporter


def _css() -> str:
    """The template's stylesheet and the print rules for the column widths of
    :func:`_size_columns` (``col.wN`` is N % of its table; screens keep automatic layout)."""
    css = (paths.TEMPLATES_DIR / TEMPLATE_NAME / "briefing.css").read_text(encoding="utf-8")
    widths = "\n".join(f"  table.sized col.w{n} {{ width: {n}%; }}" for n in range(1, 101))
    return (f"{css}\n/* column widths computed by briefing.render._size_columns */\n"
            f"@media print {{\n  table.sized {{ table-layout: fixed; }}\n{widths}\n}}\n")


def export_html(nb, title: str | None = None, language: str = "en", *,
                author: str | None = None, description: str | None = None,
                keywords: list[str] | None = None) -> str:
    """Export an executed notebook as one self-contained, inert HTML page.

    Our template (extends nbconvert's ``basic``) hides code, prompts, the parameters cells,
    stderr and warnings. A finishing pass gives every h1-h3 a deterministic unique id,
    adds the title block if the notebook has no ``<h1>``, builds the table of contents
    from the h2 headings, and refuses (RenderError) a page with scripts, event handlers
    or any resource outside the file.
    """
    import copy

    nb = copy.deepcopy(nb)
    info = document_info(nb, title, author=author, description=description,
                         keywords=keywords, language=language)
    exporter = _exporter()
    resources = {"briefing": {"css": _css()}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    page = embed_page_fonts(finish_html(body, info))
    problems = unsafe_html(page)
    if problems:
        raise RenderError("the exported HTML is not self-contained and inert:\n"
                          + "\n".join(f"  {p}" for p in problems[:20]))
    return page


def slug(text: str) -> str:
    """A readable, deterministic id for a heading: lower case words joined by hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"\w+", text)
    return "-".join(words)[:60].strip("-_") or "section"


def _shorten(text: str, limit: int = 300) -> str:
    text = _text(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _unique(base: str, taken: set[str]) -> str:
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    taken.add(ident)
    return ident


_NUMBER_RE = re.compile(
    r"^[(+\-\u2212~≈<>]?\s?[$€£¥]?\s?\d[\d,.\u2009\u202f ]*"
    r"(%|k|m|bn|tn|million|billion)?\)?$", re.I)


def _align_numbers(table) -> None:
    """Mark columns whose every filled body cell is a number (``class="num"``), so that
    figures line up on the right, as in any printed table."""
    rows = [tr.find_all(["td", "th"], recursive=False) for tr in table.find_all("tr")]
    if not rows or any(c.get("colspan") or c.get("rowspan") for row in rows for c in row):
        return
    body = [row for row in rows if row and all(c.name == "td" for c in row)]
    width = max(len(row) for row in rows)
    for j in range(width):
        values = [row[j].get_text(" ", strip=True) for row in body if j < len(row)]
        filled = [v for v in values if v not in ("", "–", "—", "-", "n/a")]
        if filled and all(_NUMBER_RE.match(v) for v in filled):
            for row in rows:
                if j < len(row):
                    classes = row[j].get("class") or []
                    if "num" not in classes:
                        row[j]["class"] = [*classes, "num"]


#: The scale of :func:`_size_columns`, in em of the tables' 8 pt type: the PDF's text width
#: (170 mm), a cell's left and right padding (0.45 rem of 10.5 pt each) and some slack
#: against kerning and rounding for the narrowest width a column may get.
_LINE_EM = 170 / 25.4 * 72 / 8
_CELL_PADDING_EM = 2 * 0.45 * 10.5 / 8
_SLACK_EM = 0.5
#: Cells the stylesheet keeps on one line (``white-space: nowrap``), cells whose long
#: tokens may break anywhere (URLs), and the faces and sizes of table text.
_NOWRAP = {"id", "date", "status", "num", "number", "verdict"}
_BREAK_ANYWHERE = {"url"}
_BLOCKS = ("p", "li", "dt", "dd", "div", "pre", "blockquote")
_FACES = {"sans": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf",
          "serif": "LiberationSerif-Regular.ttf"}
_MONO_EM = 0.602 * 0.85  # DejaVu Sans Mono at the stylesheet's 0.85em for code


def _text_em(text: str, face: str) -> float:
    """Width of ``text`` set in ``face`` (a key of _FACES, or "mono"), in em."""
    if face == "mono":
        return len(text) * _MONO_EM
    widths = advance_widths(_FACES[face]) or {}
    return sum(widths.get(ord(ch), 1.0 if ord(ch) >= 0x2E80 else 0.556) for ch in text)


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
                for word in str(text).split():
                    shortest = max(shortest, _text_em(word, face) * size)
        longest = max(longest, line)
    if one_line:
        shortest = longest
    elif classes & _BREAK_ANYWHERE or cell.find("a") is not None:
        shortest = min(shortest, 8.0)
    low = shortest + _CELL_PADDING_EM + _SLACK_EM
    return low, max(longest + _CELL_PADDING_EM, low)


def _size_columns(soup, table) -> None:
    """Give ``table`` explicit column widths (``<colgroup>`` of ``col.wN``, N %) for the
    fixed table layout of the PDF.

    WeasyPrint's automatic table layout measures the narrowest and widest layout of every
    cell, which was about a third of the PDF's layout time. The widths computed here follow
    the same rule (CSS 2.1 automatic layout) with the fonts' advance widths: each column
    gets its longest word (its whole text when it is kept on one line), and the room left
    is shared in proportion to what each column would need to set its longest text on one
    line. Tables with merged cells keep automatic layout.
    """
    rows = [tr.find_all(["td", "th"], recursive=False) for tr in table.find_all("tr")]
    if (not rows or table.find("colgroup") or table.find("col")
            or any(c.get("colspan") or c.get("rowspan") for row in rows for c in row)):
        return
    n = max(len(row) for row in rows)
    if not 2 <= n <= 100 or any(len(row) != n for row in rows):
        return
    header_one_line = "meta" in (table.get("class") or [])  # table.meta th: nowrap
    size = _TITLE_BLOCK_SIZE if table.find_parent(class_="title-block") else 1.0
    low, high = [0.0] * n, [0.0] * n
    for row in rows:
        for j, cell in enumerate(row):
            a, b = _cell_widths(cell, one_line=header_one_line and cell.name == "th",
                                size=size)
            low[j], high[j] = max(low[j], a), max(high[j], b)
    total_low, total_high = sum(low), sum(high)
    if total_high <= _LINE_EM or total_high <= total_low:
        widths = high
    elif total_low >= _LINE_EM:
        widths = low
    else:
        share = (_LINE_EM - total_low) / (total_high - total_low)
        widths = [lo + (hi - lo) * share for lo, hi in zip(low, high, strict=True)]
    group = soup.new_tag("colgroup")
    for percent in _whole_percents(widths, low):
        group.append(soup.new_tag("col", attrs={"class": f"w{percent}"}))
    caption = table.find("caption", recursive=False)
    if caption is not None:
        caption.insert_after(group)
    else:
        table.insert(0, group)
    table["class"] = [*(table.get("class") or []), "sized"]


def _whole_percents(widths: list[float], minimums: list[float] | None = None) -> list[int]:
    """``widths`` as whole percentages adding up to exactly 100, each at least 1.

    Every share is rounded up, then the excess is taken one point at a time from the column
    with the most room above its ``minimums`` (same unit as ``widths``; widest first on a
    tie), so a column set at its narrowest width keeps it whenever the table has room."""
    import math

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


def finish_html(page: str, info: DocumentInfo) -> str:
    """Ids, title block, table of contents and head metadata of the exported page.

    Every h1-h3 gets an id made from its text (unique, the same on every run); nbconvert's
    ``¶`` anchor links are removed. Without an ``<h1>`` in the notebook's output a title
    block is added; a table of contents of the h2 sections goes before the first section.
    ``info.title`` is filled from the first ``<h1>`` when it was empty.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    main = soup.find("main") or soup.body or soup
    for anchor in main.select("a.anchor-link"):
        anchor.decompose()
    for img in main.find_all("img"):  # an image a notebook displayed without words
        if not img.get("alt"):
            img["alt"] = "Image from the notebook, without a description"
    headings = main.find_all(["h1", "h2", "h3"])
    for h in headings:
        del h["id"]
    taken = {str(t["id"]) for t in soup.find_all(id=True)}
    for h in headings:
        h["id"] = _unique(slug(h.get_text(" ", strip=True)), taken)
    h1 = next((h for h in headings if h.name == "h1"), None)
    if not info.title:
        info.title = _text(h1.get_text(" ", strip=True)) if h1 else "Briefing"
    if h1 is None:
        block = soup.new_tag("header", attrs={"class": "title-block"})
        title = soup.new_tag("h1", id=_unique(slug(info.title), taken))
        title.string = info.title
        block.append(title)
        for cls, text in (("byline", info.author), ("lede", info.description)):
            if text:
                p = soup.new_tag("p", attrs={"class": cls})
                p.string = text
                block.append(p)
        main.insert(0, block)

    elif info.author and not main.select(".byline"):
        byline = soup.new_tag("p", attrs={"class": "byline"})
        byline.string = info.author
        h1.insert_after(byline)
    for table in main.find_all("table"):
        _align_numbers(table)
        _size_columns(soup, table)

    sections = [h for h in headings if h.name == f"h{TOC_LEVEL}"]
    if sections:
        nav = soup.new_tag("nav", attrs={"class": "toc", "aria-labelledby": "toc-title"})
        label = soup.new_tag("p", attrs={"class": "toc-title", "id": _unique("toc-title", taken)})
        label.string = "Contents"
        nav["aria-labelledby"] = label["id"]
        items = soup.new_tag("ol")
        for h in sections:
            li, a = soup.new_tag("li"), soup.new_tag("a", href=f"#{h['id']}")
            a.string = _text(h.get_text(" ", strip=True))
            li.append(a)
            items.append(li)
        nav.extend([label, items])
        anchor = sections[0].find_parent("div", class_="cell") or sections[0]
        anchor.insert_before(nav)
        main["class"] = [*(main.get("class") or []), "has-toc"]

    if not info.description:
        block = main.select_one(".title-block")
        first = next((p for p in (block or main).find_all("p")
                      if "byline" not in (p.get("class") or [])), None)
        info.description = _shorten(first.get_text(" ", strip=True)) if first else ""
    if not info.keywords:
        info.keywords = list(dict.fromkeys(_text(h.get_text(" ", strip=True)) for h in sections))

    if soup.html is not None:
        soup.html["lang"] = info.language or "en"
    if soup.title is not None:
        soup.title.string = info.title
    if soup.head is not None:
        metas = [("author", info.author), ("description", info.description),
                 ("keywords", ", ".join(info.keywords)),
                 ("generator", "briefing kit: papermill, nbconvert, WeasyPrint")]
        after = soup.title or soup.head.contents[-1]
        for name, content in reversed(metas):
            if content:
                after.insert_after(soup.new_tag("meta", attrs={"name": name,
                                                               "content": content}))
    return str(soup)


# --------------------------------------------------------------------------- safety check

_LOCAL_OK = ("data:", "#")
_URL_IN_CSS = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
_LINK_SCHEMES = ("http:", "https:", "mailto:", "#")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def _where(self) -> str:
        line, col = self.getpos()
        return f"line {line}, column {col + 1}"

    def _css(self, css: str) -> None:
        for m in _URL_IN_CSS.finditer(css):
            url = (m.group(2) if m.group(2) is not None else m.group(4)).strip()
            if m.group(4) is not None or not url.lower().startswith(_LOCAL_OK):
                self.problems.append(f"{self._where()}: CSS refers to {url!r}")

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame", "base", "applet"):
            self.problems.append(f"{self._where()}: <{tag}> element")
        if tag == "style":
            self._in_style = True
        for name, value in attrs:
            value = (value or "").strip()
            low = re.sub(r"\s+", "", value.lower())
            if name.startswith("on"):
                self.problems.append(f"{self._where()}: event handler {name}= on <{tag}>")
            elif name == "style":
                self._css(value)
            elif name in ("src", "srcset", "poster", "data", "background", "xlink:href",
                          "formaction", "action") or (name == "href" and tag != "a"):
                urls = [u.split()[0] for u in value.split(",") if u.strip()] \
                    if name == "srcset" else [value]
                for url in urls:
                    if not url.lower().startswith(_LOCAL_OK):
                        self.problems.append(
                            f"{self._where()}: <{tag} {name}> refers to {url[:80]!r}")
            elif name == "href" and low and not low.startswith(_LINK_SCHEMES):
                self.problems.append(f"{self._where()}: link to {value[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)


def unsafe_html(page: str) -> list[str]:
    """Everything in ``page`` that could run code or fetch a resource outside the file.

    Links for the reader (``<a href="https://...">``) are allowed; ``javascript:`` links,
    scripts, event handler attributes and external ``src``/``href``/``url()``/``@import``
    are not.
    """
    audit = _Audit()
    audit.feed(page)
    audit.close()
    return audit.problems


# --------------------------------------------------------------------------- PDF export

def _local_fetcher():
    """A WeasyPrint URL fetcher that reads only ``data:`` and ``file:`` URLs and remembers
    every URL it could not fetch, so the error can name it."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, fail_on_errors=True)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            try:
                return super().fetch(url, headers)
            except Exception:
                self.refused.append(url)
                raise

    return LocalFetcher()


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for one export.

    WeasyPrint allocates hundreds of thousands of short-lived objects, and each collection
    also walks everything the parent holds (nbconvert, the notebook, BeautifulSoup trees):
    ~0.3 s of a 2.7 s PDF export, measured. Its cyclic garbage is left to the collector's
    next automatic run: a full collection right after took 0.1 s of every render, for a
    process that usually exits next (batch workers collect as they go on)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def export_pdf(html: str, base_url: Path, *, identifier: bytes | None = None,
               whole: bool = False) -> bytes:
    """WeasyPrint on the same HTML (print media, CSS paged media); only ``data:`` and
    ``file:`` URLs may be fetched, anything else is a RenderError naming the URL.

    The PDF has no creation date and its file identifier is derived from the HTML, so the
    same HTML always gives the same bytes.
    """
    from weasyprint.urls import FatalURLFetchingError

    from . import paged

    fetcher = _local_fetcher()
    identifier = identifier or hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
    try:
        with _collector_paused():
            return (paged.whole if whole else paged.render)(
                html, str(Path(base_url).resolve()) + os.sep, fetcher, identifier)
    except FatalURLFetchingError as exc:
        url = fetcher.refused[0] if fetcher.refused else str(exc)
        raise RenderError(f"PDF export failed: the HTML refers to {url[:200]!r}; only data: "
                          "and file: URLs may be used (nothing is fetched from the network)"
                          ) from None
    except Exception as exc:  # WeasyPrint raises several types; all are a failed render
        raise RenderError(f"PDF export failed: {type(exc).__name__}: {exc}") from None


# --------------------------------------------------------------------------- render

def data_path(data_dir: Path | str | None) -> Path:
    """The data folder the notebook reads: relative paths are taken from the project root,
    the kernel's working directory."""
    path = Path(data_dir or paths.DATA_DIR)
    return path if path.is_absolute() else paths.ROOT / path


def render(notebook: Path, parameters: dict, out_dir: Path, stem: str | None = None,
           formats: tuple[str, ...] = ("html", "pdf"), title: str | None = None,
           km=None) -> list[Path]:
    """Execute and export; write ``<stem>.ipynb`` and each format atomically to ``out_dir``.

    Nothing is written under a final name unless every requested format succeeded.
    """
    import nbformat

    from .safe_csv import claims_register_bytes, register_path

    unknown = sorted(set(formats) - {"html", "pdf", "ipynb"})
    if unknown:
        raise RenderError(f"unknown output format {unknown[0]!r} (expected html, pdf)")
    out_dir = Path(out_dir)
    stem = stem or Path(notebook).stem
    data_dir = data_path(parameters.get("data_dir"))
    with _terminate_as_interrupt():
        nb = execute(Path(notebook), parameters, out_dir, stem, km=km)
        outputs: dict[Path, bytes | str] = {out_dir / f"{stem}.ipynb": nbformat.writes(nb)}
        html = None
        if "html" in formats or "pdf" in formats:
            html = export_html(nb, title)
        if "html" in formats:
            outputs[out_dir / f"{stem}.html"] = html
        if "pdf" in formats:
            outputs[out_dir / f"{stem}.pdf"] = export_pdf(html, out_dir)
        outputs[register_path(out_dir, stem)] = claims_register_bytes(
            data_dir, country=parameters.get("country") or None)
        write_all(outputs)
    return list(outputs)

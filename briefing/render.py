"""Execute a parameterised notebook with papermill and export it as HTML and PDF.

Outputs are written atomically: everything is rendered to temporary files in the output
folder and moved into place only when every format succeeded, so a failed or interrupted run
leaves the previous report untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from . import paths
from .errors import RenderError

REMOVED_TAGS = ("parameters", "injected-parameters")
PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "exception", "status")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _clean_notebook(nb) -> None:
    """Remove what makes an executed notebook differ between identical runs."""
    for i, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        pm = cell.get("metadata", {}).get("papermill")
        if pm is not None:
            for key in PAPERMILL_VOLATILE:
                pm.pop(key, None)
        cell.get("metadata", {}).pop("execution", None)
        if "id" not in cell:
            cell["id"] = f"cell-{i}"
    meta = nb.metadata.get("papermill", {})
    for key in (*PAPERMILL_VOLATILE, "input_path", "output_path", "environment_variables",
                "version"):
        meta.pop(key, None)


def execute(notebook: Path, parameters: dict, out_dir: Path, stem: str, km=None):
    """Run ``notebook`` with ``parameters``; return the executed notebook node.

    On a failing cell the partially executed notebook is kept as ``<stem>.failed.ipynb``
    and a RenderError names the notebook, the cell and the exception.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    partial = out_dir / f".{stem}.partial-{os.getpid()}.ipynb"
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs = {"km": km} if km is not None else {}
    try:
        nb = pm.execute_notebook(
            str(notebook), str(partial), parameters=parameters, progress_bar=False,
            log_output=False, cwd=str(paths.ROOT), kernel_name="python3", **kwargs)
    except PapermillExecutionError as exc:
        failed = out_dir / f"{stem}.failed.ipynb"
        with contextlib.suppress(FileNotFoundError):
            os.replace(partial, failed)
        raise RenderError(
            f"{paths.display_path(notebook)}: cell {exc.exec_count} failed: "
            f"{exc.ename}: {exc.evalue}\n"
            f"  the partially executed notebook is kept in {paths.display_path(failed)}"
        ) from None
    except Exception as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise RenderError(f"{paths.display_path(notebook)}: execution failed: "
                          f"{type(exc).__name__}: {exc}") from None
    with contextlib.suppress(FileNotFoundError):
        os.unlink(partial)
    _clean_notebook(nb)
    return nb


def export_html(nb, title: str, language: str = "en") -> str:
    """Our template (extends nbconvert's ``basic``): code, prompts, parameters, stderr gone."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        template_name="briefing",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    exporter.register_preprocessor(_drop_stderr, enabled=True)
    css = (paths.TEMPLATES_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8")
    resources = {"briefing": {"title": title, "language": language, "css": css}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _drop_stderr(nb, resources):
    """Preprocessor: stderr streams and warnings are never part of a briefing."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream"
                                    and o.get("name") == "stderr")]
    return nb, resources


def export_pdf(html: str, base_url: Path) -> bytes:
    """WeasyPrint on the same HTML; only data: and file: URLs may be fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)
    try:
        return HTML(string=html, base_url=str(base_url), url_fetcher=fetcher).write_pdf()
    except Exception as exc:  # WeasyPrint raises several types; all are a failed render
        raise RenderError(f"PDF export failed: {type(exc).__name__}: {exc}") from None


def render(notebook: Path, parameters: dict, out_dir: Path, stem: str | None = None,
           formats: tuple[str, ...] = ("html", "pdf"), title: str | None = None,
           km=None) -> list[Path]:
    """Execute and export; write ``<stem>.ipynb`` and each format atomically to ``out_dir``."""
    import nbformat

    out_dir = Path(out_dir)
    stem = stem or Path(notebook).stem
    nb = execute(Path(notebook), parameters, out_dir, stem, km=km)
    outputs: dict[Path, bytes | str] = {out_dir / f"{stem}.ipynb": nbformat.writes(nb)}
    html = None
    if "html" in formats or "pdf" in formats:
        html = export_html(nb, title or parameters.get("title") or stem)
    if "html" in formats:
        outputs[out_dir / f"{stem}.html"] = html
    if "pdf" in formats:
        outputs[out_dir / f"{stem}.pdf"] = export_pdf(html, out_dir)
    for path, data in outputs.items():
        atomic_write(path, data)
    return list(outputs)

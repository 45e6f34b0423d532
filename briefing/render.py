"""Render one report: execute the notebook, export HTML and PDF, replace the files as a set.

``execute`` (papermill, :mod:`briefing.execute`) -> ``export_html`` (nbconvert with the kit's
template, :mod:`briefing.html`) -> ``export_pdf`` (WeasyPrint on the same HTML,
:mod:`briefing.pdf`) -> the claims register -> :func:`briefing.output.replace_all`.

Outputs are reproducible: the same notebook, parameters and data give byte-identical
``.ipynb``, ``.html`` and ``.pdf`` files (no wall-clock time, random id or absolute path).
They replace the previous report all at once or not at all (a failed or interrupted render
leaves the previous report as it was). A stop asked for is checked after each step, where a
library may have caught its KeyboardInterrupt (:func:`briefing.stop.check_stop`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from . import paths
from .errors import RenderError
from .execute import CELL_TIMEOUT, execute
from .kernels import prestarted_kernel
from .output import Replaced, recover, replace_all
from .stop import check_stop

FORMATS = ("html", "pdf")


def data_path(data_dir: Path | str | None) -> Path:
    """The data folder the notebook reads: relative paths are taken from the project root,
    the kernel's working directory."""
    path = Path(data_dir or paths.DATA_DIR)
    return path if path.is_absolute() else paths.ROOT / path


def output_names(stem: str, formats: Iterable[str] = FORMATS) -> dict[str, str]:
    """The files a render of ``stem`` writes (kind -> file name)."""
    from .safe_csv import register_path

    names = {"ipynb": f"{stem}.ipynb"}
    names.update({fmt: f"{stem}.{fmt}" for fmt in FORMATS if fmt in formats})
    names["register"] = register_path(Path("."), stem).name
    return names


def preload(formats: Iterable[str] = FORMATS) -> None:
    """Import papermill now, and in a background thread nbconvert (and WeasyPrint for a PDF)
    and get the HTML exporter ready (:func:`briefing.html.prepare`), while a pre-started
    kernel imports pandas and matplotlib and runs the notebook on the other core. Never
    fails: an import error is reported by the render itself."""
    import contextlib
    import threading

    if paths.switched_off("preload"):
        return
    with contextlib.suppress(Exception):
        import papermill  # noqa: F401
    wanted = set(formats)

    def imports() -> None:
        with contextlib.suppress(Exception):
            import nbconvert  # noqa: F401
            import nbformat  # noqa: F401

            from . import html

            if "pdf" in wanted:
                import weasyprint  # noqa: F401
            html.prepare()

    threading.Thread(target=imports, name="briefing-preload", daemon=True).start()


def render(notebook: Path, parameters: dict, out_dir: Path, stem: str | None = None,
           formats: tuple[str, ...] = FORMATS, title: str | None = None, km=None,
           on_executed: Callable[[], None] | None = None, register: bytes | None = None,
           cell_timeout: float = CELL_TIMEOUT) -> Replaced:
    """Execute ``notebook`` with ``parameters`` and write ``<stem>.ipynb``, the requested
    formats and the claims register into ``out_dir`` as one set.

    ``km``/``on_executed``: a pre-started kernel manager and what to call once the cells
    have run (see :func:`briefing.execute.execute`); without ``km`` a kernel is started
    here. ``register``: the claims register's bytes, made from the data the caller
    validated (read from the data folder when not given). Formats not requested are removed
    with the previous report, and so is a ``<stem>.failed.ipynb`` of an earlier run, so the
    folder never holds files of two different renders.
    """
    import nbformat

    from .safe_csv import claims_register_bytes

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise RenderError(f"unknown output format {unknown[0]!r} (expected html, pdf)")
    out_dir = Path(out_dir)
    stem = stem or Path(notebook).stem
    recover(out_dir)
    failed = out_dir / f"{stem}.failed.ipynb"
    if km is None:  # a kernel of our own: IPC transport, stopped once the cells have run
        with prestarted_kernel(notebook) as kernel:
            nb = execute(Path(notebook), parameters, cell_timeout=cell_timeout, failed=failed,
                         km=kernel.km if kernel is not None else None,
                         on_executed=kernel.shutdown_in_background if kernel else None)
    else:
        nb = execute(Path(notebook), parameters, km=km, on_executed=on_executed,
                     cell_timeout=cell_timeout, failed=failed)
    check_stop()
    names = output_names(stem, formats)
    files: dict[str, bytes | str] = {names["ipynb"]: nbformat.writes(nb)}
    if "html" in formats or "pdf" in formats:
        from .html import export_html

        page = export_html(nb, title)
        check_stop()
        if "html" in formats:
            files[names["html"]] = page
        if "pdf" in formats:
            from .pdf import export_pdf

            files[names["pdf"]] = export_pdf(page, out_dir)
            check_stop()  # WeasyPrint's SVG drawing catches KeyboardInterrupt: a blank chart
    if register is None:
        register = claims_register_bytes(data_path(parameters.get("data_dir")),
                                         country=parameters.get("country") or None)
    files[names["register"]] = register
    stale = tuple(f"{stem}.{fmt}" for fmt in FORMATS if fmt not in formats)
    return replace_all(out_dir, files, remove=(f"{stem}.failed.ipynb", *stale))

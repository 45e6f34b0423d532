"""Execute a parameterised notebook with papermill's public API; report failures by cell.

The injected-parameters cell gets a stable id and papermill's timings are removed, so the
same notebook, parameters and data give the same executed notebook on every run. A failing,
dying or over-running cell is reported as one line naming the notebook, the cell (position
and id) and the cause; the partially executed notebook is kept beside the report as
``<stem>.failed.ipynb`` for debugging (and removed by the next successful render).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import paths
from .errors import RenderError
from .kernels import KERNEL_NAME

PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "exception", "status")
#: Default limit for one cell's execution (``--cell-timeout``), in seconds.
CELL_TIMEOUT = 300
#: How long nbclient waits for a cell's output messages once the cell has finished. nbclient's
#: default (4 s) fails renders on a loaded machine, where output can arrive late.
IOPUB_TIMEOUT = 120


def clean_notebook(nb) -> None:
    """Remove what makes an executed notebook differ between identical runs."""
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {})
        if "injected-parameters" in meta.get("tags", []):
            cell["id"] = "injected-parameters"
        pm = meta.get("papermill")
        if pm is not None:
            for key in PAPERMILL_VOLATILE:
                pm.pop(key, None)
            if not pm:
                meta.pop("papermill")
        meta.pop("execution", None)
        if "id" not in cell:
            cell["id"] = f"cell-{i}"
    run = nb.metadata.get("papermill", {})
    for key in (*PAPERMILL_VOLATILE, "input_path", "output_path", "environment_variables",
                "version"):
        run.pop(key, None)


def _where(cell, source_cells: list) -> str:
    """``"cell 7 of 20 (id cell-06)"`` for ``cell``, counted in the source notebook."""
    if cell is None:
        return "an unknown cell"
    if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
        return "the injected parameters cell"
    cid = cell.get("id", "")
    index_of = {c.get("id"): i for i, c in enumerate(source_cells)}
    if cid in index_of:
        return f"cell {index_of[cid] + 1} of {len(source_cells)} (id {cid})"
    return f"cell id {cid}" if cid else "an unknown cell"


def _failed_cell(partial, running) -> tuple[object, str]:
    """The cell that failed and its error text: the cell of the partially executed notebook
    with an error output, else ``running``, the last cell nbclient started (the kernel died
    or the cell ran over its time limit: papermill marks that cell completed all the same).
    """
    for cell in (partial.cells if partial is not None else []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return cell, f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
    return running, ""


def _cause(exc: Exception, cell_timeout: float) -> str:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, CellTimeoutError):
        return f"took longer than the limit of {cell_timeout:g} s (--cell-timeout)"
    if isinstance(exc, DeadKernelError):
        return "the kernel died while running it (out of memory, or killed)"
    detail = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {detail}"


def execute(notebook: Path, parameters: dict, *, km=None,
            on_executed: Callable[[], None] | None = None,
            cell_timeout: float = CELL_TIMEOUT, failed: Path | None = None):
    """Run ``notebook`` with ``parameters``; return the executed, cleaned notebook node.

    ``km`` is an optional kernel manager already started (papermill hands it to nbclient);
    ``on_executed`` is called once the cells have run, whatever happened (to stop a
    single-use kernel before the exports). On failure a RenderError names the notebook, the
    cell and the cause, and the partial notebook is written to ``failed`` when given.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook)
    started: list = []  # the cells nbclient started, live: their outputs fill in place

    def cell_started(cell=None, cell_index=None, **_):
        started.append(cell)

    # papermill also logs a dead kernel or a timeout; the RenderError below says it once
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    work = Path(tempfile.mkdtemp(prefix="briefing-execute-"))
    partial = work / notebook.name
    own = None
    try:
        if km is None:  # no kernel pre-started (switched off, or it failed): one of our own,
            from .kernels import WarmKernel  # so every render's kernel talks over IPC

            own = WarmKernel()  # set before it starts: the finally below stops it
            try:
                km = own.start().km
            except Exception:  # papermill starts one itself and reports why not
                own.shutdown()
                own = None
        engine_args = {"km": km} if km is not None else {}
        try:
            nb = pm.execute_notebook(
                str(notebook), str(partial), parameters=parameters, progress_bar=False,
                log_output=False, cwd=str(paths.ROOT), kernel_name=KERNEL_NAME,
                request_save_on_cell_execute=False, execution_timeout=cell_timeout,
                iopub_timeout=IOPUB_TIMEOUT, on_cell_start=cell_started, **engine_args)
        finally:
            if on_executed is not None:
                with contextlib.suppress(Exception):
                    on_executed()
            if own is not None:
                own.shutdown()
    except Exception as exc:  # a failing cell, a dead kernel, a time limit, no kernel
        try:
            source = nbformat.read(notebook, as_version=4)
        except Exception:  # the notebook may have changed or vanished meanwhile
            source = nbformat.v4.new_notebook()
        source_cells = list(source.cells)
        partial_nb = None
        with contextlib.suppress(Exception):  # papermill saves it unless the kernel died
            partial_nb = nbformat.read(partial, as_version=4)
        if partial_nb is None and started:
            seen = {c.get("id") for c in started}
            source.cells = [*started, *(c for c in source_cells if c.get("id") not in seen)]
            partial_nb = source
        cell, error = _failed_cell(partial_nb, started[-1] if started else None)
        if not error:
            error = (f"{exc.ename}: {exc.evalue}" if isinstance(exc, PapermillExecutionError)
                     else _cause(exc, cell_timeout))
        where = _where(cell, source_cells) if cell is not None else "execution"
        kept = ""
        if failed is not None and partial_nb is not None:
            from .output import write_one

            with contextlib.suppress(RenderError):
                write_one(failed, nbformat.writes(partial_nb))
                kept = ("\n  the partially executed notebook is kept in "
                        f"{paths.display_path(failed)}")
        joint = " " if error.startswith(("took longer", "the kernel died")) else " failed: "
        raise RenderError(f"{paths.display_path(notebook)}: {where}{joint}{error}{kept}"
                          ) from None
    finally:
        if own is not None:  # also after a stop while it was starting
            own.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    clean_notebook(nb)
    return nb

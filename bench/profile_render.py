"""Where a single render's time goes, phase by phase, in one fresh process (no overlap).

Run by bench/bench.py (``make bench``); prints one JSON object on stdout. Each phase runs
alone, one after the other, so the numbers add up to the cost of a render done naively;
``python -m briefing render`` overlaps the kernel's start and imports with the parent's.

    python bench/profile_render.py [--notebook briefing] [-p NAME VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T0 = time.perf_counter()


def _now() -> float:
    return time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebook", default="briefing")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = parser.parse_args()
    phases: dict[str, float] = {}

    t = _now()
    from briefing.params import check, notebook_path

    values = dict(args.p)
    params = check(args.notebook, values)
    notebook = notebook_path(args.notebook)
    phases["validate data + parameters"] = _now() - t

    from jupyter_core.utils import run_sync

    from briefing import kernels

    modules = kernels.warm_modules(notebook)
    t = _now()
    kernel = kernels.WarmKernel(modules=[]).start()
    ready = kernel.km.client()  # the client nbclient gets, and its wait_for_ready
    ready.start_channels()
    run_sync(ready.wait_for_ready)(timeout=60)
    ready.stop_channels()
    phases["kernel start"] = _now() - t
    kc = _client(kernel)

    t = _now()
    code = "".join(f"try:\n    __import__({m!r})\nexcept ImportError:\n    pass\n"
                   for m in modules)
    reply = kc.execute_interactive(code, silent=True, store_history=False, timeout=120)
    assert reply["content"]["status"] == "ok", reply["content"]
    phases["kernel imports"] = _now() - t
    kc.stop_channels()

    imports = {}
    for mod in ("jupyter_client", "papermill", "nbconvert", "weasyprint"):
        t = _now()
        __import__(mod)
        imports[mod] = _now() - t
    phases["parent imports"] = sum(imports.values())

    import papermill as pm

    from briefing import execute, html, pdf

    with tempfile.TemporaryDirectory() as tmp:
        t = _now()
        nb = pm.execute_notebook(str(notebook), str(Path(tmp) / "out.ipynb"),
                                 parameters=params.injectable(), progress_bar=False,
                                 log_output=False, cwd=str(ROOT), kernel_name="python3",
                                 km=kernel.km, request_save_on_cell_execute=False)
        executed = _now() - t
    cells = [float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells
             if c.cell_type == "code"]
    phases["cells (kernel)"] = sum(cells)
    phases["papermill/nbclient overhead"] = executed - sum(cells)
    slowest = sorted(((d, c.get("id", "?")) for d, c in zip(
        cells, [c for c in nb.cells if c.cell_type == "code"], strict=True)), reverse=True)[:5]
    kernel.shutdown()

    execute.clean_notebook(nb)
    import nbformat

    t = _now()
    nbformat.writes(nb)
    phases["write .ipynb"] = _now() - t
    title = params.title if "title" in params else None
    t = _now()
    page = html.export_html(nb, title)
    phases["HTML export"] = _now() - t
    t = _now()
    html.export_html(nb, title)
    html_warm = _now() - t
    t = _now()
    document = pdf.export_pdf(page, ROOT / "reports")
    phases["PDF export"] = _now() - t
    t = _now()
    pdf.export_pdf(page, ROOT / "reports")
    pdf_warm = _now() - t
    # the computed column widths against WeasyPrint's automatic table layout, alternating
    os.environ["BRIEFING_NO_WARM"] = "columns"
    auto_page = html.export_html(nb, title)
    del os.environ["BRIEFING_NO_WARM"]
    sized_runs, auto_runs = [], []
    for i in range(6):
        for which, runs in ((page, sized_runs), (auto_page, auto_runs))[::1 if i % 2 else -1]:
            t = _now()
            pdf.export_pdf(which, ROOT / "reports")
            runs.append(_now() - t)
    pdf_sized, pdf_auto = statistics.median(sized_runs), statistics.median(auto_runs)

    floor = ("kernel start", "kernel imports", "cells (kernel)", "HTML export", "PDF export")
    print(json.dumps({
        "notebook": str(notebook.relative_to(ROOT)),
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
        "sum_s": round(sum(phases.values()), 3),
        # the floor: the work any way of rendering this briefing has to do once
        "floor_s": round(sum(phases[k] for k in floor), 3),
        "floor_phases": list(floor),
        "parent_imports_s": {k: round(v, 3) for k, v in imports.items()},
        "html_export_second_call_s": round(html_warm, 3),
        "pdf_export_second_call_s": round(pdf_warm, 3),
        "pdf_export_columns_sized_s": round(pdf_sized, 3),
        "pdf_export_automatic_table_layout_s": round(pdf_auto, 3),
        "slowest_cells_s": [[cid, round(d, 3)] for d, cid in slowest],
        "html_bytes": len(page.encode()),
        "pdf_bytes": len(document),
        "warm_modules": modules,
    }))
    return 0


def _client(kernel):
    from jupyter_client.blocking import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(kernel.km.get_connection_info())
    kc.start_channels()
    return kc


if __name__ == "__main__":
    sys.exit(main())

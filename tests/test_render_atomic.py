"""Outputs are written atomically and failures are reported, never half-written.

A failed export, a failing cell, SIGTERM or SIGKILL in the middle of a render: the previous
report stays byte for byte as it was and no file with a final name is half-written. Two
renders into different folders at the same time both succeed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from briefing import paths, render
from briefing.errors import RenderError

FINAL = ("briefing.ipynb", "briefing.html", "briefing.pdf", "claims_register.csv")


def _old_report(out: Path) -> dict[str, bytes]:
    """Stand-ins for a previous report: recognisable bytes under the final names."""
    out.mkdir(parents=True, exist_ok=True)
    old = {}
    for name in FINAL:
        data = f"previous {name} -- must survive\n".encode()
        (out / name).write_bytes(data)
        old[name] = data
    return old


def _tiny_notebook(path: Path, body: str) -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nb.cells = [
        new_code_cell('who: str = "world"  # a parameter', metadata={"tags": ["parameters"]}),
        new_markdown_cell("## A section"),
        new_code_cell(body),
        new_markdown_cell("## After"),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:02d}"
    nbformat.write(nb, path)
    return path


def _cli(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "briefing", "render", "--out", str(out), *extra]


def test_failing_cell_names_notebook_cell_and_error_and_keeps_partial(tmp_path):
    notebook = _tiny_notebook(tmp_path / "fragile.ipynb",
                              "print('before')\nraise ValueError(f'no data for {who}')")
    out = tmp_path / "out"
    with pytest.raises(RenderError) as info:
        render.render(notebook, {"who": "Dushanbe"}, out, stem="fragile")
    message = str(info.value)
    assert "fragile.ipynb" in message
    assert "cell 3 of 4 (id cell-02)" in message
    assert "ValueError: no data for Dushanbe" in message
    failed = out / "fragile.failed.ipynb"
    assert str(failed.name) in message
    partial = nbformat.read(failed, as_version=4)
    errors = [o for c in partial.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "no data for Dushanbe"
    assert sorted(p.name for p in out.iterdir()) == ["fragile.failed.ipynb"]


def test_killed_kernel_names_the_cell_and_keeps_previous_report(tmp_path):
    notebook = _tiny_notebook(tmp_path / "doomed.ipynb",
                              "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    out = tmp_path / "out"
    old = _old_report(out)
    with pytest.raises(RenderError) as info:
        render.render(notebook, {}, out, stem="briefing")
    message = str(info.value)
    assert "doomed.ipynb: cell 3 of 4 (id cell-02) failed: DeadKernelError" in message
    assert (out / "briefing.failed.ipynb").exists()
    for name, data in old.items():
        assert (out / name).read_bytes() == data


def test_failed_export_keeps_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    old = _old_report(out)

    def broken_pdf(html, base_url, **kwargs):
        raise RenderError("PDF export failed: simulated")

    monkeypatch.setattr(render, "export_pdf", broken_pdf)
    with pytest.raises(RenderError, match="simulated"):
        render.render(paths.BRIEFING_NOTEBOOK, {}, out, stem="briefing")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


def test_write_all_replaces_nothing_when_one_file_cannot_be_written(tmp_path):
    out = tmp_path / "reports"
    old = _old_report(out)
    (out / "blocked").write_text("a file where a folder should be: the write fails")
    with pytest.raises(RenderError, match="blocked"):
        render.write_all({out / "briefing.html": "new", out / "blocked" / "y": "new"})
    assert (out / "briefing.html").read_bytes() == old["briefing.html"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _partial_started(out: Path) -> bool:
    return any(p.name.startswith(".briefing.partial.") for p in out.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_render_keeps_previous_report(tmp_path, sig):
    out = tmp_path / "reports"
    old = _old_report(out)
    proc = subprocess.Popen(_cli(out), cwd=paths.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # the notebook is executing once papermill has created its partial notebook
        assert _wait_for(lambda: _partial_started(out), 60), "render never started executing"
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    for name, data in old.items():
        assert (out / name).read_bytes() == data, f"{name} was replaced by a killed render"
    leftovers = sorted(p.name for p in out.iterdir() if p.name not in old)
    if sig == signal.SIGTERM:
        assert "interrupted" in stderr
        assert "Traceback" not in stderr
        assert leftovers == [], "SIGTERM must clean up its temporary files"
    else:
        # SIGKILL cannot clean up; what it leaves is hidden and removed by the next render
        assert all(name.startswith(".") for name in leftovers)
        assert render.remove_stale_temps(out) or leftovers == []
        assert sorted(p.name for p in out.iterdir()) == sorted(old)


def test_concurrent_renders_into_different_folders(tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    procs = [subprocess.Popen(_cli(out), cwd=paths.ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for out in outs]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
    for name in FINAL:
        a, b = (out / name for out in outs)
        assert a.read_bytes() == b.read_bytes(), f"{name} differs between the two renders"
    for out in outs:
        assert sorted(p.name for p in out.iterdir()) == sorted(FINAL)


def test_temporary_names_are_unique_and_hidden(tmp_path):
    target = tmp_path / "briefing.html"
    names = {render._temp_path(target) for _ in range(20)}
    assert len(names) == 20
    assert all(n.name.startswith(".briefing.html.") and n.parent == tmp_path for n in names)
    assert all(render._TEMP_RE.match(n.name) for n in names)

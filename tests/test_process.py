"""Process failures (issue 6): nothing lost, every failure reported.

Complements tests/test_render_atomic.py (SIGTERM/SIGKILL on the render command, identical
concurrent renders, a failing export) with the other ways a render dies:

* the **kernel** is killed (SIGKILL) or terminated (SIGTERM) in the middle of a CLI render
  (tests/fixtures/slow.ipynb writes a marker file from its second cell, then sleeps: the
  signal lands while that cell runs): the command exits 1 with a message naming the
  notebook and the cell, the previous report is byte for byte intact, no file with a final
  name is written;
* the **whole process group** gets SIGTERM (a closed terminal, ``timeout``, a CI job
  cancelled): same, and no kernel is left running;
* SIGTERM on the render command shuts its kernel down (no orphan);
* two renders with **different** parameter sets at once, into different folders, both
  succeed and each report shows its own parameters;
* a notebook cell that raises (tests/fixtures/raising.ipynb), via ``render.render`` and via
  the CLI: RenderError / exit 1 naming notebook, cell and error, the partial notebook kept.

Every test renders, so they are marked slow (seconds each).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from briefing import paths, render
from briefing.errors import RenderError

pytestmark = pytest.mark.slow

RAISING = paths.FIXTURES_DIR / "raising.ipynb"
SLOW = paths.FIXTURES_DIR / "slow.ipynb"  # its second cell writes a marker, then sleeps
FINAL = ("slow.ipynb", "slow.html", "slow.pdf")


def _previous_report(out: Path) -> dict[str, bytes]:
    """Recognisable bytes under the final names: what a killed render must not touch."""
    out.mkdir(parents=True, exist_ok=True)
    old = {}
    for name in FINAL:
        old[name] = f"previous {name}\n".encode()
        (out / name).write_bytes(old[name])
    return old


def _start(out: Path, *extra: str, new_group: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "render", "--out", str(out), *extra],
        cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=new_group)


def _wait_for(predicate, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    return None


def _kernels(pid: int) -> list[psutil.Process]:
    """The Jupyter kernels started by process ``pid`` (its ipykernel children)."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _executing(marker: Path, pid: int):
    """The kernel, once the slow cell is running (it has written ``marker``)."""
    if not marker.exists():
        return None
    kernels = _kernels(pid)
    return kernels[0] if kernels else None


def _finish(proc: subprocess.Popen) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _assert_previous_intact(out: Path, old: dict[str, bytes]) -> None:
    for name, data in old.items():
        assert (out / name).read_bytes() == data, f"{name} was replaced by a failed render"
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    # only the previous report, and at most the failed notebook kept for debugging
    assert set(visible) - set(old) <= {"slow.failed.ipynb"}, visible


def _interrupt(out: Path, hit, started=_executing, new_group: bool = False):
    """Render tests/fixtures/slow.ipynb into ``out``; once ``started(marker, pid)`` finds
    its kernel, call ``hit(proc, kernel)``; return (exit code, stderr, kernel)."""
    marker = out.parent / "slow-cell-running"
    proc = _start(out, "--notebook", str(SLOW), "-p", "marker", str(marker),
                  new_group=new_group)
    try:
        kernel = _wait_for(lambda: started(marker, proc.pid))
        assert kernel is not None, "the render never got that far"
        hit(proc, kernel)
        _, stderr = _finish(proc)
    finally:
        if proc.poll() is None:
            (os.killpg if new_group else os.kill)(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, stderr, kernel


def _gone(kernel: psutil.Process) -> bool:
    return bool(_wait_for(lambda: not kernel.is_running() or kernel.status() == "zombie", 30))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_kernel_killed_mid_render(tmp_path, sig):
    out = tmp_path / "reports"
    old = _previous_report(out)
    code, stderr, _ = _interrupt(out, lambda proc, kernel: kernel.send_signal(sig))
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("error: tests/fixtures/slow.ipynb: cell 3 of 4 (id cell-02) the "
                             "kernel died while running it"), stderr
    _assert_previous_intact(out, old)


def test_sigterm_to_the_process_group_leaves_no_kernel_and_the_report_intact(tmp_path):
    out = tmp_path / "reports"
    old = _previous_report(out)
    code, stderr, kernel = _interrupt(
        out, lambda proc, kernel: os.killpg(proc.pid, signal.SIGTERM), new_group=True)
    assert code != 0 and "Traceback" not in stderr
    assert _gone(kernel), "a kernel outlived the terminated process group"
    _assert_previous_intact(out, old)


def test_sigterm_to_the_command_shuts_its_kernel_down(tmp_path):
    out = tmp_path / "reports"
    old = _previous_report(out)
    code, stderr, kernel = _interrupt(
        out, lambda proc, kernel: proc.send_signal(signal.SIGTERM))
    assert code == 130 and "interrupted" in stderr, stderr
    assert _gone(kernel), "the kernel outlived a terminated render"
    _assert_previous_intact(out, old)


def test_sigterm_before_execution_is_a_clean_interruption(tmp_path):
    """SIGTERM while the kernel is still starting (before any cell runs) is reported too."""
    out = tmp_path / "reports"
    old = _previous_report(out)
    code, stderr, kernel = _interrupt(
        out, lambda proc, kernel: proc.send_signal(signal.SIGTERM),
        started=lambda marker, pid: (_kernels(pid) or [None])[0])
    assert code == 130, stderr
    assert "error: interrupted" in stderr and "Traceback" not in stderr
    assert _gone(kernel)
    _assert_previous_intact(out, old)


def test_two_renders_with_different_parameters_at_once(tmp_path):
    jobs = {
        "a": ("Alpha briefing <test>", "TJK"),
        "b": ("Beta briefing & co", "KAZ"),
    }
    procs = {key: _start(tmp_path / key, "--format", "html", "-p", "title", title,
                         "-p", "focus_country", focus)
             for key, (title, focus) in jobs.items()}
    results = {key: _finish(proc) for key, proc in procs.items()}
    for key, proc in procs.items():
        assert proc.returncode == 0, results[key][1]
    html = {key: (tmp_path / key / "briefing.html").read_text(encoding="utf-8")
            for key in jobs}
    for key, (title, _) in jobs.items():
        other = jobs["b" if key == "a" else "a"][0]
        escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in html[key] and title not in html[key].replace(escaped, "")
        assert other.split()[0] not in html[key]
        nb = nbformat.read(tmp_path / key / "briefing.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected, "papermill injected no parameters"
        assert title in injected[0].source
    for key in jobs:
        assert sorted(p.name for p in (tmp_path / key).iterdir()) == \
            ["briefing.html", "briefing.ipynb", "claims_register.csv"]


def test_a_cell_that_raises_names_notebook_cell_and_error(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RenderError) as info:
        render.render(RAISING, {"data_dir": str(paths.DATA_DIR), "who": "Dushanbe"}, out,
                      stem="raising", formats=("html",))
    message = str(info.value)
    assert "raising.ipynb" in message
    assert "cell-04" in message  # the id of the failing cell
    assert "LookupError: deliberate failure for Dushanbe" in message
    failed = out / "raising.failed.ipynb"
    assert failed.name in message and failed.exists()
    nb = nbformat.read(failed, as_version=4)
    outputs = {c.id: c.get("outputs", []) for c in nb.cells if c.cell_type == "code"}
    assert any("claims loaded" in o.get("text", "") for o in outputs["cell-02"])
    assert outputs["cell-04"][0]["ename"] == "LookupError"
    assert outputs["cell-06"] == []  # never reached
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [failed.name]


def test_a_cell_that_raises_via_the_cli_exits_1(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "render", "--notebook", str(RAISING),
         "--out", str(out), "--format", "html", "-p", "who", "Dushanbe"],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "raising.ipynb" in proc.stderr and "cell-04" in proc.stderr
    assert "LookupError: deliberate failure for Dushanbe" in proc.stderr
    assert (out / "raising.failed.ipynb").exists()
    assert not (out / "raising.html").exists()


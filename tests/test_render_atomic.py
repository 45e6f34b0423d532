"""A report is replaced all at once or not at all, and failures are reported by cell.

A failing cell, a dead kernel, a cell over its time limit, a failed export, a failed move,
a full disk, SIGTERM or SIGKILL at any moment: the previous report stays byte for byte as it
was, and the message names the report file or the cell. Inputs are never overwritten.
Everything here runs tiny notebooks (a render of the briefing is tested elsewhere, once).
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from briefing import output, paths, render
from briefing.errors import RenderError

FINAL = ("briefing.ipynb", "briefing.html", "briefing.pdf", "claims_register.csv")


def _old_report(out: Path, names=FINAL) -> dict[str, bytes]:
    """Stand-ins for a previous report: recognisable bytes under the final names."""
    out.mkdir(parents=True, exist_ok=True)
    old = {}
    for name in names:
        data = f"previous {name} -- must survive\n".encode()
        (out / name).write_bytes(data)
        old[name] = data
    return old


def _files(out: Path) -> dict[str, bytes]:
    """Every entry of ``out``: files by content (a folder, hidden or not, as None)."""
    return {p.name: None if p.is_dir() else p.read_bytes() for p in out.iterdir()}


def tiny_notebook(path: Path, body: str = "print(f'hello {place}')") -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nb.cells = [
        new_code_cell('place: str = "world"  # a parameter', metadata={"tags": ["parameters"]}),
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


def test_a_render_without_the_prestarted_kernel_still_talks_to_it_over_ipc(tmp_path):
    """Review 15: with prestart switched off, papermill started its own kernel on TCP, and
    ipykernel printed 'Kernel is running over TCP without encryption' on the terminal."""
    notebook = tiny_notebook(tmp_path / "plain.ipynb")
    env = {**os.environ, "BRIEFING_NO_WARM": "1"}
    proc = subprocess.run(_cli(tmp_path / "out", "--notebook", str(notebook), "--format",
                               "html", "-p", "place", "Dushanbe"),
                          cwd=paths.ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "TCP" not in proc.stderr and "encryption" not in proc.stderr, proc.stderr
    assert "hello Dushanbe" in (tmp_path / "out" / "plain.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- failures by cell

def test_failing_cell_names_notebook_cell_and_error_and_keeps_partial(tmp_path):
    notebook = tiny_notebook(tmp_path / "fragile.ipynb",
                             "print('before')\nraise ValueError(f'no data for {place}')")
    out = tmp_path / "out"
    with pytest.raises(RenderError) as info:
        render.render(notebook, {"place": "Dushanbe"}, out, stem="fragile")
    message = str(info.value)
    assert "fragile.ipynb: cell 3 of 4 (id cell-02) failed: ValueError: no data for Dushanbe" \
        in message
    failed = out / "fragile.failed.ipynb"
    assert failed.name in message
    partial = nbformat.read(failed, as_version=4)
    errors = [o for c in partial.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "no data for Dushanbe"
    assert sorted(p.name for p in out.iterdir()) == ["fragile.failed.ipynb"]
    # the next good render removes the stale failed notebook with the rest of the set
    render.render(tiny_notebook(notebook), {}, out, stem="fragile", formats=("html",))
    assert sorted(p.name for p in out.iterdir()) == [
        "fragile.claims_register.csv", "fragile.html", "fragile.ipynb"]


def test_killed_kernel_names_the_cell_and_keeps_previous_report(tmp_path):
    notebook = tiny_notebook(tmp_path / "doomed.ipynb",
                             "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    out = tmp_path / "out"
    old = _old_report(out)
    with pytest.raises(RenderError) as info:
        render.render(notebook, {}, out, stem="briefing")
    assert "doomed.ipynb: cell 3 of 4 (id cell-02) the kernel died" in str(info.value)
    assert (out / "briefing.failed.ipynb").exists()
    for name, data in old.items():
        assert (out / name).read_bytes() == data


def test_cell_over_its_time_limit_is_named_with_the_limit(tmp_path):
    notebook = tiny_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    out = tmp_path / "out"
    old = _old_report(out)
    started = time.monotonic()
    with pytest.raises(RenderError) as info:
        render.render(notebook, {}, out, stem="briefing", cell_timeout=2)
    assert time.monotonic() - started < 50
    assert ("slow.ipynb: cell 3 of 4 (id cell-02) took longer than the limit of 2 s "
            "(--cell-timeout)") in str(info.value)
    for name, data in old.items():
        assert (out / name).read_bytes() == data


@pytest.mark.parametrize(("value", "message"), [
    ("0", "must be from 1 to 86,400 seconds (got 0)"),
    ("-1", "must be from 1 to 86,400 seconds (got -1)"),
    ("100000", "must be from 1 to 86,400 seconds (got 100,000)"),
    # nbclient takes whole seconds: a fraction or inf failed inside it with a TraitError
    ("1.5", "not a whole number of seconds (got '1.5'; expected a whole number of seconds "
            "such as 300)"),
    ("inf", "not a whole number of seconds (got 'inf'; expected a whole number of seconds "
            "such as 300)"),
])
def test_cell_timeout_is_a_whole_number_of_seconds_checked_before_any_kernel(tmp_path, value,
                                                                              message):
    proc = subprocess.run(_cli(tmp_path, "--cell-timeout", value), cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: --cell-timeout: {message}"


def test_failed_export_keeps_previous_report(tmp_path, monkeypatch):
    from briefing import pdf

    out = tmp_path / "reports"
    old = _old_report(out)

    def broken_pdf(html, base_url, **kwargs):
        raise RenderError("PDF export failed: simulated")

    monkeypatch.setattr(pdf, "export_pdf", broken_pdf)
    with pytest.raises(RenderError, match="simulated"):
        render.render(tiny_notebook(tmp_path / "t.ipynb"), {}, out, stem="briefing")
    assert _files(out) == old


# --------------------------------------------------------------------------- the swap

NEW = {name: f"new {name}\n" for name in FINAL}


def test_replace_all_swaps_every_file_and_leaves_nothing_hidden(tmp_path):
    out = tmp_path / "reports"
    _old_report(out, ("briefing.ipynb", "briefing.failed.ipynb"))
    output.replace_all(out, NEW, remove=("briefing.failed.ipynb",))
    assert _files(out) == {k: v.encode() for k, v in NEW.items()}


def test_a_folder_where_a_report_file_goes_is_never_moved_or_deleted(tmp_path):
    """Review 15: a folder named like a report file was moved into the backup and deleted
    with its contents, exit 0."""
    out = tmp_path / "reports"
    old = _old_report(out)
    (out / "briefing.pdf").unlink()
    (out / "briefing.pdf").mkdir()
    (out / "briefing.pdf" / "notes.txt").write_text("precious\n")
    old["briefing.pdf"] = None  # the folder itself, as _files lists it
    with pytest.raises(RenderError) as info:
        output.replace_all(out, NEW, remove=("briefing.failed.ipynb",))
    assert str(info.value) == (f"cannot write {paths.display_path(out / 'briefing.pdf')}: it "
                               "is a folder (expected a file of an earlier render, or nothing)")
    assert (out / "briefing.pdf" / "notes.txt").read_text() == "precious\n"
    assert _files(out) == old


def test_a_folder_with_a_name_the_render_only_removes_is_left_alone(tmp_path):
    """A folder called like the stale failed notebook a render removes is not the render's:
    the report is written and the folder kept, with its contents."""
    out = tmp_path / "reports"
    _old_report(out)
    (out / "briefing.failed.ipynb").mkdir()
    (out / "briefing.failed.ipynb" / "notes.txt").write_text("precious\n")
    replaced = output.replace_all(out, NEW, remove=("briefing.failed.ipynb",))
    assert replaced.removed == []
    assert (out / "briefing.failed.ipynb" / "notes.txt").read_text() == "precious\n"
    assert {k: v for k, v in _files(out).items() if k in NEW} == \
        {k: v.encode() for k, v in NEW.items()}


@pytest.mark.parametrize("failing_call", [1, 3, 5, 7])
def test_a_failed_move_rolls_every_file_back(tmp_path, monkeypatch, failing_call):
    """Moves 1-4 take the old files out, 5-8 put the new ones in: a failure anywhere
    (an immutable file, a vanished folder) leaves the previous report exactly as it was."""
    out = tmp_path / "reports"
    old = _old_report(out)
    calls, real = [0], os.replace

    def replace(src, dst):
        calls[0] += 1
        if calls[0] == failing_call:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(src))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(RenderError) as info:
        output.replace_all(out, NEW)
    monkeypatch.setattr(output.os, "replace", real)
    name = FINAL[(failing_call - 1) % 4]
    assert str(info.value) == (f"cannot write {paths.display_path(out / name)}: "
                               "operation not permitted")
    assert _files(out) == old


def test_a_full_disk_names_the_report_file_and_the_cause(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    old = _old_report(out)
    real = output._write

    def write(path, data):
        if path.name == "briefing.pdf":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(output, "_write", write)
    with pytest.raises(RenderError) as info:
        output.replace_all(out, NEW)
    assert str(info.value) == (f"cannot write {paths.display_path(out / 'briefing.pdf')}: "
                               "no space left on device")
    assert _files(out) == old


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("completed", [False, True], ids=["mid-swap", "after-swap"])
def test_a_swap_killed_midway_is_undone_by_the_next_render(tmp_path, completed):
    """A process killed during the swap left new files in place and old ones in its backup
    folder: recovery restores the old set, unless the swap had completed."""
    out = tmp_path / "reports"
    _old_report(out)
    pid = _dead_pid()
    backup = out / f".briefing.backup-{pid}-x1"
    backup.mkdir()
    (backup / ".added").write_text("briefing.failed.ipynb")
    for name in ("briefing.html", "briefing.pdf"):  # moved out, then replaced by new files
        os.replace(out / name, backup / name)
        (out / name).write_text(f"new {name}\n")
    (out / "briefing.failed.ipynb").write_text("new\n")
    stage = out / f".briefing.stage-{pid}-x2"
    stage.mkdir()
    (stage / "briefing.ipynb").write_text("new")
    if completed:
        (backup / ".complete").touch()
    before = {k: v for k, v in _files(out).items() if not k.startswith(".")}
    assert sorted(p.name for p in output.recover(out)) == sorted([backup.name, stage.name])
    if completed:
        assert _files(out) == before
    else:
        assert _files(out) == {n: f"previous {n} -- must survive\n".encode() for n in FINAL}


def test_recovery_leaves_the_folders_of_running_renders_alone(tmp_path):
    out = tmp_path / "reports"
    busy = out / f".briefing.backup-{os.getppid()}-x1"
    busy.mkdir(parents=True)
    assert output.recover(out) == [] and busy.exists()


# --------------------------------------------------------------------------- processes

def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_render_keeps_previous_report(tmp_path, sig):
    out, tmp = tmp_path / "reports", tmp_path / "tmp"
    tmp.mkdir()
    old = _old_report(out)
    notebook = tiny_notebook(tmp_path / "t.ipynb", "import time\ntime.sleep(30)")
    proc = subprocess.Popen(_cli(out, "--notebook", str(notebook), "--format", "html"),
                            cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TMPDIR": str(tmp)})
    try:
        assert _wait_for(lambda: any(tmp.glob("briefing-execute-*")), 60), "never executed"
        time.sleep(1)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert _files(out) == old
    if sig == signal.SIGTERM:
        assert stderr.strip().splitlines()[-1] == (
            "error: interrupted; earlier reports were left as they were")
        assert "Traceback" not in stderr
        assert list(tmp.iterdir()) == [], "SIGTERM must clean up its temporary files"


def test_output_under_notebooks_or_data_or_over_the_input_is_refused(tmp_path):
    mine = tiny_notebook(tmp_path / "mine.ipynb")
    before = mine.read_bytes()
    cases = [
        (["--notebook", str(mine), "--out", str(tmp_path)], "overwrite its input notebook"),
        (["--out", str(paths.NOTEBOOKS_DIR)], "overwrite its input notebook"),
        (["--out", str(paths.NOTEBOOKS_DIR), "--notebook", "country_profile", "-p", "country",
          "TJK"], "which holds inputs"),
        (["--out", str(paths.DATA_DIR / "reference")], "which holds inputs"),
    ]
    for args, expected in cases:
        proc = subprocess.run([sys.executable, "-m", "briefing", "render", *args],
                              cwd=paths.ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --out ") \
            and expected in lines[0], proc.stderr
    assert mine.read_bytes() == before
    assert not list(paths.DATA_DIR.glob("reference/*.html"))


@pytest.mark.slow
def test_concurrent_renders_into_one_folder_leave_one_whole_set(tmp_path):
    out = tmp_path / "out"
    notebook = tiny_notebook(tmp_path / "t.ipynb")
    procs = [subprocess.Popen(_cli(out, "--notebook", str(notebook), "-p", "place", who),
                              cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for who in ("alpha", "beta", "gamma")]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["t.claims_register.csv", "t.html", "t.ipynb", "t.pdf"]
    executed = nbformat.read(out / "t.ipynb", as_version=4)
    who = next(o["text"] for c in executed.cells for o in c.get("outputs", [])
               if o.get("name") == "stdout").split()[-1]
    assert who in (out / "t.html").read_text(encoding="utf-8")


def test_an_out_that_is_a_file_is_named_as_such(tmp_path):
    (tmp_path / "afile").write_text("mine\n")
    proc = subprocess.run(_cli(tmp_path / "afile"), cwd=paths.ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"error: --out {paths.display_path(tmp_path / 'afile')}: "
                                   "is a file, not a folder (expected a folder you can create "
                                   "and write to)")
    assert (tmp_path / "afile").read_text() == "mine\n"

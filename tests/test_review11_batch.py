"""Review 11, the batch: a stop stops it, says what it replaced, and its index tells each
profile's parameters apart.

* Ctrl-C (SIGINT to the process group, as a terminal sends it) or SIGTERM to the command
  alone stops a batch within seconds: the queued profiles are cancelled, the running ones
  stop before they replace anything, no worker or kernel is left, nothing but one
  ``error:`` line on stderr, which names the profiles replaced and those left (exit 130).
* A run for some countries, into a folder of profiles rendered with other parameters, gives
  this run's facts to its own profiles only.

The stop is sent once the batch is known to be where the test wants it (files and markers
written by the notebook), never after a guessed delay.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from test_batch import _rows, run
from test_render_atomic import _wait_for

from briefing import paths
from briefing.validate import validate

pytestmark = pytest.mark.slow


def _stalling_profile(path: Path, fast: str) -> Path:
    """A profile notebook that marks each country it starts in ``markers`` and then, for
    every country but ``fast``, sleeps two minutes."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "language": "python", "display_name": "Python 3"}})
    nb.cells = [
        nbformat.v4.new_code_cell('country: str = ""  # ISO code of the country\n'
                                  'data_dir: str = "data"  # the data directory\n'
                                  'markers: str = ""  # folder to mark each start in',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import pathlib, time\n"
                                  "pathlib.Path(markers, country).touch()\n"
                                  f"if country != {fast!r}:\n    time.sleep(120)\n"
                                  "print(country)"),
    ]
    nbformat.write(nb, path)
    return path


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_stopped_batch_stops_at_once_and_says_what_it_replaced(tmp_path, how):
    codes = list(validate(paths.DATA_DIR).country_names)[:6]  # 2 running, 1 queued, 2 waiting
    first, second, third = codes[:3]
    rest = codes[3:]
    notebook = _stalling_profile(tmp_path / "stalling.ipynb", fast=first)
    out, markers = tmp_path / "out", tmp_path / "markers"
    markers.mkdir()
    out.mkdir()
    old = {}
    for code in codes:
        for ext in ("html", "ipynb", "claims_register.csv"):
            old[f"{code}.{ext}"] = f"previous {code}.{ext}\n".encode()
            (out / f"{code}.{ext}").write_bytes(old[f"{code}.{ext}"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "batch", "--notebook", str(notebook), "--jobs", "2",
         "--countries", ",".join(codes), "--format", "html", "--out", str(out),
         "-p", "markers", str(markers)],
        cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        # the first profile replaced, the next two running (sleeping in their cell)
        def replaced(name: str) -> bool:  # a swap moves the old file out, then the new in
            try:
                return (out / name).read_bytes() != old[name]
            except FileNotFoundError:
                return False

        assert _wait_for(lambda: replaced(f"{first}.html")
                         and {p.name for p in markers.iterdir()} >= {second, third}, 180), \
            "the batch never got that far"
        helpers = _descendants(proc.pid)  # workers and their kernels
        assert helpers
        started = time.monotonic()
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal does
        else:
            proc.send_signal(signal.SIGTERM)  # timeout, a CI cancel: the command alone
        stdout, stderr = proc.communicate(timeout=120)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert took < 20, f"the batch took {took:.1f} s to stop"  # not the 30 s of STOP_GRACE
    lines = [ln for ln in stderr.splitlines() if not ln.startswith("warning:")]
    assert lines == [f"error: interrupted: 1 of 6 profiles was replaced before the stop "
                     f"({first}); the other 5 were left as they were "
                     f"({', '.join(codes[1:])})"], stderr
    assert "rendered 1 of 6 profiles" in stdout
    for name, data in old.items():
        if not name.startswith(first):
            assert (out / name).read_bytes() == data, f"{name} was replaced after the stop"
    assert not (out / f"{first}.html").read_bytes() == old[f"{first}.html"]
    assert not set(rest) & {p.name for p in markers.iterdir()}, "a queued profile still ran"
    assert not any(p.name.startswith(".") for p in out.iterdir()), "a swap was left half-done"
    assert _wait_for(lambda: not any(_alive(p) for p in helpers), timeout=30), \
        "a worker or kernel is left"
    rows = _rows((out / "index.html").read_text(encoding="utf-8"))
    assert rows[first][1][0] == f"{first}.html"
    for code in codes[1:]:  # their old files, not described as this run's
        assert rows[code][0][0].startswith("Not shown: this profile was rendered"), rows[code]


def test_a_partial_run_gives_its_facts_to_its_own_profiles_only(tmp_path):
    notebook = tmp_path / "country_profile.ipynb"
    shutil.copyfile(paths.PROFILE_NOTEBOOK, notebook)  # the same notebook for both runs
    out = tmp_path / "profiles"
    proc = run("batch", "--notebook", str(notebook), "--countries", "AFG,TJK", "--jobs", "1",
               "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = _rows((out / "index.html").read_text(encoding="utf-8"))
    # both profiles of this run: facts (* the status is the reference timeline's alone)
    assert rows["AFG"][0][0] == "SCO: observer *"
    proc = run("batch", "--notebook", str(notebook), "--countries", "TJK", "-p", "as_of",
               "2024-12-31", "--jobs", "1", "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    rows = _rows(page)
    assert "Statuses on 31 Dec 2024" in page
    assert rows["TJK"][0][0].startswith("CSTO: member")
    assert rows["AFG"][0][:3] == ["Not shown: this profile was rendered with as_of not set.",
                                  "—", "—"]
    assert rows["AFG"][1][0] == "AFG.html"  # still linked: it is in the folder
    assert "1 of 1 profiles rendered in this run; parameters: as_of = 2024-12-31. 1 profile " \
        "in this folder was rendered with other parameters or data" in " ".join(page.split())

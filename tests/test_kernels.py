"""Warm kernels (briefing/kernels.py): pre-started, reused, reset -- and never a leak.

The property that matters: a notebook run on a warm or reused kernel gives the same outputs,
byte for byte, as on a kernel started for it alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from briefing import kernels, paths

# A probe: what a notebook could observe of the state it inherits.
PROBE = [
    "import os, sys, warnings\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "import pandas as pd\n"
    "import briefing.paths as bp",
    "print(sorted(k for k in globals() if not k.startswith('_')))",
    "print(len(In), len(Out), plt.get_fignums())",
    "print(matplotlib.rcParams['lines.linewidth'], matplotlib.rcParams['font.size'])",
    "print(pd.get_option('display.max_rows'), os.getcwd() == sys.argv[0] or os.getcwd())",
    "print(os.environ.get('BRIEFING_TEST_LEAK'), hasattr(bp, 'LEAK'))",
    # the filters themselves, in order (the reset rebuilds them with public functions)
    "print([(a, getattr(m, 'pattern', m), c.__name__, getattr(mod, 'pattern', mod), n)"
    " for a, m, c, mod, n in warnings.filters])",
    "print(matplotlib.rcParams['axes.prop_cycle'], pd.get_option('display.precision'))",
    "warnings.warn('shown once per location unless the registry is reset')",
    "import numpy as np\nprint(np.get_printoptions()['precision'])",
]

# Changes everything the probe looks at.
DIRTY = [
    "import os, warnings\n"
    "import matplotlib\n"
    "import matplotlib.pyplot as plt\n"
    "import numpy as np\n"
    "import pandas as pd\n"
    "import briefing.paths as bp",
    "x = 1\nplt.figure()\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
    "matplotlib.rcParams['font.size'] = 3\npd.set_option('display.max_rows', 3)\n"
    "np.set_printoptions(precision=2)",
    "os.environ['BRIEFING_TEST_LEAK'] = '1'\nbp.LEAK = 1\nos.chdir('/')",
    "warnings.simplefilter('ignore')\nwarnings.warn('hidden')\n"
    "warnings.filterwarnings('error', message='boom', category=UserWarning, module='x')",
    "from cycler import cycler\nmatplotlib.rcParams['axes.prop_cycle'] = cycler(color='rg')\n"
    "pd.set_option('display.precision', 2)",
]

MODULES = ["matplotlib.pyplot", "pandas", "numpy", "briefing.paths"]


def _notebook(cells: list[str]):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def _run(cells: list[str], km=None):
    """Execute with nbclient; outputs and execution counts, without volatile metadata."""
    from nbclient import NotebookClient

    nb = _notebook(cells)
    client = NotebookClient(nb, km=km, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(paths.ROOT)}})
    client.execute()
    return [(c.execution_count, [_normalise(o) for o in c.outputs]) for c in nb.cells]


def _normalise(output) -> dict:
    """Every kernel names its cells' files /tmp/ipykernel_<pid>/...: not state, just a pid."""
    out = {k: v for k, v in output.items() if k != "metadata"}
    if "text" in out:
        out["text"] = re.sub(r"ipykernel_\d+", "ipykernel_PID", out["text"])
    return out


def test_warm_modules_collects_absolute_imports_in_order(tmp_path):
    nb = _notebook([
        "import pandas as pd\nimport os.path",
        "%matplotlib inline\nimport not_collected_cell_has_magic",
        "from briefing.load import load\nfrom . import relative\nfrom x import *",
        "def f():\n    import json\n    return json",
    ])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    other = tmp_path / "other.ipynb"
    nbformat.write(_notebook(["import json\nimport yaml"]), other)
    assert kernels.warm_modules(path) == [
        "pandas", "os.path", "briefing.load", "briefing.load.load", "x", "json"]
    assert kernels.warm_modules(path, other, path) == [*kernels.warm_modules(path), "yaml"]


def test_warm_kernel_looks_like_a_fresh_kernel():
    fresh = _run(PROBE)
    with kernels.prestarted_kernel(modules=MODULES) as kernel:
        assert kernel is not None
        warm = _run(PROBE, km=kernel.km)
    assert warm == fresh
    assert [count for count, _ in warm] == list(range(1, len(PROBE) + 1))


def test_reset_kernel_forgets_the_previous_notebook():
    fresh = _run(PROBE)
    kernel = kernels.WarmKernel(MODULES).start()
    try:
        dirty = _run(DIRTY, km=kernel.km)
        assert dirty[-1][0] == len(DIRTY)
        kernel.begin_reset()
        kernel.wait()
        assert _run(PROBE, km=kernel.km) == fresh
        kernel.begin_reset()  # twice in a row: the same again
        kernel.wait()
        assert _run(PROBE, km=kernel.km) == fresh
    finally:
        kernel.shutdown()


def test_without_reset_state_would_leak():
    """The probe does notice a dirty kernel: the reset test above can fail."""
    fresh = _run(PROBE)
    kernel = kernels.WarmKernel(MODULES).start()
    try:
        _run(DIRTY, km=kernel.km)
        kernel.km.close_clients()
        assert _run(PROBE, km=kernel.km) != fresh
    finally:
        kernel.shutdown()


def test_prestarted_kernel_is_shut_down_and_cleaned_up():
    with kernels.prestarted_kernel(modules=[]) as kernel:
        km = kernel.km
        pid = km.provisioner.process.pid
        connection = Path(km.connection_file)
        ipc = Path(km.ip).parent
        assert connection.exists()
        os.kill(pid, 0)
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # reaped by the manager; give the OS a moment
            os.kill(pid, 0)
            import time

            time.sleep(0.05)
    assert not connection.exists()
    assert not ipc.exists()


def test_no_warm_escape_hatch(monkeypatch):
    monkeypatch.setenv("BRIEFING_NO_WARM", "prestart")
    with kernels.prestarted_kernel(modules=[]) as kernel:
        assert kernel is None
    assert kernels.disabled("prestart") and not kernels.disabled("reuse")


def test_slot_replaces_a_kernel_that_died():
    slot = kernels.KernelSlot(["json"])
    try:
        km = slot.acquire()
        pid = km.provisioner.process.pid
        assert _run(["print(1)"], km=km)[0][1][0]["text"] == "1\n"
        slot.release()
        km = slot.acquire()
        assert km.provisioner.process.pid == pid  # reused
        with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError or similar
            _run(["import os\nos._exit(3)"], km=km)
        slot.release()
        km = slot.acquire()
        assert km.provisioner.process.pid != pid
        assert _run(["print(2)"], km=km)[0][1][0]["text"] == "2\n"
        assert slot.started == 2
    finally:
        slot.close()


def test_kernel_folders_of_dead_processes_are_removed(tmp_path):
    """A process killed with SIGKILL cannot remove its kernel's folder; the next kernel
    started removes it, and only folders whose starting process is gone."""
    import subprocess
    import sys

    from briefing.kernels import KERNEL_DIR_PREFIX, remove_stale_kernel_dirs

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)  # exited and reaped: no such process now
    stale = tmp_path / f"{KERNEL_DIR_PREFIX}{dead_pid}-abc"
    ours = tmp_path / f"{KERNEL_DIR_PREFIX}{os.getpid()}-def"
    alive = tmp_path / f"{KERNEL_DIR_PREFIX}1-ghi"
    old_format = tmp_path / f"{KERNEL_DIR_PREFIX}xyz12345"
    other = tmp_path / "unrelated-123-x"
    for folder in (stale, ours, alive, old_format, other):
        folder.mkdir()
        (folder / "kernel.json").write_text("{}", encoding="utf-8")
    assert remove_stale_kernel_dirs(tmp_path) == [stale]
    assert not stale.exists()
    assert all(f.exists() for f in (ours, alive, old_format, other))


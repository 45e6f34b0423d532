"""Warm Jupyter kernels: started before the parent's heavy imports, reused across notebooks.

Starting a kernel and importing pandas and matplotlib in it is slow; both mechanisms hide
that cost without changing a byte of output. :func:`prestarted_kernel` starts the kernel
while the parent imports its exporters; nbclient does not shut down a kernel it did not
start, so we do. A reset (:meth:`WarmKernel.begin_reset`) returns a used kernel to the
state of a freshly started warm one, so that a batch renders many notebooks on a few
kernels. Not reset: modules other than ``briefing`` stay imported (as after the warm
start), and IPython configuration a notebook changes with ``%config``/``%matplotlib`` or
custom display formatters would persist; the kit's notebooks do neither.

Only the standard library is imported at module level, so the CLI stays light until
validation has passed.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import paths
from .paths import switched_off as disabled

KERNEL_NAME = "python3"
# The package whose modules are re-imported fresh by a reset (module-level state cannot leak).
PACKAGE = "briefing"
# Same history setting nbclient uses when it starts a kernel itself (no sqlite file, no lock).
KERNEL_ARGS = ("--HistoryManager.hist_file=:memory:",)
RESET_TIMEOUT = 60.0


def warm_modules(*notebooks: Path | str) -> list[str]:
    """The modules to import in a kernel before it runs any of ``notebooks``: those the code
    cells import, in order of first appearance.

    Only absolute imports that ``ast`` can parse are collected; cells with IPython syntax
    are skipped. ``from x import y`` contributes ``x`` (and ``x.y`` when it is a module, which
    the kernel finds out by trying).
    """
    seen: dict[str, None] = {}
    cells = [cell for notebook in notebooks
             for cell in json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])]
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    seen.setdefault(alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                seen.setdefault(node.module, None)
                for alias in node.names:
                    if alias.name != "*":
                        seen.setdefault(f"{node.module}.{alias.name}", None)
    return list(seen)


def _warm_code(modules: Iterable[str]) -> str:
    """One line for IPython ``exec_lines``: import modules, bind no name, print nothing.

    ``x.y`` names that are attributes rather than modules fail to import and are ignored;
    a module that fails to import is ignored too: the notebook's own import then reports it.
    """
    mods = [m for m in modules if all(part.isidentifier() for part in m.split("."))]
    return (f"exec({_KERNEL_SETUP!r}, {{'__name__': '_briefing_warm', "
            f"'modules': {mods!r}, 'package': {PACKAGE!r}}})")


# Runs inside the kernel at start-up (as exec_lines, before the kernel answers kernel_info):
# imports the modules, then snapshots the global state a reset restores. The snapshot lives
# in a private module in sys.modules, invisible to the notebook's namespace.
_KERNEL_SETUP = """
import importlib, os, sys, types, warnings
for _name in modules:
    try:
        importlib.import_module(_name)
    except Exception:
        pass
state = types.ModuleType('_briefing_kernel_state')
state.package = package
state.modules = [m for m in modules if m in sys.modules]
state.cwd = os.getcwd()
state.path = list(sys.path)
state.environ = dict(os.environ)
state.filters = list(warnings.filters)
state.mpl_rc = None
if 'matplotlib' in sys.modules:
    state.mpl_rc = dict(sys.modules['matplotlib'].rcParams)
state.np_print = None
if 'numpy' in sys.modules:
    state.np_print = sys.modules['numpy'].get_printoptions()
sys.modules['_briefing_kernel_state'] = state
"""

# Runs inside the kernel between two notebooks (silent, not stored in history).
_KERNEL_RESET = """
import gc, importlib, os, sys, warnings
state = sys.modules['_briefing_kernel_state']
if 'matplotlib.pyplot' in sys.modules:
    sys.modules['matplotlib.pyplot'].close('all')
ip = get_ipython()
ip.reset(new_session=True)
os.chdir(state.cwd)
sys.path[:] = state.path
os.environ.clear()
os.environ.update(state.environ)
with warnings.catch_warnings():  # restoring a deprecated setting warns: nobody to read it
    warnings.simplefilter('ignore')
    if state.mpl_rc is not None:  # only what changed (dict.get: no backend resolution)
        _rc = sys.modules['matplotlib'].rcParams
        _rc.update({k: v for k, v in state.mpl_rc.items() if dict.get(_rc, k) != v})
    if 'pandas' in sys.modules:  # the kit sets no pandas option at import: the defaults
        sys.modules['pandas'].reset_option('all')
if state.np_print is not None:
    sys.modules['numpy'].set_printoptions(**state.np_print)
warnings.resetwarnings()
for _action, _message, _category, _module, _lineno in reversed(state.filters):
    warnings.filterwarnings(_action, getattr(_message, 'pattern', _message) or '', _category,
                            getattr(_module, 'pattern', _module) or '', _lineno)
warnings.onceregistry.clear()
for _name in [m for m in sys.modules if m == state.package or m.startswith(state.package + '.')]:
    if _name != state.package + '.kernels':
        del sys.modules[_name]
for _name in state.modules:
    try:
        importlib.import_module(_name)
    except Exception:
        pass
gc.collect()
"""


def _reset_code() -> str:
    return f"exec({_KERNEL_RESET!r}, {{'__name__': '_briefing_reset'}})"


def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class TrackingKernelManager(AsyncKernelManager):
        """Remembers the clients nbclient creates, so their channels can be closed.

        nbclient leaves the client channels of a kernel it does not own open (it expects
        the owner to clean up); without this each notebook would leak sockets and a thread.
        """

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_briefing_clients", []).append(kc)
            return kc

        def close_clients(self) -> None:
            clients = self.__dict__.get("_briefing_clients", [])
            while clients:
                kc = clients.pop()
                with contextlib.suppress(Exception):
                    kc.stop_channels()

    return TrackingKernelManager


class WarmKernel:
    """One Jupyter kernel, started without waiting, with ``modules`` already imported.

    ``start()`` returns as soon as the process is launched; the kernel imports ``modules``
    before it answers, and whoever talks to it first (nbclient) waits for it to be ready.
    ``files`` (name -> bytes) are written into the kernel's private folder before it starts,
    and the kernel's environment variable ``name`` holds each one's path.
    """

    def __init__(self, modules: Iterable[str] = (), files: dict[str, bytes] | None = None
                 ) -> None:
        self.modules = list(modules)
        self.files = dict(files or {})
        self.km = None
        self._reset_client = None
        self._reset_msg: str | None = None
        self._ipc_dir: str | None = None  # the kernel's private folder, once started
        self._closing = None  # the thread shutting the kernel down, once asked to

    def start(self) -> WarmKernel:
        from jupyter_core.utils import run_sync

        # IPC (Unix sockets in a private folder) rather than TCP on localhost: no ports,
        # nothing reachable by other users, and no "running over TCP without encryption"
        # warning from ipykernel on the user's terminal.
        remove_stale_kernel_dirs()
        self._ipc_dir = tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-")
        self.km = _manager_class()(kernel_name=KERNEL_NAME, transport="ipc",
                                   ip=os.path.join(self._ipc_dir, "kernel"),
                                   connection_file=os.path.join(self._ipc_dir, "kernel.json"))
        args = [*KERNEL_ARGS, f"--IPKernelApp.exec_lines={json.dumps([_warm_code(self.modules)])}"]
        run_sync(self.km.start_kernel)(cwd=str(paths.ROOT), extra_arguments=args,
                                       env={**os.environ, **self._place_files()})
        return self

    def _place_files(self) -> dict[str, str]:
        """Write ``files`` into the kernel's private folder (readable by this user only);
        the kernel finds each through the environment variable of its name."""
        env = {}
        for name, data in self.files.items():
            path = os.path.join(self._ipc_dir, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            env[name] = path
        return env

    def begin_reset(self) -> None:
        """Ask the kernel to reset itself; returns at once (``wait()`` collects the reply)."""
        from jupyter_client.blocking import BlockingKernelClient

        self.km.close_clients()
        kc = BlockingKernelClient()
        kc.load_connection_info(self.km.get_connection_info())
        kc.start_channels(iopub=False, stdin=False, hb=False, control=False)
        self._reset_client = kc
        self._reset_msg = kc.execute(_reset_code(), silent=True, store_history=False,
                                     allow_stdin=False)

    def wait(self, timeout: float = RESET_TIMEOUT) -> None:
        """Wait for a reset begun with ``begin_reset``; RenderError if it failed."""
        from .errors import RenderError

        kc, msg_id = self._reset_client, self._reset_msg
        if kc is None:
            return
        self._reset_client = self._reset_msg = None
        try:
            while True:
                reply = kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        except Exception as exc:
            raise RenderError(f"kernel reset did not answer: {type(exc).__name__}: {exc}") from None
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise RenderError(f"kernel reset failed: {content.get('ename')}: "
                              f"{content.get('evalue')}")

    def is_alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown_in_background(self) -> None:
        """Start :meth:`shutdown` in a thread: the kernel is not needed once the notebook
        has run, and its shutting down and its memory need not wait for the exports.
        :meth:`shutdown` waits for that thread."""
        import threading

        if self.km is None or self._closing is not None:
            return
        self._closing = threading.Thread(target=self._shutdown, name="briefing-kernel-stop",
                                         daemon=True)
        self._closing.start()

    def shutdown(self) -> None:
        """Kill the kernel and remove its connection file (its state is worth nothing)."""
        closing = self._closing
        if closing is not None:
            closing.join(timeout=30)
        self._shutdown()

    def _shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        km, self.km = self.km, None
        if self._reset_client is not None:
            with contextlib.suppress(Exception):
                self._reset_client.stop_channels()
            self._reset_client = None
        km.close_clients()
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


#: A kernel's private folder: <tmp>/briefing-kernel-<pid of the process that started it>-*
KERNEL_DIR_PREFIX = "briefing-kernel-"


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def left_by_dead_processes(folder: Path | str, pattern) -> Iterator[os.DirEntry]:
    """Entries of ``folder`` whose name matches ``pattern`` (a compiled regex whose first
    group is a process id) and whose process no longer exists (not this one either)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = pattern.match(entry.name)
            if m and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
                yield entry


def remove_stale_kernel_dirs(tmp: Path | str | None = None) -> list[Path]:
    """Delete kernel folders (connection file and sockets) left in ``tmp`` by processes
    that were killed without cleaning up (SIGKILL): those whose starting process no longer
    exists. Folders of live processes, of this process and in the old format without a
    process id are left alone. Returns what was removed."""
    import re

    pattern = re.compile(re.escape(KERNEL_DIR_PREFIX) + r"(\d+)-")
    removed = []
    for entry in left_by_dead_processes(tmp or tempfile.gettempdir(), pattern):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.exists(entry.path):
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def prestarted_kernel(*notebooks: Path | str, modules: Iterable[str] | None = None,
                      files: dict[str, bytes] | None = None) -> Iterator[WarmKernel | None]:
    """Start a kernel now, warm with the notebooks' imports, and yield it; shut it down on
    exit, whatever happened.

    Call it before importing papermill/nbconvert/WeasyPrint, so that both import at once.
    If the kernel cannot be started, yields None: the render then starts one when it
    executes (:func:`briefing.execute.execute`). ``files``: see :class:`WarmKernel`.
    """
    if disabled("prestart"):
        yield None
        return
    mods = list(modules) if modules is not None else warm_modules(*notebooks)
    kernel = WarmKernel(mods, files=files)
    try:
        kernel.start()
    except Exception as exc:
        _debug(f"could not pre-start a kernel: {type(exc).__name__}: {exc}")
        kernel.shutdown()
        yield None
        return
    try:
        yield kernel
    finally:
        kernel.shutdown()


class KernelSlot:
    """One reusable warm kernel for a process that renders notebooks one after another.

    ``acquire()`` gives a kernel manager ready for a notebook (started warm, or reset after
    the previous notebook); ``release()`` starts the reset at once, so it runs while the
    process writes files and picks up its next job. A kernel that died, or whose reset
    failed, is replaced by a new one.
    """

    def __init__(self, modules: Iterable[str] = (), files: dict[str, bytes] | None = None
                 ) -> None:
        self.modules = list(modules)
        self.files = files
        self.kernel: WarmKernel | None = None
        self.started = 0
        self.reused = 0

    def start(self) -> None:
        if self.kernel is None:
            self.kernel = WarmKernel(self.modules, files=self.files).start()
            self.started += 1

    def acquire(self):
        kernel = self.kernel
        if kernel is not None:
            try:
                kernel.wait()
                if not kernel.is_alive():
                    raise RuntimeError("the kernel died")
                self.reused += 1
            except Exception as exc:
                _debug(f"replacing kernel: {exc}")
                kernel.shutdown()
                self.kernel = None
        self.start()
        return self.kernel.km

    def release(self) -> None:
        kernel = self.kernel
        if kernel is None:
            return
        try:
            if not kernel.is_alive():
                raise RuntimeError("the kernel died")
            kernel.begin_reset()
        except Exception as exc:
            _debug(f"dropping kernel: {exc}")
            kernel.shutdown()
            self.kernel = None

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None


_slot: KernelSlot | None = None
_files: dict[str, bytes] | None = None  # what this process's kernels are handed


def init_worker(notebooks: Iterable[Path | str], start: bool = True,
                files: dict[str, bytes] | None = None) -> None:
    """Initializer for a batch worker process (or the parent, rendering alone): starts this
    process's warm kernel, killed when the process exits (also as a pool worker). ``files``
    are handed to every kernel the process starts (:class:`WarmKernel`)."""
    global _slot, _files
    _files = files
    if disabled("reuse"):
        return
    if _slot is None:
        _slot = KernelSlot(warm_modules(*notebooks), files=files)
        import atexit
        from multiprocessing import util

        util.Finalize(_slot, _slot.close, exitpriority=100)
        atexit.register(_slot.close)
    if start:
        with contextlib.suppress(Exception):  # acquire() retries and reports the failure
            _slot.start()


@contextlib.contextmanager
def worker_kernel(notebook: Path | str | None = None) -> Iterator[object]:
    """The kernel manager of this process's slot for one notebook (``km=`` for render).

    Without ``init_worker`` a slot is created on first use (warm with ``notebook``'s
    imports). After the block, the kernel is reset for the next notebook.
    """
    if disabled("reuse"):
        with prestarted_kernel(*([notebook] if notebook is not None else []),
                               files=_files) as kernel:
            yield kernel.km if kernel is not None else None
        return
    if _slot is None:
        init_worker([notebook] if notebook is not None else [])
    try:
        km = _slot.acquire()
    except Exception as exc:
        from .errors import RenderError

        raise RenderError(f"could not start a kernel: {type(exc).__name__}: {exc}") from None
    try:
        yield km
    finally:
        _slot.release()


def close_worker() -> None:
    """Kill this process's slot kernel now (the parent calls it after a one-process batch)
    and forget what its kernels were handed."""
    global _slot, _files
    _files = None
    if _slot is not None:
        _slot.close()
        _slot = None


def _debug(msg: str) -> None:  # pragma: no cover - developer aid
    if os.environ.get("BRIEFING_DEBUG_KERNELS"):
        print(f"[kernels] {msg}", file=sys.stderr)

"""Replace a report's files as a set: all old or all new, whatever happens meanwhile.

A render produces several files (HTML, PDF, the executed ``.ipynb``, the claims register).
:func:`replace_all` writes them into a fresh hidden staging folder beside the target, then
swaps them in one by one, moving each previous file into a hidden backup folder first.
If any step fails, everything moved so far is moved back. A process killed in the middle
(SIGKILL, power loss) leaves its staging and backup folders behind; the next render into
the same folder (:func:`recover`) restores the backup unless the swap had been marked
complete, so a reader never finds a new HTML beside an old PDF for longer than the swap.

Swaps into one folder are serialised with an advisory lock on the folder, so two renders
into the same folder never interleave their moves.

A stop asked for (Ctrl-C, SIGTERM; :mod:`briefing.stop`) is checked before the swap, which
a stop then no longer interrupts: the previous set stays, or the whole new one is put in.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ParameterError, RenderError
from .kernels import pid_alive
from .stop import check_stop, hold_stops

#: Hidden folders of one swap: ``.<stem>.stage-<pid>-<random>`` (new files, written first)
#: and ``.<stem>.backup-<pid>-<random>`` (previous files, moved out during the swap).
_WORK_RE = re.compile(r"^\.(?P<stem>.+)\.(?P<kind>stage|backup)-(?P<pid>\d+)-[A-Za-z0-9_]+$")
#: Written into a backup folder once every new file is in place: recovery then only
#: deletes the backup instead of restoring it.
_DONE = ".complete"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    return (exc.strerror or type(exc).__name__).lower()


def _cannot(target: Path, exc: OSError) -> RenderError:
    return RenderError(f"cannot write {paths.display_path(target)}: {_reason(exc)}")


# ---------------------------------------------------------------------------------------
# The swap
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _restore(backup: Path, folder: Path) -> None:
    """Move every file of ``backup`` back into ``folder``; drop what the swap added."""
    added = (backup / ".added").read_text(encoding="utf-8").splitlines() \
        if (backup / ".added").exists() else []
    for name in added:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)
    for entry in sorted(backup.iterdir()):
        if entry.name not in (".added", _DONE):
            os.replace(entry, folder / entry.name)
    shutil.rmtree(backup, ignore_errors=True)


def recover(folder: Path | str) -> list[Path]:
    """Finish what killed renders left in ``folder``: restore a backup whose swap was not
    complete, delete staging folders and completed backups. Returns the folders handled."""
    folder = Path(folder)
    handled = []
    if not folder.is_dir():
        return handled
    with _locked(folder):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            m = _WORK_RE.match(entry.name)
            if not m or not entry.is_dir(follow_symlinks=False):
                continue
            pid = int(m["pid"])
            if pid == os.getpid() or pid_alive(pid):  # a swap still going on
                continue
            path = Path(entry.path)
            if m["kind"] == "backup" and not (path / _DONE).exists():
                with contextlib.suppress(OSError):
                    _restore(path, folder)
            shutil.rmtree(path, ignore_errors=True)
            handled.append(path)
    return handled


def _write(path: Path, data: bytes | str) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open(path, "xb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o644)


@dataclass(frozen=True)
class Replaced:
    """What :func:`replace_all` changed: the files written, and those of ``remove`` that
    were there and are gone."""

    written: list[Path]
    removed: list[Path] = field(default_factory=list)


def replace_all(folder: Path | str, files: dict[str, bytes | str],
                remove: tuple[str, ...] = ()) -> Replaced:
    """Put ``files`` (name -> content) into ``folder`` and delete ``remove`` (names), as
    one change: on any failure the folder is left exactly as it was and a RenderError names
    the report file and the cause. A stop asked for before the swap (:func:`check_stop`)
    leaves the folder as it was; once the swap begins, it is only recorded
    (:func:`hold_stops`)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(folder, exc) from None
    stem = Path(next(iter(files), "report")).stem.split(".")[0] or "report"
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{stem}.stage-{os.getpid()}-", dir=folder))
    except OSError as exc:
        raise _cannot(folder / next(iter(files), ""), exc) from None
    try:
        for name, data in files.items():
            try:
                _write(stage / name, data)
            except OSError as exc:
                raise _cannot(folder / name, exc) from None
        with _locked(folder):
            _refuse_folders(folder, list(files))
            hold_stops()
            check_stop()  # asked for before this point: nothing is replaced
            removed = _swap(folder, stage, stem, list(files), remove)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return Replaced([folder / name for name in files], [folder / name for name in removed])


def _refuse_folders(folder: Path, names: list[str]) -> None:
    """RenderError, before anything moves, when a name the swap would write is a folder: a
    render replaces only what it writes, never a folder someone put there (a folder with a
    name it would only remove, such as a stale ``.failed.ipynb``, is left alone)."""
    for name in names:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            raise RenderError(f"cannot write {paths.display_path(path)}: it is a folder "
                              "(expected a file of an earlier render, or nothing)")


def _swap(folder: Path, stage: Path, stem: str, names: list[str],
          remove: tuple[str, ...]) -> list[str]:
    """Move the previous files into a backup, the new ones in; the names of ``remove``
    that were there."""
    try:
        backup = Path(tempfile.mkdtemp(prefix=f".{stem}.backup-{os.getpid()}-", dir=folder))
    except OSError as exc:
        raise _cannot(folder / names[0], exc) from None
    added: list[str] = []
    removed: list[str] = []
    current = names[0]
    try:
        # what the swap adds (no previous file) is listed first, so a recovery knows it
        added = [n for n in names if not (folder / n).exists()]
        (backup / ".added").write_text("\n".join(added), encoding="utf-8")
        for name in [*names, *remove]:
            current = name
            if name not in names and (folder / name).is_dir() \
                    and not (folder / name).is_symlink():
                continue  # a folder of a name the render would only remove: not its own
            if (folder / name).exists() or (folder / name).is_symlink():
                os.replace(folder / name, backup / name)
                if name in remove and name not in names:
                    removed.append(name)
        for name in names:
            current = name
            os.replace(stage / name, folder / name)
        (backup / _DONE).touch()
    except BaseException as exc:
        with contextlib.suppress(OSError):
            _restore(backup, folder)
        if isinstance(exc, OSError):
            raise _cannot(folder / current, exc) from None
        raise
    shutil.rmtree(backup, ignore_errors=True)
    return removed


def refuse_inputs_as_outputs(out: Path, names: list[str], notebook: Path,
                             data_dir: Path | None) -> None:
    """ParameterError (exit 2, before anything runs) when a file a render would write is
    the input notebook, or lies under notebooks/, the kit's data/ or the data folder read:
    inputs are never overwritten."""
    protected = [paths.NOTEBOOKS_DIR.resolve(), paths.DATA_DIR.resolve()]
    if data_dir is not None:
        protected.append(Path(data_dir).resolve())
    for name in names:
        target = (out / name).resolve()
        if target == Path(notebook).resolve():
            raise ParameterError(f"--out {paths.display_path(out)}: the render would "
                                 f"overwrite its input notebook {paths.display_path(notebook)}"
                                 " (expected an output folder that holds no input)")
        for folder in protected:
            if target == folder or folder in target.parents:
                raise ParameterError(f"--out {paths.display_path(out)}: the render would write "
                                     f"{paths.display_path(target)} inside "
                                     f"{paths.display_path(folder)}/, which holds inputs "
                                     "(expected an output folder such as reports/)")


def write_one(path: Path | str, data: bytes | str) -> Path:
    """Replace one file atomically (a temporary sibling renamed over it)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        os.unlink(tmp)
        _write(Path(tmp), data)
        os.replace(tmp, path)
    except OSError as exc:
        raise _cannot(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path

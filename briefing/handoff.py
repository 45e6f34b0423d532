"""The validated data, handed from the command line to the kernel: a render validates once.

``python -m briefing render`` (and ``batch``) validates the data folder before any kernel
starts, so that bad data is one ``error:`` line before anything slow. The notebook then
calls :func:`briefing.params.check` itself, as it must when someone runs it in Jupyter.
Instead of validating the same files a second time, the kernel takes the parent's result:
:func:`dumps` writes it into the kernel's private folder (:mod:`briefing.kernels`), whose
path the kernel finds in the environment variable :data:`ENV`, and :func:`take` accepts it
only for the same folder whose files still have the checksums that were validated. Anything
else (no variable, another folder, a file changed since, an unreadable hand-off) and the
kernel validates the data itself, as in Jupyter.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

from . import paths
from .limits import MAX_CSV_BYTES, read_limited, sha256
from .schema import TABLES
from .validate import Validated

#: The environment variable naming the hand-off file in the kernel.
ENV = "BRIEFING_VALIDATED"


def dumps(validated: Validated) -> bytes:
    """The hand-off of ``validated``: its typed columns and what was read, as plain data."""
    state = {"data_dir": str(validated.data_dir), "article": validated.article,
             "meta": validated.meta, "checksums": validated.checksums,
             "warnings": validated.warnings, "columns": validated.columns,
             "lines": validated.lines}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def kernel_files(validated: Validated | None) -> dict[str, bytes]:
    """What a kernel is handed (:class:`briefing.kernels.WarmKernel`'s ``files``): the
    hand-off of ``validated``, or nothing."""
    return {ENV: dumps(validated)} if validated is not None else {}


def checksums(data_dir: Path) -> dict[str, str] | None:
    """The checksum of every file of ``data_dir`` that validation reads, by relative path;
    None when one of them cannot be read."""
    names = (paths.ARTICLE_FILE, paths.ARTICLE_META_FILE, *(t.path for t in TABLES.values()))
    out = {}
    for name in names:
        path = data_dir / name
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            out[name] = sha256(read_limited(path, MAX_CSV_BYTES, "a data file", ""))
        except Exception:
            return None
    return out


class _PlainData(pickle.Unpickler):
    """Unpickles the typed values of a dataset (built-in containers, text, numbers, dates)
    and refuses every other class, so a hand-off file can never construct anything else."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("datetime", "date"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def take(data_dir: Path) -> Validated | None:
    """The validated data handed to this process for ``data_dir``, if its files are still
    the ones validated; else None (the caller validates)."""
    where = os.environ.get(ENV)
    if not where:
        return None
    try:
        raw = read_limited(where, 2 * MAX_CSV_BYTES, "a hand-off", "")
        state = _PlainData(io.BytesIO(raw)).load()
        if Path(state["data_dir"]) != Path(data_dir):
            return None
        if checksums(Path(data_dir)) != state["checksums"]:
            return None
        return Validated(Path(state["data_dir"]), state["article"], state["meta"],
                         checksums=state["checksums"], warnings=state["warnings"],
                         columns=state["columns"], lines=state["lines"])
    except Exception:  # a hand-off that cannot be used is no hand-off
        return None

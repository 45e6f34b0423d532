"""Write a drafted data directory in one step: a temporary sibling folder renamed into place.

A reader of ``--out`` sees the old folder or the complete new one, never half of a draft;
a failed draft leaves nothing behind. An existing non-empty folder is replaced only with
``--force``, and never the kit's own curated ``data/`` (code does not write there).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from .. import paths
from ..errors import ParameterError
from ..schema import TABLES


def csv_text(table: str, rows: list[dict]) -> str:
    """Rows as the kit's CSV: the schema's column order, LF endings, RFC 4180 quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = TABLES[table].field_names
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue()


def json_text(meta: dict) -> str:
    return json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check_target(out: Path, force: bool) -> Path:
    """The folder to write, or ParameterError (exit 2) before any work is done."""
    out = Path(out)
    shown = paths.display_path(out)
    target = out.resolve()
    data = paths.DATA_DIR.resolve()
    if target == data or data in target.parents or target in data.parents:
        raise ParameterError(f"--out {shown}: the kit's curated data folder is not written "
                             "by code (expected a new folder, e.g. drafts/my_article)")
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {shown}: is a file (expected a folder)")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ParameterError(f"--out {shown}: folder is not empty; nothing was written "
                             "(use --force to replace it)")
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_folder(out: Path, files: dict[str, bytes], force: bool) -> None:
    """Write ``files`` (relative path -> bytes) as the folder ``out``, atomically."""
    out = check_target(out, force)
    parent = out.absolute().parent
    shown = paths.display_path(out)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.draft-", dir=parent))
    except OSError as exc:
        raise ParameterError(f"--out {shown}: cannot write there "
                             f"({exc.strerror or type(exc).__name__})") from None
    try:
        os.chmod(temp, 0o777 & ~_umask())
        for name, data in sorted(files.items()):
            path = temp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _swap(temp, out, force)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise ParameterError(f"--out {shown}: cannot write there "
                             f"({exc.strerror or type(exc).__name__})") from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _swap(temp: Path, out: Path, force: bool) -> None:
    """Rename ``temp`` to ``out``; an old ``out`` is moved aside first and removed after."""
    if not out.exists():
        os.rename(temp, out)
        return
    check_target(out, force)  # it may have been filled while the draft was made
    if not any(out.iterdir()):
        os.rmdir(out)
        os.rename(temp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.absolute().parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(temp, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)

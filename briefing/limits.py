"""Input files are regular files under a size limit: the limits, and the one reader.

Every input -- the CSVs, article.txt, article.json and the ``-f`` parameter files -- is read
through :func:`read_limited`: it opens the file without blocking (a named pipe would
otherwise wait for a writer forever), refuses anything that is not a regular file
(``/dev/zero``, a FIFO, a socket, a folder, also behind a symbolic link) and anything over
its size limit, so that a hostile path ends in one message instead of a hang or an exhausted
memory.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from .errors import Problem

MB = 1_000_000
MAX_CSV_BYTES = 50 * MB
"""A CSV data file: about 300,000 claims; validating it takes about 13 times its size in
memory, so with :data:`MAX_CSV_LINES` the limit bounds the memory of ``check`` to well under
a gigabyte."""
MAX_CSV_LINES = 1_000_000
"""Lines of a CSV data file, blank ones included. Memory grows with the records a file
holds, not only with its bytes: 50 MB of empty rows (a spreadsheet's "used range" exported)
are 50 million records, several gigabytes to read; a million lines take a few hundred
megabytes at most and still hold three times the claims :data:`MAX_CSV_BYTES` allows."""
MAX_ARTICLE_BYTES = 5 * MB
"""article.txt: a news article is tens of kilobytes; a book-length text still fits."""
MAX_META_BYTES = 1 * MB
"""article.json: seven short strings."""


class FileRefused(Exception):
    """A file that cannot be used: what is wrong with it and what was expected."""

    def __init__(self, message: str, expected: str | None = None, line: int | None = None,
                 missing: bool = False):
        super().__init__(message)
        self.message, self.expected, self.line, self.missing = message, expected, line, missing

    def problem(self, file: str) -> Problem:
        return Problem(file, self.message, line=self.line, expected=self.expected)


def size_text(size: int, limit: int | None = None) -> str:
    """``12.3 MB``; exact bytes when rounding would make ``size`` look equal to ``limit``."""
    def rounded(n: int) -> str:
        if n < 1000:
            return f"{n} bytes"
        unit, scale = ("MB", MB) if n >= MB else ("kB", 1000)
        return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"

    if limit is not None and rounded(size) == rounded(limit):
        return f"{size:,} bytes"
    return rounded(size)


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def _not_regular(path: Path, mode: int, expected: str) -> FileRefused:
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if path.is_symlink():
        return FileRefused(f"is a symbolic link to {os.path.realpath(path)}, {kind}, not a "
                           "regular file", expected)
    if stat.S_ISDIR(mode):
        return FileRefused("is a folder, not a file", expected)
    return FileRefused(f"is {kind}, not a regular file", expected)


def read_limited(path: Path | str, limit: int, what: str, expected: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    Opened with ``O_NONBLOCK`` and checked with ``fstat`` before any read, so a named pipe
    or a device is refused at once; a file growing past the limit while read is refused too.
    ``what`` names the kind of file in the size message ("a CSV data file"); ``expected``
    says what the file should be. Raises :class:`FileRefused`.
    """
    path = Path(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if path.is_symlink():
            raise FileRefused(f"is a symbolic link to {os.path.realpath(path)}, which does "
                              "not exist", expected, missing=True) from None
        raise FileRefused("file is missing", expected, missing=True) from None
    except IsADirectoryError:
        raise FileRefused("is a folder, not a file", expected) from None
    except OSError as exc:  # e.g. a socket (ENXIO), no permission
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode, expected) from None
        raise FileRefused(f"cannot be read: {exc.strerror}", expected) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode, expected)
        if info.st_size > limit:
            raise _too_large(info.st_size, limit, what)
        with open(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FileRefused(f"cannot be read: {exc.strerror}", expected) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew since fstat (or a /proc-like file that reports size 0)
        raise _too_large(len(data), limit, what)
    return data


def _too_large(size: int, limit: int, what: str) -> FileRefused:
    return FileRefused(f"{size_text(size, limit)} is over the limit of {size_text(limit)} "
                       f"for {what}", f"a file of at most {size_text(limit)}")


def too_many_lines(lines: int, limit: int = MAX_CSV_LINES) -> FileRefused:
    return FileRefused(f"has {lines:,} lines, over the limit of {limit:,} lines for a CSV "
                       "data file", f"at most {limit:,} lines (empty rows a spreadsheet "
                       "exported count too: delete them)", line=limit + 1)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()

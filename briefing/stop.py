"""A stop asked for (Ctrl-C, SIGTERM): recorded as well as raised.

A library may catch the ``KeyboardInterrupt`` a stop raises and carry on -- WeasyPrint's SVG
drawing catches ``BaseException`` and leaves the chart blank -- so the stop is also recorded
(:func:`stops_handled`), and the render checks the record (:func:`check_stop`) after each
export and before the swap of its outputs (:func:`briefing.output.replace_all`). A batch's
parent only records stops and checks for them where it can act (:func:`stops_held`); its
workers handle their own (:func:`handle_stops_in_worker`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: The signals that ask a command to stop: Ctrl-C, and a closed terminal's or a CI's SIGTERM.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stop = threading.Event()  # set by the first stop signal, until the command ends
_raising = False  # whether the handler also raises KeyboardInterrupt where the code is


class Interrupted(KeyboardInterrupt):
    """A stop that took effect, with a message saying what was replaced before it (the
    command line prints it as its ``error:`` line and exits 130)."""


def _on_stop(signum, frame) -> None:
    first = not _stop.is_set()
    _stop.set()
    if first and _raising:
        raise KeyboardInterrupt(f"signal {signum}")


def _set_raising(value: bool) -> bool:
    global _raising
    previous, _raising = _raising, value
    return previous


@contextlib.contextmanager
def stops_handled(raising: bool = True) -> Iterator[None]:
    """SIGINT and SIGTERM recorded as a stop and, while ``raising``, raised as
    ``KeyboardInterrupt`` where the code is (the first of them; later ones are recorded).
    The previous handlers are back afterwards. Outside the main thread, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stop.clear()
    previous = {sig: signal.signal(sig, _on_stop) for sig in STOP_SIGNALS}
    was = _set_raising(raising)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _set_raising(was)
        _stop.clear()


def handle_stops_in_worker() -> None:
    """A batch worker's stop signals: recorded, raised only inside a job
    (:func:`stops_raised`); unblocked, as the parent blocked them while it started the
    worker (:func:`stop_signals_blocked`), so a stop sent meanwhile arrives now."""
    _stop.clear()
    for sig in STOP_SIGNALS:
        signal.signal(sig, _on_stop)
    _set_raising(False)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


@contextlib.contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Stop signals held back (not lost) while the block starts processes: a process
    started here begins with them blocked, until it can handle them."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_requested() -> bool:
    """Whether a stop signal arrived since :func:`stops_handled` began."""
    return _stop.is_set()


def check_stop() -> None:
    """KeyboardInterrupt if a stop was asked for: where a library may have caught it."""
    if _stop.is_set():
        raise KeyboardInterrupt("stop requested")


@contextlib.contextmanager
def stops_raised() -> Iterator[None]:
    """A stop raises KeyboardInterrupt inside the block (one asked for already, at once)."""
    was = _set_raising(True)
    try:
        check_stop()
        yield
    finally:
        _set_raising(was)


@contextlib.contextmanager
def stops_held() -> Iterator[None]:
    """A stop is only recorded inside the block; the code checks for it where it can act."""
    was = _set_raising(False)
    try:
        yield
    finally:
        _set_raising(was)


def hold_stops() -> None:
    """From here on (the swap's point of no return) a stop is only recorded, so that whoever
    called :func:`replace_all` learns what it put in place instead of losing it."""
    _set_raising(False)

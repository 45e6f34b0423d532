"""``python -m briefing``: the command line (briefing.cli), then a quick exit."""

import atexit
import os
import sys
import threading

from .cli import main

if __name__ == "__main__":
    code = main()
    # Everything is written (atomically) and the kernel is stopped. Run the exit handlers,
    # then leave without the interpreter's teardown of the objects a render leaves behind
    # (WeasyPrint's boxes, fonts, the notebook). A non-daemon thread still running gets the
    # normal exit, which waits for it.
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)

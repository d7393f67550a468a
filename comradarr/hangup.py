"""SIGHUP for every process of `serve`: reopen the log files, re-read the settings.

`serve` takes SIGHUP in its watch loop (not in the signal handler), then
passes it to each child it forked: gunicorn's master handles it in its own
way (reads its configuration again, which reconfigures logging and so opens
the log file afresh, and replaces its workers gracefully: new workers read
the settings anew), and the task cluster passes it on to its workers.

What a handler does here is only set flags, because a signal handler runs
between two bytecodes of whatever the process was doing, possibly inside a
logging handler's lock: log files reopen before their next line
(log_files.request_reopen) and the application settings row is read again
on the next request or task (runtime.mark_stale). Code is not reloaded
(gunicorn preloads the app): restart for that.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable
from types import FrameType

from comradarr import log_files


def mark_for_reload() -> None:
    """This process's share of a SIGHUP; safe inside a signal handler."""
    from comradarr.accounts import runtime  # loaded with the apps; a lookup, not an import

    log_files.request_reopen()
    runtime.mark_stale()


def install(forward_to: Callable[[], Iterable[int]] | None = None) -> None:
    """Handle SIGHUP in this process, passing it on to the pids forward_to() names."""
    from comradarr.accounts import runtime  # noqa: F401 - imported now, not in the handler

    def on_hangup(signum: int, frame: FrameType | None) -> None:
        mark_for_reload()
        for pid in forward_to() if forward_to is not None else ():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGHUP)

    signal.signal(signal.SIGHUP, on_hangup)

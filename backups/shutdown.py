"""A backup or restore stopped by SIGTERM ends cleanly instead of dying half-way.

While the block runs in the main thread, SIGTERM raises :class:`Interrupted`
there: the ``finally`` blocks remove the partial file and the work directory,
``subprocess.run`` kills the pg_dump or psql it waits on, and a restore's
transaction is rolled back by the server. SIGKILL cannot be caught; what it
leaves is removed at the next start (backups.storage.remove_leftovers).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Interrupted(Exception):
    """The process was asked to stop (SIGTERM) while a backup or restore ran."""


@contextlib.contextmanager
def stop_cleanly_on_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; the caller's cleanup still runs
        return

    def on_sigterm(signum, frame) -> None:
        raise Interrupted("stopped by SIGTERM before it finished; nothing was left behind")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

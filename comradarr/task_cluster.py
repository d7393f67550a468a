"""django-q2's task cluster in fewer processes, as `serve` runs it.

`manage.py qcluster` runs 4 + WORKERS processes: the cluster process (which
only waits for the next one), the sentinel (the guard loop and the
scheduler), the pusher (takes tasks from the database broker), the monitor
(saves results) and the workers. Each holds its own copy of Django, about
20 MB of PSS even when forked, which on a 256 MB machine is most of the
budget. Here the sentinel runs in the calling process and the pusher and
the monitor are threads of it: 1 + WORKERS processes. Both spend their lives
waiting on the database or on a queue, so threads cost them nothing; the
workers stay processes, so a task past its timeout can still be killed and a
worker can still be recycled (``recycle`` and ``max_rss`` in Q_CLUSTER).

Workers are forked while the pusher and monitor threads may hold database
connections: psycopg never closes a connection from a process other than the
one that opened it, and each thread's Django connection is its own.

`manage.py qcluster` still works unchanged, for running workers on other hosts.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import uuid

from django_q import cluster
from django_q.conf import Conf
from django_q.signals import post_spawn

from comradarr import hangup
from comradarr.serving import set_process_name

logger = logging.getLogger(__name__)

#: Process names (/proc/<pid>/comm, what `ps -e`, `top` and psutil's name() show).
CLUSTER_NAME = "cr-tasks"
WORKER_NAME = "cr-task-worker"


class _Thread(threading.Thread):
    """A pusher or monitor thread, where the sentinel expects a process (it reads .pid)."""

    @property
    def pid(self) -> int:
        return os.getpid()


class ThreadedSentinel(cluster.Sentinel):
    """django-q2's sentinel with the pusher and the monitor as threads of its own process."""

    #: Seconds the stop waits for the monitor to save the last results.
    monitor_stop_timeout = 30.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # On stop the sentinel puts "STOP" on the result queue and closes it at
        # once: harmless to a monitor process (its own copy of the queue), fatal
        # to a monitor thread still reading the sentinel's. Closing waits for it.
        close = self.result_queue.close

        def close_after_monitor() -> None:
            if isinstance(self.monitor, threading.Thread):
                self.monitor.join(self.monitor_stop_timeout)
            close()

        self.result_queue.close = close_after_monitor

    def spawn_process(self, target, *args):
        if target is cluster.worker:
            return super().spawn_process(target, *args)
        thread = _Thread(target=target, args=args, name=f"{target.__name__}-{uuid.uuid4().hex}")
        thread.daemon = True
        thread.start()
        return thread


def _worker_started(sender, proc_name, **kwargs) -> None:
    # As under qcluster: a worker ignores Ctrl-C (the sentinel stops it with a
    # poison pill after its task) and dies at once on a direct SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # SIGHUP from the cluster: reopen log files, re-read the settings before the next task.
    hangup.install()
    set_process_name(WORKER_NAME)


def run(workers: int | None = None) -> int:
    """Run the cluster until SIGTERM or SIGINT; the task in hand finishes first. Returns 0."""
    if workers is not None:
        Conf.WORKERS = workers
    set_process_name(CLUSTER_NAME)
    # Thread events, not multiprocessing ones (nothing in another process reads
    # them): a multiprocessing Event set from a signal handler while the guard
    # loop waits on it in the same thread deadlocks.
    stop_event, start_event = threading.Event(), threading.Event()
    post_spawn.connect(_worker_started, dispatch_uid="comradarr.task_cluster")
    sentinel = ThreadedSentinel(stop_event, start_event, uuid.uuid4(), start=False)

    def on_signal(signum: int, frame) -> None:
        stop_event.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # serve passes SIGHUP here; the workers get it in turn.
    hangup.install(
        forward_to=lambda: [p.pid for p in list(sentinel.pool) if p.pid not in (None, os.getpid())]
    )
    logger.info("task cluster starting", extra={"workers": Conf.WORKERS})
    sentinel.start()  # returns once the guard loop saw the stop and the workers ended
    logger.info("task cluster stopped")
    return 0

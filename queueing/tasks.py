"""django-q2 task functions of the queueing app (thin: call the engine, return a summary).

Schedule by dotted name:

* ``queueing.tasks.process_queue_tick`` - every minute: resolve acquisitions, poll
  commands in flight (with crash recovery), dispatch within the throttle limits,
  for every enabled connector. Safe to overlap with itself and with
  ``manage.py process_queue`` (row locks), though one run a minute is the intent.
* ``queueing.tasks.poll_tick`` - polling and recovery only (no dispatch).
* ``queueing.tasks.prune_dispatch_log`` - daily maintenance: drop throttle log rows
  older than every window.
"""

from __future__ import annotations

from django.utils import timezone

from queueing import throttle
from queueing.engine import run_tick


def process_queue_tick() -> dict:
    """One engine tick over all enabled connectors; returns the tick report as a dict."""
    return run_tick().as_dict()


def poll_tick() -> dict:
    """Poll and recover only (e.g. while dispatch is paused)."""
    return run_tick(dispatch=False).as_dict()


def prune_dispatch_log() -> int:
    return throttle.prune(now=timezone.now())

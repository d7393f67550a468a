"""Two real worker processes (manage.py process_queue) on one database and one fakearr.

No entry may be dispatched twice, no item searched twice, and the spacing
limit holds across both workers (it is spent under the connector's row lock).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from queueing.models import DispatchLog, RequestQueue
from searchstate.models import SearchHistory
from tests.queueing import engine_helpers as h

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SPEED = 10  # fakearr's simulated seconds per wall second


def database_url() -> str:
    connection.ensure_connection()
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{quote(str(s['HOST']), safe='')}:{s['PORT']}/{s['NAME']}"


def start_worker(*args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "LOG_LEVEL": "error",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "process_queue", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_never_dispatch_twice_nor_break_the_spacing(fakearr_factory):
    arr = fakearr_factory("radarr", movies=30, seed=5, speed=SPEED)
    profile = h.profile(
        "spaced", batch_size=2, min_interval_seconds=1, interval_jitter_seconds=0, max_in_flight=3
    )
    connector = h.synced(arr, prof=profile)
    entries = h.queued(arr, connector)
    assert entries >= 7

    workers = [start_worker("--until-idle") for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.strip().splitlines()[-1].startswith("idle after")
    # Each worker's last line totals what it sent; together, every entry exactly once.
    sent = [int(out.split("(dispatched ")[-1].split(",")[0].rstrip(").\n")) for out, _ in outputs]
    assert sum(sent) == entries

    received = [r for r in arr.commands_received if not r.deduplicated]
    assert len(received) == entries == SearchHistory.objects.count()
    assert DispatchLog.objects.count() == entries
    searched = Counter(i for r in received for i in r.items)
    assert max(searched.values()) == 1, "an item was searched twice"
    assert not RequestQueue.objects.filter(status__in=["queued", "dispatched"]).exists()
    # 1 s apart on our clock is SPEED simulated seconds on fakearr's (minus HTTP jitter).
    times = sorted(r.received_at for r in received)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.8 * SPEED, gaps

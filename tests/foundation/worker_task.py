"""A task for tests/foundation/test_serve_workers.py: records who ran it, once per call.

Its own module so the `manage.py qcluster` workers (run from the repository root)
can import it. The ledger table is the test's, created in the test's database.
"""

from __future__ import annotations

import os
import time

from django.db import connection

LEDGER = "worker_test_ledger"


def record(number: int) -> int:
    time.sleep(0.05)  # long enough that the clusters work side by side
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LEDGER} (number, cluster, pid) VALUES (%s, %s, %s)",  # noqa: S608
            [number, os.environ.get("WORKER_TEST_CLUSTER", "?"), os.getpid()],
        )
    return number

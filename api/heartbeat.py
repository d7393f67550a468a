"""When the task cluster last said it was alive, for /metrics.

django-q2's sentinel saves its Stat (the heartbeat) into the cache named by
Q_CLUSTER["cache"] (the shared database cache, settings.CACHES["django_q"])
with a time-to-live of a few seconds, every pass of its guard loop. Through
the cache API an expired heartbeat is simply gone, which says "not running"
but not for how long. The database cache keeps the row until it is culled,
with its expiry: the last heartbeat was ``expires - STAT_TTL``. So the age
keeps growing while a cluster is down, which is what an alert needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

#: The time-to-live django-q2 gives each heartbeat (django_q.status.Stat.save).
STAT_TTL = timedelta(seconds=3)


def last_heartbeat() -> datetime | None:
    """The newest heartbeat of any cluster, or None if none was ever seen (one query)."""
    from django_q.conf import Conf

    cache = caches[settings.Q_CLUSTER.get("cache", "default")]
    if not isinstance(cache, DatabaseCache):
        # Another cache keeps no expired entry: only live heartbeats can be read.
        from django_q.status import Stat

        stamps = [stat.timestamp for stat in Stat.get_all()]
        return max(stamps) if stamps else None
    pattern = cache.make_key(f"{Conf.Q_STAT}:") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(expires) FROM {connection.ops.quote_name(cache._table)} "  # noqa: S608 - the configured table
            "WHERE cache_key LIKE %s",
            [pattern.replace("_", r"\_")],
        )
        (expires,) = cursor.fetchone()
    return expires - STAT_TTL if expires else None

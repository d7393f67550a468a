"""Resolution: items the mirror shows as acquired leave the registry, leaving an Acquisition.

Success is pulled from the mirror, not pushed: content sets ``file_acquired_at``
when an item gains its file and ``cutoff_met_at`` when its file meets cutoff.
Each sweep and dispatch tick first runs :func:`resolve_acquisitions`, which
deletes those registry rows and records them in one statement per item table
(``WITH gone AS (DELETE .. RETURNING) INSERT .. SELECT``), however many there are.

Attribution: an acquisition counts as ours (``search``) when it came no later
than the connector's attribution window after our last search of the item;
otherwise (never searched by us, or long after) it was the *arr's own RSS or a
search of its own (``rss``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from comradarr import events
from connectors.models import Connector
from searchstate.models import SearchSettings

_ITEM_SQL = {
    "episode": {
        "table": "content_episode",
        "fk": "episode_id",
        "join": "JOIN content_series s ON s.id = i.series_id",
        "title": (
            "CASE WHEN i.episode_number IS NULL THEN s.title || ': ' || i.title "
            "ELSE s.title || ' S' || lpad(i.season_number::text, 2, '0') "
            "|| 'E' || lpad(i.episode_number::text, 2, '0') END"
        ),
    },
    "movie": {"table": "content_movie", "fk": "movie_id", "join": "", "title": "i.title"},
}

_RESOLVE = """
WITH gone AS (
    DELETE FROM searchstate_searchregistry r
    USING {table} i {join_using}
    WHERE r.{fk} = i.id
      AND r.connector_id = %(connector)s
      AND ((r.search_type = 'gap' AND i.file_acquired_at IS NOT NULL)
        OR (r.search_type = 'upgrade' AND i.cutoff_met_at IS NOT NULL))
      {join_where}
    RETURNING r.connector_id, r.search_type, r.{fk} AS item_id, r.first_searched_at,
              r.last_searched_at, r.search_count,
              CASE WHEN r.search_type = 'gap' THEN i.file_acquired_at
                   ELSE i.cutoff_met_at END AS acquired_at,
              left({title}, 500) AS title
)
INSERT INTO searchstate_acquisition
    (connector_id, search_type, {fk}, title, acquired_at, first_searched_at,
     time_to_acquire, searches, source, resolved_at)
SELECT connector_id, search_type, item_id, title, acquired_at, first_searched_at,
       CASE WHEN first_searched_at IS NOT NULL AND acquired_at >= first_searched_at
            THEN acquired_at - first_searched_at END,
       search_count,
       CASE WHEN last_searched_at IS NOT NULL
             AND acquired_at >= last_searched_at
             AND acquired_at <= last_searched_at + %(window)s
            THEN 'search' ELSE 'rss' END,
       %(now)s
FROM gone
"""

# An upgrade row whose item lost its file has nothing left to upgrade: the
# item is a gap now, and the next discovery treats it as one.
_DROP_STALE_UPGRADES = """
DELETE FROM searchstate_searchregistry r
USING {table} i
WHERE r.{fk} = i.id AND r.connector_id = %(connector)s
  AND r.search_type = 'upgrade' AND NOT i.has_file
"""


@dataclass
class Resolution:
    acquisitions: int = 0
    stale_upgrades: int = 0


@transaction.atomic  # the imported event's outbox row commits with the acquisitions
def resolve_acquisitions(*, connector: Connector, now: datetime | None = None) -> Resolution:
    """Remove registry rows of acquired items and record them (four statements)."""
    now = now or timezone.now()
    settings = SearchSettings.for_connector(connector)
    params = {
        "connector": connector.pk,
        "now": now,
        "window": timedelta(hours=settings.attribution_window_hours),
    }
    result = Resolution()
    with connection.cursor() as cursor:
        for spec in _ITEM_SQL.values():
            join_using = ""
            join_where = ""
            if spec["join"]:
                join_using = ", content_series s"
                join_where = "AND s.id = i.series_id"
            cursor.execute(
                _RESOLVE.format(
                    table=spec["table"],
                    fk=spec["fk"],
                    title=spec["title"],
                    join_using=join_using,
                    join_where=join_where,
                ),
                params,
            )
            result.acquisitions += cursor.rowcount
            cursor.execute(_DROP_STALE_UPGRADES.format(table=spec["table"], fk=spec["fk"]), params)
            result.stale_upgrades += cursor.rowcount
    if result.acquisitions:
        events.emit(
            events.items_imported,
            connector=connector,
            count=result.acquisitions,
            resolved_at=now,
        )
    return result

"""Removing what vanished upstream, and the season aggregates rebuilt from episodes.

Deletes are only ever called with a listing that was fetched and parsed in
full (the client raises before returning a cut or malformed one). They go
through the ORM so that Django's cascade reaches the search state that
follows mirror rows (content knows nothing of those models); the vanished ids
are found first with one anti-join, so an unchanged library costs one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from content.models import Episode, Movie, QualityProfile, Season, Series


def _vanished(sql: str, params: Sequence) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _delete(model, ids: list[int]) -> int:
    if not ids:
        return 0
    _total, per_model = model.objects.filter(pk__in=ids).delete()
    return per_model.get(model._meta.label, 0)


def delete_vanished_episodes(*, series_ids: Sequence[int], seen_arr_ids: Sequence[int]) -> int:
    """Delete episodes of ``series_ids`` whose arr id was not in their (complete) listings."""
    if not series_ids:
        return 0
    ids = _vanished(
        "SELECT id FROM content_episode WHERE series_id = ANY(%s::bigint[])"
        " AND arr_id NOT IN (SELECT unnest(%s::integer[]))",
        [list(series_ids), list(seen_arr_ids)],
    )
    return _delete(Episode, ids)


def delete_vanished_series(*, connector_id: int, seen_arr_ids: Sequence[int]) -> int:
    """Delete series absent from the complete series listing; returns series and episodes."""
    ids = _vanished(
        "SELECT id FROM content_series WHERE connector_id = %s"
        " AND arr_id NOT IN (SELECT unnest(%s::integer[]))",
        [connector_id, list(seen_arr_ids)],
    )
    if not ids:
        return 0
    episodes = Episode.objects.filter(series_id__in=ids).count()
    return _delete(Series, ids) + episodes


def delete_vanished_seasons(*, series_ids: Sequence[int], seen: Sequence[tuple[int, int]]) -> int:
    """Delete seasons of ``series_ids`` absent from the listing of (series_id, season_number)."""
    if not series_ids:
        return 0
    ids = _vanished(
        "SELECT s.id FROM content_season s WHERE s.series_id = ANY(%s::bigint[])"
        " AND (s.series_id, s.season_number) NOT IN"
        " (SELECT * FROM unnest(%s::bigint[], %s::integer[]))",
        [list(series_ids), [pair[0] for pair in seen], [pair[1] for pair in seen]],
    )
    return _delete(Season, ids)


def delete_vanished_movies(*, connector_id: int, seen_arr_ids: Sequence[int]) -> int:
    ids = _vanished(
        "SELECT id FROM content_movie WHERE connector_id = %s"
        " AND arr_id NOT IN (SELECT unnest(%s::integer[]))",
        [connector_id, list(seen_arr_ids)],
    )
    return _delete(Movie, ids)


def delete_vanished_profiles(*, connector_id: int, seen_arr_ids: Sequence[int]) -> int:
    ids = _vanished(
        "SELECT id FROM content_qualityprofile WHERE connector_id = %s"
        " AND arr_id NOT IN (SELECT unnest(%s::integer[]))",
        [connector_id, list(seen_arr_ids)],
    )
    return _delete(QualityProfile, ids)


_AGGREGATE_SQL = """
UPDATE content_season AS s SET
    aired_episodes = COALESCE(a.aired, 0),
    missing_monitored_episodes = COALESCE(a.missing, 0),
    cutoff_unmet_episodes = COALESCE(a.cutoff_unmet, 0),
    unaired_episodes = COALESCE(a.unaired, 0)
FROM content_season AS s0
LEFT JOIN (
    SELECT series_id, season_number,
        count(*) FILTER (WHERE aired) AS aired,
        count(*) FILTER (WHERE aired AND monitored AND NOT has_file) AS missing,
        count(*) FILTER (WHERE has_file AND quality_cutoff_not_met) AS cutoff_unmet,
        count(*) FILTER (WHERE NOT aired) AS unaired
    FROM (
        SELECT series_id, season_number, monitored, has_file, quality_cutoff_not_met,
            COALESCE(air_date_utc <= %(now)s,
                     release_date <= (%(now)s AT TIME ZONE 'UTC')::date, FALSE) AS aired
        FROM content_episode WHERE series_id = ANY(%(series)s::bigint[])
    ) AS e
    GROUP BY series_id, season_number
) AS a ON a.series_id = s0.series_id AND a.season_number = s0.season_number
WHERE s.id = s0.id AND s0.series_id = ANY(%(series)s::bigint[])
  AND (s.aired_episodes, s.missing_monitored_episodes, s.cutoff_unmet_episodes, s.unaired_episodes)
      IS DISTINCT FROM (COALESCE(a.aired, 0), COALESCE(a.missing, 0),
                        COALESCE(a.cutoff_unmet, 0), COALESCE(a.unaired, 0))
"""


def rebuild_season_aggregates(*, series_ids: Sequence[int], now: datetime) -> None:
    """Recount aired, missing, cutoff-unmet and unaired episodes per season (one statement)."""
    if not series_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_AGGREGATE_SQL, {"series": list(series_ids), "now": now})


def mark_series_synced(*, series_ids: Sequence[int], now: datetime) -> None:
    """Episodes of these series were written from complete listings: no longer stale."""
    if series_ids:
        Series.objects.filter(pk__in=series_ids).update(
            episodes_stale=False, episodes_synced_at=now
        )


def mark_series_stale(*, connector_id: int, arr_ids: Sequence[int]) -> int:
    """History says something changed in these series: fetch their episodes this run."""
    if not arr_ids:
        return 0
    return Series.objects.filter(
        connector_id=connector_id, arr_id__in=list(arr_ids), episodes_stale=False
    ).update(episodes_stale=True)


def delete_movies(*, connector_id: int, arr_ids: Sequence[int]) -> int:
    """Delete movies the app answered 404 for (gone upstream)."""
    if not arr_ids:
        return 0
    ids = list(
        Movie.objects.filter(connector_id=connector_id, arr_id__in=list(arr_ids)).values_list(
            "pk", flat=True
        )
    )
    return _delete(Movie, ids)


def delete_series(*, connector_id: int, arr_ids: Sequence[int]) -> int:
    """Delete series the app answered 404 for, with their episodes; returns both counted."""
    if not arr_ids:
        return 0
    ids = list(
        Series.objects.filter(connector_id=connector_id, arr_id__in=list(arr_ids)).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    episodes = Episode.objects.filter(series_id__in=ids).count()
    return _delete(Series, ids) + episodes

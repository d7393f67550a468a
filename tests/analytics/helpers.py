"""Builders for the analytics tests: a connector with history, acquisitions and snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from analytics import recording
from searchstate.models import Acquisition, SearchHistory
from tests.searchstate import builders as b


def history(conn, at: datetime, outcome: str = "grabbed", titles=("Film",)) -> SearchHistory:
    return SearchHistory.objects.create(
        connector=conn,
        connector_name=conn.name,
        command_name="MoviesSearch",
        items=[{"kind": "movie", "arr_id": i, "title": t} for i, t in enumerate(titles)],
        item_count=len(titles),
        outcome=outcome,
        dispatched_at=at,
        completed_at=at if outcome != "pending" else None,
    )


def acquisition(conn, at: datetime, source: str = "search", movie=None) -> Acquisition:
    return Acquisition.objects.create(
        connector=conn,
        search_type="gap",
        movie=movie,
        title=movie.title if movie else "Film",
        acquired_at=at,
        resolved_at=at,
        source=source,
    )


def radarr_with_activity(name: str = "Movies", *, movies: int = 6, now=None):
    """A Radarr connector: half its movies on disk, a day of searches, two acquisitions."""
    now = now or timezone.now()
    conn = b.connector(name, kind="radarr", health_status="healthy")
    films = [
        b.movie(conn, title=f"{name} film {i}", has_file=i % 2 == 0, is_available=True)
        for i in range(movies)
    ]
    for hours in (1, 2, 3):
        history(conn, now - timedelta(hours=hours), titles=(films[1].title, films[3].title))
    history(conn, now - timedelta(minutes=5), outcome="no_results", titles=(films[5].title,))
    acquisition(conn, now - timedelta(minutes=30), movie=films[0])
    acquisition(conn, now - timedelta(days=3), source="rss", movie=films[2])
    recording.collect(now=now, since=now - timedelta(days=8))
    return conn, films

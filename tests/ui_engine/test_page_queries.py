"""Every main page reads in a fixed number of SQL queries, whatever the library's size.

The same pages as benchmarks/pages.py: each is requested over a small world, the world
then grows (more series, episodes, movies, queue entries, search history, sweeps and
schedules on the same connectors), and the page must not issue one more query. A page
that queried once per row would stay fast in tests and crawl at 500,000 episodes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from queueing.models import SweepSchedule, ThrottleProfile
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history, make_small_world, make_sweep

#: (label, URL name, args): the args name keys of the ``world`` dict.
PAGES = [
    ("dashboard", "dashboard", ()),
    ("connectors list", "connectors:list", ()),
    ("connector detail", "connectors:detail", ("sonarr",)),
    ("library", "library:list", ()),
    ("series page", "library:series", ("series",)),
    ("episode page", "library:item", ("episode_kind", "episode")),
    ("movie page", "library:item", ("movie_kind", "movie")),
    ("queue", "queueing:queue", ()),
    ("queue live part", "queueing:queue_status", ()),
    ("queue entry", "queueing:entry_detail", ("entry",)),
    ("schedules", "queueing:schedules", ()),
    ("throttle profiles", "queueing:profiles", ()),
    ("settings, search behaviour", "settings_search", ()),
    ("notifications, delivery log", "notifications:log", ()),
]


def _grow(world: dict, n: int) -> None:
    """``n`` more of everything the pages list, on the world's connectors."""
    sonarr, radarr = world["sonarr_obj"], world["radarr_obj"]
    now = timezone.now()
    for i in range(n):
        show = builders.series(sonarr, f"Grown show {world['grown'] + i}")
        eps = builders.episodes(show, 1, 3) + builders.episodes(show, 2, 2, has_file=1)
        film = builders.movie(radarr, f"Grown film {world['grown'] + i}", year=2000 + i)
        make_entry(sonarr, items=eps[:2], priority=40 + i)
        make_entry(radarr, items=[film], command="MoviesSearch", status="dispatched")
        make_history(sonarr, outcome="grabbed" if i % 2 else "no_results")
        make_history(radarr, command_name="MoviesSearch")
        make_sweep(sonarr, status="succeeded", finished_at=now - timedelta(minutes=i))
        SweepSchedule.objects.create(connector=radarr, kind="upgrades", cron=f"{i} 3 * * *")
    # The world's own series grows too: its page lists more episodes and seasons.
    builders.episodes(world["series_obj"], 3 + world["grown"], 4)
    world["grown"] += n


@pytest.fixture
def world(web):
    world = make_small_world()
    make_history(world["sonarr_obj"])
    ThrottleProfile.objects.get_or_create(name="Gentle")
    return {**world, "episode_kind": "episode", "movie_kind": "movie", "grown": 0}


def _queries(web, url: str) -> list[str]:
    """The SQL of the page, the fewer of two requests: bookkeeping that comes due with time
    (the database cache deleting an expired row it read, the session's last-seen mark once a
    minute) adds a query to one request now and then, whatever the library's size."""
    runs = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = web.get(url)
        assert response.status_code == 200, (url, response.status_code)
        runs.append([q["sql"] for q in ctx.captured_queries])
    return min(runs, key=len)


@pytest.mark.parametrize(("label", "name", "args"), PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_the_library(web, world, label, name, args):
    url = reverse(name, args=[world[a] for a in args])
    web.get(url)  # a fresh database's first request creates its settings rows
    _grow(world, 2)
    small = _queries(web, url)
    _grow(world, 6)
    large = _queries(web, url)
    extra = [sql for sql in large if sql not in small]
    assert len(large) == len(small), f"{label}: queries grew with the rows: {extra[:3]}"

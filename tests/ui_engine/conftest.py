"""Fixtures of the engine pages' view tests: a logged-in client and small builders."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from connectors.models import Connector
from queueing.models import RequestQueue, RequestQueueItem, SweepRun
from searchstate.models import SearchHistory, SearchRegistry
from tests.searchstate import builders

_ids = itertools.count(1)


@pytest.fixture
def web(client, db):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    return client


@pytest.fixture
def sonarr(db) -> Connector:
    return builders.connector("Living room", "sonarr", app_version="4.0.19.2979")


@pytest.fixture
def radarr(db) -> Connector:
    return builders.connector("Movies", "radarr", app_version="5.14.0.9383")


def make_entry(connector: Connector, *, items=(), status="queued", **fields) -> RequestQueue:
    """A queue entry covering ``items`` (episodes or movies), with registry rows made for them."""
    now = timezone.now()
    values = {
        "command": "EpisodeSearch",
        "payload": {"name": "EpisodeSearch", "episodeIds": [i.arr_id for i in items]},
        "search_type": "gap",
        "priority": 50,
        "scheduled_at": now - timedelta(minutes=1),
        "reason": "3 missing episodes of a partly aired season",
        "item_count": len(items),
        "status": status,
    }
    values.update(fields)
    entry = RequestQueue.objects.create(connector=connector, **values)
    for item in items:
        field = "movie" if item.__class__.__name__ == "Movie" else "episode"
        reg = SearchRegistry.objects.create(
            connector=connector, search_type="gap", state="queued", **{field: item}
        )
        RequestQueueItem.objects.create(entry=entry, registry=reg)
    return entry


def make_small_world() -> dict:
    """A Sonarr and a Radarr with one series, three missing episodes, a film and a queue entry:
    one of everything the main pages show (their ids under the names the page tests use)."""
    sonarr = builders.connector("Living room", "sonarr")
    radarr = builders.connector("Movies", "radarr")
    show = builders.series(sonarr, "The Expanse")
    eps = builders.episodes(show, 1, 3)
    film = builders.movie(radarr, "Dune", year=2021)
    entry = make_entry(sonarr, items=eps, priority=70)
    return {
        "sonarr": sonarr.pk,
        "series": show.pk,
        "episode": eps[0].pk,
        "movie": film.pk,
        "entry": entry.pk,
        "sonarr_obj": sonarr,
        "radarr_obj": radarr,
        "series_obj": show,
    }


def make_history(connector: Connector, **fields) -> SearchHistory:
    now = timezone.now()
    values = {
        "connector": connector,
        "connector_name": connector.name,
        "search_type": "gap",
        "command_name": "EpisodeSearch",
        "items": [{"kind": "episode", "arr_id": 1, "title": "Show S01E01"}],
        "item_count": 1,
        "outcome": "no_results",
        "dispatched_at": now - timedelta(minutes=5),
        "completed_at": now - timedelta(minutes=4),
        "duration_seconds": 61.0,
    }
    values.update(fields)
    return SearchHistory.objects.create(**values)


def make_sweep(connector: Connector, **fields) -> SweepRun:
    values = {"started_at": timezone.now(), "status": "running"}
    values.update(fields)
    return SweepRun.objects.create(connector=connector, **values)

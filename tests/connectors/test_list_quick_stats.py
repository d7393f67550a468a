"""The connector list: quick stats per connector in a fixed number of queries, "Sync now"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import SyncState
from queueing.connector_stats import quick_stats
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    return client


def _library(name: str, *, gaps: int, upgrades: int):
    conn = builders.connector(name, "sonarr")
    show = builders.series(conn, f"{name} show")
    missing = builders.episodes(show, 1, gaps)
    builders.episodes(show, 2, upgrades, has_file=upgrades, quality_cutoff_not_met=True)
    builders.episodes(show, 3, 2, has_file=2)  # complete: neither
    builders.episodes(show, 4, 1, aired=None)  # not aired yet: not a gap
    return conn, missing


def test_quick_stats_figures():
    now = timezone.now()
    conn, missing = _library("Alpha", gaps=3, upgrades=2)
    make_entry(conn, items=missing[:2])
    make_entry(conn, items=missing[2:], status="dispatched")
    make_entry(conn, items=(), status="done")  # finished: not in the queue
    make_history(conn, outcome="grabbed")
    make_history(conn, outcome="grabbed")
    make_history(conn, outcome="no_results")
    make_history(conn, outcome="failed")
    make_history(conn, outcome="pending")  # not finished: not counted
    make_history(conn, outcome="grabbed", dispatched_at=now - timedelta(days=8))  # too old
    SyncState.objects.update_or_create(
        connector=conn, defaults={"last_success_at": now - timedelta(hours=1)}
    )
    radarr = builders.connector("Films", "radarr")
    builders.movie(radarr, "Gap film")
    builders.movie(radarr, "Have it", has_file=True)
    stats = quick_stats([conn, radarr], now=now)
    alpha = stats[conn.pk]
    assert (alpha.gaps, alpha.upgrades, alpha.queue_depth) == (3, 2, 2)
    assert (alpha.grabbed, alpha.searches, alpha.success_rate) == (2, 4, 50)
    assert alpha.last_sync_at == now - timedelta(hours=1) and not alpha.last_sync_failed
    films = stats[radarr.pk]
    assert (films.gaps, films.upgrades, films.queue_depth, films.success_rate) == (1, 0, 0, None)
    assert films.last_sync_at is None


def test_prowlarr_has_no_library_stats():
    prowlarr = builders.connector("Indexers", "prowlarr")
    assert quick_stats([prowlarr]) == {}


def _list_queries(web) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = web.get(reverse("connectors:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_list_shows_quick_stats_in_a_fixed_number_of_queries(web, django_assert_num_queries):
    _library("Alpha", gaps=3, upgrades=2)
    _list_queries(web)  # a fresh database's first request creates the settings row
    one, body = _list_queries(web)
    assert "3</span> gaps" in body and "2</span> upgrades" in body
    assert "never synced" in body and "no search in 7 d" in body
    for n in range(6):
        conn, missing = _library(f"More {n}", gaps=2, upgrades=1)
        make_entry(conn, items=missing)
        make_history(conn, outcome="grabbed")
        SyncState.objects.update_or_create(
            connector=conn, defaults={"last_success_at": timezone.now(), "consecutive_failures": 1}
        )
    builders.connector("Indexers", "prowlarr")
    with django_assert_num_queries(one):
        body = web.get(reverse("connectors:list")).content.decode()
    assert body.count('class="quick-stats"') == 7
    assert "100 %</span> success" in body and "last sync failed" in body


def test_sync_now_on_the_row_enqueues_and_returns_to_the_list(web, monkeypatch):
    conn, _ = _library("Alpha", gaps=1, upgrades=0)
    prowlarr = builders.connector("Indexers", "prowlarr")
    body = web.get(reverse("connectors:list")).content.decode()
    assert f'id="sync-now-{conn.pk}"' in body
    assert f'id="sync-now-{prowlarr.pk}"' not in body  # nothing to sync
    row = body[body.index(f'id="connector-{conn.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.index('title="Test the connection now"') < row.index(f'id="sync-now-{conn.pk}"')
    assert "csrfmiddlewaretoken" in row
    requested = []
    monkeypatch.setattr(
        "content.services.sync_request",
        lambda *, connector, kind: requested.append((connector.pk, kind)),
    )
    response = web.post(
        reverse("content:sync_now", args=[conn.pk]),
        {"kind": "incremental", "next": reverse("connectors:list")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("connectors:list")
    assert requested == [(conn.pk, "incremental")]


@pytest.mark.parametrize("hostile", ["https://evil.example/", "//evil.example/x", "javascript:1"])
def test_sync_now_ignores_a_foreign_next(web, monkeypatch, hostile):
    conn, _ = _library("Alpha", gaps=1, upgrades=0)
    monkeypatch.setattr("content.services.sync_request", lambda **kw: None)
    response = web.post(reverse("content:sync_now", args=[conn.pk]), {"next": hostile})
    assert response["Location"] == reverse("connectors:detail", args=[conn.pk])


def test_sync_now_is_post_only_and_checks_csrf(client):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    conn, _ = _library("Alpha", gaps=1, upgrades=0)
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    url = reverse("content:sync_now", args=[conn.pk])
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403

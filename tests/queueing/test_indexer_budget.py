"""The indexer-aware budget: Prowlarr read by the refresh, applied by the throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comradarr import events
from connectors.indexers import indexer_link_reset, indexer_link_set, indexer_manager_refresh
from connectors.models import Connector, IndexerApplication, IndexerLink, IndexerSnapshot
from queueing import indexer_budget as ib
from queueing import throttle as limits
from queueing.models import ConnectorThrottle, DispatchLog, GlobalThrottle
from tests.fakearr.clock import SimClock
from tests.queueing import engine_helpers as h

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def snap(**kw) -> IndexerSnapshot:
    values = {
        "indexer_id": 1,
        "name": "geek",
        "query_limit": 100,
        "limits_unit": "day",
        "queries": 40,
        "rss_queries": 24,
        "rss_per_hour": 1.0,
        "taken_at": NOW,
    }
    return IndexerSnapshot(**{**values, **kw})


# ------------------------------------------------------------------ arithmetic (no database)


def test_left_is_limit_minus_used_minus_rss_reserve_minus_margin():
    row = ib.indexer_row(snap(), extra=5, now=NOW)
    # reserve: a full day of RSS is already counted -> 0; margin: 10% of what RSS leaves
    # (100 - 24) -> 7.
    assert (row.used, row.reserve, row.margin, row.left, row.status) == (45, 0, 7, 48, ib.OK)


def test_rss_not_yet_counted_in_the_window_is_reserved():
    row = ib.indexer_row(snap(queries=10, rss_queries=4), extra=0, now=NOW)
    assert row.reserve == 20  # 24 expected a day, 4 counted so far


def test_an_hourly_limit_uses_the_hour_window():
    row = ib.indexer_row(
        snap(limits_unit="hour", query_limit=50, queries=10, rss_queries=2, rss_per_hour=2),
        extra=0,
        now=NOW,
    )
    assert (row.reserve, row.margin, row.left) == (0, 4, 36)


def test_at_the_limit_the_window_frees_when_enough_counted_queries_leave_it():
    counted = [(NOW - timedelta(hours=23, minutes=m)).isoformat() for m in (50, 40, 30)]
    row = ib.indexer_row(snap(queries=98, counted_at=counted), extra=0, now=NOW)
    assert row.left == 0 and row.status == ib.AT_LIMIT
    # left was 100 - 98 - 0 - 7 = -5: six queries must leave; only three are known.
    assert row.resets_at is None
    counted = [(NOW - timedelta(hours=23, minutes=59 - m)).isoformat() for m in range(10)]
    row = ib.indexer_row(snap(queries=98, counted_at=counted), extra=0, now=NOW)
    assert row.resets_at == NOW - timedelta(hours=23, minutes=54) + timedelta(hours=24)


def test_disabled_switched_off_grab_limited_and_unlimited_indexers():
    later = NOW + timedelta(minutes=20)
    assert ib.indexer_row(snap(disabled_till=later), extra=0, now=NOW).status == ib.DISABLED
    assert ib.indexer_row(snap(disabled_till=NOW), extra=0, now=NOW).status == ib.OK
    assert ib.indexer_row(snap(enabled=False), extra=0, now=NOW).status == ib.OFF
    assert ib.indexer_row(snap(grab_limit=3, grabs=3), extra=0, now=NOW).status == ib.GRABS_FULL
    row = ib.indexer_row(snap(query_limit=None), extra=0, now=NOW)
    assert (row.status, row.left) == (ib.UNLIMITED, None)


def test_a_hostile_counted_list_is_ignored_not_a_crash():
    row = ib.indexer_row(snap(queries=120, counted_at=["yesterday", 5]), extra=0, now=NOW)
    assert row.left == 0 and row.resets_at is None


# ------------------------------------------------------------------ with a fake Prowlarr


@pytest.fixture
def world(db, fake_prowlarr_factory):
    prowlarr = fake_prowlarr_factory(clock=SimClock(NOW, speed=0), rss_interval=0)
    geek = prowlarr.add_indexer("NZBgeek", query_limit=100, grab_limit=5, tags=(3,))
    hourly = prowlarr.add_indexer("FileList", query_limit=50, per_hour=True, tags=(3,))
    prowlarr.add_indexer("Open", tags=(4,))
    sonarr_app = prowlarr.add_application(base_url="HTTP://Sonarr.local:8989/", tags=(3,))
    radarr_app = prowlarr.add_application(
        name="Radarr", base_url="http://radarr.local:7878", implementation="Radarr"
    )
    manager = Connector.objects.create(
        name="Prowlarr",
        kind="prowlarr",
        url=prowlarr.url,
        api_key=prowlarr.api_key,
        app_version="2.3.6.5217",
    )
    sonarr = Connector.objects.create(
        name="Sonarr", kind="sonarr", url="http://sonarr.local:8989", api_key="k" * 32
    )
    radarr = Connector.objects.create(
        name="Radarr", kind="radarr", url="http://radarr.local:7878", api_key="k" * 32
    )
    prof = h.profile("fast")
    for conn in (sonarr, radarr):
        h.assign(conn, prof)
    return {
        "prowlarr": prowlarr,
        "geek": geek,
        "hourly": hourly,
        "apps": (sonarr_app, radarr_app),
        "manager": manager,
        "sonarr": sonarr,
        "radarr": radarr,
        "profile": prof,
    }


def refresh(world, now=NOW):
    return indexer_manager_refresh(manager=world["manager"], now=now)


def allowance(conn, prof, now=NOW):
    throttle = ConnectorThrottle.for_connector(conn)
    return limits.check(throttle, profile=prof, global_throttle=GlobalThrottle.load(), now=now)


def test_refresh_stores_indexers_and_matches_connectors_by_normalised_url(world):
    assert refresh(world) == ""
    assert IndexerSnapshot.objects.filter(manager=world["manager"]).count() == 3
    sonarr_link = IndexerLink.objects.get(connector=world["sonarr"])
    assert sonarr_link.application.name == "Sonarr" and sonarr_link.source == "auto"
    assert sonarr_link.application.indexer_ids == [1, 2]  # the two sharing tag 3
    radarr_link = IndexerLink.objects.get(connector=world["radarr"])
    assert radarr_link.application.indexer_ids == [1, 2, 3]  # no tags: every indexer
    assert not IndexerLink.objects.filter(connector=world["manager"]).exists()


def test_refresh_is_a_handful_of_requests(world):
    refresh(world)
    assert sum(world["prowlarr"].requests.values()) <= 6


def test_the_budget_caps_the_profile_and_the_stricter_wins(world):
    prowlarr, geek = world["prowlarr"], world["geek"]
    sonarr_app = world["apps"][0]
    for _ in range(30):
        prowlarr.searched(sonarr_app, "EpisodeSearch", {"episodeIds": [1]}, NOW.timestamp(), 0)
    refresh(world)
    result = allowance(world["sonarr"], world["profile"])
    # geek: 100 - 30 - 0 - 10 = 60; hourly: 50 - 30 - 0 - 5 = 15 -> the hourly one binds.
    assert result.ok and result.queries_left == 15
    budget = ib.connector_budget(world["sonarr"].pk, now=NOW)
    assert budget.binding.name == "FileList" and budget.binding.binds
    assert [r.binds for r in budget.rows] == [False, True]
    assert geek.id in {r.indexer_id for r in budget.rows}


def test_connectors_sharing_an_indexer_share_its_allowance(world):
    refresh(world)
    radarr, sonarr = world["radarr"], world["sonarr"]
    before = allowance(radarr, world["profile"]).queries_left
    DispatchLog.objects.create(connector=sonarr, dispatched_at=NOW, estimated_queries=20)
    after = allowance(radarr, world["profile"]).queries_left
    # Sonarr's 20 queries hit FileList (45 left) and NZBgeek (90) which Radarr shares.
    assert (before, after) == (45, 25)


def test_zero_left_waits_for_the_window_with_the_binding_indexer(world):
    prowlarr, hourly = world["prowlarr"], world["hourly"]
    start = NOW - timedelta(minutes=50)
    for minute in range(48):
        prowlarr.searched(
            world["apps"][0],
            "EpisodeSearch",
            {"episodeIds": [1]},
            (start + timedelta(minutes=minute)).timestamp(),
            0,
        )
    refresh(world)
    result = allowance(world["sonarr"], world["profile"])
    assert not result.ok and result.reason == ib.INDEXER_LIMIT
    # 48 used of 50 with a margin of 5: 4 must leave; the 4th oldest is at start + 3 min.
    assert result.retry_at == start + timedelta(minutes=3) + timedelta(hours=1)
    assert ib.connector_budget(world["sonarr"].pk, now=NOW).binding.indexer_id == hourly.id


def test_disabled_indexers_are_left_out_and_none_usable_blocks_with_a_reason(world):
    prowlarr = world["prowlarr"]
    prowlarr.fail_indexer(world["hourly"].id, seconds=1800)
    refresh(world)
    budget = ib.connector_budget(world["sonarr"].pk, now=NOW)
    assert budget.binding.name == "NZBgeek" and budget.queries_left == 90
    prowlarr.fail_indexer(world["geek"].id, seconds=1800)
    refresh(world)
    result = allowance(world["sonarr"], world["profile"])
    assert not result.ok and result.reason == ib.NO_INDEXER
    assert result.retry_at == NOW + timedelta(minutes=30)


def test_grab_limits_hold_searches_until_they_clear(world):
    prowlarr = world["prowlarr"]
    prowlarr.indexers[2].grab_limit = 1
    for indexer in (1, 2):
        for _ in range(5):
            prowlarr._spend(prowlarr.indexers[indexer], "releaseGrabbed", NOW.timestamp())
    refresh(world)
    result = allowance(world["sonarr"], world["profile"])
    assert not result.ok and result.reason == ib.INDEXER_GRABS


def test_unreachable_prowlarr_falls_back_to_the_profile_with_a_warning(world):
    refresh(world)
    world["prowlarr"].down = True
    error = refresh(world, now=NOW + timedelta(minutes=5))
    assert error
    later = NOW + timedelta(minutes=5)
    budget = ib.connector_budget(world["sonarr"].pk, now=later)
    assert budget.mode == ib.FALLBACK and "could not be read" in budget.warning
    result = allowance(world["sonarr"], world["profile"], now=later)
    assert result.ok and result.queries_left == 1_000_000  # the fast profile alone


def test_a_stale_snapshot_is_not_trusted(world):
    refresh(world)
    budget = ib.connector_budget(world["sonarr"].pk, now=NOW + timedelta(hours=1))
    assert budget.mode == ib.FALLBACK


def test_no_manager_or_no_match_keeps_the_profile_alone(world):
    stranger = Connector.objects.create(
        name="Other", kind="radarr", url="http://elsewhere:7878", api_key="k" * 32
    )
    refresh(world)
    assert ib.connector_budget(stranger.pk, now=NOW).mode == ib.NONE
    assert allowance(stranger, world["profile"]).queries_left == 1_000_000


def test_the_user_overrides_or_refuses_the_match(world):
    refresh(world)
    radarr_app = IndexerApplication.objects.get(name="Radarr")
    indexer_link_set(connector=world["sonarr"], application=radarr_app)
    refresh(world)  # a refresh keeps the user's choice
    link = IndexerLink.objects.get(connector=world["sonarr"])
    assert (link.application_id, link.source) == (radarr_app.pk, "user")
    indexer_link_set(connector=world["sonarr"], application=None)
    assert ib.connector_budget(world["sonarr"].pk, now=NOW).mode == ib.NONE
    link = indexer_link_reset(connector=world["sonarr"])
    assert link.application.name == "Sonarr" and link.source == "auto"
    with pytest.raises(ValueError):
        indexer_link_set(connector=world["manager"], application=radarr_app)


def test_events_when_an_indexer_reaches_its_limit_or_is_disabled(
    world, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    events.indexer_limit_reached.connect(receiver)
    events.indexer_disabled.connect(receiver)
    try:
        prowlarr = world["prowlarr"]
        with django_capture_on_commit_callbacks(execute=False):
            refresh(world)
        assert seen == []
        for _ in range(50):
            prowlarr.searched(
                world["apps"][0], "EpisodeSearch", {"episodeIds": [1]}, NOW.timestamp(), 0
            )
        prowlarr.fail_indexer(world["geek"].id, seconds=600)
        with django_capture_on_commit_callbacks(execute=False):
            refresh(world)
        with django_capture_on_commit_callbacks(execute=False):
            refresh(world)  # no second announcement
    finally:
        events.indexer_limit_reached.disconnect(receiver)
        events.indexer_disabled.disconnect(receiver)
    assert sorted((e["indexer"], e.get("kind", "")) for e in seen) == [
        ("FileList", "queries"),
        ("NZBgeek", ""),
    ]


def test_a_spent_indexer_budget_is_the_queue_pages_reason_with_when_it_frees(world):
    from django.utils import timezone

    from queueing.models import RequestQueue
    from queueing.queue_status import queue_status

    start = NOW - timedelta(minutes=50)
    for minute in range(48):
        at = (start + timedelta(minutes=minute)).timestamp()
        world["prowlarr"].searched(world["apps"][0], "EpisodeSearch", {"episodeIds": [1]}, at, 0)
    refresh(world)
    RequestQueue.objects.create(
        connector=world["sonarr"],
        command="EpisodeSearch",
        payload={"name": "EpisodeSearch", "episodeIds": [1]},
        search_type="gap",
        priority=1,
        scheduled_at=NOW - timedelta(minutes=1),
        item_count=1,
    )
    (entry,) = queue_status(now=NOW).upcoming
    frees = timezone.localtime(start + timedelta(minutes=3, hours=1)).strftime("%H:%M")
    assert entry.estimate.at is None
    assert entry.estimate.reason == f"indexer budget spent until {frees}"
    assert entry.estimate.words(NOW) == "after the budget frees up"

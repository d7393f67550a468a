"""End to end: sync a fakearr library, sweep it, and check the plan against the fake's truth.

fakearr knows for every item whether a search could have succeeded (aired,
monitored, available, not already downloading); no item we plan may fail
that test, and `manage.py searchstate why` must explain the ones we left out.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from connectors.models import Connector
from content.models import Episode, SyncRun
from content.sync import runner
from queueing.models import RequestQueue, SweepRun
from queueing.sweep import sweep_connector

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def synced(arr) -> Connector:
    connector = Connector.objects.create(
        name=arr.profile.kind, kind=arr.kind, url=arr.url, api_key=arr.api_key
    )
    run = runner.connector_sync(
        connector=connector, kind=SyncRun.Kind.FULL, trigger=SyncRun.Trigger.MANUAL
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    connector.refresh_from_db()
    return connector


def futile_items(arr, result) -> dict[int, str]:
    """Planned items fakearr says a search could not succeed for (must be none)."""
    futile = {}
    for entry in result.plan.entries:
        for c in entry.items:
            reason = arr.futility(c.arr_id)
            if reason:
                futile[c.arr_id] = reason
    return futile


def test_sonarr_plan_searches_nothing_that_cannot_succeed(fake_sonarr):
    connector = synced(fake_sonarr)
    # Put one missing, aired, monitored episode into the download queue (an RSS grab).
    lib = fake_sonarr.library
    now_ts = fake_sonarr.clock.timestamp()
    downloading = next(
        e
        for e in lib.iter_episodes()
        if not lib.episode_file_id(e)
        and lib.episode_aired(e, now_ts - 86400)
        and lib.episode_monitored(e)
        and lib.series[lib.ep_series[e - 1]].monitored
    )
    fake_sonarr.grab([downloading], source="rss")

    result = sweep_connector(connector=connector, dry_run=True, now=fake_sonarr.now())
    assert result.plan.entries, "a seeded library has gaps"
    assert futile_items(fake_sonarr, result) == {}
    planned = {c.arr_id for e in result.plan.entries for c in e.items}
    assert downloading not in planned
    assert result.skipped.get("in_download_queue") == 1
    for entry in result.plan.entries:
        if entry.command == "EpisodeSearch":
            assert 1 <= len(entry.payload["episodeIds"]) <= 10
    assert RequestQueue.objects.count() == 0  # dry run

    queued = sweep_connector(connector=connector, now=fake_sonarr.now())
    assert queued.status == "succeeded"
    assert queued.queued == len(planned)
    assert RequestQueue.objects.filter(connector=connector).count() == queued.entries
    assert SweepRun.objects.get(dry_run=False).selected == queued.selected

    # why explains the downloading episode (with the queue checked over HTTP).
    out = io.StringIO()
    call_command(
        "searchstate",
        "why",
        "--connector",
        connector.name,
        "--episode",
        str(downloading),
        "--check-queue",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())["items"][0]
    assert report["reason"] == "in_download_queue"


def test_radarr_sweep_command_dry_run_and_queue(fake_radarr):
    connector = synced(fake_radarr)
    out = io.StringIO()
    call_command("sweep", "--connector", connector.name, "--dry-run", "--json", stdout=out)
    [result] = json.loads(out.getvalue())
    assert result["dry_run"] is True and result["plan"]
    assert all(e["command"] == "MoviesSearch" for e in result["plan"])
    priorities = [e["priority"] for e in result["plan"]]
    assert priorities == sorted(priorities, reverse=True)
    assert RequestQueue.objects.count() == 0

    text = io.StringIO()
    call_command("sweep", "--connector", connector.name, stdout=text)
    assert "MoviesSearch" in text.getvalue()
    assert RequestQueue.objects.count() == len(result["plan"])


def test_whisparr_v2_scenes(fake_whisparr_v2):
    connector = synced(fake_whisparr_v2)
    assert Episode.objects.filter(connector=connector, air_date_utc__isnull=True).exists()
    result = sweep_connector(connector=connector, dry_run=True, now=fake_whisparr_v2.now())
    assert futile_items(fake_whisparr_v2, result) == {}


def test_whisparr_v3_movies(fake_whisparr_v3):
    connector = synced(fake_whisparr_v3)
    result = sweep_connector(connector=connector, dry_run=True, now=fake_whisparr_v3.now())
    assert futile_items(fake_whisparr_v3, result) == {}
    assert {e.command for e in result.plan.entries} <= {"MoviesSearch"}


def test_print_plan_for_review(fake_sonarr, capsys):
    connector = synced(fake_sonarr)
    call_command("sweep", "--connector", connector.name, "--dry-run", "-v", "2")
    out = capsys.readouterr().out
    assert "sweep (dry run)" in out
    print(out)


def test_whisparr_v2_never_plans_year_packs(fake_whisparr_v2):
    connector = synced(fake_whisparr_v2)
    result = sweep_connector(connector=connector, dry_run=True, now=fake_whisparr_v2.now())
    assert result.plan.entries
    assert {e.command for e in result.plan.entries} == {"EpisodeSearch"}

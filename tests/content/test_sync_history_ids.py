"""Incremental sync re-reads only series whose history events are new since the last sync.

The /history/since window overlaps the previous run by a few minutes (clock
skew); the last event id acted on keeps an event from re-reading its series twice.
"""

from __future__ import annotations

import pytest

from content.models import SyncRun, SyncState
from content.sync import runner

pytestmark = pytest.mark.django_db

FULL, INCR = SyncRun.Kind.FULL, SyncRun.Kind.INCREMENTAL


def sync(stub, kind=INCR):
    stub.connector.refresh_from_db()
    return runner.connector_sync(connector=stub.connector, kind=kind, trigger="manual")


@pytest.fixture
def library(sonarr_stub):
    for sid in (1, 2, 3):
        sonarr_stub.add_series(sid, episodes=4, seasons=2, files=2)
    return sonarr_stub


def fetched(stub) -> list[str]:
    return sorted(c for c in stub.calls if c.startswith("/api/v3/episode"))


def test_a_sync_a_minute_later_does_not_reread_series_of_events_already_seen(library):
    sync(library, FULL)
    library.give_file(1101, name="Bluray-1080p", size=1000)
    library.record("downloadFolderImported", series_id=1, episode_id=1101)
    assert sync(library).series_fetched == 1
    assert SyncState.objects.get(connector=library.connector).last_history_id == 1
    library.calls.clear()
    # The event is still inside the overlap window, but its id was acted on.
    run = sync(library)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.series_fetched == 0 and fetched(library) == []


def test_only_the_series_of_new_events_are_reread(library):
    sync(library, FULL)
    library.record("downloadFolderImported", series_id=1, episode_id=1101)
    sync(library)
    library.record("episodeFileDeleted", series_id=3, episode_id=3101)
    library.record("grabbed", series_id=2, episode_id=2101)  # a grab changes no file
    library.calls.clear()
    run = sync(library)
    assert fetched(library) == ["/api/v3/episode?seriesId=3&includeEpisodeFile=true"]
    assert run.series_fetched == 1
    assert SyncState.objects.get(connector=library.connector).last_history_id == 3


def test_an_unreadable_history_keeps_the_last_event_id(library):
    from tests.content.arrstub import server_error

    sync(library, FULL)
    library.record("downloadFolderImported", series_id=1, episode_id=1101)
    sync(library)
    library.faults["/history/since"] = server_error
    run = sync(library)
    assert "history not read" in run.error
    assert SyncState.objects.get(connector=library.connector).last_history_id == 1

"""Done-when: a sweep and the searches that follow arrive as one digest per window, with counts
and links, in a local receiver (fakearr Radarr, the real engine, real apprise)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from comradarr.accounts import runtime
from comradarr.models import AppSettings
from notifications.delivery import deliver_due
from notifications.models import NotificationEvent
from searchstate.models import SearchHistory
from tests.fakearr.simulation import SimConfig
from tests.notifications.conftest import make_channel
from tests.queueing import engine_helpers as h

# on_commit emits (grabs) need real commits.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_sweep_and_searches_make_one_digest_per_window(fakearr_factory, receiver):
    AppSettings.objects.update_or_create(
        pk=1, defaults={"public_url": "https://comradarr.example.com"}
    )
    runtime.invalidate()
    make_channel(
        "digest", secrets={"url": receiver.url + "/in"}, batch_window_minutes=5,
        event_types=["sweep_completed", "search_succeeded"],
    )  # fmt: skip
    arr = fakearr_factory("radarr", movies=40, seed=4, config=SimConfig(import_delay=60))
    connector = h.synced(arr, prof=h.profile(batch_size=5))
    assert h.queued(arr, connector) > 1
    h.run_until_idle(arr)
    grabbed = sum(SearchHistory.objects.values_list("items_grabbed", flat=True))
    assert grabbed > 1
    assert NotificationEvent.objects.filter(event_type="search_succeeded").count() > 1

    deliver_due()  # inside the window: nothing yet
    assert receiver.requests == []
    deliver_due(now=timezone.now() + timedelta(minutes=6))
    [req] = receiver.requests
    message = req.json()["message"]
    assert f"{grabbed} items grabbed on radarr: " in message
    assert f"https://comradarr.example.com/library/?connector={connector.pk}" in message
    assert "Found " in message and "missing movies" in message
    deliver_due(now=timezone.now() + timedelta(minutes=30))
    assert len(receiver.requests) == 1  # sent once

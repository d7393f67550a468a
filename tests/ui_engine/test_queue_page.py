"""The queue page: live status, controls, entry detail, and bad input."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.models import ConnectorThrottle, DispatchLog, GlobalThrottle, RequestQueue
from searchstate.models import SearchRegistry
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history, make_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(sonarr):
    series = builders.series(sonarr, "Andor")
    return builders.episodes(series, 1, 3)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("queueing:queue"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_empty_queue_explains_itself(web):
    response = web.get(reverse("queueing:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "The queue is empty" in body
    assert "Queue processing is running" in body
    assert "No command is running" in body


def test_page_shows_entries_in_flight_due_sweeps_and_history(web, sonarr, show):
    now = timezone.now()
    later = make_entry(sonarr, items=show[:1], priority=10, scheduled_at=now + timedelta(hours=2))
    best = make_entry(sonarr, items=show[1:2], priority=90, reason="season pack: all aired")
    flying = make_entry(
        sonarr,
        items=show[2:],
        status="dispatched",
        command="SeasonSearch",
        dispatched_at=now - timedelta(minutes=3),
        command_arr_id=4242,
    )
    make_sweep(sonarr, kind="gaps")
    make_history(sonarr, outcome="grabbed", items_grabbed=2, item_count=3)
    body = web.get(reverse("queueing:queue")).content.decode()
    assert f'id="entry-{best.pk}"' in body and f'id="entry-{later.pk}"' in body
    # Dispatch order: the due entry before the one due in two hours.
    assert body.index(f'id="entry-{best.pk}"') < body.index(f'id="entry-{later.pk}"')
    assert "season pack: all aired" in body
    assert "Season search (pack)" in body and "4242" in body
    assert reverse("queueing:entry_detail", args=[flying.pk]) in body
    assert "Running" in body  # the sweep
    assert "Grabbed" in body
    assert 'id="count-queued">2<' in body
    assert 'id="count-due">1<' in body
    assert 'id="count-flight">1<' in body


def test_status_partial_alone_for_polling(web, sonarr):
    response = web.get(reverse("queueing:queue_status"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue-live"') or 'id="queue-live"' in body[:400]
    assert "<html" not in body
    assert 'hx-trigger="every' in body


def test_connector_throttle_status(web, sonarr):
    now = timezone.now()
    DispatchLog.objects.create(connector=sonarr, dispatched_at=now, estimated_queries=3)
    ConnectorThrottle.objects.create(connector=sonarr, next_dispatch_at=now + timedelta(seconds=30))
    body = web.get(reverse("queueing:queue")).content.decode()
    row = body[body.index(f'id="throttle-{sonarr.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "balanced" in row  # the default preset
    assert "11 <span" in row  # 12 an hour, one spent
    assert "297 <span" in row  # 300 queries a day, three spent
    assert "Waiting" in row


def test_auto_pause_shows_reason_and_until(web, sonarr):
    ConnectorThrottle.objects.create(
        connector=sonarr,
        paused_until=timezone.now() + timedelta(minutes=15),
        pause_reason="rate limited by the app",
    )
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "Paused until" in body and "rate limited by the app" in body


def test_pause_and_resume_all(web):
    response = web.post(reverse("queueing:queue_pause"))
    assert response.status_code == 302
    assert GlobalThrottle.load().paused
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "Queue processing is paused" in body and "Resume all" in body
    web.post(reverse("queueing:queue_resume"))
    assert not GlobalThrottle.load().paused


def test_pause_one_connector_with_htmx_returns_the_live_fragment(web, sonarr):
    response = web.post(
        reverse("queueing:queue_pause"), {"connector": sonarr.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="queue-live"' in body and "<html" not in body
    assert "Dispatch to Living room paused." in body  # the message, out of band
    assert ConnectorThrottle.objects.get(connector=sonarr).paused
    web.post(reverse("queueing:queue_resume"), {"connector": sonarr.pk})
    assert not ConnectorThrottle.objects.get(connector=sonarr).paused


@pytest.mark.parametrize("value", ["abc", "-1", "1 OR 1=1", "<script>"])
def test_pause_with_a_hostile_connector_is_refused(web, value):
    response = web.post(reverse("queueing:queue_pause"), {"connector": value})
    assert response.status_code == 400
    assert not GlobalThrottle.objects.filter(paused=True).exists()


def test_pause_unknown_connector_is_404(web):
    assert web.post(reverse("queueing:queue_pause"), {"connector": "999999"}).status_code == 404


def test_controls_refuse_get(web):
    for name in ("queue_pause", "queue_resume", "queue_clear"):
        assert web.get(reverse(f"queueing:{name}")).status_code == 405


def test_clear_needs_confirmation(web, sonarr, show):
    entry = make_entry(sonarr, items=show)
    web.post(reverse("queueing:queue_clear"))
    entry.refresh_from_db()
    assert entry.status == "queued"
    web.post(reverse("queueing:queue_clear"), {"confirm": "yes"})
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert set(SearchRegistry.objects.values_list("state", flat=True)) == {"pending"}


def test_remove_entry(web, sonarr, show):
    entry = make_entry(sonarr, items=show)
    response = web.post(reverse("queueing:entry_remove", args=[entry.pk]), follow=True)
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert f"Entry #{entry.pk} removed" in response.content.decode()


def test_remove_in_flight_entry_is_refused_with_a_message(web, sonarr, show):
    entry = make_entry(sonarr, items=show, status="dispatched")
    response = web.post(reverse("queueing:entry_remove", args=[entry.pk]), follow=True)
    entry.refresh_from_db()
    assert entry.status == "dispatched"
    assert "not queued" in response.content.decode()


def test_entry_detail_lists_items_and_links_to_them(web, sonarr, show):
    entry = make_entry(sonarr, items=show)
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "Andor S01E01" in body
    assert reverse("library:item", args=["episode", show[0].pk]) in body
    assert "Save priority" in body


def test_change_priority(web, sonarr, show):
    entry = make_entry(sonarr, items=show)
    response = web.post(reverse("queueing:entry_priority", args=[entry.pk]), {"priority": "777"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.priority == 777


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("high", "Enter a whole number."),
        ("1e3", "Enter a whole number."),
        ("50000", "The largest value is 10000."),
        ("-50000", "The smallest value is -10000."),
        ("<script>alert(1)</script>", "Enter a whole number."),
    ],
)
def test_bad_priority_is_explained_and_keeps_the_input(web, sonarr, show, value, message):
    entry = make_entry(sonarr, items=show, priority=50)
    response = web.post(reverse("queueing:entry_priority", args=[entry.pk]), {"priority": value})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "<script>alert" not in body
    entry.refresh_from_db()
    assert entry.priority == 50


def test_priority_of_a_finished_entry_is_refused(web, sonarr, show):
    entry = make_entry(sonarr, items=show, status="done")
    response = web.post(reverse("queueing:entry_priority", args=[entry.pk]), {"priority": "5"})
    assert response.status_code == 400
    assert "not queued" in response.content.decode()


def test_unknown_entry_is_404(web):
    assert web.get(reverse("queueing:entry_detail", args=[999999])).status_code == 404


def test_queue_page_queries_are_bounded(web, sonarr, radarr, django_assert_max_num_queries):
    series = builders.series(sonarr, "Big")
    episodes = builders.episodes(series, 1, 60)
    for n in range(60):
        make_entry(sonarr, items=[episodes[n]])
        make_history(sonarr)
    for _ in range(15):
        make_sweep(sonarr, status="succeeded")
    web.get(reverse("queueing:queue"))  # warm the session and the default profile
    # 40, plus one for the priority breakdowns and one for the dispatch estimates.
    with django_assert_max_num_queries(42) as captured:
        response = web.get(reverse("queueing:queue"))
    assert response.status_code == 200
    many = len(captured)
    for n in range(5):
        make_entry(sonarr, items=[], reason=f"extra {n}")
    with django_assert_max_num_queries(many):
        web.get(reverse("queueing:queue"))
    assert RequestQueue.objects.count() == 65


def test_times_are_shown_in_the_configured_time_zone(web, sonarr, show, settings):
    settings.TIME_ZONE_ENV = "Europe/Berlin"  # TZ in the environment wins over the settings page
    moment = timezone.now().replace(month=11, day=20, hour=12, minute=5, second=0, microsecond=0)
    moment = moment.replace(year=timezone.now().year + 1)
    make_entry(sonarr, items=show[:1], scheduled_at=moment.astimezone(UTC))
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "Nov 20, 13:05" in body  # CET is UTC+1 in November
    assert "Europe/Berlin" in body


def test_sweep_skip_counts_in_words(web, sonarr):
    make_sweep(
        sonarr, status="succeeded", skipped={"cooldown": 40, "unmonitored": 3, "mystery_code": 1}
    )
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "not searched: 40 in cooldown, 3 not monitored, 1 mystery code" in body


def test_entry_detail_shows_the_command_body_as_json(web, sonarr, show):
    entry = make_entry(sonarr, items=show)
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "&quot;episodeIds&quot;" in body

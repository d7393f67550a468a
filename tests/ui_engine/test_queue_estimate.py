"""The queue page and the entry page: expected dispatch time and the priority's parts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.models import ConnectorThrottle, RequestQueue
from searchstate.models import SearchRegistry
from tests.queueing import engine_helpers as h
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry

pytestmark = pytest.mark.django_db

PARTS = {"base": 1000.0, "recency": 212.4, "missing_age": 0.0, "attempts": -100.0, "user": 50.0}


def scored(entry: RequestQueue, parts: dict = PARTS) -> RequestQueue:
    total = round(sum(parts.values()))
    SearchRegistry.objects.filter(queue_entries=entry).update(
        priority=total, priority_breakdown=parts
    )
    RequestQueue.objects.filter(pk=entry.pk).update(priority=total)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def slow(sonarr):
    h.assign(sonarr, h.profile("slow", min_interval_seconds=240, interval_jitter_seconds=0))
    return sonarr


def test_queue_page_shows_estimates_and_the_priority_parts(web, slow):
    series = builders.series(slow, "The Expanse")
    eps = builders.episodes(series, 1, 2)
    first = scored(make_entry(slow, items=eps[:1]))
    make_entry(slow, items=eps[1:], priority=first.priority - 1)
    body = web.get(reverse("queueing:queue")).content.decode()
    assert body.count('class="sub estimate"') == 2
    assert ">now<" in body and "in about 4 min" in body
    assert f'<details class="priority-explained" id="priority-{first.pk}"' in body
    assert "<dt>Recent release</dt><dd>+212</dd>" in body
    assert "<dt>Searches that found nothing</dt><dd>-100</dd>" in body
    assert "<dt>Your priority (item or series)</dt><dd>+50</dd>" in body
    assert "Time already spent looking" not in body  # a zero part moves nothing
    # The score's order, whatever order the stored breakdown comes back in.
    order = ["Base (gap or upgrade)", "Recent release", "Searches that found nothing", "Your pri"]
    at = [body.index(label) for label in order]
    assert at == sorted(at)


def test_a_priority_set_on_the_entry_is_a_part_on_the_same_scale(web, slow):
    series = builders.series(slow, "The Expanse")
    entry = scored(make_entry(slow, items=builders.episodes(series, 1, 1)))
    response = web.post(
        reverse("queueing:entry_priority", args=[entry.pk]), {"priority": entry.priority + 300}
    )
    assert response.status_code == 302
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "Set on this entry (or changed since planning)</dt><dd>+300</dd>" in body
    assert f'<dd class="priority-total">{entry.priority + 300}</dd>' in body


def test_entry_page_says_why_its_connector_is_not_dispatching(web, slow):
    entry = make_entry(slow, items=builders.episodes(builders.series(slow, "X"), 1, 1))
    ConnectorThrottle.objects.filter(connector=slow).update(back_pressure_at=timezone.now())
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "after the download queue drains" in body
    assert "(waiting for the download queue to drain)" in body


def test_entry_without_linked_items_shows_a_plain_priority(web, slow):
    entry = make_entry(slow, items=[], priority=7)
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "priority-explained" not in body and "<dd>7</dd>" in body


def test_finished_entry_has_no_estimate(web, slow):
    entry = make_entry(slow, items=[], status="done")
    body = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert 'id="entry-estimate"' not in body


def test_estimates_and_parts_cost_the_same_queries_for_more_connectors_and_entries(
    web, slow, radarr, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    series = builders.series(slow, "Big")
    for ep in builders.episodes(series, 1, 10):
        scored(make_entry(slow, items=[ep]))
    web.get(reverse("queueing:queue"))
    with CaptureQueriesContext(connection) as few:
        web.get(reverse("queueing:queue"))
    for ep in builders.episodes(series, 2, 30):
        scored(make_entry(slow, items=[ep], scheduled_at=timezone.now() + timedelta(hours=1)))
    for n in range(10):
        make_entry(radarr, items=[builders.movie(radarr, f"Film {n}", year=2000 + n)])
    with django_assert_max_num_queries(len(few)):
        body = web.get(reverse("queueing:queue")).content.decode()
    assert body.count('class="sub estimate"') == 50  # the page's first 50 entries


def test_entry_page_queries_do_not_grow_with_the_entries_ahead(web, slow):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    series = builders.series(slow, "Big")
    episodes = builders.episodes(series, 1, 40)
    for ep in episodes[:3]:
        make_entry(slow, items=[ep])
    last = make_entry(slow, items=[episodes[3]], scheduled_at=timezone.now())
    url = reverse("queueing:entry_detail", args=[last.pk])
    web.get(url)
    with CaptureQueriesContext(connection) as few:
        web.get(url)
    for ep in episodes[4:]:
        make_entry(slow, items=[ep])
    with CaptureQueriesContext(connection) as many:
        body = web.get(url).content.decode()
    assert len(many) == len(few)
    assert "in about 2 h" in body  # 39 entries ahead, 4 min apart

"""Usage of each key: requests and errors per hour, its last requests (no bodies, no queries)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api import usage
from api.models import ApiKeyRequest, ApiKeyUsage
from tests.api.conftest import api

pytestmark = pytest.mark.django_db


def test_requests_and_errors_are_counted_per_key_per_hour(read_key, full_key):
    client = api(read_key.raw)
    client.get(reverse("api:status"))
    client.get(reverse("api:history"), {"limit": "0"})  # 400
    client.post(reverse("api:queue_pause"))  # 403: read-only
    api(full_key.raw).get(reverse("api:status"))
    api().get(reverse("api:status"))  # no key: nothing to count against
    row = ApiKeyUsage.objects.get(key=read_key.key)
    assert (row.requests, row.errors) == (3, 2)
    assert row.hour == timezone.now().replace(minute=0, second=0, microsecond=0)
    assert ApiKeyUsage.objects.get(key=full_key.key).requests == 1
    recent = list(ApiKeyRequest.objects.filter(key=read_key.key).order_by("id"))
    assert [(r.method, r.path, r.status) for r in recent] == [
        ("GET", "/api/v1/status", 200),
        ("GET", "/api/v1/history", 400),
        ("POST", "/api/v1/queue/pause", 403),
    ]


def test_a_new_hour_gets_its_own_row_and_old_hours_go(read_key):
    start = timezone.now().replace(minute=30)
    with time_machine.travel(start - timedelta(days=31), tick=False):
        api(read_key.raw).get(reverse("api:status"))
    with time_machine.travel(start, tick=False):
        api(read_key.raw).get(reverse("api:status"))
        api(read_key.raw).get(reverse("api:status"))
    hours = list(ApiKeyUsage.objects.filter(key=read_key.key).values_list("requests", flat=True))
    assert hours == [2]  # the 31-day-old hour was pruned when the new hour began


def test_only_the_last_requests_are_kept(read_key):
    for _ in range(usage.RECENT + 15):
        usage.record(key=read_key.key, method="GET", path="/api/v1/status", status=200)
    kept = ApiKeyRequest.objects.filter(key=read_key.key).count()
    assert usage.RECENT <= kept < usage.RECENT + 10


def test_the_settings_page_shows_the_last_day(signed_in, read_key):
    api(read_key.raw).get(reverse("api:status"))
    api(read_key.raw).post(reverse("api:queue_pause"))
    page = signed_in.get(reverse("apikeys:index")).content.decode()
    assert "2 requests" in page and "1 error" in page

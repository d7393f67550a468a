"""/metrics: Prometheus text behind an API key; it parses, and its numbers match the database."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from analytics import recording
from content.models import Episode
from tests.api.conftest import API_KEY, WEBHOOK_SECRET, api, assert_error
from tests.ui_engine.conftest import make_history

pytestmark = pytest.mark.django_db


def samples(response) -> dict[tuple[str, frozenset], float]:
    assert response["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def test_metrics_parse_and_match_the_database(install, read_key):
    connector, radarr = install["connector"], install["radarr"]
    make_history(connector, outcome="grabbed", items_grabbed=3, dispatched_at=timezone.now())
    recording.snapshot_libraries()  # what the collect job does every ten minutes
    seen = samples(api(read_key.raw, bearer=True).get(reverse("metrics")))

    def value(name, **labels):
        return seen[(name, frozenset(labels.items()))]

    sonarr = {"connector": connector.name, "kind": "sonarr"}
    episodes = Episode.objects.filter(connector=connector)
    assert value("comradarr_mirror_items", **sonarr, type="episode") == episodes.count()
    gaps = episodes.missing().monitored().aired().count()
    assert gaps and value("comradarr_gaps", **sonarr, type="episode") == gaps
    upgrades = episodes.cutoff_unmet().count()
    assert value("comradarr_upgrades", **sonarr, type="episode") == upgrades
    assert 0 <= value("comradarr_library_snapshot_age_seconds", **sonarr, type="episode") < 60
    assert value("comradarr_mirror_items", connector="Radarr", kind="radarr", type="movie") == 1
    assert value("comradarr_connector_health", **sonarr, status=connector.health_status) == 1
    assert value("comradarr_connector_enabled", **sonarr) == 1
    assert value("comradarr_queue_entries", status="queued") == 1
    assert value("comradarr_queue_paused") == 0
    assert value("comradarr_search_history", connector=connector.name, outcome="grabbed") == 2
    assert value("comradarr_items_grabbed_today") >= 3
    assert value("comradarr_database_size_bytes") > 0
    assert radarr.api_key


def test_metrics_need_a_key_and_refuse_one_in_the_url(install, read_key):
    assert_error(api().get(reverse("metrics")), 401)
    assert_error(api().get(reverse("metrics") + f"?token={read_key.raw}"), 401, "key_in_query")


def test_metrics_hold_no_secret(install, read_key):
    body = api(read_key.raw).get(reverse("metrics")).content
    for secret in (API_KEY, WEBHOOK_SECRET, "r" * 32, read_key.raw):
        assert secret.encode() not in body


def test_metrics_are_cached_for_a_few_seconds(install, read_key):
    first = api(read_key.raw).get(reverse("metrics")).content
    Episode.objects.all().delete()
    assert api(read_key.raw).get(reverse("metrics")).content == first

"""POST /webhooks/<connector>/<secret>: auth, malformed input and every event type."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import Episode, Movie, Series, SyncState
from content.sync import upsert
from content.webhooks import rotate_webhook_secret, webhook_secret_for
from tests.content.builders import T0, episode, make_connector, movie, series, with_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonarr():
    connector = make_connector("sonarr", "sonarr", app_version="4.0.19.2979")
    upsert.upsert_series(connector_id=connector.pk, rows=[series(1), series(2)], now=T0)
    sid = Series.objects.get(connector=connector, arr_id=1).pk
    rows = [(sid, episode(101)), (sid, with_file(episode(102), 900, cutoff_not_met=True))]
    upsert.upsert_episodes(connector_id=connector.pk, rows=rows, now=T0)
    Series.objects.update(episodes_stale=False)
    return connector


@pytest.fixture
def radarr():
    connector = make_connector("radarr", "radarr", app_version="5.28.0.10205")
    rows = [movie(7), with_file(movie(8), 80)]
    upsert.upsert_movies(connector_id=connector.pk, rows=rows, now=T0)
    return connector


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kw: calls.append(args))
    return calls


def post(client, connector, payload, *, secret=None, raw=None, **extra):
    secret = webhook_secret_for(connector) if secret is None else secret
    url = reverse("content_webhook", args=[connector.pk, secret])
    body = raw if raw is not None else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json", **extra)


def sonarr_payload(event, episodes=(101,), series_id=1, **extra):
    payload = {
        "eventType": event,
        "instanceName": "Sonarr",
        "series": {"id": series_id, "title": "Series", "tvdbId": 1},
        "episodes": [{"id": i, "episodeNumber": 1, "seasonNumber": 1} for i in episodes],
    }
    payload.update(extra)
    return payload


# ------------------------------------------------------------------ auth


def test_wrong_secret_is_401_and_changes_nothing(client, sonarr):
    response = post(client, sonarr, sonarr_payload("SeriesDelete"), secret="nope-wrong")
    assert response.status_code == 401
    assert Series.objects.filter(connector=sonarr).count() == 2


def test_unknown_connector_is_401(client, sonarr):
    url = reverse("content_webhook", args=[9999, webhook_secret_for(sonarr)])
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 401


def test_secret_of_another_connector_is_401(client, sonarr, radarr):
    response = post(client, sonarr, sonarr_payload("Test"), secret=webhook_secret_for(radarr))
    assert response.status_code == 401


def test_rotated_secret_replaces_the_old_one(client, sonarr):
    old = webhook_secret_for(sonarr)
    new = rotate_webhook_secret(connector=sonarr)
    assert new != old and len(new) >= 40
    assert post(client, sonarr, sonarr_payload("Test"), secret=old).status_code == 401
    assert post(client, sonarr, sonarr_payload("Test"), secret=new).status_code == 200


def test_basic_auth_with_the_secret_as_password(client, sonarr):
    url = reverse("content_webhook_basic", args=[sonarr.pk])
    token = base64.b64encode(f"sonarr:{webhook_secret_for(sonarr)}".encode()).decode()
    response = client.post(
        url,
        data=json.dumps({"eventType": "Test"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )
    assert response.status_code == 200
    bad = base64.b64encode(b"sonarr:wrong").decode()
    response = client.post(
        url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Basic {bad}"
    )
    assert response.status_code == 401
    response = client.post(
        url, data="{}", content_type="application/json", HTTP_AUTHORIZATION="Basic !!notb64"
    )
    assert response.status_code == 401
    assert client.post(url, data="{}", content_type="application/json").status_code == 401


def test_no_login_needed_and_no_trailing_slash_needed(client, sonarr):
    url = reverse("content_webhook", args=[sonarr.pk, webhook_secret_for(sonarr)]).rstrip("/")
    response = client.post(url, data='{"eventType": "Test"}', content_type="application/json")
    assert response.status_code == 200
    assert response.json()["event"] == "Test"


def test_get_is_not_allowed(client, sonarr):
    url = reverse("content_webhook", args=[sonarr.pk, webhook_secret_for(sonarr)])
    assert client.get(url).status_code == 405


# ------------------------------------------------------------- malformed


@pytest.mark.parametrize("raw", ["{not json", "", "\xff\xfe", "[1, 2]", '"text"', "null"])
def test_malformed_body_is_400(client, sonarr, raw):
    assert post(client, sonarr, None, raw=raw).status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"instanceName": "no event"},
        {"eventType": 5},
        {"eventType": "Grab", "series": "not an object", "episodes": []},
        {"eventType": "Download", "series": {"id": "x"}, "episodes": []},
        {"eventType": "Grab", "series": {"id": 1}, "episodes": "nope"},
        {"eventType": "MovieDelete", "movie": {"id": 1}},  # to a series connector
    ],
)
def test_unusable_payload_is_400_and_changes_nothing(client, sonarr, payload):
    assert post(client, sonarr, payload).status_code == 400
    assert Episode.objects.filter(connector=sonarr).count() == 2


def test_unknown_event_is_accepted_and_ignored(client, sonarr):
    response = post(client, sonarr, {"eventType": "HealthRestored", "level": "ok"})
    assert response.status_code == 200 and response.json()["updated"] == 0


# ---------------------------------------------------------- series events


def test_test_event(client, sonarr):
    payload = sonarr_payload("Test", episodes=(123,))
    response = post(client, sonarr, payload)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_grab_records_last_grabbed_at(client, sonarr):
    response = post(client, sonarr, sonarr_payload("Grab", release={"quality": "WEBDL-1080p"}))
    assert response.json()["updated"] == 1
    ep = Episode.objects.get(arr_id=101)
    assert ep.last_grabbed_at is not None and not ep.has_file


def test_download_gives_the_file_at_once_and_requests_a_sync(
    client, sonarr, enqueued, django_capture_on_commit_callbacks
):
    payload = sonarr_payload(
        "Download", episodeFile={"id": 901, "quality": "WEBDL-1080p"}, isUpgrade=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, sonarr, payload)
    assert response.status_code == 200
    assert response.json()["sync_requested"] is True
    ep = Episode.objects.get(arr_id=101)
    assert ep.has_file and ep.episode_file_id == 901 and ep.quality_name == "WEBDL-1080p"
    assert ep.file_acquired_at is not None and ep.cutoff_met_at is None
    assert not ep.quality_cutoff_not_met
    assert Series.objects.get(connector=sonarr, arr_id=1).episodes_stale
    assert enqueued == [("content.tasks.sync_connector", sonarr.pk, "incremental", "webhook")]

    # A second Download within the debounce window asks for no second sync.
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, sonarr, payload)
    assert response.json()["sync_requested"] is False
    assert len(enqueued) == 1
    SyncState.objects.update(webhook_sync_requested_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        post(client, sonarr, payload)
    assert len(enqueued) == 2


def test_upgrade_download_keeps_acquisition_time(client, sonarr, enqueued):
    before = Episode.objects.get(arr_id=102)
    payload = sonarr_payload(
        "Download",
        episodes=(102,),
        episodeFile={"id": 903, "quality": "Bluray-1080p"},
        isUpgrade=True,
    )
    post(client, sonarr, payload)
    ep = Episode.objects.get(arr_id=102)
    assert ep.episode_file_id == 903 and ep.file_acquired_at == before.file_acquired_at
    # Cutoff unknown until the sync confirms: neither an upgrade candidate nor resolved.
    assert not ep.quality_cutoff_not_met and ep.cutoff_met_at is None


def test_import_complete_form_with_episode_files(client, sonarr, enqueued):
    payload = sonarr_payload("Download", episodeFiles=[{"id": 950, "quality": "HDTV-720p"}])
    post(client, sonarr, payload)
    ep = Episode.objects.get(arr_id=101)
    assert ep.has_file and ep.episode_file_id == 950


def test_episode_file_delete_clears_file_and_timestamps(client, sonarr):
    payload = sonarr_payload(
        "EpisodeFileDelete", episodes=(102,), episodeFile={"id": 900}, deleteReason="manual"
    )
    assert post(client, sonarr, payload).json()["updated"] == 1
    ep = Episode.objects.get(arr_id=102)
    assert (ep.has_file, ep.episode_file_id, ep.file_acquired_at, ep.cutoff_met_at) == (
        False,
        None,
        None,
        None,
    )
    assert ep.quality_name == "" and not ep.quality_cutoff_not_met
    assert Series.objects.get(connector=sonarr, arr_id=1).episodes_stale


def test_late_delete_of_the_replaced_file_keeps_the_new_one(client, sonarr, enqueued):
    post(client, sonarr, sonarr_payload("Download", episodes=(102,), episodeFile={"id": 904}))
    payload = sonarr_payload(
        "EpisodeFileDelete", episodes=(102,), episodeFile={"id": 900}, deleteReason="upgrade"
    )
    assert post(client, sonarr, payload).json()["updated"] == 0
    assert Episode.objects.get(arr_id=102).episode_file_id == 904


def test_series_delete_removes_series_and_episodes(client, sonarr):
    response = post(client, sonarr, sonarr_payload("SeriesDelete", episodes=()))
    assert response.json()["removed"] == 3  # the series and its two episodes
    assert not Series.objects.filter(connector=sonarr, arr_id=1).exists()
    assert not Episode.objects.filter(connector=sonarr).exists()
    assert Series.objects.filter(connector=sonarr, arr_id=2).exists()


def test_series_delete_makes_the_recorded_mirror_size_count_afresh(client, sonarr):
    from content.services import sync_status

    SyncState.objects.update_or_create(
        connector=sonarr, defaults={"mirror_series": 2, "mirror_episodes": 4, "mirror_movies": 0}
    )
    assert sync_status(connector=sonarr).episode_count == 4  # the recorded size, not a count
    post(client, sonarr, sonarr_payload("SeriesDelete", episodes=()))
    state = SyncState.objects.get(connector=sonarr)
    assert state.mirror_episodes is None
    status = sync_status(connector=sonarr)
    assert (status.series_count, status.episode_count) == (1, Episode.objects.count())


def test_events_only_touch_their_own_connector(client, sonarr):
    other = make_connector("sonarr-4k", "sonarr", app_version="4.0.19.2979")
    upsert.upsert_series(connector_id=other.pk, rows=[series(1)], now=T0)
    post(client, other, sonarr_payload("SeriesDelete", episodes=()))
    assert Series.objects.filter(connector=sonarr, arr_id=1).exists()


# ----------------------------------------------------------- movie events


def radarr_payload(event, movie_id=7, **extra):
    payload = {"eventType": event, "movie": {"id": movie_id, "title": "Movie", "tmdbId": 1}}
    payload.update(extra)
    return payload


def test_movie_grab_download_delete_cycle(client, radarr, enqueued):
    post(client, radarr, radarr_payload("Grab", release={"quality": "Bluray-1080p"}))
    assert Movie.objects.get(arr_id=7).last_grabbed_at is not None

    post(
        client, radarr, radarr_payload("Download", movieFile={"id": 70, "quality": "Bluray-1080p"})
    )
    m = Movie.objects.get(arr_id=7)
    assert m.has_file and m.movie_file_id == 70 and m.file_acquired_at is not None

    post(client, radarr, radarr_payload("MovieFileDelete", movieFile={"id": 70}))
    m = Movie.objects.get(arr_id=7)
    assert not m.has_file and m.file_acquired_at is None and m.movie_file_id is None


def test_movie_delete(client, radarr):
    assert post(client, radarr, radarr_payload("MovieDelete", movie_id=8)).json()["removed"] == 1
    assert list(Movie.objects.filter(connector=radarr).values_list("arr_id", flat=True)) == [7]


def test_series_delete_to_a_movie_connector_is_400(client, radarr):
    assert post(client, radarr, sonarr_payload("SeriesDelete")).status_code == 400


def test_movie_added_requests_a_sync(client, radarr, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, radarr, radarr_payload("MovieAdded", movie_id=99))
    assert response.json()["sync_requested"] is True and len(enqueued) == 1

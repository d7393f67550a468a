"""Domain QuerySets, the webhook shape decision, and the admin pages of the mirror."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.urls import reverse

from content.models import Episode, Movie, Season, Series
from content.sync import upsert
from tests.content.builders import T0, episode, make_connector, movie, season, series, with_file

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(days=10)


@pytest.fixture
def mirror():
    c = make_connector()
    upsert.upsert_series(
        connector_id=c.pk,
        rows=[
            series(1, seasons=(season(1), season(2, monitored=False))),
            series(2, monitored=False),
        ],
        now=T0,
    )
    s1 = Series.objects.get(arr_id=1).pk
    s2 = Series.objects.get(arr_id=2).pk
    upsert.upsert_seasons(rows=[(s1, season(1)), (s1, season(2, monitored=False)), (s2, season(1))])
    rows = [
        (s1, episode(1)),  # gap
        (s1, episode(2, monitored=False)),  # unmonitored episode
        (s1, episode(3, air_date_utc=NOW + timedelta(days=1))),  # not aired yet
        (s1, episode(4, air_date_utc=None)),  # TBA
        (s1, episode(5, season_number=2)),  # unmonitored season
        (s1, with_file(episode(6), cutoff_not_met=True)),  # upgrade
        (s1, with_file(episode(7))),  # done
        (s1, episode(8, air_date_utc=None, episode_number=None, release_date=dt.date(2024, 1, 5))),
        (s2, episode(9, series_arr_id=2)),  # unmonitored series
    ]
    upsert.upsert_episodes(connector_id=c.pk, rows=rows, now=T0)
    return c


def ids(qs):
    return sorted(qs.values_list("arr_id", flat=True))


def test_gaps_read_like_the_domain(mirror):
    assert ids(Episode.objects.missing().monitored().aired(now=NOW)) == [1, 8]
    assert ids(Episode.objects.missing().monitored().unaired(now=NOW)) == [3, 4]
    # A grace period keeps just-aired ones out (the scene was released 6 days before NOW).
    assert ids(Episode.objects.missing().monitored().aired(now=NOW, grace=timedelta(days=7))) == [1]


def test_upgrades_and_acquisitions(mirror):
    assert ids(Episode.objects.cutoff_unmet()) == [6]
    assert ids(Episode.objects.cutoff_met()) == [7]
    assert ids(Episode.objects.acquired_since(T0)) == [6, 7]
    assert ids(Episode.objects.cutoff_met_since(T0)) == [7]
    assert ids(Episode.objects.cutoff_met_since(T0 + timedelta(seconds=1))) == []


def test_series_and_season_querysets(mirror):
    assert ids(Series.objects.monitored()) == [1]
    assert Season.objects.get(series__arr_id=1, season_number=1).fully_aired is True


def test_movie_querysets():
    c = make_connector("radarr", "radarr")
    upsert.upsert_movies(
        connector_id=c.pk,
        rows=[
            movie(1),
            movie(2, is_available=False),
            movie(3, monitored=False),
            with_file(movie(4), cutoff_not_met=True),
            movie(5, item_type="scene"),
        ],
        now=T0,
    )
    assert ids(Movie.objects.missing().monitored().available()) == [1, 5]
    assert ids(Movie.objects.cutoff_unmet()) == [4]
    assert ids(Movie.objects.scenes()) == [5]
    assert 5 not in ids(Movie.objects.movies_only())


@pytest.mark.parametrize(
    "model", ["series", "season", "episode", "movie", "qualityprofile", "syncstate", "syncrun"]
)
def test_admin_changelists_render_cheaply(
    admin_client, mirror, model, django_assert_max_num_queries
):
    url = reverse(f"admin:content_{model}_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_admin_never_shows_the_webhook_secret(admin_client, mirror):
    from content.webhooks import webhook_secret_for

    secret = webhook_secret_for(mirror)
    state_pk = mirror.sync_state.pk
    response = admin_client.get(reverse("admin:content_syncstate_change", args=[state_pk]))
    assert response.status_code == 200 and secret not in response.content.decode()


@pytest.mark.parametrize(
    "model", ["series", "season", "episode", "movie", "qualityprofile", "syncrun"]
)
def test_mirror_admins_never_count_the_whole_table_and_join_their_parents(model):
    from django.apps import apps
    from django.contrib import admin as django_admin

    mirror_model = apps.get_model("content", model)
    model_admin = django_admin.site._registry[mirror_model]
    # Millions of rows: no COUNT(*) of the whole table on a filtered page.
    assert model_admin.show_full_result_count is False
    related = model_admin.list_select_related
    assert related and related is not True  # named joins, not "every FK"
    fields = {f.name: f for f in mirror_model._meta.get_fields()}
    shown_parents = {
        name
        for name in model_admin.list_display
        if isinstance(name, str) and name in fields and fields[name].many_to_one
    }
    assert shown_parents <= set(related)

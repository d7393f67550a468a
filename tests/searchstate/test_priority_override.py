"""The user's priority override is search state (searchstate.PriorityOverride), not mirror state."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from content.models import Episode, Movie, Series
from searchstate import services
from searchstate.models import PriorityOverride
from tests.searchstate import builders as b

BEFORE = [("content", "0003_movie_release_date"), ("searchstate", "0003_django_side_do_nothing")]


@pytest.mark.django_db
def test_override_follows_its_item_when_the_mirror_deletes_it_in_sql():
    """A set-based DELETE of the mirror (sync at scale) takes the override along."""
    conn = b.connector()
    show = b.series(conn)
    (episode,) = b.episodes(show, 1, 1)
    services.item_set_priority(target=show, priority=10)
    services.item_set_priority(target=episode, priority=20)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM content_episode WHERE id = %s", [episode.pk])
    assert list(PriorityOverride.objects.values_list("priority", flat=True)) == [10]


@pytest.mark.django_db
def test_one_target_and_range_are_enforced_by_the_database():
    conn = b.connector()
    show = b.series(conn)
    (episode,) = b.episodes(show, 1, 1)
    for fields in ({}, {"series": show, "episode": episode}, {"series": show, "priority": 101}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PriorityOverride.objects.create(connector=conn, **({"priority": 1} | fields))


@pytest.mark.django_db
def test_items_set_priority_sets_and_clears_many_at_once():
    conn = b.connector()
    show = b.series(conn)
    episodes = b.episodes(show, 1, 3)
    assert services.items_set_priority(items=episodes, priority=7) == 3
    assert services.items_set_priority(items=episodes[:2], priority=-7) == 2
    assert sorted(PriorityOverride.objects.values_list("priority", flat=True)) == [-7, -7, 7]
    with pytest.raises(ValueError):
        services.items_set_priority(items=episodes, priority=-101)
    services.items_set_priority(items=episodes, priority=None)
    assert not PriorityOverride.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migration_carries_existing_overrides_over_and_back():
    """Overrides stored on the mirror rows by earlier versions survive the move (both ways)."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        connector = old.get_model("connectors", "Connector").objects.create(
            name="old", kind="sonarr", url="http://sonarr.test:8989", api_key="k" * 32
        )
        OldSeries = old.get_model("content", "Series")
        OldEpisode = old.get_model("content", "Episode")
        OldMovie = old.get_model("content", "Movie")
        show = OldSeries.objects.create(
            connector=connector, arr_id=1, title="S", priority_override=30
        )
        OldSeries.objects.create(connector=connector, arr_id=2, title="Plain")
        ep = OldEpisode.objects.create(
            connector=connector,
            series=show,
            arr_id=11,
            season_number=1,
            episode_number=1,
            priority_override=-40,
        )
        film = OldMovie.objects.create(
            connector=connector, arr_id=21, title="F", priority_override=100
        )
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        overrides = {
            (o.series_id, o.episode_id, o.movie_id): (o.priority, o.connector_id)
            for o in PriorityOverride.objects.all()
        }
        assert overrides == {
            (show.pk, None, None): (30, connector.pk),
            (None, ep.pk, None): (-40, connector.pk),
            (None, None, film.pk): (100, connector.pk),
        }
        assert PriorityOverride.of(Series.objects.get(pk=show.pk)) == 30
        assert PriorityOverride.of(Episode.objects.get(pk=ep.pk)) == -40
        assert PriorityOverride.of(Movie.objects.get(pk=film.pk)) == 100

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # and back: the columns get their values again
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        assert old.get_model("content", "Series").objects.get(pk=show.pk).priority_override == 30
        assert old.get_model("content", "Episode").objects.get(pk=ep.pk).priority_override == -40
        assert old.get_model("content", "Movie").objects.get(pk=film.pk).priority_override == 100
    finally:
        MigrationExecutor(connection).migrate(latest)

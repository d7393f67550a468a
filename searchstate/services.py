"""Writes to search state: bulk enqueue, state transitions, manual actions, pruning.

Every change of state is a conditional UPDATE whose ``state__in`` comes from
the transition table (searchstate.transitions), so two workers can never both
move a row, and an illegal move changes nothing (and raises when the caller
asked for one specific row). Counters use F() expressions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from comradarr import events
from connectors.models import Connector
from content.models import Episode, Movie, Season, Series
from searchstate.availability import episode_aired_at
from searchstate.coverage import CommandSpec
from searchstate.discovery import MOVIE, Candidate
from searchstate.models import (
    Exclusion,
    PriorityOverride,
    SearchRegistry,
    SearchSettings,
    SeasonPackSearch,
)
from searchstate.priority import USER_PRIORITY_RANGE
from searchstate.states import PackOutcome, SearchState
from searchstate.transitions import Event, IllegalTransition, next_state, sources_for

UPSERT_BATCH = 5000

_ENQUEUE_SQL = """
INSERT INTO searchstate_searchregistry
    (created_at, updated_at, connector_id, search_type, {fk}, state, attempts,
     search_count, failure_category, priority, priority_breakdown)
SELECT %(now)s, %(now)s, %(connector)s, %(search_type)s, u.item_id, 'queued', 0, 0, '',
       u.priority, b.doc -> (u.n::integer - 1)
FROM unnest(%(ids)s::bigint[], %(priorities)s::integer[]) WITH ORDINALITY
     AS u(item_id, priority, n)
CROSS JOIN (SELECT %(breakdowns)s::jsonb AS doc) AS b
JOIN {table} i ON i.id = u.item_id AND i.connector_id = %(connector)s
ON CONFLICT ({fk}, search_type) DO UPDATE
    SET state = 'queued', priority = EXCLUDED.priority,
        priority_breakdown = EXCLUDED.priority_breakdown, updated_at = EXCLUDED.updated_at
    WHERE searchstate_searchregistry.state = ANY(%(sources)s)
RETURNING id, {fk}
"""


def registry_enqueue(
    *,
    connector: Connector,
    candidates: Sequence[Candidate],
    force: bool = False,
    now: datetime | None = None,
) -> dict[tuple[str, int], int]:
    """Create or move to queued the registry rows of ``candidates``, in bulk.

    Returns {(search_type, item pk): registry id} for the rows that were
    queued. A candidate missing from the answer was not: its item vanished
    upstream since discovery, or another writer moved its row meanwhile.
    """
    now = now or timezone.now()
    sources = sorted(sources_for(Event.SEARCH_NOW if force else Event.ENQUEUE))
    queued: dict[tuple[str, int], int] = {}
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.kind, c.search_type), []).append(c)
    with connection.cursor() as cursor:
        for (kind, search_type), items in groups.items():
            fk, table = (
                ("movie_id", "content_movie")
                if kind == MOVIE
                else (
                    "episode_id",
                    "content_episode",
                )
            )
            sql = _ENQUEUE_SQL.format(fk=fk, table=table)
            for start in range(0, len(items), UPSERT_BATCH):
                batch = items[start : start + UPSERT_BATCH]
                cursor.execute(
                    sql,
                    {
                        "now": now,
                        "connector": connector.pk,
                        "search_type": search_type,
                        "ids": [c.item_id for c in batch],
                        "priorities": [c.priority for c in batch],
                        # One JSON array for the batch: quoting one string is far
                        # cheaper than quoting a text[] of thousands of small ones.
                        "breakdowns": json.dumps([c.score.parts for c in batch]),
                        "sources": sources,
                    },
                )
                for registry_id, item_id in cursor.fetchall():
                    queued[(search_type, item_id)] = registry_id
    return queued


# --- transitions over many rows ------------------------------------------------------------


def registry_apply(rows: QuerySet[SearchRegistry], event: Event | str, **updates) -> int:
    """Apply ``event`` to every row of ``rows`` allowed to take it; return how many moved."""
    target = next_state(next(iter(sources_for(event))), event)
    return (
        rows.filter(state__in=sources_for(event))
        .order_by()
        .update(state=target, updated_at=timezone.now(), **updates)
    )


def registry_apply_one(row: SearchRegistry, event: Event | str, **updates) -> SearchRegistry:
    """Apply ``event`` to one row; raises IllegalTransition when its state does not allow it."""
    moved = registry_apply(SearchRegistry.objects.filter(pk=row.pk), event, **updates)
    if moved != 1:
        current = SearchRegistry.objects.filter(pk=row.pk).values_list("state", flat=True).first()
        raise IllegalTransition(current or "deleted", str(event))
    row.refresh_from_db()
    return row


def registry_dispatched(rows: QuerySet[SearchRegistry], *, now: datetime | None = None) -> int:
    """queued -> searching; counts the search and remembers when it started."""
    now = now or timezone.now()
    return registry_apply(
        rows,
        Event.DISPATCH,
        search_count=F("search_count") + 1,
        last_searched_at=now,
        first_searched_at=Coalesce(F("first_searched_at"), now),
    )


def cooldown_delay(
    *, attempts: int, settings: SearchSettings, aired_at: datetime | None, now: datetime
) -> timedelta:
    """Cooldown after a search: exponential in attempts, shorter for freshly aired items."""
    if aired_at is not None and now - aired_at < timedelta(hours=settings.fresh_window_hours):
        return timedelta(hours=settings.fresh_cooldown_hours)
    hours = settings.cooldown_hours * settings.backoff_multiplier ** max(0, attempts - 1)
    return timedelta(hours=min(hours, settings.cooldown_cap_hours))


def _fresh_episode(settings: SearchSettings, now: datetime) -> Q:
    """Registry rows of episodes aired within the fresh window (as episode_aired_at counts)."""
    since = now - timedelta(hours=settings.fresh_window_hours)
    return Q(episode__air_date_utc__gt=since) | Q(
        episode__air_date_utc__isnull=True,
        episode__release_date__gte=since.astimezone(UTC).date(),
    )


def registry_completed(
    rows: QuerySet[SearchRegistry],
    *,
    found_nothing: bool,
    settings: SearchSettings,
    now: datetime | None = None,
) -> dict[str, int]:
    """searching -> cooldown (or exhausted at max attempts when nothing was found).

    Coverage accounting: pass every row the command covered (see
    searchstate.coverage), so a pack search puts all its episodes in cooldown.

    An episode in its first ``fresh_window_hours`` after airing is retried
    every ``fresh_cooldown_hours``; those early searches are counted but do
    not use up attempts, so a release that is a few days late does not leave
    a brand-new episode exhausted before its release exists.
    """
    now = now or timezone.now()
    moved = {"cooldown": 0, "exhausted": 0}
    if found_nothing:
        last_chance = rows.filter(
            attempts__gte=settings.max_attempts - 1, state__in=sources_for(Event.EXHAUST)
        ).exclude(_fresh_episode(settings, now))
        by_connector: dict[int, list[int]] = {}
        for pk, connector_id in last_chance.values_list("pk", "connector_id"):
            by_connector.setdefault(connector_id, []).append(pk)
        ids = [pk for pks in by_connector.values() for pk in pks]
        moved["exhausted"] = registry_apply(
            SearchRegistry.objects.filter(pk__in=ids),
            Event.EXHAUST,
            attempts=F("attempts") + 1,
            failure_category="no_results",
            next_eligible_at=None,
        )
        for connector in Connector.objects.filter(pk__in=list(by_connector)):
            events.emit(
                events.items_exhausted, connector=connector, registry_ids=by_connector[connector.pk]
            )
    window = timedelta(hours=settings.fresh_window_hours)
    for row in rows.filter(state=SearchState.SEARCHING).select_related("episode", "movie"):
        aired = (
            episode_aired_at(
                air_date_utc=row.episode.air_date_utc, release_date=row.episode.release_date
            )
            if row.episode_id
            else None
        )
        fresh = aired is not None and now - aired < window
        spent = 1 if found_nothing and not fresh else 0
        attempts = row.attempts + spent
        delay = cooldown_delay(attempts=attempts, settings=settings, aired_at=aired, now=now)
        moved["cooldown"] += registry_apply(
            SearchRegistry.objects.filter(pk=row.pk),
            Event.COMPLETE,
            attempts=F("attempts") + spent,
            failure_category="no_results" if found_nothing else "",
            next_eligible_at=now + delay,
        )
    return moved


# --- manual actions ------------------------------------------------------------------------


def _rows_for(items: Iterable[Episode | Movie]) -> QuerySet[SearchRegistry]:
    episodes = [i.pk for i in items if isinstance(i, Episode)]
    movies = [i.pk for i in items if isinstance(i, Movie)]
    return SearchRegistry.objects.filter(Q(episode_id__in=episodes) | Q(movie_id__in=movies))


def registry_reset(*, items: Iterable[Episode | Movie]) -> int:
    """Forget attempts and cooldown: the next sweep evaluates the items afresh."""
    return registry_apply(
        _rows_for(list(items)),
        Event.RESET,
        attempts=0,
        next_eligible_at=None,
        failure_category="",
    )


def registry_mark_exhausted(*, connector: Connector, items: Iterable[Episode | Movie]) -> int:
    """Stop searching the items (their registry rows are created if need be)."""
    items = list(items)
    with transaction.atomic():
        SearchRegistry.objects.bulk_create(
            [
                SearchRegistry(
                    connector=connector,
                    search_type="upgrade" if item.has_file else "gap",
                    **({"movie": item} if isinstance(item, Movie) else {"episode": item}),
                )
                for item in items
            ],
            ignore_conflicts=True,  # rows that exist keep their history
            batch_size=5000,
        )
        return registry_apply(_rows_for(items), Event.MARK_EXHAUSTED, next_eligible_at=None)


def item_set_priority(*, target: Series | Episode | Movie, priority: int | None) -> None:
    """Set (or clear with None) the user's priority override; episodes inherit their series'."""
    items_set_priority(items=[target], priority=priority)


def items_set_priority(*, items: Iterable[Series | Episode | Movie], priority: int | None) -> int:
    """Set (or clear with None) the user's priority of many items at once; returns how many.

    The items may mix series, episodes and movies; one statement per kind.
    """
    low, high = USER_PRIORITY_RANGE
    if priority is not None and not low <= priority <= high:
        raise ValueError(f"priority must be between {low} and {high}")
    by_field: dict[str, list] = {}
    for item in items:
        by_field.setdefault(PriorityOverride.target_field(item), []).append(item)
    now = timezone.now()
    changed = 0
    for field, targets in by_field.items():
        if priority is None:
            PriorityOverride.objects.filter(**{f"{field}__in": targets}).delete()
        else:
            PriorityOverride.objects.bulk_create(
                [
                    PriorityOverride(
                        connector_id=t.connector_id,
                        priority=priority,
                        created_at=now,
                        updated_at=now,
                        **{field: t},
                    )
                    for t in targets
                ],
                update_conflicts=True,
                unique_fields=[field],
                update_fields=["priority", "updated_at"],
                batch_size=UPSERT_BATCH,
            )
        changed += len(targets)
    return changed


def item_exclude(*, target: Series | Episode | Movie, note: str = "") -> Exclusion:
    field = {Series: "series", Episode: "episode", Movie: "movie"}[type(target)]
    exclusion, _ = Exclusion.objects.get_or_create(
        connector_id=target.connector_id, **{field: target}, defaults={"note": note}
    )
    return exclusion


def items_exclude(*, items: Iterable[Episode | Movie], note: str = "") -> int:
    """Exclude many episodes or movies at once; returns how many were given.

    Items already excluded keep their row (and its note).
    """
    now = timezone.now()
    rows = [
        Exclusion(
            connector_id=item.connector_id,
            note=note,
            created_at=now,
            updated_at=now,
            **{PriorityOverride.target_field(item): item},
        )
        for item in items
    ]
    created = Exclusion.objects.bulk_create(rows, ignore_conflicts=True, batch_size=UPSERT_BATCH)
    return len(created)


def item_include(*, target: Series | Episode | Movie) -> int:
    field = {Series: "series", Episode: "episode", Movie: "movie"}[type(target)]
    deleted, _ = Exclusion.objects.filter(**{field: target}).delete()
    return deleted


# --- pruning -------------------------------------------------------------------------------


def prune_exhausted(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Delete exhausted rows untouched for the retention period (per connector by default).

    The item becomes a fresh candidate again: a year later, a release may exist.
    """
    now = now or timezone.now()
    total = 0
    for connector in Connector.objects.all():
        days = older_than_days
        if days is None:
            days = SearchSettings.for_connector(connector).exhausted_retention_days
        deleted, _ = SearchRegistry.objects.filter(
            connector=connector,
            state=SearchState.EXHAUSTED,
            updated_at__lt=now - timedelta(days=days),
        ).delete()
        total += deleted
    return total


def prune_orphans() -> int:
    """Delete rows whose item is gone or belongs to another connector.

    Cascades normally remove them; this catches rows left by raw SQL deletes
    or a connector's items being re-homed.
    """
    deleted, _ = SearchRegistry.objects.filter(
        Q(episode__isnull=True, movie__isnull=True)
        | (Q(episode__isnull=False) & ~Q(episode__connector=F("connector")))
        | (Q(movie__isnull=False) & ~Q(movie__connector=F("connector")))
    ).delete()
    return deleted


# --- coverage accounting and season packs --------------------------------------------------


def registry_rows_covered(*, connector: Connector, body: dict) -> QuerySet[SearchRegistry]:
    """Registry rows a search command covered (searchstate.coverage's rules, one query)."""
    spec = CommandSpec.from_body(body)
    rows = SearchRegistry.objects.filter(connector=connector)
    if spec.name == "EpisodeSearch":
        return rows.filter(episode__arr_id__in=spec.ids, episode__connector=connector)
    if spec.name == "MoviesSearch":
        return rows.filter(movie__arr_id__in=spec.ids, movie__connector=connector)
    if spec.name == "SeasonSearch":
        return rows.filter(
            episode__series__connector=connector,
            episode__series__arr_id=spec.series_id,
            episode__season_number=spec.season_number,
            episode__monitored=True,
        )
    if spec.name == "SeriesSearch":
        unmonitored_season = Season.objects.filter(
            series=OuterRef("episode__series"),
            season_number=OuterRef("episode__season_number"),
            monitored=False,
        )
        return rows.filter(
            episode__series__connector=connector,
            episode__series__arr_id=spec.series_id,
            episode__monitored=True,
        ).exclude(Exists(unmonitored_season))
    return rows.none()


def registry_credit_covered(
    rows: QuerySet[SearchRegistry], *, settings: SearchSettings, now: datetime | None = None
) -> int:
    """Credit rows a command covered without planning them (e.g. a season pack's upgrade rows).

    Their state does not change; they get the search counted and a cooldown,
    which discovery honours in any state, so they are not searched one by one
    the next hour.
    """
    now = now or timezone.now()
    until = now + timedelta(hours=settings.cooldown_hours)
    return (
        rows.filter(state__in=[SearchState.PENDING, SearchState.COOLDOWN, SearchState.FAILED])
        .order_by()
        .update(
            last_searched_at=now,
            first_searched_at=Coalesce(F("first_searched_at"), now),
            search_count=F("search_count") + 1,
            next_eligible_at=Greatest(Coalesce(F("next_eligible_at"), now), Value(until)),
            updated_at=now,
        )
    )


def season_pack_record(
    *,
    series: Series,
    season_number: int,
    outcome: str,
    settings: SearchSettings,
    now: datetime | None = None,
) -> SeasonPackSearch:
    """Remember a season-pack search and its outcome (grabbed, no_results, failed)."""
    if outcome not in PackOutcome.values:
        raise ValueError(f"unknown pack outcome {outcome!r}")
    now = now or timezone.now()
    pack, _ = SeasonPackSearch.objects.get_or_create(
        series=series, season_number=season_number, defaults={"connector_id": series.connector_id}
    )
    SeasonPackSearch.objects.filter(pk=pack.pk).update(
        last_searched_at=now,
        last_outcome=outcome,
        cooldown_until=now + timedelta(hours=settings.pack_cooldown_hours),
        search_count=F("search_count") + 1,
        updated_at=now,
    )
    pack.refresh_from_db()
    return pack

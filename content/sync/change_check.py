"""Whether an incremental sync must re-read the whole library list, decided from cheap signals.

Radarr's GET /movie is unpaged and costs about 2 KB of JSON a movie (4.5 MB for
2,000), Sonarr's GET /series about 3 KB a series; most 15-minute syncs find
nothing changed. So before the list, an incremental sync asks what did:

* **daily reconciliation**: the whole list was last read a day ago (or never):
  read it; this catches what no signal below sees (a title or tag edited, a
  movie added with its file already on disk, the app's own lastSearchTime);
* **webhook**: an Added webhook arrived since the list was read (adding an
  item writes no history): read it;
* **wanted totals**: totalRecords of /wanted/missing and /wanted/cutoff
  (monitored, one record a page) differ from the last read: read it. These
  move when a monitored item is added, removed, (un)monitored, gains or loses
  a file, changes quality profile, or (Sonarr) when an episode airs; an app
  without the endpoints (Radarr before 5.6) cannot tell, so its list is read;
* **count**: where an endpoint counts the library cheaply (Whisparr v3's
  /movie/list of ids), a count unlike the mirror's: read it;
* **history**: file events (imported, renamed, deleted) newer than the last
  event id acted on name single items: those are re-read alone (GET
  /movie/{id}, GET /series/{id} and its episodes), or the list when they are
  many; history that cannot be read means the list;
* **release dates** (movies): a mirrored movie not yet available whose
  cinema, digital, physical or release date (or cinema date + 90 days, the
  app's fallback) passed since the last sync may have become available
  without any event: it is re-read alone.

The signals are read before any listing, so a change that lands while the
sync runs is either in what it reads or moves a signal for the next run.
Details and figures: docs/arr-api.md section 4 and benchmarks/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from connectors.common.errors import ArrError, AuthenticationError
from connectors.common.types import WantedTotals
from content.models import Movie, SyncState
from content.sync.common import SyncStats
from content.sync.library import items_with_file_events

#: The whole list is read at least this often, whatever the signals say.
RECONCILE_EVERY = timedelta(hours=24)
#: More changed items than this are read with the list: one request instead of many.
SINGLE_READ_LIMIT = 25
#: Radarr counts a movie with no digital or physical date as released this long after cinemas.
CINEMA_TO_RELEASE = timedelta(days=90)


@dataclass
class ChangePlan:
    """What an incremental sync reads: the whole list, or only ``items`` (arr ids)."""

    full_list: bool = False
    reasons: list[str] = field(default_factory=list)
    items: set[int] = field(default_factory=set)
    totals: WantedTotals | None = None
    count: int | None = None

    def need_list(self, reason: str) -> None:
        self.full_list = True
        self.reasons.append(reason)


def plan_incremental(
    *,
    connector_id: int,
    client,
    state: SyncState,
    history_since: datetime | None,
    now: datetime,
    stats: SyncStats,
) -> ChangePlan:
    """Read the cheap signals of one connector and decide what its incremental sync reads."""
    plan = ChangePlan()
    _read_counts(plan, client=client, stats=stats)
    if state.library_listed_at is None or now - state.library_listed_at >= RECONCILE_EVERY:
        plan.need_list("daily reconciliation")
    if state.list_requested_at is not None:
        plan.need_list("an Added webhook")
    _compare_counts(plan, state=state, connector_id=connector_id, movies=_movies(client))
    if history_since is None:
        plan.need_list("no earlier sync to read history from")
    else:
        changed = items_with_file_events(client, history_since, state.last_history_id, stats)
        if changed is None:
            plan.need_list("history not readable")
        else:
            plan.items |= changed
    if _movies(client) and state.history_since is not None:
        plan.items |= _movies_maybe_released(connector_id, state.history_since, now)
    if not plan.full_list and len(plan.items) > SINGLE_READ_LIMIT:
        plan.need_list(f"{len(plan.items)} items changed")
    return plan


def _movies(client) -> bool:
    return client.shape == "movies"


def _read_counts(plan: ChangePlan, *, client, stats: SyncStats) -> None:
    """The wanted totals and (where cheap) the library count; a failure means the list."""
    try:
        plan.totals = client.wanted_totals()
        if _movies(client):
            plan.count = client.library_count()
    except ArrError as exc:
        if isinstance(exc, AuthenticationError):
            raise
        stats.notes.append(f"change signals not read: {exc}")
        plan.totals = plan.count = None
        plan.need_list("change signals not readable")


def _compare_counts(plan: ChangePlan, *, state: SyncState, connector_id: int, movies: bool) -> None:
    if plan.totals is None:
        if not plan.full_list:
            plan.need_list("no /wanted totals to compare")
    elif (state.wanted_missing_total, state.wanted_cutoff_total) != (
        plan.totals.missing,
        plan.totals.cutoff,
    ):
        plan.need_list(
            f"wanted totals {state.wanted_missing_total}/{state.wanted_cutoff_total}"
            f" -> {plan.totals.missing}/{plan.totals.cutoff}"
        )
    if movies and plan.count is not None:
        mirrored = Movie.objects.filter(connector_id=connector_id).count()
        if mirrored != plan.count:
            plan.need_list(f"library count {mirrored} -> {plan.count}")


def _movies_maybe_released(connector_id: int, since: datetime, now: datetime) -> set[int]:
    """Movies not available when mirrored whose release dates passed in (since, now]."""
    crossed = Q()
    for column in ("in_cinemas", "digital_release", "physical_release", "release_date"):
        crossed |= Q(**{f"{column}__gt": since, f"{column}__lte": now})
    crossed |= Q(in_cinemas__gt=since - CINEMA_TO_RELEASE, in_cinemas__lte=now - CINEMA_TO_RELEASE)
    return set(
        Movie.objects.filter(crossed, connector_id=connector_id, is_available=False).values_list(
            "arr_id", flat=True
        )
    )

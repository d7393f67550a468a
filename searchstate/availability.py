"""When an episode counts as aired and a movie as available (pure functions).

Searches sent through the API skip the *arr's own monitored and availability
checks (docs/arr-api.md section 5), so these gates are ours to get right. All
datetimes are timezone-aware; naive values are refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from connectors.common.availability import radarr_available_from as available_from_dates
from searchstate.reasons import Reason


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def episode_aired_at(
    *, air_date_utc: datetime | None, release_date: date | None
) -> datetime | None:
    """The moment an episode counts as aired, or None when unknown (TBA).

    Whisparr v2 scenes have only a release date (no time, no zone). A date is
    taken as aired at the end of that day in UTC, so a scene is never searched
    before its date has begun everywhere that matters.
    """
    if air_date_utc is not None:
        return _aware(air_date_utc, "air_date_utc")
    if release_date is not None:
        return datetime.combine(release_date + timedelta(days=1), time.min, tzinfo=UTC)
    return None


def aired_reason(aired_at: datetime | None, *, now: datetime, grace: timedelta) -> Reason:
    """SELECTED when aired at least ``grace`` ago; else NOT_AIRED or IN_GRACE_PERIOD."""
    _aware(now, "now")
    _aware(aired_at, "aired_at")
    if aired_at is None or aired_at > now:
        return Reason.NOT_AIRED
    if now - aired_at < grace:
        return Reason.IN_GRACE_PERIOD
    return Reason.SELECTED


@dataclass(frozen=True)
class MovieDates:
    """What availability depends on; field names follow the mirror's Movie."""

    status: str  # tba | announced | inCinemas | released | deleted
    minimum_availability: str  # announced | inCinemas | released ("" for Whisparr v3)
    in_cinemas: datetime | None = None
    digital_release: datetime | None = None
    physical_release: datetime | None = None
    #: What the *arr reported, or None when the version does not send isAvailable.
    is_available: bool | None = None


def radarr_available_from(movie: MovieDates) -> datetime | None:
    """Radarr's own rule (Movie.IsAvailable) for when a movie becomes available.

    The rule lives beside the mapper (connectors.common.availability), which
    applies it when an app version sends no isAvailable; this checks the dates
    are timezone-aware and delegates.
    """
    return available_from_dates(
        minimum_availability=movie.minimum_availability,
        in_cinemas=_aware(movie.in_cinemas, "in_cinemas"),
        digital_release=_aware(movie.digital_release, "digital_release"),
        physical_release=_aware(movie.physical_release, "physical_release"),
    )


def movie_reason(movie: MovieDates, *, now: datetime) -> Reason:
    """SELECTED when the movie is available to search, NOT_AVAILABLE otherwise.

    The *arr's isAvailable is trusted when it sent one; older versions get it
    recomputed with Radarr's rule. Either way a movie whose status is tba or
    deleted is refused: Radarr calls a tba movie with minimumAvailability
    "announced" available, but no indexer has a release for a film without
    even a date, so searching it only spends budget.
    """
    _aware(now, "now")
    if movie.status in ("tba", "deleted"):
        return Reason.NOT_AVAILABLE
    if movie.is_available is not None:
        return Reason.SELECTED if movie.is_available else Reason.NOT_AVAILABLE
    available_from = radarr_available_from(movie)
    if available_from is None or available_from > now:
        return Reason.NOT_AVAILABLE
    return Reason.SELECTED


def movie_released(
    *,
    status: str,
    digital_release: datetime | None,
    physical_release: datetime | None,
    now: datetime,
) -> bool:
    """True once a movie is out for home viewing: status "released" or a past
    digital or physical release. Being available (Radarr's minimum-availability
    rule) is weaker: an announced or in-cinemas movie may be available, yet
    indexers rarely have a release of it, so priority ranks it last.
    """
    if status == "released":
        return True
    return any(d is not None and d <= now for d in (digital_release, physical_release))

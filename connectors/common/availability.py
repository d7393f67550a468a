"""Radarr's availability rule, for app versions that do not send isAvailable.

Radarr computes ``isAvailable`` itself (Movie.IsAvailable) from the movie's
minimumAvailability and release dates; the mapper uses this only when the
resource lacks the field, so the mirror never has to guess "unavailable".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Radarr uses this when only inCinemas is known: the film counts as released 90 days later.
CINEMA_TO_RELEASE = timedelta(days=90)


def radarr_available_from(
    *,
    minimum_availability: str,
    in_cinemas: datetime | None,
    digital_release: datetime | None,
    physical_release: datetime | None,
) -> datetime | None:
    """When Radarr's rule makes a movie available; None means never (no date known).

    announced/tba: at once. inCinemas: the cinema date. released (and the
    fallback for inCinemas without a date): the earlier of digital and physical
    release, else 90 days after cinemas.
    """
    if minimum_availability in ("tba", "announced"):
        return datetime.min.replace(tzinfo=UTC)
    if minimum_availability == "inCinemas" and in_cinemas is not None:
        return in_cinemas
    releases = [d for d in (digital_release, physical_release) if d is not None]
    if releases:
        return min(releases)
    if in_cinemas is not None:
        return in_cinemas + CINEMA_TO_RELEASE
    return None

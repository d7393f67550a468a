"""Age of gaps: how long a missing item has been missing, in a few named buckets."""

from __future__ import annotations

#: (upper bound in days, exclusive; label), youngest first; None: no upper bound.
AGE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (7, "under a week"),
    (30, "1 to 4 weeks"),
    (182, "1 to 6 months"),
    (365, "6 to 12 months"),
    (5 * 365, "1 to 5 years"),
    (None, "over 5 years"),
)
UNKNOWN = "unknown"
LABELS = (*[label for _, label in AGE_BUCKETS], UNKNOWN)

#: Since when an item has been wanted: it aired (episodes, scenes) or was released (movies).
EPISODE_SINCE = "coalesce(air_date_utc, release_date::timestamptz)"
MOVIE_SINCE = "coalesce(digital_release, physical_release, in_cinemas, release_date, added)"


def age_case(column: str) -> str:
    """A SQL CASE naming the bucket of ``now() - column`` (constant SQL, no parameters)."""
    parts = [f"WHEN {column} IS NULL THEN '{UNKNOWN}'"]
    for days, label in AGE_BUCKETS:
        if days is None:
            parts.append(f"ELSE '{label}'")
        else:
            parts.append(f"WHEN now() - {column} < interval '{days} days' THEN '{label}'")
    return "CASE " + " ".join(parts) + " END"

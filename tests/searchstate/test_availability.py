from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from searchstate.availability import (
    MovieDates,
    aired_reason,
    episode_aired_at,
    movie_reason,
    radarr_available_from,
)
from searchstate.reasons import Reason

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=6)


@pytest.mark.parametrize(
    ("aired", "expected"),
    [
        (None, Reason.NOT_AIRED),  # TBA
        (NOW + timedelta(minutes=1), Reason.NOT_AIRED),
        (NOW, Reason.IN_GRACE_PERIOD),
        (NOW - timedelta(hours=5, minutes=59), Reason.IN_GRACE_PERIOD),
        (NOW - GRACE, Reason.SELECTED),  # exactly the grace period: eligible
        (NOW - timedelta(days=400), Reason.SELECTED),
    ],
)
def test_aired_reason(aired, expected):
    assert aired_reason(aired, now=NOW, grace=GRACE) == expected


def test_air_dates_in_other_timezones_compare_as_instants():
    # 20:00 at UTC-5 is 01:00 UTC the next day: 11 hours before NOW, past the grace period.
    est = timezone(timedelta(hours=-5))
    aired = datetime(2026, 11, 25, 20, 0, tzinfo=est)
    assert aired_reason(aired, now=NOW, grace=GRACE) == Reason.SELECTED
    # 18:00 at UTC+9 on the 26th is 09:00 UTC: 3 hours ago, still in grace.
    jst = timezone(timedelta(hours=9))
    assert aired_reason(datetime(2026, 11, 26, 18, 0, tzinfo=jst), now=NOW, grace=GRACE) == (
        Reason.IN_GRACE_PERIOD
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        aired_reason(datetime(2026, 1, 1), now=NOW, grace=GRACE)
    with pytest.raises(ValueError):
        aired_reason(NOW, now=datetime(2026, 1, 1), grace=GRACE)
    with pytest.raises(ValueError):
        episode_aired_at(air_date_utc=datetime(2026, 1, 1), release_date=None)


def test_zero_grace():
    assert aired_reason(NOW, now=NOW, grace=timedelta(0)) == Reason.SELECTED


@pytest.mark.parametrize(
    ("release", "grace", "expected"),
    [
        # Whisparr v2: a date without time counts from the end of that day (UTC).
        (date(2026, 11, 26), GRACE, Reason.NOT_AIRED),  # today: not over yet
        (date(2026, 11, 25), GRACE, Reason.SELECTED),  # counted from 26th 00:00, 12 h ago
        (date(2026, 11, 25), timedelta(hours=24), Reason.IN_GRACE_PERIOD),
        (date(2027, 1, 1), GRACE, Reason.NOT_AIRED),
    ],
)
def test_whisparr_release_dates(release, grace, expected):
    aired = episode_aired_at(air_date_utc=None, release_date=release)
    assert aired_reason(aired, now=NOW, grace=grace) == expected


def test_air_date_utc_wins_over_release_date():
    aired = episode_aired_at(air_date_utc=NOW, release_date=date(2020, 1, 1))
    assert aired == NOW


def movie(**kw):
    base = {"status": "released", "minimum_availability": "released"}
    base.update(kw)
    return MovieDates(**base)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # The *arr's isAvailable is trusted when sent.
        (movie(is_available=True), Reason.SELECTED),
        (movie(is_available=False), Reason.NOT_AVAILABLE),
        # tba or deleted is never searched, even when the *arr says available.
        (
            movie(status="tba", minimum_availability="announced", is_available=True),
            Reason.NOT_AVAILABLE,
        ),
        (movie(status="deleted", is_available=True), Reason.NOT_AVAILABLE),
        # Recomputed (old Radarr without isAvailable):
        # in cinemas last week, minimum availability "released", no digital/physical date:
        # Radarr waits 90 days after cinemas.
        (
            movie(status="inCinemas", in_cinemas=NOW - timedelta(days=7)),
            Reason.NOT_AVAILABLE,
        ),
        (
            movie(status="released", in_cinemas=NOW - timedelta(days=91)),
            Reason.SELECTED,
        ),
        # ... but minimum availability "inCinemas" makes it available now.
        (
            movie(
                status="inCinemas",
                minimum_availability="inCinemas",
                in_cinemas=NOW - timedelta(days=7),
            ),
            Reason.SELECTED,
        ),
        (
            movie(
                status="announced",
                minimum_availability="inCinemas",
                in_cinemas=NOW + timedelta(days=7),
            ),
            Reason.NOT_AVAILABLE,
        ),
        # released: the earlier of digital and physical.
        (
            movie(
                digital_release=NOW - timedelta(days=1),
                physical_release=NOW + timedelta(days=30),
            ),
            Reason.SELECTED,
        ),
        (movie(physical_release=NOW + timedelta(days=1)), Reason.NOT_AVAILABLE),
        # no date at all: never available
        (movie(status="announced"), Reason.NOT_AVAILABLE),
        # announced minimum: available at once (Radarr's rule)
        (movie(status="announced", minimum_availability="announced"), Reason.SELECTED),
        # Whisparr v3 has no minimumAvailability; it sends isAvailable.
        (movie(minimum_availability="", is_available=True), Reason.SELECTED),
    ],
)
def test_movie_availability(dates, expected):
    assert movie_reason(dates, now=NOW) == expected


def test_radarr_available_from_fallback_is_90_days_after_cinemas():
    cinemas = datetime(2026, 1, 1, tzinfo=UTC)
    assert radarr_available_from(movie(in_cinemas=cinemas)) == cinemas + timedelta(days=90)
    assert radarr_available_from(movie()) is None

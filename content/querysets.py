"""QuerySets that read like the domain: ``Episode.objects.missing().monitored().aired()``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


class SeriesQuerySet(models.QuerySet):
    def for_connector(self, connector) -> SeriesQuerySet:
        return self.filter(connector=connector)

    def monitored(self) -> SeriesQuerySet:
        return self.filter(monitored=True)

    def stale(self) -> SeriesQuerySet:
        """Series whose episodes must be fetched again (statistics changed or a sync failed)."""
        return self.filter(episodes_stale=True)


class _MediaQuerySet(models.QuerySet):
    """Filters shared by episodes and movies: file, cutoff and acquisition state."""

    def for_connector(self, connector):
        return self.filter(connector=connector)

    def missing(self):
        return self.filter(has_file=False)

    def with_file(self):
        return self.filter(has_file=True)

    def cutoff_unmet(self):
        """Has a file whose quality is below the profile's cutoff (quality only, as the *arr)."""
        return self.filter(has_file=True, quality_cutoff_not_met=True)

    def cutoff_met(self):
        return self.filter(has_file=True, quality_cutoff_not_met=False)

    def acquired_since(self, since: datetime):
        """Gained a file at or after ``since`` (searchstate resolves gaps with it)."""
        return self.filter(file_acquired_at__gte=since)

    def cutoff_met_since(self, since: datetime):
        """Met cutoff at or after ``since`` (searchstate resolves upgrades with it)."""
        return self.filter(cutoff_met_at__gte=since)

    def searched_by_arr_since(self, since: datetime):
        return self.filter(last_search_time__gte=since)


class EpisodeQuerySet(_MediaQuerySet):
    def monitored(self) -> EpisodeQuerySet:
        """Monitored at every level: episode, season and series (as Sonarr decides)."""
        season = apps.get_model("content", "Season")
        unmonitored_season = season.objects.filter(
            series=OuterRef("series"), season_number=OuterRef("season_number"), monitored=False
        )
        return self.filter(monitored=True, series__monitored=True).exclude(
            Exists(unmonitored_season)
        )

    def aired(self, *, now: datetime | None = None, grace: timedelta = timedelta(0)):
        """Aired at least ``grace`` ago: airDateUtc, or releaseDate for Whisparr v2 scenes."""
        cutoff = (now or timezone.now()) - grace
        return self.filter(
            Q(air_date_utc__lte=cutoff)
            | Q(air_date_utc__isnull=True, release_date__lte=cutoff.date())
        )

    def unaired(self, *, now: datetime | None = None):
        now = now or timezone.now()
        return self.exclude(
            Q(air_date_utc__lte=now) | Q(air_date_utc__isnull=True, release_date__lte=now.date())
        )

    def in_season(self, series, season_number: int) -> EpisodeQuerySet:
        return self.filter(series=series, season_number=season_number)


class MovieQuerySet(_MediaQuerySet):
    def monitored(self) -> MovieQuerySet:
        return self.filter(monitored=True)

    def available(self) -> MovieQuerySet:
        """Radarr's isAvailable: minimumAvailability reached (release dates and delay)."""
        return self.filter(is_available=True)

    def movies_only(self) -> MovieQuerySet:
        return self.filter(item_type="movie")

    def scenes(self) -> MovieQuerySet:
        return self.filter(item_type="scene")

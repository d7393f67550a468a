"""What the About page shows: versions, where data lives, uptime, updates, where to read more."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime

import django
from django.conf import settings
from django.utils import timezone

from comradarr import update_check, uptime
from comradarr.settings_pages.database import connection_location, server_version
from comradarr.words import counted


@dataclass(frozen=True)
class AboutFacts:
    version: str
    python: str
    django: str
    postgresql: str
    database_embedded: bool
    database_location: str
    data_dir: str
    started_at: datetime
    uptime_seconds: int
    repository_url: str
    readme_url: str
    docs_url: str
    update: update_check.UpdateStatus

    @property
    def uptime_words(self) -> str:
        return duration_words(self.uptime_seconds)


def about_facts() -> AboutFacts:
    started = uptime.started_at()
    embedded, location = connection_location()
    repository = settings.COMRADARR_REPOSITORY_URL
    return AboutFacts(
        version=settings.COMRADARR_VERSION,
        python=platform.python_version(),
        django=django.get_version(),
        postgresql=server_version(),
        database_embedded=embedded,
        database_location=location,
        data_dir=str(settings.DATA_DIR),
        started_at=started,
        uptime_seconds=max(0, int((timezone.now() - started).total_seconds())),
        repository_url=repository,
        readme_url=f"{repository}#readme" if repository else "",
        docs_url=f"{repository}/tree/main/docs" if repository else "",
        update=update_check.update_status(),
    )


def duration_words(seconds: int) -> str:
    """3 days 4 hours, 5 hours 2 minutes, 12 minutes: the two largest units."""
    units = (("day", 86400), ("hour", 3600), ("minute", 60))
    parts = []
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(counted(count, name))
    return " ".join(parts[:2]) or "less than a minute"

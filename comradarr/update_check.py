"""The daily update check: is a newer Comradarr released?

Off by default (AppSettings.update_check). While off, the feed is never
contacted: the daily job looks at the setting first and returns. While on, it
reads UPDATE_FEED_URL (GitHub's "latest release" answer: an object with
``tag_name`` and ``html_url``, or a list of such releases), stores what it
learnt in the ReleaseCheck row (the About page reads it) and emits
``events.update_available`` once per newer version, for the notifications.

A feed that cannot be reached or read leaves a clear error on the row and
never raises: a broken feed must not fail the job over and over.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comradarr import config, events
from comradarr.locks import advisory_lock
from comradarr.models import AppSettings, ReleaseCheck

logger = logging.getLogger(__name__)

#: (connect, read) seconds: the check runs in a worker, but must not hold one for long.
TIMEOUT = (5, 10)
#: A release answer is a few kB; more is not a release feed.
MAX_BYTES = 1_000_000
#: The daily job's function, as django-q2 stores it (ComradarrConfig.ready registers it).
TASK_PATH = "comradarr.update_check.update_check_task"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")


class FeedError(Exception):
    """The feed could not be read; the message is shown on the About page."""


@dataclass(frozen=True)
class Release:
    version: str
    url: str


def version_key(text: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of "1.2.3" or "v1.2", else None (pre-releases, junk)."""
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def is_newer(candidate: str, current: str) -> bool:
    new, old = version_key(candidate), version_key(current)
    return new is not None and old is not None and new > old


def feed_parse(body: bytes) -> Release:
    """The newest release in a feed answer; FeedError says what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FeedError("the release feed did not answer JSON") from None
    if isinstance(data, list):
        data = next(
            (
                r
                for r in data
                if isinstance(r, dict) and not r.get("draft") and not r.get("prerelease")
            ),
            None,
        )
        if data is None:
            raise FeedError("the release feed lists no release")
    if not isinstance(data, dict):
        raise FeedError("the release feed answered something other than a release")
    tag = data.get("tag_name")
    if not isinstance(tag, str) or version_key(tag) is None:
        raise FeedError(f"the release feed's version {str(tag)[:40]!r} is not a version number")
    url = data.get("html_url")
    # Shown as a link on the About page: only an http(s) address, never javascript: or junk.
    if not isinstance(url, str) or config.http_url_problem(url):
        url = ""
    return Release(version=tag.strip().lstrip("v"), url=url[:300])


def feed_fetch(url: str) -> bytes:
    """The feed's body (at most MAX_BYTES); FeedError on any network or HTTP failure."""
    headers = {
        "User-Agent": f"Comradarr/{settings.COMRADARR_VERSION}",
        "Accept": "application/vnd.github+json, application/json",
    }
    try:
        with requests.get(url, headers=headers, timeout=TIMEOUT, stream=True) as response:
            if response.status_code != 200:
                raise FeedError(f"the release feed answered HTTP {response.status_code}")
            body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise FeedError(f"the release feed could not be reached ({type(exc).__name__})") from None
    if len(body) > MAX_BYTES:
        raise FeedError("the release feed's answer is too large")
    return body


def update_check_run() -> ReleaseCheck | None:
    """Check the feed when the setting is on; None (and no request at all) when it is off."""
    if not AppSettings.load().update_check:
        return None
    row = ReleaseCheck.load()
    row.checked_at = timezone.now()
    try:
        if not settings.UPDATE_FEED_URL:
            raise FeedError("no release feed is configured: set UPDATE_FEED_URL")
        release = feed_parse(feed_fetch(settings.UPDATE_FEED_URL))
    except FeedError as exc:
        row.error = str(exc)[:300]
        row.save(update_fields=["checked_at", "error"])
        logger.warning("update check failed", extra={"error": row.error})
        return row
    row.latest_version, row.release_url, row.error = release.version, release.url, ""
    fields = ["checked_at", "latest_version", "release_url", "error"]
    current = settings.COMRADARR_VERSION
    announce = is_newer(release.version, current) and row.announced_version != release.version
    if announce:
        row.announced_version = release.version
        fields.append("announced_version")
    with transaction.atomic():  # the announcement's outbox row commits with the version
        row.save(update_fields=fields)
        if announce:
            events.emit(
                events.update_available, version=release.version, current=current, url=release.url
            )
    return row


def update_check_task() -> str:
    """The daily job (registered by ComradarrConfig.ready): what it did, for the task's result."""
    with advisory_lock("update_check") as acquired:
        if not acquired:
            return "busy"
        row = update_check_run()
    if row is None:
        return "off"
    return f"error: {row.error}" if row.error else f"latest {row.latest_version}"


def update_check_enqueue() -> bool:
    """Enqueue one check now (About's "Check now"); False, and nothing queued, while off."""
    if not AppSettings.load().update_check:
        return False
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(TASK_PATH, task_name="update check (manual)"))
    return True


@dataclass(frozen=True)
class UpdateStatus:
    """What the About page says about updates."""

    enabled: bool
    current: str
    latest: str
    url: str
    checked_at: object  # datetime | None
    error: str

    @property
    def available(self) -> bool:
        return bool(self.latest) and is_newer(self.latest, self.current)


def update_status() -> UpdateStatus:
    row = ReleaseCheck.objects.filter(pk=ReleaseCheck.SINGLETON_PK).first()
    return UpdateStatus(
        enabled=AppSettings.load().update_check,
        current=settings.COMRADARR_VERSION,
        latest=row.latest_version if row else "",
        url=row.release_url if row else "",
        checked_at=row.checked_at if row else None,
        error=row.error if row else "",
    )

"""Usage of each key: requests and errors per hour, and its last requests.

Recorded after every request a valid key made (a refused key has no row to
count against). Cheap: one UPDATE of the hour's counter, one INSERT of the
request; old hours and requests beyond the last RECENT are pruned as they pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from api.models import ApiKey, ApiKeyRequest, ApiKeyUsage

#: Requests kept per key, and hours of counters kept.
RECENT = 50
USAGE_RETENTION = timedelta(days=30)
PATH_MAX = 200


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def record(*, key: ApiKey, method: str, path: str, status: int) -> None:
    now = timezone.now()
    hour = _hour(now)
    error = 1 if status >= 400 else 0
    with transaction.atomic():
        _count(key, hour, error)
        row = ApiKeyRequest.objects.create(
            key=key, at=now, method=method[:10], path=path[:PATH_MAX], status=status
        )
        if row.pk % 10 == 0:  # prune now and then, not on every request
            keep = ApiKeyRequest.objects.filter(key=key).order_by("-id")[RECENT - 1 : RECENT]
            oldest_kept = keep.values_list("id", flat=True).first()
            if oldest_kept:
                ApiKeyRequest.objects.filter(key=key, id__lt=oldest_kept).delete()


def _count(key: ApiKey, hour: datetime, error: int) -> None:
    updated = ApiKeyUsage.objects.filter(key=key, hour=hour).update(
        requests=F("requests") + 1, errors=F("errors") + error
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ApiKeyUsage.objects.create(key=key, hour=hour, requests=1, errors=error)
    except IntegrityError:  # another worker created the hour first
        ApiKeyUsage.objects.filter(key=key, hour=hour).update(
            requests=F("requests") + 1, errors=F("errors") + error
        )
        return
    # A new hour for this key: drop the hours that have aged out.
    ApiKeyUsage.objects.filter(key=key, hour__lt=hour - USAGE_RETENTION).delete()


def last_day(keys: list[ApiKey]) -> dict[int, dict[str, int]]:
    """Requests and errors of each key in the last 24 hours, by key id."""
    since = _hour(timezone.now()) - timedelta(hours=23)
    rows = (
        ApiKeyUsage.objects.filter(key__in=keys, hour__gte=since)
        .values("key")
        .annotate(requests=Sum("requests"), errors=Sum("errors"))
    )
    return {r["key"]: {"requests": r["requests"], "errors": r["errors"]} for r in rows}

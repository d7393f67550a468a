"""Library completion per connector and content type, with a 30-day sparkline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.models import LibrarySnapshot

SPARKLINE_DAYS = 30
#: The sparkline's SVG viewBox is 0 0 WIDTH HEIGHT.
WIDTH, HEIGHT = 100, 24


@dataclass
class CompletionRow:
    connector_id: int
    connector_name: str
    content_type: str
    label: str
    items: int
    have_file: int
    missing: int
    below_cutoff: int
    completion: float | None
    history: list[float] = field(default_factory=list)

    @property
    def sparkline(self) -> str:
        """SVG polyline points of the daily completion (empty with fewer than two days)."""
        if len(self.history) < 2:
            return ""
        step = WIDTH / (len(self.history) - 1)
        return " ".join(
            f"{i * step:.1f},{HEIGHT - value / 100 * HEIGHT:.1f}"
            for i, value in enumerate(self.history)
        )

    @property
    def history_text(self) -> str:
        """The sparkline in words, for screen readers."""
        if len(self.history) < 2:
            return "Not enough history yet."
        return f"{self.history[0]:.1f}% {len(self.history)} days ago, {self.history[-1]:.1f}% now"


def completion_rows(
    *, snapshots: list[LibrarySnapshot], names: dict[int, str], now: datetime | None = None
) -> list[CompletionRow]:
    """One row per latest snapshot, with its daily history (one more query)."""
    now = now or timezone.now()
    labels = dict(LibrarySnapshot.ContentType.choices)
    rows = {
        (s.connector_id, s.content_type): CompletionRow(
            connector_id=s.connector_id,
            connector_name=names.get(s.connector_id, "?"),
            content_type=s.content_type,
            label=labels.get(s.content_type, s.content_type),
            items=s.items,
            have_file=s.have_file,
            missing=s.missing_monitored,
            below_cutoff=s.below_cutoff,
            completion=s.completion,
        )
        for s in snapshots
    }
    if not rows:
        return []
    daily = (
        LibrarySnapshot.objects.filter(bucket__gte=now - timedelta(days=SPARKLINE_DAYS))
        .annotate(day=TruncDate("bucket", tzinfo=UTC))
        .order_by("connector_id", "content_type", "day", "-bucket")
        .distinct("connector_id", "content_type", "day")
        .only("connector_id", "content_type", "have_file", "missing_monitored", "bucket")
    )
    for snap in daily:
        row = rows.get((snap.connector_id, snap.content_type))
        if row is not None and snap.completion is not None:
            row.history.append(snap.completion)
    return sorted(rows.values(), key=lambda r: (r.connector_name.lower(), r.content_type))

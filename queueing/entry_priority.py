"""A queue entry's priority explained as the parts of searchstate's score.

An entry's priority is its best item's score (searchstate.priority, stored on
the registry row with its breakdown when the sweep planned it); a priority set
by hand on the entry (queueing.control.queue_entry_set_priority) is shown as
one more part on the same scale, so the parts always add up to the number the
queue sorts by. One query for every shown entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from queueing.models import RequestQueue, RequestQueueItem
from searchstate.priority import PART_LABELS

ADJUSTED_LABEL = "Set on this entry (or changed since planning)"


@dataclass
class PriorityExplained:
    total: int
    #: (label, signed value) in the score's order; only the parts that move the score.
    parts: list[tuple[str, str]] = field(default_factory=list)
    #: The entry's priority minus its best item's score (a hand-set entry priority).
    adjusted: int = 0
    #: The best item's score (None: no item linked any more, nothing to explain).
    computed: int | None = None
    adjusted_label: str = ADJUSTED_LABEL

    @property
    def adjusted_text(self) -> str:
        return f"{self.adjusted:+d}"


def _explain(entry: RequestQueue, best: dict | None) -> PriorityExplained:
    if best is None:
        return PriorityExplained(total=entry.priority)
    breakdown = best["registry__priority_breakdown"] or {}
    # In the score's own order (jsonb does not keep the order keys were written in).
    names = [n for n in PART_LABELS if n in breakdown] + sorted(set(breakdown) - set(PART_LABELS))
    parts = [
        (PART_LABELS.get(name, name.replace("_", " ")), f"{breakdown[name]:+.0f}")
        for name in names
        if round(breakdown[name])
    ]
    computed = best["registry__priority"]
    return PriorityExplained(
        total=entry.priority,
        parts=parts,
        adjusted=entry.priority - computed,
        computed=computed,
    )


def explain_priorities(entries: list[RequestQueue]) -> None:
    """Set ``entry.priority_explained`` on each entry from its best item (one query)."""
    if not entries:
        return
    best = {
        row["entry_id"]: row
        for row in RequestQueueItem.objects.filter(entry__in=[e.pk for e in entries])
        .order_by("entry_id", "-registry__priority", "pk")
        .distinct("entry_id")
        .values("entry_id", "registry__priority", "registry__priority_breakdown")
    }
    for entry in entries:
        entry.priority_explained = _explain(entry, best.get(entry.pk))

"""Reason codes: why an item was or was not searched.

Every candidate discovery looks at ends with exactly one code. ``SELECTED``
means it went into the plan; every other code names the first gate that
stopped it, in the order :data:`GATE_ORDER` checks them, so "why" always gives
the most fundamental reason (an unmonitored item in cooldown is reported as
unmonitored).
"""

from __future__ import annotations

from django.db import models


class Reason(models.TextChoices):
    SELECTED = "selected", "Selected for search"
    HAS_FILE = "has_file", "Already has a file"
    CUTOFF_MET = "cutoff_met", "Quality cutoff already met"
    UPGRADES_NOT_ALLOWED = "upgrades_not_allowed", "Quality profile does not allow upgrades"
    UNMONITORED = "unmonitored", "Not monitored"
    NOT_AIRED = "not_aired", "Not aired yet (or air date unknown)"
    NOT_AVAILABLE = "not_available", "Not available yet"
    IN_GRACE_PERIOD = "in_grace_period", "Aired too recently (grace period)"
    EXCLUDED = "excluded", "Excluded by the user"
    IN_DOWNLOAD_QUEUE = "in_download_queue", "Already in the download queue"
    EXHAUSTED = "exhausted", "Exhausted (max attempts reached)"
    COOLDOWN = "cooldown", "In cooldown"
    IN_PROGRESS = "in_progress", "Already queued or being searched"
    CONNECTOR_UNUSABLE = "connector_unusable", "Connector unhealthy or disabled"
    BUDGET_USED = "budget_used", "Item limit for this sweep used up"


#: The order gates are checked in; the first one that fails is the reason.
GATE_ORDER: tuple[Reason, ...] = (
    Reason.CONNECTOR_UNUSABLE,
    Reason.HAS_FILE,
    Reason.CUTOFF_MET,
    Reason.UPGRADES_NOT_ALLOWED,
    Reason.UNMONITORED,
    Reason.NOT_AIRED,
    Reason.NOT_AVAILABLE,
    Reason.IN_GRACE_PERIOD,
    Reason.EXCLUDED,
    Reason.IN_DOWNLOAD_QUEUE,
    Reason.EXHAUSTED,
    Reason.IN_PROGRESS,
    Reason.COOLDOWN,
    Reason.BUDGET_USED,
)


def first_reason(failed: set[Reason] | frozenset[Reason]) -> Reason:
    """The reason to report for an item that failed ``failed`` gates (SELECTED if none)."""
    for reason in GATE_ORDER:
        if reason in failed:
            return reason
    return Reason.SELECTED

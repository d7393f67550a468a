"""The vocabulary of search state: states, search types, failure categories.

Kept free of models so the pure modules (transitions, priority, planning rules)
and the models share one definition.
"""

from __future__ import annotations

from django.db import models


class SearchState(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    SEARCHING = "searching", "Searching"
    COOLDOWN = "cooldown", "Cooldown"
    FAILED = "failed", "Failed"
    EXHAUSTED = "exhausted", "Exhausted"


class SearchType(models.TextChoices):
    GAP = "gap", "Gap (missing)"
    UPGRADE = "upgrade", "Upgrade (cutoff not met)"


class FailureCategory(models.TextChoices):
    NO_RESULTS = "no_results", "No results"
    INDEXER_ERROR = "indexer_error", "Indexer error"
    RATE_LIMITED = "rate_limited", "Rate limited"
    TIMEOUT = "timeout", "Timeout"
    CONNECTOR_ERROR = "connector_error", "Connector error"


class PackOutcome(models.TextChoices):
    """What the last season-pack search for a season achieved."""

    GRABBED = "grabbed", "Grabbed"
    NO_RESULTS = "no_results", "No results"
    FAILED = "failed", "Failed"


#: States in which a row is part of a live plan or search.
LIVE_STATES = frozenset({SearchState.QUEUED, SearchState.SEARCHING})

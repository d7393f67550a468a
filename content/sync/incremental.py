"""Incremental sync: re-read only what the cheap signals say has changed."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from content.models import SyncState
from content.sync.change_check import plan_incremental
from content.sync.common import Progress, SyncStats, no_progress
from content.sync.library import sync_movie_library, sync_series_library
from content.sync.partial import sync_movies_by_id, sync_series_by_id

logger = logging.getLogger(__name__)


def incremental_sync(
    *,
    connector,
    client,
    state: SyncState,
    history_since: datetime | None,
    progress: Progress = no_progress,
    stats: SyncStats | None = None,
) -> SyncStats:
    """Read the change signals, then the whole list only when one says so.

    Otherwise only the items history (or a passed release date) names are
    re-read, one request each, with the episodes of their series and of any
    series an earlier run left stale. When the list is read, a series is
    re-read when the upsert saw its statistics or seasons change, or history
    named it; movies are diffed in the database. See content.sync.change_check.
    """
    stats = stats if stats is not None else SyncStats()
    plan = plan_incremental(
        connector_id=connector.pk,
        client=client,
        state=state,
        history_since=history_since,
        now=timezone.now(),
        stats=stats,
    )
    stats.wanted_totals = plan.totals
    movies = client.shape == "movies"
    if plan.full_list:
        stats.listed = True
        if movies:
            sync_movie_library(
                connector_id=connector.pk, client=client, stats=stats, progress=progress
            )
        else:
            sync_series_library(
                connector_id=connector.pk,
                client=client,
                full=False,
                changed=plan.items,
                stats=stats,
                progress=progress,
            )
    elif movies:
        sync_movies_by_id(connector_id=connector.pk, client=client, arr_ids=plan.items, stats=stats)
    else:
        sync_series_by_id(
            connector_id=connector.pk,
            client=client,
            arr_ids=plan.items,
            stats=stats,
            progress=progress,
        )
    logger.info(
        "incremental sync plan",
        extra={
            "connector": connector.name,
            "whole_list": plan.full_list,
            "reasons": "; ".join(plan.reasons),
            "items": len(plan.items),
        },
    )
    return stats

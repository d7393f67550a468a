"""Narrow filters: few episodes, found on a partial index, sorted instead of walked.

A filter the walks check item by item costs a walk of the whole library when
it keeps few items (cutoff unmet and not monitored: all 500,000 episodes). For
the filters a partial index narrows (missing, cutoff unmet, not aired), the
page's statement counts their candidates on it first and, when there are at
most :data:`GATHER_LIMIT`, sorts them by the reference order instead.
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from connectors.models import Connector
from content.models import Episode
from searchstate.item_states import ItemState
from searchstate.reasons import Reason
from web.browse_filters import filtered, model_for, sort_keys
from web.browse_query import BrowseQuery
from web.browse_series_walk import Gather, after
from web.library import Filter

#: Up to this many candidates, a narrow filter's episodes are sorted instead of walked.
GATHER_LIMIT = 20_000


def narrow_condition(query: BrowseQuery, now: datetime) -> Q | None:
    """An indexed condition every episode the filters keep meets, when it may be few of them."""
    if query.filter == Filter.MISSING:
        return Q(has_file=False)
    if query.filter == Filter.CUTOFF:
        return Q(has_file=True, quality_cutoff_not_met=True)
    if query.state == ItemState.NOT_ELIGIBLE and query.reason == Reason.NOT_AIRED:
        # Not aired comes after "cutoff met" among the reasons: no file, or one below cutoff
        # (each a partial index by air date); a Whisparr scene without one has a release date.
        files = ({"has_file": False}, {"has_file": True, "quality_cutoff_not_met": True})
        return reduce(
            or_,
            (
                Q(**file, **air)
                for file in files
                for air in ({"air_date_utc__gt": now}, {"air_date_utc__isnull": True})
            ),
        )
    return None


def gather_for(connector: Connector, query: BrowseQuery, now: datetime) -> Gather | None:
    """For a narrow filter of episodes: its candidates, and its page by the reference sort."""
    narrow = narrow_condition(query, now) if model_for(query.kind) is Episode else None
    if narrow is None:
        return None
    # Missing and cutoff unmet filter on their partial index's condition itself: their
    # candidates are counted from the index alone, and the filters sort them.
    in_filters = query.filter in (Filter.MISSING, Filter.CUTOFF)
    found = Episode.objects.filter(connector=connector).filter(narrow).order_by()
    column = F("connector_id" if in_filters else "pk")
    candidates = found.values(cand_id=column)[: GATHER_LIMIT + 1].query.sql_with_params()
    keys = sort_keys(Episode, query.sort, now)
    names = [n for n, _, _ in keys]

    def page_sql(cursor, descending: bool, limit: int) -> tuple[str, tuple]:
        """The episodes the filters keep, sorted by the reference order (their keys)."""
        picked = filtered(connector, query, now=now)
        if not in_filters:
            # The candidates, not the narrow condition: implied by the filters, the planner
            # would count it twice and, expecting one row, join the series by scanning them.
            picked = picked.filter(pk__in=RawSQL("SELECT cand_id FROM candidates", ()))
        picked = picked.annotate(**{n: e for n, e, _ in keys})
        if cursor:
            picked = picked.filter(after(names, cursor, descending=descending))
        order = [("-" if descending else "") + n for n in [*names, "pk"]]
        picked = picked.order_by(*order).values(*names, item_id=F("pk"))[:limit]
        return picked.query.sql_with_params()

    return Gather(candidates=candidates, most=GATHER_LIMIT, page_sql=page_sql)

"""The *arr's download queue, as the set of item ids discovery must leave alone."""

from __future__ import annotations

from connectors.models import Connector


def downloading_arr_ids(connector: Connector) -> frozenset[int]:
    """*arr ids of the episodes or movies in the connector's download queue (HTTP, paged).

    Call it outside any database transaction; discovery takes the result as
    plain data so it stays testable without HTTP.
    """
    from connectors.registry import client_for

    ids: set[int] = set()
    for item in client_for(connector).queue_items():
        arr_id = item.movie_arr_id if item.movie_arr_id is not None else item.episode_arr_id
        if arr_id is not None:
            ids.add(arr_id)
    return frozenset(ids)

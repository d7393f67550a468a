"""Every request to an *arr app, announced once it is done: who, which endpoint, status, time.

HttpClient._send_once calls ``request_done`` for every attempt (a retry is a
request of its own). Listeners (analytics) connect to ``request_timed``;
connectors knows nothing of them. The endpoint is the path as a template
(``/api/v3/command/{id}``): never the query string, never a number or key from
the path, so the listener's keys stay few and free of secrets. A request of a
client not bound to a saved connector (a connection test before saving) is
not announced: there is nothing to count it against.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from django.dispatch import Signal

from connectors.common.errors import ArrTimeoutError

if TYPE_CHECKING:
    from connectors.common.http import HttpClient

#: connector_id (int), method (str), endpoint (str: a path template), status (str: the HTTP
#: status code, or "timeout" / "no_answer" when none came), duration_ms (float)
request_timed = Signal()

#: A path segment kept as it is: a word of the API ("api", "v3", "episodefile", "queue").
_WORD = re.compile(r"[A-Za-z][A-Za-z_\-]{0,39}\d?")
#: Longest endpoint template kept; anything longer is cut (the listener's column is 120).
MAX_ENDPOINT = 120


def endpoint_template(path: str) -> str:
    """``/api/v3/episode/123?x=1`` -> ``/api/v3/episode/{id}``: words kept, the rest {id}."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s if not s or _WORD.fullmatch(s) else "{id}" for s in path.split("/")]
    return "/".join(segments)[:MAX_ENDPOINT] or "/"


def status_of(answered: int | None, failure: Exception | None) -> str:
    if answered is not None:
        return str(answered)
    if isinstance(failure, ArrTimeoutError):
        return "timeout"
    return "no_answer"


def request_done(
    client: HttpClient,
    method: str,
    path: str,
    started: float,
    answered: int | None,
    failure: Exception | None,
) -> None:
    """Announce one finished request (cheap when nobody listens: Django caches that)."""
    if client.connector_id is None:
        return
    request_timed.send_robust(
        sender=None,
        connector_id=client.connector_id,
        method=method,
        endpoint=endpoint_template(path),
        status=status_of(answered, failure),
        duration_ms=(time.monotonic() - started) * 1000,
    )

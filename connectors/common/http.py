"""The one HTTP choke point for every call to an *arr app.

Everything that talks to Sonarr, Radarr or Whisparr goes through HttpClient:
API key in the X-Api-Key header (never in a URL), a timeout on every request,
a pooled session, bounded retries with exponential backoff and jitter for the
failures whose policy allows one (connectors.common.errors.may_retry), and a
cap on every answer's size. Its helpers, one job each: connectors.common.query
(query strings), .transport (connection failures, the bounded body read),
.answers (status and body -> JSON or a typed error), .listings (JSON arrays of
any size) and .json_stream (the streaming JSON list reader under them).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

import comradarr
from comradarr.logs import redact
from connectors.common import answers, listings, timing, transport
from connectors.common.errors import ArrError, BadResponseError, may_retry
from connectors.common.netguard import GuardedAdapter
from connectors.common.query import Params, encode_params
from connectors.common.urls import normalize_base_url

logger = logging.getLogger("connectors.http")

USER_AGENT = f"Comradarr/{comradarr.__version__}"
#: A page of a paged endpoint may be this big per record asked for (records are a few KB).
PAGE_RECORD_BYTES = 32 * 1024


def display_url(base_url: str) -> str:
    """The base URL as shown to people: without user:password@."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class HttpClient:
    """Sends requests to one *arr instance. One per connector; not shared across threads
    (``clone()`` makes another for a second thread)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        app_label: str = "*arr app",
        timeout: float = 30,
        verify_ssl: bool = True,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 30,
        max_response_bytes: int = transport.DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
        connector_id: int | None = None,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self.base_url = normalize_base_url(base_url)  # connectors.common.urls owns the rule
        self.api_key = api_key or ""
        self.app_label = app_label
        self.timeout = float(timeout)
        self.verify_ssl = verify_ssl
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_response_bytes = max_response_bytes
        self.request_count = 0
        # Whose requests these are, for connectors.common.timing (None: not a saved connector).
        self.connector_id = connector_id
        # Injectable so tests (and callers with their own pacing) never really wait.
        self.sleep: Callable[[float], None] = time.sleep
        self.random: random.Random = random.Random()
        self.session = session or self._new_session()
        self._verify = _verify(verify_ssl)
        self.display_base = display_url(self.base_url)  # without user:password@
        self.where = f"{self.app_label} at {self.scrub(self.display_base)}"

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        # requests re-reads the proxy variables, no_proxy and ~/.netrc on every
        # request when trust_env is on (~0.3 ms each, thousands per sync): read
        # the proxies once here instead. The CA bundle variables are honoured
        # by _verify(); netrc is not needed (the API key is the credential).
        session.trust_env = False
        session.proxies = requests.utils.get_environ_proxies(self.base_url)
        # GuardedAdapter: connectors.common.netguard decides which addresses may be reached.
        adapter = GuardedAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def clone(self) -> HttpClient:
        """A client with the same settings and pacing but a session of its own, for
        another thread. Its request_count starts at zero."""
        twin = HttpClient(
            self.base_url,
            self.api_key,
            app_label=self.app_label,
            timeout=self.timeout,
            verify_ssl=self.verify_ssl,
            max_retries=self.max_retries,
            backoff_base=self.backoff_base,
            backoff_cap=self.backoff_cap,
            max_response_bytes=self.max_response_bytes,
            connector_id=self.connector_id,
        )
        twin.sleep = self.sleep
        return twin

    def close(self) -> None:
        self.session.close()

    # ----------------------------------------------------------------- public API

    def get(self, path: str, params: Params = None, *, max_bytes: int | None = None) -> Any:
        """GET and parse JSON; an answer over ``max_bytes`` (default: the client's cap)
        raises ResponseTooLargeError."""
        return self.request("GET", path, params=params, max_bytes=max_bytes)

    def post(self, path: str, json: Any, *, max_bytes: int | None = None) -> Any:
        return self.request("POST", path, json_body=json, max_bytes=max_bytes)

    def get_ping(self) -> dict:
        """GET /ping (anonymous, outside /api); {"status": "OK"} when the app is up."""
        body = self.get("/ping")
        if not isinstance(body, dict):
            raise BadResponseError(
                f"{self.where} answered /ping with something other than a status object: "
                "is the URL right?"
            )
        return body

    def get_list(self, path: str, params: Params = None, *, kind: str) -> list[dict]:
        """GET a listing (a JSON array of objects) of any size: read whole when it ends
        within ``max_response_bytes``, streamed past that with a bound per element
        (connectors.common.json_stream), so no cap on the whole."""
        response = self.request("GET", path, params=params, stream=True)
        try:
            return listings.read_list(
                self, response, self.scrub(path), kind, self.max_response_bytes
            )
        finally:
            response.close()

    def get_list_stream(self, path: str, params: Params = None, *, kind: str) -> Iterator[dict]:
        """GET a JSON array and yield its objects as they arrive, parsed incrementally.

        For listings too big to hold whole (Radarr's unpaged /movie): the body
        is never in memory at once (connectors.common.json_stream). The request
        and its retries are the same as get(); once items flow, a cut
        connection, truncated or malformed JSON, an element past the reader's
        bound, or a body that is not an array of objects raises
        BadResponseError, so a caller deletes nothing on the strength of it.
        """
        response = self.request("GET", path, params=params, stream=True)
        try:
            yield from listings.stream_objects(self, response, self.scrub(path), kind)
        finally:
            response.close()

    def paged(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = 1000,
        sort_key: str,
        sort_direction: str = "ascending",
    ) -> Iterator[dict]:
        """Yield every record of a paged endpoint, one page at a time.

        Always sends page, pageSize, sortKey and sortDirection: without
        sortDirection the apps sort descending whatever the endpoint default
        (docs/arr-api.md section 1). A page that is malformed, or short before
        totalRecords is reached, raises BadResponseError so no caller acts
        on a cut listing.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if sort_direction not in ("ascending", "descending"):
            raise ValueError("sort_direction must be 'ascending' or 'descending'")
        base = [(k, v) for k, v in encode_params(params) if k not in _PAGING_KEYS]
        page = 1
        seen = 0
        while True:
            body = self.get(
                path,
                [
                    *base,
                    ("page", str(page)),
                    ("pageSize", str(page_size)),
                    ("sortKey", sort_key),
                    ("sortDirection", sort_direction),
                ],
                max_bytes=max(self.max_response_bytes, page_size * PAGE_RECORD_BYTES),
            )
            records, total = self._page_parts(path, page, body)
            yield from records
            seen += len(records)
            if seen >= total:
                return
            if len(records) < page_size:
                raise BadResponseError(
                    f"{self.where} sent a short page {page} of {path} "
                    f"({len(records)} of {page_size} records, {seen} of {total} in all): "
                    "the listing is incomplete, so it was not used."
                )
            page += 1

    def total_records(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        sort_key: str,
        sort_direction: str = "ascending",
    ) -> int:
        """A paged endpoint's totalRecords, read with one record a page: the apps count
        the whole filtered set whatever the page size (docs/arr-api.md section 1)."""
        base = [(k, v) for k, v in encode_params(params) if k not in _PAGING_KEYS]
        body = self.get(
            path,
            [
                *base,
                ("page", "1"),
                ("pageSize", "1"),
                ("sortKey", sort_key),
                ("sortDirection", sort_direction),
            ],
        )
        total = self._page_parts(path, 1, body)[1]
        if total > INT32_MAX:  # an int32 in every spec; larger is no count an app sends
            raise BadResponseError(
                f"{self.where} answered {path} with an impossible totalRecords ({total})."
            )
        return total

    def _page_parts(self, path: str, page: int, body: Any) -> tuple[list[dict], int]:
        if not isinstance(body, dict):
            raise BadResponseError(
                f"{self.where} answered {path} page {page} with a {type(body).__name__} "
                "instead of a paging object."
            )
        records = body.get("records")
        total = body.get("totalRecords")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise BadResponseError(
                f"{self.where} answered {path} page {page} without a valid 'records' list."
            )
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BadResponseError(
                f"{self.where} answered {path} page {page} without a valid 'totalRecords'."
            )
        return records, total

    # ------------------------------------------------------------ request engine

    def url_for(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def scrub(self, text: str) -> str:
        """Remove the API key from any text (URLs, bodies, messages), then mask credentials."""
        if self.api_key:
            text = text.replace(self.api_key, "***")
        return redact(text)

    def reason(self, exc: Exception) -> str:
        """An exception as a short, scrubbed phrase for an error message."""
        reason = str(exc) or type(exc).__name__
        return self.scrub(reason[:300])

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        stream: bool = False,
        max_bytes: int | None = None,
        accept: str = "application/json",
    ) -> Any:
        """Send one logical request (with its retries); return the parsed JSON (None if empty).

        With ``stream``, a 2xx answer is returned as the unread Response (the
        caller bounds what it reads); otherwise the body is read up to
        ``max_bytes`` (default: ``max_response_bytes``). ``accept`` is the Accept
        header (images ask for image/*; errors still come back as JSON).
        """
        if not path.startswith("/"):
            path = "/" + path
        url = self.url_for(path)
        query = encode_params(params)
        if any(key.lower() == "apikey" for key, _ in query):
            raise ValueError("the API key travels in the X-Api-Key header only, never in a URL")
        limit = self.max_response_bytes if max_bytes is None else max_bytes
        attempt = 0
        while True:
            try:
                return self._send_once(method, url, path, query, json_body, stream, limit, accept)
            except ArrError as error:
                # The error's policy decides (connectors.common.errors.may_retry).
                if not may_retry(error, method=method):
                    raise
                if attempt >= self.max_retries:
                    logger.debug(
                        "%s %s: giving up after %d attempts: %s",
                        method,
                        self.scrub(path),
                        attempt + 1,
                        error,
                    )
                    raise error from None
                delay = self.backoff_delay(attempt, error.retry_after)
                logger.debug(
                    "%s %s: %s; retry %d of %d in %.2fs",
                    method,
                    self.scrub(path),
                    error,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
                attempt += 1
                self.sleep(delay)

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before retry number attempt+1.

        Retry-After wins when the server sent it (capped at backoff_cap);
        otherwise exponential backoff with "equal jitter": a delay in
        [d/2, d] where d = min(cap, base * 2**attempt), so retries from many
        workers spread out but never collapse to zero.
        """
        if retry_after is not None:
            return min(self.backoff_cap, max(0.0, retry_after))
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return ceiling / 2 + self.random.uniform(0, ceiling / 2)

    def _send_once(
        self,
        method: str,
        url: str,
        path: str,
        query: list[tuple[str, str]],
        json_body: Any,
        stream: bool,
        max_bytes: int,
        accept: str = "application/json",
    ) -> Any:
        shown = self.scrub(path)
        transport.log_request(self, method, path, query, json_body)
        started = time.monotonic()
        self.request_count += 1
        answered: int | None = None  # the status code, once an answer came
        failure: ArrError | None = None
        try:
            with transport.failures_as_arr_errors(self, shown):
                response = self.session.request(
                    method,
                    url,
                    params=query or None,
                    json=json_body,
                    headers={
                        "X-Api-Key": self.api_key,
                        "Accept": accept,
                        "User-Agent": USER_AGENT,
                    },
                    timeout=self.timeout,
                    verify=self._verify,
                    # A redirect would carry the X-Api-Key header to wherever it points.
                    allow_redirects=False,
                    # Always streamed, so no answer is read past its cap.
                    stream=True,
                )
                answered = response.status_code
                if stream and 200 <= response.status_code < 300:
                    return response
                content = transport.read_body(self, response, shown, max_bytes)
            transport.log_response(self, method, shown, response, content, started)
            return answers.interpret(self, response, content, shown)
        except ArrError as error:
            failure = error
            raise
        finally:
            # Every attempt, answered or not, timed for whoever listens (analytics).
            timing.request_done(self, method, path, started, answered, failure)


INT32_MAX = 2**31 - 1
_PAGING_KEYS = frozenset({"page", "pageSize", "sortKey", "sortDirection"})


def _verify(verify_ssl: bool) -> bool | str:
    """requests' verify argument: the CA bundle variables apply as with trust_env."""
    if not verify_ssl:
        return False
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

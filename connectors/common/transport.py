"""Sending one request: what a failure of the connection means, a bounded body, the logs.

``failures_as_arr_errors`` turns the requests library's exceptions into the
typed errors of connectors.common.errors (saying whether the request may have
reached the app); ``read_body`` reads an answer up to a size cap, so a broken
or hostile URL cannot fill a worker's memory.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import requests

from comradarr.logs import TRACE
from connectors.common.errors import (
    ArrTimeoutError,
    BadResponseError,
    ClientRequestError,
    ConnectionSetupError,
    ResponseTooLargeError,
    UnreachableError,
)

if TYPE_CHECKING:
    from connectors.common.http import HttpClient

logger = logging.getLogger("connectors.http")
TRACE_BODY_LIMIT = 20_000

MB = 1024 * 1024
#: Cap on any answer that is not a streamed listing: the apps' single resources,
#: statuses and command answers are a few KB.
DEFAULT_MAX_BYTES = 8 * MB
#: Bytes read from the socket at a time.
READ_CHUNK = 256 * 1024


@contextmanager
def failures_as_arr_errors(client: HttpClient, shown: str) -> Iterator[None]:
    """Raise the typed error for any failure of the connection inside the block."""
    try:
        yield
    except requests.exceptions.SSLError as exc:
        raise ConnectionSetupError(
            f"{client.where} is not reachable: the TLS/SSL certificate was refused "
            f"({client.reason(exc)}). For a self-signed certificate, turn off SSL "
            "verification for this connector.",
            reached_app=False,
        ) from None
    except requests.exceptions.ConnectTimeout:
        raise ArrTimeoutError(
            f"{client.where} did not accept a connection within {client.timeout:g} s: "
            "is the host up and the port right?",
            reached_app=False,
        ) from None
    except requests.exceptions.Timeout:
        raise ArrTimeoutError(
            f"{client.where} did not answer within {client.timeout:g} s."
        ) from None
    except requests.exceptions.ConnectionError as exc:
        raise connection_error(client, exc) from None
    except (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    ) as exc:
        # Content-length or chunking mismatch while reading: the answer was cut off.
        raise BadResponseError(
            f"{client.where} sent an incomplete answer for {shown} ({client.reason(exc)})."
        ) from None
    except requests.exceptions.InvalidHeader:
        raise ClientRequestError(
            f"The API key for {client.where} contains characters that cannot be sent "
            "(a space or line break pasted with it?): copy it again."
        ) from None
    except requests.exceptions.RequestException as exc:
        raise ConnectionSetupError(
            f"{client.where} could not be asked for {shown} ({client.reason(exc)})."
        ) from None


def connection_error(client: HttpClient, exc: Exception) -> UnreachableError:
    """Refused / DNS failures happen before sending (reached_app=False): safe to retry."""
    text = repr(exc)
    if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
        reason, sent = "the host name could not be resolved", False
    elif "Connection refused" in text or "ConnectionRefused" in text or "Errno 111" in text:
        reason, sent = "connection refused", False
    elif "NewConnectionError" in text:
        reason, sent = f"could not connect ({client.reason(exc)})", False
    else:
        reason, sent = f"the connection failed ({client.reason(exc)})", True
    return UnreachableError(f"{client.where} is not reachable: {reason}.", reached_app=sent)


def read_body(client: HttpClient, response: requests.Response, shown: str, max_bytes: int) -> bytes:
    """The whole body of a streamed answer, or ResponseTooLargeError past ``max_bytes``.

    A Content-Length over the cap is refused before reading; otherwise reading
    stops at the first byte past it. Either way the connection is closed, not
    drained.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise too_large(client, shown, max_bytes)
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_content(READ_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            response.close()
            raise too_large(client, shown, max_bytes)
        parts.append(chunk)
    response.close()  # fully read: hands the connection back to the pool
    return b"".join(parts)


def too_large(client: HttpClient, shown: str, max_bytes: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"Response from {client.where} larger than {size_text(max_bytes)} for {shown}: "
        "no answer of an *arr app to it is that big, so it was not read. "
        "Is the URL that of the app?"
    )


def log_request(
    client: HttpClient, method: str, path: str, query: list[tuple[str, str]], json_body: Any
) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s%s",
            method,
            client.scrub(client.display_base + path),
            (" params=" + client.scrub(repr(query))) if query else "",
        )
    if json_body is not None and logger.isEnabledFor(TRACE):
        shown = client.scrub(path)
        logger.log(TRACE, "%s %s body: %s", method, shown, client.scrub(_dump(json_body)))


def log_response(
    client: HttpClient,
    method: str,
    shown: str,
    response: requests.Response,
    content: bytes,
    started: float,
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "%s %s -> %s (%d bytes, %.0f ms)",
        method,
        shown,
        response.status_code,
        len(content),
        (time.monotonic() - started) * 1000,
    )
    if logger.isEnabledFor(TRACE):
        logger.log(
            TRACE,
            "%s %s response body: %s",
            method,
            shown,
            client.scrub(content[:TRACE_BODY_LIMIT].decode("utf-8", "replace")),
        )


def _dump(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:TRACE_BODY_LIMIT]
    except (TypeError, ValueError):
        return repr(value)[:TRACE_BODY_LIMIT]


def size_text(size: int) -> str:
    """A byte count as people read it: 8 MB, 512 KB, 300 bytes."""
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"

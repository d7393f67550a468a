"""What an *arr app's answer means: parsed JSON, or the typed error its status stands for.

The HttpClient hands every answer here (status, headers, the body it read);
the messages say what to check, with the API key scrubbed out. Listings (JSON
arrays of objects, of any size) are read by connectors.common.listings.
"""

from __future__ import annotations

import email.utils
import json
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from connectors.common.errors import (
    AppFailedError,
    ArrError,
    AuthenticationError,
    BadResponseError,
    ClientRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

if TYPE_CHECKING:
    from connectors.common.http import HttpClient


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def interpret(client: HttpClient, response: requests.Response, content: bytes, shown: str) -> Any:
    """The parsed JSON of a 2xx answer (None when empty); any other status raises."""
    if 200 <= response.status_code < 300:
        return parse_json(client, response, content, shown)
    raise status_error(client, response, content, shown)


def status_error(
    client: HttpClient, response: requests.Response, content: bytes, shown: str
) -> ArrError:
    """The typed error a non-2xx status stands for, with the app's own message if any."""
    status = response.status_code
    where = client.where
    detail = error_detail(client, content)
    suffix = f": {detail}" if detail else ""
    if 300 <= status < 400:
        location = client.scrub(response.headers.get("Location", "somewhere else"))
        return BadResponseError(
            f"{where} redirected {shown} to {location} (HTTP {status}): "
            "use the final address (scheme, host, port and URL base) as the connector URL.",
            status_code=status,
        )
    if status in (401, 403):
        return AuthenticationError(
            f"{where} rejected the API key (HTTP {status}): copy it again from "
            "Settings > General > Security in the app.",
            status_code=status,
        )
    if status == 404:
        return NotFoundError(
            f"{where} answered {shown} with 404 Not Found{suffix}"
            + ("" if detail else ": is the URL (including any URL base) right?"),
            status_code=status,
        )
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        return RateLimitedError(
            f"{where} asked Comradarr to slow down (HTTP 429)"
            + (f", retry after {retry_after:g} s" if retry_after is not None else "")
            + ".",
            retry_after=retry_after,
        )
    if 400 <= status < 500:
        return ClientRequestError(
            f"{where} refused the request {shown} (HTTP {status}){suffix}", status_code=status
        )
    error = _server_error(where, status, shown, suffix)
    error.retry_after = retry_after
    return error


def _server_error(where: str, status: int, shown: str, suffix: str) -> ServerError:
    if status == 503:
        # Refused while starting: the app did not run the request.
        return ServerError(
            f"{where} is starting up or unavailable (HTTP 503){suffix}",
            status_code=status,
            reached_app=False,
        )
    if status in (502, 504):
        return ServerError(
            f"{where} could not be reached through its proxy (HTTP {status}){suffix}",
            status_code=status,
        )
    return AppFailedError(
        f"{where} failed to answer {shown} (HTTP {status}){suffix}", status_code=status
    )


def web_page_error(client: HttpClient, response: requests.Response) -> BadResponseError:
    return BadResponseError(
        f"{client.where} answered with a web page instead of JSON: is the URL right "
        "(scheme, port and URL base)?",
        status_code=response.status_code,
    )


def parse_json(client: HttpClient, response: requests.Response, content: bytes, shown: str) -> Any:
    if not content.strip():
        return None
    content_type = response.headers.get("Content-Type", "").lower()
    text = content.decode("utf-8", "replace").lstrip("\ufeff")
    if "html" in content_type or text.lstrip()[:1] == "<":
        raise web_page_error(client, response)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadResponseError(
            f"{client.where} sent malformed or truncated JSON for {shown} "
            f"(at character {getattr(exc, 'pos', '?')} of {len(text)}).",
            status_code=response.status_code,
        ) from None


def error_detail(client: HttpClient, content: bytes) -> str:
    """A short, safe summary of an error body: the app's own message or validation list."""
    if not content.strip():
        return ""
    text = content.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        return ""  # only the app's own JSON message is shown, never an arbitrary body
    messages: list[str] = []
    if isinstance(body, list):  # FluentValidation failures
        for failure in body[:5]:
            if isinstance(failure, dict):
                prop = failure.get("propertyName")
                msg = failure.get("errorMessage")
                if msg:
                    messages.append(f"{prop}: {msg}" if prop else str(msg))
    elif isinstance(body, dict):
        for key in ("message", "errorMessage", "error", "description"):
            value = body.get(key)
            if isinstance(value, str) and value and value not in messages:
                messages.append(value)
                break
    return client.scrub("; ".join(messages)[:300])

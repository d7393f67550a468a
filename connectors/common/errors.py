"""Typed errors of the *arr client layer.

Each class says whether retrying later can help (`retryable`), so a caller
decides without parsing messages: a rejected API key marks the connector
unhealthy, a 503 while the app starts is simply tried again later. `str(err)`
is a sentence a user can act on; it never contains the API key.
"""

from __future__ import annotations


class ArrError(Exception):
    """Base of every failure talking to an *arr app."""

    retryable: bool = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class AuthenticationError(ArrError):
    """401/403: the API key is wrong or missing."""

    retryable = False


class NotFoundError(ArrError):
    """404: unknown id, or the URL (base path) points somewhere else."""

    retryable = False


class ClientRequestError(ArrError):
    """Any other 4xx (400 validation failure, 405, 409 ...): our request was refused."""

    retryable = False


class RateLimitedError(ArrError):
    """429, usually from a reverse proxy in front of the app."""

    retryable = True

    def __init__(
        self, message: str, *, status_code: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ArrTimeoutError(ArrError):
    """No connection or no answer within the connector's timeout."""

    retryable = True


class UnreachableError(ArrError):
    """Connection refused, name not resolved, TLS failure."""

    retryable = True


class ServerError(ArrError):
    """5xx: the app failed (500) or is starting / behind a failing proxy (502/503/504)."""

    retryable = True


class BadResponseError(ArrError):
    """The answer is not what an *arr API sends: HTML, malformed or cut JSON, wrong shape."""

    retryable = False


class InvalidURLError(ArrError, ValueError):
    """The configured URL cannot be used at all (no http/https scheme, no host)."""

    retryable = False


class UnsupportedAppError(ArrError):
    """The URL answers as an app Comradarr does not know (e.g. Lidarr, Prowlarr)."""

    retryable = False


class WrongKindError(ArrError):
    """The URL answers as a different supported app than the connector's kind."""

    retryable = False

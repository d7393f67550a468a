"""Typed errors of the *arr client layer, and the one table of what each failure means.

Every caller decides from ``error.policy`` (one row of ``POLICIES`` below),
never from isinstance ladders or parsed messages: the HTTP client whether to
send the request again, the search engine whether to pause the connector and
what becomes of a command whose POST failed, the health check which status
and form field the failure concerns. ``str(err)`` is a sentence a user can
act on; it never contains the API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Pause(StrEnum):
    """What a failing request does to the connector's dispatching."""

    NONE = "none"  # leave the connector alone
    BACKOFF = "backoff"  # pause with exponential backoff: the app is failing
    RATE_LIMIT = "rate_limit"  # pause for Retry-After, or the profile's rate-limit pause
    AUTH = "auth"  # mark unhealthy, pause until a later health check finds it healthy


class CommandFate(StrEnum):
    """What becomes of a search command whose POST /command failed.

    No fate counts an attempt: a failed request never means the indexers were
    searched and found nothing (only a completed command counts one).
    """

    REQUEUE = "requeue"  # nothing was searched: items queued again for when the pause ends
    RECOVER = "recover"  # the app may have queued it: in flight until recovery asks the app
    FAIL = "fail"  # the command failed: standard cooldown; the connector is not paused
    RATE_LIMITED = "rate_limited"  # cooldown lasting at least until the connector's pause ends


class HealthEffect(StrEnum):
    """How a failed health probe classifies the connector."""

    OFFLINE = "offline"  # no connection: host down, wrong port, DNS, timeout
    UNHEALTHY = "unhealthy"  # a configuration problem a retry cannot fix
    NOT_THE_API = "not_the_api"  # something answered, but not the *arr API (wrong URL)
    TRANSIENT = "transient"  # degraded now, unhealthy after repeated failures


@dataclass(frozen=True)
class Policy:
    """The decision a failure carries. One row per error class in ``POLICIES``."""

    #: Sending the same request again may succeed (see ``may_retry`` for non-GET requests).
    retry_request: bool
    #: What the engine does to the connector when a request fails this way.
    pause: Pause
    #: What a failed POST /command does to its entry (its pause: ``command_pause``).
    command: CommandFate
    health: HealthEffect
    #: The connector form field the failure belongs to ("url", "api_key", "kind") or None.
    health_field: str | None


class ArrError(Exception):
    """Base of every failure talking to an *arr app."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        reached_app: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        #: False when the app surely did not act on the request (refused before it
        #: was sent, or answered 429/503 without running it): safe to send again.
        self.reached_app = reached_app

    #: Seconds the app asked to wait before the next request (429's Retry-After).
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def policy(self) -> Policy:
        return policy_for(type(self))


class AuthenticationError(ArrError):
    """401/403: the API key is wrong or missing."""


class NotFoundError(ArrError):
    """404: unknown id, or the URL (base path) points somewhere else."""


class ClientRequestError(ArrError):
    """Any other 4xx (400 validation failure, 405, 409 ...): our request was refused."""


class RateLimitedError(ArrError):
    """429, usually from a reverse proxy in front of the app; the app did not run the request."""

    def __init__(
        self, message: str, *, status_code: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code=status_code, reached_app=False)
        self.retry_after = retry_after


class ArrTimeoutError(ArrError):
    """No connection or no answer within the connector's timeout."""


class UnreachableError(ArrError):
    """Connection refused, name not resolved, connection dropped."""


class ConnectionSetupError(UnreachableError):
    """The request could not be made at all (TLS certificate refused, a URL requests
    cannot use): unreachable, and sending it again cannot help until the settings change."""


class ServerError(ArrError):
    """502/503/504: the app is starting, or the proxy in front of it cannot reach it."""


class AppFailedError(ServerError):
    """500 and any other 5xx: the app answered and failed while handling the request."""


class BadResponseError(ArrError):
    """The answer is not what an *arr API sends: HTML, malformed or cut JSON, wrong shape."""


class ResponseTooLargeError(BadResponseError):
    """The answer is bigger than any *arr app sends for that endpoint: it was not read."""


class InvalidURLError(ArrError, ValueError):
    """The configured URL cannot be used at all (no http/https scheme, no host)."""


class ForbiddenAddressError(InvalidURLError):
    """The URL names or resolves to an address Comradarr never connects to (netguard decides)."""


class UnsupportedAppError(ArrError):
    """The URL answers as an app Comradarr does not know (e.g. Lidarr, Prowlarr)."""


class WrongKindError(ArrError):
    """The URL answers as a different supported app than the connector's kind."""


P, C, H = Pause, CommandFate, HealthEffect  # short names for the table

#: The failure policy, one row per error class (a subclass without a row takes its
#: parent's). Columns: retry the request, pause the connector, fate of a failed
#: POST /command, health effect, health form field.
POLICIES: dict[type[ArrError], Policy] = {
    ArrError: Policy(False, P.BACKOFF, C.FAIL, H.UNHEALTHY, None),
    AuthenticationError: Policy(False, P.AUTH, C.REQUEUE, H.UNHEALTHY, "api_key"),
    NotFoundError: Policy(False, P.BACKOFF, C.FAIL, H.NOT_THE_API, "url"),
    ClientRequestError: Policy(False, P.BACKOFF, C.FAIL, H.NOT_THE_API, "url"),
    RateLimitedError: Policy(True, P.RATE_LIMIT, C.RATE_LIMITED, H.TRANSIENT, None),
    # A lost answer: the app may have run the request.
    ArrTimeoutError: Policy(True, P.BACKOFF, C.RECOVER, H.OFFLINE, "url"),
    UnreachableError: Policy(True, P.BACKOFF, C.REQUEUE, H.OFFLINE, "url"),
    ConnectionSetupError: Policy(False, P.BACKOFF, C.REQUEUE, H.OFFLINE, "url"),
    ServerError: Policy(True, P.BACKOFF, C.REQUEUE, H.TRANSIENT, None),
    # The app threw on this very request: a failed command, not an outage.
    AppFailedError: Policy(False, P.BACKOFF, C.FAIL, H.TRANSIENT, None),
    # The answer was lost or mangled: the app may have queued the command.
    BadResponseError: Policy(False, P.BACKOFF, C.RECOVER, H.NOT_THE_API, "url"),
    InvalidURLError: Policy(False, P.BACKOFF, C.FAIL, H.UNHEALTHY, "url"),
    ForbiddenAddressError: Policy(False, P.BACKOFF, C.FAIL, H.UNHEALTHY, "url"),
    UnsupportedAppError: Policy(False, P.BACKOFF, C.FAIL, H.UNHEALTHY, "kind"),
    WrongKindError: Policy(False, P.BACKOFF, C.FAIL, H.UNHEALTHY, "kind"),
}
del P, C, H


def policy_for(cls: type[ArrError]) -> Policy:
    """The row of ``cls``, or of its nearest ancestor that has one."""
    for klass in cls.__mro__:
        row = POLICIES.get(klass)
        if row is not None:
            return row
    raise TypeError(f"{cls.__name__} is not an ArrError")


#: Methods that change nothing on the app, so repeating them is always safe.
SAFE_METHODS = frozenset({"GET", "HEAD"})


def may_retry(error: ArrError, *, method: str) -> bool:
    """May the HTTP client send the request that failed with ``error`` again?

    Only when a retry can help, and, for a request that changes something (a
    POST /command), only when the app surely did not act on it: a search must
    never be sent twice because an answer was lost.
    """
    return error.policy.retry_request and (method in SAFE_METHODS or not error.reached_app)


def command_pause(error: ArrError) -> Pause:
    """The connector pause after a failed POST /command: none when the command itself failed
    (the app is up and answered), the row's pause otherwise."""
    policy = error.policy
    return Pause.NONE if policy.command is CommandFate.FAIL else policy.pause

"""The failure policy table (connectors.common.errors.POLICIES), row by row.

Every caller (the HTTP client's retries, dispatch, polling, the health check)
reads these decisions; tests of those callers check they apply them.
"""

from __future__ import annotations

import pytest

from connectors.common import errors
from connectors.common.errors import CommandFate, HealthEffect, Pause


def all_error_classes(cls=errors.ArrError):
    found = {cls}
    for sub in cls.__subclasses__():
        found |= all_error_classes(sub)
    return found


# class: (retry the request, pause, fate of a failed POST /command, health, field)
EXPECTED = {
    errors.ArrError: (False, Pause.BACKOFF, CommandFate.FAIL, HealthEffect.UNHEALTHY, None),
    errors.AuthenticationError: (
        False,
        Pause.AUTH,
        CommandFate.REQUEUE,
        HealthEffect.UNHEALTHY,
        "api_key",
    ),
    errors.NotFoundError: (False, Pause.BACKOFF, CommandFate.FAIL, HealthEffect.NOT_THE_API, "url"),
    errors.ClientRequestError: (
        False,
        Pause.BACKOFF,
        CommandFate.FAIL,
        HealthEffect.NOT_THE_API,
        "url",
    ),
    errors.RateLimitedError: (
        True,
        Pause.RATE_LIMIT,
        CommandFate.RATE_LIMITED,
        HealthEffect.TRANSIENT,
        None,
    ),
    errors.ArrTimeoutError: (True, Pause.BACKOFF, CommandFate.RECOVER, HealthEffect.OFFLINE, "url"),
    errors.UnreachableError: (
        True,
        Pause.BACKOFF,
        CommandFate.REQUEUE,
        HealthEffect.OFFLINE,
        "url",
    ),
    errors.ConnectionSetupError: (
        False,
        Pause.BACKOFF,
        CommandFate.REQUEUE,
        HealthEffect.OFFLINE,
        "url",
    ),
    errors.ServerError: (True, Pause.BACKOFF, CommandFate.REQUEUE, HealthEffect.TRANSIENT, None),
    errors.AppFailedError: (False, Pause.BACKOFF, CommandFate.FAIL, HealthEffect.TRANSIENT, None),
    errors.BadResponseError: (
        False,
        Pause.BACKOFF,
        CommandFate.RECOVER,
        HealthEffect.NOT_THE_API,
        "url",
    ),
    errors.ResponseTooLargeError: (
        False,
        Pause.BACKOFF,
        CommandFate.RECOVER,
        HealthEffect.NOT_THE_API,
        "url",
    ),
    errors.InvalidURLError: (False, Pause.BACKOFF, CommandFate.FAIL, HealthEffect.UNHEALTHY, "url"),
    errors.ForbiddenAddressError: (
        False,
        Pause.BACKOFF,
        CommandFate.FAIL,
        HealthEffect.UNHEALTHY,
        "url",
    ),
    errors.UnsupportedAppError: (
        False,
        Pause.BACKOFF,
        CommandFate.FAIL,
        HealthEffect.UNHEALTHY,
        "kind",
    ),
    errors.WrongKindError: (False, Pause.BACKOFF, CommandFate.FAIL, HealthEffect.UNHEALTHY, "kind"),
}


def test_every_error_class_has_a_decision_and_none_is_left_out():
    assert all_error_classes() == set(EXPECTED)


@pytest.mark.parametrize("cls", sorted(EXPECTED, key=lambda c: c.__name__))
def test_each_row(cls):
    policy = errors.policy_for(cls)
    got = (policy.retry_request, policy.pause, policy.command, policy.health, policy.health_field)
    assert got == EXPECTED[cls]
    assert cls("x").policy == policy


def test_a_subclass_without_a_row_takes_its_parents():
    class Custom(errors.ServerError):
        pass

    assert Custom("x").policy == errors.policy_for(errors.ServerError)


def test_a_class_outside_the_hierarchy_has_no_policy():
    with pytest.raises(TypeError):
        errors.policy_for(ValueError)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "method", "retry"),
    [
        # Nothing reached the app: safe for any method.
        (errors.UnreachableError("refused", reached_app=False), "POST", True),
        (errors.ArrTimeoutError("no connection", reached_app=False), "POST", True),
        (errors.RateLimitedError("slow down"), "POST", True),
        (errors.ServerError("starting", status_code=503, reached_app=False), "POST", True),
        # The app may have run it: only a GET is sent again, never a second search.
        (errors.ArrTimeoutError("no answer"), "GET", True),
        (errors.ArrTimeoutError("no answer"), "POST", False),
        (errors.ServerError("proxy", status_code=502), "GET", True),
        (errors.ServerError("proxy", status_code=502), "POST", False),
        (errors.UnreachableError("dropped"), "POST", False),
        # A retry cannot help, whatever the method.
        (errors.AppFailedError("threw", status_code=500), "GET", False),
        (errors.ConnectionSetupError("certificate", reached_app=False), "GET", False),
        (errors.AuthenticationError("key"), "GET", False),
        (errors.BadResponseError("html"), "GET", False),
        (errors.ResponseTooLargeError("huge"), "GET", False),
    ],
)
def test_may_retry(error, method, retry):
    assert errors.may_retry(error, method=method) is retry


@pytest.mark.parametrize(
    ("error", "pause"),
    [
        (errors.AuthenticationError("key"), Pause.AUTH),
        (errors.RateLimitedError("slow"), Pause.RATE_LIMIT),
        (errors.UnreachableError("down"), Pause.BACKOFF),
        (errors.ArrTimeoutError("slow"), Pause.BACKOFF),
        # The command itself failed and the app answered: the connector is fine.
        (errors.AppFailedError("threw", status_code=500), Pause.NONE),
        (errors.ClientRequestError("400", status_code=400), Pause.NONE),
    ],
)
def test_the_pause_after_a_failed_command(error, pause):
    assert errors.command_pause(error) is pause


def test_only_a_rate_limit_carries_retry_after():
    assert errors.RateLimitedError("slow", retry_after=7.0).retry_after == 7.0
    assert errors.ServerError("x").retry_after is None

"""Health checks: is a connector's *arr app reachable, the right kind, and well?

A check calls GET /ping, then /api/v3/system/status, then /api/v3/health, and
classifies the outcome:

- healthy: it answered and reported no health warnings;
- degraded: it answered with warnings or errors in /health, its version is not
  supported, or a transient failure (5xx, rate limit) happened once or twice;
- unhealthy: the API key was rejected, the URL answers something that is not
  the configured *arr app (HTML, 404, another kind), or transient failures
  repeated ``UNHEALTHY_AFTER_FAILURES`` times in a row;
- offline: no connection could be made (refused, DNS, TLS, timeout).

``probe`` does the HTTP part and touches no database, so the "Test connection"
button and ``connectors add`` can run it before anything is saved.
``check_connector`` probes a saved connector, updates it, records a history
row and emits ``connector_health_changed`` when the status changes from a
known one (the first status after "unknown" is not announced).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comradarr import events
from connectors.common.capabilities import Capabilities, capabilities_for
from connectors.common.errors import (
    ArrError,
    HealthEffect,
    UnsupportedAppError,
    WrongKindError,
)
from connectors.models import Connector, ConnectorHealthCheck
from connectors.registry import check_kind, kind_spec, probe_client

logger = logging.getLogger(__name__)

Health = Connector.Health

#: Transient failures in a row after which a connector counts as unhealthy.
UNHEALTHY_AFTER_FAILURES = 3
#: The "Test connection" button and CLI tests never wait longer than this.
INTERACTIVE_TIMEOUT_SECONDS = 10
#: History rows kept per connector; older ones are pruned after each check.
HISTORY_KEEP = 500

# /health item types that make a connector degraded (notice and ok do not).
_DEGRADING_LEVELS = {"warning", "error"}


@dataclass(frozen=True)
class ProbeResult:
    """What one probe found. ``error`` is empty when the app answered as expected."""

    status: str
    latency_ms: int | None = None
    app_name: str = ""
    version: str = ""
    instance_name: str = ""
    messages: tuple[dict, ...] = ()
    error: str = ""
    #: The form field the error belongs to: "url", "api_key", "kind", or None.
    error_field: str | None = None
    #: True when the failure is one retrying later may fix (5xx, 429).
    transient: bool = False
    capabilities: Capabilities | None = None
    #: What else the app reported, as (label, value) lines (Prowlarr: its indexer count).
    facts: tuple[tuple[str, str], ...] = ()
    checked_at: datetime = field(default_factory=timezone.now)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def capability_warnings(self) -> tuple[str, ...]:
        return self.capabilities.warnings if self.capabilities else ()


def kind_label(kind: str) -> str:
    try:
        return kind_spec(kind).display_name
    except UnsupportedAppError:
        return kind


def _message(level: str, source: str, text: str) -> dict:
    return {"level": level, "source": source, "message": text}


def _failure(err: ArrError, *, kind: str, url: str, previous_failures: int) -> ProbeResult:
    """Turn a client error into a status, a message and the field it concerns (its policy)."""
    policy = err.policy
    text = str(err)
    transient = policy.health is HealthEffect.TRANSIENT
    if policy.health is HealthEffect.OFFLINE:
        status = Health.OFFLINE
    elif transient:
        failures = previous_failures + 1
        status = Health.UNHEALTHY if failures >= UNHEALTHY_AFTER_FAILURES else Health.DEGRADED
    else:
        status = Health.UNHEALTHY
    if policy.health is HealthEffect.NOT_THE_API:
        # Something answered, but not the *arr API: wrong port, wrong base path, a login page.
        text = (
            f"{text} Is {url} the address of your {kind_label(kind)} "
            "(including its URL base, e.g. http://host/sonarr)?"
        )
    return ProbeResult(
        status=status,
        error=text,
        error_field=policy.health_field,
        transient=transient,
        messages=(_message("error", "Comradarr", text),),
    )


def _health_report(client, capabilities: Capabilities) -> tuple[bool, list[dict]]:
    """(degraded, messages) from the version's support and the app's own /health."""
    messages: list[dict] = []
    degraded = not capabilities.supported
    for warning in capabilities.warnings:
        messages.append(_message("warning" if degraded else "notice", "Comradarr", warning))
    try:
        items = client.health()
    except ArrError as err:
        # It answered status, so it is up; a failing /health is worth a look, not an alarm.
        degraded = True
        messages.append(_message("warning", "Comradarr", f"Health report unavailable: {err}"))
        items = []
    for item in items:
        messages.append(_message(item.type, item.source, item.message))
        degraded = degraded or item.type in _DEGRADING_LEVELS
    return degraded, messages


def probe(
    *,
    kind: str,
    url: str,
    api_key: str,
    verify_ssl: bool = True,
    timeout: float = 30,
    previous_failures: int = 0,
    interactive: bool = False,
    connector_id: int | None = None,
) -> ProbeResult:
    """Ping the app, read its status and health; never raises for *arr failures.

    ``interactive`` (a person is waiting: the test button, the CLI) sends each
    request once instead of retrying transient failures with backoff.
    """
    try:
        # The version is what this probe finds out, so only the shared endpoints are used.
        client = probe_client(
            kind,
            url,
            api_key,
            timeout=timeout,
            verify_ssl=verify_ssl,
            max_retries=0 if interactive else 3,
            connector_id=connector_id,
        )
        started = time.monotonic()
        client.ping()
        latency_ms = round((time.monotonic() - started) * 1000)
        status = client.system_status()
    except ArrError as err:
        logger.debug(
            "connector probe failed",
            extra={"kind": kind, "url": url, "error": type(err).__name__},
        )
        return _failure(err, kind=kind, url=url, previous_failures=previous_failures)

    identity = {
        "app_name": status.app_name or "",
        "version": status.version or "",
        "instance_name": status.instance_name or "",
        "latency_ms": latency_ms,
    }
    try:
        check_kind(kind, status, where=client.http.where)
    except (WrongKindError, UnsupportedAppError) as err:
        mismatch = str(err)
        return ProbeResult(
            status=Health.UNHEALTHY,
            error=mismatch,
            error_field="kind",
            messages=(_message("error", "Comradarr", mismatch),),
            **identity,
        )

    capabilities = capabilities_for(kind, status.version or "0")
    degraded, messages = _health_report(client, capabilities)
    facts: tuple[tuple[str, str], ...] = ()
    if interactive:
        try:
            facts = client.probe_facts()
        except ArrError as err:
            messages.append(_message("warning", "Comradarr", f"Could not read more: {err}"))
    return ProbeResult(
        status=Health.DEGRADED if degraded else Health.HEALTHY,
        messages=tuple(messages),
        capabilities=capabilities,
        facts=facts,
        **identity,
    )


def probe_connector(connector: Connector, *, timeout: float | None = None) -> ProbeResult:
    return probe(
        kind=connector.kind,
        url=connector.url,
        api_key=connector.api_key,
        verify_ssl=connector.verify_ssl,
        timeout=timeout or connector.timeout_seconds,
        previous_failures=connector.consecutive_failures,
        connector_id=connector.pk,
    )


def summary(result: ProbeResult) -> str:
    """One line for the connector's health_message: the error, or the worst health item."""
    if result.error:
        return result.error
    for level in ("error", "warning"):
        for message in result.messages:
            if message["level"] == level:
                return message["message"]
    return ""


def record_result(connector: Connector, result: ProbeResult, *, emit_event: bool = True) -> bool:
    """Store a probe's outcome on the connector and in its history.

    Returns False when the connector was deleted meanwhile. The row is locked
    so that two workers checking at once agree on the previous status and emit
    the health-changed event once.
    """
    with transaction.atomic():
        locked = Connector.objects.select_for_update().filter(pk=connector.pk).first()
        if locked is None:
            return False
        previous = locked.health_status
        reached = bool(result.app_name)
        fields = {
            "health_status": result.status,
            "health_message": summary(result),
            "last_health_check_at": result.checked_at,
            "consecutive_failures": 0 if result.ok else locked.consecutive_failures + 1,
        }
        if reached:
            fields.update(
                app_name=result.app_name,
                app_version=result.version,
                instance_name=result.instance_name,
                last_contact_at=result.checked_at,
            )
        Connector.objects.filter(pk=locked.pk).update(**fields, updated_at=timezone.now())
        for name, value in fields.items():
            setattr(connector, name, value)
        ConnectorHealthCheck.objects.create(
            connector=locked,
            checked_at=result.checked_at,
            status=result.status,
            latency_ms=result.latency_ms,
            app_version=result.version,
            messages=list(result.messages),
        )
        _prune_history(locked.pk)
        # The first status a connector gets is not a change anyone needs to hear about.
        changed = previous != result.status and previous != Health.UNKNOWN
        if changed and emit_event:
            # In the transaction: the event's outbox row commits with the change.
            events.emit(
                events.connector_health_changed,
                connector=connector,
                previous=previous,
                current=result.status,
                message=summary(result),
            )
    return True


def _prune_history(connector_id: int) -> None:
    oldest_kept = (
        ConnectorHealthCheck.objects.filter(connector_id=connector_id)
        .order_by("-checked_at", "-id")
        .values_list("checked_at", flat=True)[HISTORY_KEEP - 1 : HISTORY_KEEP]
    )
    cutoff = next(iter(oldest_kept), None)
    if cutoff is not None:
        ConnectorHealthCheck.objects.filter(
            connector_id=connector_id, checked_at__lt=cutoff
        ).delete()


def check_connector(connector: Connector, *, timeout: float | None = None) -> ProbeResult:
    """Probe a saved connector and record the outcome (status, history, event)."""
    result = probe_connector(connector, timeout=timeout)
    record_result(connector, result)
    # Changes are logged (and announced) by the health-changed event; each check is debug.
    logger.debug(
        "connector health checked",
        extra={"connector": connector.name, "status": result.status},
    )
    return result

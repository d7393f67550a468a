"""Connector management: validate, test, create, update, delete.

The web pages, the admin-free CLI (``manage.py connectors``) and later the API
all go through these functions, so the rules (URL normalisation, unique names,
"test before saving an enabled connector", kind must match the app) live in one
place. The *arr app is called before any transaction opens, and nothing is
written unless every check passed: a connector is never saved half-way.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import IntegrityError, router, transaction
from django.db.models.deletion import Collector

from connectors import health
from connectors.common import urls
from connectors.models import Connector

NAME_MAX = Connector._meta.get_field("name").max_length
URL_MAX = urls.URL_MAX
API_KEY_MAX = 200
TIMEOUT_MIN, TIMEOUT_MAX = 1, 300

# Letters and digits of any script, spaces and a little punctuation: names are typed on
# the command line (`connectors test NAME`) and shown everywhere.
_NAME = re.compile(r"^[\w][\w .()'+-]*$")


class ConnectorError(Exception):
    """Input or a connection test was refused; ``errors`` maps field names to messages.

    The key ``"__all__"`` holds messages that belong to no single field.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = []
        for name, messages in self.errors.items():
            label = "" if name == "__all__" else f"{FIELD_LABELS.get(name, name)}: "
            parts.extend(label + m for m in messages)
        return " ".join(parts)


FIELD_LABELS = {
    "kind": "Kind",
    "name": "Name",
    "url": "URL",
    "api_key": "API key",
    "timeout_seconds": "Timeout",
    "verify_ssl": "Verify SSL",
}


# ---------------------------------------------------------------------------------------
# Field rules (the form and the command share them)


def clean_name(raw: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ValueError("Give the connector a name, e.g. Sonarr 4K.")
    if len(name) > NAME_MAX:
        raise ValueError(f"The name is too long (at most {NAME_MAX} characters).")
    if not _NAME.match(name):
        raise ValueError("Use letters, digits, spaces and . ( ) ' + - _ only in the name.")
    clash = Connector.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValueError(f"A connector named {name!r} already exists: choose another name.")
    return name


def clean_api_key(raw: str) -> str:
    key = (raw or "").strip()
    if not key:
        raise ValueError("Enter the API key (Settings > General > Security in the app).")
    if len(key) > API_KEY_MAX:
        raise ValueError(f"The API key is too long (at most {API_KEY_MAX} characters).")
    if not key.isprintable() or any(ch.isspace() for ch in key):
        raise ValueError("The API key cannot contain spaces or control characters.")
    return key


def clean_kind(raw: str) -> str:
    if raw not in Connector.Kind.values:
        choices = ", ".join(Connector.Kind.values)
        raise ValueError(f"Choose the kind of app: {choices}.")
    return raw


def clean_timeout(raw: int | float | str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError("The timeout is a whole number of seconds.") from None
    if not TIMEOUT_MIN <= value <= TIMEOUT_MAX:
        raise ValueError(f"The timeout must be between {TIMEOUT_MIN} and {TIMEOUT_MAX} seconds.")
    return value


@dataclass(frozen=True)
class ConnectorInput:
    kind: str
    name: str
    url: str
    api_key: str
    verify_ssl: bool
    timeout_seconds: int


#: Why an edit that moves a connector to another scheme, host or port needs the key typed.
KEY_FOR_NEW_ADDRESS = (
    "The scheme, host or port changed: type the API key again. The stored key is only "
    "ever sent to the address it was entered for."
)


def stored_key_usable(*, connector: Connector, url: str) -> bool:
    """May the stored key be sent to ``url``? Only to the origin it was entered for.

    Otherwise pointing a connector at another host and pressing "Test" (or saving,
    which later health checks follow) would hand the real key to that host.
    """
    try:
        return urls.same_origin(urls.normalize_base_url(url), connector.url)
    except ValueError:
        return False


def _typed_key_rule(value: str) -> str:
    if not (value or "").strip():
        raise ValueError(KEY_FOR_NEW_ADDRESS)
    return clean_api_key(value)


def _validate(
    *,
    kind: str,
    name: str,
    url: str,
    api_key: str,
    verify_ssl: bool,
    timeout_seconds: int | float | str,
    exclude_pk: int | None = None,
    api_key_rule: Callable[[str], str] = clean_api_key,
) -> ConnectorInput:
    values = _clean(
        {
            "kind": (clean_kind, kind),
            "name": (lambda v: clean_name(v, exclude_pk=exclude_pk), name),
            "url": (urls.normalize_base_url, url),
            "api_key": (api_key_rule, api_key),
            "timeout_seconds": (clean_timeout, timeout_seconds),
        }
    )
    return ConnectorInput(verify_ssl=bool(verify_ssl), **values)


def _clean(rules: dict[str, tuple[Callable[[Any], Any], Any]]) -> dict[str, Any]:
    """Apply each field's rule to its raw value; every failing field is reported at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field_name, (rule, raw) in rules.items():
        try:
            values[field_name] = rule(raw)
        except ValueError as err:
            errors[field_name] = [str(err)]
    if errors:
        raise ConnectorError(errors)
    return values


# ---------------------------------------------------------------------------------------
# Testing a connection


def connector_test(
    *,
    kind: str,
    url: str,
    api_key: str,
    verify_ssl: bool = True,
    timeout_seconds: float = health.INTERACTIVE_TIMEOUT_SECONDS,
) -> health.ProbeResult:
    """Call the app with a short timeout and report what it is; saves nothing.

    The inputs must already be valid (see ``connector_validate_connection``).
    """
    timeout = min(float(timeout_seconds), health.INTERACTIVE_TIMEOUT_SECONDS)
    return health.probe(
        kind=kind,
        url=url,
        api_key=api_key,
        verify_ssl=verify_ssl,
        timeout=timeout,
        interactive=True,
    )


def connector_validate_connection(*, kind: str, url: str, api_key: str) -> tuple[str, str, str]:
    """Validate only the fields a connection test needs; returns them cleaned."""
    cleaned = _clean(
        {
            "kind": (clean_kind, kind),
            "url": (urls.normalize_base_url, url),
            "api_key": (clean_api_key, api_key),
        }
    )
    return cleaned["kind"], cleaned["url"], cleaned["api_key"]


def _test_or_refuse(data: ConnectorInput) -> health.ProbeResult:
    """Test the connection the input describes; a failing test refuses the save."""
    result = connector_test(
        kind=data.kind,
        url=data.url,
        api_key=data.api_key,
        verify_ssl=data.verify_ssl,
        timeout_seconds=data.timeout_seconds,
    )
    if not result.ok:
        raise ConnectorError({result.error_field or "__all__": [result.error]})
    return result


def _save(
    connector: Connector, result: health.ProbeResult | None, *, emit_event: bool = True
) -> None:
    """Save the connector and the test's outcome together, or neither."""
    try:
        with transaction.atomic():
            connector.save()
            if result is not None:
                health.record_result(connector, result, emit_event=emit_event)
    except IntegrityError:
        # Another request took the name between the check and the insert.
        raise ConnectorError(
            {"name": [f"A connector named {connector.name!r} already exists: choose another name."]}
        ) from None


# ---------------------------------------------------------------------------------------
# Create, update, enable, delete


def connector_create(
    *,
    kind: str,
    name: str,
    url: str,
    api_key: str,
    verify_ssl: bool = True,
    timeout_seconds: int | float | str = 30,
    enabled: bool = True,
    sync_now: bool = True,
) -> Connector:
    """Validate, test (when enabled) and save a new connector.

    A disabled connector is saved without calling the app: that is how a user
    keeps a connector whose app is down or not set up yet. ``sync_now`` tells
    the listeners of the new row whether to start its first library sync at once
    (:attr:`Connector.sync_on_create`).
    """
    data = _validate(
        kind=kind,
        name=name,
        url=url,
        api_key=api_key,
        verify_ssl=verify_ssl,
        timeout_seconds=timeout_seconds,
    )
    result = _test_or_refuse(data) if enabled else None
    connector = Connector(
        kind=data.kind,
        name=data.name,
        url=data.url,
        api_key=data.api_key,
        verify_ssl=data.verify_ssl,
        timeout_seconds=data.timeout_seconds,
        enabled=enabled,
    )
    connector.sync_on_create = bool(sync_now)
    _save(connector, result, emit_event=False)
    return connector


_CONNECTION_FIELDS = ("kind", "url", "api_key", "verify_ssl")


def connector_update(
    *,
    connector: Connector,
    kind: str,
    name: str,
    url: str,
    api_key: str | None,
    verify_ssl: bool,
    timeout_seconds: int | float | str,
    enabled: bool,
) -> Connector:
    """Change a connector; an empty ``api_key`` keeps the stored one, as long as the
    scheme, host and port stay the same (see ``stored_key_usable``).

    The app is tested again when the connector ends up enabled and something
    that changes the connection (kind, URL, key, SSL check) changed, or it was
    disabled before.
    """
    typed = (api_key or "").strip()
    keep = not typed and stored_key_usable(connector=connector, url=url)
    data = _validate(
        kind=kind,
        name=name,
        url=url,
        api_key=connector.api_key if keep else typed,
        verify_ssl=verify_ssl,
        timeout_seconds=timeout_seconds,
        exclude_pk=connector.pk,
        api_key_rule=clean_api_key if keep or typed else _typed_key_rule,
    )
    connection_changed = any(getattr(data, f) != getattr(connector, f) for f in _CONNECTION_FIELDS)
    result = None
    if enabled and (connection_changed or not connector.enabled):
        result = _test_or_refuse(data)
    for field_name in ("kind", "name", "url", "api_key", "verify_ssl", "timeout_seconds"):
        setattr(connector, field_name, getattr(data, field_name))
    connector.enabled = enabled
    if connection_changed:
        # What was detected belongs to the old address; the next check fills it in again.
        connector.app_name = connector.app_version = connector.instance_name = ""
        connector.health_status = Connector.Health.UNKNOWN
        connector.health_message = ""
        connector.consecutive_failures = 0
    _save(connector, result)
    return connector


def connector_set_enabled(*, connector: Connector, enabled: bool) -> Connector:
    """Switch a connector on or off; the next health check tells whether it works."""
    Connector.objects.filter(pk=connector.pk).update(enabled=enabled)
    connector.enabled = enabled
    return connector


def connector_delete_summary(*, connector: Connector) -> list[tuple[str, int]]:
    """What deleting the connector removes with it: (model verbose name plural, count)."""
    collector = Collector(using=router.db_for_write(Connector), origin=connector)
    collector.collect([connector])
    # A row can be reached on two paths (an episode through its connector and through its
    # series), so each model's rows are counted once: loaded ones plus the rest of the
    # fast-delete querysets, OR-ed together.
    loaded = {model: {obj.pk for obj in objs} for model, objs in collector.data.items()}
    fast: dict[type, list] = defaultdict(list)
    for qs in collector.fast_deletes:
        fast[qs.model].append(qs)
    counts: Counter[str] = Counter()
    for model in loaded.keys() | fast.keys():
        if model is Connector:
            continue
        pks = loaded.get(model, set())
        n = len(pks)
        if fast.get(model):
            n += reduce(operator.or_, fast[model]).exclude(pk__in=pks).count()
        counts[str(model._meta.verbose_name_plural)] += n
    return sorted((label, n) for label, n in counts.items() if n)


def connector_delete(*, connector: Connector) -> None:
    """Delete the connector with its mirror, search state and history (cascade)."""
    with transaction.atomic():
        connector.delete()

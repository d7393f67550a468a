"""The table of supported *arr kinds: the one place that lists them.

Adding an app (Lidarr, Readarr) means a new package beside connectors/sonarr
exposing `client_class(capabilities)` and a `capabilities.rules(version)`,
plus one line in KINDS. See CONTRIBUTING.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from connectors.common.capabilities import Capabilities, capabilities_for
from connectors.common.client import ArrClient
from connectors.common.errors import UnsupportedAppError, WrongKindError
from connectors.common.http import HttpClient
from connectors.common.mapper import map_system_status
from connectors.common.types import SystemStatus

if TYPE_CHECKING:
    from connectors.models import Connector


@dataclass(frozen=True)
class KindSpec:
    kind: str  # stored in Connector.kind
    display_name: str  # also the appName system/status reports
    default_port: int
    package: str  # module with client_class() and a capabilities submodule
    api_prefix: str = "/api/v3"  # Lidarr and Readarr use "/api/v1"
    hint: str = ""  # under the name in the kind picker: what it holds, which versions

    @property
    def default_url(self) -> str:
        return f"http://localhost:{self.default_port}"

    @property
    def status_path(self) -> str:
        """Where appName and version are read."""
        return f"{self.api_prefix}/system/status"


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("sonarr", "Sonarr", 8989, "connectors.sonarr", hint="TV series · v3, v4"),
        KindSpec("radarr", "Radarr", 7878, "connectors.radarr", hint="Movies · v3 to v6"),
        KindSpec("whisparr", "Whisparr", 6969, "connectors.whisparr", hint="v2 sites · v3 Eros"),
        KindSpec("prowlarr", "Prowlarr", 9696, "connectors.prowlarr", "/api/v1", "Indexer limits"),
    )
}


def kind_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnsupportedAppError(
            f"Unknown connector kind {kind!r}: expected one of {', '.join(KINDS)}."
        ) from None


def library_kinds() -> tuple[str, ...]:
    """The kinds whose library is mirrored (their shape says so), the ones synced,
    swept, browsed and searched; an indexer manager (Prowlarr) is not among them."""
    from connectors.common.shape import shape_named

    return tuple(k for k in KINDS if shape_named(capabilities_for(k, "").shape).mirrored)


def detect_kind(app_name: str, version: str) -> str:
    """The kind for an appName from system/status ("Whisparr" 2.x and 3.x -> "whisparr")."""
    name = (app_name or "").strip().lower()
    for spec in KINDS.values():
        if spec.display_name.lower() == name:
            return spec.kind
    raise UnsupportedAppError(
        f"This URL answers as {app_name or 'an unnamed app'} {version or ''}".rstrip()
        + f", which Comradarr does not support (supported: "
        f"{', '.join(spec.display_name for spec in KINDS.values())})."
    )


def client_class_for(kind: str, capabilities: Capabilities | None) -> type[ArrClient]:
    module: Any = import_module(kind_spec(kind).package)
    return module.client_class(capabilities)


def check_kind(kind: str, status: SystemStatus, *, where: str) -> None:
    """Refuse a URL whose system/status names another app than `kind`.

    Raises WrongKindError (another supported kind) or UnsupportedAppError
    (an app Comradarr does not know); `where` names the URL in the message.
    """
    spec = kind_spec(kind)
    detected = detect_kind(status.app_name, status.version)
    if detected != kind:
        other = KINDS[detected].display_name
        raise WrongKindError(
            f"This is {other}, not {spec.display_name}: {where} answers as {status.app_name} "
            f"{status.version}. Choose {other} as the kind, or fix the URL."
        )


def _http(
    spec: KindSpec,
    url: str,
    api_key: str,
    *,
    timeout: float,
    verify_ssl: bool,
    max_retries: int,
    connector_id: int | None = None,
) -> HttpClient:
    return HttpClient(
        url,
        api_key,
        app_label=spec.display_name,
        timeout=timeout,
        verify_ssl=verify_ssl,
        max_retries=max_retries,
        connector_id=connector_id,
    )


def build_client(
    kind: str,
    url: str,
    api_key: str,
    *,
    version: str | None = None,
    timeout: float = 30,
    verify_ssl: bool = True,
    max_retries: int = 3,
    connector_id: int | None = None,
) -> ArrClient:
    """A client for one instance. `version` (from the connector's last detection)
    picks the shape and features; None probes GET <api>/system/status first,
    and refuses a URL that answers as a different app than `kind`."""
    spec = kind_spec(kind)
    http = _http(
        spec,
        url,
        api_key,
        timeout=timeout,
        verify_ssl=verify_ssl,
        max_retries=max_retries,
        connector_id=connector_id,
    )
    if not version:
        status = map_system_status(http.get(spec.status_path))
        check_kind(kind, status, where=http.where)
        version = status.version
    capabilities = capabilities_for(kind, version)
    return _client(spec, client_class_for(kind, capabilities), http, capabilities)


def probe_client(
    kind: str,
    url: str,
    api_key: str,
    *,
    timeout: float = 30,
    verify_ssl: bool = True,
    max_retries: int = 3,
    connector_id: int | None = None,
) -> ArrClient:
    """A client for an instance whose version is not known yet, sending nothing.

    Only the endpoints every version of the kind shares are safe on it: ping(),
    system_status(), health() (what a health check or a connection test calls
    before it knows the version). Library endpoints need build_client(), which
    picks the class by version (Whisparr v2 and v3 differ).
    """
    spec = kind_spec(kind)
    http = _http(
        spec,
        url,
        api_key,
        timeout=timeout,
        verify_ssl=verify_ssl,
        max_retries=max_retries,
        connector_id=connector_id,
    )
    return _client(spec, client_class_for(kind, None), http, None)


def _client(
    spec: KindSpec, cls: type[ArrClient], http: HttpClient, capabilities: Capabilities | None
) -> ArrClient:
    client = cls(http, capabilities)
    client.api_prefix = spec.api_prefix  # the registry line is the one place it is written
    return client


def client_for(connector: Connector) -> ArrClient:
    """The client for a saved Connector (its stored app_version avoids a probe).

    When no check has detected the version yet, the probe that picks the client
    also records what it found on the connector, so Connector.shape and every
    page agree with the client from then on (a Whisparr v3 mirrors movies).
    """
    if not connector.app_version:
        _record_detected_version(connector)
    return build_client(
        connector.kind,
        connector.url,
        connector.api_key,
        version=connector.app_version or None,
        timeout=connector.timeout_seconds or 30,
        verify_ssl=connector.verify_ssl,
        connector_id=connector.pk,
    )


def _record_detected_version(connector: Connector) -> None:
    spec = kind_spec(connector.kind)
    http = _http(
        spec,
        connector.url,
        connector.api_key,
        timeout=connector.timeout_seconds or 30,
        verify_ssl=connector.verify_ssl,
        max_retries=3,
        connector_id=connector.pk,
    )
    status = map_system_status(http.get(spec.status_path))
    check_kind(connector.kind, status, where=http.where)
    connector.app_name, connector.app_version = status.app_name, status.version
    if connector.pk is not None:
        type(connector).objects.filter(pk=connector.pk, app_version="").update(
            app_name=status.app_name, app_version=status.version
        )

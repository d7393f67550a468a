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

if TYPE_CHECKING:
    from connectors.models import Connector


@dataclass(frozen=True)
class KindSpec:
    kind: str  # stored in Connector.kind
    display_name: str  # also the appName system/status reports
    default_port: int
    package: str  # module with client_class() and a capabilities submodule
    status_path: str = "/api/v3/system/status"  # where appName and version are read

    @property
    def default_url(self) -> str:
        return f"http://localhost:{self.default_port}"


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("sonarr", "Sonarr", 8989, "connectors.sonarr"),
        KindSpec("radarr", "Radarr", 7878, "connectors.radarr"),
        KindSpec("whisparr", "Whisparr", 6969, "connectors.whisparr"),
    )
}


def kind_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnsupportedAppError(
            f"Unknown connector kind {kind!r}: expected one of {', '.join(KINDS)}."
        ) from None


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


def build_client(
    kind: str,
    url: str,
    api_key: str,
    *,
    version: str | None = None,
    timeout: float = 30,
    verify_ssl: bool = True,
) -> ArrClient:
    """A client for one instance. `version` (from the connector's last detection)
    picks the shape and features; None probes GET /api/v3/system/status first,
    and refuses a URL that answers as a different app than `kind`."""
    spec = kind_spec(kind)
    http = HttpClient(
        url, api_key, app_label=spec.display_name, timeout=timeout, verify_ssl=verify_ssl
    )
    if not version:
        status = map_system_status(http.get(spec.status_path))
        detected = detect_kind(status.app_name, status.version)
        if detected != kind:
            raise WrongKindError(
                f"{http.where} answers as {status.app_name} {status.version}, not "
                f"{spec.display_name}: choose {KINDS[detected].display_name} as the kind "
                "or fix the URL."
            )
        version = status.version
    capabilities = capabilities_for(kind, version)
    return client_class_for(kind, capabilities)(http, capabilities)


def client_for(connector: Connector) -> ArrClient:
    """The client for a saved Connector (its stored app_version avoids a probe)."""
    return build_client(
        connector.kind,
        connector.url,
        connector.api_key,
        version=connector.app_version or None,
        timeout=connector.timeout_seconds or 30,
        verify_ssl=connector.verify_ssl,
    )

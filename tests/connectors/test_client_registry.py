"""registry: kinds, detection, building clients by version or by probing, client_for."""

from __future__ import annotations

import pytest

from connectors.common.errors import AuthenticationError, UnsupportedAppError, WrongKindError
from connectors.models import Connector
from connectors.radarr.client import RadarrClient
from connectors.registry import (
    KINDS,
    KindSpec,
    build_client,
    client_for,
    detect_kind,
    kind_spec,
    probe_client,
)
from connectors.sonarr.client import SonarrClient
from connectors.whisparr.client import WhisparrV2Client, WhisparrV3Client

from .conftest import load_fixture

URL = "http://arr.test:7878/radarr/"


def test_kinds_table_matches_the_connector_model_choices():
    assert set(KINDS) == set(Connector.Kind.values)
    assert Connector.Kind.choices == [(s.kind, s.display_name) for s in KINDS.values()]
    assert Connector.Kind.WHISPARR == "whisparr"
    # The column's choices stay out of migrations: a new registry line needs no migration.
    field = Connector._meta.get_field("kind")
    assert field.choices == Connector.Kind.choices
    assert "choices" not in field.deconstruct()[3]


def test_the_kind_picker_shows_each_registry_hint():
    from connectors.forms import ConnectorForm

    options = ConnectorForm().kind_options
    assert [(radio.data["value"], hint) for radio, hint in options] == [
        (spec.kind, spec.hint) for spec in KINDS.values()
    ]
    assert all(hint for _, hint in options)
    assert kind_spec("sonarr").default_port == 8989
    assert kind_spec("radarr").display_name == "Radarr"
    assert kind_spec("whisparr").default_url == "http://localhost:6969"


@pytest.mark.parametrize(
    ("app_name", "version", "kind"),
    [
        ("Sonarr", "4.0.19.2979", "sonarr"),
        ("Radarr", "6.0.4", "radarr"),
        ("Whisparr", "2.0.0.819", "whisparr"),
        ("Whisparr", "3.2.0.170", "whisparr"),
        (" radarr ", "5.0", "radarr"),
    ],
)
def test_detect_kind(app_name, version, kind):
    assert detect_kind(app_name, version) == kind


@pytest.mark.parametrize("app_name", ["Lidarr", "Readarr", "", None])
def test_detect_kind_refuses_other_apps(app_name):
    with pytest.raises(UnsupportedAppError, match="does not support"):
        detect_kind(app_name, "2.0")


@pytest.mark.parametrize(
    ("kind", "version", "cls"),
    [
        ("sonarr", "4.0.19.2979", SonarrClient),
        ("radarr", "6.0.4.10291", RadarrClient),
        ("whisparr", "2.0.0.819", WhisparrV2Client),
        ("whisparr", "3.2.0.170", WhisparrV3Client),
    ],
)
def test_build_client_with_a_known_version_does_not_probe(rsps, kind, version, cls):
    client = build_client(kind, URL, "key", version=version, timeout=5, verify_ssl=False)
    assert type(client) is cls
    assert client.capabilities.kind == kind
    assert client.http.timeout == 5 and client.http.verify_ssl is False
    assert client.http.base_url == "http://arr.test:7878/radarr"
    assert len(rsps.calls) == 0


def test_build_client_without_version_probes_system_status(rsps):
    rsps.get(
        "http://arr.test:7878/radarr/api/v3/system/status",
        json=load_fixture("whisparr_v3", "system_status"),
    )
    client = build_client("whisparr", URL, "key")
    assert type(client) is WhisparrV3Client
    assert client.capabilities.version == (3, 2, 0, 170)
    assert client.http.request_count == 1


def test_build_client_refuses_a_url_of_another_kind(rsps):
    rsps.get(
        "http://arr.test:7878/radarr/api/v3/system/status",
        json=load_fixture("radarr", "system_status"),
    )
    with pytest.raises(WrongKindError) as info:
        build_client("sonarr", URL, "key")
    assert str(info.value).startswith("This is Radarr, not Sonarr: Sonarr at http://arr.test")
    assert "answers as Radarr 6.0.4.10291" in str(info.value)
    assert "Choose Radarr as the kind, or fix the URL." in str(info.value)


def test_build_client_probe_passes_errors_through(rsps):
    rsps.get("http://arr.test:7878/radarr/api/v3/system/status", status=401)
    with pytest.raises(AuthenticationError):
        build_client("radarr", URL, "wrong")


def test_build_client_unknown_kind():
    with pytest.raises(UnsupportedAppError):
        build_client("lidarr", URL, "key", version="2.0")


def test_client_for_uses_the_connector_settings(rsps):
    connector = Connector(
        name="Movies",
        kind="radarr",
        url="https://radarr.example/movies",
        api_key="abcdef1234",
        verify_ssl=False,
        timeout_seconds=12,
        app_version="5.6.0.8846",
    )
    client = client_for(connector)
    assert type(client) is RadarrClient
    assert client.capabilities.wanted_endpoints is True
    assert client.capabilities.last_search_time is False
    assert client.http.timeout == 12 and client.http.verify_ssl is False
    assert client.http.api_key == "abcdef1234"
    assert client.http.where == "Radarr at https://radarr.example/movies"
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_probe_client_needs_no_version_and_sends_nothing(rsps, kind):
    client = probe_client(kind, URL, "key", timeout=4, verify_ssl=False, max_retries=0)
    assert client.capabilities is None
    assert client.http.timeout == 4 and client.http.verify_ssl is False
    assert client.http.max_retries == 0
    assert client.http.where.startswith(kind_spec(kind).display_name + " at ")
    assert len(rsps.calls) == 0
    rsps.get(
        f"http://arr.test:7878/radarr{kind_spec(kind).status_path}",
        json={"appName": "X", "version": "1.2"},
    )
    assert client.system_status().app_name == "X"


def test_the_registry_line_sets_the_api_prefix(rsps, monkeypatch):
    """A /api/v1 app (Lidarr, Readarr) needs only its registry line to say so."""
    v1 = KindSpec("sonarr", "Sonarr", 8989, "connectors.sonarr", api_prefix="/api/v1")
    monkeypatch.setitem(KINDS, "sonarr", v1)
    assert v1.status_path == "/api/v1/system/status"
    rsps.get(
        "http://arr.test:7878/radarr/api/v1/system/status",
        json={"appName": "Sonarr", "version": "4.0.19.2979"},
    )
    rsps.get("http://arr.test:7878/radarr/api/v1/health", json=[])
    assert probe_client("sonarr", URL, "key").system_status().app_name == "Sonarr"
    client = build_client("sonarr", URL, "key", version="4.0.19.2979")
    assert client.health() == []
    assert client.api_prefix == "/api/v1"


def test_a_new_app_is_one_package_and_one_registry_line(rsps, monkeypatch):
    """The CONTRIBUTING.md recipe, followed for a Lidarr-like app on /api/v1."""
    from connectors import health

    monkeypatch.setitem(
        KINDS,
        "lidarr",
        KindSpec("lidarr", "Lidarr", 8686, "tests.connectors.example_app", api_prefix="/api/v1"),
    )
    base = "http://lidarr.test:8686"
    rsps.get(f"{base}/ping", json={"status": "OK"})
    rsps.get(f"{base}/api/v1/system/status", json={"appName": "Lidarr", "version": "2.9.6.4552"})
    rsps.get(f"{base}/api/v1/health", json=[])
    rsps.get(f"{base}/api/v1/qualityprofile", json=[])
    assert detect_kind("Lidarr", "2.9.6.4552") == "lidarr"
    result = health.probe(kind="lidarr", url=base, api_key="key", interactive=True)
    assert (result.status, result.app_name, result.error) == ("healthy", "Lidarr", "")
    assert result.capabilities.kind == "lidarr" and result.capabilities.supported
    client = build_client("lidarr", base, "key")
    assert client.quality_profiles() == []
    # Its shape comes from the same rules: a shape the mirror has no tables for is
    # neither synced nor searched, and no other module needed a line for it.
    from connectors.models import Connector

    saved = Connector(kind="lidarr", name="music", url=base, app_version="2.9.6.4552")
    assert (saved.shape.name, saved.shape.mirrored) == ("music", False)
    (warning,) = capabilities_for_lidarr("0.8.1")
    assert warning == "Lidarr 0.8.1 is not supported: Comradarr needs Lidarr 1 or newer (API v1)."


def capabilities_for_lidarr(version: str) -> tuple[str, ...]:
    from connectors.common.capabilities import capabilities_for

    return capabilities_for("lidarr", version).warnings


@pytest.mark.django_db
def test_client_for_an_undetected_connector_records_the_probed_version(rsps):
    """The probe that picks the client settles Connector.shape too (Whisparr v3 -> movies)."""
    connector = Connector.objects.create(
        name="Scenes", kind="whisparr", url="http://whisparr.test:6969", api_key="k" * 32
    )
    assert connector.shape.name == "series"  # the kind's answer before any detection
    rsps.get(
        "http://whisparr.test:6969/api/v3/system/status",
        json={"appName": "Whisparr", "version": "3.2.0.170"},
    )
    client = client_for(connector)
    assert client.shape == "movies"
    assert connector.shape.name == "movies"
    saved = Connector.objects.get(pk=connector.pk)
    assert (saved.app_name, saved.app_version, saved.shape.name) == (
        "Whisparr",
        "3.2.0.170",
        "movies",
    )
    client_for(saved)
    assert len(rsps.calls) == 1  # recorded: no second probe

"""Connector management against fakearr: real HTTP servers imitating all four apps."""

from __future__ import annotations

import json
import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from connectors import health, services
from connectors.models import Connector, ConnectorHealthCheck

pytestmark = pytest.mark.django_db

ALL_KINDS = ["fake_sonarr", "fake_radarr", "fake_whisparr_v2", "fake_whisparr_v3"]
WRONG_KIND = {"sonarr": "radarr", "radarr": "sonarr", "whisparr": "sonarr"}
LABEL = {"sonarr": "Sonarr", "radarr": "Radarr", "whisparr": "Whisparr"}


@pytest.fixture(params=ALL_KINDS)
def arr(request):
    return request.getfixturevalue(request.param)


def cli_add(kind: str, url: str, api_key: str) -> list[str]:
    return ["connectors", "add", "--kind", kind, "--name", "X", "--url", url, "--api-key", api_key]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_add_via_service_detects_app_and_version(arr):
    connector = services.connector_create(
        kind=arr.kind, name=f"My {arr.kind}", url=arr.url + "/", api_key=arr.api_key
    )
    connector.refresh_from_db()
    assert connector.url == arr.url
    assert connector.app_name == LABEL[arr.kind]
    assert connector.app_version == arr.profile.version
    assert connector.health_status in ("healthy", "degraded")
    assert connector.last_contact_at is not None
    check = ConnectorHealthCheck.objects.get(connector=connector)
    assert check.app_version == arr.profile.version
    # Whisparr v2 and v3 are one kind with two shapes, told apart by version.
    result = health.check_connector(connector)
    assert result.capabilities.shape == arr.profile.shape


def test_add_via_command(arr):
    out = StringIO()
    call_command(
        "connectors",
        "add",
        "--kind",
        arr.kind,
        "--name",
        "From the CLI",
        "--url",
        arr.url,
        "--api-key",
        arr.api_key,
        "--timeout",
        "5",
        stdout=out,
    )
    assert arr.profile.version in out.getvalue()
    assert "(healthy)" in out.getvalue()
    listed = StringIO()
    call_command("connectors", "list", "--json", stdout=listed)
    (row,) = json.loads(listed.getvalue())
    assert row["app_version"] == arr.profile.version
    assert row["kind"] == arr.kind
    assert arr.api_key not in listed.getvalue()


def test_wrong_key_is_named(arr):
    with pytest.raises(services.ConnectorError) as excinfo:
        services.connector_create(kind=arr.kind, name="Bad key", url=arr.url, api_key="0" * 32)
    assert "api_key" in excinfo.value.errors
    assert (
        f"{LABEL[arr.kind]} at {arr.url} rejected the API key"
        in (excinfo.value.errors["api_key"][0])
    )
    with pytest.raises(CommandError, match="rejected the API key") as cli:
        call_command(*cli_add(arr.kind, arr.url, "0" * 32))
    assert "\n" not in str(cli.value)
    assert not Connector.objects.exists()


def test_wrong_kind_is_named(arr):
    wrong = WRONG_KIND[arr.kind]
    with pytest.raises(services.ConnectorError) as excinfo:
        services.connector_create(kind=wrong, name="Wrong", url=arr.url, api_key=arr.api_key)
    message = excinfo.value.errors["kind"][0]
    assert message.startswith(f"This is {LABEL[arr.kind]}, not {LABEL[wrong]}")
    with pytest.raises(CommandError) as cli:
        call_command(*cli_add(wrong, arr.url, arr.api_key))
    assert f"This is {LABEL[arr.kind]}, not {LABEL[wrong]}" in str(cli.value)
    assert "\n" not in str(cli.value)
    assert not Connector.objects.exists()


def test_unreachable_url_is_named():
    url = closed_port_url()
    with pytest.raises(services.ConnectorError) as excinfo:
        services.connector_create(kind="sonarr", name="Gone", url=url, api_key="a" * 32)
    message = excinfo.value.errors["url"][0]
    assert "127.0.0.1" in message
    assert "reach" in message.lower() or "refused" in message.lower()
    with pytest.raises(CommandError, match="is not reachable: connection refused") as cli:
        call_command(*cli_add("sonarr", url, "a" * 32))
    assert "\n" not in str(cli.value)
    assert not Connector.objects.exists()


def test_html_answer_blames_the_url(fake_sonarr):
    fake_sonarr.faults.html()
    with pytest.raises(services.ConnectorError) as excinfo:
        services.connector_create(
            kind="sonarr", name="Proxy", url=fake_sonarr.url, api_key=fake_sonarr.api_key
        )
    assert "URL base" in excinfo.value.errors["url"][0]


def test_url_base_is_kept(fakearr_factory):
    arr = fakearr_factory("sonarr", series=2, episodes_per_series=3, url_base="/sonarr")
    connector = services.connector_create(
        kind="sonarr", name="Behind a proxy", url=arr.url + "/", api_key=arr.api_key
    )
    assert connector.url.endswith("/sonarr")
    assert connector.app_version == arr.profile.version


def test_health_warnings_from_the_app_degrade(fakearr_factory):
    arr = fakearr_factory(
        "radarr",
        movies=3,
        health=[
            {
                "source": "DownloadClientCheck",
                "type": "error",
                "message": "No download client is available",
                "wikiUrl": "https://wiki.servarr.com/radarr/system",
            }
        ],
    )
    result = services.connector_test(kind="radarr", url=arr.url, api_key=arr.api_key)
    assert result.status == "degraded"
    assert any(m["message"] == "No download client is available" for m in result.messages)


def test_old_radarr_gets_version_warnings(fakearr_factory):
    arr = fakearr_factory("radarr", version="4.7.5.7809", movies=3)
    result = services.connector_test(kind="radarr", url=arr.url, api_key=arr.api_key)
    assert result.ok
    assert result.version == "4.7.5.7809"
    assert not result.capabilities.wanted_endpoints
    assert any("4.7.5" in w for w in result.capability_warnings)


def test_an_app_that_hangs_is_offline_within_the_timeout(fake_sonarr):
    fake_sonarr.faults.hang("/ping", delay=10)
    result = services.connector_test(
        kind="sonarr", url=fake_sonarr.url, api_key=fake_sonarr.api_key, timeout_seconds=1
    )
    assert result.status == "offline"
    assert result.error


def test_starting_app_is_a_transient_failure(fake_radarr):
    fake_radarr.faults.starting()
    result = services.connector_test(
        kind="radarr", url=fake_radarr.url, api_key=fake_radarr.api_key
    )
    assert not result.ok
    assert result.transient
    assert result.status == "degraded"


def test_periodic_check_follows_the_app(fake_sonarr, django_capture_on_commit_callbacks):
    from comradarr import events

    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["previous"], kwargs["current"]))

    connector = services.connector_create(
        kind="sonarr", name="Watched", url=fake_sonarr.url, api_key=fake_sonarr.api_key
    )
    events.connector_health_changed.connect(receiver)
    try:
        fake_sonarr.faults.unauthorized("/api/*")
        with django_capture_on_commit_callbacks(execute=True):
            assert health.check_connector(connector).status == "unhealthy"
        fake_sonarr.faults.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert health.check_connector(connector).status == "healthy"
    finally:
        events.connector_health_changed.disconnect(receiver)
    assert seen == [("healthy", "unhealthy"), ("unhealthy", "healthy")]


def test_delete_removes_the_mirror_and_search_state_of_that_connector_only(fakearr_factory):
    from content.models import Episode, Series, SyncRun
    from content.sync import runner
    from searchstate.models import SearchRegistry
    from searchstate.services import registry_mark_exhausted

    kept, doomed = (
        services.connector_create(kind="sonarr", name=name, url=arr.url, api_key=arr.api_key)
        for name, arr in (
            ("Kept", fakearr_factory("sonarr", series=3, episodes_per_series=5, seed=1)),
            ("Doomed", fakearr_factory("sonarr", series=3, episodes_per_series=5, seed=2)),
        )
    )
    for connector in (kept, doomed):
        run = runner.connector_sync(
            connector=connector, kind=SyncRun.Kind.FULL, trigger=SyncRun.Trigger.MANUAL
        )
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        registry_mark_exhausted(
            connector=connector, items=list(Episode.objects.filter(connector=connector)[:4])
        )
    before = {m: m.objects.filter(connector=kept).count() for m in (Series, Episode)}
    summary = dict(services.connector_delete_summary(connector=doomed))
    assert summary["episodes"] == Episode.objects.filter(connector=doomed).count() > 0
    services.connector_delete(connector=doomed)
    for model in (Series, Episode, SearchRegistry, ConnectorHealthCheck):
        assert not model.objects.filter(connector_id=doomed.pk).exists(), model
    assert {m: m.objects.filter(connector=kept).count() for m in (Series, Episode)} == before
    assert SearchRegistry.objects.filter(connector=kept).count() == 4

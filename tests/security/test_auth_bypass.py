"""Auth bypass via trusted headers and the local-network mode (issue 9, point 5).

The peer let anyone in who sent the right forwarded header, and its local
mode trusted addresses that stand for the whole internet.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from comradarr.accounts import gateway, services
from comradarr.models import AppSettings

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def known_gateways(monkeypatch):
    """The machine running the tests may itself be a container: fix what it reports."""
    gateway.container_gateways.cache_clear()
    monkeypatch.setattr(gateway, "CONTAINER_MARKERS", ())
    monkeypatch.setattr(gateway, "CGROUP_FILE", Path("/nonexistent/cgroup"))
    gateway._warned.clear()
    yield
    gateway.container_gateways.cache_clear()


@pytest.fixture
def local_bypass(admin_user):
    services.app_settings_update(auth_mode=AppSettings.AuthMode.LOCAL_BYPASS, log_level="warning")


def let_in(response) -> bool:
    return response.status_code == 200


def visit(ip: str, **headers) -> object:
    return Client().get(reverse("dashboard"), REMOTE_ADDR=ip, **headers)


def test_local_client_is_let_in(local_bypass):
    """Class: auth bypass via local-network mode: the mode still works for a real LAN client."""
    assert let_in(visit("192.168.1.20"))


def test_trusted_proxy_without_forwarded_for_is_remote(local_bypass, settings):
    """Class: auth bypass via trusted headers: a proxy that hides the client is not "local"."""
    settings.TRUSTED_PROXIES = [PROXY]
    assert not let_in(visit(PROXY))
    assert not let_in(visit(PROXY, HTTP_X_FORWARDED_FOR=""))
    # Only proxies in the chain: still nobody to judge.
    assert not let_in(visit(PROXY, HTTP_X_FORWARDED_FOR=f"{PROXY}, {PROXY}"))
    # With the client named, the usual rules apply.
    assert let_in(visit(PROXY, HTTP_X_FORWARDED_FOR="192.168.1.20"))
    assert not let_in(visit(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9"))


@pytest.mark.parametrize("forged", ["127.0.0.1", "192.168.0.1", "10.0.0.1, 127.0.0.1"])
def test_forged_forwarded_for_from_untrusted_peer(local_bypass, settings, forged):
    """Class: auth bypass via trusted headers: X-Forwarded-For only from TRUSTED_PROXIES."""
    settings.TRUSTED_PROXIES = [PROXY]
    assert not let_in(visit("203.0.113.9", HTTP_X_FORWARDED_FOR=forged))


@pytest.mark.parametrize("header", ["HTTP_X_REAL_IP", "HTTP_CLIENT_IP", "HTTP_FORWARDED"])
def test_other_client_address_headers_are_ignored(local_bypass, settings, header):
    """Class: auth bypass via trusted headers: no other header names the client."""
    settings.TRUSTED_PROXIES = [PROXY]
    value = "for=127.0.0.1" if header == "HTTP_FORWARDED" else "127.0.0.1"
    assert not let_in(visit("203.0.113.9", **{header: value}))


def test_docker_bridge_gateway_is_refused_with_a_logged_reason(local_bypass, caplog):
    """Class: auth bypass via local-network mode: Docker's gateway stands for every outside client."""
    with caplog.at_level(logging.WARNING, logger="comradarr.accounts.gateway"):
        assert not let_in(visit("172.17.0.1"))
        assert not let_in(visit("172.17.0.1"))
    (record,) = [r for r in caplog.records if "gateway" in r.getMessage()]
    assert "TRUSTED_PROXIES" in record.getMessage()
    # A neighbour on the same bridge is still local.
    assert let_in(visit("172.17.0.5"))


def test_container_default_gateway_is_refused(local_bypass, monkeypatch, tmp_path):
    """Class: auth bypass via local-network mode: the container network's gateway (podman etc)."""
    route = tmp_path / "route"
    route.write_text(
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n"
        "eth0\t00000000\t0158A8C0\t0003\t0\t0\t0\t00000000\n"  # via 192.168.88.1
        "eth0\t0058A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
    )
    marker = tmp_path / ".containerenv"
    marker.touch()
    monkeypatch.setattr(gateway, "ROUTE_FILE", route)
    monkeypatch.setattr(gateway, "CONTAINER_MARKERS", (marker,))
    gateway.container_gateways.cache_clear()
    assert gateway.container_gateways() == {"172.17.0.1", "192.168.88.1"}
    assert not let_in(visit("192.168.88.1"))
    assert let_in(visit("192.168.88.20"))


def test_outside_a_container_the_host_gateway_is_not_special(local_bypass, monkeypatch, tmp_path):
    """Class: auth bypass via local-network mode: the route file is read only in a container."""
    route = tmp_path / "route"
    route.write_text("Iface\tDestination\tGateway\neth0\t00000000\t0101A8C0\n")
    monkeypatch.setattr(gateway, "ROUTE_FILE", route)
    gateway.container_gateways.cache_clear()
    assert gateway.container_gateways() == {"172.17.0.1"}
    assert let_in(visit("192.168.1.1"))


@pytest.mark.parametrize(
    "content", ["", "garbage", "Iface\tDestination\tGateway\neth0\t00000000\tZZZZ\n"]
)
def test_a_broken_route_file_is_no_gateway(tmp_path, content):
    """Class: auth bypass via local-network mode: unreadable routes never crash a request."""
    route = tmp_path / "route"
    route.write_text(content)
    assert gateway.default_gateway(route) is None
    assert gateway.default_gateway(tmp_path / "missing") is None


def test_a_gateway_behind_a_trusted_proxy_is_judged_by_the_forwarded_client(local_bypass, settings):
    """Class: auth bypass: a reverse proxy on the host (seen as the gateway) forwarding the client."""
    settings.TRUSTED_PROXIES = ["172.17.0.1"]
    assert let_in(visit("172.17.0.1", HTTP_X_FORWARDED_FOR="192.168.1.20"))
    assert not let_in(visit("172.17.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"))
    assert not let_in(visit("172.17.0.1"))


def test_settings_page_warns_about_the_gateway(signed_in):
    """Class: auth bypass via local-network mode: the settings page says why and what to set."""
    body = signed_in.get(reverse("settings_security"), REMOTE_ADDR="172.17.0.1").content.decode()
    assert 'id="bypass-warning"' in body
    assert "gateway of Comradarr&#x27;s container network" in body
    assert "TRUSTED_PROXIES" in body
    assert "does not count</span>" not in body
    assert "does not count as the local network" in body


def test_settings_page_warns_about_a_proxy_without_forwarded_for(signed_in, settings):
    """Class: auth bypass via trusted headers: the settings page names the proxy's omission."""
    settings.TRUSTED_PROXIES = [PROXY]
    body = signed_in.get(reverse("settings_security"), REMOTE_ADDR=PROXY).content.decode()
    assert "without an X-Forwarded-For" in body
    assert "does not count as the local network" in body


def test_disabled_mode_is_unaffected(admin_user):
    """Class: auth bypass: disabled mode lets everyone in, as documented (not a bypass)."""
    services.app_settings_update(auth_mode=AppSettings.AuthMode.DISABLED, log_level="warning")
    assert let_in(visit("172.17.0.1"))

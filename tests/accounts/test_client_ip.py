"""client_ip: REMOTE_ADDR unless a trusted proxy forwarded the request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from comradarr.accounts.client_ip import client_ip, is_local, parse_address


def request(remote: str | None = "203.0.113.9", xff: str | None = None):
    factory = RequestFactory()
    extra = {}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    req = factory.get("/", **extra)
    if remote is None:
        del req.META["REMOTE_ADDR"]
    else:
        req.META["REMOTE_ADDR"] = remote
    return req


def test_untrusted_peer_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.9", "127.0.0.1")) == "203.0.113.9"


def test_peer_outside_trusted_list_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("198.51.100.7", "192.168.1.2")) == "198.51.100.7"


def test_trusted_proxy_header_is_honoured(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", "198.51.100.7")) == "198.51.100.7"


def test_walks_from_the_right_skipping_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "172.18.0.2"]
    # The leftmost entry is what the client claimed; only the chain of trusted hops counts.
    xff = "127.0.0.1, 198.51.100.7, 10.0.0.9, 172.18.0.2"
    assert client_ip(request("10.0.0.5", xff)) == "198.51.100.7"


def test_all_hops_trusted_gives_the_leftmost(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request("10.0.0.5", "10.1.1.1, 10.2.2.2")) == "10.1.1.1"


def test_trusted_proxy_without_header_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5")) == "10.0.0.5"


@pytest.mark.parametrize(
    "xff",
    ["not-an-ip", "198.51.100.7<script>", "1.2.3.4.5", "\x00\x01", "999.1.1.1", "x" * 300],
)
def test_garbage_in_the_trusted_chain_is_not_trusted(settings, xff):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", xff)) == ""


def test_garbage_left_of_the_client_is_never_reached(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", "junk, 198.51.100.7")) == "198.51.100.7"


def test_empty_entries_are_skipped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", " , 198.51.100.7,, ")) == "198.51.100.7"


def test_ports_and_brackets_are_stripped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", "198.51.100.7:51234")) == "198.51.100.7"
    assert client_ip(request("10.0.0.5", "[2001:db8::1]:443")) == "2001:db8::1"


def test_ipv6_peer_and_ipv4_mapped(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("2001:db8::7")) == "2001:db8::7"
    assert client_ip(request("::ffff:192.168.1.4")) == "192.168.1.4"


def test_missing_or_garbage_remote_addr_is_unknown(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request(None, "127.0.0.1")) == ""
    assert client_ip(request("garbage", "127.0.0.1")) == ""


def test_bad_trusted_proxies_setting_names_the_variable(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.local"]
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES.*proxy\.local"):
        client_ip(request("10.0.0.5", "198.51.100.7"))


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("172.31.255.255", True),
        ("172.32.0.1", False),
        ("192.168.1.10", True),
        ("127.0.0.1", True),
        ("127.8.8.8", True),
        ("::1", True),
        ("fd12:3456::1", True),
        ("fe80::1", True),
        ("::ffff:10.0.0.1", True),
        ("8.8.8.8", False),
        ("100.64.0.1", False),  # carrier-grade NAT is not the user's own network
        ("2001:db8::1", False),
        ("", False),
        ("nonsense", False),
    ],
)
def test_is_local(address, local):
    assert is_local(address) is local


def test_parse_address_rejects_overlong_input():
    assert parse_address("1" * 100) is None


def test_system_check_reports_bad_trusted_proxies(settings):
    from comradarr.accounts.checks import check_trusted_proxies

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "172.18.0.0/16"]
    assert check_trusted_proxies() == []
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    errors = check_trusted_proxies()
    assert [e.id for e in errors] == ["comradarr.accounts.E001"]
    assert "TRUSTED_PROXIES" in errors[0].msg

"""The one connector URL normaliser (connectors.common.urls): one function, one answer.

The form, the CLI, the admin and the HTTP client all call it, so these cases are
the whole contract; the other test modules only check that each caller uses it.
"""

from __future__ import annotations

import pytest

from connectors.common.errors import InvalidURLError
from connectors.common.urls import URL_MAX, normalize_base_url, origin, same_origin


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("http://sonarr:8989", "http://sonarr:8989"),
        ("  HTTP://Sonarr.Example:8989/ ", "http://sonarr.example:8989"),
        ("http://host:8989//sonarr//", "http://host:8989/sonarr"),
        ("https://host/sonarr/", "https://host/sonarr"),
        ("http://host:8989//", "http://host:8989"),
        ("http://sonarr.lan.:8989", "http://sonarr.lan:8989"),
        ("http://192.168.1.5:8989", "http://192.168.1.5:8989"),
        ("http://[::1]:8989", "http://[::1]:8989"),
        ("http://[0:0:0:0:0:0:0:1]:8989", "http://[::1]:8989"),
        # The C resolver's spellings of an IPv4 address are stored canonically.
        ("http://2130706433:8989", "http://127.0.0.1:8989"),
        ("http://0x7f.1:8989", "http://127.0.0.1:8989"),
        ("http://0300.0250.1.5:8989", "http://192.168.1.5:8989"),
        ("http://10.1:8989", "http://10.0.0.1:8989"),
        ("http://sonarr_4k:8989", "http://sonarr_4k:8989"),
    ],
)
def test_urls_are_stored_in_one_canonical_form(raw, stored):
    assert normalize_base_url(raw) == stored
    assert normalize_base_url(stored) == stored  # idempotent


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter the URL"),
        ("   ", "Enter the URL"),
        (None, "Enter the URL"),
        ("sonarr:8989", "http:// or https://"),
        ("192.168.1.5:8989", "http:// or https://"),
        ("ftp://sonarr:21", "ftp:// is not supported"),
        ("http://", "no host name"),
        ("http://son arr:8989", "spaces"),
        ("http://sonarr\x00:8989", "control characters"),
        ("http://host:port", "port"),
        ("http://host:99999", "port"),
        ("http://host:0", "port"),
        ("http://user:pw@sonarr:8989", "user name and password"),
        ("http://user@sonarr:8989", "user name and password"),
        ("http://evil.test\\@127.0.0.1:8989", "user name and password"),
        ("http://sonarr:8989/?apikey=secret", "query"),
        ("http://sonarr:8989/?", "query"),
        ("http://sonarr:8989/#frag", "fragment"),
        ("http://<script>:8989", "not a valid host name"),
        ("http://-bad-:8989", "not a valid host name"),
        ("http://[nonsense]:8989", "not a valid IPv6"),
        ("http://" + "a" * URL_MAX + ".com", "too long"),
        ("http://169.254.169.254", "cloud metadata"),
    ],
)
def test_unusable_urls_are_refused_with_a_message_that_says_what_to_fix(raw, message):
    with pytest.raises(InvalidURLError, match=message) as info:
        normalize_base_url(raw)
    assert info.value.policy.retry_request is False
    assert isinstance(info.value, ValueError)  # the form and service rules catch ValueError


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("http://sonarr:8989", "http://sonarr:8989/sonarr", True),
        ("http://sonarr", "http://sonarr:80", True),
        ("https://sonarr", "https://sonarr:443/x", True),
        ("http://sonarr:8989", "https://sonarr:8989", False),
        ("http://sonarr:8989", "http://sonarr:8990", False),
        ("http://sonarr:8989", "http://radarr:8989", False),
        ("http://[::1]:8989", "http://[0::1]:8989", True),
    ],
)
def test_origin_is_scheme_host_and_port(first, second, same):
    assert same_origin(first, second) is same
    assert origin("http://Sonarr.:8989/x") == ("http", "sonarr", 8989)

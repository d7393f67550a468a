"""The environment variables of the settings pages: parsed at start-up, failing loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from comradarr import config


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("https://comradarr.example.com/", "https://comradarr.example.com"),
        ("http://192.168.1.5:3000", "http://192.168.1.5:3000"),
        ("https://example.com/comradarr", "https://example.com/comradarr"),
    ],
)
def test_public_url_good(value, expected):
    assert config.read_http_url("PUBLIC_URL", env={"PUBLIC_URL": value}) == expected


@pytest.mark.parametrize(
    "value",
    [
        "comradarr.example.com",
        "javascript:alert(1)",
        "ftp://x.example",
        "https://u:p@x.example",
        "https://x.example/?a=1",
        "https://x.example/#top",
        'https://x.example/"',
        "https://x.example:0x50",
    ],
)
def test_public_url_bad_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match=r"^PUBLIC_URL="):
        config.read_http_url("PUBLIC_URL", env={"PUBLIC_URL": value})

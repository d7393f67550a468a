"""Capability detection from app name + version (the matrix in NOTES.md section 7)."""

from __future__ import annotations

import pytest

from connectors.common.capabilities import at_least, capabilities_for, parse_version
from connectors.common.errors import UnsupportedAppError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.0.9.2421", (4, 0, 9, 2421)),
        ("3.0.10.1567", (3, 0, 10, 1567)),
        ("5.6", (5, 6)),
        ("v6.0.4.10291", (6, 0, 4, 10291)),
        ("3.2.0-develop.45", (3, 2, 0)),
        ("", ()),
        (None, ()),
        ("garbage", ()),
    ],
)
def test_parse_version(text, expected):
    assert parse_version(text) == expected


def test_at_least_pads_missing_parts():
    assert at_least((5, 6), (5, 6, 0, 0))
    assert at_least((5, 6, 0, 1), (5, 6))
    assert not at_least((5, 5, 99), (5, 6))
    assert not at_least((), (3,))


# kind, version, supported, shape, wanted, last_search_time, include_episode_file, history_since
MATRIX = [
    ("sonarr", "3.0.10.1567", True, "series", True, False, False, True),
    ("sonarr", "4.0.0.741", True, "series", True, False, False, True),
    ("sonarr", "4.0.9.2332", True, "series", True, True, False, True),
    ("sonarr", "4.0.9.2421", True, "series", True, True, True, True),
    ("sonarr", "4.0.19.2979", True, "series", True, True, True, True),
    ("sonarr", "5.0.0.100", True, "series", True, True, True, True),
    ("sonarr", "2.0.0.5344", False, "series", False, False, False, False),
    ("radarr", "3.2.2.5080", True, "movies", False, False, False, False),
    ("radarr", "4.7.5.7809", True, "movies", False, False, False, True),
    ("radarr", "5.6", True, "movies", True, False, False, True),
    ("radarr", "5.6.0.8846", True, "movies", True, False, False, True),
    ("radarr", "5.10.3.9178", True, "movies", True, True, False, True),
    ("radarr", "6.0.4.10291", True, "movies", True, True, False, True),
    ("radarr", "0.2.0.1504", False, "movies", False, False, False, False),
    ("sonarr", "4.0.0", True, "series", True, False, False, True),
    ("sonarr", "4.0.9", True, "series", True, False, False, True),
    ("radarr", "5.10.3", True, "movies", True, True, False, True),
    ("whisparr", "2.0.0", True, "series", True, False, False, True),
    ("whisparr", "3.2.0", True, "movies", True, True, False, True),
    ("whisparr", "2.0.0.819", True, "series", True, False, False, True),
    ("whisparr", "3.0.0.100", True, "movies", False, False, False, True),
    ("whisparr", "3.2.0.170", True, "movies", True, True, False, True),
]


@pytest.mark.parametrize(
    ("kind", "version", "supported", "shape", "wanted", "lst", "ief", "since"), MATRIX
)
def test_capability_matrix(kind, version, supported, shape, wanted, lst, ief, since):
    caps = capabilities_for(kind, version)
    assert caps.kind == kind
    assert caps.version == parse_version(version)
    assert caps.supported is supported
    assert caps.shape == shape
    assert caps.wanted_endpoints is wanted
    assert caps.last_search_time is lst
    assert caps.include_episode_file is ief
    assert caps.history_since is since


def test_current_versions_have_no_warnings():
    for kind, version in [
        ("sonarr", "4.0.19.2979"),
        ("radarr", "6.0.4.10291"),
        ("radarr", "5.10.3.9178"),
        ("whisparr", "2.0.0.819"),
        ("whisparr", "3.2.0.170"),
    ]:
        assert capabilities_for(kind, version).warnings == (), (kind, version)


def test_old_sonarr_warns_what_an_upgrade_brings():
    (warning,) = capabilities_for("sonarr", "3.0.10.1567").warnings
    assert warning.startswith("Sonarr 3.0.10.1567 is old: 4.0.9.2421 or newer")
    assert capabilities_for("sonarr", "4.0.0.741").warnings


def test_old_radarr_warns_about_the_library_scan_fallback():
    (warning,) = capabilities_for("radarr", "4.7.5.7809").warnings
    assert "Radarr 4.7.5.7809 is old: 5.10.3 or newer" in warning
    assert "missing and cutoff-unmet" in warning
    assert "whole library is read" in warning
    (between,) = capabilities_for("radarr", "5.6.0.8846").warnings
    assert "last searched" in between and "whole library" not in between


def test_unsupported_versions_say_so():
    (warning,) = capabilities_for("sonarr", "2.0.0.5344").warnings
    assert "not supported" in warning
    (warning,) = capabilities_for("whisparr", "1.5.0").warnings
    assert "not supported" in warning
    assert not capabilities_for("whisparr", "4.0.0").supported


def test_newer_major_than_known_is_supported_with_a_note():
    caps = capabilities_for("radarr", "7.0.0.1")
    assert caps.supported and caps.wanted_endpoints
    assert "newer than the versions" in caps.warnings[0]


def test_radarr_extras_follow_the_notes():
    assert not capabilities_for("radarr", "5.2.9").movie_statistics
    assert capabilities_for("radarr", "5.3.0").movie_statistics
    assert not capabilities_for("radarr", "5.10.3.9178").sort_key_allow_list
    assert capabilities_for("radarr", "5.10.4.9218").sort_key_allow_list
    assert capabilities_for("sonarr", "4.0.9.2421").sort_key_allow_list
    assert not capabilities_for("sonarr", "3.0.8").instance_name
    assert capabilities_for("sonarr", "3.0.9").instance_name


def test_unknown_kind_is_refused():
    with pytest.raises(UnsupportedAppError, match="Unknown connector kind 'lidarr'"):
        capabilities_for("lidarr", "2.0.0")


def test_unparsable_version_is_unsupported_not_a_crash():
    caps = capabilities_for("sonarr", "garbage")
    assert caps.supported is False
    assert caps.warnings

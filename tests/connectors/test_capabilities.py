"""Capability detection from app name + version (the matrix in docs/arr-api.md section 7)."""

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


# docs/arr-api.md section 7, row by row: (capability, kind, version just below, version at or above).
# None for "below" means every supported version has it; None for "at" means none has it.
NOTES_ROWS = [
    ("wanted_endpoints", "sonarr", None, "3.0.10.1567"),
    ("wanted_endpoints", "radarr", "5.5.3.8819", "5.6.0.8846"),
    ("wanted_endpoints", "whisparr", None, "2.0.0.819"),
    ("wanted_endpoints", "whisparr", "3.1.9", "3.2.0"),
    ("last_search_time", "sonarr", "4.0.9.2331", "4.0.9.2332"),
    ("last_search_time", "radarr", "5.10.2.9164", "5.10.3.9178"),
    ("last_search_time", "whisparr", "2.0.0.819", None),
    ("last_search_time", "whisparr", "3.1.9", "3.2.0"),
    ("sort_key_allow_list", "sonarr", "4.0.9.2420", "4.0.9.2421"),
    ("sort_key_allow_list", "radarr", "5.10.3.9178", "5.10.4.9218"),
    ("sort_key_allow_list", "whisparr", "2.0.0.819", None),
    ("sort_key_allow_list", "whisparr", None, "3.0.0.100"),
    ("include_episode_file", "sonarr", "4.0.9.2420", "4.0.9.2421"),
    ("include_episode_file", "radarr", "6.0.4.10291", None),
    ("include_episode_file", "whisparr", "2.0.0.819", None),
    ("include_episode_file", "whisparr", "3.2.0", None),
    ("movie_statistics", "sonarr", "4.0.19.2979", None),
    ("movie_statistics", "radarr", "5.2.9", "5.3.0"),
    ("movie_statistics", "whisparr", "2.0.0.819", None),
    ("movie_statistics", "whisparr", None, "3.0.0.100"),
    ("movie_file_id", "radarr", "5.5.3.8819", "5.6.0.8846"),
    ("movie_file_id", "whisparr", "2.0.0.819", None),
    ("movie_file_id", "whisparr", "3.1.9", "3.2.0"),
    ("instance_name", "sonarr", "3.0.8.1507", "3.0.9.1549"),
    ("instance_name", "radarr", "3.2.2.5080", "4.0.0.5831"),
    ("instance_name", "whisparr", None, "2.0.0.819"),
    ("instance_name", "whisparr", None, "3.0.0.100"),
    ("webhook_custom_headers", "sonarr", "4.0.9.2421", "4.0.10.2544"),
    ("webhook_custom_headers", "radarr", "5.15.1.9463", "5.16.0.9500"),
    ("webhook_custom_headers", "whisparr", "2.0.0.819", None),
    ("webhook_custom_headers", "whisparr", None, "3.0.0.100"),
    ("history_since", "sonarr", None, "3.0.10.1567"),
    ("history_since", "radarr", "3.2.2.5080", "4.0.0.5831"),
    ("history_since", "whisparr", None, "2.0.0.819"),
    ("history_since", "whisparr", None, "3.0.0.100"),
    # Not an API feature but how releases come (Connector.shape's neighbour): Sonarr seasons
    # are released as packs, Whisparr v2 "seasons" are years of a site, movies have none.
    ("season_packs", "sonarr", None, "3.0.10.1567"),
    ("season_packs", "radarr", "5.28.0.10205", None),
    ("season_packs", "whisparr", "2.0.0.819", None),
    ("season_packs", "whisparr", "3.2.0", None),
]


@pytest.mark.parametrize(("capability", "kind", "below", "at"), NOTES_ROWS)
def test_every_row_of_the_notes_matrix(capability, kind, below, at):
    if below is not None:
        caps = capabilities_for(kind, below)
        assert caps.supported, below
        assert getattr(caps, capability) is False, (capability, kind, below)
    if at is not None:
        caps = capabilities_for(kind, at)
        assert caps.supported, at
        assert getattr(caps, capability) is True, (capability, kind, at)


def test_every_capability_flag_has_a_notes_row():
    from dataclasses import fields

    from connectors.common.capabilities import Capabilities

    flags = {f.name for f in fields(Capabilities) if f.type in ("bool", bool)} - {"supported"}
    assert flags == {row[0] for row in NOTES_ROWS}

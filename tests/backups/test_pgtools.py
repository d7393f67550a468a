"""The PostgreSQL client programs: found in the bundled binaries, refused for a newer server."""

from __future__ import annotations

import pytest

from backups import pgtools

pytestmark = pytest.mark.django_db


def test_the_bundled_programs_are_found_and_match_the_server():
    for name in ("pg_dump", "pg_restore", "psql"):
        assert pgtools.program(name).endswith(name)
    live = pgtools.target()
    major, text = pgtools.client_version()
    assert live.server_major == major and text.startswith(str(major))
    assert pgtools.check_compatible(live) == text
    assert "--dbname" in live.args() and live.dbname.startswith("test_")


def test_a_server_newer_than_the_client_is_refused_with_both_versions(monkeypatch):
    live = pgtools.target()
    monkeypatch.setattr(pgtools, "client_version", lambda: (live.server_major - 1, "15.6"))
    with pytest.raises(pgtools.PgToolError) as caught:
        pgtools.check_compatible(live)
    assert f"PostgreSQL {live.server_version}" in str(caught.value) and "15.6" in str(caught.value)


def test_connection_options_reach_the_client_programs(monkeypatch):
    live = pgtools.target()
    options = pgtools.Target(**{**live.__dict__, "extra_env": (("PGSSLMODE", "require"),)})
    monkeypatch.setenv("PGHOST", "somewhere-else")
    env = options.env()
    assert env["PGSSLMODE"] == "require" and "PGHOST" not in env

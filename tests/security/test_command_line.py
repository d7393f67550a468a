"""Regression suite: command-line edges (issue 9 point 12).

Finding classes guarded:
- unvalidated command input: a value the database refuses (100k-character
  note, an id beyond bigint) ended in a DataError traceback; every command
  now checks lengths and ranges first and answers in one line;
- secrets on the command line: `connectors add --api-key KEY` shows the key in
  ps and the shell history; the key can come from a file, standard input or
  COMRADARR_API_KEY instead, so it never has to be on the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command
from django.db import DataError

from comradarr.management.parsing import OneLineErrorsCommand
from connectors.models import Connector
from searchstate.models import Exclusion
from tests.connectors.arr_stubs import stub_app
from tests.connectors.test_command import ROOT, _database_url
from tests.searchstate import builders

KEY = "0123456789abcdef0123456789abcdef"
HUGE = "x" * 100_000
ADD = ["connectors", "add", "--kind", "sonarr"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(db):
    conn = builders.connector(name="Sonarr")
    return builders.series(conn, title="Show", arr_id=77)


def _one_line_error(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 400, message[:100]
    assert HUGE[:1000] not in message
    return message


def test_a_100k_note_is_refused_in_one_line_and_nothing_is_written(show):
    """Unvalidated command input: the reported `searchstate exclude --note` DataError."""
    message = _one_line_error("searchstate", "exclude", "--series", "77", "--note", HUGE)
    assert "the note is too long (100000 characters, at most 200)" in message
    assert not Exclusion.objects.exists()


def test_a_note_at_the_limit_is_accepted(show):
    """Unvalidated command input: the bound is the column's, not an arbitrary one."""
    call_command("searchstate", "exclude", "--series", "77", "--note", "n" * 200, stdout=StringIO())
    assert Exclusion.objects.get().note == "n" * 200


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["searchstate", "why", "--episode", str(10**12)], "at most 2147483647"),
        (["searchstate", "why", "--episode", "0"], "at least 1"),
        (["searchstate", "why", "--series", "77", "--season", "-1"], "at least 0"),
        (["searchstate", "why", "--series", "77", "--season", "\uff11"], "whole number"),
        (["searchstate", "why", "--series", HUGE], "too long"),
        (["searchstate", "why", "--movie", HUGE], "too long"),
        (["searchstate", "why", "--connector", HUGE, "--series", "77"], "too long"),
        (["searchstate", "priority", HUGE, "--series", "77"], "too long"),
        (["searchstate", HUGE], "invalid choice"),
        (["sync", "--connector", HUGE], "too long"),
        (["sweep", "--connector", HUGE], "too long"),
        (["sweep", "--limit", "0"], "at least 1"),
        (["sweep", "--limit", str(10**30)], "whole number"),
        (["sweep", "--only", str(2**63)], "at most"),
        (["sweep", "--only", "1e3"], "whole number"),
        (["queue", "remove", str(2**63)], "at most"),
        (["queue", "remove", "-5"], "at least 1"),
        (["queue", "priority", "1", str(2**40)], "at most"),
        (["queue", "pause", "--connector", HUGE], "too long"),
        (["process_queue", "--connector", HUGE], "too long"),
        (["throttle_profiles", "show", HUGE], "too long"),
        (["throttle_profiles", "create", "Night", "--description", HUGE], "too long"),
        (["throttle_profiles", "create", "Night", "--batch-size", HUGE], "too long"),
        (["throttle_profiles", "assign", HUGE, "default"], "too long"),
        (["connectors", "test", HUGE], "too long"),
        (["connectors", "remove", "Sonarr\x00", "--yes"], "control characters"),
        ([*ADD, "--name", HUGE, "--url", "http://s"], "long"),
        ([*ADD, "--name", "S", "--url", HUGE], "too long"),
        (
            [*ADD, "--name", "S", "--url", "http://s", "--timeout", str(10**20)],
            "between 1 and 300",
        ),
        (["schedules", HUGE], "invalid choice"),
    ],
)
def test_every_command_checks_lengths_and_ranges_and_answers_in_one_line(show, args, fragment):
    """Unvalidated command input: each bad value is one line, never a traceback."""
    assert fragment in _one_line_error(*args)
    assert Connector.objects.count() == 1


def test_a_database_refusal_that_slips_through_is_still_one_line():
    """Unvalidated command input: the last net under every one-line command."""

    class Command(OneLineErrorsCommand):
        def handle(self, *args, **options):
            raise DataError("value too long for type character varying(200)\nCONTEXT: ...")

    with pytest.raises(CommandError) as info:
        Command().execute(
            stdout=StringIO(), stderr=StringIO(), no_color=True, force_color=False, skip_checks=True
        )
    assert str(info.value) == (
        "the database refused a value: value too long for type character varying(200)"
    )


def test_the_key_never_has_to_be_on_the_command_line(monkeypatch, tmp_path):
    """Secrets on the command line: file and environment keep the key out of argv."""
    key_file = tmp_path / "sonarr.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    monkeypatch.setenv("COMRADARR_API_KEY", KEY)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        stub_app(rsps, "http://sonarr.test:8989", api_key=KEY)
        stub_app(rsps, "http://other.test:8989", api_key=KEY)
        for name, url, extra in (
            ("From file", "http://sonarr.test:8989", ["--api-key-file", str(key_file)]),
            ("From env", "http://other.test:8989", []),
        ):
            argv = ["add", "--kind", "sonarr", "--name", name, "--url", url, *extra]
            call_command("connectors", *argv, stdout=StringIO())
            assert KEY not in " ".join(argv)
    assert set(Connector.objects.values_list("api_key", flat=True)) == {KEY}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocess sees committed rows only
def test_the_real_command_line_answers_in_one_line(show):
    """Unvalidated command input, as typed in a shell: exit status and one stderr line."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
    }
    runs = [
        ["searchstate", "exclude", "--series", "77", "--note", HUGE],
        ["queue", "remove", str(10**20)],
        ["connectors", "add", "--kind", "sonarr", "--name", "S", "--url", "http://s.test"],
    ]
    env.pop("COMRADARR_API_KEY", None)
    for args in runs:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr[:2000]
        assert "Traceback" not in result.stderr
        assert len(lines[0]) < 400
    assert not Exclusion.objects.exists()

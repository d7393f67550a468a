"""manage.py connectors: each subcommand, error exits with one stderr line, --json shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from connectors.management.commands.connectors import Command as ConnectorsCommand
from connectors.models import Connector, ConnectorHealthCheck
from tests.connectors.arr_stubs import stub_app

BASE = "http://sonarr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connector(db):
    return Connector.objects.create(name="Sonarr", kind="sonarr", url=BASE, api_key=KEY)


def run(*args: str) -> str:
    out = StringIO()
    call_command("connectors", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def add_args(**overrides: str) -> list[str]:
    values = {"--kind": "sonarr", "--name": "Sonarr", "--url": BASE, "--api-key": KEY}
    values.update(overrides)
    return ["add", *(item for pair in values.items() for item in pair)]


# -- add -----------------------------------------------------------------------------------


def test_add_tests_then_saves(rsps):
    stub_app(rsps, BASE, api_key=KEY)
    out = run(*add_args(), "--timeout", "12")
    connector = Connector.objects.get()
    assert "Added Sonarr: Sonarr 4.0.19.2979" in out
    assert KEY not in out
    assert connector.timeout_seconds == 12
    assert connector.verify_ssl and connector.enabled
    assert connector.app_version == "4.0.19.2979"
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 1


def test_add_no_verify_ssl_and_disabled_skips_the_test(rsps):
    out = run(*add_args(), "--no-verify-ssl", "--disabled")
    connector = Connector.objects.get()
    assert not connector.verify_ssl
    assert not connector.enabled
    assert "disabled" in out
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("refused", "not reachable"),
        ("wrong_key", "API key"),
        ("wrong_kind", "This is Radarr, not Sonarr"),
    ],
)
def test_add_refuses_a_failing_connection(rsps, setup, message):
    if setup == "refused":
        rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    elif setup == "wrong_key":
        stub_app(rsps, BASE, api_key="another-key-000000000000000000000")
    else:
        stub_app(rsps, BASE, status="radarr")
    with pytest.raises(CommandError) as excinfo:
        run(*add_args())
    assert message.lower() in str(excinfo.value).lower()
    assert "\n" not in str(excinfo.value)
    assert KEY not in str(excinfo.value)
    assert not Connector.objects.exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"--url": "sonarr:8989"}, "http:// or https://"),
        ({"--url": "ftp://sonarr"}, "ftp:// is not supported"),
        ({"--api-key": " "}, "Enter the API key"),
        ({"--name": "<script>"}, "Use letters"),
    ],
)
def test_add_refuses_bad_input(rsps, override, message):
    with pytest.raises(CommandError, match=message):
        run(*add_args(**override))
    assert not Connector.objects.exists()
    assert len(rsps.calls) == 0


def _add_with(*key_args: str, stdin=None) -> str:
    out = StringIO()
    base = ["add", "--kind", "sonarr", "--name", "Sonarr", "--url", BASE, *key_args]
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command("connectors", *base, stdout=out, stderr=StringIO(), **extra)
    return out.getvalue()


def test_add_reads_the_key_from_a_file(rsps, tmp_path):
    stub_app(rsps, BASE, api_key=KEY)
    key_file = tmp_path / "sonarr.key"
    key_file.write_text(KEY + "\n")
    _add_with("--api-key-file", str(key_file))
    assert Connector.objects.get().api_key == KEY


@pytest.mark.parametrize("option", [["--api-key-stdin"], ["--api-key", "-"]])
def test_add_reads_the_key_from_standard_input(rsps, option):
    stub_app(rsps, BASE, api_key=KEY)
    _add_with(*option, stdin=StringIO(f"  {KEY}\n"))
    assert Connector.objects.get().api_key == KEY


def test_add_reads_the_key_from_the_environment(rsps, monkeypatch):
    stub_app(rsps, BASE, api_key=KEY)
    monkeypatch.setenv("COMRADARR_API_KEY", KEY)
    _add_with()
    assert Connector.objects.get().api_key == KEY


def test_an_explicit_key_option_wins_over_the_environment(rsps, monkeypatch, tmp_path):
    stub_app(rsps, BASE, api_key=KEY)
    monkeypatch.setenv("COMRADARR_API_KEY", "f" * 32)
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    _add_with("--api-key-file", str(key_file))
    assert Connector.objects.get().api_key == KEY


@pytest.mark.parametrize(
    ("key_args", "content", "message"),
    [
        ([], None, "Give the API key"),
        (["--api-key-file", "/nonexistent/key"], None, "Cannot read the API key file"),
        (["--api-key-file", "{file}"], "a\nb\n", "on one line"),
        (["--api-key-file", "{file}"], "", "on one line"),
        (["--api-key-file", "{file}"], "k" * 5000, "not an API key"),
        (["--api-key-file", "{file}"], b"\xff\xfe", "Cannot read"),
        (["--api-key-file", "{file}", "--api-key", KEY], None, "not allowed with"),
        (["--api-key-stdin", "--api-key", KEY], None, "not allowed with"),
    ],
)
def test_add_refuses_unusable_key_sources_in_one_line(
    rsps, monkeypatch, tmp_path, key_args, content, message
):
    monkeypatch.delenv("COMRADARR_API_KEY", raising=False)
    key_file = tmp_path / "key"
    if isinstance(content, bytes):
        key_file.write_bytes(content)
    elif content is not None:
        key_file.write_text(content)
    args = [a.replace("{file}", str(key_file)) for a in key_args]
    with pytest.raises(CommandError, match=message) as info:
        _add_with(*args)
    assert "\n" not in str(info.value)
    assert not Connector.objects.exists()
    assert len(rsps.calls) == 0


def test_add_help_says_which_key_source_to_prefer():
    out = StringIO()
    parser = ConnectorsCommand().create_parser("manage.py", "connectors")
    sub = next(a for a in parser._actions if a.dest == "action").choices["add"]
    sub.print_help(out)
    text = " ".join(out.getvalue().split())
    assert "--api-key-file" in text and "--api-key-stdin" in text
    assert "COMRADARR_API_KEY" in text
    assert "visible in ps and the shell history" in text


def test_update_keeps_what_is_not_given(rsps, connector):
    out = run("update", "Sonarr", "--rename", "Sonarr HD", "--timeout", "45")
    connector.refresh_from_db()
    assert (connector.name, connector.timeout_seconds, connector.api_key) == ("Sonarr HD", 45, KEY)
    assert connector.url == BASE and connector.enabled
    assert "Updated Sonarr HD" in out and KEY not in out
    assert len(rsps.calls) == 0  # the connection did not change


def test_update_rotates_the_key_from_standard_input(rsps, connector):
    new_key = "f" * 32
    stub_app(rsps, BASE, api_key=new_key)
    call_command(
        "connectors",
        "update",
        "Sonarr",
        "--api-key-stdin",
        stdin=StringIO(new_key + "\n"),
        stdout=StringIO(),
    )
    connector.refresh_from_db()
    assert connector.api_key == new_key
    assert connector.health_status == "healthy"


def test_update_to_a_new_host_needs_the_key_again(rsps, connector, monkeypatch):
    monkeypatch.setenv("COMRADARR_API_KEY", KEY)  # never read by update
    with pytest.raises(CommandError, match="type the API key again") as info:
        run("update", "Sonarr", "--url", "http://elsewhere.test:8989")
    assert "\n" not in str(info.value)
    assert len(rsps.calls) == 0
    connector.refresh_from_db()
    assert connector.url == BASE


def test_update_an_unknown_connector_is_one_line():
    with pytest.raises(CommandError, match="No connector named"):
        run("update", "Nope", "--timeout", "10")


def test_add_refuses_an_unknown_kind():
    with pytest.raises(CommandError, match="invalid choice"):
        run(*add_args(**{"--kind": "lidarr"}))


def test_add_refuses_a_duplicate_name(connector, rsps):
    with pytest.raises(CommandError, match="already exists"):
        run(*add_args(**{"--name": "sonarr"}), "--disabled")


# -- list ----------------------------------------------------------------------------------


def test_list_table_and_json(connector):
    Connector.objects.create(
        name="Movies", kind="radarr", url="http://r:7878", api_key="k" * 32, enabled=False
    )
    table = run("list")
    assert "Movies" in table and "Sonarr" in table and BASE in table
    assert KEY not in table
    data = json.loads(run("list", "--json"))
    assert [c["name"] for c in data] == ["Movies", "Sonarr"]
    assert set(data[1]) == {
        "name",
        "kind",
        "url",
        "enabled",
        "verify_ssl",
        "timeout_seconds",
        "app_name",
        "app_version",
        "instance_name",
        "health_status",
        "health_message",
        "last_contact_at",
        "consecutive_failures",
        "api_key",
    }
    assert data[1]["api_key"].endswith("cdef") and KEY not in json.dumps(data)
    assert data[0]["enabled"] is False
    assert data[1]["health_status"] == "unknown"


def test_list_when_empty():
    assert "No connectors" in run("list")
    assert json.loads(run("list", "--json")) == []


# -- test, enable, disable, remove ---------------------------------------------------------


def test_test_reports_and_records(connector, rsps):
    stub_app(rsps, BASE)
    out = run("test", "sonarr")
    assert out.startswith("Sonarr: healthy: Sonarr 4.0.19.2979")
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 1


def test_test_failure_exits_non_zero(connector, rsps):
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    with pytest.raises(CommandError, match="offline"):
        run("test", "Sonarr")
    connector.refresh_from_db()
    assert connector.health_status == "offline"


def test_enable_and_disable(connector):
    assert "Disabled Sonarr" in run("disable", "Sonarr")
    connector.refresh_from_db()
    assert not connector.enabled
    run("enable", "Sonarr")
    connector.refresh_from_db()
    assert connector.enabled


def test_unknown_name_is_an_error():
    for action in ("test", "enable", "disable"):
        with pytest.raises(CommandError, match="No connector named 'Nope'"):
            run(action, "Nope")


def test_remove_needs_yes(connector):
    with pytest.raises(CommandError, match="--yes"):
        run("remove", "Sonarr")
    assert Connector.objects.exists()
    assert "Removed Sonarr" in run("remove", "Sonarr", "--yes")
    assert not Connector.objects.exists()


def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        run()


# -- the real command line -----------------------------------------------------------------


def _database_url() -> str:
    from django.db import connection

    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "localhost"), safe="")
    password = quote(params.get("password") or "", safe="")
    auth = quote(params.get("user") or "postgres", safe="") + (f":{password}" if password else "")
    return f"postgresql://{auth}@{host}:{params.get('port') or 5432}/{connection.settings_dict['NAME']}"


def manage(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "connectors", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocess sees committed rows only
def test_command_line_exit_codes_and_one_line_errors():
    Connector.objects.create(
        name="Sonarr", kind="sonarr", url="http://127.0.0.1:9", api_key=KEY, enabled=False
    )

    ok = manage("list", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["name"] == "Sonarr"
    assert KEY not in ok.stdout

    failures = [
        manage(),  # no subcommand
        manage("add", "--kind", "sonarr"),  # missing options
        manage("add", "--kind", "sonarr", "--name", "X", "--url", "ftp://x", "--api-key", KEY),
        manage("remove", "Sonarr"),  # no --yes
        manage("test", "Nope"),
        manage("test", "Sonarr"),  # port 9 (discard) refuses the connection
    ]
    for result in failures:
        assert result.returncode != 0, result.args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert KEY not in result.stderr + result.stdout
    assert "ftp:// is not supported" in failures[2].stderr
    assert "--yes" in failures[3].stderr
    assert "not reachable" in failures[5].stderr or "offline" in failures[5].stderr
    assert Connector.objects.filter(name="Sonarr").exists()

"""Settings parsing: every helper in comradarr.config, and start-up errors."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from comradarr import config
from tests.foundation.conftest import REPO, clean_env, manage_py


class TestReadStr:
    def test_value_is_stripped(self):
        assert config.read_str("X", env={"X": "  hello "}) == "hello"

    @pytest.mark.parametrize("env", [{}, {"X": ""}, {"X": "   "}])
    def test_unset_or_blank_gives_default(self, env):
        assert config.read_str("X", "fallback", env=env) == "fallback"


class TestReadInt:
    def test_parses(self):
        assert config.read_int("PORT", 3000, env={"PORT": " 8080 "}) == 8080

    def test_default_when_unset(self):
        assert config.read_int("PORT", 3000, env={}) == 3000

    @pytest.mark.parametrize("raw", ["abc", "30.5", "1e3", "0x10", "3 000"])
    def test_not_a_number_names_the_variable(self, raw):
        with pytest.raises(ImproperlyConfigured, match=r"^PORT=.* is not a whole number$"):
            config.read_int("PORT", 3000, env={"PORT": raw})

    def test_bounds(self):
        with pytest.raises(ImproperlyConfigured, match="PORT=0 is below the minimum 1"):
            config.read_int("PORT", 3000, minimum=1, maximum=65535, env={"PORT": "0"})
        with pytest.raises(ImproperlyConfigured, match="PORT=70000 is above the maximum 65535"):
            config.read_int("PORT", 3000, minimum=1, maximum=65535, env={"PORT": "70000"})


class TestReadBool:
    @pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on"])
    def test_true(self, raw):
        assert config.read_bool("DEBUG", False, env={"DEBUG": raw}) is True

    @pytest.mark.parametrize("raw", ["0", "false", "No", "off"])
    def test_false(self, raw):
        assert config.read_bool("DEBUG", True, env={"DEBUG": raw}) is False

    @pytest.mark.parametrize("env", [{}, {"DEBUG": ""}])
    def test_unset_or_blank_gives_default(self, env):
        assert config.read_bool("DEBUG", True, env=env) is True

    def test_junk(self):
        with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
            config.read_bool("DEBUG", False, env={"DEBUG": "maybe"})


class TestReadChoice:
    LEVELS = ["debug", "info", "warning"]

    def test_case_insensitive(self):
        assert config.read_choice("LOG_LEVEL", "info", self.LEVELS, env={"LOG_LEVEL": "DEBUG"}) == (
            "debug"
        )

    def test_default(self):
        assert config.read_choice("LOG_LEVEL", "info", self.LEVELS, env={}) == "info"

    def test_unknown_lists_the_choices(self):
        with pytest.raises(
            ImproperlyConfigured, match="LOG_LEVEL='loud' is not one of: debug, info, warning"
        ):
            config.read_choice("LOG_LEVEL", "info", self.LEVELS, env={"LOG_LEVEL": "loud"})


class TestReadList:
    def test_split_and_trimmed(self):
        assert config.read_list("L", env={"L": " a, b ,,c "}) == ["a", "b", "c"]

    def test_empty(self):
        assert config.read_list("L", env={}) == []
        assert config.read_list("L", env={"L": " , "}) == []


class TestReadNetworks:
    def test_addresses_and_ranges(self):
        value = "10.0.0.5, 172.18.0.0/16,::1,fd00::/8"
        assert config.read_networks("P", env={"P": value}) == [
            "10.0.0.5",
            "172.18.0.0/16",
            "::1",
            "fd00::/8",
        ]

    @pytest.mark.parametrize("junk", ["proxy.lan", "10.0.0.300", "10.0.0.0/33", "*"])
    def test_junk_names_the_variable(self, junk):
        with pytest.raises(ImproperlyConfigured, match=rf"^P contains '{re.escape(junk)}'"):
            config.read_networks("P", env={"P": f"10.0.0.1,{junk}"})


class TestReadSecret:
    def test_plain_value(self):
        assert config.read_secret("ADMIN_PASS", env={"ADMIN_PASS": "s3cret"}) == "s3cret"

    def test_file_variant(self, tmp_path):
        secret = tmp_path / "admin_pass"
        secret.write_text("from-a-file\n")
        env = {"ADMIN_PASS_FILE": str(secret)}
        assert config.read_secret("ADMIN_PASS", env=env) == "from-a-file"

    def test_missing_file(self, tmp_path):
        env = {"ADMIN_PASS_FILE": str(tmp_path / "nope")}
        with pytest.raises(
            ImproperlyConfigured, match=r"ADMIN_PASS_FILE='.*nope' cannot be read: No such file"
        ):
            config.read_secret("ADMIN_PASS", env=env)

    def test_empty_file_is_an_error_not_unset(self, tmp_path):
        secret = tmp_path / "empty"
        secret.write_text("\n")
        with pytest.raises(ImproperlyConfigured, match=r"ADMIN_PASS_FILE=.* is empty"):
            config.read_secret("ADMIN_PASS", env={"ADMIN_PASS_FILE": str(secret)})

    def test_directory_instead_of_file(self, tmp_path):
        with pytest.raises(ImproperlyConfigured, match=r"ADMIN_PASS_FILE=.* cannot be read"):
            config.read_secret("ADMIN_PASS", env={"ADMIN_PASS_FILE": str(tmp_path)})

    def test_both_set_is_ambiguous(self, tmp_path):
        secret = tmp_path / "s"
        secret.write_text("x")
        env = {"ADMIN_PASS": "y", "ADMIN_PASS_FILE": str(secret)}
        with pytest.raises(ImproperlyConfigured, match="ADMIN_PASS and ADMIN_PASS_FILE are both"):
            config.read_secret("ADMIN_PASS", env=env)

    def test_unset_gives_default(self):
        assert config.read_secret("ADMIN_PASS", "d", env={}) == "d"
        assert config.read_secret("ADMIN_PASS", env={}) is None


class TestReadBaseUrl:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("", "/"),
            ("/", "/"),
            ("comradarr", "/comradarr/"),
            ("/comradarr", "/comradarr/"),
            ("/comradarr/", "/comradarr/"),
            ("/a/b/", "/a/b/"),
        ],
    )
    def test_normalised(self, raw, expected):
        assert config.read_base_url(env={"BASE_URL": raw}) == expected

    @pytest.mark.parametrize("raw", ["http://host/comradarr", "/a b", "/x?y=1", "/x#frag"])
    def test_not_a_path(self, raw):
        with pytest.raises(ImproperlyConfigured, match=r"BASE_URL=.* must be a path"):
            config.read_base_url(env={"BASE_URL": raw})


class TestReadDatabaseUrl:
    def test_unset_means_embedded(self):
        assert config.read_database_url(env={}) is None

    def test_full_url(self):
        db = config.read_database_url(
            env={"DATABASE_URL": "postgresql://app:pw@db.example:5433/comradarr"}
        )
        assert db["ENGINE"] == "django.db.backends.postgresql"
        assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
            "comradarr",
            "app",
            "pw",
            "db.example",
            5433,
        )

    def test_percent_encoded_socket_directory(self):
        # What `serve` hands its children for the embedded cluster.
        db = config.read_database_url(
            env={"DATABASE_URL": "postgresql://postgres@%2Ftmp%2Fpg%20sock:5432/comradarr"}
        )
        assert db["HOST"] == "/tmp/pg sock"
        assert db["PORT"] == 5432

    def test_password_from_file_overrides_url(self, tmp_path):
        secret = tmp_path / "db_password"
        secret.write_text("from-secret")
        db = config.read_database_url(
            env={
                "DATABASE_URL": "postgresql://app@db/comradarr",
                "DATABASE_PASSWORD_FILE": str(secret),
            }
        )
        assert db["PASSWORD"] == "from-secret"

    @pytest.mark.parametrize(
        "url", ["sqlite:///db.sqlite3", "sqlite://:memory:", "mysql://u@h/db", "not a url"]
    )
    def test_only_postgresql(self, url):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a postgresql://"):
            config.read_database_url(env={"DATABASE_URL": url})

    def test_unparseable(self):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL cannot be parsed"):
            config.read_database_url(env={"DATABASE_URL": "postgresql://u:p@host:abc/db"})

    def test_error_never_shows_the_password(self):
        with pytest.raises(ImproperlyConfigured) as caught:
            config.read_database_url(env={"DATABASE_URL": "postgresql://u:hunter2@host:abc/db"})
        assert "hunter2" not in str(caught.value)

    def test_no_database_name(self):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL names no database"):
            config.read_database_url(env={"DATABASE_URL": "postgresql://u@host:5432"})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORT", "abc", "PORT='abc' is not a whole number"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL='loud' is not one of:"),
        ("DATABASE_URL", "sqlite:///x.db", "DATABASE_URL must be a postgresql:// URL"),
        ("DATABASE_URL", "postgresql://u@h:port/db", "DATABASE_URL cannot be parsed"),
        ("TZ", "Mars/Olympus_Mons", "TZ='Mars/Olympus_Mons' is not a known time zone"),
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.lan", "TRUSTED_PROXIES contains 'proxy.lan'"),
        ("BASE_URL", "https://example.com/x/", "BASE_URL='https://example.com/x/' must be a path"),
        ("SESSION_DAYS", "0", "SESSION_DAYS=0 is below the minimum 1"),
        ("WORKERS", "lots", "WORKERS='lots' is not a whole number"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        (
            "SECRET_KEY_FILE",
            "/nonexistent/key",
            "SECRET_KEY_FILE='/nonexistent/key' cannot be read",
        ),
        ("ADMIN_PASS_FILE", "/nonexistent/pass", "ADMIN_PASS_FILE='/nonexistent/pass' cannot be"),
        ("METRICS_TOKEN", "short", "METRICS_TOKEN must be at least 32 characters long"),
    ],
)
def test_bad_setting_stops_manage_py_with_one_line(tmp_path, variable, value, message):
    result = subprocess.run(
        [*manage_py(), "check"],
        env=clean_env(COMRADARR_DATA_DIR=str(tmp_path), **{variable: value}),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("comradarr: configuration error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("tz", "shown"), [(None, "2026-01-02 23:30 UTC"), ("Asia/Tokyo", "2026-01-03 08:30 JST")]
)
def test_tz_sets_the_display_time_zone(tmp_path, tz, shown):
    """Times are stored in UTC and templates show them in TZ (default UTC)."""
    code = (
        "from datetime import datetime, UTC\n"
        "from django.conf import settings\n"
        "from django.template import engines\n"
        "template = engines['django'].from_string('{{ t|date:\"Y-m-d H:i T\" }}')\n"
        "print(settings.USE_TZ, template.render({'t': datetime(2026, 1, 2, 23, 30, tzinfo=UTC)}))\n"
    )
    env = clean_env(COMRADARR_DATA_DIR=str(tmp_path))
    env.pop("TZ", None)
    if tz:
        env["TZ"] = tz
    result = subprocess.run(
        [*manage_py(), "shell", "--no-imports", "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == f"True {shown}"


def test_environment_reaches_the_settings(tmp_path):
    """The real settings module, from a fresh process: each variable lands where it acts."""
    (tmp_path / "key").write_text("k" * 60 + "\n")
    (tmp_path / "pass").write_text("from-a-docker-secret\n")
    (tmp_path / "dbpass").write_text("db-secret\n")
    code = (
        "import json\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({'age': s.SESSION_COOKIE_AGE, 'user': s.ADMIN_USER,"
        " 'pass': s.ADMIN_PASS, 'key': s.SECRET_KEY, 'static': s.STATIC_URL,"
        " 'cookie_path': s.SESSION_COOKIE_PATH, 'workers': s.Q_CLUSTER['workers'],"
        " 'lockout': [s.LOCKOUT_ATTEMPTS, s.LOCKOUT_WINDOW_SECONDS, s.LOCKOUT_DURATION_SECONDS],"
        " 'proxies': s.TRUSTED_PROXIES, 'db': [s.DATABASES['default'][k] for k in"
        " ('HOST', 'PORT', 'NAME', 'USER', 'PASSWORD')], 'port': s.PORT, 'host': s.HOST}))\n"
    )
    env = clean_env(
        COMRADARR_DATA_DIR=str(tmp_path),
        SESSION_DAYS="2",
        ADMIN_USER="boss",
        ADMIN_PASS_FILE=str(tmp_path / "pass"),
        SECRET_KEY_FILE=str(tmp_path / "key"),
        BASE_URL="comradarr",
        WORKERS="4",
        LOCKOUT_ATTEMPTS="3",
        LOCKOUT_WINDOW_MINUTES="10",
        LOCKOUT_DURATION_MINUTES="30",
        TRUSTED_PROXIES="10.0.0.2, 172.18.0.0/16",
        DATABASE_URL="postgresql://comradarr@db.example:5433/media",
        DATABASE_PASSWORD_FILE=str(tmp_path / "dbpass"),
        PORT="8080",
        HOST="127.0.0.1",
    )
    result = subprocess.run(
        [*manage_py(), "shell", "--no-imports", "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "age": 2 * 86400,
        "user": "boss",
        "pass": "from-a-docker-secret",
        "key": "k" * 60,
        "static": "/comradarr/static/",
        "cookie_path": "/comradarr/",
        "workers": 4,
        "lockout": [3, 600, 1800],
        "proxies": ["10.0.0.2", "172.18.0.0/16"],
        "db": ["db.example", 5433, "media", "comradarr", "db-secret"],
        "port": 8080,
        "host": "127.0.0.1",
    }
    # Given a key, nothing is generated in the data directory.
    assert not (tmp_path / "secret_key").exists()

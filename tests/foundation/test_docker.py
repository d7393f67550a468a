"""Dockerfile and docker-compose.yml, checked by reading (no Docker engine here)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # PyYAML: a dependency of apprise and responses

REPO = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text()
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    pairs = []
    for instruction in logical:
        keyword, _, arguments = instruction.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, arguments))
    return result


def healthcheck_command() -> list[str]:
    (arguments,) = [a for k, a in dockerfile_instructions() if k == "HEALTHCHECK"]
    exec_form = arguments.split(" CMD ", 1)[1]
    return json.loads(exec_form)


class TestDockerfile:
    def test_buildkit_syntax_line_first(self):
        assert (REPO / "Dockerfile").read_text().splitlines()[0] == "# syntax=docker/dockerfile:1"

    def test_multi_stage_on_python_311_slim(self):
        pairs = dockerfile_instructions()
        (image,) = [a for k, a in pairs if k == "ARG" and a.startswith("PYTHON_IMAGE=")]
        assert re.fullmatch(
            r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", image
        )
        froms = [a for k, a in pairs if k == "FROM"]
        assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]

    def test_pip_uses_a_cache_mount(self):
        runs = [a for k, a in stages()[0] if k == "RUN"]
        assert any(
            a.startswith("--mount=type=cache,target=/root/.cache/pip") and "pip install" in a
            for a in runs
        )

    def test_runtime_runs_as_non_root(self):
        runtime = stages()[-1]
        users = [a for k, a in runtime if k == "USER"]
        assert users and users[-1] not in {"root", "0", "0:0"}
        # USER comes before CMD, and the user is created in the image.
        keywords = [k for k, _ in runtime]
        assert keywords.index("USER") < keywords.index("CMD")
        assert any("useradd" in a and users[-1] in a for k, a in runtime if k == "RUN")

    def test_data_volume_and_port(self):
        runtime = stages()[-1]
        assert ("VOLUME", "/data") in runtime
        assert ("EXPOSE", "3000") in runtime
        env = " ".join(a for k, a in runtime if k == "ENV")
        assert "COMRADARR_DATA_DIR=/data" in env
        assert "PORT=3000" in env
        assert any("chown comradarr:comradarr /data" in a for k, a in runtime if k == "RUN")

    def test_collectstatic_at_build_time_without_a_real_key(self):
        runs = [a for k, a in stages()[-1] if k == "RUN"]
        (collect,) = [a for a in runs if "collectstatic" in a]
        assert "SECRET_KEY=" in collect
        assert "COMRADARR_DATA_DIR=/tmp/" in collect  # nothing written into /data

    def test_cmd_is_serve(self):
        runtime = stages()[-1]
        assert runtime[-1] == ("CMD", '["python", "manage.py", "serve"]')

    def test_healthcheck_asks_health_with_python(self):
        argv = healthcheck_command()
        assert argv[:2] == ["python", "-c"]
        assert "urllib.request" in argv[2]
        assert "health" in argv[2]
        assert "curl" not in " ".join(argv)

    @pytest.mark.parametrize(
        ("base_url", "path"), [("/", "/health"), ("comradarr", "/comradarr/health")]
    )
    def test_healthcheck_command_builds_the_right_url(self, base_url, path):
        """Run the HEALTHCHECK's Python with urlopen stubbed to see what it asks for."""
        code = healthcheck_command()[2]
        probe = (
            "import urllib.request\n"
            "urllib.request.urlopen = lambda url, timeout: print(url, timeout)\n" + code
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env={"PORT": "3123", "BASE_URL": base_url},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.split() == [f"http://127.0.0.1:3123{path}", "8"]

    def test_dockerignore_keeps_local_state_out(self):
        ignored = {
            line.strip()
            for line in (REPO / ".dockerignore").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        }
        assert {".git", ".venv", "data", "secrets", "staticfiles"} <= ignored


class TestCompose:
    @pytest.fixture(scope="class")
    def compose(self):
        return yaml.safe_load((REPO / "docker-compose.yml").read_text())

    def test_services(self, compose):
        assert set(compose["services"]) == {"comradarr", "db", "worker"}
        assert compose["services"]["db"]["image"] == "postgres:16"
        assert compose["services"]["comradarr"]["build"] == "."

    def test_postgres_health_and_dependency(self, compose):
        db = compose["services"]["db"]
        test = db["healthcheck"]["test"]
        assert test[0] == "CMD-SHELL" and test[1].startswith("pg_isready")
        assert compose["services"]["comradarr"]["depends_on"] == {
            "db": {"condition": "service_healthy"}
        }

    def test_password_is_a_docker_secret_on_both_sides(self, compose):
        app, db = compose["services"]["comradarr"], compose["services"]["db"]
        assert app["environment"]["DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
        assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
        assert "db_password" in app["secrets"] and "db_password" in db["secrets"]
        assert "db_password" in compose["secrets"]
        url = app["environment"]["DATABASE_URL"]
        assert re.fullmatch(r"postgresql://comradarr@db:5432/comradarr", url)  # no password
        assert "POSTGRES_PASSWORD" not in db["environment"]

    def test_named_volumes(self, compose):
        assert set(compose["volumes"]) == {"comradarr-data", "postgres-data"}
        assert "comradarr-data:/data" in compose["services"]["comradarr"]["volumes"]
        assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]

    def test_stop_grace_covers_serve_shutdown(self, compose):
        grace = compose["services"]["comradarr"]["stop_grace_period"]
        assert int(grace.rstrip("s")) > 30  # serve's default --stop-timeout

    def test_database_url_parses_with_the_secret(self, compose, tmp_path):
        from comradarr import config

        secret = tmp_path / "db_password"
        secret.write_text("from-docker-secret\n")
        env = dict(compose["services"]["comradarr"]["environment"])
        env["DATABASE_PASSWORD_FILE"] = str(secret)
        db = config.read_database_url(env=env)
        assert (db["HOST"], db["NAME"], db["USER"], db["PASSWORD"]) == (
            "db",
            "comradarr",
            "comradarr",
            "from-docker-secret",
        )

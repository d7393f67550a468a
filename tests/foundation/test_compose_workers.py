"""docker-compose.yml's optional workers: `qcluster` services beside `serve --no-worker`.

Read, not run (no Docker engine here); tests/foundation/test_serve_workers.py runs
the same processes against one database.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from comradarr.management.commands.serve import Command as Serve

REPO = Path(__file__).resolve().parents[2]
_VARIABLE = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${NAME:-default}, the only form the file uses."""
    return _VARIABLE.sub(lambda m: env.get(m.group(1)) or m.group(2), text)


def web_command(compose: dict, env: dict[str, str]) -> list[str]:
    return shlex.split(interpolate(compose["services"]["comradarr"]["command"], env))


def test_the_worker_is_a_qcluster_in_the_workers_profile(compose):
    worker = compose["services"]["worker"]
    assert worker["command"] == ["python", "manage.py", "qcluster"]
    assert worker["profiles"] == ["workers"]
    assert worker["image"] == compose["services"]["comradarr"]["image"]
    # Scalable: nothing that two replicas could not share.
    assert "container_name" not in worker and "ports" not in worker
    assert "comradarr" not in compose["services"]["db"].get("profiles", [])
    assert "profiles" not in compose["services"]["comradarr"]


def test_the_worker_reaches_the_same_database_with_the_same_key(compose):
    web, worker = compose["services"]["comradarr"], compose["services"]["worker"]
    for name in ("DATABASE_URL", "DATABASE_PASSWORD_FILE", "TZ"):
        assert worker["environment"][name] == web["environment"][name]
    assert worker["environment"]["DATABASE_URL"].startswith("postgresql://comradarr@db:")
    assert worker["secrets"] == ["db_password"]
    assert "admin_password" not in worker["secrets"]  # a worker never creates the admin
    # The SECRET_KEY serve generated in /data decrypts the API keys the tasks use.
    assert "comradarr-data:/data" in worker["volumes"]


def test_the_worker_starts_after_serve_migrated(compose):
    worker = compose["services"]["worker"]
    assert worker["depends_on"] == {"comradarr": {"condition": "service_healthy"}}
    assert worker["healthcheck"] == {"disable": True}  # the image's check asks the web server
    assert int(worker["stop_grace_period"].rstrip("s")) > 30
    assert worker["init"] is True


def test_the_web_service_runs_serve_with_or_without_its_own_worker(compose):
    assert web_command(compose, {}) == ["python", "manage.py", "serve"]
    with_workers = web_command(compose, {"SERVE_ARGS": "--no-worker"})
    assert with_workers == ["python", "manage.py", "serve", "--no-worker"]
    options = Serve().create_parser("manage.py", "serve").parse_args(with_workers[3:])
    assert options.no_worker is True


def test_the_file_header_documents_the_switch(compose):
    text = (REPO / "docker-compose.yml").read_text()
    assert "COMPOSE_PROFILES=workers" in text
    assert "SERVE_ARGS=--no-worker" in text
    assert "--scale worker=3" in text


def test_the_readme_shows_it():
    readme = (REPO / "README.md").read_text()
    assert "COMPOSE_PROFILES=workers" in readme
    assert "docker compose up -d --scale worker=3" in readme

"""`manage.py footprint` against a real `serve` (slow): every process found, named and summed."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_serve_e2e import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    _get_health,
    _kill_tree,
    _serve,
    _wait_for,
)

pytestmark = pytest.mark.slow


def _footprint(data_dir, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*manage_py(), "footprint", *extra],
        env=clean_env(COMRADARR_DATA_DIR=str(data_dir)),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_footprint_lists_every_process_of_a_running_serve(tmp_path):
    port = free_port()
    serve = _serve(tmp_path, port)
    try:
        _wait_for(
            lambda: _get_health(port)[1]["cluster"]["status"] == "ok",
            START_TIMEOUT,
            serve,
            "the web server and the cluster",
        )
        done = _footprint(tmp_path, "--json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        roles = [row["role"] for row in report["processes"]]
        for role in ("postgres postmaster", "postgres checkpointer"):
            assert role in roles, roles
        # The default process model: serve forks one web process with one
        # worker and one task cluster (pusher and monitor are its threads)
        # with one worker.
        ours = sorted(role for role in roles if not role.startswith("postgres"))
        assert ours == [
            "django-q2 cluster (sentinel, pusher, monitor)",
            "django-q2 worker",
            "gunicorn master",
            "gunicorn worker",
            "serve",
        ]
        # Forked from serve, they share its loaded Django instead of each
        # holding a copy: most of what they map is shared.
        for row in report["processes"]:
            if row["role"] in {"gunicorn worker", "django-q2 worker"}:
                assert row["pss"] < row["rss"] / 2, row
        assert report["pss_complete"]
        assert report["pss_total"] == sum(row["pss"] for row in report["processes"])
        assert 0 < report["pss_total"] <= report["rss_total"]
        assert report["processes"][0]["pss"] >= report["processes"][-1]["pss"]
        pids = {row["pid"] for row in report["processes"]}
        assert serve.pid in pids

        text = _footprint(tmp_path)
        assert text.returncode == 0, text.stderr
        assert text.stdout.splitlines()[-1].lstrip().startswith("total")
        assert f"{len(roles)} processes" in text.stdout

        serve.terminate()
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
        # Every child stopped on its own when asked (none had to be killed), and
        # nothing failed on the way: the monitor thread saw its queue to the end.
        log = (tmp_path / f"serve-{port}.log").read_text()
        assert "did not stop within" not in log
        assert "Traceback" not in log
        assert "Comradarr stopped." in log
        after = _footprint(tmp_path)
        assert after.returncode == 1
        assert "no running install found" in after.stderr
    finally:
        if serve.poll() is None:
            _kill_tree(serve)

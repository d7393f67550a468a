"""The embedded PostgreSQL runs with comradarr/embedded_pg/tuning.py's small-machine settings."""

from __future__ import annotations

import pytest

from comradarr import embedded_db
from comradarr.embedded_pg import tuning
from tests.foundation.test_embedded_db import _connect


@pytest.fixture
def cluster_dir(tmp_path):
    path = tmp_path / "postgres"
    yield path
    embedded = embedded_db._servers.get(path.resolve())
    if embedded is not None:
        embedded.stop()


def _show(embedded, *names: str) -> dict[str, str]:
    with _connect(embedded) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


def test_a_new_cluster_starts_with_the_small_machine_settings(cluster_dir):
    embedded = embedded_db.start(cluster_dir)
    assert _show(
        embedded,
        "shared_buffers",
        "max_connections",
        "work_mem",
        "maintenance_work_mem",
        "max_parallel_workers_per_gather",
        "jit",
        "autovacuum_max_workers",
    ) == {
        "shared_buffers": "32MB",
        "max_connections": str(tuning.DEFAULT_MAX_CONNECTIONS),
        "work_mem": "4MB",
        "maintenance_work_mem": "16MB",
        "max_parallel_workers_per_gather": "0",
        "jit": "off",
        "autovacuum_max_workers": "2",
    }


def test_an_existing_cluster_gets_them_at_its_next_start_and_alter_system_wins(cluster_dir):
    embedded = embedded_db.start(cluster_dir)
    # A cluster made before this change: PostgreSQL's defaults, no include.
    (cluster_dir / tuning.CONF_NAME).unlink()
    conf = cluster_dir / "postgresql.conf"
    conf.write_text(conf.read_text().replace(tuning.INCLUDE_LINE, ""))
    with _connect(embedded) as conn:
        conn.execute("ALTER SYSTEM SET work_mem = '8MB'")
    embedded.stop()

    again = embedded_db.start(cluster_dir, max_connections=45)
    shown = _show(again, "shared_buffers", "max_connections", "work_mem")
    assert shown == {"shared_buffers": "32MB", "max_connections": "45", "work_mem": "8MB"}
    assert conf.read_text().count(tuning.INCLUDE_LINE) == 1


def test_write_is_idempotent_and_every_value_says_why(tmp_path):
    (tmp_path / "postgresql.conf").write_text("max_connections = 100\n")
    assert tuning.write(tmp_path) is True
    assert tuning.write(tmp_path) is False
    assert tuning.write(tmp_path, max_connections=31) is True
    lines = (tmp_path / tuning.CONF_NAME).read_text().splitlines()
    settings = [line for line in lines if not line.startswith("#")]
    assert "max_connections = 31\t#" in "\n".join(settings)
    assert all("\t# " in line and len(line.split("\t# ")[1]) > 20 for line in settings)


@pytest.mark.parametrize(
    ("web_workers", "web_threads", "task_workers", "expected"),
    [
        (1, 4, 1, tuning.DEFAULT_MAX_CONNECTIONS),
        # ... + a log writer per process: gunicorn's master and workers, the cluster and its workers
        (4, 8, 8, 4 * 8 + 3 + 16 + 10 + (1 + 4 + 1 + 8)),
        (64, 64, 32, 4173 + 98),
    ],
)
def test_connections_cover_the_process_model(web_workers, web_threads, task_workers, expected):
    needed = tuning.connections_needed(
        web_workers=web_workers, web_threads=web_threads, task_workers=task_workers
    )
    assert needed == expected
    assert needed >= web_workers * web_threads + task_workers + 3

"""Migration comradarr 0003: the public URL moves from the notifications settings to General."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comradarr.models import AppSettings

BEFORE = [
    ("comradarr", "0002_lockout_per_username_and_address"),
    ("notifications", "0001_channels_outbox_batches"),
]


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_public_url_set_on_the_notifications_page_survives_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO notifications_notificationsettings (id, muted, public_url, "
                "error_threshold_count, error_threshold_minutes, created_at, updated_at) "
                "VALUES (1, false, 'https://c.example.com/', 10, 30, now(), now())"
            )
    finally:
        _migrate_to_latest()
    assert AppSettings.objects.get().public_url == "https://c.example.com"

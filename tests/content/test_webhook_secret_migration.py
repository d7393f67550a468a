"""Migration content 0004: existing plaintext webhook secrets are encrypted and keep working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from content.models import SyncState
from content.webhooks import secret_matches
from tests.content.builders import make_connector

BEFORE = [("content", "0003_movie_release_date")]
AFTER = [("content", "0004_webhook_secret_encrypted")]


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("content"))


def _raw_secret(connector_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM content_syncstate WHERE connector_id = %s", [connector_id]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_existing_plaintext_secrets_survive_the_encryption_migration():
    connector = make_connector("sonarr", "sonarr", app_version="4.0.19.2979")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO content_syncstate (connector_id, webhook_secret, "
                "consecutive_failures, last_error, created_at, updated_at) "
                "VALUES (%s, %s, 0, '', now(), now())",
                [connector.pk, "old-plaintext-secret_123"],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    stored = _raw_secret(connector.pk)
    assert stored.startswith("v1:") and "old-plaintext-secret_123" not in stored
    _migrate_to_latest()  # the model below has the columns of later migrations
    assert SyncState.objects.get(connector=connector).webhook_secret == "old-plaintext-secret_123"
    assert secret_matches(connector_id=connector.pk, secret="old-plaintext-secret_123")
    assert secret_matches(connector_id=connector.pk, secret="old-plaintext-secret_12") is None

    # And back: the reverse migration gives the plaintext column again.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert _raw_secret(connector.pk) == "old-plaintext-secret_123"
    _migrate_to_latest()

"""Connector and ConnectorHealthCheck models: the key at rest, masking, history ordering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from connectors.models import Connector, ConnectorHealthCheck

KEY = "0123456789abcdef0123456789abcdef"

pytestmark = pytest.mark.django_db


def make(name: str = "Sonarr", **kwargs) -> Connector:
    fields = {"kind": "sonarr", "url": "http://sonarr:8989", "api_key": KEY, **kwargs}
    return Connector.objects.create(name=name, **fields)


def test_api_key_is_encrypted_at_rest():
    connector = make()
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM connectors_connector WHERE id = %s", [connector.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1:")
    assert KEY not in raw
    assert Connector.objects.get(pk=connector.pk).api_key == KEY


def test_same_key_encrypts_differently_each_time():
    a, b = make("A"), make("B")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key FROM connectors_connector WHERE id IN (%s, %s)", [a.pk, b.pk]
        )
        first, second = (row[0] for row in cursor.fetchall())
    assert first != second


def test_masked_key_shows_only_the_last_four_characters():
    connector = make()
    assert connector.masked_api_key.endswith("cdef")
    assert KEY[:-4] not in connector.masked_api_key
    assert len(connector.masked_api_key) == 12


def test_names_are_unique():
    make("Sonarr")
    with pytest.raises(IntegrityError):
        make("Sonarr")


def test_defaults():
    connector = make()
    assert connector.enabled and connector.verify_ssl
    assert connector.timeout_seconds == 30
    assert connector.health_status == Connector.Health.UNKNOWN
    assert connector.is_usable
    connector.health_status = Connector.Health.OFFLINE
    assert not connector.is_usable


def test_history_lists_latest_first_and_goes_with_the_connector():
    connector = make()
    now = timezone.now()
    for minutes, status in ((10, "offline"), (0, "healthy"), (5, "degraded")):
        ConnectorHealthCheck.objects.create(
            connector=connector,
            checked_at=now - timedelta(minutes=minutes),
            status=status,
            messages=[{"level": "warning", "source": "x", "message": "m"}],
        )
    assert [c.status for c in connector.health_checks.all()] == ["healthy", "degraded", "offline"]
    connector.delete()
    assert not ConnectorHealthCheck.objects.exists()


def test_latest_checks_index_exists():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, ConnectorHealthCheck._meta.db_table
        )
    index = constraints["connector_health_latest_idx"]
    assert index["columns"] == ["connector_id", "checked_at"]
    assert index["orders"] == ["ASC", "DESC"]

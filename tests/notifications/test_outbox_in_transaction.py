"""The engine emits its events inside the transaction of the change.

A process that dies right after the commit must still leave the outbox row:
transaction.on_commit callbacks are exactly what such a crash loses, so these
tests commit for real and never run the captured callbacks.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from comradarr import events
from notifications.models import NotificationEvent
from queueing import control
from queueing.models import ConnectorThrottle
from tests.content.builders import make_connector
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db(transaction=True)


def test_pause_event_survives_a_crash_right_after_the_commit(django_capture_on_commit_callbacks):
    conn = make_connector()
    with django_capture_on_commit_callbacks(execute=False):  # the process "dies" at the commit
        control.queue_pause(connector=conn, reason="maintenance")
    assert ConnectorThrottle.objects.get(connector=conn).paused
    event = NotificationEvent.objects.get()
    assert (event.event_type, event.connector_id) == ("connector_paused", conn.pk)


def test_an_automatic_pause_and_its_event_commit_together(django_capture_on_commit_callbacks):
    conn = make_connector()
    with django_capture_on_commit_callbacks(execute=False):
        control.connector_auto_pause(
            connector=conn, until=NOW.replace(year=2100), reason="HTTP 429", now=NOW
        )
    assert list(NotificationEvent.objects.values_list("event_type", flat=True)) == [
        "connector_paused"
    ]


def test_a_rolled_back_pause_leaves_no_event():
    conn = make_connector()
    with pytest.raises(RuntimeError), transaction.atomic():
        control.queue_pause(connector=conn, reason="maintenance")
        raise RuntimeError("the caller's change failed after the pause")
    assert not ConnectorThrottle.objects.filter(connector=conn, paused=True).exists()
    assert not NotificationEvent.objects.exists()


def test_a_receiver_whose_sql_fails_does_not_abort_the_emitters_transaction():
    conn = make_connector()

    def broken(sender, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    events.connector_paused.connect(broken, weak=False)
    try:
        with transaction.atomic():
            control.queue_pause(connector=conn, reason="maintenance")
            # Still usable: the broken receiver's statement was rolled back to a savepoint.
            assert ConnectorThrottle.objects.get(connector=conn).paused
    finally:
        events.connector_paused.disconnect(broken)
    assert ConnectorThrottle.objects.get(connector=conn).paused

"""The database log handler: batches, redaction, outages without recursion, trimming."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from comradarr import logs
from comradarr.logbook import handler as handler_module
from comradarr.logbook.handler import DatabaseHandler, trim
from comradarr.logbook.models import LogRecord

pytestmark = pytest.mark.django_db

API_KEY = "0123456789abcdef0123456789abcdef"


def test_emit_touches_no_database_and_a_write_is_one_insert_per_batch(db_handler, log):
    db_handler._since_trim = 0  # the first write of a process also trims; counted below
    with CaptureQueriesContext(connection) as emitting:
        for number in range(120):
            log.info("record %d", number)
    assert len(emitting) == 0
    assert db_handler.pending() == 120

    with CaptureQueriesContext(connection) as writing:
        assert db_handler.write_pending() == 120
    inserts = [q for q in writing.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3  # batches of 50, 50, 20
    # ... and one trim, as 120 rows passed a tenth of keep=1000.
    assert [q["sql"].split()[0] for q in writing.captured_queries] == [
        "INSERT",
        "INSERT",
        "INSERT",
        "DELETE",
    ]
    assert LogRecord.objects.count() == 120
    assert db_handler.pending() == 0


def test_row_holds_level_logger_correlation_origin_connector_and_traceback(db_handler, log):
    token = logs.correlation_id.set("req-77")
    origin = logs.origin.set("GET /queue/")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("sync failed for %s", "sonarr", extra={"connector_id": 7})
        log.warning("indexer down", extra={"connector": "Prowlarr"})
    finally:
        logs.origin.reset(origin)
        logs.correlation_id.reset(token)
    db_handler.write_pending()
    failed, down = LogRecord.objects.order_by("id")
    assert failed.level == logging.ERROR
    assert failed.logger == "tests.logbook.sample"
    assert failed.module == "test_handler"
    assert failed.message == "sync failed for sonarr"
    assert failed.correlation_id == "req-77"
    assert failed.origin == "GET /queue/"
    assert failed.connector_id == 7
    assert "ValueError: boom" in failed.exception
    assert down.connector_name == "Prowlarr"
    assert down.connector_id is None


def test_secrets_are_redacted_in_stored_rows(db_handler, log):
    log.info("GET http://sonarr:8989/api/v3/series?apikey=%s", API_KEY)
    try:
        raise RuntimeError(f"refused X-Api-Key: {API_KEY}")
    except RuntimeError:
        log.exception("call failed", extra={"connector": f"http://u:{API_KEY}@host"})
    logs.origin.set(f"POST /webhooks/3/{API_KEY}")
    try:
        log.info("webhook received")
    finally:
        logs.origin.set(None)
    db_handler.write_pending()
    for row in LogRecord.objects.all():
        stored = " ".join([row.message, row.exception, row.connector_name, row.origin])
        assert API_KEY not in stored
    assert LogRecord.objects.filter(message__contains="apikey=***").exists()


def test_database_outage_keeps_records_and_logs_without_recursion(
    db_handler, log, monkeypatch, caplog
):
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        # The database driver logs while failing: that line must not be stored again.
        logging.getLogger("tests.logbook.sample").error("driver says: connection refused")
        raise DatabaseError("connection refused")

    log.info("before the outage")
    monkeypatch.setattr(LogRecord.objects, "bulk_create", failing_bulk_create)
    with caplog.at_level(logging.WARNING, logger=handler_module.logger.name):
        assert db_handler.write_pending() == 0
        assert db_handler.write_pending() == 0
    assert calls == [1, 1]  # the same single record retried, the driver's line never added
    assert db_handler.pending() == 1
    # Warned once per outage, not once per attempt.
    warnings = [r for r in caplog.records if "cannot be stored" in r.getMessage()]
    assert len(warnings) == 1

    monkeypatch.undo()
    log.info("after the outage")
    assert db_handler.write_pending() == 2
    assert list(LogRecord.objects.order_by("id").values_list("message", flat=True)) == [
        "before the outage",
        "after the outage",
    ]


def test_full_buffer_drops_the_oldest_and_says_how_many(log):
    small = DatabaseHandler(keep=1000, batch_size=10, buffer_limit=5, threaded=False)
    log.addHandler(small)
    try:
        for number in range(8):
            log.info("record %d", number)
        small.write_pending()
    finally:
        log.removeHandler(small)
        small.close()
    messages = list(LogRecord.objects.order_by("id").values_list("message", flat=True))
    assert messages[:5] == [f"record {n}" for n in range(3, 8)]
    assert messages[5].startswith("3 log records were not stored")


def test_a_broken_record_never_raises_into_the_caller(db_handler, log, monkeypatch):
    monkeypatch.setattr(logging, "raiseExceptions", False)
    log.info("%d items", "not a number")  # getMessage() raises TypeError
    log.info("fine")
    db_handler.write_pending()
    assert list(LogRecord.objects.values_list("message", flat=True)) == ["fine"]


def test_trim_keeps_the_newest_n(db_handler, log):
    for number in range(30):
        log.info("record %d", number)
    db_handler.write_pending()
    assert trim(10) == 20
    kept = list(LogRecord.objects.order_by("id").values_list("message", flat=True))
    assert kept == [f"record {n}" for n in range(20, 30)]


def test_writer_trims_once_per_tenth_of_the_table(log):
    writer = DatabaseHandler(keep=100, batch_size=1000, threaded=False)
    writer.trim_every = 20
    log.addHandler(writer)
    try:
        for number in range(150):
            log.info("record %d", number)
        writer.write_pending()
    finally:
        log.removeHandler(writer)
        writer.close()
    assert LogRecord.objects.count() == 100
    newest = LogRecord.objects.order_by("-id").first()
    assert newest.message == "record 149"


def test_threaded_writer_stores_on_its_own(transactional_db):
    """The real thread: its own connection, outside any test transaction."""
    writer = DatabaseHandler(keep=1000, interval=0.05)
    logger = logging.getLogger("tests.logbook.threaded")
    logger.addHandler(writer)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info("written by the thread")
        writer.close()  # writes what is left and stops the thread
    finally:
        logger.removeHandler(writer)
        logger.propagate = True
    assert LogRecord.objects.filter(message="written by the thread").exists()
    assert not writer._thread.is_alive()


def test_writer_never_starts_the_embedded_database_itself(db_handler, log, monkeypatch, tmp_path):
    """Connecting would start the cluster: e.g. while serve is stopping it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    monkeypatch.setitem(database, "ENGINE", "comradarr.embedded_pg")
    monkeypatch.setitem(database, "EMBEDDED_DIR", tmp_path / "not-started")
    log.info("kept for later")
    with CaptureQueriesContext(connection) as writing:
        assert db_handler.write_pending() == 0
    assert len(writing) == 0
    assert db_handler.pending() == 1
    monkeypatch.undo()
    assert db_handler.write_pending() == 1

"""LOG_FILE: rotation shared by several processes, reopening on SIGHUP, retention."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from comradarr import hangup, log_files, logs
from comradarr.accounts import runtime
from comradarr.log_files import SharedRotatingFileHandler, delete_expired_backups
from comradarr.logs import JsonFormatter, LogFile, build_logging_config


def _handler(path: Path, **kwargs) -> SharedRotatingFileHandler:
    handler = SharedRotatingFileHandler(str(path), **kwargs)
    handler.setFormatter(JsonFormatter())
    return handler


def _record(message: str) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "tests", "levelno": 20, "levelname": "INFO", "msg": message}
    )


def _all_lines(path: Path) -> list[str]:
    lines = []
    for file in sorted(path.parent.glob(path.name + "*")):
        if not file.name.endswith(".lock"):
            lines += [json.loads(line)["message"] for line in file.read_text().splitlines()]
    return lines


def _write_many(path: str, prefix: str, count: int) -> None:
    handler = _handler(Path(path), maxBytes=4000, backupCount=1000)
    for number in range(count):
        handler.handle(_record(f"{prefix}-{number}"))
    handler.close()


def test_processes_sharing_the_file_rotate_it_once_each_time_and_lose_no_line(tmp_path):
    path = tmp_path / "comradarr.log"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(str(path), name, 300)) for name in "abc"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = _all_lines(path)
    assert sorted(lines) == sorted(f"{p}-{n}" for p in "abc" for n in range(300))
    rotated = [f for f in tmp_path.iterdir() if f.name.split(".")[-1].isdigit()]
    assert len(rotated) > 5
    # Rotated under the lock: no file grew past the limit by more than a line per process.
    assert max(f.stat().st_size for f in rotated) < 4000 + 3 * 300


def test_backups_beyond_the_count_are_deleted(tmp_path):
    path = tmp_path / "comradarr.log"
    handler = _handler(path, maxBytes=500, backupCount=2)
    for number in range(100):
        handler.handle(_record(f"line {number}"))
    handler.close()
    names = sorted(f.name for f in tmp_path.iterdir() if not f.name.endswith(".lock"))
    assert names == ["comradarr.log", "comradarr.log.1", "comradarr.log.2"]


def test_a_moved_file_is_followed_and_a_reopen_request_is_honoured(tmp_path):
    path = tmp_path / "comradarr.log"
    handler = _handler(path)
    handler.handle(_record("first"))
    path.rename(tmp_path / "moved.log")
    handler.handle(_record("second"))  # notices the path names no file any more
    assert _all_lines(path) == ["second"]

    # SIGHUP's flag: the next record reopens the path, even when the file stayed.
    stream_before = handler.stream
    log_files.request_reopen()
    handler.handle(_record("third"))
    assert handler.stream is not stream_before
    assert _all_lines(path) == ["second", "third"]
    handler.close()


def test_retention_deletes_rotated_files_older_than_the_days(tmp_path):
    path = tmp_path / "comradarr.log"
    path.write_text("")
    old, recent, other = (tmp_path / n for n in ("comradarr.log.2", "comradarr.log.1", "notes.2"))
    for file in (old, recent, other):
        file.write_text("x")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    os.utime(other, (ten_days_ago, ten_days_ago))
    assert delete_expired_backups(str(path), 7) == [old]
    assert delete_expired_backups(str(path), 0) == []
    assert recent.exists() and other.exists() and path.exists()


def test_hangup_marks_files_and_settings_for_reload(db, tmp_path, django_assert_num_queries):
    from comradarr.models import AppSettings

    runtime.invalidate()
    runtime.current()
    with django_assert_num_queries(0):
        runtime.current()  # cached
    generation = log_files._reopen_generation
    hangup.mark_for_reload()
    assert log_files._reopen_generation == generation + 1
    AppSettings.objects.filter(pk=1).update(log_level="error")
    assert runtime.current().log_level == "error"  # read again at once, not after 30 s
    assert logging.getLogger().level == logs.level_number("error")
    runtime.invalidate()
    logs.set_level("warning")


def test_logging_config_adds_the_file_and_the_table_when_asked(tmp_path):
    plain = build_logging_config("info", "json")
    assert set(plain["handlers"]) == {"output"}
    full = build_logging_config(
        "info",
        "console",
        log_file=LogFile(path=str(tmp_path / "c.log"), max_bytes=100, backups=3, retention_days=2),
        database_keep=500,
    )
    assert full["root"]["handlers"] == ["output", "file", "database"]
    assert full["handlers"]["file"]["formatter"] == "json"
    assert full["handlers"]["file"]["filters"] == ["correlation", "redact"]
    assert full["handlers"]["database"]["keep"] == 500
    assert full["loggers"]["django-q"]["handlers"] == ["output", "file", "database"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOG_FILE_MAX_BYTES", "ten"), ("LOG_FILE_BACKUPS", "-1"), ("LOG_DB_KEEP", "lots")],
)
def test_bad_log_settings_stop_start_up_naming_the_variable(name, value):
    from comradarr import config

    with pytest.raises(ImproperlyConfigured, match=name):
        config.read_int(name, 0, minimum=0, env={name: value})

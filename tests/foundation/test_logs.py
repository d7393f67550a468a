"""Structured logs: JSON shape, console format, correlation ids, no secrets."""

from __future__ import annotations

import json
import logging
import re

import pytest

from comradarr import logs

SECRET = "a1b2c3d4e5f6SECRETVALUE"


def _lines(buffer) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line.strip()]


def test_json_line_shape(log_output):
    buffer = log_output("json")
    token = logs.correlation_id.set("req-42")
    try:
        logging.getLogger("comradarr.example").warning(
            "synced %d items", 12, extra={"connector_id": 7, "kind": "sonarr"}
        )
    finally:
        logs.correlation_id.reset(token)
    (line,) = _lines(buffer)
    record = json.loads(line)
    assert record["message"] == "synced 12 items"
    assert record["level"] == "warning"
    assert record["module"] == "test_logs"
    assert record["logger"] == "comradarr.example"
    assert record["correlation_id"] == "req-42"
    assert record["connector_id"] == 7
    assert record["kind"] == "sonarr"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$", record["timestamp"])


def test_json_without_request_has_null_correlation_id(log_output):
    buffer = log_output("json")
    logging.getLogger("comradarr.example").error("boom")
    assert json.loads(_lines(buffer)[0])["correlation_id"] is None


def test_explicit_correlation_id_is_kept(log_output):
    """A task logging with the id of the request that enqueued it keeps that id."""
    buffer = log_output("json")
    logging.getLogger("x").warning("task ran", extra={"correlation_id": "from-request"})
    assert json.loads(_lines(buffer)[0])["correlation_id"] == "from-request"


def test_exception_is_included(log_output):
    buffer = log_output("json")
    try:
        raise ValueError("bad thing")
    except ValueError:
        logging.getLogger("x").exception("failed")
    record = json.loads(_lines(buffer)[0])
    assert "ValueError: bad thing" in record["exception"]


def test_console_format(log_output):
    buffer = log_output("console")
    token = logs.correlation_id.set("abc123")
    try:
        logging.getLogger("comradarr.example").warning("hello %s", "world")
    finally:
        logs.correlation_id.reset(token)
    (line,) = _lines(buffer)
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING comradarr\.example \[abc123\] hello world$",
        line,
    )


def test_console_format_without_a_request(log_output):
    buffer = log_output("console")
    logging.getLogger("comradarr.example").warning("outside any request")
    assert " WARNING comradarr.example [-] outside any request" in buffer.getvalue()


def test_level_filters_and_changes_at_run_time(log_output):
    buffer = log_output("json", level="warning")
    logger = logging.getLogger("comradarr.example")
    logger.info("hidden")
    logs.set_level("debug")
    logger.debug("shown")
    logs.set_level("trace")
    logger.log(logs.TRACE, "very detailed")
    messages = [json.loads(line)["message"] for line in _lines(buffer)]
    assert messages == ["shown", "very detailed"]


def test_django_q_logs_through_our_handler(log_output):
    buffer = log_output("json")
    logging.getLogger("django-q").warning("cluster note")
    assert json.loads(_lines(buffer)[0])["message"] == "cluster note"


@pytest.mark.parametrize(
    "text",
    [
        f"GET http://sonarr:8989/api/v3/series?apikey={SECRET}&page=1",
        f"GET http://sonarr:8989/api/v3/series?api_key={SECRET}",
        f"headers: {{'X-Api-Key': '{SECRET}', 'Accept': 'application/json'}}",
        f"X-Api-Key: {SECRET}",
        f'body: {{"apiKey": "{SECRET}", "name": "Sonarr"}}',
        f"Authorization: Bearer {SECRET}",
        f"connecting to postgresql://comradarr:{SECRET}@db:5432/comradarr",
        f'{{"password": "{SECRET}"}}',
        f"token={SECRET}",
    ],
)
def test_redact(text):
    cleaned = logs.redact(text)
    assert SECRET not in cleaned
    assert "***" in cleaned


def test_redact_leaves_ordinary_text_alone():
    text = "GET http://sonarr:8989/api/v3/series?page=2 took 12ms correlation_id=abc"
    assert logs.redact(text) == text


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_secrets_never_reach_the_output(log_output, fmt):
    buffer = log_output(fmt)
    logger = logging.getLogger("connectors.sonarr")
    logger.warning("request to http://sonarr/api/v3/system/status?apikey=%s failed", SECRET)
    logger.warning("retrying", extra={"url": f"http://sonarr/api?apikey={SECRET}"})
    logger.warning("response", extra={"headers": {"X-Api-Key": SECRET}})
    logger.warning("payload", extra={"body": json.dumps({"apiKey": SECRET})})
    try:
        raise ConnectionError(f"cannot reach http://radarr/api?apikey={SECRET}")
    except ConnectionError:
        logger.exception("sync failed")
    output = buffer.getvalue()
    assert len(_lines(buffer)) >= 5
    assert SECRET not in output
    if fmt == "json":
        for line in _lines(buffer):
            json.loads(line)  # redaction keeps every line valid JSON


_LOG_TWO_LINES = (
    "import logging\n"
    f"logging.getLogger('connectors.sonarr').warning('GET /api?apikey={SECRET}')\n"
    "logging.getLogger('django-q').warning('cluster says hi')\n"
)


@pytest.mark.parametrize(
    ("argv", "stream"),
    [
        # The service logs to stdout (gunicorn is started as `python -m gunicorn`).
        (["-c", "import django; django.setup()\n" + _LOG_TWO_LINES], "stdout"),
        # A one-shot command keeps its stdout for its output.
        (["manage.py", "shell", "--no-imports", "-c", _LOG_TWO_LINES], "stderr"),
    ],
    ids=["service", "one-shot-command"],
)
def test_a_real_process_logs_json_to_the_right_stream(tmp_path, argv, stream):
    """The settings' LOGGING is what a running process uses (django-q2's logger included)."""
    import subprocess
    import sys

    from tests.foundation.conftest import REPO, clean_env

    result = subprocess.run(
        [sys.executable, *argv],
        env=clean_env(COMRADARR_DATA_DIR=str(tmp_path), LOG_FORMAT="json"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    logged, other = (
        (result.stdout, result.stderr) if stream == "stdout" else (result.stderr, result.stdout)
    )
    records = [json.loads(line) for line in logged.splitlines()]
    assert [r["logger"] for r in records] == ["connectors.sonarr", "django-q"]
    assert SECRET not in result.stdout + result.stderr
    assert other.strip() == ""


@pytest.mark.parametrize(
    ("argv", "stream"),
    [
        (["manage.py", "serve", "--port", "3001"], "stdout"),
        (["/app/manage.py", "qcluster"], "stdout"),
        (["manage.py", "runserver"], "stdout"),
        (["manage.py", "connectors", "list", "--json"], "stderr"),
        (["manage.py", "migrate"], "stderr"),
        (["manage.py"], "stderr"),
        (["/usr/bin/django-admin", "check"], "stderr"),
        (["/venv/lib/python3.11/site-packages/django/__main__.py", "shell"], "stderr"),
        (["/venv/lib/python3.11/site-packages/gunicorn/__main__.py", "x:app"], "stdout"),
        (["/venv/bin/pytest", "-q"], "stdout"),
        ([], "stdout"),
    ],
)
def test_output_stream_by_command(argv, stream):
    assert logs.output_stream(argv) == stream


def test_stream_is_checked():
    with pytest.raises(ValueError, match="stdout or stderr"):
        logs.build_logging_config("info", "json", "stdlog")
    config = logs.build_logging_config("info", "json", "stderr")
    assert config["handlers"]["output"]["stream"] == "ext://sys.stderr"


@pytest.mark.slow
def test_json_output_of_a_command_is_not_mixed_with_log_lines(tmp_path):
    """`connectors list --json` on the embedded database prints only JSON on stdout.

    At debug level the embedded database logs its start-up; that line, like
    every log line of a one-shot command, goes to stderr.
    """
    import subprocess

    from tests.foundation.conftest import REPO, clean_env, manage_py

    env = clean_env(COMRADARR_DATA_DIR=str(tmp_path), LOG_FORMAT="json", LOG_LEVEL="debug")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*manage_py(), *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )

    run("migrate", "--verbosity", "0")
    result = run("connectors", "list", "--json")
    assert json.loads(result.stdout) == []
    logged = [json.loads(line) for line in result.stderr.splitlines()]
    assert "starting embedded PostgreSQL" in [r["message"] for r in logged]

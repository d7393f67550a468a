"""Structured logging: JSON lines (default) or a console format for people.

The service (serve, qcluster, gunicorn) logs to stdout; one-shot management
commands log to stderr so their stdout stays clean output (output_stream()).

Every record carries the correlation id of the request or task that produced
it, and secrets are masked by RedactingFilter before any handler sees them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
# What produced the current lines: "GET /library/" for a request, "task <function>" for a task.
origin: contextvars.ContextVar[str | None] = contextvars.ContextVar("origin", default=None)

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Set by the filters and formatters here; written by name or not at all.
_OWN_ATTRS = {"correlation_id", "origin", "correlation_display"}

# An optional quote, possibly backslash-escaped (a JSON document inside a JSON log line).
_QUOTE = r"\\?[\"']?"
_VALUE = r"([^\s&\"',;}\\]+)"


def _key_value(key: str) -> re.Pattern[str]:
    return re.compile(rf"(?i)({key}{_QUOTE}\s*[:=]\s*{_QUOTE}){_VALUE}")


_SECRET_PATTERNS = [
    # apikey=... in URLs, X-Api-Key: ... in dumped headers, "apiKey": "..." in JSON
    _key_value(r"api[_-]?key"),
    # Authorization: Bearer xyz (the scheme stays readable, the credential does not)
    re.compile(
        rf"(?i)(authorization{_QUOTE}\s*[:=]\s*{_QUOTE}(?:(?:bearer|basic|token)\s+)?){_VALUE}"
    ),
    _key_value(r"passw(?:or)?d"),
    _key_value(r"token"),
    _key_value(r"secret(?:[_-]?key)?"),
    # user:password@host in URLs (DATABASE_URL, an *arr URL with basic auth)
    re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^\s:/@\"']*:)([^\s/@\"']+)(?=@)"),
    # The webhook secret in the receiver's path, /webhooks/<connector>/<secret>, under any
    # BASE_URL: access lines, Django's request logger and tracebacks all carry the path.
    re.compile(r"(/webhooks/\d+/)([A-Za-z0-9_\-]+)"),
]


def redact(text: str) -> str:
    """Mask the values of anything that looks like a credential."""
    if not text:
        return text
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class CorrelationFilter(logging.Filter):
    """Stamps the current request's or task's id (and origin), unless the caller passed one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = correlation_id.get()
        if getattr(record, "origin", None) is None:
            record.origin = origin.get()
        return True


class RedactingFilter(logging.Filter):
    """Rewrites the rendered message with credentials masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Each handler runs this filter: the first one did the work for all.
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:
            # A bad format call ("%d", "text"): each handler reports it through
            # handleError; a filter raising would crash the code that logged.
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        record._redacted = True
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "module": record.module,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None),
        }
        if getattr(record, "origin", None):
            payload["origin"] = record.origin
        for key, value in record.__dict__.items():
            if key in _STANDARD_ATTRS or key in _OWN_ATTRS or key in payload:
                continue
            if not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        # Redact the whole line: extra fields and tracebacks can carry
        # credentials just as the message can.
        return redact(json.dumps(payload, default=str))


class ConsoleFormatter(logging.Formatter):
    """One line for people: time, level, logger, [correlation id or -], message."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)-7s %(name)s [%(correlation_display)s] %(message)s"
        )

    def format(self, record: logging.LogRecord) -> str:
        record.correlation_display = getattr(record, "correlation_id", None) or "-"
        return redact(super().format(record))


def level_number(name: str) -> int:
    return TRACE if name.lower() == "trace" else logging.getLevelName(name.upper())


# Commands that run as the service: their log lines are the output (stdout, as
# containers expect). Every other management command is a one-shot tool whose
# stdout is its result (some of it JSON for scripts), so its log lines, such as
# the embedded database's start-up line, go to stderr instead.
SERVER_COMMANDS = frozenset({"serve", "qcluster", "runserver"})
_MANAGEMENT_SCRIPTS = ("manage.py", "django-admin", "django/__main__.py")


def output_stream(argv: Sequence[str]) -> str:
    """'stdout' or 'stderr': where this process's log lines go, from its command line.

    Anything not started as a management command (gunicorn, pytest) logs to stdout.
    """
    if not argv or not argv[0].endswith(_MANAGEMENT_SCRIPTS):
        return "stdout"
    command = argv[1] if len(argv) > 1 else ""
    return "stdout" if command in SERVER_COMMANDS else "stderr"


@dataclass(frozen=True)
class LogFile:
    """LOG_FILE and its rotation (comradarr/log_files.py)."""

    path: str
    max_bytes: int
    backups: int
    retention_days: int = 0


def build_logging_config(
    level: str,
    fmt: str,
    stream: str = "stdout",
    *,
    log_file: LogFile | None = None,
    database_keep: int = 0,
) -> dict[str, Any]:
    """The LOGGING dict: stdout/stderr, plus the log file and the viewer's table when asked.

    database_keep > 0 stores records in the log viewer's table (comradarr.logbook),
    keeping about that many.
    """
    if stream not in ("stdout", "stderr"):
        raise ValueError(f"log stream must be stdout or stderr, not {stream!r}")
    handlers: dict[str, dict[str, Any]] = {
        "output": {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{stream}",
            "formatter": fmt,
            "filters": ["correlation", "redact"],
        }
    }
    if log_file is not None:
        handlers["file"] = {
            "()": "comradarr.log_files.SharedRotatingFileHandler",
            "filename": log_file.path,
            "maxBytes": log_file.max_bytes,
            "backupCount": log_file.backups,
            "retention_days": log_file.retention_days,
            # The file is for machines (and grep): always JSON lines.
            "formatter": "json",
            "filters": ["correlation", "redact"],
        }
    if database_keep > 0:
        handlers["database"] = {
            "()": "comradarr.logbook.handler.DatabaseHandler",
            "keep": database_keep,
            "filters": ["correlation", "redact"],
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "correlation": {"()": CorrelationFilter},
            "redact": {"()": RedactingFilter},
        },
        "formatters": {
            "json": {"()": JsonFormatter},
            "console": {"()": ConsoleFormatter},
        },
        "handlers": handlers,
        "root": {"handlers": names, "level": level_number(level)},
        "loggers": {
            # Django's defaults give "django" a console handler of its own (DEBUG
            # only); here everything goes through the one handler above.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # Django logs every 4xx as a warning; keep them at info noise level.
            "django.request": {"level": "ERROR"},
            "django.db.backends": {"level": "INFO"},
            "urllib3": {"level": "WARNING"},
            # django-q2 adds its own handler (and its own format) to a logger that
            # has none; this one makes its lines JSON like the rest.
            "django-q": {"handlers": names, "propagate": False},
            # pgserver narrates every pg_ctl call at info level.
            "pgserver": {"level": "WARNING"},
        },
    }


def set_level(name: str) -> None:
    """Change the root level at run time (from the settings page)."""
    logging.getLogger().setLevel(level_number(name))

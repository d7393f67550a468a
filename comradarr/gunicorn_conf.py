"""Gunicorn settings that `manage.py serve` loads with ``--config python:...``.

Logging lives here (it cannot be given on the command line): gunicorn's
own messages and, when asked for, its access log go through Comradarr's
logging configuration, so they are JSON lines with secrets redacted like
every other line. Bind address, workers and timeouts come from `serve`.
"""

from __future__ import annotations

import copy
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comradarr.settings")

from django.conf import settings
from gunicorn.glogging import Logger

from comradarr.logs import redact

# serve sets this for --access-log; without it the access logger stays quiet.
ACCESS_LOG_ENV = "COMRADARR_ACCESS_LOG"

# Gunicorn would believe X-Forwarded-Proto from 127.0.0.1 by default; the app
# decides that itself, from TRUSTED_PROXIES only (ForwardedProtoMiddleware).
forwarded_allow_ips = ""

# Request headers and environ entries that hold a credential whole (no "key=" to match).
_CREDENTIAL_ATOMS = ("authorization", "cookie", "secret", "api-key", "api_key", "apikey", "token")


class RedactingLogger(Logger):
    """Gunicorn's logger with every access-log atom redacted before formatting.

    The request line (%(r)s, %(U)s, %(q)s) carries the webhook secret when it is in
    the path, and header atoms (%({x-comradarr-secret}i)s) carry credentials whole.
    Redacting here keeps them out of any access log, also one written by
    gunicorn's own handler (--access-logfile) that Comradarr's formatter never sees.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _redact_atom(key, value) for key, value in atoms.items()}


def _redact_atom(key: str, value):
    if not isinstance(value, str):
        return value
    if key.startswith("{") and any(word in key for word in _CREDENTIAL_ATOMS):
        return "***"
    return redact(value)


logger_class = RedactingLogger

# The response's X-Request-ID ties an access line to the request's own log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'

logconfig_dict = copy.deepcopy(settings.LOGGING)
logconfig_dict["loggers"].update(
    {
        # No handlers of their own: records propagate to the root handler.
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {
            "level": "INFO" if os.environ.get(ACCESS_LOG_ENV) == "1" else "WARNING",
            "handlers": [],
            "propagate": True,
        },
    }
)


def post_fork(server, worker) -> None:
    """Name each worker process as `ps` and `manage.py footprint` show it."""
    from comradarr.serving import WEB_WORKER_NAME, set_process_name

    set_process_name(WEB_WORKER_NAME)

"""Django's error report (the DEBUG 500 page, error mails) with credentials masked.

The report shows the request path, headers and local variables, where the
webhook secret (/webhooks/<id>/<secret>) and API keys can appear. The same
redaction as the log lines (comradarr.logs.redact) runs over the rendered
report; settings.DEFAULT_EXCEPTION_REPORTER names this class.
"""

from __future__ import annotations

from django.views.debug import ExceptionReporter

from comradarr.logs import redact


class RedactingExceptionReporter(ExceptionReporter):
    def get_traceback_html(self) -> str:
        return redact(super().get_traceback_html())

    def get_traceback_text(self) -> str:
        return redact(super().get_traceback_text())

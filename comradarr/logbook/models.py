"""The log viewer's table: the most recent log records, already redacted."""

from __future__ import annotations

from django.db import models


class LogRecord(models.Model):
    """One log line as the viewer shows it (written in batches by handler.DatabaseHandler).

    The table is bounded: the writer deletes everything more than LOG_DB_KEEP ids
    below the newest (handler.trim), so it never outgrows a few megabytes.
    Messages, origins and tracebacks are redacted before they are written.
    """

    created = models.DateTimeField()
    #: The numeric level (logging.INFO = 20), so "at least warning" is a comparison.
    level = models.PositiveSmallIntegerField()
    logger = models.CharField(max_length=200)
    module = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    #: The connector the record is about, when it says (extra connector_id or connector).
    connector_id = models.BigIntegerField(null=True, blank=True)
    connector_name = models.CharField(max_length=200, blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)
    #: "GET /library/" for a request, "task <function>" for a background task.
    origin = models.CharField(max_length=300, blank=True)
    exception = models.TextField(blank=True)
    process = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            # Everything of one request or task: the viewer's correlation link.
            models.Index(fields=["correlation_id", "id"], name="logrecord_correlation"),
            # The connector filter.
            models.Index(fields=["connector_id", "id"], name="logrecord_connector"),
        ]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.logger}: {self.message[:80]}"

"""Models of the project app: shared bases, application settings and accounts."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """created_at / updated_at for every model that changes over time."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

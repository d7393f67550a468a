"""Backups listen to one domain event: at start-up, remove what an interrupted backup left."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from comradarr import events

logger = logging.getLogger(__name__)


def on_application_started(**_) -> None:
    from backups import storage

    try:
        storage.remove_leftovers()
    except OSError as exc:  # an unwritable folder must not stop the start
        logger.warning("cannot clean the backup folder", extra={"error": str(exc)})


def connect() -> None:
    """Called once from AppConfig.ready()."""
    receiver(events.application_started, weak=False, dispatch_uid="backups.leftovers")(
        on_application_started
    )

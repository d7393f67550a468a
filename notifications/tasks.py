"""Thin django-q2 tasks: scheduled every minute, and enqueued on commit for immediate channels."""

from __future__ import annotations


def deliver() -> dict:
    """Route waiting events and send due batches; safe to run on several workers at once."""
    from notifications.delivery import deliver_due

    return deliver_due().as_dict()

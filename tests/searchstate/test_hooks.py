"""searchstate.hooks and connectors.panels: the explicit edges to the apps above."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from connectors import panels
from searchstate import hooks


def test_web_registers_the_hooks_at_start_up():
    assert hooks.item_page_url(kind="movie", pk=5) == reverse("library:item", args=["movie", 5])
    assert "content/partials/sync_status.html" in panels.detail_panels()


def test_an_unregistered_hook_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(hooks, "_search_now", None)
    monkeypatch.setattr(hooks, "_item_page", None)
    with pytest.raises(ImproperlyConfigured, match="'web' must be in INSTALLED_APPS"):
        hooks.request_search_now(connector_id=1, item_ids=[1])
    with pytest.raises(ImproperlyConfigured, match="'web' must be in INSTALLED_APPS"):
        hooks.item_page_url(kind="episode", pk=1)


@pytest.mark.django_db
def test_search_now_through_the_hook_enqueues_queueings_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    with django_capture_on_commit_callbacks(execute=True):
        hooks.request_search_now(connector_id=4, item_ids=[7, 8])
    assert calls == [
        (
            ("queueing.sweep.sweep_task", 4),
            {"only": [7, 8], "force": True, "trigger": "manual"},
        )
    ]

"""The sidebar entry that lights up on each engine page (library, queue, profiles, schedules)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from comradarr.navigation import nav_items


def active_labels(url_name: str, args: list | None = None) -> list[str]:
    path = reverse(url_name, args=args or [])
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return [item.label for item in nav_items(request=request) if item.active]


@pytest.mark.parametrize(
    ("url_name", "args", "active"),
    [
        ("library:list", None, "Content"),
        ("library:series", [1], "Content"),
        ("library:item", ["episode", 1], "Content"),
        ("queueing:queue", None, "Queue"),
        ("queueing:entry_detail", [1], "Queue"),
        ("queueing:profiles", None, "Queue"),
        ("queueing:profile_add", None, "Queue"),
        ("queueing:profile_edit", [1], "Queue"),
        ("queueing:schedules", None, "Schedules"),
        ("queueing:schedule_edit", [1], "Schedules"),
    ],
)
def test_one_entry_lights_up_per_page(url_name, args, active):
    assert active_labels(url_name, args) == [active]


def test_content_entry_links_to_the_library():
    items = {item.label: item.url for item in nav_items(request=None)}
    assert items["Content"] == reverse("library:list")

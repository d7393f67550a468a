"""The sidebar: only pages that exist, the current one highlighted."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from comradarr.navigation import NAV_ENTRIES, NavEntry, nav_items

SAMPLE_URLS = "tests.ui.sample_urls"


@pytest.fixture
def sample_urls(settings):
    settings.ROOT_URLCONF = SAMPLE_URLS


def _request_for(path: str):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return request


def _sidebar_links(html: str) -> list[tuple[str, str, bool]]:
    """(label, href, active) for each sidebar entry."""
    sidebar = html.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(
        r'<a class="nav-link( is-active)?" href="([^"]+)"[^>]*>.*?<span class="nav-label">([^<]+)</span>',
        sidebar,
        re.S,
    )
    return [(label, href, bool(active)) for active, href, label in links]


def test_all_seven_sections_are_listed_in_order():
    assert [e.label for e in NAV_ENTRIES] == [
        "Dashboard",
        "Connectors",
        "Content",
        "Queue",
        "Schedules",
        "Analytics",
        "Settings",
    ]
    assert NAV_ENTRIES[1].url_name == "connectors:list"
    assert NAV_ENTRIES[-1].url_name == "settings"


def test_unresolvable_entries_are_hidden(sample_urls):
    items = nav_items(request=None)

    assert [i.label for i in items] == ["Dashboard", "Connectors", "Settings"]
    assert [i.url for i in items] == ["/", "/connectors/", "/settings/"]


def test_a_bogus_entry_never_breaks_the_sidebar(sample_urls):
    entries = (
        NavEntry("Nowhere", "nowhere:at-all", "queue"),
        NavEntry("Needs args", "connectors:detail", "queue"),
        NavEntry("Dashboard", "dashboard", "dashboard"),
    )

    assert [i.label for i in nav_items(request=None, entries=entries)] == ["Dashboard"]


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/", "Dashboard"),
        ("/connectors/", "Connectors"),
        ("/connectors/add/", "Connectors"),
        ("/connectors/7/", "Connectors"),
        ("/settings/", "Settings"),
        ("/login/", None),
    ],
)
def test_active_entry_follows_the_resolved_view(sample_urls, path, active):
    items = nav_items(request=_request_for(path))

    assert [i.label for i in items if i.active] == ([active] if active else [])


def test_no_resolver_match_means_nothing_active(sample_urls):
    request = RequestFactory().get("/missing/")
    request.resolver_match = None

    assert not any(i.active for i in nav_items(request=request))


def test_namespaced_prefixes_do_not_leak_between_entries():
    queue = next(e for e in NAV_ENTRIES if e.label == "Queue")
    schedules = next(e for e in NAV_ENTRIES if e.label == "Schedules")

    assert not any(schedules.url_name.startswith(p) for p in queue.prefixes())
    assert not any(queue.url_name.startswith(p) for p in schedules.prefixes())


@pytest.mark.django_db
def test_rendered_sidebar_marks_the_current_page(sample_urls, admin_client):
    html = admin_client.get("/connectors/7/").content.decode()

    links = _sidebar_links(html)
    assert links == [
        ("Dashboard", "/", False),
        ("Connectors", "/connectors/", True),
        ("Settings", "/settings/", False),
    ]
    assert html.count('aria-current="page"') == 1


@pytest.mark.django_db
def test_every_sidebar_link_of_the_real_app_resolves(admin_client):
    html = admin_client.get(reverse("dashboard")).content.decode()

    links = _sidebar_links(html)
    assert links[0] == ("Dashboard", reverse("dashboard"), True)
    for _label, href, _active in links:
        resolve(href)  # raises Resolver404 for a link to a missing page

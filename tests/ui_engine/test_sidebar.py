"""The sidebar entry that lights up on each engine page (library, queue, profiles, schedules)."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from comradarr.navigation import NavEntry, nav_items


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
        ("queueing:schedule_add", None, "Schedules"),
        ("settings", None, "Settings"),
        ("notifications:index", None, "Settings"),
        ("notifications:log", None, "Settings"),
        ("notifications:edit", [1], "Settings"),
        ("apikeys:index", None, "Settings"),
        ("memory", None, "Settings"),
    ],
)
def test_one_entry_lights_up_per_page(url_name, args, active):
    assert active_labels(url_name, args) == [active]


def test_content_entry_links_to_the_library():
    items = {item.label: item.url for item in nav_items(request=None)}
    assert items["Content"] == reverse("library:list")


def test_an_entry_owning_its_subpaths_lights_up_for_any_app_below_it():
    entries = (NavEntry("Settings", "settings", "settings", owns_subpaths=True),)
    path = reverse("apikeys:index")  # another app's page under /settings/
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    assert [i.active for i in nav_items(request=request, entries=entries)] == [True]
    # Without the flag only the view names light it (apikeys: is not among them).
    entries = (NavEntry("Settings", "settings", "settings"),)
    assert [i.active for i in nav_items(request=request, entries=entries)] == [False]


# --- the rendered pages: the sidebar and the tab strips agree ---------------------------------

_TAB_STRIP = re.compile(r'<nav class="tabs"[^>]*>(.*?)</nav>', re.S)
_HREF = re.compile(r'href="([^"]+)"')


def _current_section(html: str) -> list[str]:
    sidebar = html.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]
    return re.findall(
        r'<a class="nav-link is-active"[^>]*aria-current="page"[^>]*>.*?'
        r'<span class="nav-label">([^<]+)</span>',
        sidebar,
        re.S,
    )


def _sidebar_hrefs(html: str) -> dict[str, str]:
    sidebar = html.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(
        r'<a class="nav-link[^"]*" href="([^"]+)".*?<span class="nav-label">([^<]+)</span>',
        sidebar,
        re.S,
    )
    return {href: label for href, label in links}


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("queueing:queue", "Queue"),
        ("queueing:profiles", "Queue"),
        ("queueing:profile_add", "Queue"),
        ("queueing:schedules", "Schedules"),
        ("queueing:schedule_add", "Schedules"),
        ("settings", "Settings"),
        ("notifications:index", "Settings"),
        ("notifications:log", "Settings"),
        ("apikeys:index", "Settings"),
    ],
)
def test_tab_strip_stays_inside_the_section_the_sidebar_highlights(web, sonarr, url_name, section):
    """Each tab leads to a page of the same section, and no tab repeats another sidebar entry."""
    html = web.get(reverse(url_name)).content.decode()
    assert _current_section(html) == [section]
    sidebar = _sidebar_hrefs(html)
    for strip in _TAB_STRIP.findall(html):
        for href in _HREF.findall(strip):
            assert sidebar.get(href, section) == section, f"tab {href} repeats the sidebar"
            tab_page = web.get(href)
            assert tab_page.status_code == 200, href
            assert _current_section(tab_page.content.decode()) == [section], href


def test_schedules_pages_show_no_queue_tab_strip(web, sonarr):
    html = web.get(reverse("queueing:schedules")).content.decode()
    assert 'aria-label="Queue"' not in html.split('id="sidebar"', 1)[1].split("</aside>", 1)[1]
    queue = web.get(reverse("queueing:queue")).content.decode()
    strip = _TAB_STRIP.search(queue).group(1)
    assert reverse("queueing:profiles") in strip
    assert reverse("queueing:schedules") not in strip

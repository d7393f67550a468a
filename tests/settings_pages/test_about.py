"""The About page: versions, data directory, uptime, links."""

from __future__ import annotations

import platform
from datetime import UTC, datetime, timedelta

import django
import pytest
from django.conf import settings
from django.urls import reverse

from comradarr import uptime
from comradarr.settings_pages.about import duration_words

pytestmark = pytest.mark.django_db


def test_url():
    assert reverse("settings_about") == "/settings/about/"


def test_page_shows_versions_data_directory_and_links(signed_in):
    response = signed_in.get(reverse("settings_about"))
    assert response.status_code == 200
    assert response.context["tab"] == "about"
    body = response.content.decode()
    facts = response.context["facts"]
    assert f'id="about-version">{settings.COMRADARR_VERSION}<' in body
    assert f'id="about-python">{platform.python_version()}<' in body
    assert f'id="about-django">{django.get_version()}<' in body
    assert facts.postgresql[0].isdigit() and f"{facts.postgresql} (embedded)" in body
    assert f'id="about-data-dir">{settings.DATA_DIR}<' in body
    # No project home configured: the page says where the docs are instead of guessing.
    assert 'id="about-docs-local"' in body and 'href="/api/v1/docs/"' in body
    assert f'href="{reverse("memory")}" id="about-memory"' in body
    assert 'href="/settings/about/" aria-current="page"' in body


def test_uptime_counts_from_serve_not_from_this_worker(signed_in, monkeypatch):
    started = datetime.now(UTC) - timedelta(days=3, hours=4, minutes=2)
    monkeypatch.setenv(uptime.STARTED_AT_ENV, started.isoformat())
    body = signed_in.get(reverse("settings_about")).content.decode()
    assert 'id="about-uptime">3 days 4 hours' in body


@pytest.mark.parametrize("stamp", ["", "yesterday", "2026-01-01T00:00:00"])
def test_without_a_usable_stamp_the_process_start_is_used(monkeypatch, stamp):
    monkeypatch.setenv(uptime.STARTED_AT_ENV, stamp)
    started = uptime.started_at()
    assert started.tzinfo is not None
    assert datetime.now(UTC) - timedelta(days=1) < started <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (3600 + 120, "1 hour 2 minutes"),
        (86400 + 300, "1 day 5 minutes"),
        (2 * 86400 + 7200 + 60, "2 days 2 hours"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words


def test_about_needs_a_signed_in_user(client, db):
    assert client.get(reverse("settings_about")).status_code == 302
    assert client.get(reverse("settings_database")).status_code == 302


def test_the_projects_home_is_linked_when_configured(signed_in, settings):
    settings.COMRADARR_REPOSITORY_URL = "https://git.example.org/comradarr"
    body = signed_in.get(reverse("settings_about")).content.decode()
    assert 'href="https://git.example.org/comradarr" ' in body
    assert 'href="https://git.example.org/comradarr#readme"' in body

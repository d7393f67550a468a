"""The dashboard: login required, counts from the database, empty state."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from comradarr.dashboard import dashboard_summary
from connectors.models import Connector

pytestmark = pytest.mark.django_db

Health = Connector.Health


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_summary_counts_by_health(make_connector):
    make_connector(health_status=Health.HEALTHY)
    make_connector(health_status=Health.HEALTHY, enabled=False)
    make_connector(health_status=Health.DEGRADED)
    make_connector(health_status=Health.OFFLINE)
    make_connector()  # unknown: never checked

    summary = dashboard_summary()

    assert summary.connectors_total == 5
    assert summary.connectors_enabled == 4
    assert summary.connectors_disabled == 1
    assert {h.status: h.count for h in summary.health} == {
        "unknown": 1,
        "healthy": 2,
        "degraded": 1,
        "unhealthy": 0,
        "offline": 1,
    }
    assert summary.needs_attention == 2
    assert not summary.is_empty


def test_summary_lists_a_bounded_number_of_connectors(make_connector):
    for _ in range(4):
        make_connector()

    summary = dashboard_summary(limit=3)

    assert summary.connectors_total == 4
    assert len(summary.connectors) == 3
    assert [c.name for c in summary.connectors] == sorted(c.name for c in summary.connectors)


def test_summary_queries_are_bounded(make_connector, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert dashboard_summary().is_empty

    for _ in range(12):
        make_connector()
    with django_assert_num_queries(2):
        dashboard_summary()


def test_page_queries_do_not_grow_with_connectors(admin_client, make_connector):
    make_connector()
    with CaptureQueriesContext(connection) as one:
        admin_client.get(reverse("dashboard"))
    for _ in range(15):
        make_connector(health_status=Health.UNHEALTHY)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("dashboard"))

    assert len(many) == len(one)


def test_page_renders_counts_and_badges(admin_client, make_connector):
    make_connector(name="Main Sonarr", health_status=Health.HEALTHY, app_version="4.0.10")
    make_connector(name="Radarr 4K", kind=Connector.Kind.RADARR, health_status=Health.UNHEALTHY)
    make_connector(name="Old Whisparr", kind=Connector.Kind.WHISPARR, enabled=False)

    response = admin_client.get(reverse("dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stat="total"' in html
    assert response.context["summary"].connectors_total == 3
    assert "Main Sonarr" in html and "Radarr 4K" in html and "Old Whisparr" in html
    assert 'class="badge badge-healthy"' in html
    assert 'class="badge badge-unhealthy"' in html
    assert "v4.0.10" in html
    assert "1 needs attention" in html
    assert "Welcome to Comradarr" not in html


def test_api_keys_never_reach_the_page(admin_client, make_connector):
    connector = make_connector(api_key="supersecretapikey0000000000000042")

    html = admin_client.get(reverse("dashboard")).content.decode()

    assert connector.api_key not in html
    assert "supersecret" not in html


def test_empty_state_explains_and_offers_to_add(admin_client):
    response = admin_client.get(reverse("dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome to Comradarr" in html
    assert "Sonarr, Radarr and Whisparr" in html
    assert 'data-stat="total"' not in html


def test_empty_state_links_to_add_connector_when_that_page_exists(settings, admin_client):
    settings.ROOT_URLCONF = "tests.ui.sample_urls"

    html = admin_client.get("/").content.decode()

    assert 'href="/connectors/add/"' in html
    assert "Add a connector" in html


def test_empty_state_without_connector_pages_has_no_dead_link(admin_client):
    html = admin_client.get(reverse("dashboard")).content.decode()

    # The real URLconf may or may not have the connectors pages yet; either way
    # every link on the page must resolve.
    for href in re.findall(r'href="(/[^"]*)"', html):
        if "/static/" not in href:
            resolve(href.split("?")[0])


def test_add_button_in_header_once_connectors_exist(settings, admin_client, make_connector):
    settings.ROOT_URLCONF = "tests.ui.sample_urls"
    make_connector()

    html = admin_client.get("/").content.decode()

    header = html.split('class="page-actions"', 1)[1].split("</div>", 1)[0]
    assert 'href="/connectors/add/"' in header
    assert 'href="/connectors/"' in html  # "View all"

"""Settings > Logs: filters in the URL, keyset pages, live tail, hostile parameters."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from comradarr.logbook import filters
from comradarr.logbook.models import LogRecord
from connectors.models import Connector

pytestmark = pytest.mark.django_db


def record(message: str, *, level: int = logging.INFO, logger: str = "queueing.dispatch", **fields):
    return LogRecord.objects.create(
        created=datetime.now(tz=UTC),
        level=level,
        logger=logger,
        module="m",
        message=message,
        **fields,
    )


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def rows(response) -> list[str]:
    return [r.message for r in response.context["records"]]


def test_url_and_tab():
    assert reverse("logs:index") == "/settings/logs/"


def test_sign_in_required(client):
    for url in (reverse("logs:index"), reverse("logs:tail") + "?after=0"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_page_lists_newest_first_with_the_logs_tab_active(signed_in):
    record("older")
    record("newer")
    response = signed_in.get(reverse("logs:index"))
    assert response.status_code == 200
    assert rows(response) == ["newer", "older"]
    body = response.content.decode()
    assert 'aria-current="page">Logs</a>' in body
    assert 'id="log-tail"' in body  # the live tail polls on the first page


def test_filters_by_level_module_connector_correlation_and_text(signed_in):
    sonarr = Connector.objects.create(
        name="Sonarr", kind="sonarr", url="http://sonarr:8989", api_key="k" * 32
    )
    record("debug line", level=logging.DEBUG)
    record("warned", level=logging.WARNING, logger="connectors.health")
    record("by id", connector_id=sonarr.pk)
    record("by name", connector_name="Sonarr")
    record("in request", correlation_id="req-1")
    record("Needle in the message")
    record("other", logger="queueingx")

    def get(**params):
        response = signed_in.get(reverse("logs:index"), params)
        assert response.status_code == 200, response.content
        return sorted(rows(response))

    assert get(level="warning") == ["warned"]
    assert "debug line" not in get(level="info")
    assert get(module="connectors") == ["warned"]
    assert "other" not in get(module="queueing")
    assert get(connector=sonarr.pk) == ["by id", "by name"]
    assert get(correlation="req-1") == ["in request"]
    assert get(q="needle") == ["Needle in the message"]
    assert get(q="needle", level="error") == []


def test_keyset_pages_cover_every_record_once(signed_in, monkeypatch):
    monkeypatch.setattr(filters, "PAGE_SIZE", 3)
    for number in range(8):
        record(f"r{number}")
    seen, params = [], {}
    for _ in range(5):
        response = signed_in.get(reverse("logs:index"), params)
        seen += rows(response)
        older = response.context["older"]
        if older is None:
            break
        assert f"before={older}" in response.content.decode()
        params = {"before": older}
    assert seen == [f"r{n}" for n in range(7, -1, -1)]
    # A page further back does not poll the live tail.
    assert 'id="log-tail"' not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"level": "loud"},
        {"before": "abc"},
        {"before": "-1"},
        {"before": str(2**70)},
        {"connector": "999999"},
        {"connector": "x' OR 1=1 --"},
        {"correlation": "<script>alert(1)</script>"},
        {"q": "nul\x00byte"},
        {"module": "m" * 500},
    ],
)
def test_hostile_parameters_get_a_clear_message_never_a_500(signed_in, params):
    record("present")
    response = signed_in.get(reverse("logs:index"), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "These filters cannot be applied" in body
    assert "<script>alert(1)</script>" not in body
    tail = signed_in.get(reverse("logs:tail"), {**params, "after": "0"})
    assert tail.status_code == 400
    assert tail["Content-Type"].startswith("text/plain")


def test_hostile_text_is_searched_literally(signed_in):
    record("100% done")
    record("1000 done")
    assert rows(signed_in.get(reverse("logs:index"), {"q": "100%"})) == ["100% done"]
    assert rows(signed_in.get(reverse("logs:index"), {"q": "_"})) == []


def test_live_tail_returns_only_newer_records_matching_the_filters(signed_in):
    first = record("already shown", correlation_id="req-9")
    record("newer, other request", correlation_id="req-8")
    record("newer, same request", correlation_id="req-9")
    response = signed_in.get(reverse("logs:tail"), {"after": first.pk, "correlation": "req-9"})
    assert response.status_code == 200
    assert rows(response) == ["newer, same request"]
    body = response.content.decode()
    assert 'id="log-tail"' in body
    newest = LogRecord.objects.get(message="newer, same request").pk
    # The next poll asks for what is newer than the newest row it just added, same filters.
    assert f"correlation=req-9&amp;after={newest}" in body
    again = signed_in.get(reverse("logs:tail"), {"after": newest, "correlation": "req-9"})
    assert rows(again) == []
    assert f"after={newest}" in again.content.decode()


def test_live_tail_without_after_is_refused(signed_in):
    response = signed_in.get(reverse("logs:tail"))
    assert response.status_code == 400
    assert b"after" in response.content


def test_correlation_id_links_to_everything_of_that_request(signed_in):
    record("a line", correlation_id="abc123", origin="GET /queue/")
    body = signed_in.get(reverse("logs:index")).content.decode()
    assert 'href="/settings/logs/?correlation=abc123"' in body
    assert "GET /queue/" in body


def test_page_query_count_is_bounded(signed_in, django_assert_max_num_queries):
    for number in range(60):
        record(f"r{number}", correlation_id=f"c{number}")
    with django_assert_max_num_queries(8):
        signed_in.get(reverse("logs:index"))

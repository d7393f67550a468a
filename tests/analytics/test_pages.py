"""The analytics page, its JSON data, the CSV export and what bad query strings get."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from analytics.datasets import CHARTS, DATASETS, TABLES
from tests.analytics import helpers

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_page_lists_every_chart_and_table(admin_client):
    helpers.radarr_with_activity()
    html = admin_client.get(reverse("analytics:overview")).content.decode()
    for d in CHARTS:
        assert f'data-chart-card="{d.name}"' in html
        assert reverse("analytics:data", args=[d.name]) + "?range=30d" in html
    for d in TABLES:
        assert f'data-table="{d.name}"' in html
        assert reverse("analytics:table", args=[d.name]) + "?range=30d" in html
    assert "<script>" not in html and "onclick" not in html  # strict CSP: no inline script


def test_sidebar_shows_analytics(admin_client):
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("analytics:overview")}"' in html


def test_chart_data_has_a_row_per_bucket(admin_client):
    conn, _ = helpers.radarr_with_activity()
    response = admin_client.get(reverse("analytics:data", args=["searches"]), {"range": "24h"})
    body = response.json()
    assert response.status_code == 200 and body["unit"] == "hour"
    assert body["columns"][:3] == ["time", "Commands", "Items searched"]
    assert len(body["rows"]) in (24, 25)
    assert sum(r[1] for r in body["rows"]) == 4
    seconds = [r[0] for r in body["rows"]]
    assert seconds == sorted(seconds) and all(b - a == 3600 for a, b in pairwise(seconds))
    # The connector filter narrows to one connector.
    other = reverse("analytics:data", args=["searches"])
    helpers.radarr_with_activity("Other")
    one = admin_client.get(other, {"range": "24h", "connector": conn.pk}).json()
    both = admin_client.get(other, {"range": "24h"}).json()
    assert sum(r[1] for r in one["rows"]) == 4 and sum(r[1] for r in both["rows"]) == 8


def test_no_data_gives_zero_rows_not_an_error(admin_client):
    body = admin_client.get(reverse("analytics:data", args=["acquisitions"])).json()
    assert body["unit"] == "day" and all(r[1:] == [0, 0, 0] for r in body["rows"])
    body = admin_client.get(reverse("analytics:data", args=["completion"])).json()
    assert body["rows"] == [] and body["columns"] == ["time"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"range": "forever"}, "range must be one of"),
        ({"range": "custom", "start": "2026-01-01"}, "needs both"),
        ({"range": "custom", "start": "yesterday", "end": "2026-01-01"}, "start must be a date"),
        ({"range": "custom", "start": "2026-03-01", "end": "2026-02-01"}, "before the start"),
        ({"range": "custom", "start": "1990-01-01", "end": "1990-02-01"}, "year 2000"),
        ({"range": "custom", "start": "2020-01-01", "end": "2026-02-01"}, "at most"),
        ({"connector": "abc"}, "connector must be a connector id"),
        ({"connector": "99999"}, "no connector with id 99999"),
        ({"connector": "1" * 40}, "connector must be"),
        ({"range": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start must be"),
    ],
)
def test_bad_query_strings_are_a_clear_400(admin_client, query, message):
    data = admin_client.get(reverse("analytics:data", args=["searches"]), query)
    assert data.status_code == 400 and message in data.json()["error"]
    page = admin_client.get(reverse("analytics:overview"), query)
    assert page.status_code == 400 and message in page.content.decode()
    export = admin_client.get(reverse("analytics:export", args=["searches"]), query)
    assert export.status_code == 400 and message in export.content.decode()
    table = admin_client.get(reverse("analytics:table", args=["quality"]), query)
    assert table.status_code == 400 and message in table.content.decode()


def test_unknown_dataset_is_a_404(admin_client):
    assert admin_client.get(reverse("analytics:data", args=["nope"])).status_code == 404
    assert admin_client.get(reverse("analytics:export", args=["nope"])).status_code == 404
    assert admin_client.get(reverse("analytics:table", args=["nope"])).status_code == 404


def test_csv_export_streams_the_chart_numbers(admin_client):
    conn, _ = helpers.radarr_with_activity()
    query = {"range": "7d", "connector": conn.pk}
    response = admin_client.get(reverse("analytics:export", args=["searches"]), query)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    assert f"connector{conn.pk}" in response["Content-Disposition"]
    rows = _csv(response)
    data = admin_client.get(reverse("analytics:data", args=["searches"]), query).json()
    assert rows[0] == data["columns"]
    assert len(rows) - 1 == len(data["rows"])
    assert sum(int(r[1]) for r in rows[1:]) == sum(r[1] for r in data["rows"]) == 4


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_exports(admin_client, name):
    helpers.radarr_with_activity()
    rows = _csv(admin_client.get(reverse("analytics:export", args=[name]), {"range": "90d"}))
    assert rows[0] and all(len(r) == len(rows[0]) for r in rows)


def test_tables_show_content_analysis(admin_client):
    from searchstate.models import SearchRegistry

    conn, films = helpers.radarr_with_activity()
    now = timezone.now()
    SearchRegistry.objects.create(
        connector=conn,
        search_type="gap",
        movie=films[1],
        state="exhausted",
        attempts=10,
        search_count=10,
        last_searched_at=now - timedelta(hours=1),
    )
    SearchRegistry.objects.create(
        connector=conn,
        search_type="gap",
        movie=films[3],
        attempts=2,
        search_count=12,
        last_searched_at=now - timedelta(hours=1),
    )

    def table(name: str) -> str:
        url = reverse("analytics:table", args=[name])
        response = admin_client.get(url, {"range": "7d"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return response.content.decode()

    most, hardest = table("most_searched"), table("hardest")
    assert most.index(films[3].title) < most.index(films[1].title)
    assert hardest.index(films[1].title) < hardest.index(films[3].title)
    assert "Missing for" in table("gap_age") and "(unknown)" in table("quality")
    assert "Movies" in table("connectors")


def test_management_export(capsys):
    helpers.radarr_with_activity()
    call_command("analytics", "export", "acquisitions", "--range", "30d")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "time,Ours (after a search),The app's RSS,Exhausted"
    rows = list(csv.reader(lines[1:]))
    assert len(rows) in (30, 31)  # one per local day the range touches
    assert sum(int(r[1]) for r in rows) == 1 and sum(int(r[2]) for r in rows) == 1


def test_management_export_bad_range():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="range must be one of"):
        call_command("analytics", "export", "searches", "--range", "2w")


def test_data_endpoint_query_count_is_fixed(admin_client, django_assert_num_queries):
    helpers.radarr_with_activity()
    url = reverse("analytics:data", args=["searches"])
    admin_client.get(url)  # warm the session
    with django_assert_num_queries(3):  # session, user, the GROUP BY
        admin_client.get(url, {"range": "1y"})


def test_page_query_count_is_fixed(admin_client, django_assert_num_queries):
    helpers.radarr_with_activity()
    url = reverse("analytics:overview")
    admin_client.get(url)
    with django_assert_num_queries(3):  # session, user, the connector list
        admin_client.get(url, {"range": "1y"})
    helpers.radarr_with_activity("More")
    with django_assert_num_queries(3):
        admin_client.get(url, {"range": "1y"})


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("connectors", 5),
        ("endpoints", 4),
        ("most_searched", 3),
        ("hardest", 3),
        ("quality", 5),
        ("gap_age", 3),
    ],
)
def test_table_query_counts_are_fixed(admin_client, django_assert_num_queries, name, queries):
    helpers.radarr_with_activity()
    helpers.radarr_with_activity("More")
    url = reverse("analytics:table", args=[name])
    admin_client.get(url)
    # session and user, then the table's own: one GROUP BY or one bounded SELECT (quality:
    # connector names and one GROUP BY per item table; gap age: the latest snapshots;
    # connectors: the counters, the request timings and the names; endpoints: the last two).
    with django_assert_num_queries(queries):
        admin_client.get(url, {"range": "1y"})

"""The connector page's Activity panel (queueing): statistics and sweep schedules with links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import LibrarySnapshot
from connectors.models import Connector
from content.models import SyncState
from queueing.connector_stats import connector_activity
from queueing.models import SweepSchedule
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history


@pytest.fixture
def library(sonarr):
    show = builders.series(sonarr, "The Expanse")
    missing = builders.episodes(show, 1, 4)
    builders.episodes(show, 2, 3, has_file=3, quality_cutoff_not_met=True)
    make_entry(sonarr, items=missing[:2])
    make_history(sonarr, outcome="grabbed")
    make_history(sonarr, outcome="no_results")
    make_history(sonarr, outcome="no_results")
    make_history(sonarr, outcome="grabbed", dispatched_at=timezone.now() - timedelta(days=9))
    SyncState.objects.update_or_create(
        connector=sonarr, defaults={"last_success_at": timezone.now() - timedelta(hours=2)}
    )
    return sonarr


def _panel(html: str) -> str:
    start = html.index('id="connector-activity"')
    return html[start : html.index("Health history", start)]


def test_panel_shows_the_connectors_figures(web, library):
    html = web.get(reverse("connectors:detail", args=[library.pk])).content.decode()
    stats = _panel(html).split('id="connector-stats"', 1)[1].split("</dl>", 1)[0]
    assert '<dt>Gaps</dt><dd title="Monitored, aired or available items without a file">4 ' in stats
    assert (
        '<dt>Upgrades</dt><dd title="Monitored items whose file is below the quality cutoff">3 '
        in stats
    )
    assert "<dt>Queue depth</dt><dd>1 " in stats
    assert "<dt>Searches (7 days)</dt><dd>3 " in stats  # the 9-day-old one is outside
    assert "33 % <span" in stats and "(1 of 3 grabbed)" in stats
    assert "2\xa0hours ago" in stats


def test_panel_lists_this_connectors_schedules_with_edit_links(web, library, radarr):
    mine = list(SweepSchedule.objects.filter(connector=library))
    assert len(mine) == 2  # the defaults every new library connector gets
    mine[1].enabled = False
    mine[1].item_limit = 25
    mine[1].save()
    other = SweepSchedule.objects.filter(connector=radarr).first()
    panel = _panel(web.get(reverse("connectors:detail", args=[library.pk])).content.decode())
    for schedule in mine:
        assert reverse("queueing:schedule_edit", args=[schedule.pk]) in panel
    assert reverse("queueing:schedule_edit", args=[other.pk]) not in panel
    assert "Every hour" in panel or "every hour" in panel.lower()
    assert "disabled" in panel and "at most 25 items" in panel
    assert f"{reverse('queueing:schedule_add')}?connector={library.pk}" in panel


def test_a_connector_without_schedules_says_nothing_is_searched(web, library):
    SweepSchedule.objects.filter(connector=library).delete()
    panel = _panel(web.get(reverse("connectors:detail", args=[library.pk])).content.decode())
    assert "nothing of Living room is searched automatically" in panel


def test_a_stored_cron_that_no_longer_parses_is_shown_not_a_500(web, library):
    # Written past the service's validation (an old row, a hand edit in the database).
    SweepSchedule.objects.filter(connector=library).update(cron="61 * * * *")
    response = web.get(reverse("connectors:detail", args=[library.pk]))
    assert response.status_code == 200
    assert "invalid:" in _panel(response.content.decode())


def test_no_panel_for_an_indexer_manager(web):
    prowlarr = builders.connector("Indexers", "prowlarr")
    html = web.get(reverse("connectors:detail", args=[prowlarr.pk])).content.decode()
    assert 'id="connector-activity"' not in html


def test_empty_connector_has_zero_figures(web, sonarr):
    activity = connector_activity(sonarr)
    assert (activity.stats.gaps, activity.stats.queue_depth, activity.stats.searches) == (0, 0, 0)
    assert activity.stats.success_rate is None and activity.stats.last_sync_at is None
    panel = _panel(web.get(reverse("connectors:detail", args=[sonarr.pk])).content.decode())
    assert "no search finished" in panel and '<span class="muted">never</span>' in panel


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _snapshot(connector, *, missing: int, below: int, hours_old: int = 0) -> None:
    now = timezone.now()
    bucket = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_old)
    LibrarySnapshot.objects.create(
        connector=connector,
        resolution="hour",
        bucket=bucket,
        content_type="episodes",
        items=100,
        missing_monitored=missing,
        below_cutoff=below,
        taken_at=bucket,
    )


def test_activity_reads_in_a_fixed_number_of_queries(library):
    # No snapshot yet (a connector just added): the mirror is counted live.
    assert _queries(lambda: connector_activity(library)) == 9
    _snapshot(library, missing=40, below=7)
    # With one: its totals, and no count over the episode table.
    assert _queries(lambda: connector_activity(library)) == 5


def test_gaps_and_upgrades_come_from_the_latest_snapshot(web, library):
    _snapshot(library, missing=11, below=2, hours_old=3)
    _snapshot(library, missing=40, below=7)
    stats = connector_activity(library).stats
    assert (stats.gaps, stats.upgrades, stats.queue_depth) == (40, 7, 1)
    # A snapshot older than the dashboard trusts is ignored: counted live again.
    for n, snap in enumerate(LibrarySnapshot.objects.all()):
        snap.bucket = timezone.now() - timedelta(days=3, hours=n)
        snap.save()
    stats = connector_activity(library).stats
    assert (stats.gaps, stats.upgrades) == (4, 3)


def test_detail_page_queries_do_not_grow_with_schedules_history_or_library(web, library):
    url = reverse("connectors:detail", args=[library.pk])
    web.get(url)  # warm caches (session, content types)
    before = _queries(lambda: web.get(url))
    show = builders.series(library, "Another show")
    builders.episodes(show, 1, 30)
    for hour in range(8):
        SweepSchedule.objects.create(connector=library, kind="gaps", cron=f"{hour} 3 * * *")
        make_history(library, outcome="grabbed")
    make_entry(library, items=builders.episodes(show, 2, 5))
    assert SweepSchedule.objects.filter(connector=library).count() == 10
    assert _queries(lambda: web.get(url)) == before


def test_detail_of_a_missing_connector_is_404(web):
    assert not Connector.objects.filter(pk=999_999).exists()
    assert web.get(reverse("connectors:detail", args=[999_999])).status_code == 404

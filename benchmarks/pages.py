"""Every main page of the web UI over a 500,000-episode mirror: is each under 300 ms?

    .venv/bin/python benchmarks/pages.py                # 5,000 series, 500,000 episodes
    .venv/bin/python benchmarks/pages.py --series 500   # smaller
    .venv/bin/python benchmarks/pages.py --data-dir /tmp/pages   # keep and reuse the data

The data, generated on the embedded PostgreSQL: the sweep benchmark's Sonarr
mirror (benchmarks/sweep.py), a Radarr connector with 5,000 movies, one real
sweep of the Sonarr connector (its registry rows and queue entries, as a user
sees them after the first sweep), 30 days of search history (one command every
two minutes), the library snapshot analytics' collect job takes every ten
minutes, the mirror sizes a sync records, two sweep schedules and the live-region endpoints the pages poll.
Each page is requested through Django's test client, signed in, DEBUG off:
printed, the median of ``--runs`` requests, the SQL statements of one request
and its slowest statement. benchmarks/ui.py covers every sort and filter of the
content browser; this script covers the rest of the pages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.analytics import HISTORY_SQL, MOVIES_SQL, SlowQueries  # noqa: E402
from benchmarks.sweep import (  # noqa: E402
    build_mirror,
    kept_or_temporary_dir,
    machine,
    setup_django,
    signed_in_client,
)

#: Under this, a page counts as fast enough (issue 16).
BUDGET_MS = 300


def build(series: int) -> None:
    from django.db import connection

    from analytics import recording
    from connectors.models import Connector
    from content.models import SyncState
    from queueing.models import SweepSchedule
    from queueing.sweep import sweep_connector

    sonarr, _library = build_mirror(series, 10)
    radarr = Connector.objects.create(
        name="bench-radarr", kind="radarr", url="http://127.0.0.1:2", api_key="k" * 32
    )
    with connection.cursor() as cursor:
        cursor.execute(MOVIES_SQL, {"c": radarr.pk, "movies": 5000})
        cursor.execute(HISTORY_SQL, {})
    sweep_connector(connector=sonarr, dry_run=False, downloading=frozenset())
    recording.snapshot_libraries()  # what analytics' collect job does every ten minutes
    for connector in (sonarr, radarr):
        # What a sync records at its end (the sweep benchmark's mirror is written in SQL).
        SyncState.objects.update_or_create(
            connector=connector,
            defaults={
                "mirror_series": connector.series.count(),
                "mirror_episodes": connector.episodes.count(),
                "mirror_movies": connector.movies.count(),
            },
        )
    for connector in (sonarr, radarr):
        SweepSchedule.objects.create(connector=connector, kind="gaps", cron="30 2 * * 1-5")
        SweepSchedule.objects.create(connector=connector, kind="upgrades", cron="0 */6 * * *")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pages() -> list[tuple[str, str]]:
    """(label, path) of every page a user opens from the sidebar, with a real id in each."""
    from django.urls import reverse

    from connectors.models import Connector
    from content.models import Episode, Movie, Series
    from queueing.models import RequestQueue, SweepSchedule, ThrottleProfile

    sonarr = Connector.objects.get(name="bench-sonarr")
    # The biggest series: its page has the most seasons and episodes to show.
    series = Series.objects.filter(connector=sonarr).order_by("-episode_count", "pk").first()
    episode = Episode.objects.filter(series=series, has_file=False).order_by("pk").first()
    movie = Movie.objects.order_by("pk").first()
    entry = RequestQueue.objects.order_by("-priority", "pk").first()
    schedule = SweepSchedule.objects.order_by("pk").first()
    profile = ThrottleProfile.objects.order_by("pk").first()
    rows = [
        ("dashboard", reverse("dashboard")),
        ("connectors list", reverse("connectors:list")),
        ("connector detail (500k episodes)", reverse("connectors:detail", args=[sonarr.pk])),
        ("library, series list", reverse("library:list") + f"?connector={sonarr.pk}"),
        (
            "library, episodes missing",
            reverse("library:list") + f"?connector={sonarr.pk}&type=episodes&filter=missing",
        ),
        ("library, movies", reverse("library:list") + f"?connector={movie.connector_id}"),
        ("series page (biggest series)", reverse("library:series", args=[series.pk])),
        ("episode page", reverse("library:item", args=["episode", episode.pk])),
        ("movie page", reverse("library:item", args=["movie", movie.pk])),
        ("queue", reverse("queueing:queue")),
        ("queue, live part (polled)", reverse("queueing:queue_status")),
        ("schedules (with timeline)", reverse("queueing:schedules")),
        ("schedule edit", reverse("queueing:schedule_edit", args=[schedule.pk])),
        ("throttle profiles", reverse("queueing:profiles")),
        ("analytics", reverse("analytics:overview")),
        ("settings, general", reverse("settings")),
        ("settings, search behaviour", reverse("settings_search")),
        ("settings, database", reverse("settings_database")),
        ("notifications", reverse("notifications:index")),
        ("notifications, delivery log", reverse("notifications:log")),
        ("backups", reverse("backups:index")),
        ("logs", reverse("logs:index")),
    ]
    if entry is not None:
        rows.insert(11, ("queue entry", reverse("queueing:entry_detail", args=[entry.pk])))
    if profile is not None:
        rows.append(("throttle profile edit", reverse("queueing:profile_edit", args=[profile.pk])))
    return rows


def measure(client, path: str, runs: int) -> tuple[float, int, tuple[float, str]]:
    from django.db import connection

    samples = []
    slow = SlowQueries()
    for n in range(runs):
        probe = SlowQueries()
        started = time.perf_counter()
        with connection.execute_wrapper(probe):
            response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        if n == runs - 1:
            slow = probe
    slowest = max(slow.times, default=(0.0, ""))
    return statistics.median(samples), len(slow.times), slowest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5, help="requests per page (median)")
    parser.add_argument(
        "--data-dir", default=None, help="kept after the run, and reused if it holds the data"
    )
    args = parser.parse_args()
    setup_django(kept_or_temporary_dir(args.data_dir, "comradarr-bench-pages-"))

    from connectors.models import Connector
    from content.models import Episode

    started = time.perf_counter()
    if not Connector.objects.filter(name="bench-sonarr").exists():
        build(args.series)
    built = time.perf_counter() - started
    client = signed_in_client()
    m = machine()
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"mirror: {Episode.objects.count()} episodes; data ready in {built:.0f} s")
    print(f"{'page':40s} {'median':>9s} {'queries':>8s}  slowest statement")
    worst = 0.0
    for label, path in pages():
        client.get(path)  # warm: template loading, first-touch caches
        ms, queries, (slow_ms, slow_sql) = measure(client, path, max(1, args.runs))
        worst = max(worst, ms)
        flag = "" if ms < BUDGET_MS else "  <- over budget"
        print(f"{label:40s} {ms:7.1f} ms {queries:8d}  {slow_ms:6.1f} ms {slow_sql[:60]}{flag}")
    print(f"slowest page: {worst:.1f} ms (budget {BUDGET_MS} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())

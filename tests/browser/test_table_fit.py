"""The wide tables of the main pages fit their cards at 1024 px (the narrowest desktop): no cell
pokes out of its card and no table hides a sideways scrollbar, with long names, titles and errors.
Each page is measured in Chromium the same way as the queue page (tests/browser/test_queue_layout.py).
"""

# ruff: noqa: F811 - the tests take the imported `engine` fixture as an argument
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from connectors.models import Connector
from notifications.models import NotificationDelivery
from queueing.models import SweepSchedule
from tests.browser.test_engine_pages import engine  # noqa: F401 - the populated install
from tests.notifications.conftest import make_channel
from tests.searchstate import builders
from tests.ui_engine.conftest import make_history

LONG_SONARR = "Living room Sonarr (4K, anime and documentaries) behind the reverse proxy"
LONG_RADARR = "Movies-4K-HDR-Dolby-Vision-on-the-NAS-in-the-garage"
LONG_ERROR = (
    "Discord answered 429 Too Many Requests for https://discord.com/api/webhooks/…/…: "
    "You are being rate limited; retry_after=12.5 seconds; global=false; the batch waits "
    "for its next attempt with backoff"
)
LONG_TITLE = (
    "The Marvelous Mrs. Maisel S05E09 - Four Minutes and a Very Long Title That Goes On and On"
)


@pytest.fixture
def crowded(engine):
    """The populated install with the longest names, titles and errors each table shows."""
    sonarr, radarr = engine["sonarr"], engine["radarr"]
    Connector.objects.filter(pk=sonarr.pk).update(
        name=LONG_SONARR, instance_name="Sonarr on the living room NAS (docker, host network)"
    )
    Connector.objects.filter(pk=radarr.pk).update(name=LONG_RADARR)
    builders.connector("Whisparr-with-an-unbroken-name-for-testing-wrap", "whisparr")
    for kind, cron in (
        ("gaps", "*/15 * * * *"),
        ("upgrades", "30 2 * * 1-5"),
        ("both", "0 4 1 * *"),
    ):
        SweepSchedule.objects.create(
            connector=sonarr, kind=kind, cron=cron, timezone="America/Argentina/Buenos_Aires"
        )
    SweepSchedule.objects.create(connector=radarr, kind="gaps", cron="0 */6 * * *")
    show = builders.series(sonarr, LONG_TITLE.split(" S05")[0] + " (2017) [tvdb-330203]")
    builders.episodes(show, 5, 3, title=LONG_TITLE)
    make_history(
        sonarr,
        outcome="failed",
        command_name="EpisodeSearch",
        items=[{"kind": "episode", "arr_id": n, "title": LONG_TITLE} for n in range(1, 4)],
        item_count=3,
        message=LONG_ERROR,
    )
    now = timezone.now()
    channel = make_channel("Discord #media-server-announcements (the family server)", "discord")
    for minutes, status in enumerate(("sent", "retrying", "failed", "test_failed")):
        NotificationDelivery.objects.create(
            channel=channel,
            status=status,
            title=f"3 episodes grabbed: {LONG_TITLE}",
            error="" if status == "sent" else LONG_ERROR,
            event_count=12,
            attempt=minutes + 1,
            at=now - timedelta(minutes=minutes),
        )
    return engine


def _pages(data) -> dict[str, str]:
    sonarr, radarr = data["sonarr"], data["radarr"]
    return {
        "connectors": reverse("connectors:list"),
        "connector-history": reverse("connectors:detail", args=[sonarr.pk]),
        "schedules": reverse("queueing:schedules"),
        "queue": reverse("queueing:queue"),
        "delivery-log": reverse("notifications:log"),
        "notifications": reverse("notifications:index"),
        "library-episodes": reverse("library:list") + f"?connector={sonarr.pk}&type=episodes",
        "library-series": reverse("library:list") + f"?connector={sonarr.pk}",
        "library-movies": reverse("library:list") + f"?connector={radarr.pk}",
    }


OVERFLOW = """() => {
  const out = [];
  for (const wrap of document.querySelectorAll('main .table-wrap')) {
    if (!wrap.getClientRects().length) continue;  // not shown
    const card = wrap.closest('.card') || wrap.parentElement;
    const edge = card.getBoundingClientRect();
    const name = (wrap.querySelector('table') || wrap).id || card.id
      || (card.querySelector('.card-title') || {}).textContent || 'table';
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      out.push(`${name}: scrolls ${wrap.scrollWidth} > ${wrap.clientWidth}`);
    }
    for (const el of wrap.querySelectorAll('th, td, td *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5) {
        out.push(`${name}: ${el.tagName} "${el.textContent.trim().slice(0, 40)}" `
          + `${box.left.toFixed(0)}..${box.right.toFixed(0)} outside `
          + `${edge.left.toFixed(0)}..${edge.right.toFixed(0)}`);
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    out.push(`page scrolls: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  }
  return out;
}"""

PAGES = (
    "connectors",
    "connector-history",
    "schedules",
    "queue",
    "delivery-log",
    "notifications",
    "library-episodes",
    "library-series",
    "library-movies",
)


@pytest.mark.parametrize("name", PAGES)
def test_tables_fit_their_cards_at_1024(make_page, login, crowded, screenshot, name):
    page = make_page(viewport={"width": 1024, "height": 800})
    login(page)
    response = page.goto(_pages(crowded)[name])
    assert response is not None and response.status == 200
    expect(page.locator("main .table-wrap table").first).to_be_visible()
    overflow = page.evaluate(OVERFLOW)
    screenshot(page, f"table-fit-{name}-1024")
    assert overflow == [], "\n".join(overflow[:15])

"""Every main page under the strict Content-Security-Policy (issue 9, point 9).

The pages are visited in Chromium, which enforces the policy; a violation shows
in the console ("Refused to ...") and as a securitypolicyviolation event, both
recorded here. One htmx swap, the theme toggle and a progress bar check that
the behaviour moved out of inline code still works.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from content.models import Episode, Movie
from queueing.models import RequestQueue, SweepSchedule, ThrottleProfile
from tests.browser.test_engine_pages import engine  # noqa: F401 - the populated install

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


def watch(page: Page) -> list[str]:
    seen: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return seen


def visit(page: Page, path: str, seen: list[str]) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.wait_for_load_state("load")
    events = page.evaluate("window.__csp")
    assert not events and not seen, (path, events, seen)


def main_pages(data) -> list[str]:
    sonarr, radarr = data["sonarr"], data["radarr"]
    show, episodes = data["shows"][1]
    entry = RequestQueue.objects.filter(connector=sonarr).first()
    schedule = SweepSchedule.objects.filter(connector=sonarr).first()
    profile = ThrottleProfile.objects.first()
    pages = [
        reverse("dashboard"),
        reverse("settings"),
        reverse("settings_database"),
        reverse("settings_about"),
        reverse("connectors:list"),
        reverse("connectors:add"),
        reverse("connectors:detail", args=[sonarr.pk]),
        reverse("connectors:edit", args=[sonarr.pk]),
        reverse("connectors:delete", args=[radarr.pk]),
        reverse("library:list"),
        reverse("library:list") + "?kind=movie",
        reverse("library:series", args=[show.pk]),
        reverse("library:item", args=["episode", episodes[0].pk]),
        reverse("library:item", args=["movie", Movie.objects.first().pk]),
        reverse("queueing:queue"),
        reverse("queueing:entry_detail", args=[entry.pk]),
        reverse("queueing:schedules"),
        reverse("queueing:schedule_add"),
        reverse("queueing:profiles"),
        reverse("queueing:profile_add"),
        reverse("queueing:profile_edit", args=[profile.pk]),
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:connectors_connector_change", args=[sonarr.pk]),
    ]
    if schedule is not None:
        pages.append(reverse("queueing:schedule_edit", args=[schedule.pk]))
    for model in admin.site._registry:
        opts = model._meta
        try:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        except NoReverseMatch:
            continue
    assert Episode.objects.exists()
    return pages


def test_every_main_page_runs_without_a_csp_violation(make_page, login, engine):  # noqa: F811
    page = make_page()
    seen = watch(page)
    login(page)
    for path in main_pages(engine):
        visit(page, path, seen)


def test_login_page_has_no_violation(make_page):
    page = make_page()
    seen = watch(page)
    visit(page, reverse("login"), seen)
    expect(page.locator(".auth-card")).to_be_visible()
    # The sign-in card is still laid out by app.css, no longer by an inline block.
    assert page.locator(".auth-wrap").evaluate("e => getComputedStyle(e).display") == "grid"


def test_htmx_theme_and_progress_work_under_the_policy(make_page, login, engine):  # noqa: F811
    page = make_page()
    seen = watch(page)
    login(page)
    visit(page, reverse("library:list"), seen)
    # data-pct became the bar's width through app.js.
    widths = page.locator(".progress-bar").evaluate_all(
        "bars => bars.map(b => b.style.getPropertyValue('--pct'))"
    )
    assert widths and all(w.endswith("%") for w in widths), widths
    assert "42%" in widths  # Severance: 5 of 12
    # The theme toggle (static app.js) still switches.
    before = page.evaluate("document.documentElement.getAttribute('data-theme')")
    page.locator("[data-theme-toggle]").first.click()
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") != before
    # An htmx swap (pause the queue) still works, and injects no style.
    visit(page, reverse("queueing:queue"), seen)
    page.locator("#pause-all").click()
    expect(page.locator("#global-state")).to_contain_text("Queue processing is paused")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert not page.evaluate("window.__csp") and not seen

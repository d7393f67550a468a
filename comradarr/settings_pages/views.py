"""The Database and About settings pages, and the maintenance buttons' endpoints."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from comradarr import update_check
from comradarr.settings_pages import about as about_facts
from comradarr.settings_pages.database import database_overview, maintenance_recent
from queueing.maintenance_runs import MaintenanceBusy, maintenance_active, maintenance_enqueue

MAINTENANCE_BUTTONS = {
    "vacuum": "Vacuum/analyze",
    "prune": "Prune",
}


def _maintenance_context(**extra: object) -> dict:
    runs = maintenance_recent()
    active = maintenance_active()
    return {"runs": runs, "latest": runs[0] if runs else None, "active": active, **extra}


@login_required
@require_GET
def database(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Settings",
        "tab": "database",
        "overview": database_overview(),
        **_maintenance_context(),
    }
    return render(request, "settings/database.html", context)


@login_required
@require_GET
def maintenance_status(request: HttpRequest) -> HttpResponse:
    """The maintenance card alone: htmx polls it while a run is queued or running."""
    return render(request, "settings/_maintenance.html", _maintenance_context())


@login_required
@require_POST
def maintenance_start(request: HttpRequest) -> HttpResponse:
    """Enqueue "Vacuum/analyze now" or "Prune now"; a worker runs it, never this request."""
    kind = request.POST.get("kind", "")
    if kind not in MAINTENANCE_BUTTONS:
        text, level = "Choose vacuum/analyze or prune.", messages.ERROR
    else:
        try:
            maintenance_enqueue(kind=kind)
        except MaintenanceBusy as exc:
            text, level = f"Not started: {exc}", messages.WARNING
        else:
            text, level = f"{MAINTENANCE_BUTTONS[kind]} queued.", messages.SUCCESS
    if request.htmx:
        status = 200 if level != messages.ERROR else 400
        return render(
            request, "settings/_maintenance.html", _maintenance_context(notice=text), status=status
        )
    messages.add_message(request, level, text)
    return redirect("settings_database")


@login_required
@require_POST
def update_check_now(request: HttpRequest) -> HttpResponse:
    """Enqueue one update check (a worker contacts the feed, never this request)."""
    if update_check.update_check_enqueue():
        messages.success(request, "Update check queued: this page shows the answer in a moment.")
    else:
        messages.warning(request, "The update check is off: switch it on in General first.")
    return redirect("settings_about")


@login_required
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    context = {"page_title": "Settings", "tab": "about", "facts": about_facts.about_facts()}
    return render(request, "settings/about.html", context)

"""The series page's per-season actions (POST): search now, reset, mark exhausted.

The season comes as a form field and is matched against the series' own
seasons in Python, so a wrong, negative, huge or non-numeric value gets a
message and never reaches the database as a parameter.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from comradarr.words import counted
from content.models import Series
from web import season_actions
from web.seasons import season_label

SEASON_ACTIONS = ("search", "reset", "exhaust")
#: A season number is at most a year (Whisparr's sites): longer input is not a number we know.
MAX_SEASON_CHARS = 6


def _season_number(raw: str) -> int | None:
    text = raw.strip()
    if not text or len(text) > MAX_SEASON_CHARS or not text.lstrip("-").isdigit():
        return None
    return int(text)


@login_required
@require_POST
def season_action(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series.objects.select_related("connector"), pk=pk)
    here = reverse("library:series", args=[series.pk])
    action = request.POST.get("action", "")
    raw = request.POST.get("season", "")
    if action not in SEASON_ACTIONS:
        messages.error(request, "Unknown season action.")
        return redirect(here)
    number = _season_number(raw)
    if number is None:
        messages.error(request, f"The season must be a whole number, not “{raw[:20]}”.")
        return redirect(here)
    if number not in {s.season_number for s in series.seasons.all()}:
        messages.error(request, f"{series.title} has no season {number}.")
        return redirect(here)
    back = f"{here}?season={number}#seasons"
    label = season_label(number)
    if action == "search":
        _search(request, series, number, label)
    elif action == "reset":
        moved = season_actions.season_reset(series=series, season_number=number)
        if moved:
            messages.success(
                request,
                f"Reset {counted(moved, 'episode')} of {label}: the next sweep evaluates them "
                "afresh.",
            )
        else:
            messages.info(
                request, f"Nothing to reset in {label}: no cooldown, failure or exhaustion."
            )
    else:
        moved = season_actions.season_mark_exhausted(series=series, season_number=number)
        messages.success(
            request,
            f"Marked {counted(moved, 'episode')} of {label} exhausted: not searched until reset."
            if moved
            else f"Nothing to mark in {label}: no missing or below-cutoff episode left to stop.",
        )
    return redirect(back)


def _search(request: HttpRequest, series: Series, number: int, label: str) -> None:
    result = season_actions.season_search_now(series=series, season_number=number)
    waiting = result.waiting
    if waiting is not None:
        where = format_html(
            '<a href="{}">queue entry #{}</a> ({})',
            reverse("queueing:entry_detail", args=[waiting.pk]),
            waiting.pk,
            waiting.get_status_display().lower(),
        )
    if result.searched:
        how = "as a season pack" if result.as_pack else "episode by episode"
        text = format_html(
            "Search queued for {} of {} ({}): the worker plans it now, ignoring cooldown "
            "and exhaustion; it is dispatched within the throttle.",
            counted(result.searched, "episode"),
            label,
            how,
        )
        if waiting is not None:
            text = format_html(
                "{} {} already waiting in {}.",
                text,
                counted(result.waiting_episodes, "more episode"),
                where,
            )
        messages.success(request, text)
    elif waiting is not None:
        messages.info(
            request,
            format_html(
                "Already queued: {} covers {} of {}; no second search was planned.",
                where,
                counted(result.waiting_episodes, "episode"),
                label,
            ),
        )
    else:
        messages.warning(
            request,
            f"Nothing to search in {label}: no missing or below-cutoff episode is monitored, "
            "aired and not excluded.",
        )

"""The queue page: live status (a partial htmx polls), pause/resume/clear, entry details.

Every action also works as a plain POST.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connectors.models import Connector
from queueing import control
from queueing import queue_status as queue_reads
from queueing.dispatch_estimate import estimate_entry
from queueing.entry_priority import explain_priorities
from queueing.forms import (
    EntryPriorityForm,
)
from queueing.models import RequestQueue


def _queue_response(request: HttpRequest) -> HttpResponse:
    """After a queue action: the live fragment for htmx, the page otherwise."""
    if request.htmx:
        return _live(request)
    return redirect("queueing:queue")


def _live(request: HttpRequest) -> HttpResponse:
    status = queue_reads.queue_status()
    return render(request, "queueing/_queue_live.html", {"status": status})


# --- queue ----------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = queue_reads.queue_status()
    return render(
        request,
        "queueing/queue.html",
        {
            "page_title": "Queue",
            "status": status,
            "tab": "queue",
            "tz": timezone.get_current_timezone_name(),
        },
    )


@login_required
@require_GET
def queue_status(request: HttpRequest) -> HttpResponse:
    """The live part of the queue page alone (htmx polls it)."""
    return _live(request)


def _connector_or_none(request: HttpRequest) -> Connector | HttpResponse | None:
    raw = request.POST.get("connector", "")
    if not raw:
        return None
    if not raw.isdigit():
        return HttpResponse("Unknown connector.", status=400)
    return get_object_or_404(Connector, pk=int(raw))


@login_required
@require_POST
def queue_pause(request: HttpRequest) -> HttpResponse:
    target = _connector_or_none(request)
    if isinstance(target, HttpResponse):
        return target
    control.queue_pause(connector=target)
    messages.success(
        request,
        f"Dispatch to {target.name} paused." if target else "Queue processing paused.",
    )
    return _queue_response(request)


@login_required
@require_POST
def queue_resume(request: HttpRequest) -> HttpResponse:
    target = _connector_or_none(request)
    if isinstance(target, HttpResponse):
        return target
    control.queue_resume(connector=target)
    messages.success(
        request,
        f"Dispatch to {target.name} resumed." if target else "Queue processing resumed.",
    )
    return _queue_response(request)


@login_required
@require_POST
def queue_clear(request: HttpRequest) -> HttpResponse:
    target = _connector_or_none(request)
    if isinstance(target, HttpResponse):
        return target
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Not cleared: confirm to clear the queue.")
        return _queue_response(request)
    cancelled = control.queue_clear(connector=target)
    messages.success(
        request,
        f"{cancelled} queued entr{'y' if cancelled == 1 else 'ies'} cancelled; their items "
        "go back to pending. Commands in flight finish.",
    )
    return _queue_response(request)


def _entry_context(entry: RequestQueue, form: EntryPriorityForm | None = None) -> dict:
    explain_priorities([entry])
    now = timezone.now()
    return {
        "estimate": estimate_entry(entry, now=now),
        "now": now,
        "page_title": f"Queue entry #{entry.pk}",
        "entry": entry,
        "items": queue_reads.entry_items(entry=entry),
        "payload_json": json.dumps(entry.payload, indent=1, sort_keys=True),
        "form": form or EntryPriorityForm(initial={"priority": entry.priority}),
        "tab": "queue",
    }


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RequestQueue.objects.select_related("connector", "sweep"), pk=pk)
    return render(request, "queueing/entry.html", _entry_context(entry))


@login_required
@require_POST
def entry_priority(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RequestQueue.objects.select_related("connector", "sweep"), pk=pk)
    form = EntryPriorityForm(request.POST)
    if form.is_valid():
        try:
            control.queue_entry_set_priority(entry=entry, priority=form.cleaned_data["priority"])
        except control.ControlError as exc:
            entry.refresh_from_db()
            form.add_error("priority", str(exc).capitalize() + ".")
            messages.error(request, f"Priority not changed: {exc}.")
        else:
            messages.success(request, f"Priority of entry #{entry.pk} set to {entry.priority}.")
            return redirect("queueing:entry_detail", pk=entry.pk)
    return render(request, "queueing/entry.html", _entry_context(entry, form), status=400)


@login_required
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RequestQueue, pk=pk)
    try:
        control.queue_entry_remove(entry=entry)
    except control.ControlError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, f"Entry #{pk} removed; its items go back to pending.")
    return _queue_response(request)

"""Queue, schedule and throttle profile pages.

Views parse input, call a service (queueing.control for the queue's
controls, queueing.sweep_schedules for schedules, queueing.throttle_profiles
for profiles and the global budget) or a read model (queueing.queue_status,
queueing.schedule_status, queueing.cron's preview) and render. The queue
page's live part is a partial that htmx polls; every action also works as a plain POST.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors.models import Connector
from queueing import control, cron, schedule_status, sweep_schedules
from queueing import queue_status as queue_reads
from queueing import throttle_profiles as profile_services
from queueing.forms import (
    ConnectorProfileForm,
    EntryPriorityForm,
    GlobalBudgetForm,
    SweepScheduleForm,
    ThrottleProfileForm,
)
from queueing.models import RequestQueue, SweepSchedule, ThrottleProfile

BUDGET_RULE = profile_services.BUDGET_RULE


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
    return {
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


# --- schedules ------------------------------------------------------------------------------


@login_required
@require_GET
def schedules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "queueing/schedules.html",
        {
            "page_title": "Schedules",
            "tab": "schedules",
            "builtin": schedule_status.builtin_jobs(),
            "sweeps": schedule_status.sweep_schedule_rows(),
            "has_connectors": Connector.objects.exists(),
            "tz": timezone.get_current_timezone_name(),
        },
    )


def _schedule_form_page(
    request: HttpRequest, form: SweepScheduleForm, schedule: SweepSchedule | None, status=200
) -> HttpResponse:
    # The preview validates both values before any work (they are the raw input here).
    expression = str(form["cron"].value() or "")
    tz = str(form["timezone"].value() or "UTC")
    return render(
        request,
        "queueing/schedule_form.html",
        {
            "page_title": "Edit sweep schedule" if schedule else "Add sweep schedule",
            "tab": "schedules",
            "form": form,
            "schedule": schedule,
            "preview": cron.cron_preview(cron=expression, tz=tz) if expression else None,
            "timezones": sorted(cron.known_timezones()),
        },
        status=status,
    )


def _schedule_values(form: SweepScheduleForm) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "cron": data["cron"],
        "enabled": data["enabled"],
        "throttle_profile": data["throttle_profile"],
        "item_limit": data["item_limit"],
    }


def _apply_validation_error(form: SweepScheduleForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_add(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {"cron": "0 * * * *", "timezone": timezone.get_current_timezone_name()}
        if request.GET.get("connector", "").isdigit():
            initial["connector"] = int(request.GET["connector"])
        return _schedule_form_page(request, SweepScheduleForm(initial=initial), None)
    form = SweepScheduleForm(request.POST)
    if form.is_valid():
        values = _schedule_values(form)
        try:
            sweep_schedules.sweep_schedule_create(
                connector=form.cleaned_data["connector"],
                tz=form.cleaned_data["timezone"],
                **values,
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, "Sweep schedule added.")
            return redirect("queueing:schedules")
    return _schedule_form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(SweepSchedule.objects.select_related("connector"), pk=pk)
    if request.method == "GET":
        return _schedule_form_page(request, SweepScheduleForm.for_schedule(schedule), schedule)
    form = SweepScheduleForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["connector"].pk != schedule.connector_id:
            form.add_error("connector", "A schedule stays with its connector; add a new one.")
        else:
            try:
                sweep_schedules.sweep_schedule_update(
                    schedule=schedule,
                    timezone=form.cleaned_data["timezone"],
                    **_schedule_values(form),
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, "Sweep schedule saved.")
                return redirect("queueing:schedules")
    return _schedule_form_page(request, form, schedule, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(SweepSchedule.objects.select_related("connector"), pk=pk)
    if request.method == "POST":
        sweep_schedules.sweep_schedule_delete(schedule=schedule)
        messages.success(request, f"Sweep schedule of {schedule.connector.name} deleted.")
        return redirect("queueing:schedules")
    return render(
        request,
        "queueing/schedule_delete.html",
        {"page_title": "Delete sweep schedule", "schedule": schedule, "tab": "schedules"},
    )


@login_required
@require_POST
def schedule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(SweepSchedule.objects.select_related("connector"), pk=pk)
    try:
        sweep_schedules.sweep_schedule_update(schedule=schedule, enabled=not schedule.enabled)
    except ValidationError as exc:
        messages.error(request, "Not changed: " + " ".join(exc.messages))
    if request.htmx:
        schedule_status.sweep_schedule_described(schedule)
        return render(request, "queueing/_schedule_row.html", {"schedule": schedule})
    state = "enabled" if schedule.enabled else "disabled"
    messages.success(request, f"Sweep schedule {state}.")
    return redirect("queueing:schedules")


@login_required
@require_GET
def cron_preview(request: HttpRequest) -> HttpResponse:
    """The description and next runs of the cron being typed (htmx, next to the field)."""
    # One character over each limit is enough for the preview to say "too long".
    expression = request.GET.get("cron", "")[: cron.CRON_MAX_LENGTH + 1]
    tz = request.GET.get("timezone", "UTC")[: cron.TIMEZONE_MAX_LENGTH + 1]
    preview = cron.cron_preview(cron=expression, tz=tz) if expression.strip() else None
    return render(request, "queueing/_cron_preview.html", {"preview": preview})


# --- throttle profiles ----------------------------------------------------------------------


def _profiles_context() -> dict:
    connectors = queue_reads.connector_statuses(now=timezone.now())
    return {
        "page_title": "Throttle profiles",
        "tab": "profiles",
        "profiles": list(ThrottleProfile.objects.order_by("-is_preset", "name")),
        "connectors": [
            (
                status,
                ConnectorProfileForm(
                    initial={"profile": status.throttle.profile_id},
                    prefix=f"c{status.connector.pk}",
                ),
            )
            for status in connectors
        ],
        "budget_form": GlobalBudgetForm(
            initial={"daily_budget": queue_reads.global_throttle_current().daily_budget}
        ),
        "budget_rule": BUDGET_RULE,
    }


@login_required
@require_GET
def profiles(request: HttpRequest) -> HttpResponse:
    return render(request, "queueing/profiles.html", _profiles_context())


def _profile_form_page(request, form, profile, status=200) -> HttpResponse:
    return render(
        request,
        "queueing/profile_form.html",
        {
            "page_title": f"Edit {profile.name}" if profile else "Add throttle profile",
            "tab": "profiles",
            "form": form,
            "profile": profile,
            "budget_rule": BUDGET_RULE,
        },
        status=status,
    )


def _apply_profile_error(form: ThrottleProfileForm, exc: profile_services.ProfileError) -> None:
    """Put a service refusal next to the field it names, or above the form."""
    message = str(exc)
    field = message.split(" ", 1)[0].rstrip(":")
    if message.startswith("profile name") or "named" in message:
        form.add_error("name", message[0].upper() + message[1:] + ".")
    elif field in form.fields:
        form.add_error(field, message[0].upper() + message[1:] + ".")
    else:
        form.add_error(None, message[0].upper() + message[1:] + ".")


@login_required
@require_http_methods(["GET", "POST"])
def profile_add(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = ThrottleProfileForm.initial_from(ThrottleProfile.default())
        return _profile_form_page(request, ThrottleProfileForm(initial=initial), None)
    form = ThrottleProfileForm(request.POST)
    if form.is_valid():
        try:
            profile = profile_services.throttle_profile_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                **form.limits(),
            )
        except profile_services.ProfileError as exc:
            _apply_profile_error(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” added.")
            return redirect("queueing:profiles")
    return _profile_form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(ThrottleProfile, pk=pk)
    initial = ThrottleProfileForm.initial_from(profile, name=profile.name)
    if request.method == "GET":
        form = ThrottleProfileForm(initial=initial, preset=profile.is_preset)
        return _profile_form_page(request, form, profile)
    form = ThrottleProfileForm(request.POST, initial=initial, preset=profile.is_preset)
    if form.is_valid():
        try:
            profile_services.throttle_profile_update(
                profile=profile,
                name=None if profile.is_preset else form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                **form.limits(),
            )
        except profile_services.ProfileError as exc:
            profile.refresh_from_db()
            _apply_profile_error(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” saved.")
            return redirect("queueing:profiles")
    return _profile_form_page(request, form, profile, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(ThrottleProfile, pk=pk)
    if request.method == "POST":
        try:
            profile_services.throttle_profile_delete(profile=profile)
        except profile_services.ProfileError as exc:
            messages.error(request, f"Not deleted: {exc}.")
        else:
            messages.success(request, f"Profile “{profile.name}” deleted.")
        return redirect("queueing:profiles")
    return render(
        request,
        "queueing/profile_delete.html",
        {"page_title": f"Delete {profile.name}", "profile": profile, "tab": "profiles"},
    )


@login_required
@require_POST
def profile_default(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(ThrottleProfile, pk=pk)
    profile_services.throttle_profile_make_default(profile=profile)
    messages.success(request, f"“{profile.name}” is now the default profile.")
    return redirect("queueing:profiles")


@login_required
@require_POST
def profile_assign(request: HttpRequest, connector_pk: int) -> HttpResponse:
    connector = get_object_or_404(Connector, pk=connector_pk)
    form = ConnectorProfileForm(request.POST, prefix=f"c{connector.pk}")
    if form.is_valid():
        profile = form.cleaned_data["profile"]
        profile_services.connector_throttle_assign(connector=connector, profile=profile)
        messages.success(
            request,
            f"{connector.name} now uses "
            + (f"“{profile.name}”." if profile else "the default profile."),
        )
    else:
        messages.error(
            request, f"{connector.name}: " + " ".join(form.errors.get("profile", ["invalid"]))
        )
    return redirect(reverse("queueing:profiles") + "#assign")


@login_required
@require_POST
def global_budget(request: HttpRequest) -> HttpResponse:
    form = GlobalBudgetForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["daily_budget"]
        profile_services.global_budget_set(daily_budget=value)
        messages.success(
            request,
            "Global daily budget removed."
            if value is None
            else f"Global daily budget set to {value} queries.",
        )
        return redirect(reverse("queueing:profiles") + "#budget")
    context = _profiles_context()
    context["budget_form"] = form
    return render(request, "queueing/profiles.html", context, status=400)

"""The schedules page: built-in jobs, users' sweep schedules, their form and the cron preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors.models import Connector
from queueing import cron, schedule_status, schedule_timeline, sweep_schedules
from queueing.cron_builder import Mode
from queueing.forms import (
    SweepScheduleForm,
)
from queueing.models import SweepSchedule

#: A new schedule starts as "every hour, on the hour" (the builder's hours mode).
DEFAULT_CRON = "0 * * * *"


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
            "timeline": schedule_timeline.timeline_week(),
            "has_connectors": Connector.objects.exists(),
            "tz": timezone.get_current_timezone_name(),
        },
    )


def _schedule_form_page(
    request: HttpRequest, form: SweepScheduleForm, schedule: SweepSchedule | None, status=200
) -> HttpResponse:
    # The preview validates both values before any work (they are the raw input here,
    # or the expression the builder wrote from its fields).
    written = (
        form.cleaned_data.get("cron") if form.is_bound and hasattr(form, "cleaned_data") else None
    )
    expression = str(written or form["cron"].value() or "")
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
        initial = {
            **SweepScheduleForm.builder_initial(DEFAULT_CRON),
            "timezone": timezone.get_current_timezone_name(),
        }
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
    """What the schedule being edited means: its cron, in words, and its next runs (htmx).

    Typing a custom expression sends it alone; a change in the builder sends the
    builder's fields, and the answer also rewrites the (hidden) cron field, so
    switching to "Custom" shows the expression the builder wrote.
    """
    data = request.GET.copy()
    # One character over each limit is enough for the preview to say "too long".
    data["cron"] = data.get("cron", "")[: cron.CRON_MAX_LENGTH + 1]
    data["timezone"] = data.get("timezone", "UTC")[: cron.TIMEZONE_MAX_LENGTH + 1] or "UTC"
    mode = data.get("repeat") or Mode.CUSTOM
    if mode == Mode.CUSTOM and not data["cron"].strip():
        return render(request, "queueing/_cron_preview.html", {"preview": None})
    form = SweepScheduleForm(data)
    form.is_valid()
    problems = [e for name in SweepScheduleForm.BUILDER_FIELDS for e in form.errors.get(name, [])]
    problems += form.non_field_errors()
    written = form.cleaned_data.get("cron") if not problems else None
    if written:
        preview = cron.cron_preview(cron=written, tz=form.cleaned_data["timezone"])
    else:
        preview = cron.CronPreview(ok=False, error=" ".join(problems))
    context = {"preview": preview, "written": written, "builder": mode != Mode.CUSTOM}
    return render(request, "queueing/_cron_preview.html", context)

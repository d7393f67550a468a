"""Settings > Notifications: the switch, channels, their templates and the delivery log.

Views parse input, call a service or a form's save, and render. Nothing here
sends, except the "Send test" button (services.channel_test, short timeout).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from comradarr.accounts import runtime
from notifications import catalog, kinds, services
from notifications.forms import (
    ChannelForm,
    LogFilterForm,
    NotificationSettingsForm,
    PreviewForm,
    TemplatesForm,
)
from notifications.models import (
    NotificationBatch,
    NotificationChannel,
    NotificationDelivery,
    NotificationSettings,
)
from notifications.templating import SAMPLE_CONTEXT, template_render

LOG_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    row = NotificationSettings.load()
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None, instance=row
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        state = "muted" if form.instance.muted else "on"
        messages.success(request, f"Notification settings saved; notifications are {state}.")
        return redirect("notifications:index")
    channels = NotificationChannel.objects.annotate(
        failed_batches=Count("batches", filter=Q(batches__status=NotificationBatch.Status.FAILED))
    ).order_by("name")
    context = {
        "page_title": "Settings",
        "tab": "notifications",
        "form": form,
        "channels": channels,
        "public_url": runtime.public_url(),
    }
    return render(request, "settings/notifications.html", context)


def _channel_form(request: HttpRequest, *, kind: str, channel: NotificationChannel | None):
    instance = channel or NotificationChannel(kind=kind)
    form = ChannelForm(
        request.POST if request.method == "POST" else None, instance=instance, kind=kind
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        verb = "saved" if channel else "added"
        messages.success(request, f"Channel “{saved.name}” {verb}. Use Send test to check it.")
        return redirect("notifications:index")
    context = {
        "page_title": "Settings",
        "tab": "notifications",
        "form": form,
        "spec": form.spec,
        "channel": channel,
    }
    return render(request, "settings/notification_channel_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def channel_add(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in kinds.BY_KEY:
        context = {"page_title": "Settings", "tab": "notifications", "kinds": kinds.KINDS}
        return render(request, "settings/notification_kind_picker.html", context)
    return _channel_form(request, kind=kind, channel=None)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(NotificationChannel, pk=pk)
    if channel.kind not in kinds.BY_KEY:
        messages.error(request, f"Channel “{channel.name}” has an unknown kind {channel.kind!r}.")
        return redirect("notifications:index")
    return _channel_form(request, kind=channel.kind, channel=channel)


@login_required
@require_http_methods(["GET", "POST"])
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(NotificationChannel, pk=pk)
    if request.method == "POST":
        name = channel.name
        channel.delete()
        messages.success(request, f"Channel “{name}” deleted.")
        return redirect("notifications:index")
    context = {"page_title": "Settings", "tab": "notifications", "channel": channel}
    return render(request, "settings/notification_channel_delete.html", context)


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(NotificationChannel, pk=pk)
    result = services.channel_test(channel=channel)
    if request.htmx:
        return render(
            request,
            "settings/_notification_test_result.html",
            {"result": result, "channel": channel},
        )
    if result.ok:
        messages.success(request, f"Test sent to “{channel.name}”: {result.detail}")
    else:
        messages.error(request, f"Test to “{channel.name}” failed: {result.detail}")
    return redirect("notifications:index")


@login_required
@require_http_methods(["GET", "POST"])
def channel_templates(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(NotificationChannel, pk=pk)
    form = TemplatesForm(request.POST if request.method == "POST" else None, channel=channel)
    if request.method == "POST" and form.is_valid():
        channel.templates = form.templates()
        channel.save(update_fields=["templates", "updated_at"])
        messages.success(request, f"Templates of “{channel.name}” saved.")
        return redirect("notifications:templates", pk=channel.pk)
    context = {
        "page_title": "Settings",
        "tab": "notifications",
        "form": form,
        "channel": channel,
        "placeholders": catalog.PLACEHOLDERS,
    }
    return render(request, "settings/notification_templates.html", context)


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    # The editor sends the textarea under its own name (the event type); scripts may say "template".
    event_type = request.POST.get("event_type", "")
    template = request.POST.get("template") or request.POST.get(event_type, "")
    form = PreviewForm({"event_type": event_type, "template": template})
    if form.is_valid():
        event_type = form.cleaned_data["event_type"]
        template = form.cleaned_data["template"] or catalog.BY_KEY[event_type].template
        context = {**SAMPLE_CONTEXT, "event_type": catalog.label(event_type)}
        return render(
            request,
            "settings/_notification_preview.html",
            {"preview": template_render(template, context)},
        )
    errors = [e for errs in form.errors.values() for e in errs]
    return render(request, "settings/_notification_preview.html", {"errors": errors})


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    rows = (
        NotificationDelivery.objects.select_related("channel")
        .defer("channel__secret_data")
        .order_by("-at", "-id")
    )
    if form.is_valid():
        if form.cleaned_data["channel"]:
            rows = rows.filter(channel=form.cleaned_data["channel"])
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["event_type"]:
            rows = rows.filter(event_types__contains=[form.cleaned_data["event_type"]])
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page_title": "Settings",
        "tab": "notification_log",
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "settings/notification_log.html", context)

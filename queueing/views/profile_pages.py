"""The throttle profiles page: profiles, their assignment to connectors, the global budget."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors.models import Connector
from queueing import queue_status as queue_reads
from queueing import throttle_profiles as profile_services
from queueing.forms import (
    ConnectorProfileForm,
    GlobalBudgetForm,
    ThrottleProfileForm,
)
from queueing.models import ThrottleProfile

BUDGET_RULE = profile_services.BUDGET_RULE


def _profiles_context() -> dict:
    connectors = queue_reads.connector_statuses(now=timezone.now(), with_backlog=False)
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

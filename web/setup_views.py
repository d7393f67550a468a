"""The first-run wizard's pages (web.setup_wizard decides the step; these parse and render).

Each step is a page of its own and a plain POST; a step ahead of the current
one redirects back to it, so a bookmarked or typed URL cannot skip a step.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connectors.forms import ConnectorForm
from connectors.views import form_create, form_test_response
from queueing.cron import cron_describe
from queueing.models import ThrottleProfile
from web import setup_wizard as wizard_service
from web.models import SetupWizard
from web.setup_forms import PaceForm, ScheduleStepForm

_STEP_URLS = {1: "setup:connector", 2: "setup:pace", 3: "setup:schedules", 4: "setup:sync"}


def _context(wizard: SetupWizard, step: int, **extra) -> dict:
    return {
        "page_title": "Set up Comradarr",
        "steps": wizard_service.STEPS,
        "step": step,
        "reached": wizard_service.current_step(wizard),
        **extra,
    }


def _go_to_current(wizard: SetupWizard) -> HttpResponse:
    step = wizard_service.current_step(wizard)
    if step == wizard_service.FINISHED:
        return redirect("dashboard")
    return redirect(_STEP_URLS[step])


def _ahead(wizard: SetupWizard, step: int) -> bool:
    return step > wizard_service.current_step(wizard)


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: the wizard while it applies, else the dashboard."""
    wizard = SetupWizard.load()
    if wizard_service.lands_on_wizard(wizard):
        return _go_to_current(wizard)
    return redirect("dashboard")


@login_required
@require_GET
def resume(request: HttpRequest) -> HttpResponse:
    return _go_to_current(SetupWizard.load())


@login_required
@require_POST
def skip(request: HttpRequest) -> HttpResponse:
    wizard_service.wizard_skip()
    messages.info(request, "Setup skipped. Add a connector from Connectors whenever you like.")
    return redirect("dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def connector(request: HttpRequest) -> HttpResponse:
    """Step 1: the connector form and its connection test, from connectors."""
    wizard = SetupWizard.load()
    if wizard_service.current_step(wizard) != 1:
        return _go_to_current(wizard)
    context = _context(wizard, 1, mode="setup")
    if request.method == "GET":
        form = ConnectorForm(initial={"kind": request.GET.get("kind", "sonarr")})
        return render(request, "setup/connector.html", {**context, "form": form})
    form = ConnectorForm(request.POST)
    if request.POST.get("action") == "test":
        return form_test_response(request, form, "setup/connector.html", context)
    if form.is_valid() and (added := form_create(form)) is not None:
        wizard_service.connector_added(wizard, added, sync_now=form.cleaned_data["sync_now"])
        messages.success(request, f"Connector “{added.name}” added.")
        return redirect("setup:pace")
    return render(request, "setup/connector.html", {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def pace(request: HttpRequest) -> HttpResponse:
    """Step 2: a throttle profile, each with how long the backlog takes at its pace."""
    wizard = SetupWizard.load()
    target = wizard_service.wizard_connector(wizard)
    if target is None or _ahead(wizard, 2):
        return _go_to_current(wizard)
    if request.method == "POST":
        form = PaceForm(request.POST)
        if form.is_valid():
            wizard_service.pace_choose(target, form.cleaned_data["profile"])
            return redirect("setup:schedules")
        status = 400
    else:
        assigned = wizard_service.assigned_profile(target)
        form = PaceForm(initial={"profile": assigned or ThrottleProfile.default()})
        status = 200
    choices = wizard_service.pace_choices(target)
    context = _context(
        wizard,
        2,
        form=form,
        connector=target,
        choices=choices,
        selected=str(form["profile"].value() or ""),
        example_gaps=wizard_service.EXAMPLE_GAPS,
    )
    return render(request, "setup/pace.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def schedules(request: HttpRequest) -> HttpResponse:
    """Step 3: the default sweep schedules, pre-filled, with the queueing form's rules."""
    wizard = SetupWizard.load()
    target = wizard_service.wizard_connector(wizard)
    if target is None or _ahead(wizard, 3):
        return _go_to_current(wizard)
    data = request.POST if request.method == "POST" else None
    rows = [
        (kind, ScheduleStepForm.for_kind(kind, schedule, default_cron, data), default_cron)
        for kind, schedule, default_cron in wizard_service.schedule_rows(target)
    ]
    status = 200
    if data is not None:
        if all(form.is_valid() for _kind, form, _cron in rows):
            try:
                wizard_service.schedules_confirm(
                    wizard, target, {kind: form.cleaned_data for kind, form, _cron in rows}
                )
            except ValidationError as exc:
                _spread(exc, rows)
            else:
                return redirect("setup:sync")
        status = 400
    forms = [
        {"kind": kind, "form": form, "default": default, "default_text": cron_describe(default)}
        for kind, form, default in rows
    ]
    context = _context(wizard, 3, connector=target, forms=forms)
    return render(request, "setup/schedules.html", context, status=status)


def _spread(error: ValidationError, rows) -> None:
    """A refusal from the service (a rule the forms do not know) shown on every form."""
    for _kind, form, _cron in rows:
        for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)


@login_required
@require_http_methods(["GET", "POST"])
def sync(request: HttpRequest) -> HttpResponse:
    """Step 4: start the first sync (unless "Sync now" already did) and watch it."""
    wizard = SetupWizard.load()
    target = wizard_service.wizard_connector(wizard)
    if target is None or _ahead(wizard, 4):
        return _go_to_current(wizard)
    if request.method == "POST":
        if request.POST.get("action") == "finish":
            wizard_service.wizard_finish(wizard)
            messages.success(request, "Setup finished. Comradarr takes it from here.")
            return redirect("dashboard")
        wizard_service.first_sync_start(wizard, target)
        return redirect("setup:sync")
    context = _context(wizard, 4, **_progress_context(wizard, target))
    return render(request, "setup/sync.html", context)


def _progress_context(wizard: SetupWizard, target) -> dict:
    progress = wizard_service.sync_progress(wizard, target)
    context = {"connector": target, "progress": progress}
    if progress.state == "queued":
        context["queued_message"] = "First sync queued: it starts as soon as a worker is free."
    return context


@login_required
@require_GET
def sync_progress(request: HttpRequest) -> HttpResponse:
    """The progress fragment step 4 polls until the first sync has finished."""
    wizard = SetupWizard.load()
    target = wizard_service.wizard_connector(wizard)
    if target is None:
        return _go_to_current(wizard)
    # The sync card comes along out of band: its own polling stops while the sync is queued.
    context = {**_progress_context(wizard, target), "oob": True}
    return render(request, "setup/_sync_progress.html", context)

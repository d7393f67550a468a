"""Connector pages: list, add, detail, edit, delete, and the test/toggle actions.

Views parse input, call connectors.services or connectors.health, and render.
The only *arr call inside a request is a connection test, capped at
health.INTERACTIVE_TIMEOUT_SECONDS. htmx requests get the fragment they
target alone; without JavaScript every action still works as a plain POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from comradarr.redirects import next_url
from connectors import health, panels, services
from connectors.common.capabilities import capabilities_for
from connectors.forms import ConnectorForm
from connectors.models import Connector

HISTORY_ROWS = 50
# Fields a connection test needs; the others (name, save_disabled) may still be wrong.
_TEST_FIELDS = ("kind", "url", "api_key", "timeout_seconds")


@login_required
def connector_list(request: HttpRequest) -> HttpResponse:
    connectors = list(Connector.objects.all())
    panels.attach_list_cells(connectors)
    return render(
        request,
        "connectors/list.html",
        {"connectors": connectors, "page_title": "Connectors"},
    )


def _run_form_test(form: ConnectorForm) -> health.ProbeResult | None:
    """Test the connection the form describes, if its connection fields are valid."""
    form.is_valid()
    if any(name in form.errors for name in _TEST_FIELDS):
        return None
    data = form.cleaned_data
    api_key = form.effective_api_key()
    if not api_key:
        form.add_error("api_key", "Enter the API key to test the connection.")
        return None
    return services.connector_test(
        kind=data["kind"],
        url=data["url"],
        api_key=api_key,
        verify_ssl=data.get("verify_ssl", False),
        timeout_seconds=data["timeout_seconds"],
    )


def form_test_response(
    request: HttpRequest, form: ConnectorForm, template: str, context: dict
) -> HttpResponse:
    """The "Test connection" answer of a connector form (also the setup wizard's step 1).

    htmx gets the result fragment alone; a plain POST gets ``template`` again.
    """
    result = _run_form_test(form)
    if result is not None and result.error_field in form.fields:
        form.add_error(result.error_field, result.error)
    context = {
        **context,
        "form": form,
        "result": result,
        "tested": True,
        "oob_fields": [form[name] for name in _TEST_FIELDS],
    }
    if request.htmx:
        return render(request, "connectors/_test_result.html", context)
    return render(request, template, context)


def _save_failed_notice(form: ConnectorForm) -> None:
    if not form.cleaned_data.get("save_disabled"):
        form.add_error(
            None,
            "Not saved: the connection test failed. Fix the fields marked below, "
            "or tick “Save disabled” to keep it switched off for now.",
        )


def form_create(form: ConnectorForm) -> Connector | None:
    """Save the connector a valid add form describes (also the setup wizard's step 1).

    None when the service refused it: the reasons are then on the form's fields.
    """
    data = form.cleaned_data
    try:
        return services.connector_create(
            kind=data["kind"],
            name=data["name"],
            url=data["url"],
            api_key=data["api_key"],
            verify_ssl=data["verify_ssl"],
            timeout_seconds=data["timeout_seconds"],
            enabled=not data["save_disabled"],
            sync_now=data["sync_now"],
        )
    except services.ConnectorError as err:
        form.apply_service_errors(err)
        _save_failed_notice(form)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def connector_add(request: HttpRequest) -> HttpResponse:
    context = {"page_title": "Add connector", "mode": "add"}
    if request.method == "GET":
        form = ConnectorForm(initial={"kind": request.GET.get("kind", "sonarr")})
        return render(request, "connectors/form.html", {**context, "form": form})
    form = ConnectorForm(request.POST)
    if request.POST.get("action") == "test":
        return form_test_response(request, form, "connectors/form.html", context)
    if form.is_valid() and (connector := form_create(form)) is not None:
        messages.success(request, f"Connector “{connector.name}” added.")
        return redirect("connectors:detail", pk=connector.pk)
    return render(request, "connectors/form.html", {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def connector_edit(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(Connector, pk=pk)
    context = {"page_title": f"Edit {connector.name}", "mode": "edit", "connector": connector}
    if request.method == "GET":
        form = ConnectorForm(instance=connector)
        return render(request, "connectors/form.html", {**context, "form": form})
    form = ConnectorForm(request.POST, instance=connector)
    if request.POST.get("action") == "test":
        return form_test_response(request, form, "connectors/form.html", context)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.connector_update(
                connector=connector,
                kind=data["kind"],
                name=data["name"],
                url=data["url"],
                api_key=data["api_key"] or None,
                verify_ssl=data["verify_ssl"],
                timeout_seconds=data["timeout_seconds"],
                enabled=not data["save_disabled"],
            )
        except services.ConnectorError as err:
            connector.refresh_from_db()
            form.apply_service_errors(err)
            _save_failed_notice(form)
        else:
            messages.success(request, f"Connector “{connector.name}” saved.")
            return redirect("connectors:detail", pk=connector.pk)
    return render(request, "connectors/form.html", {**context, "form": form})


@login_required
def connector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(Connector, pk=pk)
    capabilities = (
        capabilities_for(connector.kind, connector.app_version) if connector.app_version else None
    )
    checks = list(connector.health_checks.all()[:HISTORY_ROWS])
    return render(
        request,
        "connectors/detail.html",
        {
            "page_title": connector.name,
            "connector": connector,
            "capabilities": capabilities,
            "checks": checks,
            "latest": checks[0] if checks else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def connector_delete(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(Connector, pk=pk)
    if request.method == "POST":
        name = connector.name
        services.connector_delete(connector=connector)
        messages.success(request, f"Connector “{name}” deleted with its mirror and search state.")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("connectors:list")
            return response
        return redirect("connectors:list")
    return render(
        request,
        "connectors/delete.html",
        {
            "page_title": f"Delete {connector.name}",
            "connector": connector,
            "removed": services.connector_delete_summary(connector=connector),
        },
    )


@login_required
@require_POST
def connector_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a saved connector now (records the result in its health history)."""
    connector = get_object_or_404(Connector, pk=pk)
    result = health.check_connector(
        connector, timeout=min(connector.timeout_seconds, health.INTERACTIVE_TIMEOUT_SECONDS)
    )
    if result.ok:
        messages.success(
            request,
            f"{connector.name}: {result.app_name} {result.version} answered, "
            f"{connector.get_health_status_display().lower()}.",
        )
    else:
        messages.error(request, f"{connector.name}: {result.error}")
    if request.htmx:
        panels.attach_list_cells([connector])
        return render(request, "connectors/_row_checked.html", {"connector": connector})
    return redirect(next_url(request, reverse("connectors:detail", args=[connector.pk])))


@login_required
@require_POST
def connector_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(Connector, pk=pk)
    services.connector_set_enabled(connector=connector, enabled=not connector.enabled)
    if request.htmx:
        panels.attach_list_cells([connector])
        return render(request, "connectors/_row.html", {"connector": connector})
    state = "enabled" if connector.enabled else "disabled"
    messages.success(request, f"Connector “{connector.name}” {state}.")
    return redirect(next_url(request, reverse("connectors:list")))

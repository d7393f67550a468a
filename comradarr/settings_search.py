"""Settings > Search behaviour: the priority weights with a live ranking example, and the
search settings of each connector (the forms and rules are searchstate's).

A shell page (comradarr sits outside the app ranking), so it may name the connectors'
pages and the other settings tabs; everything it decides is searchstate's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from connectors.models import Connector
from searchstate import tuning
from searchstate.models import PriorityWeights, SearchSettings
from searchstate.ranking_preview import ranking_preview
from searchstate.settings_forms import PriorityWeightsForm, SearchSettingsForm


def _weights_row() -> PriorityWeights:
    return PriorityWeights.objects.filter(pk=1).first() or PriorityWeights(pk=1)


def _connector_from(raw: str | None, connectors: list[Connector]) -> Connector | None:
    by_pk = {str(c.pk): c for c in connectors}
    if raw is not None:
        return by_pk.get(raw.strip())
    return connectors[0] if connectors else None


def _page(
    request: HttpRequest,
    *,
    weights_form: PriorityWeightsForm | None = None,
    connector: Connector | None = None,
    settings_form: SearchSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # An indexer manager (Prowlarr) is never searched, so it has no search settings.
    connectors = [c for c in Connector.objects.order_by("name", "pk") if c.is_library]
    if connector is None:
        connector = _connector_from(request.GET.get("connector"), connectors)
        if connector is None and request.GET.get("connector") is not None:
            raise Http404("No such connector.")
    weights_form = weights_form or PriorityWeightsForm(instance=_weights_row())
    if connector is not None and settings_form is None:
        settings_form = SearchSettingsForm(instance=SearchSettings.for_connector(connector))
    context = {
        "page_title": "Search behaviour",
        "tab": "search",
        "weights_form": weights_form,
        "preview": None
        if weights_form.errors
        else ranking_preview(weights_form.instance.as_weights(), now=timezone.now()),
        "connectors": connectors,
        "connector": connector,
        "settings_form": settings_form,
        "packs_possible": connector is not None and connector.capabilities.season_packs,
    }
    return render(request, "settings/search.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def search_settings(request: HttpRequest) -> HttpResponse:
    """The page; a POST saves the priority weights."""
    if request.method != "POST":
        return _page(request)
    form = PriorityWeightsForm(request.POST, instance=_weights_row())
    if not form.is_valid():
        return _page(request, weights_form=form)
    tuning.weights_update(values={name: form.cleaned_data[name] for name in form.Meta.fields})
    messages.success(request, "Priority weights saved. The next sweep ranks with them.")
    return redirect(reverse("settings_search") + "#weights")


@login_required
@require_POST
def connector_search_settings(request: HttpRequest, pk: int) -> HttpResponse:
    connector = Connector.objects.filter(pk=pk).first()
    if connector is None or not connector.is_library:
        raise Http404("No such connector.")
    form = SearchSettingsForm(request.POST, instance=SearchSettings.for_connector(connector))
    if not form.is_valid():
        return _page(request, connector=connector, settings_form=form)
    tuning.search_settings_update(
        connector=connector, values={name: form.cleaned_data[name] for name in form.Meta.fields}
    )
    messages.success(request, f"Search settings of {connector.name} saved.")
    return redirect(f"{reverse('settings_search')}?connector={connector.pk}#connector-settings")


@login_required
@require_POST
def ranking_preview_partial(request: HttpRequest) -> HttpResponse:
    """The ranking example under the weights being edited (htmx, on every change)."""
    form = PriorityWeightsForm(request.POST, instance=_weights_row())
    context = {"preview": None, "weights_form": form}
    if form.is_valid():
        # The unsaved instance carries the edited values; nothing is written.
        context["preview"] = ranking_preview(form.instance.as_weights(), now=timezone.now())
    return render(request, "settings/_ranking_preview.html", context)

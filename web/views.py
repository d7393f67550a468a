"""The library browser: a connector's mirrored series or movies, one series, one item.

Views parse input, call web.library (reads), searchstate.services (writes) or
web.search_now, and render. Lists are keyset-paginated (web.library) so their
cost does not grow with the library. htmx requests for the list get the
results fragment alone (search as you type).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from connectors.models import Connector
from content.models import Episode, Movie, QualityProfile, Series
from queueing.models import RequestQueue
from searchstate import services as search_services
from searchstate.forms import PriorityForm
from searchstate.models import Exclusion, PriorityOverride, SearchHistory, SearchRegistry
from searchstate.reasons import Reason
from searchstate.why import why
from web import browse, browse_query, library, library_view
from web.models import BulkAction
from web.search_now import enqueue_search_now
from web.seasons import season_order, season_table


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    connectors = list(Connector.objects.libraries().order_by("name"))
    context: dict = {"page_title": "Content", "connectors": connectors}
    if not connectors:
        return render(request, "library/list.html", context)
    wanted = _int_or_none(request.GET.get("connector"))
    connector = next((c for c in connectors if c.pk == wanted), connectors[0])
    series_shape = connector.shape.is_series
    profiles = list(QualityProfile.objects.filter(connector=connector).order_by("name"))
    query = browse_query.parse(
        request.GET,
        series_shape=series_shape,
        profile_ids={p.arr_id for p in profiles},
        sort_types=browse.sort_types(
            browse.model_for(browse_query.EPISODES if series_shape else browse_query.MOVIES)
        ),
    )
    if wanted is not None and wanted != connector.pk:
        query.notices.insert(0, "Unknown connector: showing the first.")
    context.update(
        connector=connector,
        filter=query.filter,
        filters=library.Filter.CHOICES,
        query=query.query,
        browse=query,
        profiles=profiles,
        states=browse_query.STATE_CHOICES,
        reasons=browse_query.REASON_CHOICES,
        monitored_choices=browse_query.MONITORED,
        sorts=browse_query.sort_headers(query),
        series_shape=series_shape,
        shape=connector.shape,
        view=library_view.current_view(request),
        view_in_url=request.GET.get("view") in library_view.VIEWS,
    )
    if query.kind == browse_query.SERIES:
        context["page"] = library.series_page(
            connector=connector,
            filter_=query.filter,
            query=query.query,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    else:
        context["page"] = browse.item_page(connector=connector, query=query)
        context["bulk_params"] = browse_query.filter_params(query)
        context["bulk_actions"] = BulkAction.choices
        context["count_query"] = urlencode({"connector": connector.pk, **context["bulk_params"]})
    if request.htmx and request.htmx.target == "browse-results":
        return render(request, "library/_results.html", context)
    return render(request, "library/list.html", context)


@login_required
@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series.objects.select_related("connector"), pk=pk)
    filter_ = library.clean_filter(request.GET.get("filter"))
    season = library.series_season(
        series=series, season_number=_int_or_none(request.GET.get("season")), filter_=filter_
    )
    seasons = sorted(series.seasons.all(), key=lambda s: season_order(s.season_number))
    return render(
        request,
        "library/series.html",
        {
            "page_title": series.title,
            "series": series,
            "connector": series.connector,
            "seasons": seasons,
            "season_table": season_table(series, seasons),
            "season": season,
            "episode_rows": browse.with_status(season.episodes, Episode) if season else [],
            "filter": filter_,
            "filters": library.Filter.CHOICES,
            "excluded": Exclusion.objects.filter(series=series).exists(),
            "priority": PriorityOverride.of(series),
            "priority_form": PriorityForm(initial={"priority": PriorityOverride.of(series)}),
        },
    )


def _item_or_404(kind: str, pk: int) -> Episode | Movie:
    item = library.item_get(kind=kind, pk=pk)
    if item is None:
        raise Http404("No such item in the mirror.")
    return item


_WHY_TONES = {
    Reason.SELECTED: "why-selected",
    Reason.HAS_FILE: "why-done",
    Reason.CUTOFF_MET: "why-done",
}


def _item_context(item: Episode | Movie, priority_form: PriorityForm | None = None) -> dict:
    kind = library.item_kind(item)
    field = {kind: item}
    registry = list(SearchRegistry.objects.filter(**field).order_by("search_type"))
    exclusion = Exclusion.objects.filter(**field).first()
    series_excluded = (
        isinstance(item, Episode) and Exclusion.objects.filter(series_id=item.series_id).exists()
    )
    history = list(
        SearchHistory.objects.filter(
            connector_id=item.connector_id, items__contains=[{"arr_id": item.arr_id}]
        )[: library.HISTORY_ROWS]
    )
    for h in history:  # this item's own outcome, beside its batch's
        h.this_item = h.item_outcome(item.arr_id)
    entry_ids = [
        pk
        for pk in SearchRegistry.objects.filter(**field)
        .exclude(queue_links__isnull=True)
        .values_list("queue_links__entry_id", flat=True)
    ]
    # The download queue is an *arr call: never inside a request. Sweeps check it.
    report = why(item, downloading=frozenset())
    own_priority = PriorityOverride.of(item)
    return {
        "page_title": report.label,
        "now": timezone.now(),
        "item": item,
        "kind": kind,
        "connector": item.connector,
        "report": report,
        "why_tone": _WHY_TONES.get(report.reason, "why-blocked"),
        "registry": registry,
        "exclusion": exclusion,
        "series_excluded": series_excluded,
        "history": history,
        "entry_ids": entry_ids,
        "priority_form": priority_form or PriorityForm(initial={"priority": own_priority}),
        "inherited_priority": (
            PriorityOverride.of(item.series)
            if isinstance(item, Episode) and own_priority is None
            else None
        ),
    }


@login_required
@require_GET
def item_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = _item_or_404(kind, pk)
    return render(request, "library/item.html", _item_context(item))


def _live_entry(item: Episode | Movie) -> RequestQueue | None:
    """The live queue entry that already covers ``item`` (queued or being searched), if any."""
    field = library.item_kind(item)
    return (
        RequestQueue.objects.live()
        .filter(links__registry__in=SearchRegistry.objects.filter(**{field: item}))
        .order_by("scheduled_at", "pk")
        .first()
    )


ITEM_ACTIONS = ("search", "exclude", "include", "reset", "exhaust", "priority")


@login_required
@require_POST
def item_action(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Search now, exclude or include, reset, mark exhausted, or set the priority override."""
    item = _item_or_404(kind, pk)
    action = request.POST.get("action", "")
    here = reverse("library:item", args=[kind, item.pk])
    if action not in ITEM_ACTIONS:
        messages.error(request, "Unknown action.")
        return redirect(here)
    if action == "priority":
        form = PriorityForm(request.POST)
        if not form.is_valid():
            context = _item_context(item, priority_form=form)
            return render(request, "library/item.html", context, status=400)
        search_services.item_set_priority(target=item, priority=form.cleaned_data["priority"])
        value = form.cleaned_data["priority"]
        messages.success(
            request, "Priority override cleared." if value is None else f"Priority set to {value}."
        )
    elif action == "search":
        waiting = _live_entry(item)
        if waiting is not None:
            entry_url = reverse("queueing:entry_detail", args=[waiting.pk])
            messages.info(
                request,
                format_html(
                    'Already queued: <a href="{}">queue entry #{}</a> ({}) covers it; '
                    "no second search was planned.",
                    entry_url,
                    waiting.pk,
                    waiting.get_status_display().lower(),
                ),
            )
            return redirect(here)
        enqueue_search_now(connector_id=item.connector_id, item_ids=[item.pk])
        messages.success(
            request,
            "Search queued: the worker plans it now, ignoring cooldown and exhaustion; "
            "it is dispatched within the throttle.",
        )
    elif action == "exclude":
        search_services.item_exclude(target=item, note=request.POST.get("note", "")[:200])
        messages.success(request, "Excluded: Comradarr will not search it.")
    elif action == "include":
        search_services.item_include(target=item)
        messages.success(request, "Included again.")
    elif action == "reset":
        moved = search_services.registry_reset(items=[item])
        messages.success(
            request,
            "Search state cleared: the next sweep evaluates it afresh."
            if moved
            else "Nothing to clear (no cooldown, failure or exhaustion recorded).",
        )
    elif action == "exhaust":
        search_services.registry_mark_exhausted(connector=item.connector, items=[item])
        messages.success(request, "Marked exhausted: not searched until reset.")
    return redirect(here)


SERIES_ACTIONS = ("exclude", "include", "priority")


@login_required
@require_POST
def series_action(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=pk)
    action = request.POST.get("action", "")
    here = reverse("library:series", args=[series.pk])
    if action == "priority":
        form = PriorityForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Priority: " + " ".join(form.errors.get("priority", [])))
            return redirect(here)
        search_services.item_set_priority(target=series, priority=form.cleaned_data["priority"])
        messages.success(request, "Series priority saved; its episodes inherit it.")
    elif action == "exclude":
        search_services.item_exclude(target=series)
        messages.success(request, "Series excluded: none of its episodes will be searched.")
    elif action == "include":
        search_services.item_include(target=series)
        messages.success(request, "Series included again.")
    else:
        messages.error(request, "Unknown action.")
    return redirect(here)

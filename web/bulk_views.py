"""The content browser's bulk actions: apply, confirm, progress, and the matching count.

Thin views over web.bulk: they check what the form sent (the connector, the
action, the ids, which must belong to that connector, the priority), then
change a small selection at once or start the one background run of a large
one after a confirmation.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connectors.models import Connector
from content.models import QualityProfile
from searchstate.forms import PriorityForm
from web import browse, browse_query, bulk
from web.models import BulkAction, BulkRun

#: A forged form cannot make the request load more than this many ids.
MAX_SELECTED = 500


def _connector(raw: str | None) -> Connector | None:
    try:
        pk = int(raw or "")
    except ValueError:
        return None
    return Connector.objects.libraries().filter(pk=pk).first()


def _query(data: QueryDict, connector: Connector) -> browse_query.BrowseQuery:
    profiles = set(
        QualityProfile.objects.filter(connector=connector).values_list("arr_id", flat=True)
    )
    return browse_query.parse(
        data, series_shape=connector.shape.is_series, profile_ids=profiles, sort_types={}
    )


def list_url(connector: Connector, query: browse_query.BrowseQuery) -> str:
    params = {"connector": connector.pk, **browse_query.filter_params(query)}
    return reverse("library:list") + "?" + urlencode(params)


def _ids(data: QueryDict) -> tuple[list[int], int]:
    """The selected ids that are whole numbers, and how many values were not."""
    ids, junk = [], 0
    for raw in data.getlist("ids")[: MAX_SELECTED + 1]:
        try:
            ids.append(int(raw))
        except ValueError:
            junk += 1
    return ids, junk


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    connector = _connector(request.POST.get("connector"))
    if connector is None:
        messages.error(request, "Bulk action: unknown connector; nothing changed.")
        return redirect("library:list")
    query = _query(request.POST, connector)
    back = list_url(connector, query)
    if query.kind == browse_query.SERIES:
        messages.error(request, "Bulk actions apply to episodes or movies; nothing changed.")
        return redirect(back)
    action = request.POST.get("action", "")
    if action not in BulkAction.values:
        messages.error(request, "Bulk action: choose an action; nothing changed.")
        return redirect(back)
    priority = None
    if action == BulkAction.PRIORITY:
        form = PriorityForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Priority: " + " ".join(form.errors.get("priority", [])))
            return redirect(back)
        priority = form.cleaned_data["priority"]
    label = BulkAction(action).label
    noun = "movies" if query.kind == browse_query.MOVIES else "episodes"
    if request.POST.get("scope") == "matching":
        total = browse.filtered(connector, query, now=timezone.now()).count()
        if not total:
            messages.error(request, "Nothing matches this filter; nothing changed.")
            return redirect(back)
        if total > bulk.INLINE_LIMIT:
            if request.POST.get("confirm") != "yes":
                return render(
                    request,
                    "library/bulk_confirm.html",
                    {
                        "page_title": "Confirm bulk action",
                        "connector": connector,
                        "action": action,
                        "action_label": label,
                        "priority": priority,
                        "total": total,
                        "noun": noun,
                        "params": browse_query.filter_params(query),
                        "back": back,
                    },
                )
            run = bulk.start(
                connector=connector, action=action, query=query, priority=priority, total=total
            )
            return redirect("library:bulk_run", pk=run.pk)
        items = bulk.items_of(
            connector, query.kind, browse.matching_ids(connector, query, limit=total)
        )
    else:
        ids, junk = _ids(request.POST)
        if len(ids) > MAX_SELECTED:
            messages.error(
                request, "Too many rows selected; use “all matching this filter” instead."
            )
            return redirect(back)
        items = bulk.items_of(connector, query.kind, ids)
        skipped = len(set(ids)) - len(items) + junk
        if not items:
            messages.error(request, "No rows selected; nothing changed.")
            return redirect(back)
        if skipped:
            messages.warning(
                request, f"{skipped} selected value(s) are not {noun} of {connector.name}: skipped."
            )
    changed = bulk.run_inline(connector=connector, action=action, items=items, priority=priority)
    messages.success(request, _done_message(action, len(items), changed, noun, priority))
    return redirect(back)


def _done_message(action: str, count: int, changed: int, noun: str, priority: int | None) -> str:
    if action == BulkAction.SEARCH:
        return f"Search queued for {count} {noun}: one forced sweep plans them now."
    if action == BulkAction.PRIORITY:
        what = "cleared" if priority is None else f"set to {priority}"
        return f"Priority {what} for {count} {noun}."
    if action == BulkAction.EXCLUDE:
        return f"{count} {noun} excluded: Comradarr will not search them."
    if action == BulkAction.RESET:
        return f"Search state reset for {changed} of {count} {noun} (the others had none to clear)."
    return f"{changed} of {count} {noun} marked exhausted."


@login_required
@require_GET
def bulk_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BulkRun.objects.select_related("connector"), pk=pk)
    context = {"page_title": "Bulk action", "run": run, "connector": run.connector}
    context["back"] = (
        reverse("library:list") + "?" + urlencode({"connector": run.connector_id, **run.params})
    )
    if request.htmx:
        return render(request, "library/_bulk_progress.html", context)
    return render(request, "library/bulk_run.html", context)


@login_required
@require_GET
def bulk_count(request: HttpRequest) -> HttpResponse:
    """How many items the filter matches (loaded after the list, so the list stays fast)."""
    connector = _connector(request.GET.get("connector"))
    if connector is None:
        return HttpResponse("?")
    query = _query(request.GET, connector)
    if query.kind == browse_query.SERIES:
        return HttpResponse("")
    total = browse.filtered(connector, query, now=timezone.now()).count()
    return render(request, "library/_bulk_count.html", {"total": total})

"""Settings > Logs: the stored log records, filtered, paged by id, with a live tail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from comradarr.logbook import filters
from comradarr.logs import level_number

#: Seconds between live-tail polls.
TAIL_SECONDS = 3


def _filter_query(request: HttpRequest) -> str:
    """The filters of this URL without the paging parameters, for links."""
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return query.urlencode()


def _level_names(records) -> None:
    for record in records:
        record.level_name = _LEVEL_NAMES.get(record.level, str(record.level))


_LEVEL_NAMES = {
    level_number(name): name for name in ("trace", "debug", "info", "warning", "error", "critical")
}


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = filters.LogFilterForm(request.GET)
    context = {
        "page_title": "Settings",
        "tab": "logs",
        "form": form,
        "query": _filter_query(request),
        "tail_seconds": TAIL_SECONDS,
        "records": [],
        "older": None,
    }
    if not form.is_valid():
        return render(request, "settings/logs.html", context, status=400)
    records, older = filters.page(form.cleaned_data)
    _level_names(records)
    paged = form.cleaned_data["before"] is not None
    newest = records[0].pk if records else 0
    context.update(records=records, older=older, paged=paged, newest=newest)
    return render(request, "settings/logs.html", context)


@never_cache
@login_required
def tail(request: HttpRequest) -> HttpResponse:
    """The rows newer than `after`, and the poller that asks for the next ones."""
    form = filters.LogFilterForm(request.GET)
    if not form.is_valid() or form.cleaned_data["after"] is None:
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        return HttpResponse(
            errors or "The live tail needs `after`, the newest record shown.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    after = form.cleaned_data["after"]
    records = filters.newer_than(form.cleaned_data, after)
    _level_names(records)
    context = {
        "records": records,
        "newest": records[0].pk if records else after,
        "query": _filter_query(request),
        "tail_seconds": TAIL_SECONDS,
    }
    return render(request, "settings/_log_tail.html", context)

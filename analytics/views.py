"""Analytics pages: the dashboard's live feed, the analytics page, its data and CSV export.

Every endpoint parses the same query string (analytics.ranges); bad input is a
400 with the sentence that says what is wrong, never a 500.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analytics import export
from analytics.datasets import CHARTS, TABLES, UnknownDataset, dataset
from analytics.feed import activity_feed
from analytics.ranges import CUSTOM, PRESET_LABELS, RangeError, parse_query
from connectors.models import Connector


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The activity feed fragment the dashboard polls."""
    return render(request, "analytics/_feed.html", {"feed": activity_feed()})


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    connectors = list(Connector.objects.order_by("name").values_list("pk", "name"))
    context = {
        "page_title": "Analytics",
        "presets": PRESET_LABELS,
        "connectors": connectors,
        "charts": [],
        "tables": [],
    }
    try:
        sel = parse_query(request.GET)
    except RangeError as exc:
        context.update(error=str(exc), preset=request.GET.get("range", ""))
        return render(request, "analytics/overview.html", context, status=400)
    query = urlencode(sel.query())
    context.update(
        sel=sel,
        preset=sel.preset,
        custom=sel.preset == CUSTOM,
        start_date=sel.start.astimezone(sel.tz).date().isoformat(),
        end_date=sel.query().get("end") or sel.end.astimezone(sel.tz).date().isoformat(),
        charts=[
            {
                "d": d,
                "src": f"{reverse('analytics:data', args=[d.name])}?{query}",
                "csv": f"{reverse('analytics:export', args=[d.name])}?{query}",
            }
            for d in CHARTS
        ],
        tables=[
            {
                "d": d,
                "src": f"{reverse('analytics:table', args=[d.name])}?{query}",
                "csv": f"{reverse('analytics:export', args=[d.name])}?{query}",
            }
            for d in TABLES
        ],
    )
    return render(request, "analytics/overview.html", context)


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_GET
def data(request: HttpRequest, name: str) -> JsonResponse:
    """A chart's series as JSON: columns, kinds and rows with epoch seconds first."""
    try:
        d = dataset(name)
        sel = parse_query(request.GET)
    except UnknownDataset as exc:
        return _bad(str(exc), 404)
    except RangeError as exc:
        return _bad(str(exc))
    table = d.build(sel)
    rows = [[int(row[0].timestamp()), *row[1:]] for row in table.rows] if d.chart else table.rows
    return JsonResponse(
        {
            "name": d.name,
            "title": d.title,
            "unit": sel.unit,
            "timezone": sel.tz.key,
            "columns": table.columns,
            "kinds": table.kinds,
            "rows": rows,
        },
        json_dumps_params={"separators": (",", ":")},
    )


@login_required
@require_GET
def table(request: HttpRequest, name: str) -> HttpResponse:
    """One table of the page as an HTML fragment (the page loads each with htmx)."""
    try:
        d = dataset(name)
        sel = parse_query(request.GET)
    except UnknownDataset as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    except RangeError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return render(request, "analytics/_table.html", {"table": d.build(sel)})


@login_required
@require_GET
def export_csv(request: HttpRequest, name: str) -> HttpResponse:
    try:
        sel = parse_query(request.GET)
        lines = export.csv_lines(name, sel)
    except UnknownDataset as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    except RangeError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(name, sel)}"'
    return response

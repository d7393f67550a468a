"""Analytics in the JSON API: the dashboard's numbers and the analytics page's series.

Both read through analytics' own functions (analytics.cards, .completion,
.datasets, .ranges), so the API, the pages and the CSV export cannot
disagree. ``period`` is the page's range preset (``24h`` ... ``1y``) or
``custom`` with ``start`` and ``end`` dates; bad input is a 400 whose details
name the parameter and say what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.cards import dashboard_cards, latest_snapshots
from analytics.completion import completion_rows
from analytics.datasets import CHARTS
from analytics.ranges import CUSTOM, PRESETS, RangeError, Selection, parse_query
from analytics.tables import comparison
from api.base import ApiView
from connectors.models import Connector

METRICS = {d.name: d for d in CHARTS}
#: Longest value of any parameter looked at; anything longer is refused before parsing.
MAX_VALUE = 40

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=[*PRESETS, CUSTOM],
        description="the range: a preset (default 30d) or custom with start and end",
    ),
    OpenApiParameter("start", str, description="custom range: first day, YYYY-MM-DD (TZ)"),
    OpenApiParameter("end", str, description="custom range: last day, YYYY-MM-DD (TZ)"),
    OpenApiParameter("connector", int, description="only this connector (default: all)"),
]


def _selection(params: Mapping[str, str]) -> Selection:
    """The page's Selection from the API's parameter names; 400 on anything wrong."""
    for name in ("period", "start", "end", "connector", "metric"):
        value = params.get(name)
        if value is not None and (len(value) > MAX_VALUE or "\x00" in value):
            raise ValidationError({name: [f"{name} is too long or holds a NUL character."]})
    query = {"range": params.get("period") or ""}
    for name in ("start", "end", "connector"):
        if params.get(name):
            query[name] = params[name]
    try:
        return parse_query(query)
    except RangeError as exc:
        message = str(exc).replace("range must be", "period must be")
        raise ValidationError({_field_of(message): [message]}) from None


def _field_of(message: str) -> str:
    """Which parameter analytics.ranges' message is about."""
    if message.startswith(("connector ", "There is no connector")):
        return "connector"
    for name in ("start", "end"):
        if message.startswith(f"{name} must"):
            return name
    return "period"


def _range(sel: Selection) -> dict:
    return {
        "period": sel.preset,
        "start": sel.start.isoformat(),
        "end": sel.end.isoformat(),
        "unit": sel.unit,
        "timezone": sel.tz.key,
        "connector": sel.connector_id,
    }


class AnalyticsSummaryView(ApiView):
    @extend_schema(
        operation_id="analytics_summary",
        parameters=PERIOD_PARAMETERS,
        responses={200: dict},
        summary="The dashboard's cards, completion per library, and the connector comparison",
    )
    def get(self, request: Request) -> Response:
        sel = _selection(request.query_params)
        snapshots = latest_snapshots()
        names = dict(Connector.objects.values_list("pk", "name"))
        cards = dashboard_cards(snapshots=snapshots, connector_ids=list(names))
        table = comparison(sel)
        return Response(
            {
                "range": _range(sel),
                "cards": {
                    "gaps": cards.gaps,
                    "app_missing": cards.app_missing,
                    "upgrades": cards.upgrades,
                    "queue_items": cards.queue_items,
                    "queue_entries": cards.queue_entries,
                    "searches_today": cards.searches_today,
                    "queries_24h": cards.queries_24h,
                    "budget_24h": cards.budget_24h,
                    "acquired_today": cards.acquired_today,
                    "acquired_week": cards.acquired_week,
                    "success_rate": cards.success_rate,
                    "success_rate_before": cards.success_rate_before,
                    "trend": cards.trend,
                },
                "completion": [
                    {
                        "connector": row.connector_id,
                        "connector_name": row.connector_name,
                        "content_type": row.content_type,
                        "items": row.items,
                        "have_file": row.have_file,
                        "missing_monitored": row.missing,
                        "below_cutoff": row.below_cutoff,
                        "completion": row.completion,
                        "last_30_days": row.history,
                    }
                    for row in completion_rows(snapshots=snapshots, names=names)
                ],
                "connectors": {"columns": table.columns, "rows": list(table.rows)},
            }
        )


class AnalyticsSeriesView(ApiView):
    @extend_schema(
        operation_id="analytics_series",
        parameters=[
            OpenApiParameter(
                "metric", str, required=True, enum=list(METRICS), description="which chart"
            ),
            *PERIOD_PARAMETERS,
        ],
        responses={200: dict},
        summary="One chart of the analytics page: a time series per column",
    )
    def get(self, request: Request) -> Response:
        name = request.query_params.get("metric") or ""
        sel = _selection(request.query_params)
        if name not in METRICS:
            raise ValidationError(
                {"metric": [f"metric must be one of {', '.join(METRICS)}, not {name[:40]!r}."]}
            )
        chart = METRICS[name]
        table = chart.build(sel)
        return Response(
            {
                "metric": chart.name,
                "title": chart.title,
                "description": chart.description,
                "range": _range(sel),
                "columns": table.columns,
                "kinds": table.kinds,
                "rows": [[row[0].isoformat(), *row[1:]] for row in table.rows],
            }
        )

"""The /api/v1 endpoints. Reads query the models; writes call the same service
functions the pages and manage.py call (queueing.control, content.services)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.base import ApiView
from api.pagination import paginate
from api.summary import library_summary
from comradarr import health
from connectors.models import Connector
from content import services as content_services
from queueing import control
from queueing.models import RequestQueue
from searchstate.models import SearchHistory

PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="rows per page, 1 to 500 (default 50)"),
    OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
]


def _page_serializer(name: str, item: type[serializers.Serializer]):
    return type(
        name,
        (serializers.Serializer,),
        {"results": item(many=True), "next_cursor": serializers.CharField(allow_null=True)},
    )


class StatusView(ApiView):
    @extend_schema(responses={200: dict}, summary="Version, database, workers, queue, connectors")
    def get(self, request: Request) -> Response:
        database = health.check_database()
        queue_counts = dict(
            RequestQueue.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        connectors = [
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind,
                "enabled": c.enabled,
                "health_status": c.health_status,
                "paused": control.is_paused(connector=c),
            }
            for c in Connector.objects.order_by("name")
        ]
        return Response(
            {
                "version": settings.COMRADARR_VERSION,
                "database": {"status": database["status"]},
                "workers": health.check_cluster(),
                "tasks": health.check_queue(),
                "queue": {
                    "paused": control.is_paused(),
                    "queued": queue_counts.get(RequestQueue.Status.QUEUED, 0),
                    "in_flight": queue_counts.get(RequestQueue.Status.DISPATCHED, 0),
                },
                "library": library_summary(),
                "connectors": connectors,
            }
        )


class ConnectorListView(ApiView):
    @extend_schema(
        operation_id="connectors_list",
        parameters=PAGE_PARAMETERS,
        responses=_page_serializer("ConnectorPage", s.ConnectorSerializer),
    )
    def get(self, request: Request) -> Response:
        return Response(
            paginate(Connector.objects.all(), request, s.ConnectorSerializer, fields=[])
        )


class ConnectorDetailView(ApiView):
    @extend_schema(responses=s.ConnectorSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ConnectorSerializer(get_object_or_404(Connector, pk=pk)).data)


class ConnectorSyncView(ApiView):
    @extend_schema(request=s.SyncRequestSerializer, responses={202: dict})
    def post(self, request: Request, pk: int) -> Response:
        connector = get_object_or_404(Connector, pk=pk)
        body = s.SyncRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        content_services.sync_request(connector=connector, kind=body.validated_data["kind"])
        return Response(
            {"queued": True, "connector": connector.pk, "kind": body.validated_data["kind"]},
            status=status.HTTP_202_ACCEPTED,
        )


QUEUE_STATUSES = [RequestQueue.Status.QUEUED, RequestQueue.Status.DISPATCHED]


class QueueListView(ApiView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=_page_serializer("QueuePage", s.QueueEntrySerializer),
        summary="Queued and in-flight entries, soonest first",
    )
    def get(self, request: Request) -> Response:
        rows = RequestQueue.objects.filter(status__in=QUEUE_STATUSES).select_related("connector")
        return Response(paginate(rows, request, s.QueueEntrySerializer, fields=["scheduled_at"]))


class QueueControlView(ApiView):
    action: str = ""

    @extend_schema(request=s.QueueControlSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        body = s.QueueControlSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        connector = body.validated_data["connector"]
        if self.action == "pause":
            control.queue_pause(connector=connector, reason="paused through the API")
        else:
            control.queue_resume(connector=connector)
        return Response(
            {
                "connector": connector.pk if connector else None,
                "paused": control.is_paused(connector=connector),
            }
        )


class QueuePauseView(QueueControlView):
    action = "pause"


class QueueResumeView(QueueControlView):
    action = "resume"


class HistoryListView(ApiView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=_page_serializer("HistoryPage", s.SearchHistorySerializer),
        summary="Dispatched searches and their outcomes, newest first",
    )
    def get(self, request: Request) -> Response:
        return Response(
            paginate(
                SearchHistory.objects.all(),
                request,
                s.SearchHistorySerializer,
                fields=["dispatched_at"],
                descending=True,
            )
        )


class NotFoundView(ApiView):
    """Any other path under /api/: the error shape, not the HTML 404 page (after the key check)."""

    @extend_schema(exclude=True)
    def get(self, request: Request, rest: str = "") -> Response:
        raise NotFound(f"no API endpoint at /api/{rest}")

    post = put = patch = delete = get

"""Writes (full scope): each calls the service function the pages and manage.py call.

Sweeps and searches run in a worker (they read the *arr's download queue over
HTTP, never inside a request); a dry run only plans, so it runs here and
answers with its plan, without the download-queue check.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.items import KINDS, item_body, item_or_404
from connectors import services as connector_services
from connectors.models import Connector
from content.models import Episode, Movie
from queueing import control
from queueing.models import SweepRun, SweepSchedule
from queueing.sweep import sweep_connector
from queueing.sweep_schedules import sweep_schedule_update
from searchstate import services as search_services
from web.search_now import SWEEP_TASK, enqueue_search_now

MAX_ITEMS = 500


class SweepRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SweepRun.Kind.values, default=SweepRun.Kind.BOTH)
    item_limit = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    dry_run = serializers.BooleanField(default=False)


class SweepView(ApiView):
    @extend_schema(
        request=SweepRequestSerializer,
        responses={200: dict, 202: dict},
        summary="Start a sweep (202), or plan one without queueing anything (dry_run: 200)",
    )
    def post(self, request: Request, pk: int) -> Response:
        connector = get_object_or_404(Connector, pk=pk)
        body = SweepRequestSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        kind = body.validated_data["kind"]
        item_limit = body.validated_data.get("item_limit")
        if body.validated_data["dry_run"]:
            result = sweep_connector(
                connector=connector,
                kind=kind,
                item_limit=item_limit,
                dry_run=True,
                trigger=SweepRun.Trigger.API,
                downloading=frozenset(),
            )
            return Response(result.as_dict())

        def enqueue() -> None:
            from django_q.tasks import async_task

            async_task(SWEEP_TASK, connector.pk, kind=kind, item_limit=item_limit, trigger="api")

        transaction.on_commit(enqueue)
        return Response(
            {"queued": True, "connector": connector.pk, "kind": kind, "item_limit": item_limit},
            status=status.HTTP_202_ACCEPTED,
        )


class SearchNowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_ITEMS,
    )


class SearchNowView(ApiView):
    @extend_schema(
        request=SearchNowSerializer,
        responses={202: dict},
        summary="Search these items now, ignoring cooldown and exhaustion",
    )
    def post(self, request: Request) -> Response:
        body = SearchNowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        model = Movie if body.validated_data["kind"] == "movie" else Episode
        wanted = set(body.validated_data["ids"])
        found = dict(model.objects.filter(pk__in=wanted).values_list("pk", "connector_id"))
        missing = sorted(wanted - set(found))
        if missing:
            raise serializers.ValidationError({"ids": [f"not in the mirror: {missing[:20]}"]})
        by_connector: dict[int, list[int]] = {}
        for pk, connector_id in sorted(found.items()):
            by_connector.setdefault(connector_id, []).append(pk)
        for connector_id, pks in by_connector.items():
            enqueue_search_now(connector_id=connector_id, item_ids=pks)
        return Response(
            {"queued": True, "items": len(found), "connectors": sorted(by_connector)},
            status=status.HTTP_202_ACCEPTED,
        )


class ItemActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["priority", "exclude", "include", "reset", "exhaust"])
    priority = serializers.IntegerField(
        min_value=-100, max_value=100, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, data: dict) -> dict:
        if data["action"] == "priority" and "priority" not in data:
            raise serializers.ValidationError(
                {"priority": ["-100 to 100, or null to clear the override"]}
            )
        return data


class ItemActionView(ApiView):
    @extend_schema(
        request=ItemActionSerializer,
        responses={200: dict},
        summary="Set the priority override, exclude or include, reset or mark exhausted",
    )
    def post(self, request: Request, kind: str, pk: int) -> Response:
        item = item_or_404(kind, pk)
        body = ItemActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action = body.validated_data["action"]
        if action == "priority":
            search_services.item_set_priority(target=item, priority=body.validated_data["priority"])
        elif action == "exclude":
            search_services.item_exclude(target=item, note=body.validated_data["note"])
        elif action == "include":
            search_services.item_include(target=item)
        elif action == "reset":
            search_services.registry_reset(items=[item])
        else:
            search_services.registry_mark_exhausted(connector=item.connector, items=[item])
        return Response(item_body(item))


class QueueClearSerializer(serializers.Serializer):
    connector = serializers.PrimaryKeyRelatedField(
        queryset=Connector.objects.all(), required=False, allow_null=True, default=None
    )


class QueueClearView(ApiView):
    @extend_schema(
        request=QueueClearSerializer,
        responses={200: dict},
        summary="Cancel queued entries (all, or one connector's); in-flight ones finish",
    )
    def post(self, request: Request) -> Response:
        body = QueueClearSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        connector = body.validated_data["connector"]
        cancelled = control.queue_clear(connector=connector)
        return Response({"connector": connector.pk if connector else None, "cancelled": cancelled})


class ConnectorEnableView(ApiView):
    enabled: bool = True

    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request, pk: int) -> Response:
        connector = get_object_or_404(Connector, pk=pk)
        connector_services.connector_set_enabled(connector=connector, enabled=self.enabled)
        return Response({"id": connector.pk, "enabled": connector.enabled})


class ConnectorDisableView(ConnectorEnableView):
    enabled = False


class ScheduleEnableView(ApiView):
    enabled: bool = True

    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request, pk: int) -> Response:
        schedule = get_object_or_404(SweepSchedule, pk=pk)
        schedule = sweep_schedule_update(schedule=schedule, enabled=self.enabled)
        return Response(
            {"id": schedule.pk, "enabled": schedule.enabled, "next_run_at": schedule.next_run_at}
        )


class ScheduleDisableView(ScheduleEnableView):
    enabled = False

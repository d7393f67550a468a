"""Sweep runs, sync runs, sweep schedules and throttle profiles: read-only lists.

Runs are keyset-paged newest first (``?connector=`` narrows them to one
connector); schedules and throttle profiles are few, so they are paged by id.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.pagination import paginate
from api.views import PAGE_PARAMETERS, _page_serializer
from content.models import SyncRun
from queueing.models import SweepRun, SweepSchedule, ThrottleProfile
from queueing.sweep_schedules import describe

RUN_FIELDS = ["id", "connector", "status", "started_at", "finished_at", "error", "trigger", "kind"]

CONNECTOR_PARAMETER = OpenApiParameter("connector", int, description="only this connector's runs")


class SweepRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SweepRun
        fields = [
            *RUN_FIELDS,
            "dry_run",
            "item_limit",
            "resolved",
            "found",
            "selected",
            "queued",
            "entries",
            "skipped",
        ]


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = [
            *RUN_FIELDS,
            "added",
            "updated",
            "removed",
            "items_seen",
            "series_fetched",
            "http_requests",
        ]


class SweepScheduleSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()

    class Meta:
        model = SweepSchedule
        fields = [
            "id",
            "connector",
            "kind",
            "cron",
            "timezone",
            "enabled",
            "throttle_profile",
            "item_limit",
            "last_run_at",
            "next_run_at",
            "description",
        ]

    def get_description(self, schedule: SweepSchedule) -> str:
        return describe(schedule)


class ThrottleProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThrottleProfile
        fields = [
            "id",
            "name",
            "description",
            "is_preset",
            "is_default",
            "commands_per_minute",
            "commands_per_hour",
            "min_interval_seconds",
            "interval_jitter_seconds",
            "max_in_flight",
            "batch_size",
            "daily_budget",
            "error_cooldown_seconds",
            "backoff_multiplier",
            "backoff_cap_seconds",
            "rate_limit_pause_seconds",
            "queue_threshold",
            "command_timeout_seconds",
            "grab_cooldown_hours",
        ]


def for_connector(rows: QuerySet, request: Request) -> QuerySet:
    raw = request.query_params.get("connector")
    if raw in (None, ""):
        return rows
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError({"connector": ["must be a connector id (a whole number)"]})
    return rows.filter(connector_id=int(raw))


class SweepRunListView(ApiView):
    @extend_schema(
        parameters=[*PAGE_PARAMETERS, CONNECTOR_PARAMETER],
        responses=_page_serializer("SweepRunPage", SweepRunSerializer),
        summary="Sweeps, newest first",
    )
    def get(self, request: Request) -> Response:
        rows = for_connector(SweepRun.objects.all(), request)
        return Response(
            paginate(rows, request, SweepRunSerializer, fields=["started_at"], descending=True)
        )


class SyncRunListView(ApiView):
    @extend_schema(
        parameters=[*PAGE_PARAMETERS, CONNECTOR_PARAMETER],
        responses=_page_serializer("SyncRunPage", SyncRunSerializer),
        summary="Syncs, newest first",
    )
    def get(self, request: Request) -> Response:
        rows = for_connector(SyncRun.objects.all(), request)
        return Response(
            paginate(rows, request, SyncRunSerializer, fields=["started_at"], descending=True)
        )


class ScheduleListView(ApiView):
    @extend_schema(
        parameters=[*PAGE_PARAMETERS, CONNECTOR_PARAMETER],
        responses=_page_serializer("SchedulePage", SweepScheduleSerializer),
        summary="Sweep schedules",
    )
    def get(self, request: Request) -> Response:
        rows = for_connector(SweepSchedule.objects.all(), request)
        return Response(paginate(rows, request, SweepScheduleSerializer, fields=[]))


class ThrottleProfileListView(ApiView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=_page_serializer("ThrottleProfilePage", ThrottleProfileSerializer),
        summary="Throttle profiles",
    )
    def get(self, request: Request) -> Response:
        return Response(
            paginate(ThrottleProfile.objects.all(), request, ThrottleProfileSerializer, fields=[])
        )

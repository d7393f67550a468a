"""GET /api/v1/items/{kind}/{id}: one episode or movie with its search state,
the "why" report (searchstate.why, as on the item page) and its search history.

The reads are the item page's (web.library.item_get, searchstate.why), so the
API and the page tell the same story.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.serializers import SearchHistorySerializer
from content.models import Episode, Movie
from searchstate.models import Exclusion, PriorityOverride, SearchHistory, SearchRegistry
from searchstate.why import item_label, why
from web import library

KINDS = ("episode", "movie")


class RegistrySerializer(serializers.ModelSerializer):
    class Meta:
        model = SearchRegistry
        fields = [
            "search_type",
            "state",
            "attempts",
            "search_count",
            "first_searched_at",
            "last_searched_at",
            "next_eligible_at",
            "failure_category",
            "priority",
        ]


class WhySerializer(serializers.Serializer):
    search_type = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField()
    plan = serializers.CharField()
    priority = serializers.IntegerField(allow_null=True)
    priority_breakdown = serializers.DictField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    attempts = serializers.IntegerField()
    last_searched_at = serializers.DateTimeField(allow_null=True)
    next_eligible_at = serializers.DateTimeField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=KINDS)
    connector = serializers.IntegerField()
    arr_id = serializers.IntegerField()
    title = serializers.CharField()
    monitored = serializers.BooleanField()
    has_file = serializers.BooleanField()
    excluded = serializers.BooleanField()
    exclusion_note = serializers.CharField(allow_null=True)
    priority_override = serializers.IntegerField(allow_null=True)
    search_state = RegistrySerializer(many=True)
    why = WhySerializer()
    history = SearchHistorySerializer(many=True)


def item_or_404(kind: str, pk: int) -> Episode | Movie:
    item = library.item_get(kind=kind, pk=pk) if kind in KINDS else None
    if item is None:
        raise NotFound(f"no {kind if kind in KINDS else 'item'} {pk} in the mirror")
    return item


def item_body(item: Episode | Movie) -> dict:
    kind = library.item_kind(item)
    field = {kind: item}
    exclusion = Exclusion.objects.filter(**field).first()
    if exclusion is None and isinstance(item, Episode):
        exclusion = Exclusion.objects.filter(series_id=item.series_id).first()
    history = SearchHistory.objects.filter(
        connector_id=item.connector_id, items__contains=[{"arr_id": item.arr_id}]
    )[: library.HISTORY_ROWS]
    # The download queue is an *arr call: never inside a request (as on the item page).
    report = why(item, downloading=frozenset()).as_dict()
    report.pop("item"), report.pop("arr_id")
    return {
        "id": item.pk,
        "kind": kind,
        "connector": item.connector_id,
        "arr_id": item.arr_id,
        "title": item_label(item),
        "monitored": item.monitored,
        "has_file": item.has_file,
        "excluded": exclusion is not None,
        "exclusion_note": exclusion.note if exclusion else None,
        "priority_override": PriorityOverride.of(item),
        "search_state": RegistrySerializer(
            SearchRegistry.objects.filter(**field).order_by("search_type"), many=True
        ).data,
        "why": report,
        "history": SearchHistorySerializer(history, many=True).data,
    }


class ItemView(ApiView):
    @extend_schema(responses=ItemSerializer, summary="One item, its search state, why and history")
    def get(self, request: Request, kind: str, pk: int) -> Response:
        return Response(item_body(item_or_404(kind, pk)))

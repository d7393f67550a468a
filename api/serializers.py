"""What the API shows of each model: named fields only, so a secret added to a
model later never appears by accident (a connector's key and webhook secret never do)."""

from __future__ import annotations

from rest_framework import serializers

from connectors.models import Connector
from queueing.models import RequestQueue
from searchstate.models import SearchHistory


class ConnectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Connector
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "enabled",
            "app_name",
            "app_version",
            "instance_name",
            "health_status",
            "health_message",
            "last_contact_at",
            "last_health_check_at",
            "consecutive_failures",
            "created_at",
        ]


class QueueEntrySerializer(serializers.ModelSerializer):
    connector_name = serializers.CharField(source="connector.name", read_only=True)

    class Meta:
        model = RequestQueue
        fields = [
            "id",
            "connector",
            "connector_name",
            "command",
            "search_type",
            "status",
            "priority",
            "scheduled_at",
            "reason",
            "item_count",
            "estimated_queries",
            "dispatched_at",
            "created_at",
        ]


class SearchHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = SearchHistory
        fields = [
            "id",
            "connector",
            "connector_name",
            "search_type",
            "command_name",
            "item_count",
            "outcome",
            "items_grabbed",
            "message",
            "dispatched_at",
            "completed_at",
            "duration_seconds",
        ]


class QueueControlSerializer(serializers.Serializer):
    connector = serializers.PrimaryKeyRelatedField(
        queryset=Connector.objects.all(), required=False, allow_null=True, default=None
    )


class SyncRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["incremental", "full"], default="incremental")

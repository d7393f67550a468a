"""GET /api/v1/connectors/{id}/library: a connector's mirror, filtered and keyset-paged.

The same read functions the library browser uses (web.library), so the API and
the page agree on what "missing" and "cutoff unmet" mean; only the argument
checking is stricter here (an unknown filter or a tampered cursor is a 400,
where the page quietly falls back to the first page of everything).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.pagination import MAX_LIMIT, limit_from
from connectors.models import Connector
from content.models import Movie, Season, Series
from web import library


class SeasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Season
        fields = [
            "season_number",
            "monitored",
            "episode_file_count",
            "episode_count",
            "total_episode_count",
            "missing_monitored_episodes",
            "cutoff_unmet_episodes",
        ]


class SeriesSerializer(serializers.ModelSerializer):
    seasons = SeasonSerializer(many=True, read_only=True)

    class Meta:
        model = Series
        fields = [
            "id",
            "arr_id",
            "title",
            "year",
            "status",
            "monitored",
            "tvdb_id",
            "episode_file_count",
            "episode_count",
            "total_episode_count",
            "next_airing",
            "seasons",
        ]


class MovieSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movie
        fields = [
            "id",
            "arr_id",
            "title",
            "year",
            "status",
            "monitored",
            "is_available",
            "tmdb_id",
            "has_file",
            "quality_name",
            "quality_cutoff_not_met",
            "last_search_time",
            "file_acquired_at",
        ]


class LibraryView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("filter", str, enum=sorted(library.Filter.VALUES)),
            OpenApiParameter("search", str, description="part of the title"),
            OpenApiParameter("limit", int, description=f"rows per page, 1 to {MAX_LIMIT}"),
            OpenApiParameter("cursor", str, description="next_cursor of the previous page"),
        ],
        responses={200: dict},
        summary="Series (with seasons) or movies of a connector, by sort title",
    )
    def get(self, request: Request, pk: int) -> Response:
        connector = get_object_or_404(Connector, pk=pk)
        params = request.query_params
        filter_ = params.get("filter") or library.Filter.ALL
        if filter_ not in library.Filter.VALUES:
            choices = ", ".join(sorted(library.Filter.VALUES))
            raise ValidationError({"filter": [f"must be one of {choices}"]})
        cursor = params.get("cursor") or None
        if cursor and library.decode_cursor(cursor) is None:
            raise ValidationError({"cursor": ["not a cursor this API gave out"]})
        series = connector.shape.is_series
        pager = library.series_page if series else library.movie_page
        page = pager(
            connector=connector,
            filter_=filter_,
            query=library.clean_query(params.get("search")),
            after=cursor,
            size=limit_from(params.get("limit")),
        )
        serializer = SeriesSerializer if series else MovieSerializer
        return Response(
            {
                "connector": connector.pk,
                "kind": "series" if series else "movies",
                "results": serializer(page.rows, many=True).data,
                "next_cursor": page.next_cursor,
            }
        )

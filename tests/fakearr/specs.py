"""The committed OpenAPI documents, and where the wire differs from them.

fakearr emits only the properties that the version's OpenAPI document declares for
each resource (so a field that an app version lacks never leaks out), plus the few
that docs/arr-api.md shows the real app sends although its document is stale or wrong.
The same overlay is used by the response validator (tests/fakearr/schema.py), so
there is one list of known spec errors, each with the reason.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .profiles import AppProfile

OPENAPI_DIR = Path(__file__).resolve().parent.parent / "data" / "openapi"

_STRING = {"type": "string", "nullable": True}
_DATE_TIME = {"type": "string", "format": "date-time", "nullable": True}
_INT = {"type": "integer", "format": "int32"}


@cache
def load_spec(filename: str) -> dict[str, Any]:
    return json.loads((OPENAPI_DIR / filename).read_text())


def overlay_for(profile: AppProfile) -> dict[str, dict[str, Any]]:
    """Schema name -> {property: schema} replacing or adding spec properties on the wire."""
    overlay: dict[str, dict[str, Any]] = {
        # docs/arr-api.md section 2: wikiUrl is an HttpUri object in the document but serializes as a string.
        "HealthResource": {"wikiUrl": _STRING},
        # The document's Command is generic; the body echoes each command's own fields (docs/arr-api.md section 5).
        "Command": {
            "seriesId": _INT,
            "seasonNumber": _INT,
            "episodeIds": {"type": "array", "items": _INT},
            "movieIds": {"type": "array", "items": _INT},
        },
    }
    schemas = load_spec(profile.spec_file)["components"]["schemas"]
    for schema_name, prop in (("QueueResource", "timeleft"), ("CommandResource", "duration")):
        if schemas[schema_name]["properties"].get(prop, {}).get("$ref", "").endswith("/TimeSpan"):
            # Older documents show TimeSpan as an object; the wire has "hh:mm:ss.fffffff" (docs/arr-api.md section 0).
            overlay.setdefault(schema_name, {})[prop] = _STRING
    for prop, prop_schema in schemas["SystemResource"]["properties"].items():
        if prop_schema.get("$ref", "").endswith("/Version"):
            # The Version type is written as a string by STJVersionConverter (docs/arr-api.md section 2).
            overlay.setdefault("SystemResource", {})[prop] = _STRING
    if profile.kind == "whisparr_v2":
        # DateOnly serializes as "yyyy-MM-dd"; the document shows an object (docs/arr-api.md section 3).
        overlay["EpisodeResource"] = {"releaseDate": {"type": "string", "nullable": True}}
    if profile.kind == "whisparr_v3":
        # The Eros document is stale: HEAD source has these on MovieResource (docs/arr-api.md section 4).
        overlay["MovieResource"] = {"lastSearchTime": _DATE_TIME, "movieFileId": _INT}
    if profile.is_sonarr_v3_app:
        # The Nancy v3 app: single language per file, paging with filters, Mono runtime flags.
        overlay["EpisodeFileResource"] = {
            "language": {"$ref": "#/components/schemas/Language"},
            "languageCutoffNotMet": {"type": "boolean"},
        }
        overlay["SystemResource"] = {
            "isMonoRuntime": {"type": "boolean"},
            "isMono": {"type": "boolean"},
        }
        overlay["EpisodeResourcePagingResource"] = {"filters": {"type": "array"}}
        overlay["QueueResourcePagingResource"] = {"filters": {"type": "array"}}
        overlay["HistoryResourcePagingResource"] = {"filters": {"type": "array"}}
    return overlay


# Properties the Sonarr v3 app did not have although the v4 document lists them.
_SONARR_V3_APP_ABSENT = {
    "SeriesResource": {"lastAired", "monitorNewItems"},
    "EpisodeResource": {"lastSearchTime", "finaleType"},
    "EpisodeFileResource": {
        "languages",
        "customFormats",
        "customFormatScore",
        "indexerFlags",
        "releaseType",
    },
    "SystemResource": {"isNetCore", "isDocker", "databaseVersion", "databaseType"},
    "QualityProfileResource": {
        "minFormatScore",
        "cutoffFormatScore",
        "minUpgradeFormatScore",
        "formatItems",
    },
    "QueueResource": {"customFormats", "customFormatScore", "languages", "added"},
    "HistoryResource": {"customFormats", "customFormatScore", "languages"},
}


@cache
def allowed_properties(profile: AppProfile, schema_name: str) -> frozenset[str]:
    """Property names this version sends for one resource schema."""
    schemas = load_spec(profile.spec_file)["components"]["schemas"]
    names = set(schemas.get(schema_name, {}).get("properties", {}))
    names |= set(overlay_for(profile).get(schema_name, {}))
    if profile.is_sonarr_v3_app:
        names -= _SONARR_V3_APP_ABSENT.get(schema_name, set())
    if not profile.last_search_time:
        names.discard("lastSearchTime")
    return frozenset(names)


# Keyed on the profile object's identity: hashing the frozen dataclass on every call
# showed up in profiles of large syncs.
_allowed_fast: dict[tuple[int, str], frozenset[str]] = {}


def clean(profile: AppProfile, schema_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Keep the properties the version has, and drop nulls (the apps omit null properties)."""
    allowed = _allowed_fast.get((id(profile), schema_name))
    if allowed is None:
        allowed = _allowed_fast[(id(profile), schema_name)] = allowed_properties(
            profile, schema_name
        )
    return {k: v for k, v in data.items() if v is not None and k in allowed}

"""`responses` stubs of the three endpoints a connector health check calls."""

from __future__ import annotations

import json

import responses

STATUS = {
    "sonarr": {"appName": "Sonarr", "version": "4.0.19.2979", "instanceName": "Sonarr"},
    "radarr": {"appName": "Radarr", "version": "5.28.0.10205", "instanceName": "Radarr 4K"},
    "radarr_old": {"appName": "Radarr", "version": "4.7.5.7809", "instanceName": "Radarr"},
    "whisparr_v2": {"appName": "Whisparr", "version": "2.0.0.1161", "instanceName": "Whisparr"},
    "whisparr_v3": {"appName": "Whisparr", "version": "3.2.0.1", "instanceName": "Eros"},
}

WARNING = {
    "source": "IndexerStatusCheck",
    "type": "warning",
    "message": "Indexers unavailable due to failures: NZBgeek",
    "wikiUrl": "https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures",
}


def stub_app(
    rsps: responses.RequestsMock,
    base: str,
    *,
    status: dict | str = "sonarr",
    health: list | None = None,
    api_key: str | None = None,
) -> None:
    """Answer /ping, system/status and health like a working app.

    With ``api_key`` set, the API endpoints answer 401 (empty body, as v4+ apps do)
    unless the request carries exactly that X-Api-Key.
    """
    body = STATUS[status] if isinstance(status, str) else status
    rsps.add(responses.GET, f"{base}/ping", json={"status": "OK"})

    def guarded(payload):
        def callback(request):
            if api_key is not None and request.headers.get("X-Api-Key") != api_key:
                return (401, {}, "")
            return (200, {"Content-Type": "application/json"}, json.dumps(payload))

        return callback

    rsps.add_callback(responses.GET, f"{base}/api/v3/system/status", callback=guarded(body))
    rsps.add_callback(responses.GET, f"{base}/api/v3/health", callback=guarded(health or []))

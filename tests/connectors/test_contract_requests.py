"""Every request the clients send exists in the right OpenAPI document.

Each client is driven through all of its public methods (and its
version-dependent fallbacks) against mocked apps; every captured request must
have a path and method the document declares, only query parameters the
document declares for it, values of the declared types, and command bodies
must use the command names and fields the apps bind (docs/arr-api.md section 5; the
documents' generic Command schema does not list them).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from connectors.radarr.commands import movies_search
from connectors.sonarr.commands import episode_search, season_search, series_search
from tests.contract import ContractError, assert_request_conforms, request_problems

from .conftest import load_fixture

BASE = "http://arr.test:8989"

# The Eros document is stale: /wanted/* exist in Whisparr-Eros source from 3.2.0
# with Radarr's parameters (docs/arr-api.md section 4), so those two requests are held
# to the Radarr document instead.
KNOWN_SPEC_GAPS = {
    ("whisparr-v3", "GET", "/api/v3/wanted/missing"): "radarr-v3",
    ("whisparr-v3", "GET", "/api/v3/wanted/cutoff"): "radarr-v3",
    # Radarr 4 read page, pageSize, sortKey and sortDirection from the raw query
    # (Request.ReadPagingResourceFromRequest), so its document leaves them out; the 5.28
    # document declares the same endpoints with them.
    ("radarr-v3-app-v4.7.5", "GET", "/api/v3/queue"): "radarr-v3-app-v5.28",
    ("radarr-v3-app-v4.7.5", "GET", "/api/v3/history"): "radarr-v3-app-v5.28",
}

# Command names and body fields per shape (docs/arr-api.md section 5, from the apps' Command classes).
SERIES_COMMANDS = {
    "SeriesSearch": {"seriesId": int},
    "SeasonSearch": {"seriesId": int, "seasonNumber": int},
    "EpisodeSearch": {"episodeIds": list},
}
MOVIE_COMMANDS = {"MoviesSearch": {"movieIds": list}}


def _page(records: list) -> dict:
    return {
        "page": 1,
        "pageSize": 1000,
        "sortKey": "x",
        "sortDirection": "ascending",
        "totalRecords": len(records),
        "records": records,
    }


def responder(app: str):
    """A fake app answering from the recorded fixtures, by path."""
    series_shaped = app in ("sonarr", "whisparr_v2")
    if series_shaped:
        episodes_app = "sonarr" if app == "sonarr" else "whisparr_v2"
        episodes = load_fixture(episodes_app, "episodes_plain" if app == "sonarr" else "episodes")
        files = load_fixture(episodes_app, "episodefiles")
    else:
        movies = load_fixture("radarr" if app == "radarr" else "whisparr_v3", "movies")
        for movie in movies:
            movie.pop("movieFile", None)  # force the /moviefile path too
    queue = load_fixture("sonarr" if series_shaped else "radarr", "queue")
    history = load_fixture("sonarr" if series_shaped else "radarr", "history_since")
    command = load_fixture("sonarr" if series_shaped else "radarr", "command_queued")

    def answer(request):
        path = urlsplit(request.url).path
        routes = {
            "/ping": {"status": "OK"},
            "/api/v3/system/status": load_fixture("radarr", "system_status"),
            "/api/v3/health": load_fixture("sonarr", "health"),
            "/api/v3/qualityprofile": load_fixture("sonarr", "qualityprofile"),
            "/api/v3/queue/status": load_fixture("sonarr", "queue_status"),
            "/api/v3/queue": queue,
            "/api/v3/history/since": history,
            "/api/v3/history": _page(history),
            "/api/v3/command": [command] if request.method == "GET" else command,
        }
        if series_shaped:
            routes |= {
                "/api/v3/series": load_fixture("sonarr", "series"),
                "/api/v3/episode": episodes,
                "/api/v3/episodefile": files,
                "/api/v3/wanted/missing": _page(episodes[2:]),
                "/api/v3/wanted/cutoff": _page(episodes[:1]),
            }
        else:
            routes |= {
                "/api/v3/movie": movies,
                "/api/v3/moviefile": load_fixture("radarr", "moviefiles"),
                "/api/v3/wanted/missing": _page(movies[1:2]),
                "/api/v3/wanted/cutoff": _page(movies[:1]),
            }
        if re.fullmatch(r"/api/v3/command/\d+", path):
            return 200, {}, json.dumps(command)
        if path not in routes:
            return 404, {}, json.dumps({"message": "NotFound"})
        status = 201 if request.method == "POST" else 200
        return status, {"Content-Type": "application/json"}, json.dumps(routes[path])

    return answer


def drive(client) -> None:
    """Call every public method, as the rest of Comradarr would."""
    client.ping()
    client.system_status()
    client.health()
    client.quality_profiles()
    client.queue_status()
    list(client.queue_items())
    client.history_since(datetime(2026, 11, 26, tzinfo=UTC))
    client.history_since(datetime(2026, 11, 26, tzinfo=UTC), event_type="grabbed")
    client.commands()
    client.get_command(345)
    list(client.wanted_missing())
    list(client.wanted_cutoff())
    if client.shape == "series":
        client.series()
        client.episodes(12)
        client.post_command(series_search(12))
        client.post_command(season_search(12, 1))
        client.post_command(episode_search([101, 102]))
    else:
        client.movies()
        client.post_command(movies_search([7, 8]))


CASES = [
    # kind, version, spec, fixture app
    ("sonarr", "3.0.10.1567", "sonarr", "sonarr"),
    ("sonarr", "4.0.0.741", "sonarr", "sonarr"),
    ("sonarr", "4.0.19.2979", "sonarr", "sonarr"),
    # Older apps are held to the oldest document that is not older than them.
    ("radarr", "3.2.2.5080", "radarr-v3-app-v4.7.5", "radarr"),
    ("radarr", "4.7.5.7809", "radarr-v3-app-v4.7.5", "radarr"),
    ("radarr", "5.6.0.8846", "radarr-v3-app-v5.28", "radarr"),
    ("radarr", "5.28.0.10205", "radarr-v3-app-v5.28", "radarr"),
    ("radarr", "6.0.4.10291", "radarr", "radarr"),
    ("whisparr", "2.0.0.819", "whisparr-v2", "whisparr_v2"),
    ("whisparr", "3.0.0.100", "whisparr-v3", "whisparr_v3"),
    ("whisparr", "3.2.0.170", "whisparr-v3", "whisparr_v3"),
]


@pytest.mark.parametrize(
    ("kind", "version", "spec", "app"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_every_request_is_declared_by_the_openapi_document(
    rsps, make_client, kind, version, spec, app
):
    rsps.add_callback("GET", re.compile(re.escape(BASE) + r"/.*"), callback=responder(app))
    rsps.add_callback("POST", re.compile(re.escape(BASE) + r"/.*"), callback=responder(app))
    client = make_client(kind, version, BASE)
    drive(client)
    assert len(rsps.calls) >= 14
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for call in rsps.calls:
        method, url = call.request.method, call.request.url
        path = urlsplit(url).path
        seen.add((method, path))
        target = KNOWN_SPEC_GAPS.get((spec, method, path), spec)
        problems += request_problems(target, method, url)
        if method == "POST":
            problems += command_problems(client.shape, json.loads(call.request.body))
        assert call.response.status_code in (200, 201), f"{method} {url} unanswered"
    assert not problems, "\n".join(problems)
    # The run really covered the library endpoints of the shape.
    if client.shape == "series":
        assert ("GET", "/api/v3/episode") in seen
    else:
        assert ("GET", "/api/v3/movie") in seen


def command_problems(shape: str, body: dict) -> list[str]:
    table = SERIES_COMMANDS if shape == "series" else MOVIE_COMMANDS
    name = body.get("name")
    if name not in table:
        return [f"command name {name!r} is not one the {shape} apps bind ({sorted(table)})"]
    problems = []
    fields = table[name]
    for key, value in body.items():
        if key == "name":
            continue
        if key not in fields:
            problems.append(f"{name}: field {key!r} is not a {name} field")
        elif not isinstance(value, fields[key]) or isinstance(value, bool):
            problems.append(f"{name}: {key}={value!r} is not {fields[key].__name__}")
        elif isinstance(value, list) and not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            problems.append(f"{name}: {key} must hold integer ids")
    missing = set(fields) - set(body)
    if missing:
        problems.append(f"{name}: missing {sorted(missing)}")
    return problems


# ------------------------------------------------------- the checker itself


def test_checker_rejects_unknown_paths_methods_and_params():
    assert request_problems("sonarr", "GET", "http://x/api/v3/movie")
    assert request_problems("sonarr", "DELETE", "http://x/api/v3/series")
    problems = request_problems("sonarr", "GET", "http://x/api/v3/series?apikey=k")
    assert "'apikey' is not declared" in problems[0]
    assert request_problems("sonarr", "GET", "http://x/api/v3/episode?seriesId=abc")
    assert request_problems("sonarr", "GET", "http://x/api/v3/episode?includeSeries=True")
    assert request_problems("radarr-v3-app-v4.7.5", "GET", "http://x/api/v3/wanted/missing")
    # A non-array parameter given twice (Radarr 4.7.5 binds movieId as one integer).
    assert request_problems(
        "radarr-v3-app-v4.7.5", "GET", "http://x/api/v3/moviefile?movieId=1&movieId=2"
    )
    assert not request_problems("radarr", "GET", "http://x/api/v3/moviefile?movieId=1&movieId=2")
    with pytest.raises(ContractError):
        assert_request_conforms("whisparr-v3", "GET", "http://x/api/v3/wanted/missing")
    assert_request_conforms("sonarr", "GET", "http://x/api/v3/command/12")


def test_command_checker_catches_wrong_names_and_fields():
    assert command_problems("movies", {"name": "MovieSearch", "movieIds": [1]})
    assert command_problems("series", {"name": "EpisodeSearch", "episodeIds": "1,2"})
    assert command_problems("series", {"name": "SeasonSearch", "seriesId": 1})
    assert command_problems("series", {"name": "SeriesSearch", "seriesId": 1, "extra": 2})
    assert not command_problems(
        "series", {"name": "SeasonSearch", "seriesId": 1, "seasonNumber": 0}
    )

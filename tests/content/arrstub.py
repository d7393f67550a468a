"""A small Sonarr/Radarr served through `responses`: the library as plain dicts,
rendered as JSON shaped like the OpenAPI documents (SeriesResource with season
statistics, EpisodeResource with embedded episodeFile, MovieResource with
movieFile, HistoryResource). Statistics are computed from the episodes as
Sonarr does (docs/arr-api.md section 3), so a change to an episode shows in them.

Tests mutate ``series``/``episodes``/``movies`` directly and add ``faults``
(path -> callable returning a (status, body) tuple) to break one endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import responses

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = NOW - timedelta(days=30)
FUTURE = NOW + timedelta(days=30)


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def quality(name: str = "HDTV-720p", resolution: int = 720) -> dict:
    return {
        "quality": {"id": 4, "name": name, "source": "television", "resolution": resolution},
        "revision": {"version": 1, "real": 0, "isRepack": False},
    }


@dataclass
class StubArr:
    base: str
    kind: str = "sonarr"  # sonarr | radarr
    series: dict[int, dict] = field(default_factory=dict)
    episodes: dict[int, dict] = field(default_factory=dict)
    movies: dict[int, dict] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    faults: dict[str, object] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    wanted: bool = True  # serve /wanted/missing and /wanted/cutoff (pageSize honoured)

    # ------------------------------------------------------------ building

    def add_series(
        self,
        sid: int,
        *,
        episodes: int = 3,
        seasons: int = 1,
        files: int = 0,
        monitored: bool = True,
        **fields,
    ) -> dict:
        self.series[sid] = {
            "id": sid,
            "title": f"Show {sid}",
            "sortTitle": f"show {sid}",
            "status": "continuing",
            "monitored": monitored,
            "seriesType": "standard",
            "qualityProfileId": 1,
            "tvdbId": 7000 + sid,
            "year": 2019,
            "added": iso(PAST),
            "seasonMonitored": {},
            **fields,
        }
        for season in range(1, seasons + 1):
            self.series[sid]["seasonMonitored"][season] = True
            for number in range(1, episodes + 1):
                eid = sid * 1000 + season * 100 + number
                self.add_episode(eid, sid, season, number, has_file=number <= files)
        return self.series[sid]

    def add_episode(
        self,
        eid: int,
        sid: int,
        season: int,
        number: int,
        *,
        has_file=False,
        air: datetime | None = PAST,
        monitored: bool = True,
    ) -> dict:
        self.series[sid]["seasonMonitored"].setdefault(season, True)
        self.episodes[eid] = {
            "id": eid,
            "seriesId": sid,
            "seasonNumber": season,
            "episodeNumber": number,
            "title": f"Episode {number}",
            "airDateUtc": iso(air),
            "monitored": monitored,
            "file": None,
        }
        if has_file:
            self.give_file(eid)
        return self.episodes[eid]

    def give_file(
        self, eid: int, *, cutoff_not_met: bool = False, name: str = "HDTV-720p", size: int = 1000
    ) -> None:
        self.episodes[eid]["file"] = {
            "id": eid + 500000,
            "size": size,
            "quality": quality(name),
            "qualityCutoffNotMet": cutoff_not_met,
            "customFormatScore": 10,
        }

    def add_movie(self, mid: int, *, has_file=False, cutoff_not_met=False, **fields) -> dict:
        self.movies[mid] = {
            "id": mid,
            "title": f"Movie {mid}",
            "sortTitle": f"movie {mid}",
            "year": 2020,
            "status": "released",
            "monitored": True,
            "minimumAvailability": "released",
            "isAvailable": True,
            "inCinemas": iso(PAST),
            "tmdbId": 9000 + mid,
            "imdbId": f"tt{mid:07d}",
            "qualityProfileId": 1,
            "added": iso(PAST),
            "file": None,
            **fields,
        }
        if has_file:
            self.give_movie_file(mid, cutoff_not_met=cutoff_not_met)
        return self.movies[mid]

    def give_movie_file(self, mid: int, *, cutoff_not_met=False, name="Bluray-1080p") -> None:
        self.movies[mid]["file"] = {
            "id": mid + 800000,
            "movieId": mid,
            "size": 5000,
            "quality": quality(name, 1080),
            "qualityCutoffNotMet": cutoff_not_met,
            "customFormatScore": 0,
        }

    def record(self, event: str, *, series_id=None, episode_id=None, movie_id=None) -> None:
        self.history.append(
            {
                "id": len(self.history) + 1,
                "eventType": event,
                "date": iso(datetime.now(UTC)),
                "seriesId": series_id,
                "episodeId": episode_id,
                "movieId": movie_id,
                "sourceTitle": "x",
                "qualityCutoffNotMet": False,
            }
        )

    # ----------------------------------------------------------- rendering

    def _episode_json(self, ep: dict) -> dict:
        out = {k: v for k, v in ep.items() if k != "file" and v is not None}
        file = ep["file"]
        out["hasFile"] = file is not None
        out["episodeFileId"] = file["id"] if file else 0
        if file:
            out["episodeFile"] = {
                "seriesId": ep["seriesId"],
                "seasonNumber": ep["seasonNumber"],
                **file,
            }
        return out

    def _stats(self, eps: list[dict]) -> dict:
        aired = [e for e in eps if e["airDateUtc"] and e["airDateUtc"] <= iso(NOW)]
        with_file = [e for e in eps if e["file"]]
        counted = {e["id"] for e in aired if e["monitored"]} | {e["id"] for e in with_file}
        upcoming = sorted(
            e["airDateUtc"]
            for e in eps
            if e["monitored"] and e["airDateUtc"] and e["airDateUtc"] > iso(NOW)
        )
        return {
            "episodeFileCount": len(with_file),
            "episodeCount": len(counted),
            "totalEpisodeCount": len(eps),
            "sizeOnDisk": sum(e["file"]["size"] for e in with_file),
            "percentOfEpisodes": 100.0 * len(with_file) / len(counted) if counted else 0.0,
            **({"nextAiring": upcoming[0]} if upcoming else {}),
        }

    def _series_json(self, s: dict) -> dict:
        eps = [e for e in self.episodes.values() if e["seriesId"] == s["id"]]
        seasons = []
        for number, monitored in sorted(s["seasonMonitored"].items()):
            season_eps = [e for e in eps if e["seasonNumber"] == number]
            seasons.append(
                {
                    "seasonNumber": number,
                    "monitored": monitored,
                    "statistics": self._stats(season_eps),
                }
            )
        stats = self._stats(eps)
        out = {k: v for k, v in s.items() if k != "seasonMonitored"}
        out.update(seasons=seasons, statistics=stats)
        if "nextAiring" in stats:
            out["nextAiring"] = stats["nextAiring"]
        return out

    def _movie_json(self, m: dict) -> dict:
        out = {k: v for k, v in m.items() if k != "file"}
        file = m["file"]
        out["hasFile"] = file is not None
        out["movieFileId"] = file["id"] if file else 0
        if file:
            out["movieFile"] = file
        return out

    def _wanted(self, cutoff: bool, size: int) -> dict:
        """A /wanted page: monitored items without a file (aired episodes), or below cutoff."""
        if self.kind == "sonarr":
            items = [
                (e, self._episode_json(e))
                for e in self.episodes.values()
                if e["monitored"] and self.series.get(e["seriesId"], {}).get("monitored")
            ]
            missing = [j for e, j in items if not e["file"] and (e["airDateUtc"] or "") <= iso(NOW)]
        else:
            items = [(m, self._movie_json(m)) for m in self.movies.values() if m["monitored"]]
            missing = [j for m, j in items if not m["file"] and m.get("year")]
        below = [j for m, j in items if m["file"] and m["file"]["qualityCutoffNotMet"]]
        records = below if cutoff else missing
        return {
            "page": 1,
            "pageSize": size,
            "totalRecords": len(records),
            "records": records[:size],
        }

    # ------------------------------------------------------------- serving

    def _handle(self, request):
        url = urlsplit(request.url)
        path = url.path
        query = parse_qs(url.query)
        self.calls.append(path + ("?" + url.query if url.query else ""))
        for pattern, fault in self.faults.items():
            if pattern in request.url:
                return fault()
        if path == "/api/v3/system/status":
            version = "4.0.19.2979" if self.kind == "sonarr" else "5.28.0.10205"
            body = {"appName": self.kind.capitalize(), "version": version}
        elif path == "/api/v3/qualityprofile":
            body = [
                {
                    "id": 1,
                    "name": "HD-1080p",
                    "upgradeAllowed": True,
                    "cutoff": 7,
                    "cutoffFormatScore": 0,
                    "minFormatScore": 0,
                    "items": [],
                }
            ]
        elif path == "/api/v3/series":
            body = [self._series_json(s) for s in self.series.values()]
        elif path == "/api/v3/episode":
            sid = int(query["seriesId"][0])
            if sid not in self.series:
                return 404, {}, json.dumps({"message": "NotFound"})
            body = [self._episode_json(e) for e in self.episodes.values() if e["seriesId"] == sid]
        elif path == "/api/v3/history/since":
            since = datetime.fromisoformat(query["date"][0].replace("Z", "+00:00"))
            body = [
                h
                for h in self.history
                if datetime.fromisoformat(h["date"].replace("Z", "+00:00")) >= since
            ]
        elif path == "/api/v3/movie":
            body = [self._movie_json(m) for m in self.movies.values()]
        elif path.startswith("/api/v3/movie/") or path.startswith("/api/v3/series/"):
            kind, _, raw_id = path.removeprefix("/api/v3/").partition("/")
            items, render = (
                (self.movies, self._movie_json)
                if kind == "movie"
                else (self.series, self._series_json)
            )
            if not raw_id.isdigit() or int(raw_id) not in items:
                return 404, {}, json.dumps({"message": "NotFound"})
            body = render(items[int(raw_id)])
        elif path in ("/api/v3/wanted/missing", "/api/v3/wanted/cutoff") and self.wanted:
            body = self._wanted(path.endswith("cutoff"), int(query.get("pageSize", ["10"])[0]))
        else:
            return 404, {}, json.dumps({"message": f"no route {path}"})
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def install(self, mock: responses.RequestsMock) -> None:
        import re

        mock.add_callback(
            responses.GET, re.compile(re.escape(self.base) + r"/.*"), callback=self._handle
        )


def server_error() -> tuple:
    return 500, {"Content-Type": "application/json"}, json.dumps({"message": "boom"})


def truncated() -> tuple:
    return 200, {"Content-Type": "application/json"}, '[{"id": 1, "title": "cut'

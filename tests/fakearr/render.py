"""Library and simulation state -> the JSON resources each app version answers with.

Builders produce a superset of fields; ``specs.clean`` keeps only what the
version's OpenAPI document declares (plus the documented wire overlays) and drops
nulls, as the apps' serializers do (WhenWritingNull).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import words
from .library import F_MONITORED, NO_AIR, RELEASE_TYPES, Library, Movie, Series
from .profiles import AppProfile
from .qualities import quality_table
from .specs import clean

if TYPE_CHECKING:
    from .simulation import CommandState, HistoryEvent, QueueItem

ENGLISH = {"id": 1, "name": "English"}


def iso(ts: float | None) -> str | None:
    """UTC ISO-8601 with Z, as the apps write dates (milliseconds only when present)."""
    if ts is None or ts == NO_AIR:
        return None
    # time.gmtime + % formatting is several times faster than datetime.strftime, which
    # matters when a sync pulls 500,000 episodes through this server.
    whole = int(ts // 1)
    t = time.gmtime(whole)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % t[:6]  # noqa: UP031 - speed, see above
    millis = round((ts - whole) * 1000)
    return f"{text}.{millis:03d}Z" if millis and millis < 1000 else text + "Z"


def timespan(seconds: float) -> str:
    """.NET TimeSpan text: hh:mm:ss.fffffff, with a d. prefix past a day."""
    seconds = max(0.0, seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours):02d}:{int(minutes):02d}:{secs:010.7f}"
    return f"{int(days)}.{text}" if days else text


class Renderer:
    """Renders resources for one app profile; small sub-objects are cached."""

    def __init__(self, profile: AppProfile, library: Library) -> None:
        self.p = profile
        self.lib = library
        family = "radarr" if profile.kind == "radarr" else "tv"
        self.qualities = quality_table(family)
        self._quality_cache: dict[int, dict] = {}
        self._media_cache: dict[int, dict] = {}
        self.image_base = "https://artworks.example.invalid"

    # ------------------------------------------------------------------ small parts
    def quality(self, quality_id: int) -> dict[str, Any]:
        cached = self._quality_cache.get(quality_id)
        if cached is None:
            q = self.qualities[quality_id]
            inner = clean(
                self.p,
                "Quality",
                {
                    "id": q.id,
                    "name": q.name,
                    "source": q.source,
                    "resolution": q.resolution,
                    "modifier": q.modifier,
                },
            )
            cached = {"quality": inner, "revision": {"version": 1, "real": 0, "isRepack": False}}
            self._quality_cache[quality_id] = cached
        return cached

    def media_info(self, quality_id: int) -> dict[str, Any]:
        cached = self._media_cache.get(quality_id)
        if cached is None:
            res = self.qualities[quality_id].resolution
            width = {480: 720, 720: 1280, 1080: 1920, 2160: 3840}[res]
            cached = clean(
                self.p,
                "MediaInfoResource",
                {
                    "audioBitrate": 640000,
                    "audioChannels": 5.1,
                    "audioCodec": "EAC3",
                    "audioLanguages": "eng",
                    "audioStreamCount": 1,
                    "videoBitDepth": 10 if res == 2160 else 8,
                    "videoBitrate": 0,
                    "videoCodec": "x265" if res == 2160 else "h264",
                    "videoFps": 23.976,
                    "videoDynamicRange": "HDR" if res == 2160 else "",
                    "videoDynamicRangeType": "HDR10" if res == 2160 else "",
                    "resolution": f"{width}x{res}",
                    "runTime": "44:12",
                    "scanType": "Progressive",
                    "subtitles": "English",
                },
            )
            self._media_cache[quality_id] = cached
        return cached

    def images(self, kind: str, item_id: int) -> list[dict[str, Any]]:
        return [
            {
                "coverType": "poster",
                "url": f"/MediaCover/{item_id}/poster.jpg",
                "remoteUrl": f"{self.image_base}/{kind}/{item_id}/poster.jpg",
            }
        ]

    def custom_format_score(self, file_id: int) -> int:
        return (words.mix(self.lib.seed, file_id, 5) % 4) * 50

    # ------------------------------------------------------------------ series shape
    def series(self, s: Series, now: float) -> dict[str, Any]:
        seasons, total = self.lib.season_statistics(s.id, now)
        lib = self.lib
        first_aired, last_aired = lib.first_last_aired(s.id, now)
        folder = s.title.replace(":", "")
        data = {
            "id": s.id,
            "title": s.title,
            "alternateTitles": [],
            "sortTitle": s.sort_title,
            "status": s.status,
            "ended": s.status == "ended",
            "overview": f"{s.title} is a simulated series.",
            "nextAiring": iso(total["nextAiring"]),
            "previousAiring": iso(total["previousAiring"]),
            "network": s.network,
            "airTime": "21:00",
            "images": self.images("series", s.id),
            "originalLanguage": ENGLISH,
            "remotePoster": f"{self.image_base}/series/{s.id}/poster.jpg",
            "seasons": [
                {
                    "seasonNumber": n,
                    "monitored": s.seasons[n],
                    "statistics": {
                        k: (iso(v) if k in ("nextAiring", "previousAiring") else v)
                        for k, v in st.items()
                    },
                }
                for n, st in sorted(seasons.items())
            ],
            "year": s.year,
            "path": f"/tv/{folder}",
            "qualityProfileId": s.quality_profile_id,
            "seasonFolder": True,
            "monitored": s.monitored,
            "monitorNewItems": "all",
            "useSceneNumbering": False,
            "runtime": s.runtime,
            "tvdbId": s.tvdb_id,
            "tvRageId": 0,
            "tvMazeId": s.tvmaze_id,
            "tmdbId": s.tmdb_id,
            "firstAired": iso(first_aired),
            "lastAired": iso(last_aired),
            "seriesType": s.series_type,
            "cleanTitle": words.clean_title(s.title),
            "imdbId": s.imdb_id,
            "titleSlug": words.slug(s.title),
            "rootFolderPath": "/tv/",
            "certification": "TV-14",
            "genres": list(s.genres),
            "tags": list(s.tags),
            "added": iso(s.added),
            "ratings": {"votes": 100 + s.id % 900, "value": round(5 + (s.id % 50) / 10, 1)},
            "statistics": {
                k: v for k, v in total.items() if k not in ("nextAiring", "previousAiring")
            },
            "languageProfileId": 1,
        }
        for season in data["seasons"]:
            season["statistics"] = {k: v for k, v in season["statistics"].items() if v is not None}
        return clean(self.p, "SeriesResource", data)

    def episode(
        self,
        episode_id: int,
        *,
        include_file: bool = False,
        include_series: bool = False,
        include_images: bool = False,
        grabbed: bool = False,
        now: float = 0,
    ) -> dict[str, Any]:
        lib = self.lib
        i = episode_id - 1
        sid = lib.ep_series[i]
        s = lib.series[sid]
        air = lib.ep_air[i]
        file_id = lib.ep_file[i]
        last_search = lib.ep_last_search[i]
        air_iso = iso(air)
        data = {
            "id": episode_id,
            "seriesId": sid,
            "tvdbId": 5000000 + episode_id,
            "episodeFileId": file_id,
            "seasonNumber": lib.ep_season[i],
            "episodeNumber": lib.ep_number[i],
            "title": words.episode_title(episode_id, lib.seed),
            "airDate": air_iso[:10] if air_iso else None,
            "airDateUtc": air_iso,
            "releaseDate": air_iso[:10] if air_iso else None,
            "lastSearchTime": iso(last_search) if last_search else None,
            "runtime": s.runtime,
            "overview": "A simulated episode.",
            "hasFile": bool(file_id),
            "monitored": bool(lib.ep_flags[i] & F_MONITORED),
            "absoluteEpisodeNumber": lib.ep_absolute[i] or None,
            "unverifiedSceneNumbering": False,
            "endTime": None if air == NO_AIR else iso(air + s.runtime * 60),
            "seriesTitle": s.title,
            "actors": [],
            "grabbed": grabbed,
        }
        if include_file and file_id:
            data["episodeFile"] = self.episode_file(file_id)
        if include_series:
            data["series"] = self.series(s, now)
        if include_images:
            data["images"] = self.images("episode", episode_id)
        return clean(self.p, "EpisodeResource", data)

    def episode_file(self, file_id: int) -> dict[str, Any]:
        lib = self.lib
        f = file_id - 1
        eid = lib.f_episode[f]
        i = eid - 1
        s = lib.series[lib.ep_series[i]]
        quality_id = lib.f_quality[f]
        season = lib.ep_season[i]
        number = lib.ep_number[i]
        group = words.RELEASE_GROUPS[lib.f_group[f]]
        qname = self.qualities[quality_id].name
        relative = (
            f"Season {season:02d}/{s.title} - S{season:02d}E{number:02d} [{qname}]-{group}.mkv"
        )
        data = {
            "id": file_id,
            "seriesId": s.id,
            "seasonNumber": season,
            "relativePath": relative,
            "path": f"/tv/{s.title}/{relative}",
            "size": lib.f_size[f],
            "dateAdded": iso(lib.f_added[f]),
            "releaseGroup": group,
            "languages": [ENGLISH],
            "language": ENGLISH,
            "quality": self.quality(quality_id),
            "customFormats": [],
            "customFormatScore": self.custom_format_score(file_id),
            "indexerFlags": 0,
            "releaseType": RELEASE_TYPES[lib.f_release_type[f]],
            "mediaInfo": self.media_info(quality_id),
            "qualityCutoffNotMet": lib.file_cutoff_not_met(file_id),
            "languageCutoffNotMet": False,
        }
        return clean(self.p, "EpisodeFileResource", data)

    # ------------------------------------------------------------------ movies shape
    def movie(self, m: Movie, now: float) -> dict[str, Any]:
        lib = self.lib
        folder = f"{m.title} ({m.year})".replace(":", "")
        eros = self.p.kind == "whisparr_v3"
        data = {
            "id": m.id,
            "title": m.title,
            "originalTitle": m.title,
            "originalLanguage": ENGLISH,
            "alternateTitles": [],
            "secondaryYearSourceId": 0,
            "sortTitle": m.sort_title,
            "sizeOnDisk": m.file_size if m.file_id else 0,
            "status": lib.movie_status(m, now),
            "overview": f"{m.title} is a simulated {m.item_type}.",
            "inCinemas": iso(m.in_cinemas),
            "physicalRelease": iso(m.physical_release),
            "digitalRelease": iso(m.digital_release),
            "releaseDate": iso(lib.movie_release_date(m)),
            "images": self.images("movie", m.id),
            "website": "",
            "remotePoster": f"{self.image_base}/movie/{m.id}/poster.jpg",
            "year": m.year,
            "youTubeTrailerId": "",
            "studio": m.studio,
            "studioTitle": m.studio,
            "studioForeignId": f"studio-{words.slug(m.studio)}",
            "path": f"/movies/{folder}",
            "qualityProfileId": m.quality_profile_id,
            "hasFile": bool(m.file_id),
            "movieFileId": m.file_id,
            "monitored": m.monitored,
            "minimumAvailability": m.minimum_availability,
            "isAvailable": lib.movie_is_available(m, now),
            "folderName": f"/movies/{folder}",
            "runtime": m.runtime,
            "cleanTitle": words.clean_title(m.title),
            "imdbId": m.imdb_id,
            "tmdbId": m.tmdb_id,
            "foreignId": f"{m.tmdb_id}",
            "stashId": f"stash-{m.id}" if eros else None,
            "code": f"SC{m.id:05d}" if eros and m.item_type == "scene" else None,
            "itemType": m.item_type,
            "credits": [],
            "titleSlug": f"{m.tmdb_id}" if not eros else words.slug(m.title),
            "rootFolderPath": "/movies/",
            "certification": "R",
            "genres": list(m.genres),
            "keywords": [],
            "tags": list(m.tags),
            "added": iso(m.added),
            "ratings": self.movie_ratings(m),
            "popularity": round(1 + (m.id % 97) / 3, 2),
            "lastSearchTime": iso(m.last_search) if m.last_search else None,
            "statistics": clean(
                self.p,
                "MovieStatisticsResource",
                {
                    "movieFileCount": 1 if m.file_id else 0,
                    "sizeOnDisk": m.file_size if m.file_id else 0,
                    "releaseGroups": [words.RELEASE_GROUPS[m.file_group]] if m.file_id else [],
                },
            )
            if self.p.movie_statistics
            else None,
        }
        if m.file_id:
            data["movieFile"] = self.movie_file(m)
        return clean(self.p, "MovieResource", data)

    def movie_ratings(self, m: Movie) -> dict[str, Any]:
        value = round(5 + (m.id % 50) / 10, 1)
        if self.p.shape == "movies":  # Radarr and Eros rate per source
            return {
                "imdb": {"votes": 1000 + m.id, "value": value, "type": "user"},
                "tmdb": {"votes": 500 + m.id, "value": value, "type": "user"},
            }
        return {"votes": 100 + m.id % 900, "value": value}

    def movie_file(self, m: Movie) -> dict[str, Any]:
        group = words.RELEASE_GROUPS[m.file_group]
        qname = self.qualities[m.file_quality].name
        relative = f"{m.title} ({m.year}) [{qname}]-{group}.mkv"
        data = {
            "id": m.file_id,
            "movieId": m.id,
            "relativePath": relative,
            "path": f"/movies/{m.title} ({m.year})/{relative}",
            "size": m.file_size,
            "dateAdded": iso(m.file_added),
            "releaseGroup": group,
            "edition": "",
            "languages": [ENGLISH],
            "quality": self.quality(m.file_quality),
            "customFormats": [],
            "customFormatScore": self.custom_format_score(m.file_id),
            "indexerFlags": 0,
            "mediaInfo": self.media_info(m.file_quality),
            "qualityCutoffNotMet": self.lib.movie_cutoff_not_met(m),
        }
        return clean(self.p, "MovieFileResource", data)

    # ------------------------------------------------------------------ app-level
    def quality_profiles(self) -> list[dict[str, Any]]:
        out = []
        for prof in self.lib.profiles.values():
            items = [
                {
                    "quality": self.quality(q.id)["quality"],
                    "items": [],
                    "allowed": q.id in prof.allowed,
                }
                for q in sorted(
                    self.qualities.values(),
                    key=lambda q: prof.rank(q.id) if q.id in prof.allowed else 100 + q.id,
                )
            ]
            out.append(
                clean(
                    self.p,
                    "QualityProfileResource",
                    {
                        "id": prof.id,
                        "name": prof.name,
                        "upgradeAllowed": prof.upgrade_allowed,
                        "cutoff": prof.cutoff,
                        "items": [
                            clean(self.p, "QualityProfileQualityItemResource", it) for it in items
                        ],
                        "minFormatScore": prof.min_format_score,
                        "cutoffFormatScore": prof.cutoff_format_score,
                        "minUpgradeFormatScore": 1,
                        "formatItems": [],
                        "language": ENGLISH,
                    },
                )
            )
        return out

    def system_status(
        self, *, started: datetime, url_base: str, instance_name: str
    ) -> dict[str, Any]:
        data = {
            "appName": self.p.app_name,
            "instanceName": instance_name,
            "version": self.p.version,
            "buildTime": iso((started - timedelta(days=30)).timestamp()),
            "isDebug": False,
            "isProduction": True,
            "isAdmin": False,
            "isUserInteractive": False,
            "startupPath": f"/app/{self.p.app_name.lower()}/bin",
            "appData": "/config",
            "osName": "debian",
            "osVersion": "12",
            "isNetCore": True,
            "isMonoRuntime": True,
            "isMono": True,
            "isLinux": True,
            "isOsx": False,
            "isWindows": False,
            "isDocker": True,
            "mode": "console",
            "branch": "main"
            if self.p.kind == "sonarr"
            else "master"
            if self.p.kind == "radarr"
            else "develop",
            "authentication": "forms",
            "sqliteVersion": "3.44.2",
            "migrationVersion": 214,
            "urlBase": url_base,
            "runtimeVersion": "6.0.35" if not self.p.is_sonarr_v3_app else "6.12.0.182",
            "runtimeName": ".NET" if not self.p.is_sonarr_v3_app else "mono",
            "startTime": iso(started.timestamp()),
            "packageVersion": self.p.version,
            "packageAuthor": "[fakearr](https://example.invalid)",
            "packageUpdateMechanism": "docker",
            "databaseVersion": "3.44.2",
            "databaseType": "sqLite",
        }
        return clean(self.p, "SystemResource", data)

    def queue_item(self, q: QueueItem, now: float, *, include_item: bool) -> dict[str, Any]:
        remaining = max(0.0, q.import_at - now)
        total = q.import_at - q.grabbed_at or 1
        done = remaining <= 0
        data = {
            "id": q.id,
            "seriesId": q.series_id,
            "episodeId": q.episode_id,
            "seasonNumber": q.season_number,
            "movieId": q.movie_id,
            "languages": [ENGLISH],
            "quality": self.quality(q.quality_id),
            "customFormats": [],
            "customFormatScore": 0,
            "size": float(q.size),
            "title": q.title,
            "estimatedCompletionTime": iso(q.import_at),
            "added": iso(q.grabbed_at),
            "status": "completed" if done else "downloading",
            "trackedDownloadStatus": "ok",
            "trackedDownloadState": "importPending" if done else "downloading",
            "statusMessages": [],
            "downloadId": q.download_id,
            "protocol": q.protocol,
            "downloadClient": "SABnzbd" if q.protocol == "usenet" else "qBittorrent",
            "downloadClientHasPostImportCategory": False,
            "indexer": q.indexer,
            "outputPath": f"/downloads/complete/{q.title}",
            "episodeHasFile": bool(
                q.episode_id
                and self.lib.episode_exists(q.episode_id)
                and self.lib.episode_file_id(q.episode_id)
            ),
            "sizeleft": float(int(q.size * remaining / total)),
            "timeleft": timespan(remaining),
        }
        if include_item:
            if q.episode_id and self.lib.episode_exists(q.episode_id):
                data["series"] = self.series(self.lib.series[q.series_id], now)
                data["episode"] = self.episode(q.episode_id, now=now)
            if q.movie_id and q.movie_id in self.lib.movies:
                data["movie"] = self.movie(self.lib.movies[q.movie_id], now)
        return clean(self.p, "QueueResource", data)

    def history(self, h: HistoryEvent, now: float, *, include_item: bool) -> dict[str, Any]:
        data = {
            "id": h.id,
            "episodeId": h.episode_id,
            "seriesId": h.series_id,
            "movieId": h.movie_id,
            "sourceTitle": h.source_title,
            "languages": [ENGLISH],
            "quality": self.quality(h.quality_id),
            "customFormats": [],
            "customFormatScore": 0,
            "qualityCutoffNotMet": h.cutoff_not_met,
            "date": iso(h.date),
            "downloadId": h.download_id,
            "eventType": h.event_type,
            "data": dict(h.data),
        }
        if include_item:
            if h.episode_id and self.lib.episode_exists(h.episode_id):
                data["series"] = self.series(self.lib.series[h.series_id], now)
                data["episode"] = self.episode(h.episode_id, now=now)
            if h.movie_id and h.movie_id in self.lib.movies:
                data["movie"] = self.movie(self.lib.movies[h.movie_id], now)
        return clean(self.p, "HistoryResource", data)

    def command(self, c: CommandState, now: float) -> dict[str, Any]:
        body = {
            **c.body,
            "sendUpdatesToClient": True,
            "updateScheduledTask": True,
            "completionMessage": "Completed",
            "requiresDiskAccess": False,
            "isExclusive": False,
            "isLongRunning": False,
            "name": c.name,
            "lastStartTime": iso(c.started),
            "trigger": "manual",
            "suppressMessages": False,
        }
        message_kept = c.ended is None or now - c.ended < c.message_retention
        duration = None
        if c.started is not None:
            duration = timespan((c.ended if c.ended is not None else now) - c.started)
        data = {
            "id": c.id,
            "name": c.name,
            "commandName": c.command_name,
            "message": c.message if message_kept else None,
            "body": body,
            "priority": "normal",
            "status": c.status,
            "result": c.result if message_kept else "unknown",
            "queued": iso(c.queued),
            "started": iso(c.started),
            "ended": iso(c.ended),
            "duration": duration,
            "exception": c.exception,
            "trigger": "manual",
            "clientUserAgent": c.user_agent,
            "stateChangeTime": iso(c.state_changed),
            "sendUpdatesToClient": True,
            "updateScheduledTask": True,
        }
        return clean(self.p, "CommandResource", data)

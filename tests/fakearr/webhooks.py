"""Connect -> Webhook: the payloads the apps POST when something happens.

Shapes follow docs/arr-api.md section 6 (Newtonsoft, camelCase, nulls omitted, eventType
in PascalCase). Payloads are built at the moment of the event, from the library
state, and delivered in order by one background thread so the simulation never
waits on the receiver. Whisparr v2 sends Sonarr's shapes, Whisparr v3 Radarr's.
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import words
from .library import Library
from .render import Renderer, iso


@dataclass
class Delivery:
    event_type: str
    payload: dict[str, Any]
    status: int | None = None  # HTTP status, None if the request failed
    error: str | None = None


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


class Webhooks:
    """Builds and sends webhook payloads for one FakeArr."""

    def __init__(
        self, renderer: Renderer, library: Library, *, instance_name: str, application_url: str
    ) -> None:
        self.r = renderer
        self.lib = library
        self.instance_name = instance_name
        self.application_url = application_url
        self.url: str | None = None
        self.username: str | None = None
        self.password: str | None = None
        self.headers: dict[str, str] = {}
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ delivery
    def configure(
        self,
        url: str | None,
        *,
        username: str | None = None,
        password: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url, self.username, self.password = url, username, password
        self.headers = dict(headers or {})

    def _send(self, event_type: str, body: dict[str, Any]) -> None:
        if not self.url:
            return
        payload = _compact(
            {
                "eventType": event_type,
                "instanceName": self.instance_name,
                "applicationUrl": self.application_url,
                **body,
            }
        )
        delivery = Delivery(event_type, payload)
        self.deliveries.append(delivery)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._worker, name="fakearr-webhooks", daemon=True
            )
            self._thread.start()
        self._queue.put(delivery)

    def _worker(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._post(delivery)
            finally:
                self._queue.task_done()

    def _post(self, delivery: Delivery) -> None:
        data = json.dumps(delivery.payload).encode()
        request = urllib.request.Request(self.url or "", data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", f"{self.r.p.app_name}/{self.r.p.version}")
        for key, value in self.headers.items():
            request.add_header(key, value)
        if self.username is not None:
            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                delivery.status = response.status
        except urllib.error.HTTPError as exc:
            delivery.status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            delivery.error = str(exc)

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was attempted; False on timeout."""
        done = threading.Event()

        def waiter() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    # ------------------------------------------------------------------ shared parts
    def _release(
        self, quality_id: int, title: str, group: str, indexer: str, size: int
    ) -> dict[str, Any]:
        return {
            "quality": self.r.qualities[quality_id].name,
            "qualityVersion": 1,
            "releaseGroup": group,
            "releaseTitle": title,
            "indexer": indexer,
            "size": size,
            "customFormatScore": 0,
            "customFormats": [],
            "languages": [{"id": 1, "name": "English"}],
        }

    def series_payload(self, series_id: int) -> dict[str, Any]:
        s = self.lib.series[series_id]
        return _compact(
            {
                "id": s.id,
                "title": s.title,
                "titleSlug": words.slug(s.title),
                "path": f"/tv/{s.title}",
                "tvdbId": s.tvdb_id,
                "tvMazeId": s.tvmaze_id,
                "tmdbId": s.tmdb_id,
                "imdbId": s.imdb_id,
                "type": s.series_type,
                "year": s.year,
                "genres": list(s.genres),
                "images": [],
                "tags": [self.lib.tags[t] for t in s.tags if t in self.lib.tags],
                "originalLanguage": {"id": 1, "name": "English"},
            }
        )

    def _episode(self, episode_id: int) -> dict[str, Any]:
        lib = self.lib
        i = episode_id - 1
        air = iso(lib.episode_air(episode_id))
        return _compact(
            {
                "id": episode_id,
                "episodeNumber": lib.ep_number[i],
                "seasonNumber": lib.ep_season[i],
                "title": words.episode_title(episode_id, lib.seed),
                "overview": "A simulated episode.",
                "airDate": air[:10] if air else None,
                "airDateUtc": air,
                "seriesId": lib.ep_series[i],
                "tvdbId": 5000000 + episode_id,
            }
        )

    def episode_file_payload(self, file_id: int) -> dict[str, Any]:
        rendered = self.r.episode_file(file_id)
        return _compact(
            {
                "id": file_id,
                "relativePath": rendered.get("relativePath"),
                "path": rendered.get("path"),
                "quality": self.r.qualities[self.lib.f_quality[file_id - 1]].name,
                "qualityVersion": 1,
                "releaseGroup": rendered.get("releaseGroup"),
                "size": rendered.get("size"),
                "dateAdded": rendered.get("dateAdded"),
                "languages": [{"id": 1, "name": "English"}],
            }
        )

    def movie_payload(self, movie_id: int) -> dict[str, Any]:
        m = self.lib.movies[movie_id]
        return _compact(
            {
                "id": m.id,
                "title": m.title,
                "year": m.year,
                "filePath": f"/movies/{m.title} ({m.year})/{m.title}.mkv" if m.file_id else None,
                "releaseDate": (iso(self.lib.movie_release_date(m)) or "")[:10] or None,
                "folderPath": f"/movies/{m.title} ({m.year})",
                "tmdbId": m.tmdb_id,
                "imdbId": m.imdb_id,
                "overview": f"{m.title} is a simulated {m.item_type}.",
                "genres": list(m.genres),
                "images": [],
                "tags": [self.lib.tags[t] for t in m.tags if t in self.lib.tags],
                "originalLanguage": {"id": 1, "name": "English"},
            }
        )

    def _remote_movie(self, movie_id: int) -> dict[str, Any]:
        m = self.lib.movies[movie_id]
        return {"tmdbId": m.tmdb_id, "imdbId": m.imdb_id, "title": m.title, "year": m.year}

    def movie_file_payload(self, movie_id: int) -> dict[str, Any]:
        m = self.lib.movies[movie_id]
        rendered = self.r.movie_file(m)
        return _compact(
            {
                "id": m.file_id,
                "relativePath": rendered.get("relativePath"),
                "path": rendered.get("path"),
                "quality": self.r.qualities[m.file_quality].name,
                "qualityVersion": 1,
                "releaseGroup": rendered.get("releaseGroup"),
                "size": m.file_size,
                "dateAdded": rendered.get("dateAdded"),
                "languages": [{"id": 1, "name": "English"}],
                "indexerFlags": "0",
            }
        )

    @staticmethod
    def _client(protocol: str) -> tuple[str, str]:
        return ("SABnzbd", "SABnzbd") if protocol == "usenet" else ("qBittorrent", "qBittorrent")

    # ------------------------------------------------------------------ events
    def grab(
        self,
        *,
        episode_ids: list[int] | None,
        movie_id: int | None,
        quality_id: int,
        title: str,
        group: str,
        indexer: str,
        size: int,
        download_id: str,
        protocol: str,
    ) -> None:
        client, client_type = self._client(protocol)
        body: dict[str, Any] = {
            "release": self._release(quality_id, title, group, indexer, size),
            "downloadClient": client,
            "downloadClientType": client_type,
            "downloadId": download_id,
            "customFormatInfo": {"customFormats": [], "customFormatScore": 0},
        }
        if episode_ids:
            body["series"] = self.series_payload(self.lib.ep_series[episode_ids[0] - 1])
            body["episodes"] = [self._episode(e) for e in episode_ids]
        else:
            body["movie"] = self.movie_payload(movie_id)
            body["remoteMovie"] = self._remote_movie(movie_id)
            body["release"]["indexerFlags"] = []
        self._send("Grab", body)

    def download(
        self,
        *,
        episode_id: int | None,
        movie_id: int | None,
        is_upgrade: bool,
        download_id: str,
        protocol: str,
        title: str,
        indexer: str,
        size: int,
    ) -> None:
        client, client_type = self._client(protocol)
        body: dict[str, Any] = {
            "isUpgrade": is_upgrade,
            "downloadClient": client,
            "downloadClientType": client_type,
            "downloadId": download_id,
            "customFormatInfo": {"customFormats": [], "customFormatScore": 0},
            "release": {
                "releaseTitle": title,
                "indexer": indexer,
                "size": size,
                "releaseType": "singleEpisode",
            },
        }
        if episode_id is not None:
            body["series"] = self.series_payload(self.lib.ep_series[episode_id - 1])
            body["episodes"] = [self._episode(episode_id)]
            file_id = self.lib.ep_file[episode_id - 1]
            body["episodeFile"] = {
                **self.episode_file_payload(file_id),
                "sourcePath": f"/downloads/complete/{title}/{title}.mkv",
            }
        else:
            body["movie"] = self.movie_payload(movie_id)
            body["remoteMovie"] = self._remote_movie(movie_id)
            body["movieFile"] = {
                **self.movie_file_payload(movie_id),
                "sourcePath": f"/downloads/complete/{title}/{title}.mkv",
            }
            body["release"].pop("releaseType")
        if is_upgrade:
            body["deletedFiles"] = [{"recycleBinPath": "/recycle/old.mkv"}]
        self._send("Download", body)

    def episode_file_delete(
        self, episode_id: int, file_payload: dict[str, Any], reason: str = "manual"
    ) -> None:
        self._send(
            "EpisodeFileDelete",
            {
                "series": self.series_payload(self.lib.ep_series[episode_id - 1]),
                "episodes": [self._episode(episode_id)],
                "episodeFile": file_payload,
                "deleteReason": reason,
            },
        )

    def series_add(self, series_id: int) -> None:
        self._send("SeriesAdd", {"series": self.series_payload(series_id)})

    def movie_added(self, movie_id: int) -> None:
        self._send("MovieAdded", {"movie": self.movie_payload(movie_id)})

    def series_delete(self, series_payload: dict[str, Any]) -> None:
        self._send("SeriesDelete", {"series": series_payload, "deletedFiles": False})

    def movie_file_delete(
        self, movie_id: int, file_payload: dict[str, Any], reason: str = "manual"
    ) -> None:
        self._send(
            "MovieFileDelete",
            {
                "movie": self.movie_payload(movie_id),
                "movieFile": file_payload,
                "deleteReason": reason,
            },
        )

    def movie_delete(self, movie_payload: dict[str, Any]) -> None:
        self._send(
            "MovieDelete", {"movie": movie_payload, "deletedFiles": False, "movieFolderSize": 0}
        )

    def test(self) -> None:
        """The "Test" button: a Grab-shaped payload with dummy items (docs/arr-api.md section 6)."""
        if self.r.p.shape == "series":
            body = {
                "series": {
                    "id": 1,
                    "title": "Test Title",
                    "path": "C:\\testpath",
                    "tvdbId": 1234,
                    "type": "standard",
                },
                "episodes": [
                    {"id": 123, "episodeNumber": 1, "seasonNumber": 1, "title": "Test title"}
                ],
            }
        else:
            body = {
                "movie": {
                    "id": 1,
                    "title": "Test Title",
                    "year": 1970,
                    "tmdbId": 0,
                    "folderPath": "C:\\testpath",
                },
                "remoteMovie": {
                    "tmdbId": 1234,
                    "imdbId": "5678",
                    "title": "Test title",
                    "year": 1970,
                },
            }
        body["release"] = {
            "quality": "Test Quality",
            "qualityVersion": 1,
            "releaseGroup": "Test Group",
            "releaseTitle": "Test Title",
            "indexer": "Test Indexer",
            "size": 9999999,
        }
        self._send("Test", body)

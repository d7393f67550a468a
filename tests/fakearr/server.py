"""FakeArr: a real HTTP server that behaves like Sonarr, Radarr or Whisparr.

    with FakeArr.start(kind="sonarr", series=20, seed=1, speed=0) as arr:
        requests.get(f"{arr.url}/api/v3/series", headers={"X-Api-Key": arr.api_key})
        arr.advance(60)                      # simulated seconds: commands progress, downloads import
        arr.faults.server_error("/api/v3/episode*", times=1)

HTTP/1.1 keep-alive on a ThreadingHTTPServer bound to 127.0.0.1 (port 0 = ephemeral).
Test-only control endpoints live under /__fakearr/ (see ``_control``).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import covers
from .api import Api, ApiError
from .clock import SimClock
from .faults import FaultRule, FaultSet
from .library import Library, Movie, Series, generate
from .profiles import AppProfile, profile_for
from .render import Renderer
from .simulation import Acquisition, CommandRecord, SimConfig, Simulation
from .webhooks import Webhooks

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Login</title></head>"
    b"<body><form method='post'><input name='username'></form></body></html>"
)


class FakeArr:
    """One simulated *arr app: library, simulation, faults and the HTTP server."""

    def __init__(
        self,
        kind: str = "sonarr",
        *,
        version: str | None = None,
        series: int = 20,
        episodes_per_series: int = 60,
        movies: int = 50,
        seed: int = 1,
        api_key: str | None = None,
        url_base: str = "",
        speed: float = 1.0,
        now: datetime | None = None,
        config: SimConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        instance_name: str | None = None,
        health: list[dict[str, Any]] | None = None,
        webhook_url: str | None = None,
    ) -> None:
        self.profile: AppProfile = profile_for(kind, version)
        # 32 hex characters like a real key, stable per kind and seed.
        self.api_key = (
            api_key
            or hashlib.md5(
                f"fakearr-{self.profile.kind}-{seed}".encode(), usedforsecurity=False
            ).hexdigest()
        )
        self.url_base = _normalise_base(url_base)
        self.clock = SimClock(now, speed=speed)
        self.config = config or SimConfig()
        started = time.perf_counter()
        self.library: Library = generate(
            kind=self.profile.kind,
            shape=self.profile.shape,
            seed=seed,
            now=self.clock.timestamp(),
            series=series,
            episodes_per_series=episodes_per_series,
            movies=movies,
        )
        self.generation_seconds = time.perf_counter() - started
        self.simulation = Simulation(self.profile, self.library, self.clock, self.config)
        self.faults = FaultSet(self.clock.timestamp)
        self.simulation.command_faults = self.faults.command_failure
        self.simulation.command_stalls = self.faults.command_stall
        self.renderer = Renderer(self.profile, self.library)
        self.api = Api(
            self.profile,
            self.library,
            self.simulation,
            self.renderer,
            url_base=self.url_base,
            instance_name=instance_name or self.profile.app_name,
            started=self.clock.now(),
        )
        self.api.health = list(health or [])
        self.webhooks = Webhooks(
            self.renderer,
            self.library,
            instance_name=instance_name or self.profile.app_name,
            application_url="",
        )
        self.webhooks.configure(webhook_url)
        self.simulation.webhooks = self.webhooks
        #: Series or movie ids whose MediaCover files the app lacks (404), see covers.py.
        self.covers_missing: set[int] = set()
        self.requests: Counter[str] = Counter()  # "GET /api/v3/series" -> count
        self.bytes_sent: Counter[str] = Counter()  # "GET /api/v3/series" -> body bytes answered
        # (sim time, method, path, status) of the latest requests; bounded for long demo runs.
        self.request_log: deque[tuple[float, str, str, int]] = deque(maxlen=100_000)
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, kind: str = "sonarr", **kwargs: Any) -> FakeArr:
        """Build and start a server; use it as a context manager to stop it."""
        arr = cls(kind, **kwargs)
        arr.serve_in_background()
        return arr

    def serve_in_background(self) -> None:
        handler = type("FakeArrHandler", (_Handler,), {"arr": self})
        self._httpd = ThreadingHTTPServer((self._host, self._port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"fakearr-{self.profile.kind}", daemon=True
        )
        self._thread.start()
        self.webhooks.application_url = self.url

    def serve_forever(self) -> None:
        handler = type("FakeArrHandler", (_Handler,), {"arr": self})
        self._httpd = ThreadingHTTPServer((self._host, self._port), handler)
        self._httpd.daemon_threads = True
        self._httpd.serve_forever()

    def stop(self) -> None:
        self.faults.released.set()  # wake hung requests
        self.webhooks.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> FakeArr:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT without the URL base."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL a user would configure, including the URL base."""
        return self.root_url + self.url_base

    @property
    def kind(self) -> str:
        """The connector kind Comradarr uses: sonarr, radarr or whisparr."""
        return "whisparr" if self.profile.kind.startswith("whisparr") else self.profile.kind

    # ------------------------------------------------------------------ time
    def now(self) -> datetime:
        return self.clock.now()

    def tick(self) -> None:
        """Process whatever is due at the current simulated time."""
        self.simulation.tick()

    def advance(self, seconds: float) -> None:
        """Move simulated time forward and process everything due on the way, in order."""
        self.clock.advance(seconds)
        self.simulation.tick()

    def run_until_idle(self, max_seconds: float = 86400, step: float = 1.0) -> float:
        """Advance until no command is running and nothing is downloading; returns seconds advanced."""
        advanced = 0.0
        while advanced < max_seconds:
            with self.library.lock:
                sim = self.simulation
                busy = bool(sim.queue or sim._waiting) or any(
                    c.status == "started" for c in sim.commands.values()
                )
            if not busy:
                break
            self.advance(step)
            advanced += step
        return advanced

    # ------------------------------------------------------------------ observation
    @property
    def commands_received(self) -> list[CommandRecord]:
        with self.library.lock:
            return list(self.simulation.records)

    @property
    def acquisitions(self) -> list[Acquisition]:
        with self.library.lock:
            return list(self.simulation.acquisitions)

    def futile_searches(self) -> list[tuple[int, int, str]]:
        """(command id, item id, reason) for every searched item that could not succeed."""
        return [
            (r.id, item, reason)
            for r in self.commands_received
            for item, reason in sorted(r.futile.items())
        ]

    def max_commands_in_window(self, seconds: float, *, search_only: bool = True) -> int:
        """The most commands received within any window of this many simulated seconds."""
        from .simulation import SEARCH_COMMANDS

        times = sorted(
            r.received_at
            for r in self.commands_received
            if not r.deduplicated and (not search_only or r.name in SEARCH_COMMANDS)
        )
        best = start = 0
        for end in range(len(times)):
            while times[end] - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def futility(self, item_id: int) -> str | None:
        """Why a search for this episode or movie could not succeed right now, or None if it could.

        One of unknown, unaired, unavailable, unmonitored, downloading, has_file (cutoff met).
        """
        with self.library.lock:
            now = self.clock.timestamp()
            if self.profile.shape == "series":
                return self.simulation._episode_futility(item_id, now)
            return self.simulation._movie_futility(item_id, now)

    def grab(self, item_ids: list[int], *, source: str = "rss", pack: bool = False) -> None:
        """Put items in the download queue now, as an RSS sync (or a user) would; they import later.

        Episodes given together form one download (a season pack when ``pack``).
        """
        with self.library.lock:
            now = self.clock.timestamp()
            if self.profile.shape == "series":
                self.simulation._grab_episodes(list(item_ids), now, None, pack=pack, source=source)
            else:
                for mid in item_ids:
                    self.simulation._grab_movie(self.library.movies[mid], now, None, source=source)

    def summary(self) -> dict[str, int]:
        return self.library.summary(self.clock.timestamp())

    def set_health(self, items: list[dict[str, Any]]) -> None:
        """Health check results, e.g. [{"source": "IndexerStatusCheck", "type": "warning", "message": "..."}]."""
        self.api.health = list(items)

    # ------------------------------------------------------------------ mutation hooks (simulated now)
    def add_series(self, **overrides: Any) -> Series:
        """Add a series; sends SeriesAdd when a webhook is set (adding writes no history)."""
        series = self.library.add_series(self.clock.timestamp(), **overrides)
        with self.library.lock:
            self.webhooks.series_add(series.id)
        return series

    def remove_series(self, series_id: int) -> None:
        """Delete a series; sends SeriesDelete when a webhook is set."""
        with self.library.lock:
            payload = self.webhooks.series_payload(series_id)
            self.library.remove_series(series_id)
        self.webhooks.series_delete(payload)

    def add_episode(self, series_id: int, season: int, *, air: datetime | None, **kw: Any) -> int:
        return self.library.add_episode(
            series_id, season, air=air, now=self.clock.timestamp(), **kw
        )

    def remove_episode(self, episode_id: int) -> None:
        self.library.remove_episode(episode_id)

    def set_monitored(self, monitored: bool, **target: int) -> None:
        self.library.set_monitored(monitored, **target)

    def delete_episode_file(self, episode_id: int) -> int:
        """Delete a file as a user would on disk; sends EpisodeFileDelete when a webhook is set."""
        with self.library.lock:
            file_id = self.library.episode_file_id(episode_id)
            payload = self.webhooks.episode_file_payload(file_id) if file_id else {}
            file_id = self.library.delete_episode_file(episode_id)
            self.simulation.record_file_event(
                "episodeFileDeleted",
                episode_id=episode_id,
                quality_id=self.library.f_quality[file_id - 1],
                title=payload.get("relativePath", ""),
                data={"reason": "Manual"},
            )
            self.webhooks.episode_file_delete(episode_id, payload)
        return file_id

    def set_episode_file(self, episode_id: int, *, quality_id: int | None = None) -> int:
        """Give an episode a new file (a manual import); the quality defaults to the cutoff.

        History records it as the app would (episodeFileDeleted for a replaced file, then
        downloadFolderImported), so /history/since shows changes the statistics hide.
        """
        with self.library.lock:
            old = self.library.episode_file_id(episode_id)
            if old:
                self.simulation.record_file_event(
                    "episodeFileDeleted",
                    episode_id=episode_id,
                    quality_id=self.library.f_quality[old - 1],
                    title=self.renderer.episode_file(old)["relativePath"],
                    data={"reason": "Upgrade"},
                )
            file_id = self.library.set_episode_file(
                episode_id, quality_id=quality_id, now=self.clock.timestamp()
            )
            self.simulation.record_file_event(
                "downloadFolderImported",
                episode_id=episode_id,
                quality_id=self.library.f_quality[file_id - 1],
                title=self.renderer.episode_file(file_id)["relativePath"],
                data={"importedPath": self.renderer.episode_file(file_id)["path"]},
            )
            return file_id

    def upgrade_episode_file(self, episode_id: int) -> int:
        """Replace the file with one at the cutoff, so qualityCutoffNotMet becomes false."""
        return self.set_episode_file(episode_id)

    def add_movie(self, **overrides: Any) -> Movie:
        """Add a movie; sends MovieAdded when a webhook is set (adding writes no history)."""
        movie = self.library.add_movie(self.clock.timestamp(), **overrides)
        with self.library.lock:
            self.webhooks.movie_added(movie.id)
        return movie

    def remove_movie(self, movie_id: int) -> None:
        """Delete a movie; sends MovieDelete when a webhook is set."""
        with self.library.lock:
            payload = self.webhooks.movie_payload(movie_id)
            self.library.remove_movie(movie_id)
        self.webhooks.movie_delete(payload)

    def set_movie_monitored(self, movie_id: int, monitored: bool) -> None:
        with self.library.lock:
            self.library.movies[movie_id].monitored = monitored

    def delete_movie_file(self, movie_id: int) -> int:
        """Delete a movie's file; sends MovieFileDelete when a webhook is set."""
        with self.library.lock:
            m = self.library.movies[movie_id]
            payload = self.webhooks.movie_file_payload(movie_id) if m.file_id else {}
            quality = m.file_quality
            file_id = self.library.delete_movie_file(movie_id)
            self.simulation.record_file_event(
                "movieFileDeleted",
                movie_id=movie_id,
                quality_id=quality,
                title=payload.get("relativePath", ""),
                data={"reason": "Manual"},
            )
            self.webhooks.movie_file_delete(movie_id, payload)
        return file_id

    # ------------------------------------------------------------------ webhooks
    def set_webhook(
        self,
        url: str | None,
        *,
        username: str | None = None,
        password: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Where to POST Grab/Download/...Delete payloads (None switches webhooks off)."""
        self.webhooks.configure(url, username=username, password=password, headers=headers)

    def send_test_webhook(self) -> None:
        self.webhooks.test()

    def upgrade_movie_file(self, movie_id: int, *, quality_id: int | None = None) -> int:
        """Give a movie a new file (cutoff quality unless given), with the app's history events."""
        with self.library.lock:
            m = self.library.movies[movie_id]
            if m.file_id:
                self.simulation.record_file_event(
                    "movieFileDeleted",
                    movie_id=movie_id,
                    quality_id=m.file_quality,
                    title=self.renderer.movie_file(m)["relativePath"],
                    data={"reason": "Upgrade"},
                )
            file_id = self.library.upgrade_movie_file(
                movie_id, quality_id=quality_id, now=self.clock.timestamp()
            )
            self.simulation.record_file_event(
                "downloadFolderImported",
                movie_id=movie_id,
                quality_id=m.file_quality,
                title=self.renderer.movie_file(m)["relativePath"],
                data={"importedPath": self.renderer.movie_file(m)["path"]},
            )
            return file_id

    # ------------------------------------------------------------------ request handling
    def handle(self, h: _Handler, method: str) -> None:
        split = urlsplit(h.path)
        path = split.path or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw_body = h.rfile.read(length) if length else b""
        for prefix in ("/__fakearr/", f"{self.url_base}/__fakearr/"):
            if path.startswith(prefix):
                return self._control(h, method, path[len(prefix) :], raw_body)
        if self.url_base:
            if path != self.url_base and not path.startswith(self.url_base + "/"):
                return self._send(h, method, path, 404, b"", "text/plain")
            path = path[len(self.url_base) :] or "/"
        rule = self.faults.match(method, path)
        if rule is not None and rule.kind in (
            "unauthorized",
            "starting",
            "server_error",
            "rate_limited",
            "hang",
        ):
            return self._apply_early_fault(h, method, path, rule)
        if rule is not None and rule.kind == "huge_body":
            return self._send_huge(h, method, path, rule)
        if rule is not None and rule.kind == "slow":
            time.sleep(rule.delay or 1.0)
        status, body, content_type, extra = self._respond(h, method, path, query, raw_body)
        if rule is not None and rule.kind in ("truncated", "cut_connection", "malformed", "html"):
            return self._apply_body_fault(h, method, path, rule, status, body)
        self._send(h, method, path, status, body, content_type, extra)

    def _respond(
        self, h: _Handler, method: str, path: str, query: dict, raw_body: bytes
    ) -> tuple[int, bytes, str, dict[str, str]]:
        if path.lower() == "/ping" and method in ("GET", "HEAD"):
            return 200, b'{"status":"OK"}', "application/json; charset=utf-8", {}
        if not (path.lower() == "/api" or path.lower().startswith("/api/")):
            return 404, b"", "text/plain", {}
        if not self._authorised(h, query):
            return 401, self.profile.unauthorized_body, "application/json; charset=utf-8", {}
        cover = covers.PATH.match(path)
        if cover and method in ("GET", "HEAD"):
            # A file, not a resource: no content negotiation (the apps return PhysicalFile).
            with self.library.lock:
                status, body, kind = covers.answer(
                    self.library,
                    self.profile.shape,
                    int(cover.group(1)),
                    cover.group(2),
                    self.covers_missing,
                )
            return status, body, kind, {"X-Application-Version": self.profile.version}
        accept = h.headers.get("Accept")
        if accept and not any(t in accept for t in ("json", "*/*", "text/plain")):
            return 406, b"", "text/plain", {}
        self.simulation.tick()
        body: Any = None
        if method == "POST":
            try:
                body = json.loads(raw_body or b"null")
            except ValueError:
                return (
                    400,
                    json.dumps({"message": "Invalid JSON in request body"}).encode(),
                    "application/json",
                    {},
                )
        try:
            status, payload = self.api.dispatch(
                "GET" if method == "HEAD" else method,
                path,
                query,
                body,
                h.headers.get("User-Agent"),
            )
        except ApiError as exc:
            status, payload = exc.status, exc.body
        headers = {"X-Application-Version": self.profile.version}
        if status == 201 and isinstance(payload, dict) and "id" in payload:
            headers["Location"] = f"{self.url_base}{path.rstrip('/')}/{payload['id']}"
        if payload is None:
            return status, b"", "text/plain", headers
        return (
            status,
            json.dumps(payload, separators=(",", ":")).encode(),
            "application/json; charset=utf-8",
            headers,
        )

    def _authorised(self, h: _Handler, query: dict) -> bool:
        """First present of: apikey query, X-Api-Key header, Bearer token (exact, case-sensitive)."""
        key = None
        for name, values in query.items():
            if name.lower() == "apikey" and values:
                key = values[0]
                break
        if key is None:
            key = h.headers.get("X-Api-Key")
        if key is None and self.profile.bearer_auth:
            auth = h.headers.get("Authorization") or ""
            if auth.startswith("Bearer "):
                key = auth[len("Bearer ") :].strip()
        return key == self.api_key

    def _apply_early_fault(self, h: _Handler, method: str, path: str, rule: FaultRule) -> None:
        json_type = "application/json; charset=utf-8"
        if rule.kind == "unauthorized":
            return self._send(h, method, path, 401, self.profile.unauthorized_body, json_type)
        if rule.kind == "starting":
            body = json.dumps(
                {"errorMessage": f"{self.profile.app_name} is starting up, please try again later"}
            )
            return self._send(h, method, path, 503, body.encode(), json_type)
        if rule.kind == "server_error":
            body = json.dumps(
                {
                    "message": "Internal Server Error (fakearr fault)",
                    "description": "System.Exception: fault injected by fakearr",
                }
            )
            return self._send(h, method, path, rule.status or 500, body.encode(), json_type)
        if rule.kind == "rate_limited":
            retry = rule.retry_after
            text = str(int(retry)) if float(retry).is_integer() else str(retry)
            return self._send(h, method, path, 429, b"", "text/plain", {"Retry-After": text})
        # hang: hold the connection without answering, then drop it.
        self.faults.released.wait(rule.delay or 3600.0)
        h.close_connection = True
        self._log(method, path, 0)

    def _send_huge(self, h: _Handler, method: str, path: str, rule: FaultRule) -> None:
        """A JSON object of rule.size bytes, written until done or the client hangs up."""
        self._log(method, path, 200)
        h.send_response(200)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        if rule.declare_length:
            h.send_header("Content-Length", str(rule.size))
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        if method == "HEAD":
            return
        head, tail = b'{"padding": "', b'"}'
        block = b"x" * 65536
        left = rule.size - len(head) - len(tail)
        try:
            h.wfile.write(head)
            while left > 0:
                h.wfile.write(block[: min(left, len(block))])
                left -= len(block)
            h.wfile.write(tail)
            h.wfile.flush()
        except OSError:  # the client stopped reading: what a capped client does
            return

    def _apply_body_fault(
        self, h: _Handler, method: str, path: str, rule: FaultRule, status: int, body: bytes
    ) -> None:
        json_type = "application/json; charset=utf-8"
        if rule.kind == "malformed":
            return self._send(
                h, method, path, 200, b'{"records": [{"id": 1,, "title": }', json_type
            )
        if rule.kind == "html":
            return self._send(h, method, path, 200, HTML_PAGE, "text/html; charset=utf-8")
        cut = body[: max(1, len(body) // 2)]
        if rule.kind == "truncated":
            return self._send(h, method, path, status, cut, json_type)
        # cut_connection: promise the whole body, deliver half, close.
        self._log(method, path, status)
        h.send_response(status)
        h.send_header("Content-Type", json_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        if method != "HEAD":
            h.wfile.write(cut)
            h.wfile.flush()
        h.close_connection = True

    def _send(
        self,
        h: _Handler,
        method: str,
        path: str,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        # Counted before the answer goes out, so a test that got its response sees the count.
        self._log(method, path, status)
        with self.library.lock:
            self.bytes_sent[f"{method} {path}"] += len(body) if method != "HEAD" else 0
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if method != "HEAD" and body:
            h.wfile.write(body)

    def _log(self, method: str, path: str, status: int) -> None:
        with self.library.lock:
            self.requests[f"{method} {path}"] += 1
            self.request_log.append((self.clock.timestamp(), method, path, status))

    # ------------------------------------------------------------------ control endpoints
    def _control(self, h: _Handler, method: str, what: str, raw_body: bytes) -> None:
        """Out-of-process control for demos and benchmarks (no API key: test servers only).

        GET/POST/DELETE faults; POST advance {"seconds"}; GET commands; GET acquisitions;
        GET summary; GET requests.
        """
        path = f"/__fakearr/{what}"
        try:
            data = json.loads(raw_body) if raw_body else {}
        except ValueError:
            return self._send(
                h, method, path, 400, b'{"message":"invalid JSON"}', "application/json"
            )
        status, payload = 200, None
        try:
            if what == "faults" and method == "GET":
                payload = [r.as_dict() for r in self.faults.rules()]
            elif what == "faults" and method == "POST":
                options = {_snake(k): v for k, v in data.items() if k not in ("kind", "path")}
                rule = self.faults.add(data["kind"], data.get("path", "*"), **options)
                status, payload = 201, rule.as_dict()
            elif what == "faults" and method == "DELETE":
                self.faults.clear()
                payload = []
            elif what.startswith("faults/") and method == "DELETE":
                self.faults.remove(int(what.split("/", 1)[1]))
                payload = {}
            elif what == "advance" and method == "POST":
                self.advance(float(data.get("seconds", 0)))
                payload = {"now": self.now().isoformat()}
            elif what == "commands" and method == "GET":
                payload = [
                    {
                        "id": r.id,
                        "name": r.name,
                        "body": r.body,
                        "receivedAt": datetime.fromtimestamp(r.received_at, UTC).isoformat(),
                        "wallTime": r.wall_time,
                        "items": list(r.items),
                        "futile": {str(k): v for k, v in r.futile.items()},
                        "deduplicated": r.deduplicated,
                    }
                    for r in self.commands_received
                ]
            elif what == "acquisitions" and method == "GET":
                payload = [
                    {
                        "itemId": a.item_id,
                        "at": datetime.fromtimestamp(a.at, UTC).isoformat(),
                        "source": a.source,
                        "commandId": a.command_id,
                        "upgrade": a.upgrade,
                    }
                    for a in self.acquisitions
                ]
            elif what == "summary" and method == "GET":
                payload = {
                    **self.summary(),
                    "now": self.now().isoformat(),
                    "queue": len(self.simulation.queue),
                }
            elif what == "requests" and method == "GET":
                payload = dict(self.requests)
            else:
                status, payload = 404, {"message": f"no control endpoint {method} {path}"}
        except (KeyError, TypeError, ValueError) as exc:
            status, payload = 400, {"message": str(exc)}
        self._send(h, method, path, status, json.dumps(payload).encode(), "application/json")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = (
        "HTTP/1.1"  # keep-alive: clients reuse connections as they would with the real apps
    )
    server_version = "Kestrel"
    sys_version = ""
    arr: FakeArr

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's
        # algorithm and the client's delayed ACK stall every keep-alive response ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.arr.handle(self, "GET")

    def do_HEAD(self) -> None:
        self.arr.handle(self, "HEAD")

    def do_POST(self) -> None:
        self.arr.handle(self, "POST")

    def do_PUT(self) -> None:
        self.arr.handle(self, "PUT")

    def do_DELETE(self) -> None:
        self.arr.handle(self, "DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silence per-request stderr lines; FakeArr.request_log keeps them

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _normalise_base(url_base: str) -> str:
    base = (url_base or "").strip().strip("/")
    return f"/{base}" if base else ""


def _snake(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)

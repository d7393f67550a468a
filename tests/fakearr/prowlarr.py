"""FakeProwlarr: a simulated Prowlarr that counts indexer queries like the real one.

    prowlarr = FakeProwlarr.start(now=start)
    geek = prowlarr.add_indexer("NZBgeek", query_limit=100)
    prowlarr.add_application(fake_sonarr)      # baseUrl = the fake app's URL, no tags: all indexers
    fake_sonarr.advance(60)                    # its searches become IndexerQuery events here
    prowlarr.fail_indexer(geek.id, seconds=600)

Behaviour (docs/arr-api.md section 10): an application without tags gets every
indexer, one with tags the indexers sharing a tag; each search command an attached
fake app runs adds one IndexerQuery event per query (EpisodeSearch / MoviesSearch:
one per id, SeasonSearch: ``season_search_queries``, SeriesSearch: one per monitored
season, as Comradarr's estimate counts) on every enabled, not disabled indexer of the
app; RSS polls add one IndexerRss event per indexer every ``rss_interval`` simulated
seconds per application; an indexer at its query limit (IndexerQuery + IndexerRss in
the last hour or 24 hours) is skipped, and the refused query is counted in
``refused`` so a benchmark can see a limit that would have been crossed. Grabs become
ReleaseGrabbed events on the first usable indexer by priority.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .api import ApiError, parse_date
from .clock import SimClock
from .prowlarr_render import ProwlarrResources

DAY, HOUR = 86400.0, 3600.0
QUERY_EVENTS = ("indexerQuery", "indexerRss")


@dataclass
class FakeIndexer:
    id: int
    name: str
    query_limit: int | None = None
    grab_limit: int | None = None
    per_hour: bool = False
    tags: tuple[int, ...] = ()
    enable: bool = True
    protocol: str = "usenet"
    priority: int = 25
    disabled_till: float | None = None
    failures: list[float] = field(default_factory=list)

    @property
    def window(self) -> float:
        return HOUR if self.per_hour else DAY


@dataclass
class FakeApplication:
    id: int
    name: str
    implementation: str
    base_url: str
    tags: tuple[int, ...] = ()
    sync_level: str = "fullSync"
    next_rss: float | None = None

    def handles(self, indexer: FakeIndexer) -> bool:
        return not self.tags or bool(set(self.tags) & set(indexer.tags))


@dataclass(frozen=True)
class Event:
    id: int
    indexer_id: int
    ts: float
    event_type: str
    successful: bool = True


class FakeProwlarr(ProwlarrResources):
    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        now: datetime | None = None,
        speed: float = 0,
        api_key: str | None = None,
        version: str = "2.3.6.5217",
        rss_interval: float = 900.0,
        season_search_queries: int = 3,
    ) -> None:
        self.clock = clock or SimClock(now, speed=speed)
        self.api_key = (
            api_key or hashlib.md5(b"fakearr-prowlarr", usedforsecurity=False).hexdigest()
        )
        self.version = version
        self.rss_interval = rss_interval
        self.season_search_queries = season_search_queries
        self.indexers: dict[int, FakeIndexer] = {}
        self.applications: dict[int, FakeApplication] = {}
        self.events: list[Event] = []
        self.refused: Counter[int] = Counter()  # indexer id -> queries refused at the limit
        self.refused_rss: Counter[int] = Counter()  # of which RSS polls
        self.requests: Counter[str] = Counter()
        self.lock = threading.RLock()
        self.down = False  # answer every request with a dropped connection (unplugged)
        self._httpd: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ setup
    def add_indexer(self, name: str, **kwargs: Any) -> FakeIndexer:
        with self.lock:
            indexer = FakeIndexer(id=len(self.indexers) + 1, name=name, **kwargs)
            self.indexers[indexer.id] = indexer
            return indexer

    def add_application(
        self,
        arr: Any = None,
        *,
        name: str | None = None,
        base_url: str | None = None,
        tags: tuple[int, ...] = (),
        implementation: str | None = None,
    ) -> FakeApplication:
        """An *arr app Prowlarr feeds; a FakeArr's searches then spend these indexers."""
        with self.lock:
            kind = getattr(arr, "kind", "sonarr")
            app = FakeApplication(
                id=len(self.applications) + 1,
                name=name or (arr.profile.app_name if arr is not None else "Sonarr"),
                implementation=implementation or kind.capitalize(),
                base_url=base_url or (arr.url if arr is not None else "http://sonarr:8989"),
                tags=tuple(tags),
            )
            if self.rss_interval > 0:
                app.next_rss = self.clock.timestamp() + self.rss_interval
            self.applications[app.id] = app
        if arr is not None:
            arr.simulation.search_gates.append(
                lambda name_, body, at, a=app: self.queried(a, name_, body, at)
            )
            arr.simulation.search_listeners.append(
                lambda name_, body, at, grabbed, a=app: self.grabbed(a, name_, at, grabbed)
            )
        return app

    def fail_indexer(self, indexer_id: int, *, seconds: float) -> None:
        """Prowlarr disables a failing indexer until disabledTill."""
        with self.lock:
            now = self.clock.timestamp()
            indexer = self.indexers[indexer_id]
            indexer.failures.append(now)
            indexer.disabled_till = now + seconds

    # ------------------------------------------------------------------ counting
    def queries_for(self, name: str, body: dict) -> int:
        if name == "EpisodeSearch":
            return len(body.get("episodeIds") or [])
        if name == "MoviesSearch":
            return len(body.get("movieIds") or [])
        if name == "SeasonSearch":
            return self.season_search_queries
        return 1

    def count(self, indexer_id: int, kinds: tuple[str, ...], *, at: float, window: float) -> int:
        return sum(
            1
            for e in self.events
            if e.indexer_id == indexer_id and e.event_type in kinds and at - window < e.ts <= at
        )

    def _usable(self, indexer: FakeIndexer, at: float) -> bool:
        return indexer.enable and not (indexer.disabled_till and indexer.disabled_till > at)

    def _spend(self, indexer: FakeIndexer, event_type: str, at: float) -> bool:
        limit = indexer.grab_limit if event_type == "releaseGrabbed" else indexer.query_limit
        kinds = ("releaseGrabbed",) if event_type == "releaseGrabbed" else QUERY_EVENTS
        if limit and self.count(indexer.id, kinds, at=at, window=indexer.window) >= limit:
            if event_type != "releaseGrabbed":
                self.refused[indexer.id] += 1
                if event_type == "indexerRss":
                    self.refused_rss[indexer.id] += 1
            return False
        self.events.append(Event(len(self.events) + 1, indexer.id, at, event_type))
        return True

    def _usable_for(self, app: FakeApplication, at: float) -> list[FakeIndexer]:
        return [i for i in self.indexers.values() if app.handles(i) and self._usable(i, at)]

    def queried(self, app: FakeApplication, name: str, body: dict, at: float) -> bool:
        """The queries of one search command; False when no indexer answered any of them."""
        if not name.endswith("Search"):
            return True  # not a search: no indexer is queried
        with self.lock:
            self.catch_up(at)
            answered = False
            for _ in range(self.queries_for(name, body)):
                for indexer in self._usable_for(app, at):
                    answered = self._spend(indexer, "indexerQuery", at) or answered
            return answered

    def grabbed(self, app: FakeApplication, name: str, at: float, grabbed: int) -> None:
        """Grabs go to the first usable indexer by priority (lowest number first)."""
        with self.lock:
            for indexer in sorted(self._usable_for(app, at), key=lambda i: i.priority)[:1]:
                for _ in range(grabbed):
                    self._spend(indexer, "releaseGrabbed", at)

    def searched(self, app: FakeApplication, name: str, body: dict, at: float, grabbed: int):
        """One search command of an application: its queries, then its grabs."""
        answered = self.queried(app, name, body, at)
        self.grabbed(app, name, at, grabbed if answered else 0)
        return answered

    def catch_up(self, until: float | None = None) -> None:
        """Run the RSS polls due up to ``until`` (default: now), in time order."""
        until = self.clock.timestamp() if until is None else until
        with self.lock:
            for app in self.applications.values():
                while app.next_rss is not None and app.next_rss <= until:
                    for indexer in self.indexers.values():
                        if app.handles(indexer) and self._usable(indexer, app.next_rss):
                            self._spend(indexer, "indexerRss", app.next_rss)
                    app.next_rss += self.rss_interval
            self.events.sort(key=lambda e: e.ts)

    def max_in_window(self, indexer_id: int) -> int:
        """The most queries the indexer ever had in one sliding window."""
        indexer = self.indexers[indexer_id]
        times = [
            e.ts for e in self.events if e.indexer_id == indexer_id and e.event_type in QUERY_EVENTS
        ]
        best, start = 0, 0
        for end, ts in enumerate(times):
            while times[start] <= ts - indexer.window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        """The JSON answer of a GET (status, body); everything under /api/v1 or /ping."""
        one = {k: v[-1] for k, v in query.items()}
        with self.lock:
            now = self.clock.timestamp()
            self.catch_up(now)
            if path == "/ping":
                return 200, {"status": "OK"}
            if path == "/api/v1/system/status":
                return 200, {
                    "appName": "Prowlarr",
                    "instanceName": "Prowlarr",
                    "version": self.version,
                }
            if path == "/api/v1/health":
                return 200, []
            if path == "/api/v1/indexer":
                return 200, [self.render_indexer(i) for i in self.indexers.values()]
            if path == "/api/v1/indexerstatus":
                return 200, self.render_status(now)
            if path == "/api/v1/applications":
                return 200, [self.render_application(a) for a in self.applications.values()]
            if path == "/api/v1/indexerstats":
                try:
                    start = parse_date(one["startDate"]) if "startDate" in one else 0.0
                    end = parse_date(one["endDate"]) if "endDate" in one else now
                except ApiError as err:
                    return err.status, err.body
                return 200, self.render_stats(start, end)
            if path == "/api/v1/history/indexer":
                try:
                    indexer_id = int(one["indexerId"]) if "indexerId" in one else None
                    limit = int(one.get("limit", "100"))
                except ValueError:
                    return 400, {"message": "Invalid number"}
                return 200, self.render_history(indexer_id, one.get("eventType"), limit)
        return 404, {"message": "NotFound"}

    # ------------------------------------------------------------------ server
    @classmethod
    def start(cls, **kwargs: Any) -> FakeProwlarr:
        prowlarr = cls(**kwargs)
        handler = type("FakeProwlarrHandler", (_Handler,), {"prowlarr": prowlarr})
        prowlarr._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        prowlarr._httpd.daemon_threads = True
        threading.Thread(target=prowlarr._httpd.serve_forever, daemon=True).start()
        return prowlarr

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeProwlarr:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    prowlarr: FakeProwlarr
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        self.prowlarr.requests[f"GET {parts.path}"] += 1
        if self.prowlarr.down:
            self.close_connection = True
            self.connection.close()
            return
        key = self.headers.get("X-Api-Key") or (query.get("apikey") or [None])[-1]
        if parts.path != "/ping" and key != self.prowlarr.api_key:
            self._send(401, None)
            return
        self._send(*self.prowlarr.answer(parts.path, query))

    def _send(self, status: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

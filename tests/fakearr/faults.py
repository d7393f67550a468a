"""Faults a test switches on at run time, per endpoint pattern.

A rule matches requests by path glob (relative to the URL base, e.g.
``/api/v3/episode*``) and optional method, and applies to a window of matching
requests: every one (default), only the ``nth``, the next ``times``, or those
within ``seconds`` of simulated time. Kinds:

==================  ===================================================================
unauthorized        401, empty body (Sonarr v3 app: {"error":"Unauthorized"})
starting            503 {"errorMessage": "<App> is starting up, please try again later"}
server_error        500 {"message", "description"} (status overridable: 502, 504 ...)
rate_limited        429 with Retry-After (the apps never do this; proxies in front may)
slow                answer normally after ``delay`` wall seconds
hang                no answer for ``delay`` wall seconds (default 3600) or until stop()
truncated           the real body cut in half, Content-Length matching the cut body
cut_connection      Content-Length of the full body, then half of it and a closed socket
malformed           200 with a body that is not JSON
html                200 text/html (a login page or a reverse proxy's error page)
huge_body           200 JSON of ``size`` bytes (default 300 MB), sent until the client hangs
                    up; without Content-Length unless ``declare_length``
command_failed      POST /command succeeds but the command ends with status "failed"
command_stalled     the command takes ``delay`` more simulated seconds (None: never ends)
==================  ===================================================================
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "unauthorized",
    "starting",
    "server_error",
    "rate_limited",
    "slow",
    "hang",
    "truncated",
    "cut_connection",
    "malformed",
    "html",
    "huge_body",
    "command_failed",
    "command_stalled",
)


@dataclass
class FaultRule:
    kind: str
    path: str = "*"
    method: str | None = None
    nth: int | None = None  # only the nth matching request (1-based)
    times: int | None = None  # only the next `times` matching requests
    seconds: float | None = None  # only for this many simulated seconds from when it was added
    status: int | None = None  # server_error: override 500
    retry_after: float = 5.0  # rate_limited
    delay: float | None = None  # slow / hang wall seconds
    message: str | None = None  # command_failed message
    commands: tuple[str, ...] = ()  # command_failed: names (empty = every command)
    size: int = 300 * 1024 * 1024  # huge_body bytes
    declare_length: bool = False  # huge_body: send Content-Length
    id: int = 0
    added_at: float = 0.0
    seen: int = 0  # matching requests so far
    applied: int = 0  # times the fault was actually applied
    _expired: bool = field(default=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in {
                "id": self.id,
                "kind": self.kind,
                "path": self.path,
                "method": self.method,
                "nth": self.nth,
                "times": self.times,
                "seconds": self.seconds,
                "status": self.status,
                "retryAfter": self.retry_after,
                "delay": self.delay,
                "message": self.message,
                "commands": list(self.commands),
                "seen": self.seen,
                "applied": self.applied,
                "active": not self._expired,
            }.items()
            if v is not None
        }


class FaultSet:
    """The faults active on one server. Thread-safe; rules are checked in the order added."""

    def __init__(self, now: callable) -> None:
        self._now = now
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.released = threading.Event()  # set on server stop: hung requests return

    def add(self, kind: str, path: str = "*", **options: Any) -> FaultRule:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        if "commands" in options and options["commands"] is not None:
            options["commands"] = tuple(options["commands"])
        rule = FaultRule(kind=kind, path=path, **options)
        for name in ("nth", "times"):
            value = getattr(rule, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1")
        if rule.method:
            rule.method = rule.method.upper()
        with self._lock:
            rule.id = next(self._ids)
            rule.added_at = self._now()
            self._rules.append(rule)
        return rule

    # Convenience spellings, so tests read like the failure they stage.
    def unauthorized(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("unauthorized", path, **kw)

    def starting(
        self, *, requests: int | None = None, seconds: float | None = None, path: str = "*"
    ) -> FaultRule:
        """503 "starting up" for the next N requests or T simulated seconds (forever if neither)."""
        return self.add("starting", path, times=requests, seconds=seconds)

    def server_error(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("server_error", path, **kw)

    def rate_limited(self, path: str = "*", *, retry_after: float = 5.0, **kw: Any) -> FaultRule:
        return self.add("rate_limited", path, retry_after=retry_after, **kw)

    def slow(self, delay: float, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("slow", path, delay=delay, **kw)

    def hang(self, path: str = "*", *, delay: float = 3600.0, **kw: Any) -> FaultRule:
        return self.add("hang", path, delay=delay, **kw)

    def truncated(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("truncated", path, **kw)

    def cut_connection(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("cut_connection", path, **kw)

    def malformed(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("malformed", path, **kw)

    def html(self, path: str = "*", **kw: Any) -> FaultRule:
        return self.add("html", path, **kw)

    def huge_body(
        self, path: str = "*", *, size: int = 300 * 1024 * 1024, declare_length: bool = False, **kw
    ) -> FaultRule:
        return self.add("huge_body", path, size=size, declare_length=declare_length, **kw)

    def fail_commands(
        self, *names: str, message: str | None = None, times: int | None = None
    ) -> FaultRule:
        return self.add(
            "command_failed",
            "/api/v3/command",
            method="POST",
            commands=names,
            message=message,
            times=times,
        )

    def stall_commands(
        self, *names: str, delay: float | None = None, times: int | None = None
    ) -> FaultRule:
        return self.add(
            "command_stalled",
            "/api/v3/command",
            method="POST",
            commands=names,
            delay=delay,
            times=times,
        )

    def remove(self, rule: FaultRule | int) -> None:
        rid = rule if isinstance(rule, int) else rule.id
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rid]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def match(self, method: str, path: str, *, command: str | None = None) -> FaultRule | None:
        """The first rule that applies to this request (its counters advance), or None.

        ``command_failed`` rules only match through :meth:`command_failure`.
        """
        return self._match(method, path, lambda r: not r.kind.startswith("command_"))

    def command_failure(self, name: str) -> str | None:
        """Message to fail a newly posted command with, if a command_failed rule applies."""
        rule = self._match(
            "POST",
            "/api/v3/command",
            lambda r: r.kind == "command_failed" and (not r.commands or name in r.commands),
        )
        if rule is None:
            return None
        return rule.message or "Failed"

    def command_stall(self, name: str) -> float:
        """Extra simulated seconds for a newly posted command (inf = it never finishes)."""
        rule = self._match(
            "POST",
            "/api/v3/command",
            lambda r: r.kind == "command_stalled" and (not r.commands or name in r.commands),
        )
        if rule is None:
            return 0.0
        return float("inf") if rule.delay is None else float(rule.delay)

    def _match(self, method: str, path: str, accept: callable) -> FaultRule | None:
        now = self._now()
        with self._lock:
            for rule in self._rules:
                if rule._expired or not accept(rule):
                    continue
                if rule.method and rule.method != method:
                    continue
                if not fnmatch.fnmatchcase(path, rule.path):
                    continue
                if rule.seconds is not None and now - rule.added_at >= rule.seconds:
                    rule._expired = True
                    continue
                rule.seen += 1
                if rule.nth is not None:
                    if rule.seen != rule.nth:
                        if rule.seen > rule.nth:
                            rule._expired = True
                        continue
                    rule._expired = True
                rule.applied += 1
                if rule.times is not None and rule.applied >= rule.times:
                    rule._expired = True
                return rule
        return None

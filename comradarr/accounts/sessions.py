"""Signed-in sessions per user: listed, revoked one by one, or all but this one.

Django keeps sessions in django_session, encoded, with no user column, so a
UserSession row beside each one records who, from which browser and address,
and when it was last seen. What signs a browser out is deleting its Django
session row; the UserSession row only makes it findable. Rows whose Django
session expired or vanished are dropped whenever a user's list is read.

Never shown or logged: the session key itself (a bearer credential). The page
names sessions by their row id, and every lookup is by (id, user).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from comradarr.accounts.client_ip import client_ip
from comradarr.models import UserSession

logger = logging.getLogger(__name__)

#: A session's last-seen time is written at most this often per process.
TOUCH_SECONDS = 60
_UA_MAX = 300


# --------------------------------------------------------------------- devices

_BROWSERS = (
    # Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"Chrome/|\bCriOS/|\bChromium/")),  # HeadlessChrome/ too
    ("Safari", re.compile(r"\bSafari/")),
    ("curl", re.compile(r"^curl/")),
    ("Python", re.compile(r"python-requests|^Python-urllib|^python-httpx")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def device_label(user_agent: str) -> str:
    """ "Firefox on Linux", "Safari on iPhone", "curl" ... from a User-Agent header."""
    text = (user_agent or "")[:_UA_MAX]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


# ------------------------------------------------------------ writing the rows


def _session_user_id(request: HttpRequest) -> str | None:
    """The user id this request's session signs in (None: no session sign-in, e.g. a bypass)."""
    session = getattr(request, "session", None)
    return None if session is None else session.get(SESSION_KEY)


def _upsert(request: HttpRequest, key: str, user_pk: int) -> None:
    ip = client_ip(request) or None
    row = UserSession(
        session_key=key,
        user_id=user_pk,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:_UA_MAX],
        client_ip=ip,
        last_seen_at=timezone.now(),
    )
    UserSession.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["session_key"],
        update_fields=["user_agent", "client_ip", "last_seen_at"],
    )


def _touch_mark(key: str) -> str:
    # The cache key need not carry the credential itself.
    return "comradarr:session-seen:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def session_started(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Record the session login() just started (call right after it)."""
    session = request.session
    if session.session_key is None:
        session.save()  # login() may leave a fresh session unsaved until the response
    _upsert(request, session.session_key, user.pk)
    cache.set(_touch_mark(session.session_key), True, TOUCH_SECONDS)


def _on_login(sender: object, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    if request is not None and user is not None and getattr(request, "session", None) is not None:
        session_started(request, user)


def connect_login_hook() -> None:
    """Called from the app's ready(): user_logged_in fires for every way of signing in."""
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_on_login, dispatch_uid="comradarr.sessions.started")


def session_touch(request: HttpRequest) -> None:
    """Note that this request's session is alive (middleware; one write a minute at most)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or _session_user_id(request) is None:
        return
    key = request.session.session_key
    if key and cache.add(_touch_mark(key), True, TOUCH_SECONDS):
        _upsert(request, key, user.pk)


def session_ended(request: HttpRequest) -> None:
    """Forget this request's session (call before logout(), which flushes it)."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
        cache.delete(_touch_mark(key))


# -------------------------------------------------------------- listing, revoking


@dataclass(frozen=True)
class SessionInfo:
    pk: int
    device: str
    user_agent: str
    client_ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def sessions_of(user: AbstractBaseUser, *, current_key: str | None) -> list[SessionInfo]:
    """``user``'s live sessions, this one first, then the most recently seen."""
    now = timezone.now()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key__in=live).delete()
    rows = UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk")
    found = [
        SessionInfo(
            pk=row.pk,
            device=device_label(row.user_agent),
            user_agent=row.user_agent,
            client_ip=row.client_ip or "",
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=bool(current_key) and row.session_key == current_key,
        )
        for row in rows
    ]
    found.sort(key=lambda s: not s.current)
    return found


def _delete(keys: list[str]) -> int:
    Session.objects.filter(session_key__in=keys).delete()
    deleted, _ = UserSession.objects.filter(session_key__in=keys).delete()
    for key in keys:
        cache.delete(_touch_mark(key))
    return deleted


def session_revoke(*, user: AbstractBaseUser, pk: int) -> str | None:
    """Sign out ``user``'s session ``pk``; its session key, or None when it is not theirs."""
    key = UserSession.objects.filter(pk=pk, user=user).values_list("session_key", flat=True).first()
    if key is None:
        return None
    _delete([key])
    logger.warning("session revoked", extra={"user_id": user.pk, "session_id": pk})
    return key


def sessions_revoke_others(*, user: AbstractBaseUser, keep_key: str | None) -> int:
    """Sign out every session of ``user`` but ``keep_key``; how many were signed out.

    Also finds sessions that never got a UserSession row (started before this
    feature and unused since) by decoding the live ones: rare, and a handful.
    """
    keys = set(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_key or "")
        .values_list("session_key", flat=True)
    )
    known = UserSession.objects.values("session_key")
    unlisted = Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key__in=known)
    for session in unlisted.exclude(session_key=keep_key or "").iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            keys.add(session.session_key)
    count = len(keys)
    _delete(sorted(keys))
    logger.warning("other sessions signed out", extra={"user_id": user.pk, "count": count})
    return count

"""Fixtures of the security regression suite (tests/security/).

One module per class of hole found in a peer project (Huntarr, 2026), each
test's docstring naming the class it guards, so no later change reopens one.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from comradarr.accounts import runtime
from connectors.models import Connector

PASSWORD = "Tr0ub4dor&3-horse-staple"
API_KEY = "f00dfeedcafebabe0123456789abcdef"


@pytest.fixture(autouse=True)
def fresh_runtime():
    """The per-process settings cache must not leak an auth mode between tests."""
    runtime.invalidate()
    yield
    runtime.invalidate()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(
        username=settings.ADMIN_USER, password=PASSWORD
    )


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def connector(db) -> Connector:
    return Connector.objects.create(
        name="Sonarr main", kind=Connector.Kind.SONARR, url="http://127.0.0.1:1", api_key=API_KEY
    )


WEBHOOK_SECRET = "hookZYXWVUTSRQPONMLKJIHGFEDCBAzyx"


@pytest.fixture
def install(connector):
    """A populated install: a Sonarr (key, webhook secret), a Radarr, a small library,
    queue entries, history, sweeps, sweep schedules and throttle profiles."""
    from content.models import SyncState
    from queueing.models import SweepSchedule, ThrottleProfile
    from tests.searchstate import builders
    from tests.ui_engine.conftest import make_entry, make_history, make_sweep

    state, _ = SyncState.objects.get_or_create(connector=connector)
    state.webhook_secret = WEBHOOK_SECRET
    state.save()
    radarr = Connector.objects.create(
        name="Radarr", kind=Connector.Kind.RADARR, url="http://127.0.0.1:1/radarr", api_key="r" * 32
    )
    show = builders.series(connector, "Severance", episode_count=12, episode_file_count=5)
    episodes = builders.episodes(show, 1, 4, has_file=1)
    movie = builders.movie(radarr, "Heat")
    entry = make_entry(connector, items=episodes[1:], reason="3 missing episodes")
    make_history(connector, outcome="grabbed")
    make_sweep(connector, kind="gaps")
    if not SweepSchedule.objects.filter(connector=connector).exists():
        SweepSchedule.objects.create(connector=connector, cron="0 * * * *", kind="gaps")
    profile = ThrottleProfile.objects.first() or ThrottleProfile.objects.create(name="custom")
    return {
        "connector": connector,
        "radarr": radarr,
        "series": show,
        "episode": episodes[0],
        "movie": movie,
        "entry": entry,
        "schedule": SweepSchedule.objects.filter(connector=connector).first(),
        "profile": profile,
    }


def candidate_paths(route, install) -> list[str]:
    """Concrete paths of `route` filled with the install's real ids (every combination)."""
    import itertools

    from tests.security.urlwalk import group_names, path_with

    ids = sorted({obj.pk for obj in install.values() if getattr(obj, "pk", None)})
    choices = [
        ["episode", "movie", "series"] if name == "kind" else [str(i) for i in ids]
        for name in group_names(route.regex)
    ]
    if not choices:
        return [route.path]
    return [path_with(route.regex, list(combo)) for combo in itertools.product(*choices)]

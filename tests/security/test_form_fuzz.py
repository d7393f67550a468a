"""Hostile values in every form of the web UI: a clear answer, never a 500, in bounded time.

Forms are discovered by rendering every route (tests/security/forms.py), so a
form added later is fuzzed too. Each form is posted once per kind of value
(every field set to it): empty, 1 MB, unicode, NUL, negative, huge number and
markup. Expected: 200 (the form again, with errors), 302/204 (done or refused),
400 (bad request) or 404 (a referenced row that does not exist); never 5xx, and
never more than the time bound.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tests.security.conftest import candidate_paths
from tests.security.forms import Form, forms_in
from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db

VALUES = {
    "empty": "",
    "1 MB": "A" * 1_000_000,
    "unicode": "Z\u0308\u00f6\u00df \u65e5\u672c\u8a9e \U0001f3ac \u202eevil\u202c \ufeff",
    "NUL": "abc\x00def",
    "negative": "-1",
    "huge": "9" * 40,
    "markup": "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>{{7*7}}%s",
}
ACCEPTED = {200, 204, 302, 400, 404}
SECONDS_PER_POST = 5.0
NOT_FORMS = {"logout", "admin:logout", "health", "content_webhook", "content_webhook_basic"}


def discover(client, install) -> list[Form]:
    found: dict[tuple, Form] = {}
    for route in concrete_routes():
        if route.name.startswith("admin:") or route.name in NOT_FORMS:
            continue
        for path in candidate_paths(route, install):
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in forms_in(response.content.decode(), path):
                if form.action.rstrip("/").endswith("logout"):
                    continue
                found.setdefault(form.key, form)
    # Deleting forms last: they would take the rows the others post to.
    return sorted(found.values(), key=lambda f: ("delete" in f.action, f.action))


@pytest.fixture
def no_backoff(monkeypatch):
    """The stored connectors point at a closed port: their checks fail at once, and the
    retry backoff (deliberate sleeps, not work) is skipped so the time bound measures work."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


def test_every_form_survives_hostile_values(signed_in, install, no_backoff):
    """Class: input handling (hostile form values give a 500 or hang a worker)."""
    forms = discover(signed_in, install)
    actions = {form.action for form in forms}
    # The forms of the list were really found (connectors, queue, schedules,
    # throttle profiles, settings, library actions).
    for expected in (
        "/connectors/add/",
        "/settings/",
        "/queue/schedules/add/",
        "/queue/profiles/add/",
        "/queue/pause/",
    ):
        assert expected in actions, sorted(actions)
    assert any(a.startswith("/library/") for a in actions), sorted(actions)

    failures = []
    for form in forms:
        for label, value in VALUES.items():
            data = {name: value for name in form.fields if name != "csrfmiddlewaretoken"}
            for headers in ({}, {"HX-Request": "true"}) if form.htmx else ({},):
                started = time.monotonic()
                response = signed_in.post(form.action, data, headers=headers)
                took = time.monotonic() - started
                if response.status_code not in ACCEPTED or took > SECONDS_PER_POST:
                    failures.append(
                        (form.action, label, bool(headers), response.status_code, round(took, 2))
                    )
    assert not failures


@pytest.mark.parametrize("label", list(VALUES))
def test_the_sign_in_form_survives_hostile_values(client, admin_user, label):
    """Class: input handling: the one form anyone can post to, and `next` as a signed-in user."""
    value = VALUES[label]
    data = {"username": value, "password": value, "next": value}
    started = time.monotonic()
    response = client.post(reverse("login"), data)
    assert response.status_code in (200, 400, 429)
    client.force_login(admin_user)
    response = client.post(reverse("login"), data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"].startswith("/")
    assert time.monotonic() - started < SECONDS_PER_POST

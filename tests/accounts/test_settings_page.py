"""The general settings page and the run-time log level."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django_q.signals import post_execute_in_worker, pre_execute

from comradarr import logs
from comradarr.accounts import runtime
from comradarr.models import AppSettings
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


#: The general fields every save sends (tests/settings_pages covers them).
GENERAL = {"display_name": "Comradarr", "time_zone": "UTC", "public_url": ""}


def post(client, **data):
    return client.post(reverse("settings"), {**GENERAL, **data})


def post_security(client, **data):
    """The authentication mode lives on Settings > Security."""
    return client.post(reverse("settings_security"), data)


def test_settings_url():
    assert reverse("settings") == "/settings/"


def test_page_shows_modes_with_explanations(signed_in):
    response = signed_in.get(reverse("settings_security"))
    assert response.status_code == 200
    body = response.content.decode()
    for value in ("full", "local_bypass", "disabled"):
        assert f'value="{value}"' in body
    assert "TRUSTED_PROXIES" in body  # local bypass explains the proxy pitfall
    assert "anyone who can reach Comradarr" in body
    assert 'value="full" checked' in body


def test_save_changes_the_row(signed_in):
    response = post_security(signed_in, auth_mode="local_bypass", current_password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("settings_security") + "#auth-mode"
    response = post(signed_in, log_level="error")
    assert response.status_code == 302
    assert response["Location"] == reverse("settings")
    row = AppSettings.load()
    assert (row.auth_mode, row.log_level) == ("local_bypass", "error")
    page = signed_in.get(reverse("settings"))
    assert "Settings saved." in page.content.decode()


def test_the_general_page_leaves_the_auth_mode_alone_and_points_to_security(signed_in):
    response = post(signed_in, auth_mode="disabled", log_level="info")
    assert response.status_code == 302
    assert AppSettings.load().auth_mode == "full"
    body = signed_in.get(reverse("settings")).content.decode()
    assert 'name="auth_mode"' not in body
    assert f'href="{reverse("settings_security")}"' in body


@pytest.mark.parametrize(
    ("data", "bad_field"),
    [
        ({"auth_mode": "none", "current_password": PASSWORD}, "auth_mode"),
        ({"auth_mode": "FULL", "current_password": PASSWORD}, "auth_mode"),
        ({"auth_mode": "", "current_password": PASSWORD}, "auth_mode"),
        ({"current_password": PASSWORD}, "auth_mode"),
        ({"auth_mode": "<script>x</script>", "current_password": PASSWORD}, "auth_mode"),
        ({"log_level": "verbose"}, "log_level"),
        ({"log_level": "10"}, "log_level"),
        ({}, "log_level"),
        ({"log_level": "<script>x</script>"}, "log_level"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_lost(signed_in, data, bad_field, root_level):
    before = root_level()
    on_security = bad_field == "auth_mode"
    response = (post_security if on_security else post)(signed_in, **data)
    assert response.status_code == 200
    form = response.context["auth_form" if on_security else "form"]
    assert list(form.errors) == [bad_field]
    # The database row is untouched ...
    row = AppSettings.objects.get()
    assert (row.auth_mode, row.log_level) == ("full", "warning")
    assert root_level() == before
    # ... and the page is whole, with the hostile value escaped.
    body = response.content.decode()
    assert 'value="full"' in body if on_security else '<option value="warning"' in body
    assert "<script>x</script>" not in body


@pytest.mark.parametrize("name", ["settings", "settings_security"])
def test_settings_post_without_csrf_token_is_rejected(admin_user, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    data = {**GENERAL, "auth_mode": "disabled", "log_level": "info", "current_password": PASSWORD}
    response = client.post(reverse(name), data)
    assert response.status_code == 403
    assert (AppSettings.load().auth_mode, AppSettings.load().log_level) == ("full", "warning")


@pytest.mark.parametrize("name", ["settings", "settings_security"])
def test_settings_page_requires_login(client, admin_user, name):
    data = {"auth_mode": "disabled", "log_level": "info", "current_password": PASSWORD}
    response = client.post(reverse(name), data)
    assert response.status_code == 302
    assert (AppSettings.load().auth_mode, AppSettings.load().log_level) == ("full", "warning")


def test_cannot_turn_auth_on_when_admin_has_no_password(signed_in, admin_user):
    AppSettings.objects.update_or_create(pk=1, defaults={"auth_mode": "disabled"})
    admin_user.set_unusable_password()
    admin_user.save()
    runtime.invalidate()
    response = post_security(signed_in, auth_mode="full")
    assert response.status_code == 200
    assert "ensure_admin --reset-password" in response.content.decode()
    assert AppSettings.objects.get().auth_mode == "disabled"


def test_log_level_applies_at_once_in_this_process(signed_in, root_level):
    assert root_level() == logging.WARNING
    post(signed_in, auth_mode="full", log_level="debug")
    assert root_level() == logging.DEBUG
    post(signed_in, auth_mode="full", log_level="trace")
    assert root_level() == logs.TRACE


def test_other_processes_follow_within_the_refresh_interval(signed_in, root_level, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(runtime, "_clock", lambda: now[0])
    runtime.current()
    assert root_level() == logging.WARNING
    # Another process saves a new level: this one still has the row cached ...
    AppSettings.objects.filter(pk=1).update(log_level="error", auth_mode="disabled")
    now[0] += runtime.REFRESH_SECONDS - 1
    signed_in.get(reverse("settings"))
    assert root_level() == logging.WARNING
    # ... and picks it up on the first request after the interval.
    now[0] += 2
    response = signed_in.get(reverse("settings"))
    assert root_level() == logging.ERROR
    assert response.context["auth_warning"]


def test_queue_workers_follow_before_each_task(db, root_level, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(runtime, "_clock", lambda: now[0])
    runtime.current()
    AppSettings.objects.filter(pk=1).update(log_level="critical")
    now[0] += runtime.REFRESH_SECONDS + 1
    # What django-q's worker sends before running a task.
    task = {"id": "t1"}
    pre_execute.send(sender="django_q", func=print, task=task)
    assert root_level() == logging.CRITICAL
    # ... and after it (which gives back the task's correlation id).
    post_execute_in_worker.send(sender="django_q", func=print, task=task)


def test_the_settings_row_is_a_singleton(db):
    from django.db import IntegrityError, transaction

    assert AppSettings.load().pk == AppSettings.load().pk == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AppSettings.objects.create(pk=2)


def test_log_level_default_comes_from_the_environment(db, settings):
    settings.LOG_LEVEL = "error"
    assert AppSettings.load().log_level == "error"


def test_admin_edit_applies_the_log_level(signed_in, root_level):
    url = reverse("admin:comradarr_appsettings_change", args=[AppSettings.load().pk])
    response = signed_in.post(url, {"auth_mode": "full", "log_level": "info"})
    assert response.status_code == 302
    assert AppSettings.objects.get().log_level == "info"
    assert root_level() == logging.INFO


@pytest.mark.parametrize(
    ("ip", "text"), [("192.168.1.9", "counts"), ("203.0.113.9", "does not count")]
)
def test_page_says_whether_this_browser_is_local(signed_in, ip, text):
    body = signed_in.get(reverse("settings_security"), REMOTE_ADDR=ip).content.decode()
    assert f'<span class="mono">{ip}</span>, which {text} as the local network' in body


def test_the_settings_row_is_not_read_on_every_request(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in.get(reverse("admin:index"))  # warms this process's cache
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(reverse("admin:index"))
        signed_in.get(reverse("admin:index"))
    assert not [q for q in queries if "comradarr_appsettings" in q["sql"]]

"""The General settings page: display name, time zone, public URL, update check, env locks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.signals import pre_execute

from comradarr import settings_sources
from comradarr.accounts import runtime, services
from comradarr.models import AppSettings
from tests.settings_pages.conftest import GENERAL

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def save(client, **data):
    return client.post(reverse("settings"), {**GENERAL, **data})


def test_good_values_are_saved(signed_in):
    response = save(
        signed_in,
        display_name="  Living room  ",
        time_zone="Europe/Berlin",
        public_url="https://comradarr.example.com/",
        update_check="on",
    )
    assert response.status_code == 302
    row = AppSettings.objects.get()
    assert row.display_name == "Living room"
    assert row.time_zone == "Europe/Berlin"
    assert row.public_url == "https://comradarr.example.com"
    assert row.update_check is True
    body = signed_in.get(reverse("settings")).content.decode()
    assert "· Living room</title>" in body


def test_update_check_is_off_by_default_and_a_missing_box_turns_it_off(signed_in):
    assert AppSettings.load().update_check is False
    save(signed_in, update_check="on")
    assert AppSettings.objects.get().update_check is True
    save(signed_in)  # an unticked checkbox sends nothing
    assert AppSettings.objects.get().update_check is False


def test_time_zone_is_matched_case_insensitively(signed_in):
    save(signed_in, time_zone=" america/new_york ")
    assert AppSettings.objects.get().time_zone == "America/New_York"


def test_the_page_offers_every_time_zone_as_a_searchable_list(signed_in):
    body = signed_in.get(reverse("settings")).content.decode()
    assert 'list="time-zones"' in body
    assert '<datalist id="time-zones">' in body
    for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"):
        assert f'<option value="{name}">' in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "is not a time zone this system knows"),
        ("time_zone", "", "Pick a time zone"),
        ("time_zone", "../../etc/passwd", "is not a time zone"),
        ("time_zone", "Europe/Berlin\x00", "Null characters are not allowed"),
        ("time_zone", "E" * 500, "at most 64 characters"),
        ("display_name", "", "Enter a name"),
        ("display_name", "   ", "Enter a name"),
        ("display_name", "x" * 61, "at most 60 characters"),
        ("display_name", "<script>alert(1)</script>", "control characters or < >"),
        ("display_name", "tab\there", "control characters"),
        ("public_url", "javascript:alert(1)", "http:// or https://"),
        ("public_url", "ftp://files.example.com", "http:// or https://"),
        ("public_url", "comradarr.example.com", "http:// or https://"),
        ("public_url", "https://", "http:// or https://"),
        ("public_url", 'https://x.example/"><b>', "quotes"),
        ("public_url", "https://a b.example", "spaces"),
        ("public_url", "https://user:pw@x.example", "user name or password"),
        ("public_url", "https://x.example/?next=evil", "query"),
        ("public_url", "https://x.example:99999", "not a valid URL"),
        ("public_url", "https://" + "a" * 400 + ".example", "at most 300 characters"),
        ("log_level", "verbose", "Select a valid choice"),
    ],
)
def test_bad_values_are_refused_clearly_and_nothing_is_lost(signed_in, field, value, message):
    typed = {
        "display_name": "Den",
        "time_zone": "Asia/Tokyo",
        "public_url": "https://ok.example",
        "update_check": "on",
        field: value,
    }
    response = save(signed_in, **typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    # The row is untouched ...
    row = AppSettings.objects.get()
    assert (row.display_name, row.time_zone, row.public_url) == ("Comradarr", "UTC", "")
    assert row.update_check is False
    # ... the other fields keep what was typed, and nothing typed is echoed unescaped.
    body = response.content.decode()
    for other in {"display_name", "time_zone", "public_url"} - {field}:
        assert f'value="{typed[other]}"' in body
    assert "<script>alert(1)</script>" not in body
    assert '"><b>' not in body


def test_a_missing_field_is_an_error_not_a_crash(signed_in):
    response = signed_in.post(reverse("settings"), {"auth_mode": "full", "log_level": "info"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"display_name", "time_zone"}


def test_post_without_csrf_token_is_refused(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("settings"), {**GENERAL, "time_zone": "Asia/Tokyo"})
    assert response.status_code == 403
    assert AppSettings.load().time_zone == "UTC"


# ----------------------------------------------------------------- locked by the environment


def test_env_tz_locks_the_field_and_the_page_says_so(signed_in, settings):
    settings.TIME_ZONE_ENV = "Asia/Tokyo"
    body = signed_in.get(reverse("settings")).content.decode()
    assert "Set by the environment (TZ)" in body
    assert 'name="time_zone" value="Asia/Tokyo"' in body
    field_html = body[body.index('name="time_zone"') - 200 : body.index('name="time_zone"') + 200]
    assert "disabled" in field_html


def test_a_forged_post_cannot_change_an_env_locked_field(signed_in, settings):
    settings.TIME_ZONE_ENV = "Asia/Tokyo"
    settings.PUBLIC_URL = "https://from-env.example"
    response = save(
        signed_in, time_zone="Europe/Berlin", public_url="https://forged.example", display_name="X"
    )
    assert response.status_code == 302
    row = AppSettings.objects.get()
    assert (row.time_zone, row.public_url, row.display_name) == ("UTC", "", "X")
    # What is in effect is the environment's.
    assert settings_sources.effective_time_zone(row) == "Asia/Tokyo"
    assert runtime.public_url() == "https://from-env.example"


def test_the_service_itself_drops_locked_fields(db, settings):
    settings.PUBLIC_URL = "https://from-env.example"
    row = services.app_settings_update(public_url="https://forged.example", display_name="Y")
    assert (row.public_url, row.display_name) == ("", "Y")
    with pytest.raises(TypeError):
        services.app_settings_update(is_superuser=True)


def test_an_env_locked_field_ignores_even_invalid_posted_values(signed_in, settings):
    settings.TIME_ZONE_ENV = "Asia/Tokyo"
    response = save(signed_in, time_zone="<not a zone>")
    assert response.status_code == 302


def test_locked_fields_name_their_variables(settings):
    settings.TIME_ZONE_ENV = None
    settings.PUBLIC_URL = ""
    assert settings_sources.locked_fields() == {}
    settings.TIME_ZONE_ENV = "UTC"
    settings.PUBLIC_URL = "https://c.example"
    assert settings_sources.locked_fields() == {"time_zone": "TZ", "public_url": "PUBLIC_URL"}


# ----------------------------------------------------------------- applied without restart


@time_machine.travel(MOMENT, tick=False)
def test_a_new_time_zone_shows_on_the_next_page(signed_in):
    body = signed_in.get(reverse("settings")).content.decode()
    assert "2026-07-01 12:00 UTC" in body
    save(signed_in, time_zone="Asia/Kolkata")
    body = signed_in.get(reverse("settings")).content.decode()
    assert "2026-07-01 17:30 IST" in body and "(Asia/Kolkata)" in body


@time_machine.travel(MOMENT, tick=False)
def test_other_processes_follow_a_time_zone_change_within_the_refresh(signed_in, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(runtime, "_clock", lambda: now[0])
    signed_in.get(reverse("settings"))
    # Another process saves a new zone: this one has the row cached ...
    AppSettings.objects.filter(pk=1).update(time_zone="America/New_York")
    assert "12:00 UTC" in signed_in.get(reverse("settings")).content.decode()
    # ... and uses it from the first request after the refresh interval.
    now[0] += runtime.REFRESH_SECONDS + 1
    assert "08:00 EDT" in signed_in.get(reverse("settings")).content.decode()


def test_queue_workers_use_the_time_zone_before_each_task(db):
    AppSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Australia/Sydney"})
    pre_execute.send(sender="django_q", func=print, task={"id": "t1"})
    assert timezone.get_current_timezone_name() == "Australia/Sydney"


def test_a_zone_gone_from_tzdata_falls_back_instead_of_failing(signed_in):
    AppSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Nowhere/Gone"})
    assert signed_in.get(reverse("settings")).status_code == 200


def test_the_next_log_line_follows_a_new_log_level(signed_in, caplog):
    logger = logging.getLogger("comradarr.test.level")
    logger.debug("before")
    save(signed_in, log_level="debug")
    logger.debug("after")
    messages = [r.getMessage() for r in caplog.records if r.name == logger.name]
    assert messages == ["after"]


def test_health_never_reads_the_settings_row(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("health"))
    assert not [q for q in queries if "comradarr_appsettings" in q["sql"]]

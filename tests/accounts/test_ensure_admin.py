"""manage.py ensure_admin: create the single account once, then leave it alone."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from comradarr.models import AppSettings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def run(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def test_creates_the_admin_superuser(settings):
    settings.ADMIN_USER, settings.ADMIN_PASS = "boss", PASSWORD
    assert "Created admin user 'boss'" in run()
    user = User.objects.get()
    assert user.username == "boss"
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(PASSWORD)


def test_is_idempotent_and_keeps_the_password(settings):
    settings.ADMIN_PASS = PASSWORD
    run()
    settings.ADMIN_PASS = "a-different-password-42"
    assert "password unchanged" in run()
    assert User.objects.count() == 1
    assert User.objects.get().check_password(PASSWORD)


def test_reset_password_sets_it_from_admin_pass(settings):
    settings.ADMIN_PASS = PASSWORD
    run()
    settings.ADMIN_PASS = "a-different-password-42"
    assert "password reset" in run("--reset-password")
    assert User.objects.get().check_password("a-different-password-42")


def test_reset_password_without_admin_pass_fails(settings):
    settings.ADMIN_PASS = PASSWORD
    run()
    settings.ADMIN_PASS = None
    with pytest.raises(CommandError, match="--reset-password needs ADMIN_PASS"):
        run("--reset-password")
    assert User.objects.get().check_password(PASSWORD)


def test_restores_the_flags_of_an_existing_account(settings):
    User.objects.create_user(username="admin", password=PASSWORD, is_active=False)
    settings.ADMIN_PASS = None  # not needed: the account exists
    run()
    user = User.objects.get()
    assert user.is_active and user.is_staff and user.is_superuser
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("missing", [None, ""])
def test_missing_admin_pass_on_first_run_is_one_clear_error(settings, missing):
    settings.ADMIN_PASS = missing
    with pytest.raises(CommandError) as excinfo:
        run()
    message = str(excinfo.value)
    assert message.startswith("ADMIN_PASS is required on first run")
    assert "\n" not in message
    assert not User.objects.exists()


def test_weak_admin_pass_is_refused(settings):
    settings.ADMIN_PASS = "abc"
    with pytest.raises(CommandError, match=r"ADMIN_PASS is not accepted: .*too short"):
        run()
    assert not User.objects.exists()


def test_auth_disabled_creates_a_passwordless_account(settings):
    AppSettings.objects.create(pk=1, auth_mode=AppSettings.AuthMode.DISABLED)
    settings.ADMIN_PASS = None
    run()
    user = User.objects.get()
    assert not user.has_usable_password()
    assert user.is_superuser


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the subprocess commits; the flush afterwards cleans up
def test_manage_py_exits_non_zero_with_one_line():
    """The real command line: what `make run` users see without ADMIN_PASS."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ADMIN_USER": "newcomer",
        "ADMIN_PASS": "",
    }
    env.pop("ADMIN_PASS_FILE", None)
    from django.db import connection

    # The subprocess uses the test database this session created.
    env["DATABASE_URL"] = _url_for(connection.get_connection_params(), connection.settings_dict)
    result = subprocess.run(
        [sys.executable, "manage.py", "ensure_admin"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ADMIN_PASS is required on first run" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _url_for(params: dict, settings_dict: dict) -> str:
    host = quote(str(params.get("host") or "localhost"), safe="")
    port = params.get("port") or 5432
    password = quote(params.get("password") or "", safe="")
    auth = quote(params.get("user") or "postgres", safe="") + (f":{password}" if password else "")
    return f"postgresql://{auth}@{host}:{port}/{settings_dict['NAME']}"

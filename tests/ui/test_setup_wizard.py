"""The first-run wizard without a browser: where sign-in lands, skip, resume, never again,
and bad input at every step (a clear error, nothing lost, nothing saved).

The whole flow in a real browser is tests/browser/test_setup_wizard.py.
"""

from __future__ import annotations

import pytest
import responses
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from connectors.models import Connector
from content.models import SyncRun
from queueing.models import ConnectorThrottle, SweepSchedule, ThrottleProfile
from tests.connectors.arr_stubs import stub_app
from tests.searchstate import builders as b
from web.models import SetupWizard

pytestmark = pytest.mark.django_db

PASSWORD = "wizard-test-Pa55word!"
BASE = "http://sonarr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def user():
    return get_user_model().objects.create_superuser("admin", "", PASSWORD)


@pytest.fixture
def web(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def tasks(monkeypatch):
    import django_q.tasks

    calls: list[tuple] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: calls.append(a))
    return calls


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def sign_in(client):
    return client.post(reverse("login"), {"username": "admin", "password": PASSWORD})


def landing(client) -> str:
    response = sign_in(client)
    assert response.status_code == 302
    return client.get(response["Location"])["Location"]


def connector_form(**overrides) -> dict:
    form = {
        "kind": "sonarr",
        "name": "Living room",
        "url": BASE,
        "api_key": KEY,
        "verify_ssl": "on",
        "timeout_seconds": "30",
        "sync_now": "on",
        "action": "save",
    }
    form.update(overrides)
    return form


def wizard_connector(**fields) -> Connector:
    conn = b.connector("Living room", **fields)
    SetupWizard.objects.update_or_create(pk=1, defaults={"connector": conn})
    return conn


# --- where signing in lands ----------------------------------------------------------------


def test_signing_in_without_a_connector_lands_on_step_1(client, user):
    assert landing(client) == reverse("setup:connector")
    page = client.get(reverse("setup:connector")).content.decode()
    assert "Step 1: connect Sonarr, Radarr or Whisparr" in page
    assert "Test connection" in page and "Skip setup" in page


def test_a_connector_added_elsewhere_means_never_the_wizard(client, user):
    b.connector("Added on the connectors page")
    assert landing(client) == reverse("dashboard")


def test_skipping_is_remembered(web, user):
    response = web.post(reverse("setup:skip"))
    assert response["Location"] == reverse("dashboard")
    assert SetupWizard.load().skipped_at is not None
    web.logout()
    assert landing(web) == reverse("dashboard")  # not shown again, even without connectors


def test_finished_means_never_again(client, user):
    conn = wizard_connector()
    SetupWizard.objects.filter(pk=1).update(finished_at=timezone.now())
    assert landing(client) == reverse("dashboard")
    assert client.get(reverse("setup:resume"))["Location"] == reverse("dashboard")
    assert Connector.objects.get() == conn


def test_the_empty_dashboard_offers_the_wizard_again(web):
    web.post(reverse("setup:skip"))
    page = web.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("setup:resume")}">Guided setup' in page
    assert web.get(reverse("setup:resume"))["Location"] == reverse("setup:connector")


def test_skip_needs_a_post(web):
    assert web.get(reverse("setup:skip")).status_code == 405
    assert SetupWizard.load().skipped_at is None


def test_the_wizard_needs_a_signed_in_user(client):
    for name in ("setup:start", "setup:connector", "setup:pace", "setup:sync"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


# --- resumable: the step comes from the database -------------------------------------------


def test_connector_without_a_profile_resumes_at_step_2(client, user):
    wizard_connector()
    assert landing(client) == reverse("setup:pace")


def test_profile_chosen_resumes_at_step_3_then_4(client, user):
    conn = wizard_connector()
    ConnectorThrottle.objects.create(connector=conn, profile=ThrottleProfile.default())
    assert landing(client) == reverse("setup:schedules")
    SetupWizard.objects.filter(pk=1).update(schedules_confirmed_at=timezone.now())
    assert client.get(reverse("setup:resume"))["Location"] == reverse("setup:sync")


def test_a_later_step_cannot_be_reached_early(web):
    for name in ("setup:pace", "setup:schedules", "setup:sync"):
        assert web.get(reverse(name))["Location"] == reverse("setup:connector")
    wizard_connector()
    assert web.get(reverse("setup:sync"))["Location"] == reverse("setup:pace")
    # Step 1 done: it is not offered again (no second connector through the wizard).
    assert web.get(reverse("setup:connector"))["Location"] == reverse("setup:pace")


# --- step 1 --------------------------------------------------------------------------------


def test_step_1_tests_then_saves_and_goes_to_step_2(
    web, rsps, tasks, django_capture_on_commit_callbacks
):
    stub_app(rsps, BASE, api_key=KEY)
    tested = web.post(reverse("setup:connector"), connector_form(action="test"))
    assert "Connected to Sonarr" in tested.content.decode()
    assert not Connector.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("setup:connector"), connector_form())
    assert response["Location"] == reverse("setup:pace")
    conn = Connector.objects.get()
    wizard = SetupWizard.load()
    assert wizard.connector == conn and wizard.sync_requested_at is not None
    assert [c[:2] for c in tasks if c[0] == "content.tasks.sync_connector"] == [
        ("content.tasks.sync_connector", conn.pk)
    ]


def test_step_1_bad_input_keeps_what_was_typed(web, rsps):
    stub_app(rsps, BASE, api_key=KEY)
    response = web.post(reverse("setup:connector"), connector_form(url="ftp://nope", name=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page or "name" in page.lower()
    assert 'value="ftp://nope"' in page  # nothing lost
    assert KEY not in page  # the key is never sent back
    assert not Connector.objects.exists()


def test_step_1_wrong_key_is_refused_next_to_the_key(web, rsps):
    stub_app(rsps, BASE, api_key=KEY)
    response = web.post(reverse("setup:connector"), connector_form(api_key="f" * 32))
    page = response.content.decode()
    assert "Not saved: the connection test failed." in page
    assert 'value="Living room"' in page
    assert not Connector.objects.exists()
    assert SetupWizard.load().connector is None


def test_step_1_unticked_sync_now_leaves_step_4_to_start_it(
    web, rsps, tasks, django_capture_on_commit_callbacks
):
    stub_app(rsps, BASE, api_key=KEY)
    form = connector_form()
    del form["sync_now"]
    with django_capture_on_commit_callbacks(execute=True):
        web.post(reverse("setup:connector"), form)
    assert tasks == [] and SetupWizard.load().sync_requested_at is None


# --- step 2 --------------------------------------------------------------------------------


def test_step_2_explains_the_tradeoff_and_assigns_the_profile(web):
    conn = wizard_connector()
    page = web.get(reverse("setup:pace")).content.decode()
    assert "fills the gaps in your library sooner" in page
    assert "for an example of 1000 missing" in page
    # queueing.backlog's estimate: moderate lets 100 queries a day through, 1000 take 10 days.
    assert "About 10 days at this rate" in page and "About 20 days at this rate" in page
    for name in ("Conservative", "Moderate", "Aggressive"):
        assert name in page
    aggressive = ThrottleProfile.objects.get(name="aggressive")
    response = web.post(reverse("setup:pace"), {"profile": str(aggressive.pk)})
    assert response["Location"] == reverse("setup:schedules")
    assert ConnectorThrottle.objects.get(connector=conn).profile == aggressive


@pytest.mark.parametrize("value", ["", "999999", "abc", "1 OR 1=1", "<script>"])
def test_step_2_bad_choice_is_refused_with_a_message(web, value):
    conn = wizard_connector()
    response = web.post(reverse("setup:pace"), {"profile": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a search pace." in page or "does not exist" in page
    assert "<script>" not in page.split("</head>", 1)[1].replace("&lt;script&gt;", "")
    assert not ConnectorThrottle.objects.filter(connector=conn, profile__isnull=False).exists()


# --- step 3 --------------------------------------------------------------------------------


def test_step_3_is_prefilled_with_the_defaults_and_saves_changes(web):
    conn = wizard_connector()
    ConnectorThrottle.objects.create(connector=conn, profile=ThrottleProfile.default())
    page = web.get(reverse("setup:schedules")).content.decode()
    assert 'value="0 * * * *"' in page and 'value="0 */6 * * *"' in page
    response = web.post(
        reverse("setup:schedules"),
        {
            "gaps-cron": "30 2 * * *",
            "gaps-timezone": "Europe/Berlin",
            "gaps-enabled": "on",
            "upgrades-cron": "0 */6 * * *",
            "upgrades-timezone": "UTC",
        },
    )
    assert response["Location"] == reverse("setup:sync")
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    upgrades = SweepSchedule.objects.get(connector=conn, kind="upgrades")
    assert (gaps.cron, gaps.timezone, gaps.enabled) == ("30 2 * * *", "Europe/Berlin", True)
    assert upgrades.enabled is False
    assert SetupWizard.load().schedules_confirmed_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gaps-cron", "every hour", "cron"),
        ("gaps-cron", "0 0 30 2 *", "cron"),
        ("gaps-cron", "x" * 5000, "characters"),
        ("upgrades-timezone", "Mars/Olympus", "zone"),
        ("gaps-cron", "", "required"),
    ],
)
def test_step_3_bad_input_saves_nothing_and_keeps_the_rest(web, field, value, message):
    conn = wizard_connector()
    ConnectorThrottle.objects.create(connector=conn, profile=ThrottleProfile.default())
    before = sorted(SweepSchedule.objects.filter(connector=conn).values_list("kind", "cron"))
    form = {
        "gaps-cron": "15 * * * *",
        "gaps-timezone": "UTC",
        "gaps-enabled": "on",
        "upgrades-cron": "0 3 * * *",
        "upgrades-timezone": "Europe/Paris",
        "upgrades-enabled": "on",
        field: value,
    }
    response = web.post(reverse("setup:schedules"), form)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist' in page and message in page.lower()
    kept = {k: v for k, v in form.items() if k != field and k.endswith(("cron", "timezone"))}
    for typed in kept.values():
        assert f'value="{typed}"' in page  # nothing the user typed is lost
    after = sorted(SweepSchedule.objects.filter(connector=conn).values_list("kind", "cron"))
    assert after == before
    assert SetupWizard.load().schedules_confirmed_at is None


def test_step_3_recreates_deleted_defaults(web):
    conn = wizard_connector()
    ConnectorThrottle.objects.create(connector=conn, profile=ThrottleProfile.default())
    SweepSchedule.objects.filter(connector=conn).delete()
    response = web.post(
        reverse("setup:schedules"),
        {"gaps-cron": "0 * * * *", "gaps-timezone": "UTC", "gaps-enabled": "on",
         "upgrades-cron": "0 */6 * * *", "upgrades-timezone": "UTC"},
    )  # fmt: skip
    assert response.status_code == 302
    assert SweepSchedule.objects.filter(connector=conn).count() == 2


# --- step 4 --------------------------------------------------------------------------------


def _at_step_4(**wizard_fields) -> Connector:
    conn = wizard_connector()
    ConnectorThrottle.objects.create(connector=conn, profile=ThrottleProfile.default())
    SetupWizard.objects.filter(pk=1).update(schedules_confirmed_at=timezone.now(), **wizard_fields)
    return conn


def test_step_4_starts_the_sync_once(web, tasks, django_capture_on_commit_callbacks):
    conn = _at_step_4()
    page = web.get(reverse("setup:sync")).content.decode()
    assert "Start the first sync" in page
    with django_capture_on_commit_callbacks(execute=True):
        web.post(reverse("setup:sync"), {"action": "start"})
        web.post(reverse("setup:sync"), {"action": "start"})  # a double click queues one
    assert [c[:3] for c in tasks] == [("content.tasks.sync_connector", conn.pk, "full")]
    page = web.get(reverse("setup:sync")).content.decode()
    assert "Queued" in page and f'id="sync-status-{conn.pk}"' in page  # the sync card


def test_step_4_progress_polls_until_done_then_finishes(web):
    conn = _at_step_4(sync_requested_at=timezone.now())
    run = SyncRun.objects.create(
        connector=conn, trigger="manual", kind="full", started_at=timezone.now(), items_seen=42
    )
    fragment = web.get(reverse("setup:sync_progress")).content.decode()
    assert "Syncing: 42 items read" in fragment and 'hx-trigger="every 2s"' in fragment
    run.status, run.finished_at = SyncRun.Status.SUCCEEDED, timezone.now()
    run.save()
    fragment = web.get(reverse("setup:sync_progress")).content.decode()
    assert "Done: the first sync read 42 items" in fragment
    assert 'id="setup-progress"' in fragment and 'hx-trigger="every 2s"' not in fragment
    assert 'id="setup-sync-card" hx-swap-oob="true"' in fragment  # the card, refreshed
    response = web.post(reverse("setup:sync"), {"action": "finish"})
    assert response["Location"] == reverse("dashboard")
    assert SetupWizard.load().finished_at is not None


def test_step_4_a_failed_sync_offers_a_retry(web, tasks, django_capture_on_commit_callbacks):
    conn = _at_step_4(sync_requested_at=timezone.now())
    SyncRun.objects.create(
        connector=conn,
        trigger="manual",
        kind="full",
        status="failed",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        error="Sonarr answered 503",
    )
    page = web.get(reverse("setup:sync")).content.decode()
    assert "The sync failed: Sonarr answered 503" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        web.post(reverse("setup:sync"), {"action": "start"})
    assert len(tasks) == 1


def test_a_deleted_wizard_connector_starts_over(client, user):
    conn = wizard_connector()
    conn.delete()
    assert landing(client) == reverse("setup:connector")

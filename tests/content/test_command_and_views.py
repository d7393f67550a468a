"""manage.py sync (progress, --json, exit codes), Sync now, the status fragment, tasks."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from connectors.models import Connector
from content import tasks
from content.models import Episode, SyncRun, SyncState
from content.sync.runner import connector_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(sonarr_stub):
    for sid in range(1, 21):
        sonarr_stub.add_series(sid, episodes=2)
    return sonarr_stub


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("sync", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ command


def test_sync_command_progress_and_summary(library):
    code, out, err = run_command("--full")
    assert code == 0
    assert "sonarr: 0/20 series (0%)" in err and "sonarr: 20/20 series (100%)" in err
    assert "sonarr: full sync ok" in out and "40 items" in out
    assert "1 connector(s) synced, 0 failed: 60 added, 0 updated, 0 removed." in out
    assert Episode.objects.count() == 40


def test_sync_command_json(library):
    code, out, _err = run_command("--json", "--connector", "sonarr")
    assert code == 0
    data = json.loads(out)
    assert data["failed"] == 0
    (run,) = data["runs"]
    assert run["connector"] == "sonarr" and run["status"] == "succeeded"
    assert run["kind"] == "full"  # the first sync of a connector is full
    # 2 /wanted totals, profiles, series, 20 x episodes.
    assert run["added"] == 60 and run["http_requests"] == 24


def test_sync_command_exits_non_zero_when_a_connector_failed(library):
    Connector.objects.create(
        name="broken",
        kind="radarr",
        url="http://broken.test:7878",
        api_key="z" * 32,
        app_version="5.28.0.10205",
    )
    code, out, err = run_command("--json")
    assert code == 1
    data = json.loads(out)
    statuses = {r["connector"]: r["status"] for r in data["runs"]}
    assert statuses == {"broken": "failed", "sonarr": "succeeded"}
    assert "broken" in err and "1 connector(s) failed" in err


def test_sync_command_unknown_connector(library):
    code, _out, err = run_command("--connector", "nope")
    assert code == 1 and "Unknown connector(s): nope" in err


def test_sync_command_skips_disabled_unless_named(library):
    Connector.objects.filter(pk=library.connector.pk).update(enabled=False)
    code, out, err = run_command()
    assert code == 0 and "No connector to sync." in err
    code, out, _err = run_command("--connector", "sonarr")
    assert code == 0 and "sonarr: full sync ok" in out


# ------------------------------------------------------------------ tasks


def test_task_syncs_and_ignores_missing_or_disabled(library):
    assert tasks.sync_connector(library.connector.pk, "full", "manual") == "succeeded"
    assert tasks.sync_connector(999999) is None
    Connector.objects.filter(pk=library.connector.pk).update(enabled=False)
    assert tasks.sync_connector(library.connector.pk) is None


def test_task_rejects_unknown_kind(library):
    with pytest.raises(ValueError):
        tasks.sync_connector(library.connector.pk, "sideways", "manual")


def test_scheduled_task_fans_out_one_task_per_enabled_connector(library, monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append(a))
    Connector.objects.create(
        name="off", kind="radarr", url="http://off.test", api_key="k" * 32, enabled=False
    )
    assert tasks.sync_all_connectors("full") == [library.connector.pk]
    assert calls == [("content.tasks.sync_connector", library.connector.pk, "full", "schedule")]
    with pytest.raises(ValueError):
        tasks.sync_all_connectors("sideways")


# ------------------------------------------------------------------ views


@pytest.fixture
def web(client, db):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    return client


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append(a))
    return calls


def test_sync_now_enqueues_on_commit_and_never_syncs_in_the_request(
    web, library, enqueued, django_capture_on_commit_callbacks
):
    url = reverse("content:sync_now", args=[library.connector.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = web.post(url, {"kind": "full"})
    assert response.status_code == 302
    assert response.url == reverse("connectors:detail", args=[library.connector.pk])
    assert enqueued == [] and len(callbacks) == 1  # only once the transaction commits
    callbacks[0]()
    assert enqueued == [("content.tasks.sync_connector", library.connector.pk, "full", "manual")]
    assert library.calls == [] and not SyncRun.objects.exists()


def test_sync_now_htmx_returns_the_fragment(
    web, library, enqueued, django_capture_on_commit_callbacks
):
    url = reverse("content:sync_now", args=[library.connector.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(url, {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Incremental sync queued." in body and 'hx-trigger="every 3s"' in body
    assert enqueued[0][2] == "incremental"


def test_sync_now_needs_login_and_post(client, web, library):
    url = reverse("content:sync_now", args=[library.connector.pk])
    assert web.get(url).status_code == 405
    client.logout()
    assert client.post(url).status_code in (302, 401, 403)


def test_status_fragment_shows_runs_and_masked_webhook_secret(web, library):
    connector_sync(connector=library.connector, kind="full", trigger="manual")
    secret = SyncState.objects.get(connector=library.connector).webhook_secret
    response = web.get(reverse("content:sync_status", args=[library.connector.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "20 series, 40 episodes" in body and "Succeeded" in body
    assert secret[-4:] in body
    assert f"/webhooks/{library.connector.pk}/{secret}" in body  # inside the setup details
    assert library.connector.api_key not in body


def test_status_fragment_polls_only_while_a_sync_runs(web, library):
    url = reverse("content:sync_status", args=[library.connector.pk])
    connector_sync(connector=library.connector, kind="full", trigger="manual")
    assert 'hx-trigger="every 3s"' not in web.get(url).content.decode()

    SyncRun.objects.create(
        connector=library.connector,
        kind=SyncRun.Kind.INCREMENTAL,
        trigger=SyncRun.Trigger.MANUAL,
        status=SyncRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    body = web.get(url).content.decode()
    assert 'hx-trigger="every 3s"' in body and f'hx-get="{url}"' in body


def test_status_fragment_of_unknown_connector_is_404(web):
    assert web.get(reverse("content:sync_status", args=[424242])).status_code == 404


def test_connector_detail_page_includes_the_sync_section(web, library):
    response = web.get(reverse("connectors:detail", args=[library.connector.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Library sync" in body
    assert reverse("content:sync_now", args=[library.connector.pk]) in body


def test_rotating_the_webhook_secret(web, library, client):
    from content.webhooks import webhook_secret_for

    old = webhook_secret_for(library.connector)
    url = reverse("content:webhook_rotate", args=[library.connector.pk])
    response = web.post(url)
    assert response.status_code == 302
    new = SyncState.objects.get(connector=library.connector).webhook_secret
    assert new != old
    response = web.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "New webhook URL" in response.content.decode()
    assert web.get(url).status_code == 405

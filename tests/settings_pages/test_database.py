"""The Database page: connection facts, table sizes in bounded queries, maintenance buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from comradarr.locks import advisory_lock
from comradarr.models import MaintenanceRun
from comradarr.settings_pages.database import connection_location, database_overview
from queueing import tasks
from queueing.maintenance_runs import maintenance_execute

pytestmark = pytest.mark.django_db

PAGE = "settings_database"
START = "settings_maintenance_start"
STATUS = "settings_maintenance_status"


def queued_tasks() -> list[dict]:
    return [SignedPackage.loads(row.payload) for row in OrmQ.objects.all()]


def run_queued() -> None:
    """What a django-q worker does with each queued task: call it with its arguments."""
    for task in queued_tasks():
        import_string(task["func"])(*task["args"], **task["kwargs"])
    OrmQ.objects.all().delete()


def press(client, kind: str, *, capture, htmx: bool = False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with capture(execute=True):
        return client.post(reverse(START), {"kind": kind}, **headers)


def test_urls_and_tab():
    assert reverse(PAGE) == "/settings/database/"


def test_page_shows_the_connection_and_every_table(signed_in):
    response = signed_in.get(reverse(PAGE))
    assert response.status_code == 200
    assert response.context["tab"] == "database"
    body = response.content.decode()
    overview = response.context["overview"]
    assert overview.embedded is True  # the suite runs on the embedded cluster
    assert "Embedded (started and stopped by Comradarr)" in body
    assert overview.server_version.split(".")[0].isdigit()
    assert overview.size_bytes > 0
    names = {t.name for t in overview.tables}
    assert {"comradarr_appsettings", "content_episode", "django_q_ormq"} <= names
    assert '<td class="mono">content_episode</td>' in body
    assert 'href="/settings/database/" aria-current="page"' in body


def test_row_estimates_follow_analyze(db):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comradarr_appsettings")
    rows = {t.name: t.rows for t in database_overview().tables}
    assert rows["comradarr_appsettings"] in (0, 1)


def test_an_external_server_shows_host_and_port_never_the_password():
    external = {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "db.example",
        "PORT": "5433",
        "PASSWORD": "s3cret-pw",
    }
    assert connection_location(external) == (False, "db.example:5433")
    assert connection_location({**external, "HOST": "", "PORT": ""}) == (False, "local socket")


def test_the_page_costs_the_same_queries_however_many_runs_and_tables(signed_in):
    signed_in.get(reverse(PAGE))  # warm the settings cache and the session
    with CaptureQueriesContext(connection) as few:
        signed_in.get(reverse(PAGE))
    now = timezone.now()
    MaintenanceRun.objects.bulk_create(
        MaintenanceRun(
            kind="full", trigger="schedule", status="succeeded", started_at=now, finished_at=now
        )
        for _ in range(30)
    )
    with connection.cursor() as cursor:
        for n in range(5):
            cursor.execute(f"CREATE TABLE extra_table_{n} (id int)")
    with CaptureQueriesContext(connection) as many:
        signed_in.get(reverse(PAGE))
    assert len(many) == len(few) <= 8


def test_vacuum_now_enqueues_and_never_runs_in_the_request(
    signed_in, django_capture_on_commit_callbacks
):
    response = press(signed_in, "vacuum", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse(PAGE)
    run = MaintenanceRun.objects.get()
    assert (run.kind, run.trigger, run.status) == ("vacuum", "manual", "queued")
    [task] = queued_tasks()
    assert task["func"] == tasks.task_path(tasks.maintenance)
    assert task["kwargs"] == {"run_id": run.pk, "kind": "vacuum"}
    # The page follows the run: the card polls, the buttons wait.
    body = signed_in.get(reverse(PAGE)).content.decode()
    assert "Vacuum/analyze queued." in body
    assert f'hx-get="{reverse(STATUS)}" hx-trigger="every 2s"' in body
    assert 'value="prune" disabled' in body


def test_prune_now_runs_in_the_worker_and_the_status_says_when_it_is_done(
    signed_in, django_capture_on_commit_callbacks
):
    press(signed_in, "prune", capture=django_capture_on_commit_callbacks, htmx=True)
    assert 'id="maintenance-status">Queued' in signed_in.get(reverse(STATUS)).content.decode()
    run_queued()
    run = MaintenanceRun.objects.get()
    assert run.status == "succeeded" and run.finished_at is not None
    assert "expired_sessions" in run.report["pruned"] and run.report["vacuumed"] == []
    status = signed_in.get(reverse(STATUS)).content.decode()
    assert 'id="maintenance-status">Succeeded' in status
    assert "expired sessions 0" in status
    assert "hx-trigger" not in status  # done: the polling stops


def test_htmx_press_answers_the_card_alone(signed_in, django_capture_on_commit_callbacks):
    response = press(signed_in, "vacuum", capture=django_capture_on_commit_callbacks, htmx=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('id="maintenance"') == 1 and "<html" not in body
    assert "Vacuum/analyze queued." in body


def test_a_second_press_while_one_is_queued_is_refused(
    signed_in, django_capture_on_commit_callbacks
):
    press(signed_in, "vacuum", capture=django_capture_on_commit_callbacks)
    press(signed_in, "prune", capture=django_capture_on_commit_callbacks)
    assert MaintenanceRun.objects.count() == 1 and len(queued_tasks()) == 1
    assert "Not started: Vacuum/analyze is queued already." in (
        signed_in.get(reverse(PAGE)).content.decode()
    )


def test_a_run_stuck_longer_than_a_task_can_live_does_not_block_the_buttons(
    signed_in, django_capture_on_commit_callbacks
):
    MaintenanceRun.objects.create(
        kind="prune",
        trigger="manual",
        status="queued",
        started_at=timezone.now() - timedelta(hours=2),
    )
    press(signed_in, "prune", capture=django_capture_on_commit_callbacks)
    assert len(queued_tasks()) == 1


@pytest.mark.parametrize("kind", ["", "full", "drop table", "vacuum; --", "x" * 5000])
def test_unknown_kinds_enqueue_nothing(signed_in, kind, django_capture_on_commit_callbacks):
    response = press(signed_in, kind, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not MaintenanceRun.objects.exists() and queued_tasks() == []
    response = press(signed_in, kind, capture=django_capture_on_commit_callbacks, htmx=True)
    assert response.status_code == 400 and "Choose vacuum/analyze or prune." in (
        response.content.decode()
    )


def test_the_buttons_need_post_csrf_and_a_signed_in_user(admin_user, client):
    assert client.post(reverse(START), {"kind": "vacuum"}).status_code == 302  # to login
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(reverse(START), {"kind": "vacuum"}).status_code == 403
    csrf_client.force_login(admin_user)
    assert csrf_client.get(reverse(START), {"kind": "vacuum"}).status_code == 405
    assert not MaintenanceRun.objects.exists() and queued_tasks() == []


def test_the_daily_job_leaves_a_ledger_row(db):
    report = tasks.maintenance()
    run = MaintenanceRun.objects.get()
    assert (run.kind, run.trigger, run.status) == ("full", "schedule", "succeeded")
    assert run.report == report


def test_a_run_that_finds_another_running_is_recorded_as_skipped(db):
    with advisory_lock("maintenance"):
        assert tasks.maintenance() is None
    run = MaintenanceRun.objects.get()
    assert run.status == "skipped" and "Another maintenance run" in run.error


def test_a_redelivered_task_does_not_run_twice(db):
    run = MaintenanceRun.objects.create(
        kind="prune", trigger="manual", status="succeeded", started_at=timezone.now()
    )
    assert maintenance_execute(run_id=run.pk, kind="prune") is None
    assert maintenance_execute(run_id=run.pk + 1000, kind="prune") is None  # row gone


def test_a_failing_step_marks_the_run_failed_with_its_error(db, monkeypatch):
    from searchstate import services as searchstate_services

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(searchstate_services, "prune_exhausted", boom)
    tasks.maintenance(kind="prune")
    run = MaintenanceRun.objects.get()
    assert run.status == "failed" and run.error == "exhausted: disk on fire"


@pytest.mark.django_db(transaction=True)
def test_vacuum_now_really_vacuums(signed_in, django_capture_on_commit_callbacks):
    press(signed_in, "vacuum", capture=django_capture_on_commit_callbacks)
    run_queued()
    run = MaintenanceRun.objects.get()
    assert run.status == "succeeded"
    assert "searchstate_searchregistry" in run.report["vacuumed"]
    assert "Vacuumed and analysed" in signed_in.get(reverse(STATUS)).content.decode()

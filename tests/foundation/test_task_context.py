"""Tasks enqueued during a request log with that request's correlation id.

The task goes the whole real way: async_task on the ORM broker, the signed
package read back from the queue table, django-q2's own worker() and
monitor() loops in this process, with our JSON log handler capturing lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
from multiprocessing import Queue, Value

import pytest
from django.urls import path
from django_q.models import OrmQ
from django_q.monitor import monitor
from django_q.tasks import async_task
from django_q.worker import worker

from comradarr import logs, task_context
from comradarr.accounts import runtime
from comradarr.models import AppSettings
from comradarr.urls import urlpatterns as app_urlpatterns

TASK_LOGGER = "comradarr.tests.task"


def logging_task(label: str) -> str:
    logging.getLogger(TASK_LOGGER).warning("task %s ran", label)
    return label


def failing_task() -> None:
    logging.getLogger(TASK_LOGGER).warning("about to fail")
    raise RuntimeError("task broke")


def enqueue_view(request):
    from django.http import HttpResponse

    async_task(logging_task, "from-request")
    return HttpResponse("queued")


urlpatterns = [path("enqueue-for-test/", enqueue_view), *app_urlpatterns]


def _run_queued_tasks() -> None:
    """What a cluster does with each queued package, in this process."""
    task_queue, result_queue = Queue(), Queue()
    for package in OrmQ.objects.order_by("id"):
        task_queue.put(package.task)
    task_queue.put("STOP")
    worker(task_queue, result_queue, Value("f", -1))
    # The worker gives back the id it found when each task ends.
    assert logs.correlation_id.get() is None
    result_queue.put("STOP")
    # The monitor is a process of its own, whose id stays with the last result.
    contextvars.copy_context().run(monitor, result_queue)


def _records(buffer) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_logs(log_output, monkeypatch, db):
    # Requests and tasks apply the settings row's log level; django-q2 logs
    # its task lines at info.
    AppSettings.objects.update_or_create(
        pk=AppSettings.SINGLETON_PK, defaults={"log_level": "info"}
    )
    runtime.invalidate()
    # worker() and monitor() close "old" connections between tasks, which
    # would close the test's transaction; a real cluster process owns its own.
    monkeypatch.setattr("django_q.worker.close_old_django_connections", lambda: None)
    monkeypatch.setattr("django_q.monitor.close_old_django_connections", lambda: None)
    yield log_output("json")
    runtime.invalidate()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_task_enqueued_by_a_request_logs_with_its_id(admin_client, json_logs):
    response = admin_client.get("/enqueue-for-test/", headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 200
    assert logs.correlation_id.get() is None

    (package,) = OrmQ.objects.all()
    assert package.task[task_context.TASK_KEY] == "req-abc-123"
    _run_queued_tasks()

    ran = [r for r in _records(json_logs) if r["message"] == "task from-request ran"]
    assert len(ran) == 1
    assert ran[0]["correlation_id"] == "req-abc-123"
    processed = [r for r in _records(json_logs) if r["message"].startswith("Processed ")]
    assert [r["correlation_id"] for r in processed] == ["req-abc-123"]


@pytest.mark.django_db
def test_a_failed_task_line_carries_the_id(json_logs):
    token = logs.correlation_id.set("req-fail-1")
    try:
        async_task(failing_task)
    finally:
        logs.correlation_id.reset(token)
    _run_queued_tasks()

    records = _records(json_logs)
    before = [r for r in records if r["message"] == "about to fail"]
    failed = [r for r in records if r["message"].startswith("Failed ")]
    assert [r["correlation_id"] for r in before] == ["req-fail-1"]
    assert [r["correlation_id"] for r in failed] == ["req-fail-1"]


@pytest.mark.django_db
def test_tasks_from_outside_a_request_get_their_own_ids(json_logs):
    first = async_task(logging_task, "one")
    second = async_task(logging_task, "two")
    _run_queued_tasks()

    by_message = {r["message"]: r["correlation_id"] for r in _records(json_logs)}
    assert by_message["task one ran"] == first
    assert by_message["task two ran"] == second


def test_a_sync_task_leaves_its_callers_id_alone():
    """A task run in-line (sync) restores the caller's id, not None, when it ends."""
    task = {"id": "t-1", "sync": True, task_context.TASK_KEY: "outer"}
    token = logs.correlation_id.set("outer")
    try:
        task_context.enter_task(task=task)
        assert logs.correlation_id.get() == "outer"
        task_context.leave_task(task=task)
        task_context.tag_result(task=task)
        assert logs.correlation_id.get() == "outer"
    finally:
        logs.correlation_id.reset(token)


def test_an_explicit_id_in_the_package_is_not_overwritten():
    task = {"id": "t-2", task_context.TASK_KEY: "chosen"}
    token = logs.correlation_id.set("ambient")
    try:
        task_context.stamp_task(task=task)
    finally:
        logs.correlation_id.reset(token)
    assert task[task_context.TASK_KEY] == "chosen"

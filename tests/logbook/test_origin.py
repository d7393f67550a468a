"""Where a record came from: the request's method and path, or the task's function."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from comradarr import logs, task_context
from comradarr.middleware import CorrelationIdMiddleware


def test_a_request_sets_its_method_and_path_and_restores_the_previous_origin():
    seen = []

    def view(request):
        seen.append((logs.origin.get(), logs.correlation_id.get()))
        return HttpResponse()

    request = RequestFactory().get("/queue/?apikey=secret", HTTP_X_REQUEST_ID="req-5")
    CorrelationIdMiddleware(view)(request)
    assert seen == [("GET /queue/", "req-5")]  # the path, never the query string
    assert logs.origin.get() is None


def test_a_task_sets_its_function_while_it_runs():
    task = {"id": "t-1", "func": "queueing.dispatch.dispatch_tick", "correlation_id": "req-7"}
    task_context.enter_task(task=task)
    try:
        assert logs.origin.get() == "task queueing.dispatch.dispatch_tick"
        assert logs.correlation_id.get() == "req-7"
    finally:
        task_context.leave_task(task=task)
    assert logs.origin.get() is None
    assert task_context.task_origin({"func": len}) == "task len"

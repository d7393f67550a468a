"""Correlation ids that follow work from a request into the tasks it enqueues.

django-q2 signs and pickles the task dict right after sending pre_enqueue, so
an id added to it there travels with the task to the worker process. There,
pre_execute puts it in the logging context for the task's own log lines and
post_execute_in_worker restores what was there before. The monitor process
logs the "Processed"/"Failed" line of each task after post_execute, so that
signal tags the monitor's lines too (until the next task's result arrives).

A task enqueued outside any request (a schedule, a shell) is tagged with its
own task id, so its lines can still be told apart from other tasks'.
"""

from __future__ import annotations

import contextvars
from typing import Any

from comradarr.logs import correlation_id, origin

TASK_KEY = "correlation_id"

# Tokens of the ids set for running tasks, by task id, so each task restores
# exactly what it replaced (a sync task runs inside its caller's context).
_tokens: dict[str, contextvars.Token[str | None]] = {}
_origin_tokens: dict[str, contextvars.Token[str | None]] = {}


def task_origin(task: dict[str, Any]) -> str:
    """What the log viewer shows as a task's source: its function (and name, if any)."""
    func = task.get("func")
    name = func if isinstance(func, str) else getattr(func, "__qualname__", repr(func))
    return f"task {name}"[:300]


def stamp_task(sender: object = None, *, task: dict[str, Any], **kwargs: object) -> None:
    """pre_enqueue: carry the enqueuing request's id in the task package."""
    current = correlation_id.get()
    if current is not None and TASK_KEY not in task:
        task[TASK_KEY] = current


def task_correlation_id(task: dict[str, Any]) -> str | None:
    """The id a task's log lines carry: its request's, else its own task id."""
    return task.get(TASK_KEY) or task.get("id")


def enter_task(sender: object = None, *, task: dict[str, Any], **kwargs: object) -> None:
    """pre_execute (in the worker): the task's lines carry its id from here on."""
    _tokens[task.get("id")] = correlation_id.set(task_correlation_id(task))
    _origin_tokens[task.get("id")] = origin.set(task_origin(task))


def leave_task(sender: object = None, *, task: dict[str, Any], **kwargs: object) -> None:
    """post_execute_in_worker: restore the id that was current before the task."""
    token = _tokens.pop(task.get("id"), None)
    if token is not None:
        correlation_id.reset(token)
    origin_token = _origin_tokens.pop(task.get("id"), None)
    if origin_token is not None:
        origin.reset(origin_token)


def tag_result(sender: object = None, *, task: dict[str, Any], **kwargs: object) -> None:
    """post_execute (in the monitor): tag the task's result line.

    A sync task ran in its caller, whose context already has the right id and
    must not be left holding the task's afterwards.
    """
    if not task.get("sync", False):
        correlation_id.set(task_correlation_id(task))


def connect() -> None:
    """Called from the app's ready(): django-q signals exist only once apps load."""
    from django_q.signals import post_execute, post_execute_in_worker, pre_enqueue, pre_execute

    pre_enqueue.connect(stamp_task, dispatch_uid="comradarr.task_context.stamp")
    pre_execute.connect(enter_task, dispatch_uid="comradarr.task_context.enter")
    post_execute_in_worker.connect(leave_task, dispatch_uid="comradarr.task_context.leave")
    post_execute.connect(tag_result, dispatch_uid="comradarr.task_context.result")

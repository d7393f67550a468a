"""Remote code execution through a page that names a Python callable (issue 9, point 1).

django-q2's Schedule admin took a dotted path (`os.system`) and arguments and
its workers ran them as the service user. No admin page, form or route of
Comradarr may let a user create or change a task or schedule, or choose a callable.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django_q import models as q_models

from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db

DJANGO_Q_MODELS = [
    q_models.Schedule,
    q_models.Success,
    q_models.Failure,
    q_models.Task,
    q_models.OrmQ,
]


@pytest.mark.parametrize("model", DJANGO_Q_MODELS, ids=lambda m: m.__name__)
def test_django_q_models_are_not_in_the_admin(model):
    """Class: remote code execution via the task scheduler's admin."""
    assert not admin.site.is_registered(model)


@pytest.mark.parametrize("name", ["schedule", "success", "failure", "ormq", "task"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_add_and_change_urls_of_django_q_admins_are_gone(signed_in, name, method):
    """Class: remote code execution via the task scheduler's admin."""
    schedule = q_models.Schedule.objects.create(func="math.floor", args="1", name="probe")
    payload = {"func": "os.system", "args": "'touch /tmp/pwned'", "schedule_type": "O"}
    for url in (
        f"/admin/django_q/{name}/add/",
        f"/admin/django_q/{name}/{schedule.pk}/change/",
        f"/admin/django_q/{name}/",
    ):
        response = getattr(signed_in, method)(url, payload)
        assert response.status_code in (403, 404), (url, response.status_code)
    for view in ("add", "changelist"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:django_q_{name}_{view}")
    schedule.refresh_from_db()
    assert schedule.func == "math.floor"
    assert not q_models.Schedule.objects.filter(func__startswith="os.").exists()


def test_admin_index_lists_no_background_task_section(signed_in):
    """Class: remote code execution via the task scheduler's admin."""
    body = signed_in.get(reverse("admin:index")).content.decode()
    assert "django_q" not in body
    assert "Background tasks" not in body


def _form_field_names(form_class) -> set[str]:
    return set(getattr(form_class, "base_fields", {}))


CALLABLE_FIELD_NAMES = {"func", "function", "callable", "hook", "task", "module", "path"}


def test_no_admin_form_has_a_callable_field(rf, admin_user):
    """Class: remote code execution: no admin form lets a user name a Python callable."""
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request)
        fields = _form_field_names(form) - set(model_admin.get_readonly_fields(request))
        assert not fields & CALLABLE_FIELD_NAMES, (model, fields & CALLABLE_FIELD_NAMES)


def test_no_web_form_has_a_callable_field():
    """Class: remote code execution: no Comradarr page's form takes a callable's name."""
    import importlib
    import inspect

    from django import forms

    for app in ("comradarr.accounts", "connectors", "queueing", "searchstate", "content"):
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm):
                assert not _form_field_names(form_class) & CALLABLE_FIELD_NAMES, form_class


def test_no_route_is_served_by_django_q():
    """Class: remote code execution: django-q2 exposes no view of its own."""
    for route in concrete_routes():
        module = getattr(route.callback, "__module__", "") or ""
        assert not module.startswith("django_q"), route


def test_no_management_command_takes_a_callable():
    """Class: remote code execution: no Comradarr command option names a function or module."""
    from django.core.management import get_commands, load_command_class

    ours = {"comradarr", "connectors", "content", "searchstate", "queueing", "notifications"}
    checked = 0
    for name, app in get_commands().items():
        if app not in ours:
            continue
        parser = load_command_class(app, name).create_parser("manage.py", name)
        actions = list(parser._actions)
        for action in parser._actions:
            for choice in getattr(action, "choices", None) or {}:
                sub = action.choices[choice] if isinstance(action.choices, dict) else None
                if sub is not None:
                    actions.extend(sub._actions)
        dests = {action.dest for action in actions}
        assert not dests & CALLABLE_FIELD_NAMES, (name, dests & CALLABLE_FIELD_NAMES)
        checked += 1
    assert checked >= 8

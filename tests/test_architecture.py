"""The app direction, enforced: lower apps never know the higher ones.

connectors <- content <- searchstate <- queueing, and above them all the
surfaces (web) and the event listeners (notifications, analytics). A module,
a template or a string naming a task, a command, a URL or a template of an app
higher up is a back-edge, whether it is an import or hidden in a string. The
rule holds without exceptions; the checker itself is tested on bad examples so
this test cannot pass by seeing nothing.

comradarr (the project: settings, shell templates, shared infrastructure) is
outside the ranking: every app uses its infrastructure, and its shell pages may
link any app.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.template.backends.django import get_installed_libraries
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent

#: Lower rank never refers to a higher rank.
RANK = {
    "connectors": 0,
    "content": 1,
    "searchstate": 2,
    "queueing": 3,
    # The listeners sit beside the surfaces: a message or a chart links the library pages.
    "notifications": 4,
    "analytics": 4,
    "web": 4,
    "api": 4,
    # Backups read every app's tables (configuration export) and sit beside the surfaces.
    "backups": 4,
}
DOMAIN = ("connectors", "content", "searchstate", "queueing")

#: templates/<folder>/ -> the app that owns it (folders not listed belong to comradarr).
TEMPLATE_FOLDERS = {
    "connectors": "connectors",
    "content": "content",
    "queueing": "queueing",
    "library": "web",
    "setup": "web",
    "analytics": "analytics",
}

_DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_URL_NAME = re.compile(r"(?:([a-z_]+):)?([a-z_]+)")
_TEMPLATE_NAME = re.compile(r"[\w\-/]+\.html")
_TEMPLATE_REFS = re.compile(r"""{%\s*(url|include|extends)\s+['"]([^'"]+)['"]""")
_TEMPLATE_LOADS = re.compile(r"{%\s*load\s+([\w\s]+?)\s*%}")


# --------------------------------------------------------------- who owns what


def _top(module: str) -> str:
    return module.split(".", 1)[0]


@cache
def url_owners() -> tuple[dict[str, str], dict[str, str]]:
    """(namespace -> app, bare url name -> app), read from the URLconf itself."""
    namespaces: dict[str, str] = {}
    names: dict[str, str] = {}

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                module = pattern.urlconf_module
                module_name = getattr(module, "__name__", "")
                if pattern.namespace and module_name:
                    namespaces[pattern.namespace] = _top(module_name)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace is None:
                names[pattern.name] = _top(pattern.callback.__module__)

    walk(get_resolver().url_patterns, None)
    return namespaces, names


@cache
def command_owners() -> dict[str, str]:
    return {name: _top(app) for name, app in get_commands().items()}


@cache
def tag_library_owners() -> dict[str, str]:
    return {name: _top(module) for name, module in get_installed_libraries().items()}


def template_owner(name: str) -> str:
    folder = name.split("/", 1)[0] if "/" in name else ""
    return TEMPLATE_FOLDERS.get(folder, "comradarr")


def url_owner(reference: str) -> str | None:
    match = _URL_NAME.fullmatch(reference)
    if not match:
        return None
    namespaces, names = url_owners()
    namespace, name = match.groups()
    return namespaces.get(namespace) if namespace else names.get(name)


# ------------------------------------------------------------------ the checks


def python_references(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, what, app) for every app a Python module refers to."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, f"import {alias.name}", _top(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, f"from {node.module} import", _top(node.module)
        elif isinstance(node, ast.Call) and _called_name(node) == "call_command" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                owner = command_owners().get(first.value)
                if owner:
                    yield node.lineno, f"call_command({first.value!r})", owner
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if _DOTTED.fullmatch(text) and _top(text) in RANK:
                yield node.lineno, f"string {text!r}", _top(text)
            elif _TEMPLATE_NAME.fullmatch(text):
                yield node.lineno, f"template {text!r}", template_owner(text)
            elif ":" in text and (owner := url_owner(text)):
                yield node.lineno, f"url {text!r}", owner


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def template_references(source: str) -> Iterator[tuple[int, str, str | None]]:
    """(line, what, app) for every url, include, extends and tag library of a template."""
    for match in _TEMPLATE_REFS.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        tag, name = match.groups()
        owner = url_owner(name) if tag == "url" else template_owner(name)
        yield line, f"{tag} {name!r}", owner
    for match in _TEMPLATE_LOADS.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        for library in match.group(1).split():
            yield line, f"load {library}", tag_library_owners().get(library)


def back_edges(app: str, references) -> list[str]:
    return [
        f"line {line}: {what} (-> {owner})"
        for line, what, owner in references
        if owner in RANK and owner != app and RANK[owner] > RANK[app]
    ]


def _python_files(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "__pycache__" not in p.parts)


def _templates_of(app: str) -> list[Path]:
    folders = [folder for folder, owner in TEMPLATE_FOLDERS.items() if owner == app]
    return sorted(p for f in folders for p in (ROOT / "templates" / f).rglob("*.html"))


# ------------------------------------------------------------------- the tests


@pytest.mark.parametrize("app", [*DOMAIN, "notifications", "analytics"])
def test_no_module_refers_to_a_higher_app(app):
    found = {
        str(path.relative_to(ROOT)): edges
        for path in _python_files(app)
        if (edges := back_edges(app, python_references(path.read_text())))
    }
    assert found == {}


@pytest.mark.parametrize("app", DOMAIN)
def test_no_template_refers_to_a_higher_app(app):
    found = {
        str(path.relative_to(ROOT)): edges
        for path in _templates_of(app)
        if (edges := back_edges(app, template_references(path.read_text())))
    }
    assert found == {}


def test_every_template_folder_and_app_is_ranked():
    """A new app or template folder must take its place in the order before it ships."""
    folders = {p.name for p in (ROOT / "templates").iterdir() if p.is_dir()}
    assert folders - set(TEMPLATE_FOLDERS) <= {"about", "accounts", "partials", "settings"}
    from django.apps import apps

    ours = {c.name for c in apps.get_app_configs() if (ROOT / c.name).is_dir()}
    assert ours - set(RANK) == {"comradarr"}


def test_the_checker_sees_every_kind_of_back_edge():
    """The rule's own test: each kind of hidden edge in a lower app is reported."""
    source = "\n".join(
        [
            "import queueing.sweep",
            "from web.views import item_detail",
            "from searchstate.models import SearchRegistry",  # allowed: lower
            "TASK = 'queueing.sweep.sweep_task'",
            "call_command('sweep', only=[1])",
            "reverse('queueing:entry_detail', args=[1])",
            "render(request, 'library/item.html')",
        ]
    )
    edges = back_edges("searchstate", python_references(source))
    assert [e.split(":", 1)[0] for e in edges] == [f"line {n}" for n in (1, 2, 4, 5, 6, 7)]

    template = (
        "{% extends 'base.html' %}{% load content_sync %}\n"
        "{% url 'queueing:entry_detail' 1 %}\n"
        '{% include "library/_filters.html" %}\n'
        "{% url 'connectors:detail' 1 %}"
    )
    edges = back_edges("content", template_references(template))
    assert [e.split(":", 1)[0] for e in edges] == ["line 2", "line 3"]
    assert "line 1: load content_sync (-> content)" in back_edges(
        "connectors", template_references(template)
    )

"""CSRF protection on every form: the middleware, the token in each POST form, no exemptions.

Templates are read as text, so a form added by any later page is checked too.
htmx requests outside forms carry the token from the page (tests/ui/test_shell.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

REPO = Path(__file__).resolve().parents[2]
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
POST = re.compile(r"""method\s*=\s*["']?post""", re.I)
# Views that must take POSTs from other programs: the *arr webhooks (they
# authenticate with their own secret instead of a session).
CSRF_EXEMPT_ALLOWED = {"content.webhook_views.webhook_receive"}


def _templates() -> list[Path]:
    roots = [REPO / "templates", *REPO.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def test_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_every_post_form_carries_the_token():
    templates = _templates()
    assert len(templates) > 5
    missing = []
    for template in templates:
        for form in FORM.finditer(template.read_text()):
            if POST.search(form["attrs"]) and "{% csrf_token %}" not in form["body"]:
                missing.append(f"{template.relative_to(REPO)}: <form{form['attrs'][:60]}>")
    assert missing == []


def _views(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_is_exempt_from_csrf_except_the_webhooks():
    exempt = {
        f"{view.__module__}.{view.__name__}"
        for _, view in _views(get_resolver())
        if getattr(view, "csrf_exempt", False)
    }
    # The walk does find exemptions (the webhook is one) ...
    assert exempt & CSRF_EXEMPT_ALLOWED
    # ... and there are no others.
    assert exempt <= CSRF_EXEMPT_ALLOWED

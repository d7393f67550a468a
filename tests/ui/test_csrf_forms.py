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
# authenticate with their own secret instead of a session); and the two uploads of
# Settings > Backups, which run csrf_protect themselves once the upload's size limit is in
# place (backups/uploads.py; tests/backups/test_views.py posts to them without a token).
CSRF_EXEMPT_ALLOWED = {
    "content.webhook_views.webhook_receive",
    "backups.restore_views.upload",
    "backups.restore_views.config_import",
}


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


def _key_only_api_view(view) -> bool:
    """A DRF view (the JSON API, its schema) that trusts an API key header, never a cookie.

    DRF exempts its views from Django's CSRF check and applies its own only to
    session authentication; a view that accepts no cookie cannot be forged.
    """
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.settings import api_settings

    cls = getattr(view, "cls", None)
    if cls is None:
        return False
    classes = cls.authentication_classes or api_settings.DEFAULT_AUTHENTICATION_CLASSES
    return bool(classes) and not any(issubclass(c, SessionAuthentication) for c in classes)


def test_no_view_is_exempt_from_csrf_except_the_webhooks():
    views = [view for _, view in _views(get_resolver()) if getattr(view, "csrf_exempt", False)]
    exempt = {
        f"{view.__module__}.{view.__name__}" for view in views if not _key_only_api_view(view)
    }
    # The walk does find exemptions (the webhook is one, the key-only API views others) ...
    assert exempt & CSRF_EXEMPT_ALLOWED
    assert any(_key_only_api_view(view) for view in views)
    # ... and there are no others.
    assert exempt <= CSRF_EXEMPT_ALLOWED

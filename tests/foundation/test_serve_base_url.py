"""BASE_URL end to end: a real `serve` under /comradarr/, driven over HTTP.

Settings come from the environment as in production (not overridden in the
test process), and gunicorn, whitenoise and the admin all answer under the
prefix: health, redirects, sign-in, the dashboard's links and static files.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_docker import healthcheck_command
from tests.foundation.test_serve_e2e import START_TIMEOUT, STOP_TIMEOUT, _kill_tree, _wait_for

pytestmark = pytest.mark.slow

PREFIX = "/comradarr/"
PASSWORD = "correct-horse-battery-staple"
URL_ATTR = re.compile(r"""\b(?:href|src|action|hx-get|hx-post)="([^"]+)\"""")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(base: str, path: str, *, follow: bool = True, opener=None):
    """(status, headers, body, final url) without raising on 4xx/5xx or redirects."""
    opener = opener or urllib.request.build_opener(*([] if follow else [_NoRedirect]))
    try:
        with opener.open(base + path, timeout=10) as response:
            return response.status, response.headers, response.read().decode(), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace"), base + path


def test_everything_answers_under_the_prefix(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
        env=clean_env(COMRADARR_DATA_DIR=str(tmp_path), ADMIN_PASS=PASSWORD, BASE_URL="/comradarr"),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: _get(base, PREFIX + "health")[0] == 200, START_TIMEOUT, serve, "/health")
        # The printed address includes the prefix. serve prints it once its own
        # readiness poll sees the port, which may be a moment after ours did.
        banner = f"open http://127.0.0.1:{port}{PREFIX}"
        _wait_for(lambda: banner in (tmp_path / "serve.log").read_text(), 30, serve, "the banner")
        # The Docker HEALTHCHECK builds the prefixed URL.
        subprocess.run(
            healthcheck_command(),
            env={**os.environ, "PORT": str(port), "BASE_URL": "/comradarr"},
            check=True,
            timeout=15,
        )
        # Nothing is served outside the prefix (anonymous visitors are sent to sign in).
        for path in ("/health", "/login/", "/static/css/app.css"):
            status, headers, _, _ = _get(base, path, follow=False)
            assert status in (302, 404), path
            assert status == 404 or headers["Location"].startswith(f"{PREFIX}login/")
        # Redirects stay under the prefix.
        status, headers, _, _ = _get(base, PREFIX, follow=False)
        assert status == 302
        assert headers["Location"] == f"{PREFIX}login/?next={PREFIX}"
        status, headers, _, _ = _get(base, PREFIX + "admin/", follow=False)
        assert status == 302
        assert headers["Location"].startswith(PREFIX)
        # Static files through whitenoise.
        for path in ("static/vendor/htmx.min.js", "static/css/app.css"):
            assert _get(base, PREFIX + path)[0] == 200, path

        # Sign in through the real form, with its CSRF token and cookie.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _, _, page, _ = _get(base, PREFIX + "login/", opener=browser)
        assert f'action="{PREFIX}login/"' in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        assert {cookie.path for cookie in jar} == {PREFIX}
        form = urllib.parse.urlencode(
            {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        with browser.open(base + PREFIX + "login/", data=form, timeout=10) as response:
            assert response.status == 200
            # No connector yet: signing in opens the first-run wizard, under the prefix too.
            assert response.url == base + PREFIX + "setup/1/"
        status, _, dashboard, _ = _get(base, PREFIX, opener=browser)
        assert status == 200 and "Dashboard" in dashboard

        # Every link, form target, script and stylesheet on the page is under the prefix.
        urls = {u for u in URL_ATTR.findall(dashboard) if u.startswith("/")}
        assert urls
        assert sorted(u for u in urls if not u.startswith(PREFIX)) == []
        for url in sorted(urls):
            if "/static/" in url:
                assert _get(base, url, opener=browser)[0] == 200, url
        assert _get(base, PREFIX + "admin/", opener=browser)[0] == 200
        assert _get(base, PREFIX + "settings/", opener=browser)[0] == 200

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
        log.close()

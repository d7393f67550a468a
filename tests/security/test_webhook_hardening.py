"""The webhook receiver, hardened: the Huntarr classes "unbounded input" and "secrets in logs".

It is the one endpoint reachable without a session, so each test names the
finding class it guards. Found by the security review (issue 9, point 6):
100,000 nested brackets gave a RecursionError 500, and that 500's log line
carried the webhook secret from the URL path.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from comradarr.logs import ConsoleFormatter, JsonFormatter, RedactingFilter
from connectors.common.webhook import MAX_BODY_BYTES, MAX_DEPTH, MalformedWebhook, read_body
from content.models import Episode, Series, SyncState
from content.sync import upsert
from content.webhooks import webhook_secret_for
from tests.content.builders import T0, episode, make_connector, series

pytestmark = pytest.mark.django_db


@pytest.fixture
def sonarr():
    connector = make_connector("sonarr", "sonarr", app_version="4.0.19.2979")
    upsert.upsert_series(connector_id=connector.pk, rows=[series(1)], now=T0)
    sid = Series.objects.get(connector=connector, arr_id=1).pk
    upsert.upsert_episodes(connector_id=connector.pk, rows=[(sid, episode(101))], now=T0)
    return connector


def url_with_secret(connector) -> str:
    return reverse("content_webhook", args=[connector.pk, webhook_secret_for(connector)])


def grab(episode_ids=(101,)) -> dict:
    return {
        "eventType": "Grab",
        "series": {"id": 1},
        "episodes": [{"id": i} for i in episode_ids],
    }


# ----------------------------------------------------------- unbounded input


def test_unbounded_input_deep_nesting_is_400_not_a_recursion_error(client, sonarr):
    """Unbounded input: 100,000 nested brackets are refused quickly, never a 500."""
    body = "[" * 100_000 + "]" * 100_000
    started = time.monotonic()
    response = client.post(url_with_secret(sonarr), data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]
    assert time.monotonic() - started < 2


def test_unbounded_input_depth_limit_counts_brackets_not_text(client, sonarr):
    """Unbounded input: brackets inside strings do not count; real nesting at the limit passes."""
    payload = grab()
    payload["release"] = {"releaseTitle": "[" * 10_000}
    response = client.post(
        url_with_secret(sonarr), data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200
    nested: object = 1
    for _ in range(MAX_DEPTH):
        nested = [nested]
    assert read_body(json.dumps(nested).encode()) == nested
    with pytest.raises(MalformedWebhook):
        read_body(json.dumps([nested]).encode())


def test_unbounded_input_oversized_body_is_refused(client, sonarr):
    """Unbounded input: a body over the limit is refused (413) before it is parsed."""
    payload = grab()
    payload["padding"] = "x" * (MAX_BODY_BYTES + 1)
    response = client.post(
        url_with_secret(sonarr), data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 413
    assert Episode.objects.get(arr_id=101).last_grabbed_at is None


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe not utf-8",
        b'{"eventType": "Grab", "series": {"id": ' + b"9" * 5000 + b"}}",
        json.dumps({"eventType": "Grab", "series": {"id": 2**40}}).encode(),
        json.dumps({"eventType": "Grab", "series": {"id": -3}}).encode(),
        json.dumps({"eventType": "Grab", "series": {"id": True}}).encode(),
        json.dumps({"eventType": ["Grab"]}).encode(),
        json.dumps({"eventType": "Grab", "series": {"id": 1}, "episodes": "101"}).encode(),
    ],
)
def test_unbounded_input_hostile_values_are_400(client, sonarr, body):
    """Unbounded input: undecodable text, giant or negative ids, wrong types -> 400."""
    response = client.post(url_with_secret(sonarr), data=body, content_type="application/json")
    assert response.status_code == 400


def test_unbounded_input_ids_beyond_the_integer_columns_are_skipped(client, sonarr):
    """Unbounded input: an episode id PostgreSQL's integer cannot hold is skipped, not a 500."""
    response = client.post(
        url_with_secret(sonarr),
        data=json.dumps(grab(episode_ids=(2**40, 101))),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["updated"] == 1


# ------------------------------------------------------------ secrets in logs


def _capture(formatter: logging.Formatter) -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    return handler, stream


@pytest.mark.parametrize("formatter", [JsonFormatter(), ConsoleFormatter()])
def test_secrets_in_logs_a_500_on_the_receiver_does_not_log_the_secret(
    client, sonarr, monkeypatch, formatter
):
    """Secrets in logs: Django's request logger (path, request repr, traceback) is redacted."""
    secret = webhook_secret_for(sonarr)

    def explode(**kwargs):
        raise RuntimeError(f"boom while handling {kwargs['connector'].pk}")

    monkeypatch.setattr("content.webhooks.webhook_receive_body", explode)
    handler, stream = _capture(formatter)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client.raise_request_exception = False
    try:
        response = client.post(
            url_with_secret(sonarr), data=json.dumps(grab()), content_type="application/json"
        )
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    output = stream.getvalue()
    assert "Internal Server Error" in output
    assert f"/webhooks/{sonarr.pk}/***" in output
    assert secret not in output


def test_secrets_in_logs_the_access_log_redacts_the_path_and_credential_headers():
    """Secrets in logs: gunicorn's access atoms (request line, path, headers) are redacted."""
    from datetime import timedelta

    from comradarr.gunicorn_conf import RedactingLogger

    secret = "s3cretS3cretS3cret_token-value"
    path = f"/webhooks/7/{secret}"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
    }
    req = SimpleNamespace(
        headers=[("X-COMRADARR-SECRET", secret), ("AUTHORIZATION", "Basic " + secret)]
    )
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[("X-Request-ID", "abc")])
    logger = RedactingLogger.__new__(RedactingLogger)
    atoms = RedactingLogger.atoms(logger, resp, req, environ, timedelta(milliseconds=5))
    rendered = json.dumps(atoms, default=str)
    assert secret not in rendered
    assert atoms["r"] == "POST /webhooks/7/*** HTTP/1.1"
    assert atoms["{x-comradarr-secret}i"] == "***"


def test_secrets_in_logs_a_refused_webhook_logs_no_secret(client, sonarr, caplog):
    """Secrets in logs: the 'wrong secret' warning names the connector, not what was sent."""
    wrong = "wrong-but-maybe-someone-elses-secret"
    with caplog.at_level(logging.WARNING):
        response = client.post(
            reverse("content_webhook", args=[sonarr.pk, wrong]),
            data="{}",
            content_type="application/json",
        )
    assert response.status_code == 401
    assert wrong not in caplog.text


# ------------------------------------------------- secrets at rest, and out of URLs


def test_secrets_at_rest_the_webhook_secret_is_stored_encrypted(sonarr):
    """Secrets at rest: the column holds AES-GCM ciphertext, the model the plaintext."""
    secret = webhook_secret_for(sonarr)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM content_syncstate WHERE connector_id = %s", [sonarr.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:")
    assert secret not in stored
    assert SyncState.objects.get(connector=sonarr).webhook_secret == secret


def test_secret_in_a_header_instead_of_the_path(client, sonarr):
    """Secrets in logs: the secret may travel in X-Comradarr-Secret, out of every URL."""
    url = reverse("content_webhook_basic", args=[sonarr.pk])
    good = client.post(
        url,
        data=json.dumps(grab()),
        content_type="application/json",
        headers={"X-Comradarr-Secret": webhook_secret_for(sonarr)},
    )
    bad = client.post(
        url,
        data=json.dumps(grab()),
        content_type="application/json",
        headers={"X-Comradarr-Secret": "nope"},
    )
    missing = client.post(url, data=json.dumps(grab()), content_type="application/json")
    assert (good.status_code, bad.status_code, missing.status_code) == (200, 401, 401)
    assert good.json()["updated"] == 1


def test_secret_as_the_basic_auth_password(client, sonarr):
    """Secrets in logs: HTTP Basic (any username) is the other way to keep it out of URLs."""
    token = base64.b64encode(f"sonarr:{webhook_secret_for(sonarr)}".encode()).decode()
    response = client.post(
        reverse("content_webhook_basic", args=[sonarr.pk]),
        data=json.dumps(grab()),
        content_type="application/json",
        headers={"Authorization": f"Basic {token}"},
    )
    assert response.status_code == 200


def _error_report(request, accept_text: bool = False) -> str:
    """Django's report of an exception raised while handling ``request``."""
    import sys

    from django.views.debug import technical_500_response

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_secrets_in_logs_the_error_report_redacts_the_secret(rf, settings):
    """Secrets in logs: Django's error report (DEBUG page, error mail) masks the path's secret."""
    settings.DEBUG = True
    secret = "webhookSecretInThePath_0123456789"
    html = _error_report(rf.post(f"/webhooks/3/{secret}", data="{}", content_type="text/plain"))
    assert "/webhooks/3/***" in html
    assert secret not in html
    text = _error_report(rf.post(f"/webhooks/3/{secret}", HTTP_ACCEPT="text/plain"))
    assert "/webhooks/3/***" in text
    assert secret not in text


def test_secrets_at_rest_an_undecryptable_secret_is_refused_not_a_500(client, sonarr):
    """Secrets at rest: after a SECRET_KEY change the receiver answers 401, never a 500."""
    url = url_with_secret(sonarr)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE content_syncstate SET webhook_secret = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' "
            "WHERE connector_id = %s",
            [sonarr.pk],
        )
    response = client.post(url, data=json.dumps(grab()), content_type="application/json")
    assert response.status_code == 401

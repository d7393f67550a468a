"""Settings > Backups: sign-in and CSRF required, bad input refused with a message, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from backups import storage
from backups.models import BackupRun
from backups.services import backup_create
from connectors.models import Connector
from tests.backups.helpers import sample_configuration

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def tasks_run_inline(monkeypatch):
    """The worker's part, done at once: the enqueued task is called in this process."""
    calls = []

    def run(func, *args, **kwargs):
        calls.append(func)
        import_string(func)(*args)

    monkeypatch.setattr("backups.views.async_task", run)
    monkeypatch.setattr("backups.restore_views.async_task", run)
    return calls


@pytest.fixture
def client(admin_client):
    return admin_client


def test_pages_need_sign_in():
    anonymous = Client()
    for name, args in [("backups:index", []), ("backups:download", ["x.tar"])]:
        response = anonymous.get(reverse(name, args=args))
        assert response.status_code == 302 and "login" in response["Location"]
    assert anonymous.post(reverse("backups:create")).status_code == 302


def test_posts_need_the_csrf_token(admin_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(reverse("backups:create")).status_code == 403
    upload = SimpleUploadedFile("b.tar", b"x")
    assert strict.post(reverse("backups:upload"), {"file": upload}).status_code == 403
    document = SimpleUploadedFile("c.json", b"{}")
    assert strict.post(reverse("backups:config_import"), {"file": document}).status_code == 403


def test_create_lists_download_and_delete(client, tasks_run_inline, backup_folder):
    sample_configuration()
    page = client.get(reverse("backups:index"))
    assert page.status_code == 200 and b"No backup yet" in page.content
    assert page.context["tab"] == "backups"

    response = client.post(reverse("backups:create"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    run = BackupRun.objects.get(kind="backup")
    assert run.status == "succeeded" and tasks_run_inline == ["backups.tasks.create_backup"]
    status = client.get(reverse("backups:run", args=[run.token]), HTTP_HX_REQUEST="true")
    assert run.file_name.encode() in status.content and b'hx-swap-oob="true"' in status.content
    assert b"every 2s" not in status.content  # finished: no more polling

    page = client.get(reverse("backups:index"))
    assert run.file_name.encode() in page.content and b"0.1.0" in page.content

    download = client.get(reverse("backups:download", args=[run.file_name]))
    assert download.status_code == 200 and download.streaming
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content)
    assert body == (backup_folder / run.file_name).read_bytes()

    confirm = client.get(reverse("backups:delete", args=[run.file_name]))
    assert confirm.status_code == 200 and b"Delete backup" in confirm.content
    assert (backup_folder / run.file_name).exists()  # a GET deletes nothing
    client.post(reverse("backups:delete", args=[run.file_name]))
    assert not (backup_folder / run.file_name).exists()


def test_running_backup_is_polled(client, monkeypatch):
    monkeypatch.setattr("backups.views.async_task", lambda *a, **kw: None)
    response = client.post(reverse("backups:create"), HTTP_HX_REQUEST="true")
    assert (
        b'hx-trigger="every 2s"' in response.content and b"waiting for a worker" in response.content
    )


def test_create_with_key_needs_matching_passphrases(client):
    response = client.post(reverse("backups:create"), {"include_key": "on", "passphrase": "short"})
    assert response.status_code == 400 and b"At least 8 characters" in response.content
    response = client.post(
        reverse("backups:create"),
        {"include_key": "on", "passphrase": "long enough 1", "passphrase_again": "different"},
    )
    assert response.status_code == 400 and b"The two passphrases differ" in response.content
    assert not BackupRun.objects.exists()


@pytest.mark.parametrize(
    "name", ["..", "secret_key", "comradarr-backup-x.tar", ".partial-1-a.tar", "%2e%2e%2fetc"]
)
def test_file_names_outside_the_folder_are_not_found(client, name):
    assert client.get(reverse("backups:download", args=[name])).status_code == 404
    assert client.post(reverse("backups:delete", args=[name])).status_code == 404


def test_upload_bad_input(client, settings):
    response = client.post(reverse("backups:upload"), {})
    assert response.status_code == 400 and b"This field is required" in response.content
    wrong = SimpleUploadedFile("notes.txt", b"hello")
    response = client.post(reverse("backups:upload"), {"file": wrong})
    assert response.status_code == 400 and b"Choose a Comradarr backup file" in response.content
    junk = SimpleUploadedFile("junk.tar", b"not a tar" * 100)
    response = client.post(reverse("backups:upload"), {"file": junk})
    assert response.status_code == 400 and b"cannot be restored" in response.content
    assert list(storage.upload_dir().iterdir()) == []  # a refused upload is not kept


def test_huge_upload_is_refused_before_it_is_read(client, settings):
    settings.BACKUP_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.tar", b"\0" * (2 * 1024 * 1024 + 1))
    response = client.post(reverse("backups:upload"), {"file": big})
    assert response.status_code == 413 and b"larger than the 1 MB allowed" in response.content
    assert list(storage.upload_dir().iterdir()) == []


def test_upload_shows_the_manifest_then_restores(client, tasks_run_inline, backup_folder):
    sample_configuration()
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    data = (backup_folder / run.file_name).read_bytes()
    Connector.objects.all().delete()

    page = client.post(reverse("backups:upload"), {"file": SimpleUploadedFile("b.tar", data)})
    assert page.status_code == 200 and b"Comradarr 0.1.0" in page.content
    assert b"this install's SECRET_KEY" in page.content
    source = page.context["source"]
    assert Connector.objects.count() == 0  # nothing restored before the confirmation

    unconfirmed = client.post(reverse("backups:restore"), {"source": source, "mode": "full"})
    assert unconfirmed.status_code == 400 and Connector.objects.count() == 0
    bad_source = client.post(
        reverse("backups:restore"), {"source": "../x", "mode": "full", "confirm": "on"}
    )
    assert bad_source.status_code == 400

    done = client.post(
        reverse("backups:restore"), {"source": source, "mode": "config", "confirm": "on"}
    )
    assert done.status_code == 200
    assert Connector.objects.get().name == "Sonarr (Main)"
    restore = BackupRun.objects.get(kind="restore")
    assert restore.status == "succeeded" and restore.mode == "config"
    assert list(storage.upload_dir().iterdir()) == []  # the upload is removed afterwards


def test_config_export_and_import_in_the_ui(client):
    sample_configuration()
    response = client.post(reverse("backups:config_export"), {"secrets": "omitted"})
    assert response["Content-Disposition"] == 'attachment; filename="comradarr-config.json"'
    document = json.loads(response.content)
    assert document["models"]["connectors.Connector"][0]["api_key"] is None
    refused = client.post(reverse("backups:config_export"), {"secrets": "passphrase"})
    assert refused.status_code == 400 and b"At least 8 characters" in refused.content

    Connector.objects.all().delete()
    upload = SimpleUploadedFile("c.json", response.content)
    imported = client.post(reverse("backups:config_import"), {"file": upload}, follow=True)
    assert b"Configuration imported" in imported.content
    assert Connector.objects.get().api_key == ""  # omitted: to be entered again
    for name, content, message in [
        ("c.txt", b"{}", b"Choose a configuration export"),
        ("c.json", b"[1, 2]", b"not a Comradarr configuration export"),
        ("c.json", io.BytesIO(b"\xff").read(), b"not a JSON document"),
    ]:
        response = client.post(
            reverse("backups:config_import"), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 400 and message in response.content

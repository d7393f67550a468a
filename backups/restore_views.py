"""Settings > Backups: upload (or pick a stored backup), see its manifest, confirm, restore;
and the configuration import.

The uploads are refused by size before they are read (backups.uploads), and
the manifest is checked (version, migrations) before the confirmation page
is shown; the restore itself runs as a task and is followed live.
"""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from backups import archive, configdoc, services, storage, tasks
from backups.forms import ConfigImportForm, RestoreForm, UploadForm
from backups.manifest import InvalidBackup, check_restorable
from backups.models import BackupRun
from backups.uploads import UploadTooLarge, limit_upload, too_large
from backups.views import page_context
from comradarr import crypto

_UPLOAD_NAME = re.compile(r"^upload-[0-9a-f]{32}\.tar$")


def _source_path(source: str):
    """A stored backup's name or an upload's; anything else raises ValueError."""
    if _UPLOAD_NAME.match(source):
        path = storage.upload_dir() / source
        if path.is_file() and not path.is_symlink():
            return path
        raise FileNotFoundError("the uploaded file is gone; upload it again")
    return storage.path_of(source)


def _refuse(request, form_name: str, form, message: str, status: int = 400) -> HttpResponse:
    """The Backups page again, the form showing ``message`` above its fields."""
    form.refusal = message
    return render(request, "settings/backups.html", page_context(**{form_name: form}),
                  status=status)  # fmt: skip


@csrf_exempt  # checked below, once the upload's size limit is in place
@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    try:
        limit_upload(request, archive.max_bytes())
    except UploadTooLarge as exc:
        return _refuse(request, "upload_form", UploadForm(), str(exc), status=413)
    return csrf_protect(_upload)(request)


def _upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if too_large(request):
        message = f"The file is larger than the {archive.max_bytes() // 1024**2} MB allowed."
        return _refuse(request, "upload_form", UploadForm(), message, status=413)
    if not form.is_valid():
        return render(request, "settings/backups.html", page_context(upload_form=form), status=400)
    name = f"upload-{secrets.token_hex(16)}.tar"
    target = storage.upload_dir() / name
    with target.open("wb") as out:
        for chunk in form.cleaned_data["file"].chunks():
            out.write(chunk)
    return _confirm_page(request, target, name, delete_on_refusal=True)


@login_required
def confirm_stored(request: HttpRequest, name: str) -> HttpResponse:
    try:
        path = storage.path_of(name)
    except (ValueError, FileNotFoundError) as exc:
        messages.error(request, str(exc))
        return redirect("backups:index")
    return _confirm_page(request, path, name, delete_on_refusal=False)


def _confirm_page(request, path, source: str, *, delete_on_refusal: bool) -> HttpResponse:
    try:
        manifest = archive.read_manifest(path)
        pending = check_restorable(manifest)
    except InvalidBackup as exc:
        if delete_on_refusal:
            path.unlink(missing_ok=True)
        return _refuse(
            request, "upload_form", UploadForm(), f"This backup cannot be restored: {exc}"
        )
    form = RestoreForm(initial={"source": source, "mode": "full"})
    context = {
        "tab": "backups",
        "page_title": "Restore a backup",
        "form": form,
        "manifest": manifest,
        "pending": pending,
        "source": source,
    }
    return render(request, "settings/backup_restore.html", context)


@login_required
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    form = RestoreForm(request.POST)
    path = manifest = None
    if form.is_valid():
        try:
            path = _source_path(form.cleaned_data["source"])
            manifest = archive.read_manifest(path)
            check_restorable(manifest)
        except (ValueError, FileNotFoundError, InvalidBackup) as exc:
            form.add_error(None, str(exc))
        else:
            if manifest.encryption and not form.cleaned_data["passphrase"]:
                form.add_error("passphrase", "This backup is encrypted: enter its passphrase.")
    if not form.is_valid():
        context = {"tab": "backups", "page_title": "Restore a backup", "form": form,
                   "manifest": manifest, "source": request.POST.get("source", "")}  # fmt: skip
        return render(request, "settings/backup_restore.html", context, status=400)
    mode = form.cleaned_data["mode"]
    run = services.run_start(
        BackupRun.Kind.RESTORE, BackupRun.Trigger.MANUAL, mode=mode, file_name=path.name[:200]
    )
    phrase = form.cleaned_data["passphrase"]
    args = (str(run.token), str(path), mode, crypto.encrypt(phrase) if phrase else "")
    transaction.on_commit(lambda: async_task(tasks.RESTORE_TASK, *args, task_name="restore"))
    context = {"tab": "backups", "page_title": "Restoring", "run": run, "mode": mode}
    return render(request, "settings/backup_restoring.html", context)


@csrf_exempt  # checked below, once the upload's size limit is in place
@login_required
@require_POST
def config_import(request: HttpRequest) -> HttpResponse:
    try:
        limit_upload(request, configdoc.MAX_DOCUMENT_BYTES)
    except UploadTooLarge as exc:
        return _refuse(request, "import_form", ConfigImportForm(), str(exc), status=413)
    return csrf_protect(_config_import)(request)


def _config_import(request: HttpRequest) -> HttpResponse:
    form = ConfigImportForm(request.POST, request.FILES)
    if too_large(request):
        message = "The file is larger than a configuration export can be."
        return _refuse(request, "import_form", ConfigImportForm(), message, status=413)
    if not form.is_valid():
        return render(request, "settings/backups.html", page_context(import_form=form), status=400)
    try:
        document = configdoc.parse_document(form.cleaned_data["file"].read())
        if document["secrets"] == "instance":
            raise configdoc.ConfigError(
                "this is a backup's configuration; restore the backup with "
                "'Configuration only' instead"
            )
        report = configdoc.config_import(document, passphrase=form.cleaned_data["passphrase"])
    except configdoc.ConfigError as exc:
        return _refuse(request, "import_form", form, f"Not imported: {exc}.")
    messages.success(request, f"Configuration imported: {report.summary()}.")
    return redirect("backups:index")

"""Settings > Backups: create (a task, followed live), list, download, delete."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_q.tasks import async_task

from backups import archive, services, storage, tasks
from backups.forms import BackupCreateForm, ConfigExportForm, ConfigImportForm, UploadForm
from backups.models import BackupRun
from comradarr import crypto

RECENT_RUNS = 10


def _listing() -> list[dict]:
    rows = []
    for stored in storage.stored_backups():
        manifest = archive.peek_manifest(stored.path)
        rows.append({"backup": stored, "manifest": manifest})
    return rows


def page_context(**extra) -> dict:
    return {
        "tab": "backups",
        "page_title": "Backups",
        "backups": _listing(),
        "runs": list(BackupRun.objects.order_by("-started_at")[:RECENT_RUNS]),
        "active": BackupRun.objects.filter(status=BackupRun.Status.RUNNING).order_by("-pk").first(),
        "create_form": BackupCreateForm(),
        "upload_form": UploadForm(),
        "export_form": ConfigExportForm(),
        "import_form": ConfigImportForm(),
        "keep": services._keep(),
        "folder": storage.backup_dir(),
        "max_mb": archive.max_bytes() // 1024**2,
    } | extra


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "settings/backups.html", page_context())


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = BackupCreateForm(request.POST)
    if not form.is_valid():
        return render(request, "settings/backups.html", page_context(create_form=form), status=400)
    run = services.run_start(BackupRun.Kind.BACKUP, BackupRun.Trigger.MANUAL)
    include_key = form.cleaned_data["include_key"]
    sealed = crypto.encrypt(form.cleaned_data["passphrase"]) if include_key else ""
    token = str(run.token)
    transaction.on_commit(
        lambda: async_task(tasks.CREATE_TASK, token, include_key, sealed, task_name="backup")
    )
    if request.htmx:
        return render(request, "settings/_backup_run.html", {"run": run, "backups": None})
    messages.info(request, "Backup started; it appears in the list when done.")
    return redirect("backups:index")


@never_cache
@login_required
def run_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        token = uuid.UUID(token)
    except ValueError:
        raise Http404("No such run") from None
    run = get_object_or_404(BackupRun, token=token)
    context = {"run": run, "backups": None}
    if run.status != BackupRun.Status.RUNNING and run.kind == BackupRun.Kind.BACKUP:
        context["backups"] = _listing()  # the finished backup joins the list (hx-swap-oob)
    return render(request, "settings/_backup_run.html", context)


def _stored(name: str) -> storage.StoredBackup:
    try:
        path = storage.path_of(name)
    except (ValueError, FileNotFoundError):
        raise Http404("No such backup") from None
    info = path.stat()
    return storage.StoredBackup(
        name, path, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC)
    )


@login_required
def download(request: HttpRequest, name: str) -> FileResponse:
    stored = _stored(name)
    # Streamed from the file in blocks: a large backup never sits in memory.
    response = FileResponse(
        stored.path.open("rb"), as_attachment=True, filename=stored.name,
        content_type="application/x-tar",
    )  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, name: str) -> HttpResponse:
    stored = _stored(name)
    if request.method == "POST":
        services.backup_delete(stored.name)
        messages.success(request, f"Backup {stored.name} deleted.")
        return redirect("backups:index")
    context = {"tab": "backups", "page_title": "Delete backup", "backup": stored}
    return render(request, "settings/backup_delete.html", context)


@login_required
@require_POST
def config_export(request: HttpRequest) -> HttpResponse:
    from backups import configdoc

    form = ConfigExportForm(request.POST)
    if not form.is_valid():
        return render(request, "settings/backups.html", page_context(export_form=form), status=400)
    data = configdoc.config_export_bytes(
        secrets=form.cleaned_data["secrets"], passphrase=form.cleaned_data["passphrase"]
    )
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="comradarr-config.json"'
    response["Cache-Control"] = "no-store"
    return response

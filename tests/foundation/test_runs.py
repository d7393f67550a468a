"""The run ledger (comradarr.runs): one status table, duration and read-only admin for every run."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory

from comradarr.runs import RunLedger, RunLedgerAdmin, RunStatus
from content.models import SyncRun
from queueing.models import SweepRun

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("model", [SyncRun, SweepRun])
def test_every_ledger_shares_status_times_and_duration(model):
    assert issubclass(model, RunLedger)
    assert model.Status is RunStatus
    field = model._meta.get_field("status")
    assert (field.max_length, field.default) == (20, "running")
    assert list(model._meta.ordering) == ["-started_at"]
    run = model(started_at=T0)
    assert run.duration_seconds is None
    run.finished_at = T0 + timedelta(seconds=90)
    assert run.duration_seconds == 90.0


@pytest.mark.parametrize("model", [SyncRun, SweepRun])
def test_ledger_admin_is_read_only(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, RunLedgerAdmin)
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)

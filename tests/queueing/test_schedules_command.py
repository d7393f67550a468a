import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.models import Schedule

from connectors.models import Connector
from queueing.builtin_schedules import NAME_PREFIX, all_jobs
from queueing.models import SweepSchedule
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 7, tzinfo=UTC)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for job in all_jobs():
        monkeypatch.delenv(job.env_var, raising=False)


def test_setup_schedules_prints_what_changed_and_is_idempotent(monkeypatch):
    with time_machine.travel(NOW, tick=False):
        first = run("setup_schedules")
    assert first.count("Schedule created: ") == len(all_jobs())
    assert f"{len(all_jobs())} created, 0 updated, 0 removed, 0 unchanged" in first
    assert run("setup_schedules") == f"Schedules up to date ({len(all_jobs())} built-in jobs).\n"
    monkeypatch.setenv("COMRADARR_SCHEDULE_HEALTH_CHECKS", "*/10 * * * *")
    changed = run("setup_schedules")
    assert f"Schedule updated: {NAME_PREFIX}connector health checks" in changed
    assert Schedule.objects.get(name=f"{NAME_PREFIX}connector health checks").cron == (
        "*/10 * * * *"
    )
    assert Schedule.objects.count() == len(all_jobs())


def test_setup_schedules_bad_env_is_a_command_error(monkeypatch):
    monkeypatch.setenv("COMRADARR_SCHEDULE_DISPATCH", "every minute")
    with pytest.raises(CommandError, match="COMRADARR_SCHEDULE_DISPATCH"):
        run("setup_schedules")
    assert Schedule.objects.count() == 0


def setup_library():
    with time_machine.travel(NOW, tick=False):
        run("setup_schedules")
        conn = b.connector("Sonarr 4K")
        b.connector("Broken", health_status=Connector.Health.UNHEALTHY)
        SweepSchedule.objects.create(
            connector=conn,
            kind="both",
            cron="30 2 * * 1-5",
            timezone="Europe/Berlin",
            next_run_at=datetime(2026, 11, 27, 1, 30, tzinfo=UTC),
            enabled=False,
        )
    return conn


def test_list_shows_builtin_jobs_and_sweep_schedules():
    setup_library()
    text = run("schedules", "list")
    header = text.splitlines()[0]
    for column in ("NAME", "CRON", "DESCRIPTION", "NEXT RUN", "ENABLED"):
        assert column in header
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    sync = lines["incremental library sync"]
    assert "*/15 * * * *" in sync and "Every 15 minutes" in sync
    assert "2026-11-26 10:15 UTC" in sync and sync.rstrip().endswith("yes")
    assert "At 04:15" in lines["daily maintenance"]
    gaps = lines["sweep gaps: Sonarr 4K"]
    assert "0 * * * *" in gaps and "Every hour" in gaps and "2026-11-26 11:00 UTC" in gaps
    berlin = lines["sweep gaps and upgrades: Sonarr 4K"]
    assert "(Europe/Berlin)" in berlin and "Monday through Friday" in berlin
    assert berlin.rstrip().endswith("no")
    assert "Broken is disabled or unhealthy: skipped until it is back" in text


def test_list_json():
    setup_library()
    data = json.loads(run("schedules", "list", "--json"))
    builtin = [row for row in data if row["kind"] == "builtin"]
    sweeps = [row for row in data if row["kind"] == "sweep"]
    assert len(builtin) == len(all_jobs()) and len(sweeps) == 5
    dispatch = next(row for row in builtin if row["name"] == "dispatch search commands")
    assert dispatch["cron"] == "* * * * *" and dispatch["enabled"] is True
    assert dispatch["next_run"] == "2026-11-26T10:08:00+00:00"
    assert dispatch["description"].startswith("Every minute")
    berlin = next(row for row in sweeps if row["timezone"] == "Europe/Berlin")
    assert berlin["enabled"] is False and berlin["next_run"] is None
    assert set(berlin) == {
        "kind",
        "name",
        "cron",
        "timezone",
        "description",
        "next_run",
        "enabled",
        "note",
        "id",
    }


def test_list_explains_jobs_not_set_up_or_switched_off(monkeypatch):
    monkeypatch.setenv("COMRADARR_SCHEDULE_MAINTENANCE", "disable")
    text = run("schedules", "list")
    assert "not set up: run setup_schedules" in text
    assert "switched off by COMRADARR_SCHEDULE_MAINTENANCE" in text
    monkeypatch.setenv("COMRADARR_SCHEDULE_MAINTENANCE", "bogus")
    with pytest.raises(CommandError, match="COMRADARR_SCHEDULE_MAINTENANCE"):
        run("schedules", "list")


def test_list_shows_an_invalid_stored_cron_instead_of_crashing():
    conn = b.connector()
    SweepSchedule.objects.filter(connector=conn, kind="gaps").update(cron="99 * * * *")
    text = run("schedules", "list")
    assert "invalid: " in text


def test_schedules_needs_an_action():
    with pytest.raises(CommandError):
        run("schedules")
    with pytest.raises(CommandError):
        run("schedules", "delete")

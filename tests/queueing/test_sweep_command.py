import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from queueing import sweep as sweep_module
from queueing.models import RequestQueue, SweepRun
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_http(monkeypatch):
    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())


def run(*args) -> str:
    out = io.StringIO()
    call_command("sweep", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_plan_in_dispatch_order():
    conn = b.connector()
    show = b.series(conn, title="Show")
    b.episodes(show, 1, 6, aired=b.NOW - timedelta(days=30))  # newer: dispatched first
    b.episodes(show, 2, 10, has_file=8)
    text = run("--dry-run")
    assert "sweep (dry run)" in text
    assert text.index("SeasonSearch Show season 1") < text.index("EpisodeSearch")
    assert "Show S02E09" in text and "priority" in text
    assert RequestQueue.objects.count() == 0 and SweepRun.objects.count() == 0


def test_json_and_kinds():
    conn = b.connector("radarr", kind="radarr")
    b.movie(conn)
    b.movie(conn, has_file=True, quality_cutoff_not_met=True)
    gaps = json.loads(run("--kind", "gaps", "--json", "--dry-run"))
    assert [e["search_type"] for e in gaps[0]["plan"]] == ["gap"]
    upgrades = json.loads(run("--kind", "upgrades", "--json"))
    assert [e["search_type"] for e in upgrades[0]["plan"]] == ["upgrade"]
    assert RequestQueue.objects.get().search_type == "upgrade"


def test_disabled_connectors_are_not_swept_by_default():
    b.connector(enabled=False)
    assert run() == ""
    assert "skipped" in run("--connector", "sonarr")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--connector", "ghost"], "unknown connector"),
        (["--limit", "0"], "at least 1"),
        (["--only", "1"], "exactly one --connector"),
    ],
)
def test_bad_input(args, message):
    b.connector()
    b.connector("other")
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_kind_is_refused():
    with pytest.raises(CommandError):
        run("--kind", "everything")


def test_one_failing_connector_does_not_stop_the_others(monkeypatch):
    bad = b.connector("bad")
    good = b.connector("good")
    b.episodes(b.series(good), 1, 2)
    real = sweep_module.sweep_connector

    def flaky(**kw):
        if kw["connector"].pk == bad.pk:
            raise RuntimeError("boom")
        return real(**kw)

    from queueing.management.commands import sweep as command_module

    monkeypatch.setattr(command_module, "sweep_connector", flaky)
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="at least one sweep failed"):
        call_command("sweep", stdout=out, stderr=err)
    assert "boom" in err.getvalue()
    assert RequestQueue.objects.filter(connector=good).exists()

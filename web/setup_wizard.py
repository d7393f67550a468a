"""The first-run wizard: which step a user is on, and what each step writes.

Four steps: 1 add the first connector, 2 choose its throttle profile, 3
confirm its sweep schedules, 4 start its first sync and watch it. The step is
derived from the database each time (a connector exists, it has a profile of
its own, the schedules were confirmed), so a user who leaves in the middle
comes back where they were. Signing in lands on the wizard only while no
connector exists (or the wizard itself added the one that does) and the user
neither skipped nor finished it: someone who added connectors another way
never sees it.

The facts each step shows belong to their apps: the connector form and its
connection test to connectors, profiles and the backlog estimate to queueing,
the schedules and their defaults to queueing.sweep_schedules, the sync and its
card to content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from connectors.models import Connector
from content import services as content_services
from content.models import SyncRun
from queueing import backlog as backlog_estimate
from queueing import sweep_schedules, throttle_profiles
from queueing.models import ConnectorThrottle, SweepSchedule, ThrottleProfile
from web.models import SetupWizard

STEPS = (
    (1, "Connect an app"),
    (2, "Search pace"),
    (3, "Sweep schedules"),
    (4, "First sync"),
)
FINISHED = 5
#: A library not synced yet has no gaps to count: the estimate uses this many.
EXAMPLE_GAPS = 1000


def wizard_connector(wizard: SetupWizard) -> Connector | None:
    """The connector the wizard set up: the one step 1 added, else the first library."""
    if wizard.connector_id is not None:
        return wizard.connector
    return Connector.objects.libraries().order_by("pk").first()


def current_step(wizard: SetupWizard) -> int:
    """The first step not done yet (FINISHED when all are), read from the database."""
    if wizard.finished_at is not None:
        return FINISHED
    connector = wizard_connector(wizard)
    if connector is None:
        return 1
    if not ConnectorThrottle.objects.filter(connector=connector, profile__isnull=False).exists():
        return 2
    if wizard.schedules_confirmed_at is None:
        return 3
    return 4


def lands_on_wizard(wizard: SetupWizard) -> bool:
    """Whether signing in opens the wizard instead of the dashboard."""
    if wizard.skipped_at is not None or wizard.finished_at is not None:
        return False
    if wizard.connector_id is not None:  # the wizard's own connector: resume it
        return True
    return not Connector.objects.exists()


def wizard_skip() -> None:
    wizard = SetupWizard.load()
    wizard.skipped_at = timezone.now()
    wizard.save(update_fields=["skipped_at", "updated_at"])


def wizard_finish(wizard: SetupWizard) -> None:
    wizard.finished_at = timezone.now()
    wizard.save(update_fields=["finished_at", "updated_at"])


def connector_added(wizard: SetupWizard, connector: Connector, *, sync_now: bool) -> None:
    """Step 1 done; with "Sync now" ticked the first sync is already queued (step 4 shows it)."""
    wizard.connector = connector
    wizard.sync_requested_at = timezone.now() if sync_now and connector.enabled else None
    wizard.save(update_fields=["connector", "sync_requested_at", "updated_at"])


# --- step 2: the search pace ---------------------------------------------------------------


@dataclass(frozen=True)
class PaceChoice:
    profile: ThrottleProfile
    estimate: backlog_estimate.Backlog
    measured: bool  # the connector's own open gaps, not the example


def pace_choices(connector: Connector) -> list[PaceChoice]:
    """Every profile, gentlest first, with how long the connector's gaps would take."""
    profiles = sorted(
        ThrottleProfile.objects.all(), key=lambda p: (p.daily_budget, p.commands_per_hour)
    )
    choices = []
    for profile in profiles:
        estimate = backlog_estimate.backlog(connector, profile)
        measured = bool(estimate.gaps)
        if not measured:
            estimate = backlog_estimate.first_pass(profile, gaps=EXAMPLE_GAPS)
        choices.append(PaceChoice(profile=profile, estimate=estimate, measured=measured))
    return choices


def assigned_profile(connector: Connector) -> ThrottleProfile | None:
    """The profile the connector has of its own (None: it follows the default)."""
    row = ConnectorThrottle.objects.filter(connector=connector).select_related("profile").first()
    return row.profile if row is not None else None


def pace_choose(connector: Connector, profile: ThrottleProfile) -> None:
    throttle_profiles.connector_throttle_assign(connector=connector, profile=profile)


# --- step 3: the sweep schedules -----------------------------------------------------------


def schedule_rows(connector: Connector) -> list[tuple[str, SweepSchedule | None, str]]:
    """(kind, the connector's schedule of that kind or None, the default cron) per default."""
    existing = {}
    for schedule in SweepSchedule.objects.filter(connector=connector).order_by("pk"):
        existing.setdefault(schedule.kind, schedule)
    return [(kind, existing.get(kind), cron) for kind, cron in sweep_schedules.DEFAULT_SCHEDULES]


def schedules_confirm(wizard: SetupWizard, connector: Connector, values: dict[str, dict]) -> None:
    """Save the schedules as chosen (all or none): kind -> {cron, timezone, enabled}.

    Raises ValidationError (per field) when the queueing rules refuse a value.
    """
    with transaction.atomic():
        for kind, schedule, _default in schedule_rows(connector):
            chosen = values[kind]
            if schedule is None:
                sweep_schedules.sweep_schedule_create(
                    connector=connector,
                    kind=kind,
                    cron=chosen["cron"],
                    tz=chosen["timezone"],
                    enabled=chosen["enabled"],
                )
            else:
                sweep_schedules.sweep_schedule_update(
                    schedule=schedule,
                    cron=chosen["cron"],
                    timezone=chosen["timezone"],
                    enabled=chosen["enabled"],
                )
        wizard.schedules_confirmed_at = timezone.now()
        wizard.save(update_fields=["schedules_confirmed_at", "updated_at"])


# --- step 4: the first sync ----------------------------------------------------------------


@dataclass(frozen=True)
class SyncProgress:
    requested: bool
    run: SyncRun | None  # the newest run of the connector

    @property
    def state(self) -> str:
        """waiting (not asked yet), queued, running, succeeded or failed."""
        if self.run is None:
            return "queued" if self.requested else "waiting"
        if self.run.status == SyncRun.Status.SKIPPED:
            return "queued"  # another sync held the lock; the next one follows
        return self.run.status

    @property
    def done(self) -> bool:
        return self.state == SyncRun.Status.SUCCEEDED


def sync_progress(wizard: SetupWizard, connector: Connector) -> SyncProgress:
    run = SyncRun.objects.filter(connector=connector).first()
    return SyncProgress(requested=wizard.sync_requested_at is not None, run=run)


def first_sync_start(wizard: SetupWizard, connector: Connector) -> None:
    """Queue a full sync (the worker runs it); asking again while one runs queues no other."""
    if sync_progress(wizard, connector).state in ("queued", "running", "succeeded"):
        return
    content_services.sync_request(connector=connector, kind=SyncRun.Kind.FULL)
    wizard.sync_requested_at = timezone.now()
    wizard.save(update_fields=["sync_requested_at", "updated_at"])

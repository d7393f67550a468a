"""Models of the project app: shared bases, application settings and accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from comradarr.runs import RunLedger, RunStatus


class TimestampedModel(models.Model):
    """created_at / updated_at for every model that changes over time."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _default_log_level() -> str:
    # The environment's LOG_LEVEL seeds the row once; afterwards the settings page wins.
    return settings.LOG_LEVEL


def _default_time_zone() -> str:
    # TZ seeds the row; while TZ is set it also wins over the row (settings_sources).
    return settings.TIME_ZONE


class AppSettings(TimestampedModel):
    """Application settings changed from the UI: one row (pk=1), read through load().

    Processes cache the row for a short time (comradarr.accounts.runtime), so a
    change reaches every gunicorn and django-q worker within seconds.
    """

    SINGLETON_PK = 1

    class AuthMode(models.TextChoices):
        FULL = "full", "Full: sign-in required"
        LOCAL_BYPASS = "local_bypass", "Local network bypass"
        DISABLED = "disabled", "Disabled: no sign-in"

    class LogLevel(models.TextChoices):
        TRACE = "trace", "Trace"
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"
        CRITICAL = "critical", "Critical"

    auth_mode = models.CharField(max_length=20, choices=AuthMode.choices, default=AuthMode.FULL)
    log_level = models.CharField(
        max_length=10, choices=LogLevel.choices, default=_default_log_level
    )
    display_name = models.CharField(
        max_length=60,
        default="Comradarr",
        help_text="Shown in the browser tab, to tell several installs apart.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=_default_time_zone,
        help_text="An IANA name (Europe/Berlin); checked against zoneinfo by the form.",
    )
    public_url = models.CharField(
        max_length=300,
        blank=True,
        help_text="How people reach Comradarr (https://comradarr.example.com); links in "
        "notifications start with it.",
    )
    update_check = models.BooleanField(
        default=False,
        help_text="Once a day, ask the release feed whether a newer version exists.",
    )

    class Meta:
        verbose_name = "application settings"
        verbose_name_plural = "application settings"
        constraints = [
            # A second row would make "the" settings ambiguous.
            models.CheckConstraint(condition=models.Q(pk=1), name="appsettings_singleton"),
            models.CheckConstraint(
                condition=models.Q(auth_mode__in=["full", "local_bypass", "disabled"]),
                name="appsettings_auth_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return "Application settings"

    @classmethod
    def load(cls) -> AppSettings:
        """The settings row, created with defaults on first use."""
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row


class ReleaseCheck(models.Model):
    """What the daily update check last learnt (comradarr.update_check): one row (pk=1).

    Kept apart from AppSettings so the check's writes never race a settings save.
    """

    SINGLETON_PK = 1

    latest_version = models.CharField(max_length=50, blank=True)
    release_url = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    #: The newest version an "update available" event was emitted for (once per version).
    announced_version = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="releasecheck_singleton"),
        ]

    def __str__(self) -> str:
        return f"Release check: {self.latest_version or 'unknown'}"

    @classmethod
    def load(cls) -> ReleaseCheck:
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row


class MaintenanceRun(RunLedger):
    """One run of the maintenance (queueing.maintenance): scheduled daily, or asked for on
    the Database page. A manual run is recorded as QUEUED when enqueued, so the page can
    follow it until a worker finishes it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = RunStatus.RUNNING.value, RunStatus.RUNNING.label
        SUCCEEDED = RunStatus.SUCCEEDED.value, RunStatus.SUCCEEDED.label
        FAILED = RunStatus.FAILED.value, RunStatus.FAILED.label
        SKIPPED = RunStatus.SKIPPED.value, RunStatus.SKIPPED.label

    class Kind(models.TextChoices):
        FULL = "full", "Prune and vacuum/analyze"
        PRUNE = "prune", "Prune"
        VACUUM = "vacuum", "Vacuum/analyze"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    #: MaintenanceReport.as_dict(): pruned rows per step, vacuumed tables, errors, notes.
    report = models.JSONField(default=dict, blank=True)

    class Meta(RunLedger.Meta):
        indexes = [
            # The Database page: the newest runs first.
            models.Index(fields=["-started_at"], name="maintenancerun_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()}) at {self.started_at}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def pruned_counts(self) -> list[tuple[str, int]]:
        """("search history", 12), ... from the report, for people."""
        pruned = (self.report or {}).get("pruned") or {}
        return [(step.replace("_", " "), count) for step, count in pruned.items()]


class FailedLogin(models.Model):
    """One failed sign-in, counted towards locking the username and the address."""

    username = models.CharField(max_length=150, help_text="As typed, case-folded.")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    attempted_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-attempted_at"]
        indexes = [
            # lockout.record_failure: failures of one username since a moment.
            models.Index(fields=["username", "attempted_at"], name="failedlogin_user_time"),
            # lockout.record_failure: failures from one address since a moment.
            models.Index(fields=["client_ip", "attempted_at"], name="failedlogin_ip_time"),
            # lockout.record_failure prunes rows older than the window.
            models.Index(fields=["attempted_at"], name="failedlogin_time"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client_ip or 'unknown'} at {self.attempted_at}"


class LoginLockout(models.Model):
    """A (username, address) pair or an address that may not sign in until locked_until,
    or a username slowed down to one attempt until then (comradarr.accounts.lockout)."""

    class Scope(models.TextChoices):
        PAIR = "pair", "Username from an address"
        USERNAME = "username", "Username (slowed down)"
        ADDRESS = "address", "Client address"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(
        max_length=200,
        help_text='The case-folded username, the address, or "username|address".',
    )
    locked_until = models.DateTimeField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-locked_until"]
        constraints = [
            # One lock per pair / username / address; also the index of lockout.active_lock.
            models.UniqueConstraint(fields=["scope", "key"], name="loginlockout_scope_key"),
        ]
        indexes = [
            # lockout.record_failure prunes locks that ended long ago.
            models.Index(fields=["locked_until"], name="loginlockout_until"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key} until {self.locked_until}"


class UserSession(models.Model):
    """A signed-in browser session, listed on Settings > Security (comradarr.accounts.sessions).

    Django's own session rows cannot be listed per user without decoding every
    one, so this row is written at sign-in, touched by middleware at most once a
    minute per process, and deleted at sign-out or revocation (with the Django
    session row, which is what actually signs the browser out).
    """

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    user_agent = models.CharField(max_length=300, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    last_seen_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [
            # sessions.sessions_of: a user's sessions, most recently seen first.
            models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen"),
        ]

    def __str__(self) -> str:
        return f"session of {self.user_id} from {self.client_ip or 'unknown'}"

"""Models of the project app: shared bases, application settings and accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class TimestampedModel(models.Model):
    """created_at / updated_at for every model that changes over time."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _default_log_level() -> str:
    # The environment's LOG_LEVEL seeds the row once; afterwards the settings page wins.
    return settings.LOG_LEVEL


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

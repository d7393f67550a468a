"""Fixtures' building blocks for the backup tests: sample configuration and table checksums."""

from __future__ import annotations

from django.db import connection

from api.models import ApiKey
from comradarr.models import AppSettings
from notifications.models import NotificationChannel
from queueing.models import ConnectorThrottle, SweepSchedule, ThrottleProfile
from tests.content.builders import make_connector

#: Tables a backup or restore itself writes (its ledger), or empties on purpose (stale tasks).
VOLATILE = {"backups_backuprun", "django_q_ormq"}


def table_checksums(exclude: set[str] = VOLATILE) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row's text in order)} for every table in the schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [name for (name,) in cursor.fetchall() if name not in exclude]
        result = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"  # noqa: S608
                f" FROM {quoted} t"
            )
            result[table] = tuple(cursor.fetchone())
    return result


def sample_configuration() -> dict:
    """A connector with a schedule and a profile, a channel with a secret, an API key."""
    profile = ThrottleProfile.objects.create(name="gentle", commands_per_hour=3)
    connector = make_connector("Sonarr (Main)", "sonarr", api_key="a" * 28 + "9f3e")
    throttle = ConnectorThrottle.for_connector(connector)
    throttle.profile = profile
    throttle.save()
    SweepSchedule.objects.create(connector=connector, cron="17 */5 * * *", kind="gaps")
    channel = NotificationChannel(
        name="Phone", kind="ntfy", config={"server_url": "https://ntfy.sh"}
    )
    channel.secrets = {"topic": "my-secret-topic"}
    channel.save()
    channel.connectors.set([connector])
    ApiKey.objects.create(name="homepage", prefix="cr_abc", key_hash="f" * 64)
    settings_row, _ = AppSettings.objects.get_or_create(pk=1)
    settings_row.log_level = "debug"
    settings_row.save()
    return {"connector": connector, "profile": profile, "channel": channel}

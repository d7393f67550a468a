"""manage.py notifications list|test NAME|send-pending|log [--json]."""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser
from notifications import services
from notifications.delivery import deliver_due
from notifications.models import NotificationChannel, NotificationDelivery


def _channel_row(channel: NotificationChannel) -> dict:
    return {
        "name": channel.name,
        "kind": channel.kind,
        "enabled": channel.enabled,
        "health": channel.health,
        "event_types": channel.event_types or "all",
        "min_severity": channel.min_severity,
        "batch_window_minutes": channel.batch_window_minutes,
        "last_delivery_at": channel.last_delivery_at.isoformat()
        if channel.last_delivery_at
        else None,
        "last_error": channel.last_error,
    }


def _log_row(row: NotificationDelivery) -> dict:
    return {
        "at": row.at.isoformat(),
        "channel": row.channel.name,
        "status": row.status,
        "attempt": row.attempt,
        "events": row.event_count,
        "title": row.title,
        "error": row.error,
    }


class Command(OneLineErrorsCommand):
    help = "Notification channels: list them, send a test, send what is due, show the log."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
        actions = (
            ("list", "channels with status"),
            ("send-pending", "route and send the due batches now"),
            ("log", "recent deliveries, newest first"),
        )
        for name, text in actions:
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--json", action="store_true", help="machine-readable output")
            if name == "log":
                cmd.add_argument("--limit", type=int, default=50)
                cmd.add_argument("--channel", default="")
        test = sub.add_parser("test", help="send a test message to the channel NAME now")
        test.add_argument("name")
        test.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        as_json = options["json"]
        if action == "list":
            rows = [_channel_row(c) for c in NotificationChannel.objects.order_by("name")]
            if as_json:
                return self.stdout.write(json.dumps(rows, indent=2))
            for r in rows:
                self.stdout.write(
                    f"{r['name']}  {r['kind']}  {'enabled' if r['enabled'] else 'disabled'}  "
                    f"{r['health']}  last delivery {r['last_delivery_at'] or 'never'}"
                )
            if not rows:
                self.stdout.write("No notification channel.")
        elif action == "test":
            channel = NotificationChannel.objects.filter(name=options["name"]).first()
            if channel is None:
                raise CommandError(f"no channel named {options['name']!r}")
            result = services.channel_test(channel=channel)
            if as_json:
                self.stdout.write(json.dumps({"ok": result.ok, "detail": result.detail}))
            else:
                self.stdout.write(f"{'sent' if result.ok else 'FAILED'}: {result.detail}")
            if not result.ok:
                raise CommandError(f"test to {channel.name!r} failed")
        elif action == "send-pending":
            report = deliver_due().as_dict()
            if as_json:
                return self.stdout.write(json.dumps(report))
            self.stdout.write(", ".join(f"{k} {v}" for k, v in report.items()))
        else:
            if options["limit"] < 1:
                raise CommandError("--limit must be at least 1")
            rows = (
                NotificationDelivery.objects.select_related("channel")
                .defer("channel__secret_data")
                .order_by("-at", "-id")
            )
            if options["channel"]:
                rows = rows.filter(channel__name=options["channel"])
            data = [_log_row(r) for r in rows[: options["limit"]]]
            if as_json:
                return self.stdout.write(json.dumps(data, indent=2))
            for r in data:
                error = f"  {r['error']}" if r["error"] else ""
                self.stdout.write(
                    f"{r['at']}  {r['channel']}  {r['status']} #{r['attempt']}  "
                    f"{r['events']} events  {r['title']}{error}"
                )

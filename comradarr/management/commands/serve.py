"""`manage.py serve`: the whole application as one process tree.

1. With no DATABASE_URL, claim the embedded PostgreSQL in the data directory
   (a second serve on it is refused), start it and hand its URL to the
   children (so they join it instead of starting their own). While serve
   runs, a database that dies is started again (comradarr/embedded_keeper.py).
2. Apply migrations, create the heartbeat cache table, create the admin user
   (`ensure_admin`) and reconcile schedules (`setup_schedules`, when present).
3. Fork gunicorn and, unless --no-worker, the django-q2 cluster
   (comradarr/task_cluster.py): forked, they share serve's loaded Django.
4. On SIGHUP reopen the log files and re-read the settings, and pass it to
   the children (comradarr/hangup.py).
5. On SIGTERM/SIGINT stop the children gracefully (bounded), stop the
   embedded database (whichever incarnation runs), exit 0. If a child dies
   on its own, or the database cannot be kept running, stop the rest and
   exit 1.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from comradarr import (
    embedded_db,
    embedded_keeper,
    events,
    hangup,
    serving,
    task_cluster,
    uptime,
)
from comradarr.accounts import runtime
from comradarr.embedded_pg import tuning
from comradarr.logbook import handler as log_table

logger = logging.getLogger(__name__)

EMBEDDED_ENGINE = "comradarr.embedded_pg"
READY_TIMEOUT_SECONDS = 60


class StopDuringStartup(Exception):
    """SIGTERM/SIGINT arrived before the children were running."""


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--port {value!r} is not a whole number") from None
    if not 1 <= number <= 65535:
        raise CommandError(f"--port {number} is outside 1-65535")
    return number


def _count(minimum: int, maximum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise CommandError(f"{value!r} is not a whole number") from None
        if not minimum <= number <= maximum:
            raise CommandError(f"{number} is outside {minimum}-{maximum}")
        return number

    return parse


class Command(BaseCommand):
    help = "Migrate, create the admin user, then run the web server and the task workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="address to listen on (default: HOST)")
        parser.add_argument(
            "--port", type=_port, default=None, help="port to listen on (default: PORT)"
        )
        parser.add_argument(
            "--workers",
            type=_count(1, 32),
            default=None,
            help="django-q2 worker processes (default: WORKERS, 1)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve the web app only; run `manage.py qcluster` elsewhere",
        )
        parser.add_argument(
            "--web-workers",
            type=_count(1, 64),
            default=None,
            help="gunicorn worker processes (default: WEB_WORKERS, 1)",
        )
        parser.add_argument(
            "--threads",
            type=_count(1, 64),
            default=None,
            help="threads per gunicorn worker (default: WEB_THREADS, 4)",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="log every HTTP request (info level)"
        )
        parser.add_argument(
            "--stop-timeout",
            type=_count(1, 3600),
            default=30,
            help="seconds the children get to stop before they are killed",
        )

    def handle(self, *args, **options) -> None:
        # Under Docker stdout is a pipe: without this the banner shows up late.
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(line_buffering=True)
        host = options["host"] if options["host"] is not None else settings.HOST
        port = options["port"] or settings.PORT
        workers = options["workers"] or settings.Q_CLUSTER["workers"]
        web_workers = options["web_workers"] or settings.WEB_WORKERS
        web_threads = options["threads"] or settings.WEB_THREADS
        supervisor = serving.Supervisor(stop_timeout=options["stop_timeout"])

        received: list[str] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            # Only noted here: raising from a handler could interrupt pg_ctl or
            # a migration half-way. Start-up checks between its steps.
            received.append(signal.Signals(signum).name)
            supervisor.request_stop(signum)

        def checkpoint() -> None:
            if received:
                raise StopDuringStartup(received[0])

        def on_hangup(signum: int, frame: FrameType | None) -> None:
            # Reopening files and signalling children waits for watch()'s next tick.
            supervisor.request_reload()

        def reload() -> None:
            hangup.mark_for_reload()
            runtime.invalidate()
            supervisor.signal_children(signal.SIGHUP)
            logger.info(
                "SIGHUP: log files reopened, settings re-read from the database "
                "(gunicorn replaces its workers, the task cluster passes it on)"
            )

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_hangup)
        claim: embedded_keeper.Claim | None = None
        keeper: embedded_keeper.Keeper | None = None
        failure: serving.ChildExit | serving.CheckFailed | None = None
        try:
            child_env = dict(os.environ)
            child_env["WORKERS"] = str(workers)
            child_env["PYTHONUNBUFFERED"] = "1"
            # The About page's uptime counts from here, not from a recycled worker's start.
            child_env[uptime.STARTED_AT_ENV] = uptime.started_marker()
            if options["access_log"]:
                child_env["COMRADARR_ACCESS_LOG"] = "1"
            database = settings.DATABASES["default"]
            if database["ENGINE"] == EMBEDDED_ENGINE:
                claim = self._claim(database["EMBEDDED_DIR"])
                self.stdout.write(f"Starting the embedded PostgreSQL in {database['EMBEDDED_DIR']}")
                max_connections = tuning.connections_needed(
                    web_workers=web_workers, web_threads=web_threads, task_workers=workers
                )
                keeper = embedded_keeper.Keeper(
                    embedded_db.start(database["EMBEDDED_DIR"], max_connections=max_connections)
                )
                child_env["DATABASE_URL"] = keeper.database.url()
            checkpoint()
            self._prepare_database(verbosity=options["verbosity"], checkpoint=checkpoint)
            checkpoint()

            gunicorn_argv = serving.gunicorn_argv(
                host=host,
                port=port,
                web_workers=web_workers,
                threads=web_threads,
            )
            in_child = [
                # The cluster lock and the database handles stay serve's alone.
                *([claim.release] if claim is not None else []),
                embedded_db.forget_handles_in_child,
                lambda: os.environ.update(child_env),
            ]
            supervisor.fork(
                "gunicorn", lambda: serving.run_gunicorn(gunicorn_argv), in_child=in_child
            )
            if not options["no_worker"]:
                supervisor.fork(
                    "django-q2 cluster", lambda: task_cluster.run(workers), in_child=in_child
                )
            self._announce(supervisor, host, port)
            failure = supervisor.watch(checks=[keeper.check] if keeper else [], on_reload=reload)
        except StopDuringStartup as stop:
            self.stdout.write(f"Received {stop} during start-up: stopping.")
        finally:
            # A signal now only hurries the shutdown (a second one kills the
            # children); nothing interrupts stopping the database.
            supervisor.stop_all()
            connections.close_all()
            # The log viewer's writer must not reconnect (which starts the
            # embedded cluster again) while the database stops.
            log_table.stop_writers()
            if keeper is not None:
                self.stdout.write("Stopping the embedded PostgreSQL.")
                keeper.stop()
            if claim is not None:
                claim.release()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failure is not None:
            self.stderr.write(f"comradarr: {failure.describe()}; stopped everything.")
            sys.exit(1)
        self.stdout.write("Comradarr stopped.")

    @staticmethod
    def _claim(cluster_dir: Path) -> embedded_keeper.Claim:
        try:
            return embedded_keeper.claim(cluster_dir)
        except embedded_keeper.ClusterInUse as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            where = Path(cluster_dir).parent
            raise CommandError(f"cannot use the data directory {where}: {exc}") from None

    def _prepare_database(self, *, verbosity: int, checkpoint: Callable[[], None]) -> None:
        call_command("migrate", interactive=False, verbosity=verbosity)
        checkpoint()
        # django-q2 keeps its cluster heartbeats there (see CACHES in settings).
        call_command("createcachetable", verbosity=verbosity)
        commands = get_commands()
        if "ensure_admin" in commands:
            call_command("ensure_admin")
        if "setup_schedules" in commands:
            checkpoint()
            call_command("setup_schedules")
        events.emit(events.application_started, version=settings.COMRADARR_VERSION)
        # whitenoise warns about a missing STATIC_ROOT in every worker; the
        # Docker image fills it at build time, a checkout serves from the finders.
        with contextlib.suppress(OSError):
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # The children open their own connections; keep none idle here.
        connections.close_all()

    def _announce(self, supervisor: serving.Supervisor, host: str, port: int) -> None:
        gunicorn = supervisor.children[0]
        listening = serving.wait_until_listening(
            host,
            port,
            timeout=READY_TIMEOUT_SECONDS,
            still_alive=lambda: gunicorn.running() and not supervisor.stop_requested,
        )
        if not listening:
            return  # watch() reports a dead child; a stop request needs no banner
        urls = serving.display_urls(host, port, settings.BASE_URL)
        shown = urls[0] if len(urls) == 1 else f"{urls[1]} (listening on {urls[0]})"
        self.stdout.write(self.style.SUCCESS(f"Comradarr is running: open {shown}"))
        self.stdout.write("Stop it with Ctrl-C (or SIGTERM).")
        # Piped to a file or a container log, stdout is block-buffered: show
        # the address now rather than whenever the buffer fills.
        self.stdout.flush()

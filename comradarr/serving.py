"""Process supervision for `manage.py serve`: gunicorn and the task cluster.

The children run in their own process groups, so a Ctrl-C in the terminal
reaches only `serve`, which then asks each child to stop with SIGTERM (a
graceful stop for both gunicorn and django-q2) and waits a bounded time
before killing what is left.

`serve` forks its children (Supervisor.fork) instead of starting new
interpreters: Django, the settings and every app are already loaded in
serve, and a forked child shares those pages with it (and gunicorn's and
django-q2's workers, forked in turn, share them too). A fresh interpreter
would load its own copy, about 50 MB of PSS each; see benchmarks/README.md.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from comradarr import hangup

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
_ALL_INTERFACES = {"0.0.0.0", "::", ""}  # noqa: S104 - compared, not bound


@dataclass
class Child:
    """One supervised process."""

    name: str
    process: subprocess.Popen | ForkedProcess

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


@dataclass
class ChildExit:
    """A child that ended while it should have been running."""

    name: str
    returncode: int

    def describe(self) -> str:
        if self.returncode < 0:
            try:
                how = f"was killed by {signal.Signals(-self.returncode).name}"
            except ValueError:
                how = f"was killed by signal {-self.returncode}"
        else:
            how = f"exited with code {self.returncode}"
        return f"{self.name} {how} unexpectedly"


@dataclass
class CheckFailed:
    """A watched resource other than a child (the embedded database) that cannot go on."""

    reason: str

    def describe(self) -> str:
        return self.reason


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if `serve` itself is killed (Linux)."""
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ForkedProcess:
    """A child forked by serve, with the part of Popen's interface the Supervisor uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: gone, how is unknown
                self.returncode = 1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


def set_process_name(name: str) -> None:
    """Name this process as `ps -e`, `top` and psutil's name() show it (Linux; 15 bytes)."""
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc_name).prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


@dataclass
class Supervisor:
    """Starts children, watches them, and stops them all together."""

    stop_timeout: float = 30.0
    poll_interval: float = 0.5
    children: list[Child] = field(default_factory=list)
    _stop_requested: threading.Event = field(default_factory=threading.Event)
    _reload_requested: bool = False
    _signals_received: int = 0

    def start(self, name: str, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> Child:
        process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            process_group=0,  # Ctrl-C in the terminal reaches serve only
            preexec_fn=_die_with_parent,  # safe: serve starts no threads
        )
        child = Child(name=name, process=process)
        self.children.append(child)
        logger.info("started %s", name, extra={"pid": process.pid})
        return child

    def fork(
        self,
        name: str,
        target: Callable[[], int | None],
        *,
        in_child: Sequence[Callable[[], None]] = (),
    ) -> Child:
        """Fork a child that runs ``target`` (its return value is the exit code).

        The child gets its own process group and default signal handlers, dies
        with serve, runs ``in_child`` first (to drop what only serve may hold),
        and never returns into serve's code: it leaves with os._exit, so none
        of serve's exit handlers (the embedded database's) run in it.
        """
        # Objects serve has made so far are never collected: without this, the
        # first collection in a child would write to every page holding one and
        # unshare it.
        gc.collect()
        gc.freeze()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        # A stop signal must not reach the child while it still has serve's
        # handlers: held back across the fork, it arrives after the reset.
        stop_signals = {signal.SIGTERM, signal.SIGINT}
        pid = -1
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        try:
            pid = os.fork()
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
        if pid == 0:  # pragma: no cover - the child; tests see it from outside
            code = 1
            try:
                os.setpgid(0, 0)
                _die_with_parent()
                for signum in stop_signals:
                    signal.signal(signum, signal.SIG_DFL)
                # serve's SIGHUP handler is not the child's: until the child
                # installs its own (gunicorn, the task cluster), SIGHUP only marks
                # the log files and the settings for reloading.
                signal.signal(signal.SIGHUP, lambda signum, frame: hangup.mark_for_reload())
                signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
                for step in in_child:
                    step()
                code = target() or 0
            except SystemExit as exc:
                code = _exit_code(exc)
            except BaseException:
                logger.exception("%s failed", name)
            finally:
                # os._exit skips atexit: write what the log handlers still hold
                # (the log viewer's buffer, the log file) first.
                with contextlib.suppress(Exception):
                    logging.shutdown()
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(code)
        # Also from here: a stop right after the fork must reach the group.
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        child = Child(name=name, process=ForkedProcess(pid))
        self.children.append(child)
        logger.info("started %s", name, extra={"pid": pid})
        return child

    def request_stop(self, signum: int) -> None:
        """Called from a signal handler: first signal stops gently, a second forcefully."""
        self._signals_received += 1
        if self._signals_received > 1:
            logger.warning("second stop signal: killing the remaining processes")
            self._kill_all()
        self._stop_requested.set()

    def request_reload(self) -> None:
        """Called from the SIGHUP handler: watch() runs its on_reload on its next tick."""
        self._reload_requested = True

    def signal_children(self, signum: int) -> None:
        """Send ``signum`` to each running child itself (not its group: gunicorn's
        workers take SIGHUP's default action, which ends them)."""
        for child in self.children:
            if child.running():
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signum)

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested.is_set()

    def watch(
        self,
        checks: Sequence[Callable[[], str | None]] = (),
        on_reload: Callable[[], None] | None = None,
    ) -> ChildExit | CheckFailed | None:
        """Block until a stop is requested (None), a child ends on its own, or a check fails.

        Each check runs on every tick and returns None while all is well, or
        why serve cannot go on (it may repair things first, and take its time).
        on_reload runs on the tick after request_reload() (SIGHUP).
        """
        while not self._stop_requested.wait(self.poll_interval):
            if self._reload_requested:
                self._reload_requested = False
                if on_reload is not None:
                    on_reload()
            for child in self.children:
                returncode = child.process.poll()
                if returncode is not None:
                    return ChildExit(child.name, returncode)
            for check in checks:
                reason = check()
                if reason is not None:
                    return CheckFailed(reason)
        return None

    def stop_all(self) -> None:
        """SIGTERM every running child, wait up to stop_timeout, then SIGKILL."""
        for child in self.children:
            if child.running():
                logger.info("stopping %s", child.name, extra={"pid": child.pid})
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in self.children:
            remaining = max(0.0, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop within %ss: killing it", child.name, self.stop_timeout
                )
        self._kill_all()

    def _kill_all(self) -> None:
        for child in self.children:
            # The whole group: gunicorn's workers and django-q2's worker
            # processes must not outlive their parent.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=5)


def gunicorn_argv(
    *, host: str, port: int, web_workers: int, threads: int, python: str = sys.executable
) -> list[str]:
    """The gunicorn command line serving comradarr.wsgi."""
    return [
        python,
        "-m",
        "gunicorn",
        "comradarr.wsgi:application",
        "--config",
        "python:comradarr.gunicorn_conf",
        "--bind",
        bind_address(host, port),
        "--workers",
        str(web_workers),
        # Threads let slow htmx polls and the occasional "test connection"
        # call share a worker without blocking every other page.
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        # A worker silent this long is stuck: no page may take a minute.
        "--timeout",
        "60",
        # On SIGTERM, requests in flight get this long to finish.
        "--graceful-timeout",
        "20",
        "--keep-alive",
        "5",
        # Recycle workers now and then so a slow leak or one big page cannot
        # pin memory for good (a new worker is forked from the master: cheap).
        "--max-requests",
        "1000",
        "--max-requests-jitter",
        "100",
        # The app is loaded once in the master and shared by its workers.
        "--preload",
    ]


#: Process names (/proc/<pid>/comm) of gunicorn's master and workers under serve.
WEB_NAME = "cr-web"
WEB_WORKER_NAME = "cr-web-worker"


def run_gunicorn(argv: Sequence[str]) -> int:
    """Run gunicorn in this (forked) process with ``argv`` from gunicorn_argv."""
    from gunicorn.app.wsgiapp import WSGIApplication

    set_process_name(WEB_NAME)
    sys.argv = ["gunicorn", *argv[3:]]  # without "python -m gunicorn"
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="gunicorn").run()
    return 0


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def display_urls(host: str, port: int, base_url: str) -> list[str]:
    """URLs to print: the bound one, plus localhost when bound to every interface."""
    shown = f"[{host}]" if ":" in host else host
    urls = [f"http://{shown}:{port}{base_url}"]
    if host in _ALL_INTERFACES:
        urls.append(f"http://localhost:{port}{base_url}")
    return urls


def probe_address(host: str) -> str:
    """Where to connect to reach a server bound to ``host`` from this machine."""
    if host in {"0.0.0.0", ""}:  # noqa: S104 - compared, not bound
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def wait_until_listening(
    host: str, port: int, *, timeout: float, still_alive: Callable[[], bool]
) -> bool:
    """True once something accepts connections on host:port; False on timeout or death."""
    address = probe_address(host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and still_alive():
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False

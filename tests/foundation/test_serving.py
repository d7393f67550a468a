"""The pieces of `serve`: command lines, URLs, and the process supervisor."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comradarr import serving

REPO = Path(__file__).resolve().parents[2]
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - a string under test, nothing is bound


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _stubborn(ready: Path) -> str:
    """A child that ignores SIGTERM and says when it has started ignoring it."""
    return (
        "import pathlib, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )


def _wait_for_file(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


@pytest.fixture
def supervisor():
    supervisor = serving.Supervisor(stop_timeout=5, poll_interval=0.05)
    yield supervisor
    supervisor._kill_all()


def _start(supervisor, name, code):
    return supervisor.start(name, _python(code), env={"PATH": "/usr/bin:/bin"}, cwd=REPO)


class TestUrls:
    def test_all_interfaces_also_shows_localhost(self):
        assert serving.display_urls(ALL_INTERFACES, 3000, "/") == [
            "http://0.0.0.0:3000/",
            "http://localhost:3000/",
        ]

    def test_specific_host_and_base_url(self):
        assert serving.display_urls("192.168.1.5", 8080, "/comradarr/") == [
            "http://192.168.1.5:8080/comradarr/"
        ]

    def test_ipv6(self):
        assert serving.display_urls("::", 3000, "/") == [
            "http://[::]:3000/",
            "http://localhost:3000/",
        ]
        assert serving.bind_address("::1", 3000) == "[::1]:3000"
        assert serving.bind_address("127.0.0.1", 3000) == "127.0.0.1:3000"

    def test_probe_address(self):
        assert serving.probe_address(ALL_INTERFACES) == "127.0.0.1"
        assert serving.probe_address("::") == "::1"
        assert serving.probe_address("10.0.0.2") == "10.0.0.2"


class TestCommandLines:
    def test_gunicorn(self):
        argv = serving.gunicorn_argv(host=ALL_INTERFACES, port=3000, web_workers=3, threads=4)
        joined = " ".join(argv)
        assert argv[:4] == [sys.executable, "-m", "gunicorn", "comradarr.wsgi:application"]
        assert "--bind 0.0.0.0:3000" in joined
        assert "--workers 3" in joined
        assert "--config python:comradarr.gunicorn_conf" in joined
        assert "--graceful-timeout 20" in joined

    def test_gunicorn_config_routes_its_logs_through_ours(self, monkeypatch):
        import importlib

        import comradarr.gunicorn_conf as conf

        monkeypatch.delenv("COMRADARR_ACCESS_LOG", raising=False)
        conf = importlib.reload(conf)
        assert conf.logconfig_dict["loggers"]["gunicorn.access"]["level"] == "WARNING"
        assert conf.logconfig_dict["loggers"]["gunicorn.error"]["propagate"] is True
        assert conf.logconfig_dict["root"]["handlers"] == ["output"]
        assert "request_id=%({x-request-id}o)s" in conf.access_log_format
        # X-Forwarded-Proto is the app's call (TRUSTED_PROXIES), not gunicorn's.
        assert conf.forwarded_allow_ips == ""
        monkeypatch.setenv("COMRADARR_ACCESS_LOG", "1")
        conf = importlib.reload(conf)
        assert conf.logconfig_dict["loggers"]["gunicorn.access"]["level"] == "INFO"


class TestSupervisor:
    def test_stop_request_returns_none_and_children_stop_on_sigterm(self, supervisor):
        child = _start(supervisor, "sleeper", "import time; time.sleep(60)")
        supervisor.request_stop(signal.SIGTERM)
        assert supervisor.watch() is None
        supervisor.stop_all()
        assert child.process.returncode == -signal.SIGTERM

    def test_child_dying_is_reported(self, supervisor):
        _start(supervisor, "sleeper", "import time; time.sleep(60)")
        _start(supervisor, "crasher", "import sys, time; time.sleep(0.3); sys.exit(3)")
        started = time.monotonic()
        failure = supervisor.watch()
        assert time.monotonic() - started < 5
        assert failure == serving.ChildExit("crasher", 3)
        assert failure.describe() == "crasher exited with code 3 unexpectedly"
        supervisor.stop_all()
        assert all(not child.running() for child in supervisor.children)

    def test_killed_child_is_described_by_signal(self):
        assert (
            serving.ChildExit("gunicorn", -9).describe()
            == "gunicorn was killed by SIGKILL unexpectedly"
        )

    def test_graceful_child_gets_time_to_finish(self, supervisor, tmp_path):
        ready, done = tmp_path / "ready", tmp_path / "done"
        code = (
            "import signal, sys, time, pathlib\n"
            "def finish(*_):\n"
            "    time.sleep(0.5)\n"
            f"    pathlib.Path({str(done)!r}).write_text('finished')\n"
            "    sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, finish)\n"
            f"pathlib.Path({str(ready)!r}).touch()\n"
            "time.sleep(60)\n"
        )
        child = _start(supervisor, "worker", code)
        _wait_for_file(ready)
        supervisor.stop_all()
        assert child.process.returncode == 0
        assert done.read_text() == "finished"

    def test_child_ignoring_sigterm_is_killed_after_the_timeout(self, supervisor, tmp_path):
        supervisor.stop_timeout = 1
        child = _start(supervisor, "stubborn", _stubborn(tmp_path / "ready"))
        _wait_for_file(tmp_path / "ready")
        started = time.monotonic()
        supervisor.stop_all()
        assert 0.9 < time.monotonic() - started < 8
        assert child.process.returncode == -signal.SIGKILL

    def test_second_signal_kills_at_once(self, supervisor, tmp_path):
        child = _start(supervisor, "stubborn", _stubborn(tmp_path / "ready"))
        _wait_for_file(tmp_path / "ready")
        supervisor.request_stop(signal.SIGINT)
        assert child.running()
        supervisor.request_stop(signal.SIGINT)
        assert child.process.poll() == -signal.SIGKILL

    def test_children_are_in_their_own_process_group(self, supervisor):
        import os

        child = _start(supervisor, "sleeper", "import time; time.sleep(60)")
        assert os.getpgid(child.pid) == child.pid != os.getpgid(0)


class TestOptions:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--port", "abc"], "--port 'abc' is not a whole number"),
            (["--port", "70000"], "--port 70000 is outside 1-65535"),
            (["--workers", "0"], "0 is outside 1-32"),
            (["--workers", "many"], "'many' is not a whole number"),
        ],
    )
    def test_bad_options(self, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("serve", *args)


class TestForkedChildren:
    def test_return_value_is_the_exit_code_and_a_crash_is_reported(self, supervisor):
        supervisor.fork("quick", lambda: 3)
        failure = supervisor.watch()
        assert failure == serving.ChildExit("quick", 3)

    def test_exception_in_the_child_exits_1_without_returning_into_the_caller(
        self, supervisor, tmp_path
    ):
        def boom():
            raise RuntimeError("boom")

        child = supervisor.fork("boom", boom)
        # Only this process gets here: a child that came back from fork() would too.
        (tmp_path / f"after-fork-{os.getpid()}").touch()
        assert child.process.wait(timeout=10) == 1
        time.sleep(0.2)
        assert [p.name for p in tmp_path.iterdir()] == [f"after-fork-{os.getpid()}"]

    def test_sigterm_stops_a_forked_child_in_its_own_process_group(self, supervisor, tmp_path):
        ready = tmp_path / "ready"
        seen = tmp_path / "in-child"

        def sleeper():
            ready.touch()
            time.sleep(60)

        child = supervisor.fork("sleeper", sleeper, in_child=[seen.touch])
        _wait_for_file(ready)
        assert seen.exists()
        assert os.getpgid(child.pid) == child.pid != os.getpgid(0)
        supervisor.stop_all()
        assert child.process.returncode == -signal.SIGTERM

    def test_stubborn_forked_child_is_killed_after_the_timeout(self, supervisor, tmp_path):
        supervisor.stop_timeout = 1
        ready = tmp_path / "ready"

        def stubborn():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            ready.touch()
            time.sleep(60)

        child = supervisor.fork("stubborn", stubborn)
        _wait_for_file(ready)
        supervisor.stop_all()
        assert child.process.returncode == -signal.SIGKILL


_SLOW_CHILD_START = {"on": False}


def _slow_child_start() -> None:
    if _SLOW_CHILD_START["on"]:
        time.sleep(0.5)


os.register_at_fork(after_in_child=_slow_child_start)


def test_a_stop_right_after_the_fork_reaches_the_child_with_default_handling(supervisor):
    """SIGTERM sent while the child still has serve's handler must not be lost.

    The at-fork hook holds the child at the moment it still has the parent's
    handler; a signal caught there by that handler would be swallowed and the
    child killed only after the stop timeout.
    """
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # serve-like: SIGTERM handled
    supervisor.stop_timeout = 3
    _SLOW_CHILD_START["on"] = True
    try:
        child = supervisor.fork("sleeper", lambda: time.sleep(60))
    finally:
        _SLOW_CHILD_START["on"] = False
        signal.signal(signal.SIGTERM, previous)
    time.sleep(0.1)
    started = time.monotonic()
    supervisor.stop_all()
    assert child.process.returncode == -signal.SIGTERM
    assert time.monotonic() - started < 2.5

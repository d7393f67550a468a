"""python -m tests.fakearr starts a server that answers /ping and stops on SIGTERM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_cli_serves_and_terminates():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakearr",
            "--kind",
            "radarr",
            "--movies",
            "20",
            "--seed",
            "3",
            "--url-base",
            "/radarr",
            "--api-key",
            "k" * 32,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        url = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("URL:"))
        assert url.endswith("/radarr")
        assert any(line.strip() == f"API key: {'k' * 32}" for line in lines)
        assert requests.get(f"{url}/ping", timeout=5).json() == {"status": "OK"}
        status = requests.get(
            f"{url}/api/v3/system/status", headers={"X-Api-Key": "k" * 32}, timeout=5
        ).json()
        assert status["appName"] == "Radarr"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_cli_rejects_an_unknown_kind():
    result = subprocess.run(
        [sys.executable, "-m", "tests.fakearr", "--kind", "lidarr"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "unknown fakearr kind" in result.stderr


@pytest.mark.slow
def test_the_demo_command_line():
    """`python -m tests.fakearr --kind sonarr --port N --series 200`, as the README runs it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = ["-m", "tests.fakearr", "--kind", "sonarr", "--port", str(port), "--series", "200"]
    proc = subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert lines[0].startswith("fakearr Sonarr ")
        assert lines[1].strip() == f"URL: http://127.0.0.1:{port}"
        api_key = lines[2].split(": ", 1)[1].strip()
        series = requests.get(
            f"http://127.0.0.1:{port}/api/v3/series", headers={"X-Api-Key": api_key}, timeout=10
        ).json()
        assert len(series) == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0

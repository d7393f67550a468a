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

"""The README's two commands: what they are, and what `make` does for them.

`make -n` in a directory without a virtual environment shows the whole chain
a clean clone goes through, without installing anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.foundation.conftest import REPO

README = (REPO / "README.md").read_text()


def _first_code_block() -> str:
    return re.search(r"```sh\n(.*?)```", README, re.S)[1]


def test_readme_opens_with_the_two_commands():
    first_section = README.split("\n## ", 2)[1]
    assert first_section.startswith("Two commands")
    commands = [line.split("#")[0].strip() for line in _first_code_block().splitlines()]
    assert commands[0].endswith("make run")
    assert commands[1] == "make test"


@pytest.mark.parametrize(
    "topic", ["Stop it with", "## Where data lives", "## An external PostgreSQL"]
)
def test_readme_says_how_to_stop_where_data_lives_and_external_postgres(topic):
    assert topic in README


@pytest.fixture
def clean_checkout(tmp_path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def _dry_run(directory: Path, target: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # Under `make test` this is a sub-make: its variables would change the output.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_make_run_creates_the_venv_installs_and_serves(clean_checkout):
    steps = _dry_run(clean_checkout, "run").splitlines()
    venv = next(i for i, s in enumerate(steps) if "-m venv .venv" in s)
    install = next(i for i, s in enumerate(steps) if 'pip install --quiet -e ".[dev]"' in s)
    serve = next(i for i, s in enumerate(steps) if s == ".venv/bin/python manage.py serve")
    assert venv < install < serve


def test_make_test_installs_then_lints_and_runs_every_test(clean_checkout):
    steps = _dry_run(clean_checkout, "test").splitlines()
    assert any("-m venv .venv" in s for s in steps)
    tail = steps[-3:]
    assert tail == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/python -m pytest",
    ]


def test_an_installed_checkout_skips_the_install(clean_checkout):
    """The stamp makes the second run start at once (until pyproject.toml changes)."""
    bin_dir = clean_checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    (clean_checkout / ".venv" / ".installed-stamp").touch()
    assert _dry_run(clean_checkout, "run").splitlines() == [".venv/bin/python manage.py serve"]


def test_ci_runs_exactly_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines() if line.strip()]
    assert "export CI=true" in lines
    assert lines[-1] == "make test"

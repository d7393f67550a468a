"""The README's two commands: what they are, and what `make` does for them.

`make -n` in a directory without a virtual environment shows the whole chain
a clean clone goes through, without installing anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
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
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock"):
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
    install = next(i for i, s in enumerate(steps) if "pip install" in s)
    serve = next(i for i, s in enumerate(steps) if s == ".venv/bin/python manage.py serve")
    assert venv < install < serve


def test_every_install_comes_from_the_lock_with_hashes(clean_checkout):
    """Supply chain (security issue): the lock drives every install, nothing unpinned."""
    installs = [s for s in _dry_run(clean_checkout, "run").splitlines() if "pip install" in s]
    assert installs == [
        ".venv/bin/python -m pip install --quiet --require-hashes -r requirements-dev.lock",
        ".venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .",
    ]


def test_a_changed_lock_reinstalls(clean_checkout):
    bin_dir = clean_checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    stamp = clean_checkout / ".venv" / ".installed-stamp"
    stamp.touch()
    os.utime(stamp, (1, 1))  # older than the lock file
    os.utime(clean_checkout / "pyproject.toml", (1, 1))
    steps = _dry_run(clean_checkout, "run").splitlines()
    assert any("--require-hashes -r requirements-dev.lock" in s for s in steps)


def test_the_lock_files_pin_every_requirement_with_hashes():
    from scripts.check_lock import problems

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    for lock, extras in (("requirements.lock", []), ("requirements-dev.lock", ["dev"])):
        text = (REPO / lock).read_text()
        assert problems(pyproject, text, extras) == [], f"{lock}: run `make lock`"
        lines = text.splitlines()
        pinned = [i for i, line in enumerate(lines) if line and line[0] not in " #"]
        assert pinned
        for i in pinned:  # every entry exact, and followed by its hashes
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[^\s;]+ \\", lines[i]), lines[i]
            assert lines[i + 1].startswith("    --hash=sha256:"), lines[i]
    dev = (REPO / "requirements-dev.lock").read_text()
    setuptools = re.search(r"^setuptools==(\d+)\.(\d+)\.(\d+)", dev, re.M)
    assert setuptools and tuple(map(int, setuptools.groups())) >= (78, 1, 1)
    assert re.search(r"^ruff==\d+\.\d+\.\d+ ", dev, re.M)


def test_the_lock_check_names_a_dependency_missing_from_the_lock():
    from scripts.check_lock import problems

    pyproject = {"project": {"dependencies": ["Django>=5.2,<5.3", "aiosmtpd>=1.4"]}}
    assert problems(pyproject, "django==5.2.19 \\\n", []) == ["aiosmtpd is not pinned"]
    assert problems(pyproject, "django==4.2.1 \\\naiosmtpd==1.4.6 \\\n", []) == [
        "Django==4.2.1 does not satisfy 'Django>=5.2,<5.3'"
    ]


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
    # The README's test command, then the image built and run (make image-test).
    assert lines[-2:] == ["make test", "make image-test"]
    assert "buildah" in script and "debootstrap" in script


def test_make_lock_is_one_command_with_a_pinned_resolver(clean_checkout):
    recipe = _dry_run(clean_checkout, "lock")
    assert re.search(r"pip install --quiet pip-tools==\d+\.\d+\.\d+ pip==\d+", recipe)
    assert recipe.count("pip-compile") == 2
    assert "--generate-hashes" in recipe
    assert "-o requirements-dev.lock" in recipe and "-o requirements.lock" in recipe
    assert "PIP_CONFIG_FILE=/dev/null" in recipe  # no local wheel folder leaks into the lock

"""`make image-test` (scripts/image_test.py): skipped with a reason where buildah cannot run,
a failure instead under CI=true. The build and run themselves need root and buildah and
take minutes: CI runs them through `make image-test`, not this suite."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest

from tests.foundation.conftest import REPO


@pytest.fixture
def script():
    spec = importlib.util.spec_from_file_location("image_test", REPO / "scripts" / "image_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def not_root(monkeypatch, script):
    monkeypatch.setattr(script.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(script, "make_rootfs", lambda: pytest.fail("must not build"))


def test_not_root_is_a_skip_with_the_reason(script, not_root, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    assert script.main() == 0
    assert "image-test: SKIPPED: needs root" in capsys.readouterr().out


def test_not_root_under_ci_is_a_failure(script, not_root, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    assert script.main() == 1
    assert "image-test: FAILED: cannot run under CI: needs root" in capsys.readouterr().err


def test_missing_buildah_names_the_package(script, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(script.os, "geteuid", lambda: 0)
    real_which = shutil.which
    monkeypatch.setattr(
        script.shutil, "which", lambda name: None if name == "buildah" else real_which(name)
    )
    monkeypatch.setattr(script, "make_rootfs", lambda: pytest.fail("must not build"))
    assert script.main() == 0
    out = capsys.readouterr().out
    assert "SKIPPED: buildah" in out and "apt-get install buildah debootstrap" in out


def test_the_base_image_is_passed_as_the_dockerfile_argument(script):
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=" in dockerfile and "FROM ${PYTHON_IMAGE}" in dockerfile
    assert script.BASE_IMAGE.startswith("localhost/")
    # Cached where git and the image's build context both ignore it.
    assert script.CACHE.relative_to(REPO).parts[0] == "build"
    assert "/build/" in (REPO / ".gitignore").read_text().split()
    assert "build" in (REPO / ".dockerignore").read_text().split()


def test_make_image_test_runs_the_script():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "image-test"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert recipe.strip().endswith("scripts/image_test.py")

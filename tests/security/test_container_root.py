"""Finding class "container running as root" (and the image's supply chain).

A peer project shipped an image whose service ran as root, so any hole in the
app was a hole in the container. These read the Dockerfile (no Docker engine
here) and keep Comradarr's image from going back there: the final stage runs
as a fixed non-root user that owns the data directory, nothing switches back
to root after it, the base image is pinned by digest, and the dependencies
come from the lock file with hashes, never from an open-ended list.
"""

from __future__ import annotations

import re

from tests.foundation.test_docker import REPO, dockerfile_instructions, stages

ROOT_USERS = {"root", "0", "0:0", "root:root"}


def _final_stage() -> list[tuple[str, str]]:
    return stages()[-1]


def test_container_running_as_root_final_stage_sets_a_non_root_user():
    runtime = _final_stage()
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users, "the final stage never sets USER: the container would run as root"
    assert users[-1] not in ROOT_USERS
    assert not users[-1].startswith(("0:", "root:"))


def test_container_running_as_root_nothing_switches_back_after_user():
    runtime = _final_stage()
    keywords = [keyword for keyword, _ in runtime]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    after = runtime[last_user + 1 :]
    assert not [a for k, a in after if k == "USER" and a in ROOT_USERS]
    # No RUN after USER either: it would be tempting to add one with `USER root`.
    assert not [a for k, a in after if k == "RUN"]
    assert keywords.index("CMD") > last_user


def test_container_running_as_root_user_is_created_with_a_fixed_uid_and_owns_data():
    runtime = _final_stage()
    user = [a for k, a in runtime if k == "USER"][-1]
    runs = " ".join(a for k, a in runtime if k == "RUN")
    assert re.search(rf"useradd [^&]*--uid 1000 [^&]*{user}", runs)
    assert f"chown {user}:{user} /data" in runs
    env = " ".join(a for k, a in runtime if k == "ENV")
    assert "COMRADARR_DATA_DIR=/data" in env
    assert ("VOLUME", "/data") in runtime


def test_container_running_as_root_code_is_not_writable_by_the_app_user():
    """The code is copied as root (no --chown): the service cannot rewrite itself."""
    copies = [a for k, a in _final_stage() if k == "COPY"]
    assert copies and not [a for a in copies if "--chown" in a]


def test_base_image_is_pinned_by_digest():
    (image,) = [a for k, a in dockerfile_instructions() if k == "ARG" and "PYTHON_IMAGE=" in a]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", image)
    froms = [a for k, a in dockerfile_instructions() if k == "FROM"]
    assert froms and all(a.startswith("${PYTHON_IMAGE} ") for a in froms)
    # The comment says how to refresh it.
    assert "imagetools inspect python:3.11-slim-bookworm" in (REPO / "Dockerfile").read_text()


def test_dependencies_come_from_the_lock_with_hashes():
    build = stages()[0]
    assert ("COPY", "requirements.lock ./") in build
    installs = [a for k, a in build if k == "RUN" and "pip install" in a]
    assert installs
    for run in installs:
        for command in re.findall(r"pip install[^&]*", run):
            assert "--require-hashes -r requirements.lock" in command, command
    assert "pyproject.toml" not in " ".join(a for _, a in build)


def test_no_setuptools_left_in_the_image():
    build_runs = " ".join(a for k, a in stages()[0] if k == "RUN")
    runtime_runs = " ".join(a for k, a in _final_stage() if k == "RUN")
    assert "pip uninstall --yes setuptools" in build_runs  # the venv's seeded copy
    assert re.search(r"pip uninstall --yes [^&]*setuptools", runtime_runs)  # the base image's

"""SECRET_KEY generated once, private, and stable across restarts."""

from __future__ import annotations

import stat
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from comradarr import secret_key
from tests.foundation.conftest import REPO, clean_env, manage_py


def test_generated_with_mode_0600(tmp_path):
    key = secret_key.load_or_create(tmp_path / "data")
    path = tmp_path / "data" / secret_key.FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 50
    assert path.read_text() == key


def test_stable_across_calls(tmp_path):
    first = secret_key.load_or_create(tmp_path)
    second = secret_key.load_or_create(tmp_path)
    assert first == second
    # No temporary files left behind.
    assert [p.name for p in tmp_path.iterdir()] == [secret_key.FILENAME]


def test_different_data_dirs_get_different_keys(tmp_path):
    assert secret_key.load_or_create(tmp_path / "a") != secret_key.load_or_create(tmp_path / "b")


def test_truncated_file_is_refused(tmp_path):
    (tmp_path / secret_key.FILENAME).write_text("short")
    with pytest.raises(ImproperlyConfigured, match="shorter than 32 characters"):
        secret_key.load_or_create(tmp_path)


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ImproperlyConfigured, match="COMRADARR_DATA_DIR: cannot read or create"):
        secret_key.load_or_create(blocker / "data")


def test_settings_use_the_persisted_key(tmp_path):
    """Two separate processes without SECRET_KEY see the same key."""
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = clean_env(COMRADARR_DATA_DIR=str(tmp_path))
    keys = [
        subprocess.run(
            [*manage_py(), "shell", "--no-imports", "-c", code],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert keys[0] == keys[1] == (tmp_path / secret_key.FILENAME).read_text()

"""Settings for the test suite: the real settings, on a throwaway PostgreSQL.

With DATABASE_URL set, that server is used (pytest-django creates and drops a
test_ database on it). Without it, the embedded cluster starts in a temporary
data directory that is removed when the session ends.
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("COMRADARR_TEST_DATA_DIR"):
    _tmp = tempfile.mkdtemp(prefix="comradarr-test-")
    # Registered before pgserver's own exit hook, so it runs after the server stopped.
    atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
    os.environ["COMRADARR_TEST_DATA_DIR"] = _tmp
os.environ["COMRADARR_DATA_DIR"] = os.environ["COMRADARR_TEST_DATA_DIR"]
os.environ.setdefault("LOG_FORMAT", "console")
os.environ.setdefault("LOG_LEVEL", "warning")
# No log viewer table: a writer thread per test process would race the test
# transactions; tests/logbook drives the handler itself.
os.environ.setdefault("LOG_DB_KEEP", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-hkdf-0123456789")

from comradarr.settings import *  # noqa: F403

# Argon2 at full cost makes every login test slow; the hasher choice is tested on its own.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
SECURE_HSTS_SECONDS = 31536000
# The test process runs django-q2's worker loop in-process (tests/foundation/test_task_context.py)
# and is far above a real worker's size limit, which would end that loop after one task.
Q_CLUSTER = {**Q_CLUSTER, "max_rss": None}  # noqa: F405

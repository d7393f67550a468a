"""Django settings for Comradarr, read from the environment.

Every variable is parsed by comradarr.config, which raises ImproperlyConfigured
naming the variable; manage.py turns that into one line on stderr.
"""

from __future__ import annotations

import sys
import zoneinfo
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from comradarr import config, secret_key
from comradarr.logs import LogFile, build_logging_config, output_stream

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(config.read_str("COMRADARR_DATA_DIR", str(BASE_DIR / "data"))).resolve()

DEBUG = config.read_bool("DEBUG", False)
SECRET_KEY = config.read_secret("SECRET_KEY") or secret_key.load_or_create(DATA_DIR)

HOST = config.read_str("HOST", "0.0.0.0")  # noqa: S104 - a container listens on every interface
PORT = config.read_int("PORT", 3000, minimum=1, maximum=65535)
BASE_URL = config.read_base_url()

ALLOWED_HOSTS = config.read_list("ALLOWED_HOSTS") or ["*"]
CSRF_TRUSTED_ORIGINS = config.read_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "comradarr",
    # The log viewer's table and page (Settings > Logs): shared infrastructure.
    "comradarr.logbook",
    "connectors",
    "content",
    "searchstate",
    "queueing",
    "notifications",
    "analytics",
    # Pages above the domain apps (the library browser): may import any of them.
    "web",
    # The JSON API (/api/v1) and its keys: a surface like web.
    "rest_framework",
    "drf_spectacular",
    "api",
    # Backup, restore and the configuration export (Settings > Backups): reads every app.
    "backups",
]

MIDDLEWARE = [
    "comradarr.middleware.CorrelationIdMiddleware",
    # Times /api/ requests through the whole stack for /metrics (api.timing).
    "api.timing.ApiTimingMiddleware",
    # Before anything asks request.is_secure() (HSTS, CSRF).
    "comradarr.middleware.ForwardedProtoMiddleware",
    # Outside the session and CSRF middleware, so it sees the cookies they set.
    "comradarr.middleware.SecureCookiesMiddleware",
    # Outside SecurityMiddleware and whitenoise: it sees (and finishes) every
    # response last, static files and HSTS included.
    "comradarr.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comradarr.accounts.middleware.AuthModeMiddleware",
    # After the auth mode: both read the cached settings row.
    "comradarr.middleware.TimeZoneMiddleware",
    "comradarr.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "comradarr.urls"
WSGI_APPLICATION = "comradarr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comradarr.context_processors.app",
                "comradarr.accounts.context_processors.auth_warning",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded cluster in the data directory.
DATABASES = {
    "default": config.read_database_url()
    or {
        "ENGINE": "comradarr.embedded_pg",
        "NAME": "comradarr",
        "USER": "postgres",
        "EMBEDDED_DIR": DATA_DIR / "postgres",
    }
}
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: one user, Argon2id first.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
ADMIN_USER = config.read_str("ADMIN_USER", "admin")
ADMIN_PASS = config.read_secret("ADMIN_PASS")
LOGIN_URL = "login"
# The first-run wizard while no connector exists (web.setup_wizard), else the dashboard.
LOGIN_REDIRECT_URL = "setup:start"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = config.read_int("SESSION_DAYS", 7, minimum=1, maximum=365) * 86400
SESSION_COOKIE_PATH = BASE_URL
CSRF_COOKIE_PATH = BASE_URL
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The page hands the CSRF token to scripts in a <meta> tag, so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Session and CSRF cookies are Secure on every HTTPS request (SecureCookiesMiddleware,
# a trusted proxy's X-Forwarded-Proto included); SECURE_COOKIES=true makes them Secure
# always, for a proxy that terminates TLS but does not send X-Forwarded-Proto.
SECURE_COOKIES = config.read_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES

# Share of an indexer's spare allowance (what RSS leaves) kept unspent (queueing.indexer_budget).
INDEXER_SAFETY_MARGIN_PERCENT = config.read_int("INDEXER_SAFETY_MARGIN", 10, minimum=0, maximum=90)

# Login lockout (comradarr.accounts.lockout): attempts within the window lock the
# (username, address) pair and the address; many failures of one username from
# anywhere slow it down (one attempt per delay, doubling up to the maximum), never lock it.
LOCKOUT_ATTEMPTS = config.read_int("LOCKOUT_ATTEMPTS", 5, minimum=1)
LOCKOUT_WINDOW_SECONDS = config.read_int("LOCKOUT_WINDOW_MINUTES", 15, minimum=1) * 60
LOCKOUT_DURATION_SECONDS = config.read_int("LOCKOUT_DURATION_MINUTES", 15, minimum=1) * 60
LOCKOUT_USERNAME_ATTEMPTS = config.read_int("LOCKOUT_USERNAME_ATTEMPTS", 20, minimum=1)
LOCKOUT_USERNAME_DELAY_SECONDS = config.read_int("LOCKOUT_USERNAME_DELAY_SECONDS", 5, minimum=1)
LOCKOUT_USERNAME_DELAY_MAX_SECONDS = config.read_int(
    "LOCKOUT_USERNAME_DELAY_MAX_SECONDS", 60, minimum=1
)
# X-Forwarded-For is believed only when the direct peer is one of these (IPs or CIDRs).
TRUSTED_PROXIES = config.read_networks("TRUSTED_PROXIES")

# Security headers (SecurityHeadersMiddleware sets HSTS in production only).
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000

# Time: stored in UTC, shown in TZ. A TZ in the environment locks the settings page's
# time zone (comradarr.settings_sources); without it the page's choice applies per request.
TIME_ZONE_ENV = config.read_str("TZ")
TIME_ZONE = TIME_ZONE_ENV or "UTC"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, OSError, ValueError):  # OSError: a name too long
    raise ImproperlyConfigured(f"TZ={TIME_ZONE!r} is not a known time zone") from None
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# Static files: served by whitenoise straight from the app folders.
STATIC_URL = BASE_URL + "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Beside the code, not in the data volume: the Docker image collects at build time.
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# How people reach Comradarr (links in notifications); when set it locks the settings page's field.
PUBLIC_URL = config.read_http_url("PUBLIC_URL")

# Logging: JSON lines, or LOG_FORMAT=console for people.
LOG_LEVEL = config.read_choice(
    "LOG_LEVEL", "info", ["trace", "debug", "info", "warning", "error", "critical"]
)
LOG_FORMAT = config.read_choice("LOG_FORMAT", "json", ["json", "console"])
# Records kept for the log viewer (Settings > Logs); 0 stores none.
LOG_DB_KEEP = config.read_int("LOG_DB_KEEP", 20000, minimum=0, maximum=1_000_000)
# Optional log file (JSON lines) beside stdout, rotated by size; SIGHUP to serve reopens it.
_log_file_path = config.read_str("LOG_FILE")
LOG_FILE = (
    LogFile(
        path=str(Path(_log_file_path).expanduser().resolve()),
        max_bytes=config.read_int("LOG_FILE_MAX_BYTES", 10 * 1024 * 1024, minimum=0),
        backups=config.read_int("LOG_FILE_BACKUPS", 5, minimum=0, maximum=1000),
        # Rotated files older than this are deleted (0: keep LOG_FILE_BACKUPS of them).
        retention_days=config.read_int("LOG_FILE_RETENTION_DAYS", 0, minimum=0, maximum=3650),
    )
    if _log_file_path
    else None
)
# stdout for the service, stderr for one-shot commands (whose stdout is output).
LOGGING = build_logging_config(
    LOG_LEVEL,
    LOG_FORMAT,
    output_stream(sys.argv),
    log_file=LOG_FILE,
    database_keep=LOG_DB_KEEP,
)
# Error reports (the DEBUG 500 page, error mails) are redacted like the log lines.
DEFAULT_EXCEPTION_REPORTER = "comradarr.error_reports.RedactingExceptionReporter"

# Consecutive failed library syncs after which a connector is marked unhealthy
# (content.sync.runner); a healthy sync or health check clears it.
SYNC_FAILURE_THRESHOLD = config.read_int("SYNC_FAILURE_THRESHOLD", 3, minimum=1, maximum=100)

# Search history kept this long by the daily maintenance (queueing.maintenance).
SEARCH_HISTORY_RETENTION_DAYS = config.read_int(
    "HISTORY_RETENTION_DAYS", 30, minimum=1, maximum=3650
)

# Analytics rows (analytics.rollup): hourly for this long, then daily rows until the second.
ANALYTICS_HOURLY_RETENTION_DAYS = config.read_int("ANALYTICS_HOURLY_DAYS", 30, minimum=2)
ANALYTICS_DAILY_RETENTION_DAYS = config.read_int("ANALYTICS_DAILY_DAYS", 730, minimum=30)

# Background work: django-q2 on the database broker.
Q_CLUSTER = {
    # The cluster's name in django-q2's tables and the admin.
    "name": "comradarr",
    # The broker is our PostgreSQL database: no Redis to run.
    "orm": "default",
    # Worker processes; each *arr call waits on the network, not the CPU (env WORKERS).
    # One fits the 256 MB minimum machine: tasks are short but for syncs and
    # sweeps, which take a lock per connector anyway (README: sizing).
    "workers": config.read_int("WORKERS", 1, minimum=1, maximum=32),
    # A worker is replaced (forked afresh, cheap) after this many tasks, or
    # after a task that left it above max_rss (in KB), so one big sync or
    # sweep does not pin its memory until the next restart.
    "recycle": config.read_int("WORKER_RECYCLE_TASKS", 200, minimum=1, maximum=100000),
    "max_rss": config.read_int("WORKER_MAX_RSS_MB", 128, minimum=64, maximum=65536) * 1024,
    # A task is killed after `timeout` seconds; `retry` must be larger or a
    # still-running task would be handed to a second worker. The longest job is
    # one connector's full sync (one task per connector; /episode is read series
    # by series, minutes for a few thousand series on a slow *arr), so 30 minutes.
    # Every *arr call has its own HTTP timeout, so no task hangs that long, and
    # comradarr.locks stops a re-delivered copy of a job that is still running.
    "timeout": 1800,
    "retry": 1980,
    # A task that keeps failing is not retried forever.
    "max_attempts": 3,
    # Polling jobs (dispatch, health) missed while stopped are pointless to replay.
    "catch_up": False,
    # Keep only recent successes; failures stay for the UI.
    "save_limit": 500,
    # A failed task is acknowledged (not re-queued by the broker); max_attempts governs retries.
    "ack_failures": True,
    # Seconds between broker polls: the per-minute jobs start within a second of their time.
    "poll": 1,
    # The admin section's title.
    "label": "Background tasks",
    # Cluster heartbeats (django_q Stat) go to a cache every process can read,
    # so /health in a web worker sees the cluster running in another process.
    "cache": "django_q",
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # `serve` runs createcachetable; the test runner creates it on its own.
    "django_q": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "comradarr_cache",
    },
}

# Web server (serve's gunicorn): one process with threads fits the minimum
# machine; each more process costs about 20 MB (they share the loaded app).
WEB_WORKERS = config.read_int("WEB_WORKERS", 1, minimum=1, maximum=64)
WEB_THREADS = config.read_int("WEB_THREADS", 4, minimum=1, maximum=64)

COMRADARR_VERSION = __import__("comradarr").__version__
# Where this build's source lives (the About page links it and its docs). Set by
# whoever publishes the build: a copy must not point its users at someone else's
# project, so there is no default.
COMRADARR_REPOSITORY_URL = config.read_http_url("COMRADARR_REPOSITORY_URL") or ""
# Where the daily update check (off by default; the General settings page) reads the latest
# release: GitHub's releases API answer, or any server answering in its shape. Without
# one the check says so instead of guessing a feed.
UPDATE_FEED_URL = config.read_http_url("UPDATE_FEED_URL") or ""

# Backups (backups/): scheduled ones kept (the newest N), and the largest file a restore reads.
BACKUP_KEEP = config.read_int("BACKUP_KEEP", 7, minimum=1, maximum=1000)
BACKUP_MAX_BYTES = config.read_int("BACKUP_MAX_MB", 2048, minimum=1, maximum=1024 * 1024) * 1024**2

# Posters and fanart proxied from the *arr apps (web.artwork): where they are cached on
# disk, and how much of it they may use before the least recently shown are evicted.
ARTWORK_CACHE_DIR = Path(config.read_str("ARTWORK_CACHE_DIR", str(DATA_DIR / "artwork"))).resolve()
ARTWORK_CACHE_MAX_BYTES = (
    config.read_int("ARTWORK_CACHE_MB", 200, minimum=1, maximum=1024 * 1024) * 1024**2
)

# The JSON API (api/): API keys only (no session: a browser's cookie must not
# drive the API, so it needs no CSRF), one error shape, a rate per key.
API_RATE_PER_MINUTE = config.read_int("API_RATE_PER_MINUTE", 120, minimum=1, maximum=100000)
# Reads without a key, only while sign-in is "disabled" and only when the user opts in.
API_ANONYMOUS_READ = config.read_bool("API_ANONYMOUS_READ", False)
# A bearer token for /metrics alone (Prometheus' `authorization: credentials:`), beside
# API keys; unset: /metrics takes API keys only. Long enough not to be guessed.
METRICS_TOKEN = config.read_secret("METRICS_TOKEN") or ""
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters long")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": f"{API_RATE_PER_MINUTE}/min"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Comradarr API",
    "DESCRIPTION": "Send a key as X-Api-Key or Authorization: Bearer (never in the URL).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The document needs a key like every other API route (read scope is enough).
    "SERVE_AUTHENTICATION": ["api.authentication.ApiKeyAuthentication"],
    "SERVE_PERMISSIONS": ["api.permissions.ScopePermission"],
    # Several models have a "kind" or "status": each choice set gets a stable name.
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "comradarr.runs.RunStatus",
        "SweepKindEnum": "queueing.models.SweepRun.Kind",
        "SyncKindEnum": "content.models.SyncRun.Kind",
        "ConnectorKindEnum": "connectors.models.Connector.Kind",
        "QueueStatusEnum": "queueing.models.RequestQueue.Status",
        "ItemKindEnum": "api.items.KINDS",
    },
}

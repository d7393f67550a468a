"""Environment parsing that fails loudly.

Each helper names the variable in its error, so a bad value stops start-up
with one line saying which variable and why. Secret variables also accept a
``NAME_FILE`` variant holding a path (Docker secrets).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ_: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ_ is None else environ_
    value = source.get(name)
    return None if value is None else value.strip()


def read_str(
    name: str, default: str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    value = _raw(name, env)
    return default if value in (None, "") else value


def read_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, env)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}")
    return number


def read_bool(name: str, default: bool, *, env: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, env)
    if value in (None, ""):
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def read_choice(
    name: str, default: str, choices: Sequence[str], *, env: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, env)
    if value in (None, ""):
        return default
    lowered = value.lower()
    if lowered not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return lowered


def read_list(name: str, *, env: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, env)
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def read_networks(name: str, *, env: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list of IP addresses or CIDR ranges, each checked."""
    entries = read_list(name, env=env)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} contains {entry!r}, which is not an IP address or CIDR range"
            ) from None
    return entries


def read_secret(
    name: str, default: str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    value = _raw(name, env)
    file_path = _raw(f"{name}_FILE", env)
    if value and file_path:
        raise ImproperlyConfigured(f"{name} and {name}_FILE are both set: keep one")
    if file_path:
        try:
            secret = Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_path!r} cannot be read: {exc.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} is not UTF-8 text") from None
        # An empty secret file is a mistake (a mount gone wrong), not "unset".
        if not secret:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} is empty")
        return secret
    return value or default


def http_url_problem(value: str) -> str:
    """Why ``value`` is not an absolute http(s) URL a link can start with ("" when it is)."""
    if any(ch.isspace() or ch in "\"'<>\\" or ord(ch) < 32 for ch in value):
        return "may not contain spaces, quotes, backslashes or angle brackets"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute URL starting with http:// or https://"
    if parts.username or parts.password:
        return "may not contain a user name or password"
    if parts.query or parts.fragment:
        return "may not contain a query (?) or fragment (#)"
    return ""


def read_http_url(name: str, *, env: Mapping[str, str] | None = None) -> str:
    """An absolute http(s) URL such as a public address, or "" when unset."""
    value = _raw(name, env) or ""
    problem = http_url_problem(value) if value else ""
    if problem:
        raise ImproperlyConfigured(f"{name}={value!r} {problem}")
    return value.rstrip("/")


def read_base_url(name: str = "BASE_URL", *, env: Mapping[str, str] | None = None) -> str:
    """A reverse-proxy sub-path, normalised to '/' or '/path/'."""
    value = _raw(name, env) or "/"
    if "://" in value or " " in value or "?" in value or "#" in value:
        raise ImproperlyConfigured(f"{name}={value!r} must be a path such as /comradarr/")
    return "/" + value.strip("/") + "/" if value.strip("/") else "/"


def read_database_url(
    name: str = "DATABASE_URL", *, env: Mapping[str, str] | None = None
) -> dict | None:
    """Parse a PostgreSQL URL into a Django DATABASES entry, or None when unset.

    A Unix socket directory may be given percent-encoded in the host part, as
    libpq accepts it: postgresql://user@%2Frun%2Fpostgresql:5432/comradarr.
    """
    value = _raw(name, env)
    if not value:
        return None
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in {"postgres", "postgresql", "pgsql", "postgis"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgresql:// URL (Comradarr runs on PostgreSQL only)"
        )
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # django-environ raises assorted errors on junk
        raise ImproperlyConfigured(f"{name} cannot be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database (postgresql://user@host/NAME)")
    config["ENGINE"] = "django.db.backends.postgresql"
    # django-environ leaves a percent-encoded socket directory encoded.
    if isinstance(config.get("HOST"), str):
        config["HOST"] = unquote(config["HOST"])
    password = read_secret("DATABASE_PASSWORD", env=env)
    if password:
        config["PASSWORD"] = password
    return config

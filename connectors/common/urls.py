"""Connector base URLs: the one normaliser, used by the form, the CLI, the admin and the
HTTP client alike, so a URL is either refused everywhere or means the same thing
everywhere.

Stored form: ``http(s)://host[:port][/url-base]``, scheme and host lower-case,
IP literals in their canonical spelling, no trailing dot on the host, no
repeated or trailing slash. Refused with a message a user can act on: another
scheme, user:password@ (the API key is the credential, and a URL is shown in
many places), a ?query or #fragment (nothing but the base belongs there, and
the key must never travel in a URL), and the hosts connectors.common.netguard
forbids.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from connectors.common import netguard
from connectors.common.errors import InvalidURLError

#: Longest URL a connector stores (the model's column follows it).
URL_MAX = 500
DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_PORT_MESSAGE = "The port in the URL is not a number between 1 and 65535."


def normalize_base_url(raw: str) -> str:
    """The URL as stored and used: raises InvalidURLError (a ValueError) saying what to fix."""
    url = raw.strip() if isinstance(raw, str) else ""
    if not url:
        raise InvalidURLError("Enter the URL of the app, e.g. http://sonarr:8989.")
    if len(url) > URL_MAX:
        raise InvalidURLError(f"The URL is too long (at most {URL_MAX} characters).")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidURLError("The URL cannot contain spaces or control characters.")
    scheme_match = _SCHEME.match(url)
    if not scheme_match:
        raise InvalidURLError(
            "Start the URL with http:// or https://, e.g. http://sonarr:8989 (no scheme given)."
        )
    scheme = scheme_match.group(1).lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURLError(f"{scheme}:// is not supported in the URL: use http:// or https://.")
    try:
        parts = urlsplit(url)
    except ValueError:  # brackets that hold no IPv6 address
        raise InvalidURLError("The host in brackets is not a valid IPv6 address.") from None
    try:
        port = parts.port
    except ValueError:
        raise InvalidURLError(_PORT_MESSAGE) from None
    if "@" in parts.netloc:
        raise InvalidURLError(
            "Remove the user name and password from the URL; the API key is the credential."
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise InvalidURLError("Remove the ?query or #fragment part: give the base URL only.")
    if port == 0:
        raise InvalidURLError(_PORT_MESSAGE)
    host = _canonical_host(parts.hostname or "")
    netguard.check_host(host)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    return urlunsplit((scheme, netloc, path, "", ""))


def _canonical_host(host: str) -> str:
    host = host.rstrip(".")
    if not host:
        raise InvalidURLError("The URL has no host name, e.g. http://sonarr:8989.")
    address = netguard.parse_ip(host)
    if address is not None:
        return str(address)
    if ":" in host:  # bracketed, but not an IPv6 address
        raise InvalidURLError(f"{host!r} is not a valid IPv6 address.")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in host.split(".")):
        raise InvalidURLError(f"{host!r} is not a valid host name or IP address.")
    return host


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a normalised URL, the default port filled in.

    What a stored API key is bound to: it is only ever sent to the origin it
    was typed for.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    address = netguard.parse_ip(host)
    if isinstance(address, ipaddress.IPv6Address | ipaddress.IPv4Address):
        host = str(address)
    return scheme, host.rstrip(".").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0)


def same_origin(first: str, second: str) -> bool:
    return origin(first) == origin(second)

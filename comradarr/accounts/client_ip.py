"""The address of the client behind the request, decided safely.

X-Forwarded-For is written by whoever sends the request, so it is believed
only when the direct peer (REMOTE_ADDR) is a configured trusted proxy, and
then only as far as the chain of trusted proxies goes: walking the header from
the right, the first address that is not a trusted proxy is the client. An
entry that does not parse ends the walk with an unknown client (""), which
never bypasses login; a trusted proxy always writes a valid address, so junk
there came from the untrusted side.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers are bounded by the server, but a chain longer than this is not a real proxy chain.
_MAX_HOPS = 32

# Addresses that count as "the local network" for the local_bypass auth mode.
LOCAL_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",  # RFC 1918
        "172.16.0.0/12",  # RFC 1918
        "192.168.0.0/16",  # RFC 1918
        "127.0.0.0/8",  # loopback
        "::1/128",  # loopback
        "fc00::/7",  # IPv6 unique local
        "fe80::/10",  # IPv6 link-local
    )
)


def parse_address(value: str | None) -> IPAddress | None:
    """An address from a header or REMOTE_ADDR, or None when it is not one.

    Accepts the forms proxies really send: a bare address, "[v6]:port" and
    "v4:port". IPv4-mapped IPv6 (::ffff:10.0.0.1) is unwrapped so it matches
    IPv4 networks.
    """
    if not value:
        return None
    text = value.strip()
    if len(text) > 64:
        return None
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES contains {entry!r}, which is not an IP address or CIDR"
            ) from None
    return tuple(networks)


def parse_trusted_proxies(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from TRUSTED_PROXIES; raises ImproperlyConfigured on a bad entry."""
    return _parse_networks(tuple(entries))


def _in(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def is_local(address: str) -> bool:
    """True for RFC 1918, loopback and IPv6 unique-local / link-local addresses."""
    parsed = parse_address(address)
    return parsed is not None and _in(parsed, LOCAL_NETWORKS)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """True when the direct peer is one of TRUSTED_PROXIES."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    trusted = parse_trusted_proxies(getattr(settings, "TRUSTED_PROXIES", ()))
    return peer is not None and bool(trusted) and _in(peer, trusted)


def forwarded_scheme(request: HttpRequest) -> str | None:
    """ "https" or "http" from a trusted proxy's X-Forwarded-Proto, else None.

    A proxy appends to the header; the last entry is the one it wrote itself.
    """
    if not from_trusted_proxy(request):
        return None
    header = request.META.get("HTTP_X_FORWARDED_PROTO", "")
    last = header.rsplit(",", 1)[-1].strip().lower()
    return last if last in ("http", "https") else None


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string, or "" when it cannot be known."""
    return _resolve(request)[0]


def bypass_ip(request: HttpRequest) -> str:
    """The client's address for the local bypass to judge, or "" (never bypasses).

    Stricter than client_ip: a request from a trusted proxy that forwarded no
    client (no X-Forwarded-For, or only proxies in it) is every client behind
    that proxy, so it counts as remote, not as the proxy's local address.
    """
    ip, forwarded_by_proxy_only = _resolve(request)
    return "" if forwarded_by_proxy_only else ip


def _resolve(request: HttpRequest) -> tuple[str, bool]:
    """(address, True when it is a trusted proxy's own address for want of a forwarded one)."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return "", False
    trusted = parse_trusted_proxies(getattr(settings, "TRUSTED_PROXIES", ()))
    if not trusted or not _in(peer, trusted):
        return str(peer), False

    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in header.split(",") if hop.strip()][-_MAX_HOPS:]
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            return "", False
        client = address
        if not _in(address, trusted):
            return str(client), False
    # Every hop was a trusted proxy (or there was no header): the request
    # started at the leftmost proxy itself, or the proxy hid the client.
    return str(client), True

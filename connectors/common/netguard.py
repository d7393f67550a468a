"""Where Comradarr may connect: the one owner of the address rule for *arr calls.

The *arr apps live on loopback, on a private network or behind a public name,
so all of those stay allowed. What is never a media server: link-local
addresses (169.254.0.0/16, fe80::/10) and the cloud metadata services, which
hand out credentials to whoever asks from inside a VM or container. A
connector URL naming one, in any spelling (decimal, hex, octal or short IPv4,
IPv4 inside IPv6, trailing dots), or a host name resolving to one, is refused.

The check runs twice for every request: on the host as written (before any
DNS, so a proxy cannot be used to reach it either), and on every address the
name resolves to, right before connecting to exactly those checked addresses
(so a name cannot resolve to a safe address for the check and to the metadata
service for the connection). ``GuardedAdapter`` does both; every session of
connectors.common.http mounts it, which covers "Test connection", health
checks, syncs and dispatches alike.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from typing import Any

from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import parse_url

from connectors.common.errors import ForbiddenAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata services by address. The link-local ones are refused anyway;
#: they are listed so the message can say what they are.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer
    )
)
#: Cloud metadata services by name (compared lower-case, without trailing dots).
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
    }
)
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (RFC 6052 NAT64).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling the C resolver accepts, or None.

    inet_aton reads 1 to 4 dot-separated parts, each decimal, octal (leading 0)
    or hex (0x); the last part fills the remaining bytes: 2130706433, 0x7f.1,
    017700000001 and 127.1 are all 127.0.0.1.
    """
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if part[:2].lower() == "0x":
                numbers.append(int(part[2:], 16) if part[2:] else 0)
            elif len(part) > 1 and part[0] == "0":
                numbers.append(int(part[1:], 8))
            elif part.isdigit() and part.isascii():
                numbers.append(int(part))
            else:
                return None
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for index, n in enumerate(head):
        value += n << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def parse_ip(host: str) -> IPAddress | None:
    """The address a host string denotes when it is an IP literal, in any spelling."""
    text = host.strip().strip("[]").rstrip(".")
    if not text:
        return None
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return parse_ipv4_loose(text)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64, Teredo)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    value = int(address)
    if any(address in net for net in _NAT64) or (value >> 32 == 0 and value > 0xFFFF):
        # NAT64 and the deprecated IPv4-compatible form ::a.b.c.d.
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def forbidden_reason(address: IPAddress) -> str | None:
    """Why Comradarr never connects to this address ("169.254.169.254 is ..."), or None."""
    candidates = [address.__class__(int(address))]  # without an IPv6 zone id
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    for candidate in candidates:
        if candidate in METADATA_ADDRESSES:
            return f"{candidate} is a cloud metadata service"
        if any(candidate in net for net in _LINK_LOCAL if net.version == candidate.version):
            return f"{candidate} is a link-local address, where cloud metadata services answer"
    return None


def _refusal(host: str, reason: str) -> ForbiddenAddressError:
    return ForbiddenAddressError(
        f"Comradarr does not connect to {host}: {reason}, not an *arr app. "
        "Use the app's host name, or its loopback or private network address."
    )


def _written_reason(name: str) -> str | None:
    if name in METADATA_HOSTS:
        return "that name belongs to a cloud metadata service"
    address = parse_ip(name)
    return forbidden_reason(address) if address is not None else None


def _clean_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def check_host(host: str) -> None:
    """Refuse a host, as written, that is a metadata name or a forbidden address literal.

    No DNS: this is what the URL check and every request can afford.
    """
    name = _clean_host(host)
    reason = _written_reason(name)
    if reason:
        raise _refusal(name, reason)


def destination_refusal(host: str, port: int) -> str | None:
    """Why nothing may be sent to ``host`` (as written or as resolved), or None.

    For senders that are not *arr clients (notification channels): the same
    rule, as a sentence to show. A name that does not resolve is not refused
    here; the send itself then fails with its own message.
    """
    name = _clean_host(host)
    reason = _written_reason(name)
    if reason:
        return f"{name}: {reason}"
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for *_, sockaddr in infos:
        reason = forbidden_reason(ipaddress.ip_address(sockaddr[0]))
        if reason:
            return f"{name} resolves to {reason}"
    return None


def resolve_checked(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each checked; refused if any is forbidden.

    Raises socket.gaierror when the name does not resolve.
    """
    check_host(host)
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for *_, sockaddr in infos:
        text = sockaddr[0]
        reason = forbidden_reason(ipaddress.ip_address(text))
        if reason:
            raise _refusal(host, f"the name resolves to {reason}")
        if text not in addresses:
            addresses.append(text)
    return addresses


class _GuardedConnectionMixin:
    """Connects only to addresses resolve_checked approved, trying each in turn."""

    def _new_conn(self) -> socket.socket:
        dns_host = self._dns_host  # type: ignore[attr-defined]
        try:
            addresses = resolve_checked(dns_host, self.port)  # type: ignore[attr-defined]
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[attr-defined]
        last: Exception | None = None
        try:
            for address in addresses:
                self._dns_host = address
                try:
                    return super()._new_conn()  # type: ignore[misc]
                except (NewConnectionError, ConnectTimeoutError) as exc:
                    last = exc
        finally:
            self._dns_host = dns_host
        assert last is not None  # getaddrinfo never answers an empty list
        raise last


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with the address rule applied to every request it sends."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }

    def send(self, request, *args: Any, proxies: Any = None, **kwargs: Any):
        host = parse_url(request.url).host or ""
        check_host(host)
        if proxies and select_proxy(request.url, proxies):
            # The proxy resolves the name, so it is checked here (no pinning possible).
            # The proxy may know names this host does not.
            with contextlib.suppress(socket.gaierror):
                resolve_checked(host, 80)
        return super().send(request, *args, proxies=proxies, **kwargs)

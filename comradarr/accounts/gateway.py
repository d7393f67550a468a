"""The gateway of the container's own network, which local network bypass must not trust.

Under Docker's userland proxy (the default for published ports), rootless
Docker, Docker Desktop and podman, every client from outside reaches the
container from the gateway of the container's network (172.17.0.1 on Docker's
default bridge): an address that looks local while standing for the whole
internet. So a request whose client address is that gateway is never let in by
the local bypass. The gateway is 172.17.0.1 always, plus, inside a container,
the default route's gateway read from /proc/net/route.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

# Docker's default bridge network gateway.
DOCKER_BRIDGE_GATEWAY = "172.17.0.1"
# Read when the module's functions run, so tests can point them elsewhere.
ROUTE_FILE = Path("/proc/net/route")
CGROUP_FILE = Path("/proc/1/cgroup")
CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))
_CGROUP_HINTS = ("docker", "kubepods", "containerd", "libpod", "lxc")

GATEWAY_WARNING = (
    "Requests from {ip} are not let in by local network bypass: it is the gateway of "
    "Comradarr's container network, and with Docker's userland proxy, rootless Docker, "
    "Docker Desktop or podman every outside client arrives from it. To use the bypass, "
    "put a reverse proxy in front that sends X-Forwarded-For and list it in "
    "TRUSTED_PROXIES, or publish the port with the real client address (host networking); "
    "otherwise keep full sign-in."
)


def in_container() -> bool:
    """True inside Docker, podman, Kubernetes or LXC (marker files or PID 1's cgroup)."""
    if any(marker.exists() for marker in CONTAINER_MARKERS):
        return True
    try:
        cgroup = CGROUP_FILE.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(hint in cgroup for hint in _CGROUP_HINTS)


def default_gateway(route_file: Path | None = None) -> str | None:
    """The IPv4 default route's gateway from /proc/net/route, or None."""
    try:
        lines = (route_file or ROUTE_FILE).read_text(encoding="ascii").splitlines()[1:]
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        fields = line.split()
        # Iface Destination Gateway Flags ...: destination 0 is the default route.
        if len(fields) < 3 or fields[1] != "00000000":
            continue
        try:
            # The kernel prints the address in host byte order (little-endian on x86 and ARM).
            address = ipaddress.IPv4Address(int(fields[2], 16).to_bytes(4, "little"))
        except ValueError:
            continue
        if not address.is_unspecified:
            return str(address)
    return None


@lru_cache(maxsize=1)
def container_gateways() -> frozenset[str]:
    """The addresses that stand for "outside" when Comradarr runs in a container."""
    gateways = {DOCKER_BRIDGE_GATEWAY}
    if in_container():
        found = default_gateway()
        if found:
            gateways.add(found)
    return frozenset(gateways)


def is_container_gateway(ip: str) -> bool:
    return bool(ip) and ip in container_gateways()


_warned: set[str] = set()


def warn_gateway_refused(ip: str) -> str:
    """Logs (once per address and process) why the bypass was refused; returns the text."""
    text = GATEWAY_WARNING.format(ip=ip)
    if ip not in _warned:
        _warned.add(ip)
        logger.warning(text, extra={"client_ip": ip})
    return text

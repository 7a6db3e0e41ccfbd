"""Which network addresses a fetch may connect to: the public internet, and what the user allows.

A configured site, or a redirect from it, can point at ``127.0.0.1``, a private network or the
cloud metadata service (``169.254.169.254``) and have its answer published as an article. So the
host is resolved once, every address it resolves to is checked, and the fetch connects to an
address that was checked (a second lookup could be rebound to another). Loopback, private
(RFC 1918, ULA), link-local, multicast, unspecified, reserved and shared (CGNAT) addresses, and
IPv6 addresses embedding one of those (IPv4-mapped, 6to4, NAT64), are refused unless
``CLAIMFLOW_FETCH_ALLOW`` names the host or a network holding the address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from claimflow.exceptions import RejectedInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list[tuple]]  # the shape of socket.getaddrinfo

CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address (e.g. ``"loopback"``), None when it is."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        inner = refusal(embedded)
        return f"{inner} (embedded in {ip})" if inner else None
    for kind, hit in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),  # 169.254.169.254, the cloud metadata service, is here
        ("multicast", ip.is_multicast),
        ("shared address space (CGNAT)", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("not globally routable", not ip.is_global),
    ):
        if hit:
            return kind
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Resolves a host and checks each of its addresses; ``allow`` lists host names and networks
    that may be reached although not public (how tests reach their 127.0.0.1 servers), as
    ``config.parse_allow`` reads them from ``CLAIMFLOW_FETCH_ALLOW``."""

    allow: tuple[str, ...] = ()
    resolver: Resolver = socket.getaddrinfo
    _networks: tuple[Network, ...] = field(init=False, repr=False, compare=False)
    _hosts: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        networks, hosts = [], set()
        for entry in self.allow:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        object.__setattr__(self, "_networks", tuple(networks))
        object.__setattr__(self, "_hosts", frozenset(hosts))

    def allowed(self, host: str, ip: IPAddress) -> bool:
        """Whether ``ip`` (an address of ``host``) may be connected to."""
        if host.lower().rstrip(".") in self._hosts or any(ip in network for network in self._networks):
            return True
        return refusal(ip) is None

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` to connect to, each checked.

        Raises:
            RejectedInput: ``address_refused`` when any address ``host`` resolves to is refused.
            OSError: when the host cannot be resolved (``socket.gaierror``).
        """
        infos = self.resolver(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(_ip(info) for info in infos))
        for ip in addresses:
            if not self.allowed(host, ip):
                raise RejectedInput(
                    "address_refused",
                    f"{host} resolves to {ip}, a {refusal(ip)} address; CLAIMFLOW_FETCH_ALLOW does not name it",
                )
        if not addresses:
            raise OSError(f"{host} resolves to no address")
        return [str(ip) for ip in addresses]


def _ip(info: tuple) -> IPAddress:
    """The address of one ``getaddrinfo`` answer, without an IPv6 zone (``fe80::1%eth0``)."""
    return ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])


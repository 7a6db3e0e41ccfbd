"""The address policy: what a fetch may connect to, after DNS resolution."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from claimflow.exceptions import RejectedInput
from claimflow.ingest.addresses import AddressPolicy, refusal


@pytest.mark.parametrize(
    "address, kind",
    [
        pytest.param("93.184.216.34", None, id="public ipv4"),
        pytest.param("2606:2800:220:1:248:1893:25c8:1946", None, id="public ipv6"),
        pytest.param("127.0.0.1", "loopback", id="loopback"),
        pytest.param("::1", "loopback", id="ipv6 loopback"),
        pytest.param("10.1.2.3", "private", id="rfc 1918 10/8"),
        pytest.param("172.16.0.1", "private", id="rfc 1918 172.16/12"),
        pytest.param("192.168.1.1", "private", id="rfc 1918 192.168/16"),
        pytest.param("fd00::1", "private", id="ipv6 unique local"),
        pytest.param("169.254.169.254", "link-local", id="cloud metadata"),
        pytest.param("fe80::1", "link-local", id="ipv6 link-local"),
        pytest.param("224.0.0.1", "multicast", id="multicast"),
        pytest.param("ff02::1", "multicast", id="ipv6 multicast"),
        pytest.param("0.0.0.0", "unspecified", id="unspecified"),
        pytest.param("::", "unspecified", id="ipv6 unspecified"),
        pytest.param("100.64.0.1", "shared address space (CGNAT)", id="cgnat"),
        pytest.param("240.0.0.1", "reserved", id="reserved"),
        pytest.param("192.0.2.1", "private", id="documentation"),
        pytest.param("::ffff:127.0.0.1", "loopback (embedded in ::ffff:7f00:1)", id="ipv4-mapped loopback"),
        pytest.param("::ffff:169.254.169.254", "link-local (embedded in ::ffff:a9fe:a9fe)", id="ipv4-mapped metadata"),
        pytest.param("64:ff9b::a9fe:a9fe", "link-local (embedded in 64:ff9b::a9fe:a9fe)", id="nat64 metadata"),
        pytest.param("2002:7f00:1::", "loopback (embedded in 2002:7f00:1::)", id="6to4 loopback"),
        pytest.param("::ffff:93.184.216.34", None, id="ipv4-mapped public"),
    ],
)
def test_refusal_names_what_an_address_is(address: str, kind: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == kind


def resolver(table: dict[str, list[str]]):
    """A stand-in for socket.getaddrinfo answering from ``table``."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in table[host]]

    return getaddrinfo


DNS = {
    "news.example": ["93.184.216.34"],
    "intranet.example": ["10.1.2.3"],
    "split.example": ["93.184.216.34", "127.0.0.1"],  # one bad address is enough to refuse
    "zoned.example": ["fe80::1%eth0"],
}


@pytest.mark.parametrize(
    "allow, host, expected",
    [
        pytest.param((), "news.example", ["93.184.216.34"], id="public host"),
        pytest.param((), "intranet.example", "10.1.2.3, a private address", id="host resolving to a private address"),
        pytest.param((), "split.example", "127.0.0.1, a loopback address", id="any refused address refuses the host"),
        pytest.param((), "zoned.example", "fe80::1, a link-local address", id="ipv6 zone ignored"),
        pytest.param(("10.0.0.0/8",), "intranet.example", ["10.1.2.3"], id="network allowed"),
        pytest.param(("Intranet.Example",), "intranet.example", ["10.1.2.3"], id="host allowed by name"),
        pytest.param(("127.0.0.1",), "split.example", ["93.184.216.34", "127.0.0.1"], id="address allowed"),
        pytest.param(("192.168.0.0/16",), "intranet.example", "10.1.2.3", id="another network does not help"),
    ],
)
def test_policy_checks_every_resolved_address(allow, host, expected) -> None:
    policy = AddressPolicy(allow, resolver(DNS))
    if isinstance(expected, list):
        assert policy.resolve(host, 80) == expected
    else:
        with pytest.raises(RejectedInput, match="address_refused") as refused:
            policy.resolve(host, 80)
        assert expected in refused.value.detail and "CLAIMFLOW_FETCH_ALLOW" in refused.value.detail


def test_an_unknown_host_is_a_network_error_not_a_refusal() -> None:
    with pytest.raises(OSError, match="not known"):
        AddressPolicy((), resolver(DNS)).resolve("nowhere.example", 80)


def test_localhost_is_refused_after_real_dns_resolution() -> None:
    with pytest.raises(RejectedInput, match="loopback"):
        AddressPolicy().resolve("localhost", 80)

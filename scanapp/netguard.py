"""The address guard: tell whether a host is, or resolves to, a non-public address.

Used before every outgoing request (input downloads, git clones, registry pulls, webhooks)
unless ``SCANAPP_ALLOW_PRIVATE_URLS`` is set.
"""

from __future__ import annotations

import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def host_addresses(host: str) -> list[Address]:
    """Return the addresses of ``host`` (a literal IP or a name); [] when it does not resolve."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def is_public_address(address: Address) -> bool:
    """Tell whether an address is globally routable unicast (not private, loopback...)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def private_address_of(host: str) -> str | None:
    """Return the first non-public address ``host`` is or resolves to, else None."""
    for address in host_addresses(host):
        if not is_public_address(address):
            return str(address)
    return None

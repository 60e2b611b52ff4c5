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


class AddressRefusedError(Exception):
    """A host does not resolve, or resolves to an address it may not reach."""


def checked_address(host: str, *, allow_private: bool = False) -> str:
    """Resolve ``host`` once and return the address to connect to.

    Every address the name resolves to is checked: a non-public one is refused unless
    ``allow_private``; a name that does not resolve is refused. Connecting to the returned
    address (not resolving the name again) is what stops DNS rebinding.
    """
    addresses = host_addresses(host)
    if not addresses:
        raise AddressRefusedError(f"host {host} does not resolve")
    if not allow_private:
        private = next((a for a in addresses if not is_public_address(a)), None)
        if private is not None:
            raise AddressRefusedError(f"host {host} resolves to the non-public address {private}")
    return str(addresses[0])

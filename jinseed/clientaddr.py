"""The client's address, behind the district's reverse proxies too.

Behind nginx every request arrives from the proxy's address, and the client's own address is
in ``X-Forwarded-For``, a header anyone can also send. The rule: start from the peer
(``REMOTE_ADDR``); only when the peer is one of ``settings.TRUSTED_PROXIES`` read
``X-Forwarded-For`` from the right, skipping addresses of trusted proxies, and take the first
address that is not one of them. Whatever a client wrote into the header itself sits to the
left of that address and is never read. With no trusted proxy configured the header is
ignored altogether.

Written on the standard library's ``ipaddress`` rather than django-ipware: ipware starts from
the forwarding headers and falls back to the peer, whereas the rule here starts from the peer
and reads the header only when that peer is trusted; its trust list is matched by address
prefix strings, while operators name their proxies as networks (``10.0.0.0/8``,
``fd00::/8``), which ``ipaddress`` compares exactly, IPv6 included.

Every place that reads a client's address (django-axes' lock-out, the per-address lock-out,
the verification-code limits, consent records) goes through ``client_address``.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    """``settings.TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str | None) -> Address | None:
    """An address as a proxy writes it: bare, or ``[v6]`` / ``v4:port`` for good measure."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen over an IPv6 socket (::ffff:203.0.113.9) is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: str | None) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in trusted_networks())


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (``None`` when the peer is unknown)."""
    peer = _parse(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = trusted_networks()
    if not any(peer in network for network in networks):
        return str(peer)
    client = peer
    hops = request.headers.get("x-forwarded-for", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A trusted proxy writes well-formed addresses only: past this point the header
            # holds what someone else wrote. The last trusted hop is all that is known.
            break
        client = address
        if not any(address in network for network in networks):
            break
    return str(client)

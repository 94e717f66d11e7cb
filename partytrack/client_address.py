"""The client's address, for login throttling (django-axes calls this: AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request comes from the proxy's address, so X-Forwarded-For has to be
read; but a client can send that header too, so only what the trusted proxies wrote into it counts.
Each proxy appends the address it received the request from, so with TRUSTED_PROXY_COUNT proxies the
client is the TRUSTED_PROXY_COUNT-th address from the right: anything to its left came from the client
and is ignored. The header is read only when the request arrives from one of TRUSTED_PROXY_IPS (the
proxy next to gunicorn); otherwise, and with TRUSTED_PROXY_COUNT = 0, the address is REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXY_IPS: {exc}") from exc


def _address(value: str | None) -> str | None:
    """The address in canonical form, or None if `value` is not an IP address."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _from_trusted_proxy(remote_addr: str | None) -> bool:
    address = _address(remote_addr)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXY_IPS)))


def client_ip(request) -> str | None:
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not _from_trusted_proxy(remote_addr):
        return remote_addr
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        # Fewer addresses than proxies: the request did not pass through all of them.
        return remote_addr
    # An entry a trusted proxy wrote is always an address; anything else means a misconfigured proxy.
    return _address(hops[-count]) or remote_addr

"""Who is asking: the one place that decides a request's client address.

By default no forwarded header is believed and the client is the peer, so a made-up
`X-Forwarded-For` changes nothing. An operator who runs the app behind proxies names them:
`TRUSTED_PROXY_COUNT` (how many proxies in front append to the header) and/or
`TRUSTED_PROXY_NETWORKS` (addresses of proxies, e.g. 10.0.0.0/8). The header is then read from
the right, skipping the proxies we trust; the first address no trusted proxy is, is the client.
Entries left of that are whatever the client sent and are never believed.

Used by the rate limits, the login lockout and the logs alike.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in spec)


def _parse(entry: str):
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:  # "[2001:db8::1]:443"
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:  # "192.0.2.1:1234"
        entry = entry.split(":", 1)[0]
    try:
        return ipaddress.ip_address(entry.split("%", 1)[0])
    except ValueError:
        return None


def forwarded_chain(request) -> list[str]:
    """The addresses the request passed, client side first, the peer last."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()] if forwarded else []
    return [*hops, request.META.get("REMOTE_ADDR", "")]


def client_address(request) -> str | None:
    """The client's address as far as the proxies we trust vouch for it (default: the peer).
    None when the peer is not an address (a request made in-process, a Unix socket): such
    requests share one count, and the lockout stores no address."""
    count = settings.TRUSTED_PROXY_COUNT
    networks = _networks(tuple(settings.TRUSTED_PROXY_NETWORKS))
    chain = forwarded_chain(request)
    peer = _parse(chain[-1])
    if peer is None:
        return None
    if not count and not networks:
        return str(peer)
    client = peer
    trusted_hops = 0
    for entry in reversed(chain[:-1]):
        is_proxy = trusted_hops < count or any(client in network for network in networks)
        if not is_proxy:
            break
        trusted_hops += 1
        parsed = _parse(entry)
        if parsed is None:  # garbage a trusted proxy passed on: stop at what it vouched for
            break
        client = parsed
    return str(client)

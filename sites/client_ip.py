"""The client's address, for the login lockout, rate limits, the audit log and the access log.

A forwarded header (``X-Forwarded-For``, ``X-Real-IP``) is whatever the sender wrote: a client
that reaches the application directly can name any address, lock out somebody else's address
or hide its own. The headers are therefore read only when the connection comes from a proxy
listed in ``CMS_TRUSTED_PROXIES`` (IP addresses or CIDR networks, comma-separated), and
``X-Forwarded-For`` is walked from the right, one hop per trusted proxy, so a value the client
put in front of the list is never taken.

Nothing but ``django.conf.settings`` (read lazily, at call time) is imported: the gunicorn access
logger uses this module too and passes its WSGI environ, which has the same keys as ``request.META``.
"""

import ipaddress
import os
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A proxy that talks to gunicorn over a unix socket has no address: gunicorn gives REMOTE_ADDR "".
UNIX_SOCKET = "unix"
# The access log calls this for every request, a cached page takes well under a millisecond, and
# ipaddress parses an address in microseconds: the setting is parsed once per value, and answers
# per address are remembered (a bounded number: direct clients are many).
_ADDRESS_CACHE = 4096
_last_setting = [object(), ()]  # (the setting's value as last read, its entries)


def _configured_proxies():
    if settings.configured:
        value = getattr(settings, "CMS_TRUSTED_PROXIES", ())
    else:  # a process that has not loaded Django settings (never the case in the app itself)
        value = os.environ.get("CMS_TRUSTED_PROXIES", "")
    if value is _last_setting[0]:
        return _last_setting[1]
    items = value.split(",") if isinstance(value, str) else value
    entries = tuple(item.strip() for item in items if item and item.strip())
    _last_setting[:] = [value, entries]
    return entries


@lru_cache(maxsize=16)
def parse_trusted_proxies(entries):
    """``(networks, unix_socket_trusted)`` for a tuple of entries; a bad entry is a configuration error.

    Cached per value, so a changed setting (a test's ``override_settings``) is read afresh.
    """
    networks = []
    unix = False
    for entry in entries:
        if entry.lower() == UNIX_SOCKET:
            unix = True
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"CMS_TRUSTED_PROXIES 中的“{entry}”不是 IP 地址或网段。") from error
    return tuple(networks), unix


def _address(value):
    """An address from a header or REMOTE_ADDR as a canonical string (IPv4-mapped IPv6 unwrapped), or None."""
    # No address is longer (an IPv6 with a zone is the longest); nor is a long header kept in the cache.
    return _parse_address(value) if len(value) <= 64 else None


@lru_cache(maxsize=_ADDRESS_CACHE)
def _parse_address(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


@lru_cache(maxsize=_ADDRESS_CACHE)
def _is_trusted(address, entries):
    """Whether ``address`` (a canonical string, "" for a unix socket) is one of the trusted proxies."""
    networks, unix = parse_trusted_proxies(entries)
    if address == "":
        return unix
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in networks)


def client_ip_from_meta(meta):
    """The client's address from a WSGI environ / ``request.META``, as a string, or None.

    REMOTE_ADDR is the answer unless it is a trusted proxy. From a trusted proxy, the right-most
    ``X-Forwarded-For`` entry is the address that proxy saw; it is taken, and the walk goes on
    leftwards only while the address reached is itself a trusted proxy. Without
    ``X-Forwarded-For``, a trusted proxy's ``X-Real-IP`` is taken.
    """
    remote = meta.get("REMOTE_ADDR") or ""
    entries = _configured_proxies()
    if not entries:  # the default: nothing is forwarded, and no address needs parsing
        return remote or None
    parse_trusted_proxies(entries)  # a bad entry fails here, whatever the request
    current = _address(remote) if remote else ""
    if current is None or not _is_trusted(current, entries):
        return current or remote or None
    forwarded = [hop for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if forwarded:
        for hop in reversed(forwarded):
            address = _address(hop)
            if address is None:  # a malformed hop: stop at the last proxy we could vouch for
                break
            current = address
            if not _is_trusted(current, entries):
                break
        return current or None
    real = meta.get("HTTP_X_REAL_IP")
    real = _address(real) if real else None
    return real or current or None


def client_ip(request):
    """The client's address for ``request`` (None without a request): see ``client_ip_from_meta``."""
    if request is None:
        return None
    return client_ip_from_meta(request.META)


def client_key(request):
    """The client for a counter (rate limits, caps): its address, an IPv6 address by its /64 (one
    subscriber is given billions of addresses), an IPv4-mapped one as IPv4; "unknown" without one."""
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)

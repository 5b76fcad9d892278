"""Searches per client (an IPv6 address by its /64) and minute, counted in the shared cache.

The counter lives under the public schema's key prefix, so one client is counted once however
many site hosts it spreads its requests over (every cache key otherwise carries the schema).
"""

from django.conf import settings

from sites import counters
from sites.client_ip import client_key

WINDOW_SECONDS = 60


def allow(request, limit=None):
    """(allowed, seconds until the window resets) for this request's client."""
    limit = settings.CMS_SEARCH_RATE_LIMIT if limit is None else limit
    if limit <= 0:
        return True, 0
    count, retry_after = counters.count(f"search:rate:{client_key(request)}", WINDOW_SECONDS)
    return count <= limit, retry_after

"""Searches per client IP and minute, counted in the shared cache.

The counter lives under the public schema's key prefix, so one client is counted once however
many site hosts it spreads its requests over (every cache key otherwise carries the schema).
"""

import time

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

from sites.client_ip import client_ip

WINDOW_SECONDS = 60


def allow(request, limit=None):
    """(allowed, seconds until the window resets) for this request's client."""
    limit = settings.CMS_SEARCH_RATE_LIMIT if limit is None else limit
    if limit <= 0:
        return True, 0
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"search:rate:{client_ip(request) or 'unknown'}:{window}"
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        if cache.add(key, 1, WINDOW_SECONDS + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, WINDOW_SECONDS + 5)
                count = 1
    return count <= limit, int(WINDOW_SECONDS - now % WINDOW_SECONDS) + 1

"""Counters per fixed time window, kept in the shared cache under the public schema's key prefix.

Every cache key otherwise carries the current schema (django_tenants.cache.make_key), so a client
spreading its requests over many site hosts would get a fresh counter on each; under the public
prefix it is counted once. Used by the search rate limit, the interaction forms' limits and the
audit log's cap on events written for anonymous requests.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context


def count(key, window):
    """Add one to ``key``'s counter for the current ``window`` seconds: (count, seconds until it ends)."""
    now = time.time()
    full_key = f"{key}:{int(now // window)}"
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        if cache.add(full_key, 1, window + 5):
            value = 1
        else:
            try:
                value = cache.incr(full_key)
            except ValueError:  # expired between add and incr
                cache.set(full_key, 1, window + 5)
                value = 1
    return value, int(window - now % window) + 1

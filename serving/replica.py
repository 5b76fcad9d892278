"""Public reads from a read replica (``DATABASE_REPLICA_URL``), everything else from the primary.

A request is a *public read* when it is a GET or HEAD from a reader who is not signed in (no
session cookie), outside the admin and the other paths that write or show personal data. Only
then, and only while the replica connection shows the same schema as the primary (django-tenants
sets the search path per site on the primary connection; ``ReplicaMiddleware`` sets the same site
on the replica), does the router send reads to ``replica``. Writes, migrations, every signed-in
request (editors read what they just wrote: read-after-write), commands, workers and reads inside
a transaction on the primary all use ``default``.

See docs/operations.md (当一台机器不够时) for the settings and the replication mode to use.
"""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.db import connection, connections

REPLICA = "replica"
_public_read = contextvars.ContextVar("cms_public_read", default=False)

# Paths that write, sign in, or show a citizen's data are never public reads.
PRIMARY_PREFIXES = ("/admin", "/django-admin", "/accounts", "/login", "/logout", "/api/", "/interaction")


def replica_configured():
    return REPLICA in settings.DATABASES


def is_public_read(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return not request.path.startswith(PRIMARY_PREFIXES)


class ReplicaMiddleware:
    """Marks a public read and puts the replica connection on the request's site (after SiteMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured() or not is_public_read(request):
            return self.get_response(request)
        tenant = getattr(connection, "tenant", None)
        if tenant is not None:
            connections[REPLICA].set_tenant(tenant)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class public_read:  # noqa: N801 - used like a function: ``with public_read():``
    """Mark the code inside as a public read (tests, the page-cache front)."""

    def __enter__(self):
        self.token = _public_read.set(True)

    def __exit__(self, *exc):
        _public_read.reset(self.token)


def _same_schema():
    replica = connections[REPLICA]
    return getattr(replica, "schema_name", None) == getattr(connection, "schema_name", None)


class PublicReadReplicaRouter:
    """Listed before django-tenants' router: answers for reads, leaves migrations to it."""

    def db_for_read(self, model, **hints):
        if not _public_read.get() or not replica_configured():
            return None
        if connection.in_atomic_block:  # inside a transaction on the primary: read what it wrote
            return None
        return REPLICA if _same_schema() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None

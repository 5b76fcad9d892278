"""The connection that built a site is let go afterwards (its PostgreSQL backend caches every relation
it created, and each later replay got slower with them), but never inside a caller's transaction."""

import pytest
from django.db import connection, transaction

from sites import provisioning
from sites.models import Tenant
from sites.provisioning import SiteSpec, create_site


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_connection_is_kept(cluster):
    before = _backend_pid()
    create_site(SiteSpec(code="keptconn", name="连接保留", parent="portal", domain="keptconn.localhost"))
    # The test's own transaction is still open: the site is there, on the same backend.
    assert _backend_pid() == before
    assert Tenant.objects.filter(code="keptconn").exists()
    assert connection.schema_name == "public"


def test_outside_a_transaction_the_backend_is_let_go(django_db_blocker):
    with django_db_blocker.unblock():
        before = _backend_pid()
        assert not connection.in_atomic_block
        provisioning._leave_the_new_schemas_backend()
        assert connection.connection is None
        after = _backend_pid()  # Django opens a new connection at the next query
        assert after != before
        with transaction.atomic():
            pid = _backend_pid()
            provisioning._leave_the_new_schemas_backend()
            assert connection.connection is not None and _backend_pid() == pid
        connection.close()

"""The read-replica router: anonymous public GETs read from ``replica`` on the same site, everything
else (writes, the admin, signed-in readers, other schemas, transactions) from the primary.

The replica alias is a second connection to the test database (what a streaming replica looks
like to Django); the session cluster's rows are committed, so the replica reads them."""

import pytest
from django.db import connection, connections, router
from django.test import RequestFactory

from serving import replica
from sites.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica_alias(settings):
    config = {**connection.settings_dict, "TEST": {"MIRROR": "default"}}
    settings.DATABASES = {**settings.DATABASES, replica.REPLICA: config}
    connections.settings[replica.REPLICA] = config
    wrapper = connections[replica.REPLICA]
    # Made for this test, not a configured alias: the test framework lets it connect.
    del connections.settings[replica.REPLICA]
    yield wrapper
    wrapper.close()
    del connections[replica.REPLICA]


def test_without_a_replica_every_read_is_the_primarys(cluster):
    with replica.public_read():
        assert router.db_for_read(Tenant) == "default"


def test_public_reads_go_to_the_replica_on_the_same_schema(cluster, replica_alias):
    connection.set_tenant(cluster.sites["jtj"])
    from wagtail.models import Page

    # Not marked as a public read (a command, a worker, a test): the primary.
    assert router.db_for_read(Page) == "default"
    with replica.public_read():
        # The replica connection is on another schema (public): the primary, never a wrong search path.
        assert router.db_for_read(Page) == "default"
        replica_alias.set_tenant(cluster.sites["jtj"])
        # In the test's transaction the primary is in an atomic block: read-after-write keeps it there.
        assert connection.in_atomic_block
        assert router.db_for_read(Page) == "default"


def test_outside_a_transaction_the_replica_answers_with_the_sites_rows(cluster, replica_alias, monkeypatch):
    from wagtail.models import Page

    connection.set_tenant(cluster.sites["jtj"])
    replica_alias.set_tenant(cluster.sites["jtj"])
    # The test's own transaction stands in for none: what matters is the router's other decisions.
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with replica.public_read():
        assert router.db_for_read(Page) == replica.REPLICA
        assert router.db_for_write(Page) == "default"
        titles = set(Page.objects.filter(depth=2).values_list("title", flat=True))
    # The replica connection read jtj's schema (its search path), not another site's.
    assert titles and titles == set(Page.objects.using("default").filter(depth=2).values_list("title", flat=True))
    assert replica_alias.schema_name == "jtj"
    replica_alias.set_tenant(cluster.sites["jyj"])
    with replica.public_read():
        assert router.db_for_read(Page) == "default"  # the primary is on jtj, the replica on jyj


def test_migrations_never_run_on_the_replica():
    r = replica.PublicReadReplicaRouter()
    assert r.allow_migrate(replica.REPLICA, "cms") is False
    assert r.allow_migrate("default", "cms") is None  # django-tenants' router decides


@pytest.mark.parametrize(
    ("method", "path", "cookie", "public"),
    [
        ("GET", "/zwdt/gzdt/", False, True),
        ("HEAD", "/", False, True),
        ("POST", "/zwdt/gzdt/", False, False),
        ("GET", "/zwdt/gzdt/", True, False),  # signed in: reads what it just wrote, on the primary
        ("GET", "/admin/pages/", False, False),
        ("GET", "/interaction/letters/", False, False),
    ],
)
def test_what_counts_as_a_public_read(settings, method, path, cookie, public):
    request = RequestFactory().generic(method, path)
    if cookie:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    assert replica.is_public_read(request) is public


def test_the_middleware_puts_the_replica_on_the_requests_site(cluster, replica_alias):
    seen = {}

    def view(request):
        seen["schema"] = replica_alias.schema_name
        seen["public"] = replica._public_read.get()
        return None

    connection.set_tenant(cluster.sites["jyj"])
    replica.ReplicaMiddleware(view)(RequestFactory().get("/zwdt/"))
    assert seen == {"schema": "jyj", "public": True}
    assert replica._public_read.get() is False
    seen.clear()
    request = RequestFactory().post("/zwdt/")
    replica.ReplicaMiddleware(view)(request)
    assert seen["public"] is False

"""A site closed by another process (``manage.py close_site``, another gunicorn worker, another
server) stops being served here within ``CMS_SITE_MAP_RECHECK`` seconds, without a shared cache.

"Another process" is a change of the site's row that this process hears nothing about: an
``update()`` sends no signal, as a commit elsewhere reaches no signal handler here, and the test
settings' cache is per process, as production's is without REDIS_URL.
"""

import time

import pytest
from django.core.cache import cache

from serving import pagecache
from sites import middleware
from sites.models import Domain, SiteStatus, Tenant
from tests.front import Front

pytestmark = pytest.mark.django_db


class Clock:
    """The middleware's clock, moved by the test (the interval is real seconds otherwise)."""

    def __init__(self):
        self.now = time.monotonic()

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(middleware, "time", clock)
    # Due at once, and after the test no check time from this clock (ahead of the real one) is left.
    monkeypatch.setitem(middleware._domain_map, "checked", float("-inf"))
    cache.clear()
    pagecache.local.clear()
    yield clock
    cache.clear()


def elsewhere(code, **fields):
    Tenant.objects.filter(code=code).update(**fields)


def test_a_site_closed_in_another_process_is_refused_after_the_interval(cluster, client, clock, settings):
    settings.CMS_SITE_MAP_RECHECK = 2
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 200
    elsewhere("jtj", status=SiteStatus.SUSPENDED)
    clock.now += 0.5
    # Within the interval this process still holds its map (the bound the setting documents) ...
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 200
    clock.now += 2
    # ... and then it has compared the map with the database: the closed-site notice.
    response = client.get("/", HTTP_HOST="jtj.localhost")
    assert response.status_code == 503 and response["Retry-After"]
    assert client.get("/", HTTP_HOST="jyj.localhost").status_code == 200  # other sites go on
    elsewhere("jtj", status=SiteStatus.ARCHIVED)
    clock.now += 3
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 410
    elsewhere("jtj", status=SiteStatus.ACTIVE)
    clock.now += 3
    assert client.get("/", HTTP_HOST="jtj.localhost").status_code == 200


def test_a_domain_removed_in_another_process_stops_answering(cluster, client, clock):
    site = cluster.sites["jyj"]
    extra = Domain.objects.create(domain="old-jyj.localhost", tenant=site, is_primary=False)
    assert client.get("/", HTTP_HOST="old-jyj.localhost").status_code == 200
    Domain.objects.filter(pk=extra.pk).delete()  # a queryset delete: no signal, as from elsewhere
    clock.now += 3
    response = client.get("/", HTTP_HOST="old-jyj.localhost")
    assert response.status_code == 404 and site.name not in response.content.decode()


def test_the_page_cache_front_does_not_serve_a_site_closed_elsewhere(cluster, clock, settings):
    """Hits answered before Django never revalidate the map: once it is due, the front passes the
    request to Django, which does."""
    front = Front()
    settings.CMS_SITE_MAP_RECHECK = 2
    front.get("jtj.localhost")
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    assert middleware.known_schema("jtj.localhost") == "jtj"
    elsewhere("jtj", status=SiteStatus.SUSPENDED)
    clock.now += 3
    assert middleware.known_schema("jtj.localhost") is None
    status, headers, _ = front.get("jtj.localhost")
    assert status == 503 and "X-Cache" not in headers


def test_one_database_read_per_interval(cluster, client, clock, monkeypatch, settings):
    settings.CMS_SITE_MAP_RECHECK = 2
    client.get("/", HTTP_HOST="jtj.localhost")
    reads = []
    original = middleware.sites_fingerprint
    monkeypatch.setattr(middleware, "sites_fingerprint", lambda: reads.append(1) or original())
    for _ in range(5):
        client.get("/", HTTP_HOST="jtj.localhost")
    assert reads == []
    clock.now += 2
    for _ in range(5):
        client.get("/", HTTP_HOST="jtj.localhost")
    assert reads == [1]

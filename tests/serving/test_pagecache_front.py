"""The page-cache front in cms.wsgi and the per-process copies used with a shared cache."""

import pytest
from django.core.cache import cache
from django.db import connection

from serving import pagecache
from sites.models import Domain, SiteStatus, Tenant
from tests.cms import content
from tests.front import Front

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    pagecache.local.clear()
    yield
    cache.clear()
    pagecache.local.clear()


@pytest.fixture
def front(settings):
    # The host map is rechecked through Django every CMS_SITE_MAP_RECHECK seconds (2 by default):
    # on a loaded machine the first page can take longer than that to render, and the next request
    # would then be the recheck, not a front hit. Purges in this process still drop the map at once.
    settings.CMS_SITE_MAP_RECHECK = 3600
    return Front()


def test_a_hit_is_answered_without_entering_django(front, cluster):
    status, headers, body = front.get("jtj.localhost")
    assert status == 200 and headers["X-Cache"] == "MISS" and front.django_requests == 1
    status, headers, hit = front.get("jtj.localhost")
    assert status == 200 and headers["X-Cache"] == "HIT"
    assert front.django_requests == 1  # Django's handler never ran
    assert hit == body and cluster.sites["jtj"].name in hit
    # The whole response is kept: headers set by Django's middleware come with the hit.
    assert headers["X-Frame-Options"] and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"].startswith("text/html")


def test_the_front_never_answers_one_site_with_another_sites_page(front, cluster):
    front.get("jtj.localhost")
    front.get("jtj.localhost")
    status, headers, body = front.get("jyj.localhost")
    assert headers["X-Cache"] == "MISS"
    assert cluster.sites["jyj"].name in body and cluster.sites["jtj"].name not in body
    # The same path on a host no site has: Django answers (404), never a cached page.
    status, headers, body = front.get("nosuchsite.localhost")
    assert status in (400, 404) and "X-Cache" not in headers and cluster.sites["jtj"].name not in body


def test_signed_in_readers_pass_the_front(front, client, cluster, settings):
    front.get("jtj.localhost")
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    client.force_login(cluster.user("jtj", "editor"))
    name = settings.SESSION_COOKIE_NAME
    before = front.django_requests
    status, headers, _ = front.get("jtj.localhost", HTTP_COOKIE=f"{name}={client.cookies[name].value}")
    assert "X-Cache" not in headers and front.django_requests == before + 1
    # Other cookies (a reader's preferences, analytics) do not stop a hit.
    assert front.get("jtj.localhost", HTTP_COOKIE="elder=1")[1]["X-Cache"] == "HIT"


def test_closing_a_site_purges_its_pages_at_once(front, cluster):
    front.get("jtj.localhost")
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    site = Tenant.objects.get(code="jtj")  # a copy: the session cluster's object is shared by every test
    site.status = SiteStatus.SUSPENDED
    site.save()
    status, headers, body = front.get("jtj.localhost")
    assert status == 503 and "X-Cache" not in headers


def test_removing_a_domain_purges_the_pages_served_under_it(front, cluster):
    site = cluster.sites["jyj"]
    extra = Domain.objects.create(domain="www-jyj.localhost", tenant=site, is_primary=False)
    front.get("www-jyj.localhost")
    assert front.get("www-jyj.localhost")[1]["X-Cache"] == "HIT"
    extra.delete()
    status, headers, body = front.get("www-jyj.localhost")
    assert status == 404 and "X-Cache" not in headers and site.name not in body


def test_publishing_purges_what_the_front_serves(front, cluster):
    front.get("jtj.localhost", "/zwdt/gzdt/")
    assert front.get("jtj.localhost", "/zwdt/gzdt/")[1]["X-Cache"] == "HIT"
    connection.set_tenant(cluster.sites["jtj"])
    content.article(title="前端缓存应当失效的新文章")
    connection.set_schema_to_public()
    status, headers, body = front.get("jtj.localhost", "/zwdt/gzdt/")
    assert headers["X-Cache"] == "MISS" and "前端缓存应当失效的新文章" in body


def test_local_copies_reread_the_generation_after_the_recheck_interval(front, cluster, settings):
    settings.CMS_PAGE_CACHE_LOCAL_BYTES = 1_000_000
    settings.CMS_PAGE_CACHE_RECHECK = 60
    front.get("jtj.localhost")
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    assert any(schema == "jtj" for schema, _ in pagecache.local.entries)
    # Another process publishes: the shared cache changes, this process's copies do not.
    pagecache.bump_shared("jtj")
    # This process keeps its copy until it rereads the generation (bounded staleness) ...
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    settings.CMS_PAGE_CACHE_RECHECK = 0
    # ... and then the copy is of an older generation: a miss.
    assert front.get("jtj.localhost")[1]["X-Cache"] == "MISS"
    # A purge in this process takes effect at once, whatever the interval.
    settings.CMS_PAGE_CACHE_RECHECK = 60
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT"
    pagecache.purge_schema("jtj")
    assert front.get("jtj.localhost")[1]["X-Cache"] == "MISS"


def test_a_copy_missing_locally_is_taken_from_the_shared_cache(front, cluster, settings):
    settings.CMS_PAGE_CACHE_LOCAL_BYTES = 1_000_000
    front.get("jtj.localhost")
    pagecache.local.clear()  # as in another process: nothing local, the entry in the shared cache
    before = front.django_requests
    assert front.get("jtj.localhost")[1]["X-Cache"] == "HIT" and front.django_requests == before
    assert any(schema == "jtj" for schema, _ in pagecache.local.entries)


def test_local_copies_stay_within_their_byte_limit(settings):
    settings.CMS_PAGE_CACHE_LOCAL_BYTES = 40_000
    copies = pagecache.LocalCopies()
    for number in range(20):
        copies.put("jtj", f"key{number}", (1, 200, [], b"x" * 3000))
    assert copies.size <= 40_000 and len(copies.entries) < 20
    assert ("jtj", "key19") in copies.entries and ("jtj", "key0") not in copies.entries
    copies.put("jtj", "huge", (1, 200, [], b"x" * 10_000))  # more than an eighth: not kept
    assert ("jtj", "huge") not in copies.entries
    # The same key under another schema is another entry.
    copies.put("jyj", "key19", (1, 200, [], b"y"))
    assert copies.get("jtj", "key19")[3] != copies.get("jyj", "key19")[3]


def test_one_cache_read_per_recheck_whatever_the_number_of_sites(front, cluster, settings):
    settings.CMS_PAGE_CACHE_LOCAL_BYTES = 1_000_000
    settings.CMS_PAGE_CACHE_RECHECK = 0
    hosts = ["jtj.localhost", "jyj.localhost", "portal.localhost"]
    for host in hosts * 2:
        front.get(host)
    reads = []
    original = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return original(key, *args, **kwargs)

    cache.get = counting_get
    try:
        for host in hosts:
            assert front.get(host)[1]["X-Cache"] == "HIT"
    finally:
        del cache.get
    # The purge counter once per request (the interval is 0 here), no generation read per site.
    assert reads == [pagecache.PURGES_KEY] * len(hosts)

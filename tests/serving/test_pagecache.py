"""Anonymous page views are cached per site and purged by every change a reader would see."""

import pytest
from django.core.cache import cache
from django.db import connection

from tests.cms import content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def get(client, host, path="/"):
    return client.get(path, HTTP_HOST=host)


def test_second_anonymous_view_is_a_hit_and_sites_never_share_entries(client, cluster):
    assert get(client, "jtj.localhost")["X-Cache"] == "MISS"
    hit = get(client, "jtj.localhost")
    assert hit["X-Cache"] == "HIT" and cluster.sites["jtj"].name in hit.content.decode()
    assert hit["X-Frame-Options"]  # headers of the outer middleware are still applied
    other = get(client, "jyj.localhost")
    assert other["X-Cache"] == "MISS"
    assert cluster.sites["jyj"].name in other.content.decode()
    assert cluster.sites["jtj"].name not in other.content.decode()


def test_publishing_purges_the_site_and_its_portal(client, cluster):
    get(client, "jtj.localhost", "/zwdt/gzdt/")
    get(client, "portal.localhost")
    assert get(client, "jtj.localhost", "/zwdt/gzdt/")["X-Cache"] == "HIT"
    connection.set_tenant(cluster.sites["jtj"])
    content.article(title="缓存应当立即失效的新文章")
    connection.set_schema_to_public()
    fresh = get(client, "jtj.localhost", "/zwdt/gzdt/")
    assert fresh["X-Cache"] == "MISS"
    assert "缓存应当立即失效的新文章" in fresh.content.decode()
    assert get(client, "portal.localhost")["X-Cache"] == "MISS"
    # An unrelated department keeps its cache.
    get(client, "jyj.localhost")
    assert get(client, "jyj.localhost")["X-Cache"] == "HIT"


def test_unpublishing_removes_the_page_from_the_cache_at_once(client, cluster):
    connection.set_tenant(cluster.sites["jtj"])
    article = content.article(title="即将撤下的文章")
    url = article.url
    connection.set_schema_to_public()
    assert get(client, "jtj.localhost", url).status_code == 200
    assert get(client, "jtj.localhost", url)["X-Cache"] == "HIT"
    connection.set_tenant(cluster.sites["jtj"])
    article.unpublish()
    connection.set_schema_to_public()
    assert get(client, "jtj.localhost", url).status_code == 404


def test_signed_in_users_and_admin_pages_are_never_cached(client, cluster):
    client.force_login(cluster.user("jtj", "editor"))
    assert "X-Cache" not in get(client, "jtj.localhost")
    assert "X-Cache" not in get(client, "jtj.localhost", "/admin/")


def test_a_site_record_change_purges_the_site_its_parent_and_its_children(client, cluster):
    portal, jtj = cluster.sites["portal"], cluster.sites["jtj"]
    assert jtj.parent_id == portal.pk
    for host in ("portal.localhost", "jtj.localhost", "jyj.localhost"):
        get(client, host)
        assert get(client, host)["X-Cache"] == "HIT"
    connection.set_schema_to_public()
    jtj.refresh_from_db()
    old_name = jtj.name
    jtj.name = "江城市交通运输局（更名）"
    try:
        jtj.save()
        portal_home = get(client, "portal.localhost")
        assert portal_home["X-Cache"] == "MISS" and "江城市交通运输局（更名）" in portal_home.content.decode()
        assert get(client, "jtj.localhost")["X-Cache"] == "MISS"
        assert get(client, "jyj.localhost")["X-Cache"] == "HIT"  # a sibling does not show it
        connection.set_schema_to_public()
        portal.refresh_from_db()
        portal.save()  # the portal's children show its name in their footers
        assert get(client, "jyj.localhost")["X-Cache"] == "MISS"
    finally:
        connection.set_schema_to_public()
        jtj.name = old_name
        jtj.save()


def test_a_host_change_purges_every_site(client, cluster):
    from sites.models import Domain

    for host in ("portal.localhost", "jyj.localhost"):
        get(client, host)
        assert get(client, host)["X-Cache"] == "HIT"
    connection.set_schema_to_public()
    domain = Domain.objects.create(domain="new-jtj.localhost", tenant=cluster.sites["jtj"], is_primary=False)
    try:
        # Every public page carries the cluster's host list (the leaving-the-site notice).
        assert get(client, "jyj.localhost")["X-Cache"] == "MISS"
        assert "new-jtj.localhost" in get(client, "portal.localhost").content.decode()
    finally:
        connection.set_schema_to_public()
        domain.delete()

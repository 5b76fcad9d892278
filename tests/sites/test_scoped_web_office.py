"""A city's web office (系统管理员 bound to its city portal) sees and manages its own subtree only;
the province's (bound to the whole cluster) sees every site. Attacked with direct URLs naming
another city's sites."""

import pytest
from django.test import Client

from sites.models import SiteKind, Tenant
from sites.scope import grant_portal_web_office, managed_sites, manages_any, scoped_parent_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(cluster):
    """In this test's transaction: portal is the province, jtj and jyj two city portals below it."""
    Tenant.objects.filter(code__in=["jtj", "jyj"]).update(kind=SiteKind.PORTAL, parent=cluster.sites["portal"])
    for code in ("jtj", "jyj"):
        cluster.sites[code].refresh_from_db()
    city_office = UserFactory(username="jtj_weboffice")
    grant_portal_web_office(city_office, cluster.sites["jtj"])
    return city_office


def as_user(user, host):
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_managed_sites_is_the_subtree_for_a_city_and_everything_for_the_province(cluster, province):
    assert set(managed_sites(province).values_list("code", flat=True)) == {"jtj"}
    assert set(managed_sites(cluster.user(None, "web_office")).values_list("code", flat=True)) >= {
        "portal",
        "jtj",
        "jyj",
    }
    # Nobody else manages anything.
    assert not managed_sites(cluster.user("jtj", "site_admin")).exists()
    assert not manages_any(cluster.user("jtj", "site_admin"))
    # A county below the city comes into its web office's scope.
    Tenant.objects.filter(code="jyj").update(kind=SiteKind.COUNTY, parent=cluster.sites["jtj"])
    assert set(managed_sites(province).values_list("code", flat=True)) == {"jtj", "jyj"}


def test_the_console_lists_and_opens_the_subtree_only(cluster, province):
    client = as_user(province, "jtj.localhost")
    listing = client.get("/admin/cluster/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "/admin/cluster/jtj/" in html
    assert "/admin/cluster/jyj/" not in html and "/admin/cluster/portal/" not in html
    assert client.get("/admin/cluster/jtj/").status_code == 200
    # Another city's site and the province itself, by direct URL: not found, and no action runs.
    for code in ("jyj", "portal"):
        assert client.get(f"/admin/cluster/{code}/").status_code == 404
        assert client.post(f"/admin/cluster/{code}/status/", {"action": "suspend", "reason": "x"}).status_code == 404
        assert client.post(f"/admin/cluster/{code}/domains/", {"domain": "evil.localhost"}).status_code == 404
    assert Tenant.objects.get(code="jyj").status == "active"
    # Creating sites and restoring backups stay the cluster web office's.
    assert client.get("/admin/cluster/new/").status_code == 403
    # The province sees every site.
    office = as_user(cluster.user(None, "web_office"), "portal.localhost")
    html = office.get("/admin/cluster/").content.decode()
    assert all(f"/admin/cluster/{code}/" in html for code in ("portal", "jtj", "jyj"))


def test_a_city_may_not_move_its_portal_or_a_site_out_of_its_subtree(cluster, province):
    jtj = Tenant.objects.get(code="jtj")
    assert scoped_parent_error(province, jtj, "jyj")
    assert scoped_parent_error(province, jtj, None)
    assert scoped_parent_error(province, jtj, "portal") is None  # unchanged
    assert scoped_parent_error(cluster.user(None, "web_office"), jtj, "jyj") is None


def test_the_supervision_dashboard_rolls_up_the_subtree_only(cluster, province):
    client = as_user(province, "jtj.localhost")
    answer = client.get("/admin/supervision/cluster/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "/admin/supervision/site/jtj/" in html
    assert "/admin/supervision/site/jyj/" not in html and "/admin/supervision/site/portal/" not in html
    assert client.get("/admin/supervision/site/jyj/").status_code == 404
    # ?under= another city's portal does not widen the scope.
    html = client.get("/admin/supervision/cluster/?under=jyj").content.decode()
    assert "/admin/supervision/site/jyj/" not in html
    # The province narrows its dashboard to one city's subtree.
    office = as_user(cluster.user(None, "web_office"), "portal.localhost")
    html = office.get("/admin/supervision/cluster/?under=jyj").content.decode()
    assert "/admin/supervision/site/jyj/" in html and "/admin/supervision/site/jtj/" not in html
    html = office.get("/admin/supervision/cluster/").content.decode()
    assert "/admin/supervision/site/jtj/" in html and "/admin/supervision/site/jyj/" in html

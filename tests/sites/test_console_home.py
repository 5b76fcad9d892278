"""The web office's cluster home: every site with status, host, last update, items this month and
pending reviews, each linking to its admin, in a constant number of queries; and /admin/ on the
directory host leads to a working admin."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from sites.console import cluster as console_cluster
from tests.factories import make_site

pytestmark = pytest.mark.django_db


def client_for(cluster, host_code, user=None):
    client = Client(HTTP_HOST=cluster.host(host_code))
    if user is not None:
        client.force_login(user)
    return client


def row_of(rows, code):
    return next(row for row in rows if row.tenant.code == code)


def test_the_dashboard_of_the_web_office_lists_every_site(cluster, content):
    from wagtail.models import Page

    with schema_context("jtj"):
        draft = Page.objects.get(pk=content["jtj"].draft_id).specific
        draft.get_workflow().start(draft, cluster.user("jtj", "editor"))
    connection.set_schema_to_public()

    rows = console_cluster.site_rows()
    assert [row.tenant.code for row in rows] == ["portal", "jtj", "jyj"]
    jtj, portal = row_of(rows, "jtj"), row_of(rows, "portal")
    assert (jtj.host, jtj.admin_url) == ("jtj.localhost", "http://jtj.localhost/admin/")
    assert jtj.items_this_month == 1 and jtj.last_update is not None
    assert jtj.pending_reviews == 1
    assert (portal.items_this_month, portal.pending_reviews, portal.last_update) == (0, 0, None)

    home = client_for(cluster, "portal", cluster.user(None, "web_office")).get("/admin/")
    body = home.content.decode()
    assert home.status_code == 200
    assert 'id="cluster-sites-panel"' in body
    assert 'href="http://jtj.localhost/admin/"' in body and 'href="http://jyj.localhost/admin/"' in body
    assert "测试市交通运输局" in body and "运行中" in body
    assert jtj.last_update.astimezone().strftime("%Y-") in body  # dates as YYYY-MM-DD HH:MM


@pytest.mark.parametrize(("host", "who"), [("jtj", ("jtj", "site_admin")), ("jtj", ("jtj", "editor"))])
def test_nobody_else_sees_the_cluster_panel(cluster, host, who):
    body = client_for(cluster, host, cluster.user(*who)).get("/admin/").content.decode()
    assert 'id="cluster-sites-panel"' not in body
    assert "测试市教育局" not in body


def statements(captured):
    """Queries, leaving out django-tenants' ``SET search_path`` (made when the schema changed before)."""
    return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])


def test_the_cluster_home_costs_the_same_queries_for_more_sites(cluster):
    with CaptureQueriesContext(connection) as three:
        rows = console_cluster.site_rows()
    assert len(rows) == 3
    make_site("chome1", "查询数测试一", parent="portal")
    make_site("chome2", "查询数测试二", parent="portal")
    with CaptureQueriesContext(connection) as five:
        rows = console_cluster.site_rows()
    assert len(rows) == 5
    assert statements(five) == statements(three) <= 6


def test_admin_links_carry_the_served_port(cluster, settings):
    settings.CMS_PUBLIC_PORT = "8100"
    assert row_of(console_cluster.site_rows(), "jyj").admin_url == "http://jyj.localhost:8100/admin/"


def test_links_keep_the_port_and_scheme_the_admin_is_reached_on(cluster):
    office = Client(HTTP_HOST="portal.localhost:8100")
    office.force_login(cluster.user(None, "web_office"))
    body = office.get("/admin/").content.decode()
    assert 'href="http://jtj.localhost:8100/admin/"' in body and 'href="http://jtj.localhost:8100/"' in body
    answer = Client(HTTP_HOST=f"{settings.CMS_CLUSTER_HOST}:8100").get("/admin/", secure=True)
    assert answer["Location"] == "https://portal.localhost:8100/admin/"


def test_admin_on_the_directory_host_leads_to_the_portals_admin(cluster):
    answer = Client(HTTP_HOST=settings.CMS_CLUSTER_HOST).get("/admin/")
    assert answer.status_code == 302 and answer["Location"] == "http://portal.localhost/admin/"
    # … which works: the anonymous are sent on to sign in, the web office sees its dashboard.
    portal_admin = client_for(cluster, "portal")
    assert portal_admin.get("/admin/").status_code == 302
    portal_admin.force_login(cluster.user(None, "web_office"))
    assert portal_admin.get("/admin/").status_code == 200


def test_a_sites_own_admin_link_works_on_its_public_host(cluster):
    # The links of the cluster home: each site's public host serves its admin (no admin-only host).
    for code in ("portal", "jtj", "jyj"):
        client = client_for(cluster, code, cluster.user(code, "site_admin"))
        assert client.get("/admin/").status_code == 200

"""站群概况 on the admin home and the 站点管理 menu entry for a city's web office: the sites of its
subtree (with the catalogue's figures), never another city's or the province's, and no 开通站点
link (provisioning stays the province's). The province's web office still sees every site."""

import pytest

from tests.scoped import as_user, body, city_tree

pytestmark = pytest.mark.django_db


def panel(html):
    start = html.index('id="cluster-sites-panel"')
    return html[start : html.index("</section>", start)]


def test_the_home_panel_lists_the_subtree(cluster):
    office = city_tree(cluster)
    home = body(as_user(office, "jtj").get("/admin/"))
    assert "/admin/cluster/" in home  # 站点管理 in the menu
    sites = panel(home)
    assert "/admin/cluster/jtj/" in sites
    assert "/admin/cluster/jyj/" not in sites and "/admin/cluster/portal/" not in sites
    assert "共 1 个站点" in sites
    assert "/admin/cluster/new/" not in sites
    # Positive control: the province's web office on the same host.
    everything = panel(body(as_user(cluster.user(None, "web_office"), "jtj").get("/admin/")))
    assert all(f"/admin/cluster/{code}/" in everything for code in ("portal", "jtj", "jyj"))
    assert "/admin/cluster/new/" in everything


def test_a_county_comes_in_and_site_staff_see_no_panel(cluster):
    office = city_tree(cluster, county=True)
    sites = panel(body(as_user(office, "jtj").get("/admin/")))
    assert "/admin/cluster/jtj/" in sites and "/admin/cluster/jyj/" in sites
    assert "/admin/cluster/portal/" not in sites
    for role in ("site_admin", "editor"):
        html = body(as_user(cluster.user("jtj", role), "jtj").get("/admin/"))
        assert 'id="cluster-sites-panel"' not in html, role
        assert '"/admin/cluster/"' not in html, role

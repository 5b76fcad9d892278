"""Portal columns list other sites' items from the catalogue, linking to the originals, copying nothing."""

import pytest
from django.db import connection

from cms.models import ArticlePage, ColumnPage
from sites.models import Tenant
from tests.cms import content
from themes.models import Theme
from themes.services import assign_theme

from .conftest import get

pytestmark = pytest.mark.django_db


def test_standard_portal_tree_aggregates_departments_and_counties(in_site):
    in_site("portal")
    assert content.column("bmdt").aggregate_from == "departments"
    assert content.column("bmdt").aggregate_column_class == "news"
    assert content.column("xqdt").aggregate_from == "counties"
    assert content.column("yw").accepts_submissions
    in_site("jtj")
    assert not ColumnPage.objects.exclude(aggregate_from="").exists()


@pytest.mark.parametrize("theme_slug", ["blue", "red"])
def test_departments_news_on_the_portal_in_both_themes(cluster, client, in_site, publish_in, theme_slug):
    assign_theme(Theme.objects.get(slug=theme_slug), cluster.sites["portal"])
    publish_in("jtj", "交通运输局召开汇聚测试会议")
    publish_in("jyj", "教育局部署汇聚测试工作")
    # A notice is not news: 部门动态 takes only the news columns' items.
    publish_in("jyj", "教育局汇聚测试通知", column="tzgg")
    in_site("portal")
    own = content.article(content.column("bmdt"), title="门户自己的部门动态")
    connection.set_schema_to_public()

    html = get(client, "portal", "/zwdt/bmdt/").content.decode()
    assert f"theme-{theme_slug}" in html
    for title in ("交通运输局召开汇聚测试会议", "教育局部署汇聚测试工作", "门户自己的部门动态"):
        assert title in html
    assert "教育局汇聚测试通知" not in html
    # Newest first across sites, each remote item with its site's name and its original URL.
    assert (
        html.index("门户自己的部门动态")
        < html.index("教育局部署汇聚测试工作")
        < html.index("交通运输局召开汇聚测试会议")
    )
    assert "来源：测试市交通运输局" in html and "来源：测试市教育局" in html
    assert 'href="http://jtj.localhost/zwdt/gzdt/' in html
    assert own.pk and "来源：测试市人民政府" not in html
    # Nothing was copied into the portal's schema.
    in_site("portal")
    assert not ArticlePage.objects.filter(title="交通运输局召开汇聚测试会议").exists()


def test_counties_column_takes_county_sites_only(client, publish_in):
    publish_in("jtj", "部门动态不进县区动态")
    publish_in("jyj", "县区动态汇聚测试")
    Tenant.objects.filter(code="jyj").update(kind="district")
    html = get(client, "portal", "/zwdt/xqdt/").content.decode()
    assert "县区动态汇聚测试" in html and "来源：测试市教育局" in html
    assert "部门动态不进县区动态" not in html


def test_unpublishing_the_original_removes_it_from_the_portal_at_once(client, in_site, publish_in):
    page_id = publish_in("jtj", "即将撤下的部门动态")
    assert "即将撤下的部门动态" in get(client, "portal", "/zwdt/bmdt/").content.decode()
    in_site("jtj")
    ArticlePage.objects.get(pk=page_id).unpublish()
    connection.set_schema_to_public()
    assert "即将撤下的部门动态" not in get(client, "portal", "/zwdt/bmdt/").content.decode()


def test_suspended_site_drops_out(client, publish_in):
    publish_in("jtj", "暂停站点的动态")
    Tenant.objects.filter(code="jtj").update(status="suspended")
    assert "暂停站点的动态" not in get(client, "portal", "/zwdt/bmdt/").content.decode()


def test_merged_listing_paginates(client, in_site, publish_in):
    in_site("portal")
    bmdt = content.column("bmdt")
    for number in range(12):
        content.article(bmdt, title=f"门户分页测试{number:02d}")
    in_site("jtj")
    for number in range(12):
        content.article(content.column("gzdt"), title=f"部门分页测试{number:02d}")
    connection.set_schema_to_public()
    first = get(client, "portal", "/zwdt/bmdt/").content.decode()
    second = get(client, "portal", "/zwdt/bmdt/?page=2").content.decode()
    titles = [f"门户分页测试{n:02d}" for n in range(12)] + [f"部门分页测试{n:02d}" for n in range(12)]
    on_first = [title for title in titles if title in first]
    on_second = [title for title in titles if title in second]
    assert len(on_first) == 20 and len(on_second) == 4
    assert not set(on_first) & set(on_second)
    # The newest 20 of the 24 are on page 1: the jtj items were published last.
    assert all(f"部门分页测试{n:02d}" in on_first for n in range(12))


def test_department_site_does_not_aggregate(client, publish_in):
    publish_in("jyj", "教育局不应出现在交通局")
    assert "教育局不应出现在交通局" not in get(client, "jtj", "/zwdt/gzdt/").content.decode()


def test_parent_column_and_home_panel_include_what_subcolumns_aggregate(client, in_site, publish_in):
    """政务动态 lists its subcolumns' items, so it also lists what 部门动态 aggregates; so does a home panel."""
    publish_in("jyj", "出现在门户政务动态的部门信息")
    html = get(client, "portal", "/zwdt/").content.decode()
    assert "出现在门户政务动态的部门信息" in html and "来源：测试市教育局" in html

    in_site("portal")
    home = content.home()
    home.body = [("column_latest", {"title": "", "column": content.column("zwdt"), "count": 6, "show_summary": True})]
    home.save_revision().publish()
    connection.set_schema_to_public()
    html = get(client, "portal", "/").content.decode()
    assert "出现在门户政务动态的部门信息" in html and 'href="http://jyj.localhost/zwdt/gzdt/' in html

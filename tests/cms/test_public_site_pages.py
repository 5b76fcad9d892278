"""What every site has besides its columns: sitemap.xml, robots.txt, 网站地图, 网站声明, 联系我们,
the footer that links them, the portal's 网站群导航, the cluster directory and the themed 404."""

import importlib

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from cms.middleware import VisitorErrorPagesMiddleware
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from tests.cms import content

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()
    yield
    cache.clear()


def get(client, host, path, **extra):
    return client.get(path, HTTP_HOST=host, **extra)


def restricted_column(in_site, code):
    """A column of ``code`` behind a login, with a live article inside: (column title, article title)."""
    in_site(code)
    column = content.column("tzgg")
    PageViewRestriction.objects.create(page=column, restriction_type=PageViewRestriction.LOGIN)
    content.article(column, title="登录后才能看的通知")
    connection.set_schema_to_public()
    return column.title, "登录后才能看的通知"


# --- sitemap.xml and robots.txt ----------------------------------------------------------------


def test_sitemap_lists_public_pages_only(client, in_site):
    in_site("jtj")
    gzdt = content.column("gzdt")
    live_url = content.article(gzdt, title="网站地图里的公开信息").url
    draft = content.ArticlePage(
        title="网站地图里不该有的草稿", summary="", body="<p>草稿</p>", source="办公室", live=False
    )
    gzdt.add_child(instance=draft)
    draft.save_revision()
    draft_slug = draft.slug
    connection.set_schema_to_public()
    restricted_column(in_site, "jtj")

    response = get(client, "jtj.localhost:8100", "/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    locations = [node.text for node in ET.fromstring(response.content).findall("s:url/s:loc", SITEMAP_NS)]
    assert "http://jtj.localhost:8100/" in locations
    assert f"http://jtj.localhost:8100{live_url}" in locations
    assert "http://jtj.localhost:8100/zwdt/gzdt/" in locations
    assert all(location.startswith("http://jtj.localhost:8100/") for location in locations)
    # Unpublished and restricted pages, and everything below a restricted column, stay out.
    assert not any(f"/{draft_slug}/" in location for location in locations)
    assert not any("/tzgg/" in location for location in locations)
    assert len(locations) == len(set(locations))
    # Another site's sitemap has none of jtj's pages.
    other = get(client, "jyj.localhost", "/sitemap.xml").content.decode()
    assert "jtj.localhost" not in other and "http://jyj.localhost/" in other


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, cluster):
    response = get(client, "jyj.localhost:8100", "/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    for path in ("/admin/", "/sso/", "/api/", "/search/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://jyj.localhost:8100/sitemap.xml" in text
    assert "Disallow: /\n" not in text


def test_robots_closes_an_admin_only_host(client, cluster):
    from sites.models import Domain

    Domain.objects.create(
        domain="jyj-admin.localhost", tenant=cluster.sites["jyj"], is_admin_host=True, is_primary=False
    )
    invalidate_domain_map()
    text = get(client, "jyj-admin.localhost", "/robots.txt").content.decode()
    assert "Disallow: /\n" in text and "Sitemap:" not in text


# --- The footer and its pages ------------------------------------------------------------------------


def footer(html):
    return html[html.index('<footer class="site-footer">') : html.index("</footer>")]


@pytest.mark.parametrize("code", ["portal", "jtj"])
def test_every_footer_links_the_site_pages_and_the_national_error_report(client, cluster, code):
    html = footer(get(client, f"{code}.localhost", "/").content.decode())
    for href, text in (("/wzdt/", "网站地图"), ("/wzsm/", "网站声明"), ("/lxwm/", "联系我们")):
        assert f'<a href="{href}">{text}</a>' in html
        assert get(client, f"{code}.localhost", href).status_code == 200
    assert '<a href="https://zfwzzc.www.gov.cn/"' in html and "我为政府网站找错" in html


def test_portal_footer_links_its_department_and_county_sites(client, cluster):
    Tenant.objects.filter(code="jyj").update(kind="county")
    invalidate_domain_map()
    html = footer(get(client, "portal.localhost:8100", "/").content.decode())
    assert 'aria-label="网站群导航"' in html
    departments = html[html.index("<summary>部门网站</summary>") :]
    counties = html[html.index("<summary>县区网站</summary>") :]
    assert '<a href="http://jtj.localhost:8100/">测试市交通运输局</a>' in departments.split("</details>")[0]
    assert '<a href="http://jyj.localhost:8100/">测试市教育局</a>' in counties.split("</details>")[0]
    # A department site links back to its portal instead.
    html = footer(get(client, "jtj.localhost", "/").content.decode())
    assert "<summary>上级网站</summary>" in html and '<a href="http://portal.localhost/">测试市人民政府</a>' in html


def test_suspended_sites_leave_the_portal_footer(client, cluster):
    Tenant.objects.filter(code="jyj").update(status="suspended")
    invalidate_domain_map()
    html = footer(get(client, "portal.localhost", "/").content.decode())
    assert "测试市交通运输局" in html and "测试市教育局" not in html


def test_site_map_page_shows_the_public_column_tree(client, in_site):
    hidden_column, hidden_item = restricted_column(in_site, "jtj")
    html = get(client, "jtj.localhost", "/wzdt/").content.decode()
    assert "<h1" in html and "网站地图" in html
    in_site("jtj")
    zwdt, gzdt = content.column("zwdt"), content.column("gzdt")
    connection.set_schema_to_public()
    assert f'<a href="/zwdt/">{zwdt.title}</a>' in html
    assert f'<a href="/zwdt/gzdt/">{gzdt.title}</a>' in html
    # Nested: 工作动态 inside 政务动态's list.
    assert html.index(zwdt.title) < html.index(gzdt.title)
    assert "/tzgg/" not in html and hidden_item not in html
    assert hidden_column


def test_contact_page_comes_from_the_site_record(client, cluster):
    html = get(client, "portal.localhost", "/lxwm/").content.decode()
    for text in ("测试市人民政府办公室", "测试市大数据中心", "0771-1234567", "测试市人民路 1 号", "1234000001"):
        assert text in html
    assert "联系我们" in html


def test_statement_names_the_sponsor_and_the_privacy_rules(client, cluster):
    html = get(client, "portal.localhost", "/wzsm/").content.decode()
    assert "版权声明" in html and "隐私声明" in html and "测试市人民政府办公室" in html


# --- 网站群导航 on the cluster's own host ---------------------------------------------------------------


def test_directory_groups_running_sites_by_kind(client, cluster):
    Tenant.objects.filter(code="jyj").update(kind="district")
    invalidate_domain_map()
    response = get(client, "cluster.localhost:8100", "/")
    html = response.content.decode()
    assert response.status_code == 200 and "网站群导航" in html and "site.css" in html
    html = html[html.index("<main") :]
    portal = html.index('id="group-portal"')
    departments = html.index('id="group-department"')
    counties = html.index('id="group-county"')
    assert portal < html.index("测试市人民政府") < departments < html.index("测试市交通运输局") < counties
    assert counties < html.index("测试市教育局")
    assert '<a class="tile" href="http://jtj.localhost:8100/">' in html and "<span>jtj.localhost</span>" in html
    # Neither the template nor the public schema is a site.
    assert "site_template" not in html and 'href="http://cluster.localhost' not in html


@pytest.mark.parametrize("status", ["suspended", "archived"])
def test_directory_lists_only_running_sites(client, cluster, status):
    Tenant.objects.filter(code="jtj").update(status=status)
    invalidate_domain_map()
    html = get(client, "cluster.localhost", "/").content.decode()
    assert "测试市交通运输局" not in html and "测试市教育局" in html


# --- The 404 and 500 pages ---------------------------------------------------------------------------


def test_unknown_path_on_a_site_gets_the_themed_chinese_404(client, cluster):
    response = get(client, "jtj.localhost", "/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in html and "theme-" in html and 'class="site-nav"' in html
    assert "测试市交通运输局" in html and 'href="/wzdt/"' in html


def dev_settings(settings):
    """The error-page settings of ``cms.settings.dev`` (what ``make run`` uses), on this test run."""
    dev = importlib.import_module("cms.settings.dev")
    settings.DEBUG = dev.DEBUG
    settings.CMS_THEMED_ERRORS = dev.CMS_THEMED_ERRORS
    settings.MIDDLEWARE = dev.MIDDLEWARE
    assert settings.DEBUG is True


def test_a_visitor_under_the_dev_settings_gets_the_themed_404(client, cluster, settings):
    dev_settings(settings)
    response = get(client, "jtj.localhost", "/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in html and "theme-" in html
    assert "Page not found" not in html and "DEBUG = True" not in html
    # An unknown host too: the plain Chinese page, not Django's.
    html = get(client, "nowhere.localhost", "/").content.decode()
    assert "页面不存在" in html and "Page not found" not in html


def test_the_developer_keeps_django_debug_pages(client, cluster, settings):
    dev_settings(settings)
    client.force_login(cluster.user("jtj", "editor"))
    html = get(client, "jtj.localhost", "/no-such-page/").content.decode()
    assert "DEBUG = True" in html
    client.logout()
    settings.CMS_THEMED_ERRORS = False
    assert "DEBUG = True" in get(client, "jtj.localhost", "/no-such-page/").content.decode()


def test_a_visitor_under_the_dev_settings_gets_the_chinese_500(cluster, settings, caplog):
    dev_settings(settings)
    request = RequestFactory().get("/zwdt/", HTTP_HOST="jtj.localhost")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request.urlconf = None
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        response = VisitorErrorPagesMiddleware(lambda r: None).process_exception(request, error)
    html = response.content.decode()
    assert response.status_code == 500 and "服务器错误（500）" in html and "boom" not in html
    # The developer still finds the traceback in the log.
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


def test_a_closed_site_links_to_its_portal_on_the_readers_port(client, cluster):
    Tenant.objects.filter(code="jtj").update(status="suspended")
    invalidate_domain_map()
    response = get(client, "jtj.localhost:8100", "/")
    assert response.status_code == 503
    assert '<a href="http://portal.localhost:8100/">前往测试市人民政府</a>' in response.content.decode()

"""Every page type renders in every theme, accessibly, with the compliance footer, and no site
ever renders with another site's theme."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from themes.models import Theme
from themes.services import assign_theme

from ..cms.content import every_page_type
from .html_checks import assert_accessible

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    "home",
    "column",
    "article",
    "disclosure",
    "catalog",
    "annual_reports",
    "information",
    "leader",
    "service",
    "topic",
]
FOOTER_ITEMS = [
    "党政机关网站标识",
    "网站标识码：1234000001",
    "测ICP备12345678号",
    "测公网安备 12345678901234号",
    'href="https://beian.example.gov.cn/"',
    "主办单位：测试市人民政府办公室",
    "承办单位：测试市大数据中心",
    "联系电话：0771-1234567",
    "地址：测试市人民路 1 号",
]


@pytest.fixture
def portal_pages(in_site, cluster):
    in_site("portal")
    urls = {name: page.url for name, page in every_page_type().items()}
    connection.set_schema_to_public()
    return urls


@pytest.mark.parametrize("theme_slug", ["blue", "red"])
def test_every_page_type_in_every_theme(cluster, client, portal_pages, theme_slug):
    assign_theme(Theme.objects.get(slug=theme_slug), cluster.sites["portal"])
    for name in PAGE_TYPES:
        response = client.get(portal_pages[name], HTTP_HOST="portal.localhost")
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'class="theme-{theme_slug}' in html, name
        assert f"/static/themes/{theme_slug}/theme.css" in html, name
        assert_accessible(html)
        for item in FOOTER_ITEMS:
            assert item in html, (name, item)
        if name != "home":
            assert 'aria-label="当前位置"' in html, name


def test_page_specific_content(client, portal_pages):
    def get(name):
        return client.get(portal_pages[name], HTTP_HOST="portal.localhost").content.decode()

    assert "<dt>索引号：</dt>" in get("disclosure") and "有效" in get("disclosure")
    assert "附件：实施细则.pdf" in get("disclosure")
    assert "2025年政府信息公开工作年度报告" in get("annual_reports")
    assert "按主题分类" in get("catalog") and "按年份" in get("catalog") and "按体裁" in get("catalog")
    leader = get("leader")
    assert "党组书记、局长" in leader and "<picture>" in leader and 'alt="李建国"' in leader
    service = get("service")
    assert (
        "办事指南" in service and "<li>营业执照</li>" in service and "https://zwfw.example.gov.cn/item/123" in service
    )
    assert "优化营商环境专题" in get("topic")
    assert 'type="application/rss+xml"' in get("column")


def test_home_layout_follows_the_kind_of_site(cluster, client):
    portal = client.get("/", HTTP_HOST="portal.localhost").content.decode()
    department = client.get("/", HTTP_HOST="jtj.localhost").content.decode()
    assert "home-portal" in portal and "home-portal" not in department
    for html in (portal, department):
        assert_accessible(html)


def test_home_blocks_render(in_site, cluster, client):
    from ..cms.content import article, column, home

    in_site("jtj")
    article(column("gzdt"), title="首页动态测试")
    article(column("tzgg"), title="首页公告测试")
    page = home()
    page.body = [
        ("column_latest", {"title": "", "column": column("zwdt"), "count": 5, "show_summary": True}),
        ("notices", {"title": "通知公告", "column": column("tzgg"), "count": 5, "show_summary": False}),
        (
            "quick_links",
            {"title": "快速链接", "links": [{"title": "中国政府网", "page": None, "url": "https://www.gov.cn/"}]},
        ),
        ("disclosure", {"title": "政府信息公开", "column": column("xxgk"), "count": 3}),
        (
            "services",
            {
                "title": "办事服务",
                "entries": [{"title": "许可办理", "page": column("bsfw"), "url": "", "description": "网上办"}],
            },
        ),
    ]
    page.save_revision().publish()
    connection.set_schema_to_public()
    html = client.get("/", HTTP_HOST="jtj.localhost").content.decode()
    assert_accessible(html)
    assert "首页动态测试" in html and "首页公告测试" in html
    assert "<h2>政务动态" in html  # column title used when the block has none
    assert 'href="https://www.gov.cn/"' in html and "政府信息公开指南" in html and "许可办理" in html


def test_no_site_renders_with_another_sites_theme(cluster, client):
    assign_theme(Theme.objects.get(slug="red"), cluster.sites["jtj"])
    # The main colour #b3121b comes in the red theme's tokens stylesheet (themes/tokens.py).
    with schema_context("jtj"):
        red_tokens = Theme.objects.get(slug="red").tokens_stylesheet_url()
    red_file = red_tokens.rsplit("/", 1)[1]  # named after the colours: the same name on every site
    for _ in range(3):  # interleaved, so a template cached for one site is asked for by the other
        jtj = client.get("/", HTTP_HOST="jtj.localhost").content.decode()
        jyj = client.get("/", HTTP_HOST="jyj.localhost").content.decode()
        assert "theme-red" in jtj and "themes/red/theme.css" in jtj and "theme-blue" not in jtj
        assert "theme-blue" in jyj and "themes/blue/theme.css" in jyj and "theme-red" not in jyj
        assert red_tokens in jtj and red_file not in jyj


def test_preview_is_for_the_web_office_only_and_never_cached(cluster, client):
    anonymous = client.get("/?theme=red", HTTP_HOST="jyj.localhost")
    assert "theme-blue" in anonymous.content.decode()
    client.force_login(cluster.user("jyj", "site_admin"))
    assert "theme-blue" in client.get("/?theme=red", HTTP_HOST="jyj.localhost").content.decode()
    client.force_login(cluster.user(None, "web_office"))
    preview = client.get("/?theme=red", HTTP_HOST="jyj.localhost")
    assert "theme-red" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]
    assert "theme-blue" in client.get("/", HTTP_HOST="jyj.localhost").content.decode()


def test_admin_screen_for_the_web_office(cluster, client):
    client.force_login(cluster.user("jtj", "site_admin"))
    assert client.get("/admin/site-themes/", HTTP_HOST="jtj.localhost").status_code in (302, 403)
    client.force_login(cluster.user(None, "web_office"))
    screen = client.get("/admin/site-themes/", HTTP_HOST="jtj.localhost")
    assert screen.status_code == 200
    html = screen.content.decode()
    assert "中国红" in html and "/?theme=red" in html and "测试市教育局" in html
    response = client.post(
        "/admin/site-themes/",
        {"action": "assign_site", "theme": Theme.objects.get(slug="red").pk, "site": "jyj"},
        HTTP_HOST="jtj.localhost",
    )
    assert response.status_code == 302
    assert "theme-red" in client.get("/", HTTP_HOST="jyj.localhost").content.decode()
    response = client.post(
        "/admin/site-themes/",
        {"action": "assign_kind", "theme": Theme.objects.get(slug="red").pk, "kind": "department"},
        HTTP_HOST="jtj.localhost",
    )
    assert "theme-red" in client.get("/", HTTP_HOST="jtj.localhost").content.decode()

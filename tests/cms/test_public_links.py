"""Links between the cluster's sites: never "external", always on the port and scheme readers use."""

import re

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.db import connection

from sites import hosts
from sites.models import Domain
from tests.cms import content

pytestmark = pytest.mark.django_db

# The Nu HTML Checker's "valid global date and time string": minutes or seconds (at most three
# fraction digits), then Z or an offset.
VALID_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()
    yield
    cache.clear()


def get(client, host, path):
    return client.get(path, HTTP_HOST=host)


# --- What is external -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    [
        "http://jtj.localhost/zwdt/",
        "https://JYJ.localhost:8100/a/?b=1",
        "//portal.localhost/",
        "http://jtj.localhost./",
        "http://cluster.localhost/",
    ],
)
def test_links_to_any_host_of_the_cluster_stay_inside(cluster, href):
    assert not hosts.leaves_cluster(href)


@pytest.mark.parametrize(
    "href",
    [
        "//evil.example/",
        "http://jtj.localhost.evil.com/",
        "http://evil.comjtj.localhost/",
        "http://jtj.localhost@evil.com/",
        "http://jtj.localhost:80@evil.com/",
        "http://evil.com\\@jtj.localhost/",
        "/\\evil.com/",
        "\\\\evil.com",
        "http:evil.com",
        "http:///evil.com/",
        " \thttp://evil.com/",
        "ht\ttp://evil.com/",
        "http://[::1/",
        "http:///",
    ],
)
def test_hostile_links_stay_external(cluster, href):
    assert hosts.leaves_cluster(href), href


@pytest.mark.parametrize("href", ["/zwdt/", "zwdt/", "?page=2", "#main", "mailto:a@evil.com", "tel:12345"])
def test_relative_and_non_web_links_are_not_leaving(cluster, href):
    assert not hosts.leaves_cluster(href)


def test_the_host_list_follows_domain_changes(cluster):
    assert "xin.localhost" not in hosts.cluster_hosts()
    domain = Domain.objects.create(domain="xin.localhost", tenant=cluster.sites["jtj"], is_primary=False)
    assert "xin.localhost" in hosts.cluster_hosts()
    assert not hosts.leaves_cluster("http://xin.localhost/")
    domain.delete()
    assert hosts.leaves_cluster("http://xin.localhost/")


def test_pages_carry_the_cluster_hosts_for_the_leaving_notice(client, cluster):
    Domain.objects.create(
        domain="jtj-intranet.localhost", tenant=cluster.sites["jtj"], is_admin_host=True, is_primary=False
    )
    html = get(client, "portal.localhost", "/").content.decode()
    listed = re.search(r'data-cluster-hosts="([^"]*)"', html).group(1).split()
    assert {"portal.localhost", "jtj.localhost", "jyj.localhost", "cluster.localhost"} <= set(listed)
    # An admin-only host (内网采编) is never printed in a public page.
    assert "jtj-intranet.localhost" not in html


def test_sanitiser_reads_hosts_as_browsers_do(cluster):
    from cms.sanitize import sanitize_html

    cleaned = sanitize_html('<a href="/\\evil.com/">甲</a><a href="http://jtj.localhost/x/">乙</a>')
    first, second = cleaned.split("</a>")[:2]
    assert 'data-external="1"' in first
    assert "data-external" not in second


# --- Absolute URLs: the port and scheme readers use -------------------------------------------------


def test_site_url_takes_the_configured_origin_without_a_request(cluster, settings):
    settings.CMS_PUBLIC_PORT = "8100"
    assert hosts.site_url(cluster.sites["jtj"], "/zwdt/") == "http://jtj.localhost:8100/zwdt/"
    settings.CMS_PUBLIC_SCHEME, settings.CMS_PUBLIC_PORT = "https", "443"
    assert hosts.site_url(cluster.sites["jtj"].pk, "/zwdt/") == "https://jtj.localhost/zwdt/"


def test_the_request_port_wins_and_a_proxy_without_one_falls_back_to_the_setting(cluster, rf, settings):
    settings.CMS_PUBLIC_PORT = "8080"
    behind_proxy = rf.get("/", HTTP_HOST="portal.localhost")
    assert hosts.site_url(cluster.sites["jtj"], "/", behind_proxy) == "http://jtj.localhost:8080/"
    direct = rf.get("/", HTTP_HOST="portal.localhost:8100")
    assert hosts.site_url(cluster.sites["jtj"], "/", direct) == "http://jtj.localhost:8100/"
    settings.CMS_PUBLIC_PORT = ""
    secure = rf.get("/", HTTP_HOST="portal.localhost", secure=True)
    assert hosts.site_url(cluster.sites["jtj"], "/", secure) == "https://jtj.localhost/"


def test_relocate_keeps_the_path_and_takes_the_current_host(cluster, rf):
    request = rf.get("/", HTTP_HOST="portal.localhost:8100")
    stored = "http://old-name.localhost:8000/zwdt/gzdt/t20261201_1/?a=1#b"
    assert (
        hosts.relocate(stored, cluster.sites["jtj"], request)
        == "http://jtj.localhost:8100/zwdt/gzdt/t20261201_1/?a=1#b"
    )


def publish_news(in_site, code, title):
    in_site(code)
    page = content.article(content.column("gzdt"), title=title)
    connection.set_schema_to_public()
    return page


def test_portal_lists_department_news_on_the_readers_port(client, in_site):
    publish_news(in_site, "jtj", "端口测试的部门动态")
    html = get(client, "portal.localhost:8100", "/zwdt/bmdt/").content.decode()
    assert "端口测试的部门动态" in html
    assert 'href="http://jtj.localhost:8100/zwdt/gzdt/' in html
    assert "jtj.localhost:8000" not in html and 'href="http://jtj.localhost/' not in html


def test_search_results_link_on_the_readers_port(client, in_site):
    publish_news(in_site, "jyj", "端口检索测试通知")
    html = get(client, "portal.localhost:8100", "/search/?q=端口检索测试").content.decode()
    assert "端口检索测试" in html
    assert 'href="http://jyj.localhost:8100/zwdt/gzdt/' in html
    response = get(client, "portal.localhost:8100", "/api/search/?q=端口检索测试")
    urls = [row["url"] for row in response.json()["results"]]
    assert urls and all(url.startswith("http://jyj.localhost:8100/") for url in urls)


# --- Feeds list what the page lists -----------------------------------------------------------------


def feed_items(response):
    root = ET.fromstring(response.content)
    channel = root.find("channel")
    return channel.findtext("link"), [(item.findtext("title"), item.findtext("link")) for item in channel.iter("item")]


def test_portal_feed_lists_the_aggregated_items_of_its_page(client, in_site):
    publish_news(in_site, "jtj", "订阅源里的部门动态甲")
    publish_news(in_site, "jyj", "订阅源里的部门动态乙")
    page = get(client, "portal.localhost:8100", "/zwdt/bmdt/").content.decode()
    link, items = feed_items(get(client, "portal.localhost:8100", "/zwdt/bmdt/feed/"))
    titles = [title for title, _ in items]
    assert titles[:2] == ["订阅源里的部门动态乙", "订阅源里的部门动态甲"]
    assert all(title in page for title in titles)
    assert link == "http://portal.localhost:8100/zwdt/bmdt/"
    assert items[0][1].startswith("http://jyj.localhost:8100/zwdt/gzdt/")
    # 政务动态 lists what its subcolumn 部门动态 aggregates; so does its feed.
    _, parent_items = feed_items(get(client, "portal.localhost:8100", "/zwdt/feed/"))
    assert "订阅源里的部门动态甲" in [title for title, _ in parent_items]


def test_own_items_in_the_feed_keep_the_port(client, in_site):
    publish_news(in_site, "jtj", "本站订阅源条目")
    _, items = feed_items(get(client, "jtj.localhost:8100", "/zwdt/gzdt/feed/"))
    assert items[0][0] == "本站订阅源条目"
    assert items[0][1].startswith("http://jtj.localhost:8100/zwdt/gzdt/")


# --- What machines read in the head -----------------------------------------------------------------


def test_time_values_are_valid_html(client, in_site):
    publish_news(in_site, "jtj", "时间格式测试")
    for path in ("/zwdt/gzdt/", "/"):
        html = get(client, "jtj.localhost", path).content.decode()
        values = re.findall(r'<time datetime="([^"]*)"', html)
        assert values, path
        assert all(VALID_DATETIME.match(value) for value in values), values
        assert all(value.endswith("+08:00") for value in values)


def test_every_page_has_a_description_and_a_canonical_link(client, in_site):
    page = publish_news(in_site, "jtj", "摘要与规范地址测试")
    in_site("jtj")
    url = page.url
    connection.set_schema_to_public()
    html = get(client, "jtj.localhost:8100", url).content.decode()
    assert '<meta name="description" content="会议部署了冬季安全生产工作。">' in html
    assert f'<link rel="canonical" href="http://jtj.localhost:8100{url}">' in html
    # A column has no summary: its site's description (the home page's 网站简介) or its name.
    html = get(client, "jtj.localhost", "/zwdt/").content.decode()
    description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
    assert "测试市交通运输局" in description
    assert '<link rel="canonical" href="http://jtj.localhost/zwdt/">' in html
    # Feed readers find a column's feed from its page.
    assert 'type="application/rss+xml" title="政务动态（RSS）" href="http://jtj.localhost/zwdt/feed/"' in html
    assert "application/rss+xml" not in get(client, "jtj.localhost:8100", url).content.decode()

"""Static output: every live page as files per host, kept current through the outbox, served by nginx."""

import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from publishing.catalogue.engines import drain
from publishing.catalogue.static_output import export_site
from tests.cms import content
from tests.nginx import shipped_nginx

pytestmark = pytest.mark.django_db


@pytest.fixture
def output(settings, tmp_path):
    settings.CMS_STATIC_OUTPUT_DIR = tmp_path / "static-output"
    settings.CMS_OUTBOX_ENGINES = {"static": "publishing.catalogue.static_output.StaticOutputEngine"}
    return settings.CMS_STATIC_OUTPUT_DIR


def read(path):
    return path.read_text(encoding="utf-8")


def test_export_writes_every_live_page_per_host(output, cluster, capsys):
    connection.set_tenant(cluster.sites["jtj"])
    article = content.article(title="静态化发布的文章")
    connection.set_schema_to_public()
    call_command("export_static", "--site", "jtj", verbosity=0)
    site = output / "jtj.localhost"
    assert cluster.sites["jtj"].name in read(site / "index.html")
    assert "静态化发布的文章" in read(site / "zwdt" / "gzdt" / article.slug / "index.html")
    assert "静态化发布的文章" in read(site / "zwdt" / "gzdt" / "index.html")
    assert "<rss" in read(site / "zwdt" / "gzdt" / "feed" / "index.xml")
    assert not (output / "jyj.localhost").exists()
    assert "已导出 1 个站点" in capsys.readouterr().out


def test_the_site_pages_are_files_too_and_follow_each_publish(output, cluster):
    tenant = cluster.sites["jtj"]
    export_site(tenant)
    site = output / "jtj.localhost"
    assert "Sitemap: http://jtj.localhost/sitemap.xml" in read(site / "robots.txt")
    for directory, title in (("wzdt", "网站地图"), ("wzsm", "网站声明"), ("lxwm", "联系我们")):
        assert title in read(site / directory / "index.html")
    drain()
    connection.set_tenant(tenant)
    article = content.article(title="静态网站地图跟着发布更新")
    connection.set_schema_to_public()
    drain()
    assert f"/zwdt/gzdt/{article.slug}/</loc>" in read(site / "sitemap.xml")


def test_unpublish_removes_the_file_and_the_listing_entry_through_the_outbox(output, cluster):
    tenant = cluster.sites["jtj"]
    connection.set_tenant(tenant)
    article = content.article(title="将被撤下的静态文章")
    connection.set_schema_to_public()
    export_site(tenant)
    page_file = output / "jtj.localhost" / "zwdt" / "gzdt" / article.slug / "index.html"
    assert page_file.exists()
    drain()  # the publish event: already exported, applying it again is harmless
    connection.set_tenant(tenant)
    article.unpublish()
    connection.set_schema_to_public()
    assert drain() == (1, 0)
    assert not page_file.exists()
    assert "将被撤下的静态文章" not in read(output / "jtj.localhost" / "zwdt" / "gzdt" / "index.html")


def test_a_new_publish_appears_without_a_full_export(output, cluster):
    tenant = cluster.sites["jtj"]
    export_site(tenant)
    connection.set_tenant(tenant)
    article = content.article(title="增量静态化的文章")
    connection.set_schema_to_public()
    drain()
    assert "增量静态化的文章" in read(output / "jtj.localhost" / "zwdt" / "gzdt" / article.slug / "index.html")
    assert "增量静态化的文章" in read(output / "jtj.localhost" / "index.html")


def _get(port, host, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{quote(path, safe='/?=&')}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_nginx_serves_the_output_with_the_application_down(output, cluster, tmp_path):
    tenant = cluster.sites["jtj"]
    connection.set_tenant(tenant)
    article = content.article(title="应用停止时仍可访问")
    connection.set_schema_to_public()
    export_site(tenant)
    with shipped_nginx(tmp_path, media=tmp_path / "media", output=output) as port:
        status, body = _get(port, "jtj.localhost", f"/zwdt/gzdt/{article.slug}/")
        assert status == 200 and "应用停止时仍可访问" in body
        assert _get(port, "jtj.localhost", "/")[0] == 200
        # Dynamic paths and query strings go to the application, which is down here.
        assert _get(port, "jtj.localhost", "/search/?q=x")[0] == 502
        assert _get(port, "jtj.localhost", "/zwdt/gzdt/?page=2")[0] == 502


def test_a_page_marked_private_is_left_to_the_application_not_written(output, cluster):
    """An open consultation carries a visitor's CSRF token and a state that moves with the clock:
    a file of it would be one visitor's form for everyone. A closed one is an ordinary page."""
    from tests.interaction.participation import consultation

    tenant = cluster.sites["jtj"]
    connection.set_tenant(tenant)
    open_page = consultation("open", title="征集中的意见征集")
    closed_page = consultation("closed", title="已结束的意见征集")
    connection.set_schema_to_public()
    export_site(tenant)
    site = output / "jtj.localhost"
    assert not (site / "hdjl" / open_page.slug / "index.html").exists()
    assert "已结束的意见征集" in read(site / "hdjl" / closed_page.slug / "index.html")
